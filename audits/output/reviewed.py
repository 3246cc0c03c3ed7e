"""Reading a workbook that people have worked in, by its headings, whatever else they did to it.

Rows may be ragged (a sheet written without a dimension record, or edited), guidance rows may
stand above the heading row, headings may be re-cased or carry stray spaces, and columns may have
been moved, added or copied. Cells are read as the loader reads them: by the fast reader, unless
the sheet's XML holds what it cannot be trusted with (formulas, error values, cells far to the
right), which the careful reader (`ingest.xlsx_cells`) reads cell by cell. Values as saved, dates
in the workbook's own date system (Mac Excel's 1904 too), and a formula saved without its result
kept visible as `=... (formula saved without its result)` instead of a blank, so what a person
typed as a formula is never silently nothing.

The tool marks every workbook it writes with custom document properties: the last reviewer
entry the store held (`ENTRIES_PROPERTY`), the as-at date of the run (`AS_AT_PROPERTY`), whose
workbook it is and its team (`KIND_PROPERTY`, `TEAM_PROPERTY`), and how far each sheet's cells
reach (`EXTENT_PROPERTY`), so a cell typed below or beside what the tool wrote, on a sheet that
is not read back, is found and listed.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from audits.core.errors import InputError
from audits.ingest.read import fast_sheet_rows, sheet_parts
from audits.ingest.xlsx_cells import (
    DamagedSheet,
    column_letters,
    date_styles,
    read_cells,
    scan,
    shared_strings,
)
from audits.model.entries import MANAGER_COLUMNS, MODERATOR_COLUMNS
from audits.model.spec import header_key

# The columns people type in: the team manager's, then the QA moderator's (DESIGN §3
# "Decisions and actions"); each is one stored field (`audits.model.entries`).
MANAGER_HEADINGS = tuple(MANAGER_COLUMNS.values())
MODERATOR_HEADINGS = tuple(MODERATOR_COLUMNS.values())
REVIEWER_HEADINGS = (*MANAGER_HEADINGS, *MODERATOR_HEADINGS)
# The reviewer columns of a workbook written before the two decisions were separated: one
# "Moderator decision", which a team workbook's Guide told the team manager to fill.
LEGACY_HEADINGS = (
    "Manager response",
    "Moderator decision",
    "Moderator comment",
    "Action owner",
    "Action due",
)
ACTION_STATUSES = ("Open", "Done")
MODERATOR_DECISIONS = (
    "Agree",
    "Disagree — recording is correct",
    "Disagree — data error in export",
    "Resolved since export",
)
HEADING_SEARCH_ROWS = 40
# A custom document property on every workbook with reviewer columns: the last reviewer entry
# the store held when the tool pre-filled it, so returning a pre-filled cell untouched is known
# for what it is (the tool's copy, not a new entry), whatever the clocks say.
ENTRIES_PROPERTY = "casefile-audit entries up to"
AS_AT_PROPERTY = "casefile-audit as at"  # the run's as-at date: which run's findings it shows
KIND_PROPERTY = "casefile-audit workbook"  # whose it is: "team" or "council" (audit.xlsx)
TEAM_PROPERTY = "casefile-audit team"  # a team workbook's team ("" for No team)
EXTENT_PROPERTY = "casefile-audit extent"  # "<rows>:<columns>:<sheet>", one property per sheet
_PROPS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "op": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
}


@dataclass
class Sheet:
    """A sheet's rows as saved, and the workbook's own record of who saved it and when (UTC)."""

    rows: list[tuple]
    saved_at: str | None
    saved_by: str | None
    entries_upto: int | None  # see ENTRIES_PROPERTY; None for workbooks without it
    date_system: int = 1900  # serial numbers typed as dates count from 1900, or from 1904
    as_at: str | None = None  # see AS_AT_PROPERTY
    stray: list[tuple[int, int, object]] = field(default_factory=list)  # far to the right


@dataclass
class Returned:
    """A returned workbook opened for reading: its sheets, properties and date system."""

    path: Path
    parts: dict[str, str]  # sheet name -> its XML part
    date_system: int
    saved_at: str | None
    saved_by: str | None
    entries_upto: int | None
    as_at: str | None
    extents: dict[str, tuple[int, int]]  # sheet -> (rows, columns) as the tool wrote it
    written_by: str
    properties: dict[str, object] = field(default_factory=dict)  # every custom property
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.parts)

    def sheet(self, name: str) -> Sheet:
        """Every row of sheet `name` from row 1 (rows with nothing are empty tuples)."""
        if name not in self.parts:
            raise InputError(
                f"The workbook has no '{name}' sheet; nothing was stored",
                file=str(self.path),
                expected=f"the workbook written by `{self.written_by}`, with its sheets as they "
                "were",
            )
        try:
            with zipfile.ZipFile(self.path) as archive:
                careful = scan(archive, self.parts[name]).needs_care
            rows = None if careful else fast_sheet_rows(self.path, name, self._cache)
            if rows is not None:  # no formulas, error values or far cells: the fast reader
                return self._as_sheet(rows, [])
            with zipfile.ZipFile(self.path) as archive:
                if "strings" not in self._cache:
                    self._cache["strings"] = shared_strings(archive)
                    self._cache["dates"] = date_styles(archive)
                cells = read_cells(
                    archive,
                    self.parts[name],
                    self._cache["strings"],
                    self._cache["dates"],
                    self.date_system,
                )
        except (DamagedSheet, ElementTree.ParseError, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise InputError(
                f"The workbook is damaged and its '{name}' sheet cannot be read ({exc})",
                file=str(self.path),
                expected=f"a workbook written by `{self.written_by}`, saved as .xlsx",
            ) from None
        rows = []
        for number, row in zip(cells.row_numbers, cells.rows, strict=True):
            rows.extend(() for _ in range(number - 1 - len(rows)))
            rows.append(row)
        return self._as_sheet(rows, cells.stray)

    def _as_sheet(self, rows: list[tuple], stray: list) -> Sheet:
        return Sheet(
            rows,
            self.saved_at,
            self.saved_by,
            self.entries_upto,
            self.date_system,
            self.as_at,
            stray,
        )


def open_return(path: Path, *, written_by: str) -> Returned:
    """A returned workbook's sheets and properties (read lazily, one sheet at a time)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts, system = sheet_parts(archive)
            core = _xml(archive, "docProps/core.xml")
            custom = _custom_properties(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            f"The workbook cannot be opened ({type(exc).__name__}: {exc})",
            file=str(path),
            expected=f"a workbook written by `{written_by}`, saved as .xlsx",
        ) from None
    if not parts:
        raise InputError(
            "The workbook cannot be opened (it has no sheets that can be found)",
            file=str(path),
            expected=f"a workbook written by `{written_by}`, saved as .xlsx",
        )
    saved_at = _iso(_core(core, "dcterms:modified"))
    if saved_at is None:
        stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        saved_at = _iso(stamp.isoformat())
    upto = custom.get(ENTRIES_PROPERTY)
    extents = {}
    for name, value in custom.items():
        if name.startswith(EXTENT_PROPERTY) and isinstance(value, str):
            rows, _, rest = value.partition(":")
            columns, _, sheet = rest.partition(":")
            if rows.isdigit() and columns.isdigit() and sheet:
                extents[sheet] = (int(rows), int(columns))
    return Returned(
        path,
        parts,
        system,
        saved_at,
        _core(core, "cp:lastModifiedBy") or _core(core, "dc:creator"),
        upto if isinstance(upto, int) and not isinstance(upto, bool) else None,
        custom.get(AS_AT_PROPERTY) if isinstance(custom.get(AS_AT_PROPERTY), str) else None,
        extents,
        written_by,
        custom,
    )


def read_sheet(path: Path, sheet: str, *, written_by: str) -> Sheet:
    """All rows of `sheet` (values as saved) and the workbook's saved-by/saved-at properties."""
    return open_return(path, written_by=written_by).sheet(sheet)


def _xml(archive: zipfile.ZipFile, member: str) -> ElementTree.Element | None:
    try:
        return ElementTree.fromstring(archive.read(member))
    except (KeyError, ElementTree.ParseError):
        return None


def _core(root: ElementTree.Element | None, tag: str) -> str | None:
    if root is None:
        return None
    prefix, name = tag.split(":")
    found = root.find(f"{{{_PROPS[prefix]}}}{name}")
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _custom_properties(archive: zipfile.ZipFile) -> dict[str, object]:
    """Custom document properties: whole numbers as int, everything else as text."""
    root = _xml(archive, "docProps/custom.xml")
    out: dict[str, object] = {}
    for prop in [] if root is None else root.findall(f"{{{_PROPS['op']}}}property"):
        value = next(iter(prop), None)
        if value is None or not prop.get("name"):
            continue
        text = (value.text or "").strip()
        kind = value.tag.rsplit("}", 1)[-1]
        if kind in ("i1", "i2", "i4", "i8", "int", "ui1", "ui2", "ui4", "ui8", "uint"):
            try:
                out[prop.get("name")] = int(text)
                continue
            except ValueError:
                pass
        out[prop.get("name")] = text
    return out


def _iso(value: str | None) -> str | None:
    """A document time as UTC, to the second, ISO (naive), or None."""
    if not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(dt.UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=0).isoformat()


def heading_row(rows: list[tuple], required: tuple[str, ...]) -> int | None:
    """Index (0-based) of the first row, near the top, holding the first required heading."""
    anchor = header_key(required[0])
    for i, row in enumerate(rows[:HEADING_SEARCH_ROWS]):
        if any(header_key(v) == anchor for v in row if isinstance(v, str)):
            return i
    return None


@dataclass
class Headed:
    """A reviewed sheet's columns by heading; the index of every column is the Excel row."""

    columns: dict[str, pd.Series]
    headings: list[str]
    body: pd.DataFrame  # every column, by position (cells right of the headings too)
    positions: dict[str, int] = field(default_factory=dict)  # heading key -> its first column

    def __getitem__(self, name: str) -> pd.Series:
        return self.columns[name]

    def column(self, at: int) -> pd.Series:
        """The cells of the column at position `at` (blank text already None)."""
        return self.body[at]

    def get(self, name: str) -> pd.Series | None:
        """A column by heading (its first copy), None when the sheet has no such heading."""
        at = self.positions.get(header_key(name))
        return None if at is None else self.column(at)

    def others(self, known: set[str]) -> dict[str, pd.Series]:
        """Columns whose heading is not in `known` (e.g. one a person added, or a cell typed
        right of the headings), with any value; each named by its heading and column."""
        known_keys = {header_key(k) for k in known}
        out = {}
        for i, heading in enumerate(self.headings):
            if heading and header_key(heading) in known_keys:
                continue
            values = self.column(i)
            if values.notna().any():
                name = heading or f"column {column_letters(i)} (no heading)"
                out[name if name not in out else f"{name} (column {column_letters(i)})"] = values
        return out

    def copies(self, known: set[str]) -> dict[str, pd.Series]:
        """Second and later columns headed like one of `known` (a copied column), with any
        value: only the first of a heading is read, so what is typed in a copy is listed."""
        known_keys = {header_key(k) for k in known}
        out = {}
        for i, heading in enumerate(self.headings):
            key = header_key(heading)
            if not heading or key not in known_keys or self.positions.get(key) == i:
                continue
            values = self.column(i)
            if values.notna().any():
                out[f"{heading} (column {column_letters(i)})"] = values
        return out


def headed_columns(
    rows: list[tuple], required: tuple[str, ...], *, file: Path, sheet: str, written_by: str
) -> Headed:
    """The `required` columns of a reviewed sheet, found by heading wherever they now stand.

    Values are as saved; blank text becomes None (for every cell at once, in `body`); the index
    is the Excel row number. A missing or renamed heading is refused before anything is stored.
    """
    at = heading_row(rows, required)
    header = [str(h).strip() if h is not None else "" for h in (rows[at] if at is not None else ())]
    keys: dict[str, int] = {}
    for i, h in enumerate(header):
        if h:
            keys.setdefault(header_key(h), i)
    missing = [h for h in required if header_key(h) not in keys]
    if missing:
        raise InputError(
            f"The {sheet} sheet is missing column(s) "
            + ", ".join(f"'{m}'" for m in missing)
            + "; nothing was stored",
            file=str(file),
            sheet=sheet,
            expected=f"the columns as `{written_by}` wrote them: " + ", ".join(required),
            action="Restore the column heading(s) (renamed or deleted columns cannot be matched)",
        )
    first = (at or 0) + 1
    width = max([len(header), *(len(r) for r in rows[first:])])
    header += [""] * (width - len(header))
    body_rows = rows[first:]
    if body_rows and all(len(row) == width for row in body_rows):  # the fast reader's rectangle
        cells = np.array(body_rows, dtype=object).reshape(len(body_rows), width)
    else:  # ragged (the careful reader, an edited sheet): padded a row at a time
        cells = np.full((len(body_rows), width), None, dtype=object)
        for i, row in enumerate(body_rows):
            cells[i, : len(row)] = row
    cells[_blank(cells)] = None
    index = pd.RangeIndex(first + 1, first + 1 + len(cells))
    body = pd.DataFrame(cells, columns=range(width), index=index, dtype=object)
    columns = {name: body[keys[header_key(name)]] for name in required}
    return Headed(columns, header, body, keys)


def _blank(cells: np.ndarray) -> np.ndarray:
    """Where a cell holds nothing: no value, or text of spaces only. Each distinct value is
    looked at once (a sheet repeats its teams, rules, dates and blanks over thousands of rows)."""
    codes, distinct = pd.factorize(cells.ravel(), use_na_sentinel=True)
    spaces = [isinstance(v, str) and not v.strip() for v in distinct]
    blank = np.append(np.array(spaces, dtype=bool), True)  # code -1 (no value) takes the last
    return blank[codes].reshape(cells.shape)
