"""Workbooks the tool wrote, and whether anyone has changed them since.

People type into our workbooks (audit, team, practice, board), so a run must never replace one
that a person has touched. Each folder the tool writes workbooks into keeps a small record,
`.casefile-audit-written.json`: the SHA-256 of every workbook exactly as the tool last wrote it.
A workbook whose bytes still match is the tool's own and the next run may replace it; any other
file at that path (saved since, on any sheet, or never recorded) is a person's and is kept: the
new workbook is written beside it. Content decides, not a few column headings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

RECORD = ".casefile-audit-written.json"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def untouched(path: Path, folder: Path) -> bool:
    """True when `path` is absent, or is byte for byte the workbook the tool last wrote there."""
    if not path.exists():
        return True
    recorded = _read(folder).get(path.relative_to(folder).as_posix())
    try:
        return recorded is not None and recorded == sha256_of(path)
    except OSError:
        return False


def target_for(path: Path, folder: Path, stamp: str | None = None) -> tuple[Path, bool]:
    """Where to write the workbook meant for `path`: `path` itself, or, when a person has changed
    the file there, a new name beside it (`<stem>-<stamp>.xlsx`). Returns (target, kept)."""
    if untouched(path, folder):
        return path, False
    stamp = stamp or dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    beside = path.with_name(f"{path.stem}-{stamp}{path.suffix}")
    n = 2
    while beside.exists():
        beside = path.with_name(f"{path.stem}-{stamp}-{n}{path.suffix}")
        n += 1
    return beside, True


def remember(folder: Path, paths: Iterable[Path]) -> None:
    """Record the workbooks just written in `folder` (their bytes as the tool left them)."""
    from audits.output.atomic import write_text

    record = _read(folder)
    for path in paths:
        record[path.relative_to(folder).as_posix()] = sha256_of(path)
    write_text(folder / RECORD, lambda fh: json.dump(record, fh, indent=1, sort_keys=True))


def forget(folder: Path, names: Iterable[str]) -> None:
    """Drop `names` (paths relative to `folder`) from the record of written workbooks."""
    from audits.output.atomic import write_text

    record = _read(folder)
    names = [n for n in names if n in record]
    if not names:
        return
    for name in names:
        record.pop(name)
    write_text(folder / RECORD, lambda fh: json.dump(record, fh, indent=1, sort_keys=True))


EARLIER = "earlier"  # where a changed workbook of an earlier month is set aside


def earlier_workbooks(
    folder: Path, sub: str, meant: Iterable[Path]
) -> tuple[list[str], dict[str, str]]:
    """The workbooks of an earlier run left in `folder/sub` (a run's own set, such as teams/)
    that this run does not write: (the tool's untouched copies, which are not carried into the
    new set; {a copy a person changed: where it is set aside, `sub/earlier/<stem> (as at
    <date>).xlsx`}), as paths relative to `folder`. So the set shows this month's workbooks
    only, and nothing a person typed is lost."""
    here = folder / sub
    if not here.is_dir():
        return [], {}
    meant = {Path(p).resolve() for p in meant}
    dropped, moved = [], {}
    taken: set[str] = set()
    for path in sorted(here.glob("*.xlsx")):
        if path.resolve() in meant or not path.is_file() or path.name.startswith(("~$", ".")):
            continue
        name = path.relative_to(folder).as_posix()
        if untouched(path, folder):
            dropped.append(name)
            continue
        stem = f"{path.stem} (as at {_as_at_of(path)})"
        target, n = f"{sub}/{EARLIER}/{stem}.xlsx", 2
        while (folder / target).exists() or target in taken:
            target, n = f"{sub}/{EARLIER}/{stem} ({n}).xlsx", n + 1
        taken.add(target)
        moved[name] = target
    return dropped, moved


def _as_at_of(path: Path) -> str:
    """A workbook's as-at date from its property, else the day it was last saved."""
    import zipfile
    from xml.etree import ElementTree

    from audits.output.reviewed import AS_AT_PROPERTY

    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("docProps/custom.xml"))
        for prop in root:
            if prop.get("name") == AS_AT_PROPERTY and len(prop) and prop[0].text:
                return prop[0].text.strip()[:10]
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        pass
    return dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
