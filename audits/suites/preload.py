"""Great Expectations imported in the helper process, started as early as a run can.

Standard library and `audits.core.helper` only (no pandas), so `audit run` can start the helper's
import first thing: it then overlaps this process's own imports as well as reading the export.
The suites themselves are found, checked and validated by `audits.suites.apply`; the caller
names any further modules the helper should import while it waits (the team-workbook writer),
so this package depends on nothing above it.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
from concurrent.futures import Future
from pathlib import Path

from audits.core import helper

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "expectations"
SUITE_FILE = re.compile(r"^list_(\d{1,2})\.json$")


def quiet_offline_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no usage statistics: no network
    logging.getLogger("great_expectations").setLevel(logging.CRITICAL)  # errors are ours to report


def import_gx(warm: tuple[str, ...] = ()) -> bool:
    """Run in the helper process: import Great Expectations once, ahead of the suites, then the
    suites' module and the modules named in `warm`, ready before their work arrives."""
    quiet_offline_gx()
    try:
        import great_expectations  # noqa: F401
    except Exception:  # the run reports it when the suites are applied
        return False
    for module in ("audits.suites.apply", *warm):
        importlib.import_module(module)
    return True


def has_suites(folder: Path) -> bool:
    return any(SUITE_FILE.match(p.name) for p in folder.glob("list_*.json"))


def start(folder: Path, warm: tuple[str, ...] = ()) -> Future | None:
    """Start importing Great Expectations (and the `warm` modules) in the helper process when
    `folder` holds suites (None when it holds none, or where no helper process can start)."""
    return helper.submit(import_gx, warm) if has_suites(folder) else None
