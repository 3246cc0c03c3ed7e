"""Which workbooks an import reads, and whether to share the reading with the helper process.

Imported before the heavy libraries: a large import starts the helper process (a fresh
interpreter that takes about half a second to import pandas and the reader) while this process
is still importing its own, so both are ready to read when the first workbook is opened
(`audits.review.returned.read_returns`).
"""

from __future__ import annotations

from pathlib import Path

from audits.core import helper
from audits.core.errors import InputError

# Returns of at least this many bytes between them are shared with the helper process: started
# any later than the import itself, it takes about half a second to be ready, in which this
# process reads ~2 MB of returns.
SHARE_FROM_BYTES = 3_000_000
READER = "audits.review.returned"
BESIDE = "audits.review.beside"


def returned_workbooks(paths: list[Path]) -> list[Path]:
    """The workbooks named, and the .xlsx files directly in any folder named (Excel's `~$` lock
    files and hidden files aside), each once, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() == ".xlsx"
                and not p.name.startswith(("~$", "."))
                and p.is_file()
            )
            if not inside:
                raise InputError("The folder holds no .xlsx workbooks", file=str(path))
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise InputError("The reviewed workbook was not found", file=str(path))
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return [Path(p) for p in unique]


def worth_sharing(paths: list[Path], share_from: int = SHARE_FROM_BYTES) -> bool:
    """Whether reading `paths` is worth a second process: three or more workbooks of at least
    `share_from` bytes between them."""
    return len(paths) > 2 and sum(_size(p) for p in paths) >= share_from


def start_helper(paths: list[Path]) -> None:
    """Start the helper process importing the reader now, when `paths` are worth sharing, and
    what it decides with once they are read (`audits.review.beside`)."""
    if worth_sharing(paths):
        helper.submit(helper.warm, READER)
        helper.submit(helper.warm, BESIDE)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the reader names what is wrong with it
