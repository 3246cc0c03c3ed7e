"""What every input adapter produces: an export of canonical list frames, and its files.

Annex A, the CIN census and the SSDA903 adapters each build an `Export` of `ListTable`s (canonical
columns plus `_row`, the row in the source) and a frame of the values they could not read
(`UNREADABLE_COLUMNS`, reported as DQ-04). The rules only ever see these.
"""

from __future__ import annotations

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
    """The files of the export. Only regular files are read (not a FIFO, a device such as
    /dev/null, or a socket), and in a folder a symbolic link is never followed out of it."""
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
    outside = links_outside(path)
    files = [
        p
        for p in sorted(path.iterdir())
        if p.is_file()
        and p.name not in outside
        and p.suffix.lower() in SPREADSHEET_SUFFIXES
        and not p.name.startswith(("~$", "."))
    ]
    if not files:
        raise InputError(
            "The folder holds no spreadsheet or CSV files"
            + (
                f" (links to files outside it are not followed: {', '.join(outside)})"
                if outside
                else ""
            ),
            file=str(path),
            expected="Annex A lists as .xlsx, .xls or .csv files",
        )
    return files


def links_outside(folder: Path) -> list[str]:
    """Names of the symbolic links in an export folder that lead out of it (never read)."""
    if not folder.is_dir():
        return []
    root = folder.resolve()
    return [
        p.name
        for p in sorted(folder.iterdir())
        if p.is_symlink() and not p.resolve().is_relative_to(root)
    ]
