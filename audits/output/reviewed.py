"""Reading a sheet that people have worked in, by its headings, whatever else they did to it.

Rows may be ragged (a sheet written without a dimension record, or edited), guidance rows may
stand above the heading row, headings may be re-cased or carry stray spaces, and columns may have
been moved or added. Values only: formulas are read as their saved results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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


def _iso(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat()
    return None


def read_sheet(path: Path, sheet: str, *, written_by: str) -> Sheet:
    """All rows of `sheet` (values only) and the workbook's saved-by/saved-at properties."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(
            f"The workbook cannot be opened ({type(exc).__name__}: {exc})",
            file=str(path),
            expected=f"a workbook written by `{written_by}`, saved as .xlsx",
        ) from None
    try:
        if sheet not in wb.sheetnames:
            raise InputError(
                f"The workbook has no '{sheet}' sheet; nothing was stored",
                file=str(path),
                expected=f"the workbook written by `{written_by}`, with its sheets as they were",
            )
        ws = wb[sheet]
        ws.reset_dimensions()  # trust the cells, not a missing or stale dimension record
        rows = list(ws.iter_rows(values_only=True))
        props = wb.properties
        saved_at = _iso(props.modified)
        if saved_at is None:
            stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
            saved_at = _iso(stamp)
        custom = {p.name: p.value for p in wb.custom_doc_props.props}
        upto = custom.get(ENTRIES_PROPERTY)
        upto = int(upto) if isinstance(upto, int | float) and not isinstance(upto, bool) else None
        return Sheet(
            rows,
            saved_at,
            props.lastModifiedBy or props.creator,
            upto,
            tuple(wb.sheetnames),
            custom,
        )
    finally:
        wb.close()


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
    rows: list[tuple], required: tuple[str, ...], *, file: Path, sheet: str, written_by: str
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
    body.index = pd.RangeIndex(first + 1, first + 1 + len(body))
    columns = {name: blank_to_none(body[keys[header_key(name)]]) for name in required}
    return Headed(columns, header, body)


def blank_to_none(values: pd.Series) -> pd.Series:
    text = values.astype(str).str.strip()
    return values.where(values.notna() & (text != ""), None).astype(object)
