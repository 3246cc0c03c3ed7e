"""The Findings sheet, the same in audit.xlsx and in each team workbook.

Laid out for a team manager's laptop (1366 x 768 at 100% zoom): the child and the finding first,
frozen, then every column the team manager types in (headed in green), then the QA moderator's
two (headed in purple): all of them on the first screen. The rest of the finding (rule, dates,
area, list, team, worker, field, value, when first raised), whether an action is overdue, who
entered what and when, and the Finding ID follow to the right. Printed: A4 landscape, the
identifying and reviewer columns only, the heading row on every page, at 8 pt or more.

A short header (what to do, by when, the decisions, the colours) stands above the heading row,
each line wrapped across the printed width. Reviewer cells are unlocked and pale yellow, with an
input message, a dropdown (decisions, action status) or a date check, and come pre-filled with
the entries carried from earlier months. Rows are as tall as their wrapped text. Rows are streamed
in order (XlsxWriter constant_memory), each cell written once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name

from audits.output.guide import (
    MODERATOR_DECISIONS,
    OVERDUE_AMBER,
    OVERDUE_RED,
    findings_header_lines,
)
from audits.output.reviewed import ACTION_STATUSES, MODERATOR_HEADINGS, REVIEWER_HEADINGS
from audits.output.shown import human_dates
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
    text_height,
    write_text,
)

REVIEWER_COLUMNS = REVIEWER_HEADINGS


@dataclass(frozen=True)
class Column:
    key: str  # in the findings frame
    heading: str
    kind: str  # text, wrap, date, int, list, flag
    low: int  # narrowest width (characters)
    high: int  # widest


IDENTIFYING = (
    Column("child_id", "Child ID", "text", 9, 12),
    Column("message", "Finding", "wrap", 30, 36),
)
REVIEWER_KEYS = (
    Column("manager_response", "Manager response", "wrap", 24, 24),
    Column("manager_decision", "Manager decision", "wrap", 17, 17),
    Column("action_owner", "Action owner", "wrap", 13, 13),
    Column("action_due", "Action due", "date", 11, 11),
    Column("action_status", "Action status", "text", 8, 8),
    Column("action_done_on", "Done on", "date", 11, 11),
    Column("moderator_decision", "Moderator decision", "wrap", 17, 17),
    Column("moderator_comment", "Moderator comment", "wrap", 20, 20),
)
DETAIL = (
    Column("days_overdue", "Days overdue", "int", 8, 9),
    Column("due_date", "Due date", "date", 11, 11),
    Column("rule_id", "Rule", "text", 7, 9),
    Column("severity", "Severity", "text", 8, 9),
    Column("area", "Area", "text", 8, 26),
    Column("list", "List", "list", 6, 8),
    Column("team", "Team", "text", 8, 28),
    Column("worker", "Worker", "text", 8, 24),
    Column("field", "Field", "wrap", 10, 30),
    Column("value", "Value", "wrap", 8, 24),
    Column("first_raised_on", "First raised", "date", 11, 11),
)
TRAILING = (
    Column("action_overdue", "Action overdue", "flag", 9, 9),
    Column("entered", "Entered", "wrap", 30, 44),
    Column("finding_id", "Finding ID", "text", 18, 18),
)
FINDING_COLUMNS = (*IDENTIFYING, *DETAIL)  # the finding's own columns (not typed in)
# Every heading the writers put on Findings besides the reviewer columns, now or before (the
# reader tells a column a person added by these).
FINDING_HEADINGS = tuple(c.heading for c in (*FINDING_COLUMNS, *TRAILING))
READ_ONLY_HEADINGS = ("Action overdue", "Entered")
COLUMNS = (*IDENTIFYING, *REVIEWER_KEYS, *DETAIL, *TRAILING)
HEADINGS = tuple(c.heading for c in COLUMNS)
FROZEN = len(IDENTIFYING)  # columns kept in view when scrolling right
PRINTED = len(IDENTIFYING) + len(REVIEWER_KEYS)  # the columns printed: child, finding, reviewers
INPUT_MESSAGES = {
    "Manager response": "What you found in the child's record and what is being done.",
    "Manager decision": "Your decision on the finding. Choose one: Agree; Disagree — recording "
    "is correct; Disagree — data error in export; Resolved since export (see the Guide).",
    "Action owner": "Who will do what is needed (a name), if something needs doing.",
    "Action due": "The date the action will be done by, as dd/mm/yyyy.",
    "Action status": "Open while the action is being done; Done when it has been done (give "
    "the date in Done on). A done action is never overdue.",
    "Done on": "The date the action was done, as dd/mm/yyyy.",
    "Moderator decision": "For the QA moderator: their decision on the finding, which may "
    "differ from the manager's (both are kept). Team managers: leave it blank.",
    "Moderator comment": "For the QA moderator: a comment on the decision.",
}
HEADER_ROWS = 4  # guidance lines above the table; one blank row; then the headings
HEADING_ROW = HEADER_ROWS + 2  # the headings' row as Excel numbers it (1-based)


def _column(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def pixels(width: float) -> int:
    """A column's width on screen in pixels at 100% zoom (Calibri 11: 7-pixel digits and
    5 pixels of padding), as Excel converts the widths XlsxWriter writes."""
    return int(width * 7 + 5) if width >= 1 else int(width * 12 + 0.5)


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
    ws.freeze_panes(first, FROZEN)

    overdue = _column(findings, "action_overdue").fillna(False).astype(bool).to_numpy()
    unlocked = {"locked": False, "bg_color": YELLOW_INPUT, "border": 1, "border_color": "#BFBFBF"}
    columns = []  # (col, kind, values, formats)
    wrapped: list[tuple[list[str], float]] = []  # text that wraps, and its column width
    widths: list[float] = []
    for col, column in enumerate(COLUMNS):
        key, heading, kind, low, high = (
            column.key,
            column.heading,
            column.kind,
            column.low,
            column.high,
        )
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
            width = (
                float(high)
                if reviewer
                else fitted_width(pd.Series(cells, dtype=object), heading, low, high)
            )
            if kind == "wrap":
                wrapped.append((cells, width))
        widths.append(width)
        if reviewer:
            column_format = fmt if kind == "date" else formats(text_wrap=kind == "wrap", **props)
            ws.set_column(col, col, width, column_format)
        else:
            ws.set_column(col, col, width)

    # the guidance lines, each across the printed columns, wrapped and as tall as its text
    lines = findings_header_lines(scope, as_at, respond_by, working_days, n)
    across = sum(widths[:PRINTED])
    for row in range(heading_row):
        text = lines[row] if row < len(lines) else ""
        if not text:  # the blank row: no reviewer colour above the table
            for heading in REVIEWER_COLUMNS:
                ws.write_blank(row, _col(heading), None, formats())
            continue
        if row == 0:  # the title, in 14 pt: about 1.3 times the width and height of 11 pt
            fmt = formats(bold=True, font_size=14, text_wrap=True)
            height = text_height([(text, across / 1.3)]) * 1.3
        else:
            fmt = formats(bold=True, text_wrap=True)
            height = text_height([(text, across)])
        ws.set_row(row, height)
        ws.merge_range(row, 0, row, PRINTED - 1, "", fmt)
        write_text(ws, row, 0, text, fmt)

    header = formats.header
    reviewer_header, moderator_header = formats.reviewer_header, formats.moderator_header
    for col, heading in enumerate(HEADINGS):
        style = header
        if heading in MODERATOR_HEADINGS:
            style = moderator_header
        elif heading in REVIEWER_COLUMNS:
            style = reviewer_header
        ws.write_string(heading_row, col, heading, style)
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
    ws.print_area(0, 0, last, PRINTED - 1)
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
    """Input messages on every reviewer column, the decision and status dropdowns, dates."""
    for heading, message in INPUT_MESSAGES.items():
        col = _col(heading)
        rule: dict = {
            "validate": "any",
            "input_title": heading[:32],
            "input_message": message[:255],
        }
        if heading in ("Manager decision", "Moderator decision"):
            rule.update(
                validate="list",
                source=list(MODERATOR_DECISIONS),
                error_title=heading,
                error_message="Choose one of the four decisions in the list.",
            )
        elif heading == "Action status":
            rule.update(
                validate="list",
                source=list(ACTION_STATUSES),
                error_title=heading,
                error_message="Choose Open or Done.",
            )
        elif heading in ("Action due", "Done on"):
            rule.update(
                validate="date",
                criteria=">",
                value=dt.date(2000, 1, 1),
                error_title=heading,
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
    # each decision cell amber where the two decisions differ (as people type them)
    qa, manager = (xl_col_to_name(_col(h)) for h in ("Moderator decision", "Manager decision"))
    row = first + 1
    differ = f'=AND(${qa}{row}<>"",${manager}{row}<>"",${qa}{row}<>${manager}{row})'
    for heading in ("Manager decision", "Moderator decision"):
        col = _col(heading)
        ws.conditional_format(
            first, col, last, col, {"type": "formula", "criteria": differ, "format": amber}
        )
    flag = xl_col_to_name(_col("Action overdue"))
    ws.conditional_format(
        first,
        0,
        last,
        last_col,
        {"type": "formula", "criteria": f'=${flag}{row}="Yes"', "format": red},
    )
