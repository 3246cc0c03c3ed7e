"""Great Expectations imported in the helper process, started as early as a run can.

Standard library and `audits.helper` only (no pandas), so `audit run` can start the helper's
import first thing: it then overlaps this process's own imports as well as reading the export.
The suites themselves are found, checked and validated by `audits.suites`.
"""

from __future__ import annotations

import logging
import os
import re
from concurrent.futures import Future
from pathlib import Path

from audits import helper

DEFAULT_DIR = Path(__file__).resolve().parents[1] / "expectations"
SUITE_FILE = re.compile(r"^list_(\d{1,2})\.json$")


def quiet_offline_gx() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no usage statistics: no network
    logging.getLogger("great_expectations").setLevel(logging.CRITICAL)  # errors are ours to report


def import_gx() -> bool:
    """Run in the helper process: import Great Expectations once, ahead of the suites."""
    quiet_offline_gx()
    try:
        import great_expectations  # noqa: F401
    except Exception:  # the run reports it when the suites are applied
        return False
    # ready before their work arrives: the suites', then the team workbooks'
    import audits.output.team_workbooks  # noqa: F401
    import audits.suites  # noqa: F401

    return True


def has_suites(folder: Path) -> bool:
    return any(SUITE_FILE.match(p.name) for p in folder.glob("list_*.json"))


def start(folder: Path) -> Future | None:
    """Start importing Great Expectations in the helper process when `folder` holds suites
    (None when it holds none, or where no helper process can be started)."""
    return helper.submit(import_gx) if has_suites(folder) else None
