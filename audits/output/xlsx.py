"""Shared XlsxWriter pieces for the workbooks: formats, fitted widths, safe text cells, pages.

Every workbook is written with XlsxWriter in `constant_memory` mode: rows are streamed to disk in
order, so a month with 80,000 findings needs little memory. Export text is only ever written with
`write_string` (never `write`, which would turn `=...` into a formula); text a spreadsheet could
take for a formula, an error value or a number carries Excel's quote prefix.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from audits.core.safe_text import needs_quote, needs_quote_one, printable, printable_one
from audits.output.reviewed import (
    AS_AT_PROPERTY,
    ENTRIES_PROPERTY,
    EXTENT_PROPERTY,
    KIND_PROPERTY,
    TEAM_PROPERTY,
)

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
SCORE_FORMAT = "0.0"
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
NAVY, GREEN_HEAD, PURPLE_HEAD, YELLOW_INPUT = "#305496", "#375623", "#5B3A7A", "#FFF9E5"
RAG_COLOURS = {"Green": "#C6EFCE", "Amber": "#FFEB9C", "Red": "#FFC7CE"}
RAG_BARS = {"Green": "#4E9A44", "Amber": "#E0A526", "Red": "#C0392B"}


class _Workbook(xlsxwriter.Workbook):
    """A workbook that records, as it closes, how far each sheet's cells reach (a custom
    property per sheet): the return reader lists what a person typed beyond them."""

    def close(self) -> None:
        for i, ws in enumerate(self.worksheets()):
            rows = -1 if ws.dim_rowmax is None else ws.dim_rowmax
            columns = -1 if ws.dim_colmax is None else ws.dim_colmax
            self.set_custom_property(
                f"{EXTENT_PROPERTY} {i + 1}", f"{rows + 1}:{columns + 1}:{ws.name}"
            )
        super().close()


def new_workbook(path: Path) -> xlsxwriter.Workbook:
    """A streaming workbook; strings are never turned into numbers, formulas or URLs."""
    return _Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "default_date_format": DATE_FORMAT,
        },
    )


def mark_entries(wb: xlsxwriter.Workbook, upto: int) -> None:
    """Record in the workbook (a custom document property) the last reviewer entry the store
    held when the tool pre-filled it, so a pre-filled cell returned untouched is known for the
    tool's copy, not a new entry."""
    wb.set_custom_property(ENTRIES_PROPERTY, int(upto))


def mark_owner(wb: xlsxwriter.Workbook, as_at: dt.date, team: str | None) -> None:
    """Record whose workbook this is (a team's, or the QA team's whole-council one: `team`
    None), and the as-at date of its run: a return says which team it came from, and the return
    reader compares the export's columns with the findings of that run. Each property once."""
    wb.set_custom_property(KIND_PROPERTY, "council" if team is None else "team")
    if team is not None:
        wb.set_custom_property(TEAM_PROPERTY, team)
    wb.set_custom_property(AS_AT_PROPERTY, as_at.isoformat())


class Formats:
    """Formats made once per workbook, by a short description (XlsxWriter's format properties)."""

    BASE = {"font_name": "Calibri", "font_size": 11, "valign": "top"}

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self._made: dict[tuple, object] = {}

    def __call__(self, **props) -> object:
        key = tuple(sorted(props.items()))
        if key not in self._made:
            self._made[key] = self.wb.add_format({**self.BASE, **props})
        return self._made[key]

    def text(self, *, quote: bool = False, wrap: bool = False, **props) -> object:
        return self(quote_prefix=quote, text_wrap=wrap, **props)

    @property
    def header(self) -> object:
        return self(bold=True, font_color="#FFFFFF", bg_color=NAVY, text_wrap=True, border=1)

    @property
    def reviewer_header(self) -> object:
        return self(bold=True, font_color="#FFFFFF", bg_color=GREEN_HEAD, text_wrap=True, border=1)

    @property
    def moderator_header(self) -> object:
        return self(bold=True, font_color="#FFFFFF", bg_color=PURPLE_HEAD, text_wrap=True, border=1)

    @property
    def title(self) -> object:
        return self(bold=True, font_size=14)

    @property
    def bold(self) -> object:
        return self(bold=True)

    @property
    def date(self) -> object:
        return self(num_format=DATE_FORMAT, align="left")


SMALL_COLUMN = 200  # up to this many values a column is prepared value by value (see below)


def text_cells(values: pd.Series, formats: Formats, *, wrap: bool = False, **props):
    """A text column ready to write: printable strings, and each cell's format (quote-prefixed
    where the text could be taken for a formula, an error value or a number)."""
    plain = formats.text(wrap=wrap, **props)
    quoted = formats.text(quote=True, wrap=wrap, **props)
    if len(values) <= SMALL_COLUMN:  # pandas' fixed cost per call outweighs a short loop
        texts = [printable_one(None if _missing(v) else v) for v in values.tolist()]
        return texts, [quoted if needs_quote_one(t) else plain for t in texts]
    text = printable(values.astype(object).where(values.notna(), "").astype(str))
    quote = needs_quote(text).to_numpy(bool)
    return text.tolist(), np.where(quote, quoted, plain).tolist()


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or value != value


def excel_days(values: pd.Series) -> list[float | None]:
    """Dates as Excel serial day numbers (what a date cell holds), None for blank; vectorised."""
    days = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    serial = (days - EXCEL_EPOCH).astype("timedelta64[D]").astype("float64")
    serial[np.isnat(days)] = np.nan
    return [None if np.isnan(v) else v for v in serial.tolist()]


def fitted_width(values: pd.Series | Sequence[str], heading: str, low: int, high: int) -> float:
    """A column width that shows the longest value (measured vectorised), within [low, high];
    the heading counts by its longest word (headings wrap)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    longest = int(series.astype(str).str.len().max()) if len(series) else 0
    word = max((len(w) for w in str(heading).split()), default=0)
    return float(min(max(longest + 2, word + 3, low), high))


def landscape(ws, *, repeat_rows: tuple[int, int] | None = None) -> None:
    """A4 landscape, all columns on one page width, heading rows repeated on each page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)


def write_text(ws, row: int, col: int, value: object, fmt=None) -> None:
    """One text cell (headings, metadata): printable, never a formula."""
    ws.write_string(row, col, printable_one(value), fmt)


def write_header(ws, row: int, headings: Sequence[str], fmt) -> None:
    for col, heading in enumerate(headings):
        ws.write_string(row, col, heading, fmt)


def as_date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    return pd.Timestamp(value).date()


LINE_HEIGHT = 15.0  # points per line of 11-point text


def _per_line(width: float) -> float:
    return max(width * 1.1 - 1, 1.0)  # a width unit: about 1.1 characters of text


def row_heights(columns: list[tuple[Sequence[str], float]], n: int) -> np.ndarray:
    """Each row's height for its wrapped text (lines measured vectorised from text lengths and
    column widths): spreadsheets do not grow rows themselves when a file is opened."""
    lines = np.ones(n)
    for values, width in columns:
        text = pd.Series(values, dtype=object).fillna("").astype(str)
        per_line = _per_line(width)
        need = np.ceil(text.str.len().to_numpy(dtype=float) / per_line)
        need += text.str.count("\n").to_numpy(dtype=float)
        lines = np.maximum(lines, need)
    return np.minimum(lines, 20) * LINE_HEIGHT


def text_height(cells: Sequence[tuple[str, float]]) -> float:
    """One row's height for a few wrapped texts of known width (as `row_heights` measures
    them), in plain Python: a fixed line of a Guide or Summary sheet, where building a pandas
    Series per row would cost more than the row."""
    lines = 1.0
    for text, width in cells:
        lines = max(lines, math.ceil(len(text) / _per_line(width)) + text.count("\n"))
    return min(lines, 20) * LINE_HEIGHT
