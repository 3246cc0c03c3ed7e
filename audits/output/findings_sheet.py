"""The Findings sheet, the same in audit.xlsx and in each team workbook.

A short header (what to do, by when, the decisions, the colours), then one heading row and one row
per finding: the plain-English finding near the left, the reviewer columns (green, unlocked, with
input messages, a decision dropdown and a date check on Action due, pre-filled with entries
carried from earlier months), "Action overdue", "Entered", and the Finding ID at the right end.
Rows are streamed in order (XlsxWriter constant_memory), each cell written once.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from audits.output.guide import (
    MODERATOR_DECISIONS,
    OVERDUE_AMBER,
    OVERDUE_RED,
    findings_header_lines,
)
from audits.output.reviewed import REVIEWER_HEADINGS
from audits.output.xlsx import (
    DATE_FORMAT,
    LINE_HEIGHT,
    RAG_COLOURS,
    YELLOW_INPUT,
    Formats,
    excel_days,
    fitted_width,
    landscape,
    row_heights,
    text_cells,
    write_text,
)

REVIEWER_COLUMNS = REVIEWER_HEADINGS
# (key in the findings frame, heading, kind, narrowest, widest)
FINDING_COLUMNS = (
    ("rule_id", "Rule", "text", 7, 9),
    ("severity", "Severity", "text", 8, 9),
    ("message", "Finding", "wrap", 24, 60),
    ("child_id", "Child ID", "text", 9, 18),
    ("area", "Area", "text", 8, 26),
    ("list", "List", "list", 6, 8),
    ("team", "Team", "text", 8, 28),
    ("worker", "Worker", "text", 8, 24),
    ("due_date", "Due date", "date", 11, 11),
    ("days_overdue", "Days overdue", "int", 8, 9),
    ("field", "Field", "wrap", 10, 30),
    ("value", "Value", "wrap", 8, 24),
    ("first_raised", "First raised", "text", 8, 9),
)
REVIEWER_KEYS = (
    ("manager_response", "Manager response", "wrap", 30, 30),
    ("moderator_decision", "Moderator decision", "text", 30, 30),
    ("moderator_comment", "Moderator comment", "wrap", 26, 26),
    ("action_owner", "Action owner", "text", 16, 20),
    ("action_due", "Action due", "date", 11, 11),
)
TRAILING = (
    ("action_overdue", "Action overdue", "flag", 9, 9),
    ("entered", "Entered", "wrap", 12, 40),
    ("finding_id", "Finding ID", "text", 18, 18),
)
HEADINGS = tuple(h for _, h, *_ in (*FINDING_COLUMNS, *REVIEWER_KEYS, *TRAILING))
INPUT_MESSAGES = {
    "Manager response": "What you found in the child's record and what is being done.",
    "Moderator decision": "Choose one: Agree; Disagree — recording is correct; Disagree — data "
    "error in export; Resolved since export. The Guide sheet says when to use each.",
    "Moderator comment": "For the QA moderator: a comment on the decision.",
    "Action owner": "Who will do what is needed (a name), if something needs doing.",
    "Action due": "The date the action will be done by, as dd/mm/yyyy.",
}
HEADER_ROWS = 4  # guidance lines above the table; one blank row; then the headings
HEADING_ROW = HEADER_ROWS + 2  # the headings' row as Excel numbers it (1-based)


def human_dates(values: pd.Series) -> pd.Series:
    """ISO dates in a text column shown as dd/mm/yyyy (findings.csv keeps ISO)."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    return text.str.replace(r"^(\d{4})-(\d{2})-(\d{2})$", r"\3/\2/\1", regex=True)


def _column(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def write_findings_sheet(
    wb,
    formats: Formats,
    findings: pd.DataFrame,
    *,
    scope: str,
    as_at: dt.date,
    respond_by: dt.date,
    working_days: int,
) -> None:
    ws = wb.add_worksheet("Findings")
    n = len(findings)
    heading_row = HEADING_ROW - 1  # 0-based for XlsxWriter
    first, last = heading_row + 1, heading_row + max(n, 1)
    landscape(ws, repeat_rows=(heading_row, heading_row))
    ws.freeze_panes(first, 0)
    lines = findings_header_lines(scope, as_at, respond_by, working_days, n)
    for row in range(heading_row):  # rows are streamed: each guidance row is finished in turn
        if row < len(lines):
            write_text(ws, row, 0, lines[row], formats.title if row == 0 else formats.bold)
        for heading in REVIEWER_COLUMNS:  # no reviewer colour above the table
            ws.write_blank(row, _col(heading), None, formats())

    overdue = _column(findings, "action_overdue").fillna(False).astype(bool).to_numpy()
    unlocked = {"locked": False, "bg_color": YELLOW_INPUT, "border": 1, "border_color": "#BFBFBF"}
    columns = []  # (col, kind, values, formats)
    wrapped: list[tuple[list[str], float]] = []  # text that wraps, and its column width
    for col, (key, heading, kind, low, high) in enumerate(
        (*FINDING_COLUMNS, *REVIEWER_KEYS, *TRAILING)
    ):
        reviewer = heading in REVIEWER_COLUMNS
        props = unlocked if reviewer else {}
        values = _column(findings, key)
        if kind == "date":
            days = excel_days(values)
            fmt = formats(num_format=DATE_FORMAT, align="left", **props)
            columns.append((col, "number", days, fmt))
            width = float(high)
        elif kind == "int":
            numbers = pd.to_numeric(values).astype("Float64")
            cells = [None if pd.isna(v) else float(v) for v in numbers.tolist()]
            columns.append((col, "number", cells, formats(align="center")))
            width = float(high)
        elif kind == "flag":
            flags = np.where(overdue, "Yes", "")
            columns.append((col, "text", flags.tolist(), formats(bold=True)))
            width = float(high)
        else:
            if key == "value":
                values = human_dates(values)
            if kind == "list":
                values = "List " + values.astype(object).where(values.notna(), "").astype(str)
            cells, fmts = text_cells(values, formats, wrap=kind == "wrap", **props)
            columns.append((col, "text", cells, fmts))
            width = fitted_width(pd.Series(cells, dtype=object), heading, low, high)
            if kind == "wrap":
                wrapped.append((cells, width))
        column_format = fmt if kind == "date" else formats(**props)
        ws.set_column(col, col, width, column_format if reviewer else None)

    header, reviewer_header = formats.header, formats.reviewer_header
    for col, heading in enumerate(HEADINGS):
        ws.write_string(
            heading_row, col, heading, reviewer_header if heading in REVIEWER_COLUMNS else header
        )
    ws.set_row(heading_row, 30)

    heights = row_heights(wrapped, n)
    tall = heights > LINE_HEIGHT
    write_string, write_number = ws.write_string, ws.write_number
    plan = [(col, kind == "text", cells, fmts) for col, kind, cells, fmts in columns]
    for i in range(n):
        row = first + i
        if tall[i]:
            ws.set_row(row, heights[i])
        for col, is_text, cells, fmts in plan:
            value = cells[i]
            if value is None or value == "":
                continue
            fmt = fmts[i] if isinstance(fmts, list) else fmts
            if is_text:
                write_string(row, col, value, fmt)
            else:
                write_number(row, col, value, fmt)

    last_col = len(HEADINGS) - 1
    ws.autofilter(heading_row, 0, last, last_col)
    _reviewer_checks(ws, first, last)
    _colours(ws, formats, first, last, last_col)
    ws.protect(
        "",
        {
            "autofilter": True,
            "sort": True,
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )


def _col(heading: str) -> int:
    return HEADINGS.index(heading)


def _reviewer_checks(ws, first: int, last: int) -> None:
    """Input messages on every reviewer column, the decision dropdown, a date on Action due."""
    for heading, message in INPUT_MESSAGES.items():
        col = _col(heading)
        rule: dict = {
            "validate": "any",
            "input_title": heading[:32],
            "input_message": message[:255],
        }
        if heading == "Moderator decision":
            rule.update(
                validate="list",
                source=list(MODERATOR_DECISIONS),
                error_title="Moderator decision",
                error_message="Choose one of the four decisions in the list.",
            )
        elif heading == "Action due":
            rule.update(
                validate="date",
                criteria=">",
                value=dt.date(2000, 1, 1),
                error_title="Action due",
                error_message="Enter a date as dd/mm/yyyy.",
            )
        ws.data_validation(first, col, last, col, rule)


def _colours(ws, formats: Formats, first: int, last: int, last_col: int) -> None:
    days = _col("Days overdue")
    red = formats.wb.add_format({"bg_color": RAG_COLOURS["Red"]})
    amber = formats.wb.add_format({"bg_color": RAG_COLOURS["Amber"]})
    ws.conditional_format(
        first,
        days,
        last,
        days,
        {"type": "cell", "criteria": ">", "value": OVERDUE_RED, "format": red},
    )
    ws.conditional_format(
        first,
        days,
        last,
        days,
        {
            "type": "cell",
            "criteria": "between",
            "minimum": OVERDUE_AMBER,
            "maximum": OVERDUE_RED,
            "format": amber,
        },
    )
    flag = xl_col_to_name(_col("Action overdue"))
    ws.conditional_format(
        first,
        0,
        last,
        last_col,
        {"type": "formula", "criteria": f'=${flag}{first + 1}="Yes"', "format": red},
    )
