"""What every input adapter produces: an export of canonical list frames, and its files.

Annex A, the CIN census and the SSDA903 adapters each build an `Export` of `ListTable`s (canonical
columns plus `_row`, the row in the source) and a frame of the values they could not read
(`UNREADABLE_COLUMNS`, reported as DQ-04). The rules only ever see these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from audits.core.errors import InputError
from audits.ingest.keys import KeyCodes, encode
from audits.ingest.read import SPREADSHEET_SUFFIXES
from audits.model.spec import LIST9_2024_FIELDS, ListSpec

KEY_COLUMNS = ("child_id", "worker")
UNREADABLE_COLUMNS = [
    "list",
    "file",
    "sheet",
    "row",
    "column",
    "heading",
    "field",
    "child_id",
    "team",
    "worker",
    "value",
    "expected",
]


@dataclass
class ListTable:
    """One recognised list: canonical columns plus `_row`, the row number in the source."""

    spec: ListSpec
    frame: pd.DataFrame
    file: Path
    sheet: str | None
    recognised_by: str
    headings: dict[str, str]
    unmatched_headings: list[str]
    # why a field the rules may ask for is not here, in the adapter's words (e.g. "ssd_cp_visits
    # has no column cppv_cp_visit_seen_alone"); rules that need it say so when not run
    absent: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> set[str]:
        return set(self.headings)

    @property
    def source(self) -> str:
        return self.file.name + (f" / {self.sheet}" if self.sheet else "")

    @property
    def layout(self) -> str | None:
        if self.spec.number != 9:
            return None
        if set(LIST9_2024_FIELDS) <= self.columns:
            return "2024 layout (17 columns)"
        return "2019 layout (13 columns)"


@dataclass
class Export:
    path: Path
    files: list[Path]
    lists: dict[int, ListTable]
    unreadable: pd.DataFrame
    skipped: list[str] = field(default_factory=list)  # sheets/files that are not Annex A lists
    tables: dict[str, ListTable] = field(default_factory=dict)  # local tables by key
    absent: dict[str, str] = field(default_factory=dict)  # list or table key -> why it is absent
    # Histories that span years (the SSD): rules judge only the events of the audit period,
    # the config's `history_months` up to the as-at date, and hold earlier ones as predecessors;
    # `history_from` is the earliest date the input holds (an interval starting before it is
    # not judged against its start).
    history_period: bool = False
    history_from: dt.date | None = None
    notes: list[str] = field(default_factory=list)  # what the readers decided: warnings
    _keys: dict[str, KeyCodes] = field(default_factory=dict, repr=False)

    def get(self, number: int) -> ListTable | None:
        return self.lists.get(number)

    def all_tables(self) -> dict[str, ListTable]:
        """Lists ('list4') and local tables ('workers') by key."""
        return {**{t.spec.key: t for t in self.lists.values()}, **self.tables}

    def keys(self, column: str) -> KeyCodes:
        """Shared integer codes of a key column (`child_id`, `worker`) across every table.

        Computed once, when the export is loaded (or on first use); the frames do not change
        after loading except for team renames, which touch no key column.
        """
        if column not in self._keys:
            self._keys[column] = encode(
                {key: t.frame[column] for key, t in self.all_tables().items() if column in t.frame}
            )
        return self._keys[column]

    def set_keys(self, column: str, keys: KeyCodes) -> None:
        """Codes computed elsewhere (e.g. several councils' exports combined)."""
        self._keys[column] = keys

    def row_counts(self) -> dict[int, int]:
        return {n: len(t.frame) for n, t in sorted(self.lists.items())}


def export_files(path: Path) -> list[Path]:
    """The spreadsheet and CSV files of the export (see `folder_files`)."""
    files = folder_files(path)
    if path.is_file():
        return files
    files = [p for p in files if p.suffix.lower() in SPREADSHEET_SUFFIXES]
    if not files:
        links = links_not_followed(path)
        outside = [name for name, why in links if why == _OUTSIDE]
        loops = [name for name, why in links if why == _LOOP]
        said = (
            [f"links to files outside it are not followed: {', '.join(outside)}"] if outside else []
        )
        said += (
            [f"links that lead round a loop are not followed: {', '.join(loops)}"] if loops else []
        )
        raise InputError(
            "The folder holds no spreadsheet or CSV files"
            + (f" ({'; '.join(said)})" if said else ""),
            file=str(path),
            expected="Annex A lists as .xlsx, .xls or .csv files",
        )
    return files


def folder_files(path: Path) -> list[Path]:
    """The files of the export: the file named, or the regular files directly in the folder
    named (not hidden files, not Excel's `~$` lock files). Only regular files are read (not a
    FIFO, a device such as /dev/null, or a socket), and in a folder a symbolic link is never
    followed out of it, nor round a loop (`links_not_followed` names them)."""
    if not path.exists():
        raise InputError(
            "The export was not found",
            file=str(path),
            expected="a workbook, a CSV file, or a folder holding them",
        )
    if not path.is_file() and not path.is_dir():
        raise InputError(
            "The export is not an ordinary file or folder (it is a device, a pipe or a socket)",
            file=str(path),
            expected="a workbook, a CSV file, or a folder holding them",
            action="Name the exported file itself",
        )
    if path.is_file():
        return [path]
    skipped = {name for name, _ in links_not_followed(path)}
    return [
        p
        for p in sorted(path.iterdir())
        if p.name not in skipped and not p.name.startswith(("~$", ".")) and _regular(p)
    ]


def _regular(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a link round a loop (Python 3.13+ raises), a name too long ...
        return False


_OUTSIDE = "a link to a file outside the export folder: not read"
_LOOP = "a link that leads round a loop: not read"


def links_not_followed(folder: Path) -> list[tuple[str, str]]:
    """(name, why) of the symbolic links of an export folder that are not read: those that
    lead out of it, and those that lead round a loop (or nowhere that can be resolved)."""
    if not folder.is_dir():
        return []
    root = folder.resolve()
    out = []
    for p in sorted(folder.iterdir()):
        if not p.is_symlink():
            continue
        try:
            target = p.resolve(strict=True)
        except FileNotFoundError:
            continue  # a broken link: nothing there to read (it is not a file either)
        except (OSError, RuntimeError):  # RuntimeError: a loop (Python 3.11 and 3.12)
            out.append((p.name, _LOOP))
            continue
        if not target.is_relative_to(root):
            out.append((p.name, _OUTSIDE))
    return out


def not_followed_notes(path: Path) -> tuple[list[str], list[str]]:
    """(the export's `skipped` entries, warnings) for the links of a folder that are not read."""
    links = links_not_followed(path)
    return (
        [f"{name} ({why})" for name, why in links],
        [f"{name} in the export folder is {why}" for name, why in links],
    )
