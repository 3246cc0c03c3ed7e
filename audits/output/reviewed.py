"""Reading a sheet that people have worked in, by its headings, whatever else they did to it.

Rows may be ragged (a sheet written without a dimension record, or edited), guidance rows may
stand above the heading row, headings may be re-cased or carry stray spaces, and columns may have
been moved or added. Values only: formulas are read as their saved results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from audits.core.errors import InputError
from audits.model.spec import header_key

# The columns people type in: the team manager's, then the QA moderator's (DESIGN §3
# "Decisions and actions"); each is one stored field (`audits.history.schema.ENTRY_FIELDS`).
MANAGER_HEADINGS = (
    "Manager response",
    "Manager decision",
    "Action owner",
    "Action due",
    "Action status",
    "Done on",
)
MODERATOR_HEADINGS = ("Moderator decision", "Moderator comment")
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
# Also on every such workbook: whose it is ("team" or "council"), the team, and the as-at date.
KIND_PROPERTY = "casefile-audit workbook"
TEAM_PROPERTY = "casefile-audit team"
AS_AT_PROPERTY = "casefile-audit as at"


@dataclass
class Sheet:
    """A sheet's rows as saved, and the workbook's own record of who saved it and when (UTC)."""

    rows: list[tuple]
    saved_at: str | None
    saved_by: str | None
    entries_upto: int | None  # see ENTRIES_PROPERTY; None for workbooks without it
    sheetnames: tuple[str, ...] = ()
    properties: dict[str, object] | None = None  # the workbook's custom properties
    row_numbers: list[int] | None = None  # each row's Excel number; None: 1, 2, 3 ...
    stray: list[tuple[int, int, object]] = field(default_factory=list)  # (row, column) far right


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat()
    return None


_PACKAGE = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "custom": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
    "main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}


def package_properties(path: Path) -> tuple[tuple[str, ...], dict[str, object], dict[str, object]]:
    """(sheet names, core properties, custom properties) of an .xlsx, from its small XML parts
    only (openpyxl would parse the shared strings of a whole workbook first)."""
    import zipfile
    from xml.etree import ElementTree

    def part(archive: zipfile.ZipFile, name: str):
        try:
            return ElementTree.fromstring(archive.read(name))
        except (KeyError, ElementTree.ParseError):
            return None

    with zipfile.ZipFile(path) as archive:
        book, core, custom = (
            part(archive, n)
            for n in ("xl/workbook.xml", "docProps/core.xml", "docProps/custom.xml")
        )
    names = tuple(
        s.get("name") or ""
        for s in (book.findall("main:sheets/main:sheet", _PACKAGE) if book is not None else [])
    )
    found: dict[str, object] = {}
    for key, tag in (
        ("modified", "dcterms:modified"),
        ("last_modified_by", "cp:lastModifiedBy"),
        ("creator", "dc:creator"),
    ):
        elem = core.find(tag, _PACKAGE) if core is not None else None
        found[key] = (elem.text or "").strip() if elem is not None else None
    values: dict[str, object] = {}
    for prop in custom.findall("custom:property", _PACKAGE) if custom is not None else []:
        child = next(iter(prop), None)
        text = child.text if child is not None else None
        kind = child.tag.rsplit("}", 1)[-1] if child is not None else ""
        if kind in ("i1", "i2", "i4", "i8", "int", "ui1", "ui2", "ui4", "ui8", "uint"):
            value: object = int(text) if text and text.strip().lstrip("-").isdigit() else None
        elif kind in ("r4", "r8", "decimal"):
            try:
                value = float(text) if text else None
            except ValueError:
                value = None
        elif kind == "bool":
            value = (text or "").strip().lower() in ("true", "1")
        else:
            value = text
        values[prop.get("name") or ""] = value
    return names, found, values


def _when(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(text).strip()) if text else None
    except ValueError:
        return None


def read_sheet(path: Path, sheet: str, *, written_by: str) -> Sheet:
    """All rows of `sheet` (values only) and the workbook's saved-by/saved-at properties.

    Values are read as an export is (`audits.ingest.read.read_tables`: python-calamine, or cell
    by cell where it cannot be trusted: a formula saved without its result or an error value
    stays visible as text, a stray cell far away is kept apart with its place), an order of
    magnitude faster than openpyxl; the properties from the package's small XML parts."""
    from audits.ingest.read import read_tables

    expected = f"a workbook written by `{written_by}`, saved as .xlsx"
    try:
        names, core, custom = package_properties(path)
        found = next((t for t in read_tables(path, only=sheet) if t.sheet == sheet), None)
    except InputError as exc:
        raise InputError(exc.problem, file=str(path), expected=expected) from None
    except Exception as exc:  # not a zip package, or a damaged one
        raise InputError(
            f"The workbook cannot be opened ({type(exc).__name__}: {exc})",
            file=str(path),
            expected=expected,
        ) from None
    if found is None:
        raise InputError(
            f"The workbook has no '{sheet}' sheet; nothing was stored",
            file=str(path),
            expected=f"the workbook written by `{written_by}`, with its sheets as they were",
        )
    saved_at = _iso(_when(core["modified"]))
    if saved_at is None:
        saved_at = _iso(dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC))
    upto = custom.get(ENTRIES_PROPERTY)
    upto = int(upto) if isinstance(upto, int | float) and not isinstance(upto, bool) else None
    return Sheet(
        found.rows,
        saved_at,
        core["last_modified_by"] or core["creator"],
        upto,
        names,
        custom,
        found.row_numbers,
        found.stray,
    )


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
    body: pd.DataFrame  # every column, by position

    def __getitem__(self, name: str) -> pd.Series:
        return self.columns[name]

    def others(self, known: set[str]) -> dict[str, pd.Series]:
        """Columns whose heading is not in `known` (e.g. one a person added), with any value."""
        known_keys = {header_key(k) for k in known}
        out = {}
        for i, heading in enumerate(self.headings):
            if header_key(heading) in known_keys:
                continue
            values = blank_to_none(self.body[i])
            if values.notna().any():
                out[heading or f"column {i + 1} (no heading)"] = values
        return out


def headed_columns(
    rows: list[tuple],
    required: tuple[str, ...],
    *,
    file: Path,
    sheet: str,
    written_by: str,
    row_numbers: list[int] | None = None,
) -> Headed:
    """The `required` columns of a reviewed sheet, found by heading wherever they now stand.

    Values are as saved; blank text becomes None; the index is the Excel row number. A missing
    or renamed heading is refused before anything is stored.
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
    width = len(header)
    first = (at or 0) + 1
    body_rows = [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows[first:]]
    body = pd.DataFrame(body_rows, columns=range(width), dtype=object)
    body.index = (
        pd.Index(row_numbers[first:], dtype="int64")
        if row_numbers is not None
        else pd.RangeIndex(first + 1, first + 1 + len(body))
    )
    columns = {name: blank_to_none(body[keys[header_key(name)]]) for name in required}
    return Headed(columns, header, body)


def blank_to_none(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.strip()
    return values.where(values.notna() & (text != ""), None).astype(object)
