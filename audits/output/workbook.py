"""The moderated audit workbook (DESIGN §3), written in openpyxl's write-only mode.

Sheets: Summary (run metadata, scores with RAG, a bar chart), Findings (an Excel table with the
reviewer columns; only those are unlocked), Data quality, Rules. Every value from the export is
written as a string cell with Excel's quote prefix, so text such as `=HYPERLINK(...)` is shown,
never run.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.packaging.custom import IntProperty
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from audits.output.reviewed import ENTRIES_PROPERTY, MODERATOR_DECISIONS, REVIEWER_HEADINGS
from audits.output.safe_text import FORMULA_STARTS, inert

REVIEWER_COLUMNS = REVIEWER_HEADINGS
FINDING_HEADINGS = (
    ("finding_id", "Finding ID", 18),
    ("rule_id", "Rule", 9),
    ("severity", "Severity", 9),
    ("area", "Area", 18),
    ("list", "List", 6),
    ("child_id", "Child ID", 12),
    ("team", "Team", 22),
    ("worker", "Worker", 20),
    ("due_date", "Due date", 11),
    ("days_overdue", "Days overdue", 13),
    ("field", "Field", 28),
    ("value", "Value", 16),
    ("message", "Finding", 60),
    ("first_raised", "First raised", 10),
)
REVIEWER_KEYS = (
    "manager_response",
    "moderator_decision",
    "moderator_comment",
    "action_owner",
    "action_due",
)
READ_ONLY_HEADINGS = ("Entered",)
RAG_FILLS = {
    "Green": PatternFill("solid", fgColor="C6EFCE"),
    "Amber": PatternFill("solid", fgColor="FFEB9C"),
    "Red": PatternFill("solid", fgColor="FFC7CE"),
}
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
REVIEWER_HEADER_FILL = PatternFill("solid", fgColor="375623")
REVIEWER_FILL = PatternFill("solid", fgColor="FFF9E5")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
DATE_FORMAT = "dd/mm/yyyy"
UNLOCKED = Protection(locked=False)


def _text(ws, value: object, **style) -> WriteOnlyCell:
    """A cell that is always text: never a formula, whatever the value starts with."""
    cell = inert(WriteOnlyCell(ws, value="" if value is None else str(value)))
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _value(ws, value: object, **style) -> WriteOnlyCell:
    if isinstance(value, str):
        return _text(ws, value, **style)
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        value = None
    cell = WriteOnlyCell(ws, value=value)
    for key, val in style.items():
        setattr(cell, key, val)
    if isinstance(value, dt.date | dt.datetime):
        cell.number_format = DATE_FORMAT
    return cell


def _header(ws, headings: Iterable[str]) -> list[WriteOnlyCell]:
    return [_text(ws, h, font=HEADER_FONT, fill=HEADER_FILL) for h in headings]


def _landscape(ws) -> None:
    """Print on landscape pages, all columns on one page width."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _widths(ws, widths: Iterable[int]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def write_workbook(
    target: Path,
    findings: pd.DataFrame,
    summary: dict,
    rules: list[dict],
    unreadable: pd.DataFrame,
    rows_per_rule: int,
) -> dict:
    """Write the workbook to `target` (a temporary path from `atomic_path`); return the rules
    whose rows were capped, with their totals."""
    wb = Workbook(write_only=True)
    shown, capped = _cap(findings, rows_per_rule)
    _summary_sheet(wb, summary, capped)
    _findings_sheet(wb, shown)
    _data_quality_sheet(wb, shown[shown["area"] == "Data quality"], unreadable)
    _team_sheets(wb, shown)
    _rules_sheet(wb, rules)
    upto = summary.get("carried_forward", {}).get("entries_upto", 0)
    wb.custom_doc_props.append(IntProperty(name=ENTRIES_PROPERTY, value=int(upto)))
    wb.save(target)
    return capped


def _cap(findings: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, dict[str, int]]:
    counts = findings["rule_id"].value_counts()
    over = {rule: int(n) for rule, n in counts.items() if n > limit}
    if not over:
        return findings, {}
    rank = findings.groupby("rule_id").cumcount()
    return findings[rank < limit], over


def _summary_sheet(wb: Workbook, summary: dict, capped: dict[str, int]) -> None:
    ws = wb.create_sheet("Summary")
    _landscape(ws)
    _widths(ws, (44, 24, 17, 12, 10, 10))
    rows_written = 0
    plain_append = ws.append

    def append(cells: list) -> None:
        nonlocal rows_written
        rows_written += 1
        plain_append(cells)

    ws.append = append  # count rows so the chart can point at the score table
    ws.append([_text(ws, "Casefile audit — summary", font=TITLE_FONT)])
    meta = [
        ("As-at date", dt.date.fromisoformat(summary["as_at"])),
        ("Run at", summary["run_at"]),
        ("Export", summary["export"]),
        ("Files", ", ".join(summary["files"])),
        ("Findings", summary["findings_total"]),
    ]
    for label, value in meta:
        ws.append([_text(ws, label, font=BOLD), _value(ws, value)])
    for severity, n in summary["findings_by_severity"].items():
        ws.append([_text(ws, f"  {severity} findings"), _value(ws, n)])
    change = summary.get("carried_forward", {})
    if change.get("history"):
        for label, key in (
            ("New since the previous run", "new"),
            ("Persisting from the previous run", "persisting"),
            ("Resolved since the previous run", "resolved"),
            ("Not raised again (recording correct)", "suppressed"),
        ):
            ws.append([_text(ws, label, font=BOLD), _value(ws, change[key])])
    ws.append([])
    ws.append(
        _header(
            ws, ["Compliance by area", "Team", "Children in scope", "Compliant", "Score %", "RAG"]
        )
    )
    first_score_row = rows_written + 1
    area_rows = [s for s in summary["scores"]["by_area"] if s["children_in_scope"]]
    for s in area_rows:
        ws.append(_score_row(ws, s))
    last_score_row = first_score_row + len(area_rows) - 1
    ws.append([])
    ws.append(
        _header(
            ws,
            [
                "Compliance by team (area)",
                "Team",
                "Children in scope",
                "Compliant",
                "Score %",
                "RAG",
            ],
        )
    )
    for s in summary["scores"]["by_team"]:
        ws.append(_score_row(ws, s))
    ws.append([])
    ws.append(_header(ws, ["List", "Layout", "Rows", "Source"]))
    for item in summary["lists"]:
        ws.append(
            [
                _text(ws, f"List {item['list']}: {item['title']}"),
                _text(ws, item.get("layout") or ""),
                _value(ws, item["rows"]),
                _text(ws, item["source"]),
            ]
        )
    ws.append([])
    ws.append(_header(ws, ["Rules not run", "Reason"]))
    for item in summary["rules_not_run"]:
        ws.append([_text(ws, f"{item['rule_id']} {item['title']}"), _text(ws, item["reason"])])
    if not summary["rules_not_run"]:
        ws.append([_text(ws, "Every rule ran.")])
    if capped:
        ws.append([])
        ws.append(
            [
                _text(
                    ws,
                    "Findings sheet shows at most "
                    f"{summary['workbook_rows_per_rule']:,} rows per rule; findings.csv holds all",
                    font=BOLD,
                )
            ]
        )
        for rule_id, total in sorted(capped.items()):
            ws.append([_text(ws, rule_id), _text(ws, f"{total:,} findings in total")])
    if area_rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Compliance by area (%)"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        chart.legend = None
        data = Reference(ws, min_col=5, min_row=first_score_row - 1, max_row=last_score_row)
        cats = Reference(ws, min_col=1, min_row=first_score_row, max_row=last_score_row)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.height, chart.width = 7, 16
        ws.add_chart(chart, "H2")


def _score_row(ws, score: dict) -> list[WriteOnlyCell]:
    """Area, team ('All teams' for the area as a whole), counts, score and its RAG colour."""
    return [
        _text(ws, score["area"]),
        _text(ws, score["team"] or "All teams"),
        _value(ws, score["children_in_scope"]),
        _value(ws, score["children_compliant"]),
        _value(ws, score["score"]),
        _text(ws, score["rag"], fill=RAG_FILLS.get(score["rag"], PatternFill())),
    ]


def _findings_sheet(wb: Workbook, findings: pd.DataFrame) -> None:
    ws = wb.create_sheet("Findings")
    _landscape(ws)
    widths = [w for _, _, w in FINDING_HEADINGS] + [30, 30, 30, 18, 12, 26]
    _widths(ws, widths)
    n_fixed = len(FINDING_HEADINGS)
    for offset in range(len(REVIEWER_COLUMNS)):
        column = ws.column_dimensions[get_column_letter(n_fixed + 1 + offset)]
        column.protection = UNLOCKED
        column.fill = REVIEWER_FILL
    action_due_col = get_column_letter(n_fixed + len(REVIEWER_COLUMNS))
    ws.column_dimensions[action_due_col].number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
    ws.append(
        _header(ws, [h for _, h, _ in FINDING_HEADINGS])
        + [_text(ws, h, font=HEADER_FONT, fill=REVIEWER_HEADER_FILL) for h in REVIEWER_COLUMNS]
        + _header(ws, READ_ONLY_HEADINGS)
    )
    findings = findings.assign(
        value=human_dates(findings["value"]),
        first_raised=findings.get("first_raised", ""),
    )
    for row, carried in zip(
        _finding_rows(ws, findings, FINDING_HEADINGS), _carried_rows(ws, findings), strict=True
    ):
        ws.append(row + carried)
    last_row = len(findings) + 1
    last_col = get_column_letter(n_fixed + len(REVIEWER_COLUMNS) + len(READ_ONLY_HEADINGS))
    table = Table(displayName="Findings", ref=f"A1:{last_col}{max(last_row, 2)}")
    headings = (
        [h for _, h, _ in FINDING_HEADINGS] + list(REVIEWER_COLUMNS) + list(READ_ONLY_HEADINGS)
    )
    table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headings, start=1)]
    table.autoFilter = AutoFilter(ref=table.ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # columns are set above, as write-only needs
        ws.add_table(table)
    decision_col = get_column_letter(n_fixed + 2)
    decisions = DataValidation(
        type="list",
        formula1='"' + ",".join(MODERATOR_DECISIONS) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Moderator decision",
        error="Choose one of the four decisions in the list.",
    )
    decisions.add(f"{decision_col}2:{decision_col}{max(last_row, 2)}")
    due = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",
        allow_blank=True,
        showErrorMessage=True,
        error="Enter a date (dd/mm/yyyy).",
    )
    due.add(f"{action_due_col}2:{action_due_col}{max(last_row, 2)}")
    ws.data_validations.append(decisions)
    ws.data_validations.append(due)
    overdue_col = get_column_letter([k for k, _, _ in FINDING_HEADINGS].index("days_overdue") + 1)
    ws.conditional_formatting.add(
        f"{overdue_col}2:{overdue_col}{max(last_row, 2)}",
        CellIsRule(operator="greaterThan", formula=["28"], fill=RAG_FILLS["Red"]),
    )
    ws.conditional_formatting.add(
        f"{overdue_col}2:{overdue_col}{max(last_row, 2)}",
        CellIsRule(operator="between", formula=["1", "28"], fill=RAG_FILLS["Amber"]),
    )
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _carried_rows(ws, findings: pd.DataFrame) -> Iterator[tuple]:
    """The reviewer cells pre-filled with the latest stored entries (unlocked), and `Entered`."""
    columns = []
    for key in REVIEWER_KEYS:
        values = findings[key] if key in findings else pd.Series(None, index=findings.index)
        cells: list = [None] * len(values)
        for at in np.flatnonzero(values.notna().to_numpy(bool)):
            value = values.iloc[at]
            value = value.date() if isinstance(value, pd.Timestamp) else value
            cells[at] = _value(ws, value, protection=UNLOCKED)
        columns.append(cells)
    entered = findings.get("entered", pd.Series(None, index=findings.index))
    columns.append(entered.astype(object).where(entered.notna(), None).tolist())
    return zip(*columns, strict=True)


def human_dates(values: pd.Series) -> pd.Series:
    """ISO dates in a text column shown as dd/mm/yyyy (findings.csv keeps ISO)."""
    text = values.fillna("").astype(str)
    return text.str.replace(r"^(\d{4})-(\d{2})-(\d{2})$", r"\3/\2/\1", regex=True)


def _data_quality_sheet(wb: Workbook, dq: pd.DataFrame, unreadable: pd.DataFrame) -> None:
    ws = wb.create_sheet("Data quality")
    _landscape(ws)
    _widths(ws, (9, 6, 12, 28, 22, 60))
    ws.freeze_panes = "A2"
    ws.append(_header(ws, ["Rule", "List", "Child ID", "Field", "Value", "Finding"]))
    for row in dq.itertuples(index=False):
        ws.append(
            [
                _text(ws, v)
                for v in (row.rule_id, row.list, row.child_id, row.field, row.value, row.message)
            ]
        )
    ws.append([])
    ws.append(
        _header(
            ws,
            [
                "Unreadable values",
                "List",
                "File",
                "Sheet",
                "Row",
                "Column",
                "Heading",
                "Value",
                "Expected",
            ],
        )
    )
    for row in unreadable.itertuples(index=False):
        ws.append(
            [
                _text(ws, row.child_id),
                _text(ws, row.list),
                _text(ws, row.file),
                _text(ws, row.sheet),
                _value(ws, int(row.row)),
                _text(ws, row.column),
                _text(ws, row.heading),
                _text(ws, row.value),
                _text(ws, row.expected),
            ]
        )


TEAM_HEADINGS = (
    ("rule_id", "Rule", 9),
    ("severity", "Severity", 9),
    ("area", "Area", 18),
    ("child_id", "Child ID", 12),
    ("worker", "Worker", 20),
    ("due_date", "Due date", 11),
    ("days_overdue", "Days overdue", 9),
    ("message", "Finding", 70),
    ("finding_id", "Finding ID", 18),
)
_SHEET_NAME_BAD = str.maketrans({c: " " for c in "[]:*?/\\'"})


def team_sheet_names(teams: list[str]) -> dict[str, str]:
    """A valid, unique sheet name (at most 31 characters) for each team."""
    names: dict[str, str] = {}
    used = {"summary", "findings", "data quality", "rules"}
    for team in teams:
        base = ("Team " + team.translate(_SHEET_NAME_BAD).strip())[:31].strip() or "Team"
        name, n = base, 2
        while name.casefold() in used:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        used.add(name.casefold())
        names[team] = name
    return names


def _team_sheets(wb: Workbook, findings: pd.DataFrame) -> None:
    """One read-only view per team, most overdue first; decisions are recorded on Findings."""
    teams = findings["team"].replace("", "(no team)")
    for team, name in team_sheet_names(sorted(teams.unique())).items():
        rows = findings[teams == team].sort_values(
            ["days_overdue", "rule_id"], ascending=[False, True], na_position="last", kind="stable"
        )
        ws = wb.create_sheet(name)
        _landscape(ws)
        _widths(ws, [w for _, _, w in TEAM_HEADINGS])
        ws.freeze_panes = "A3"
        ws.append(
            [
                _text(
                    ws,
                    f"{team}: {len(rows)} finding(s). Record decisions on the Findings sheet.",
                    font=BOLD,
                )
            ]
        )
        ws.append(_header(ws, [h for _, h, _ in TEAM_HEADINGS]))
        for row in _finding_rows(ws, rows, TEAM_HEADINGS):
            ws.append(row)
        ws.auto_filter.ref = f"A2:{get_column_letter(len(TEAM_HEADINGS))}{len(rows) + 2}"
        ws.protection.sheet = True
        ws.protection.autoFilter = False
        ws.protection.sort = False


def _finding_rows(ws, findings: pd.DataFrame, headings) -> Iterator[tuple]:
    """The findings' cells row by row, prepared a column at a time.

    Tens of thousands of rows are written, so only the cells that need it are cell objects:
    dates (shown dd/mm/yyyy), and text that a spreadsheet could take for a formula, an error
    value or a number (child ids): those carry the quote prefix, so Excel keeps them as text
    and does not flag "number stored as text". The rest are plain strings and numbers, which
    openpyxl writes as string and number cells.
    """
    columns = []
    for key, _, _ in headings:
        values = findings[key]
        if key == "due_date":
            days = pd.to_datetime(values)
            cells = [None if pd.isna(day) else _value(ws, day.date()) for day in days.tolist()]
        elif key == "days_overdue":
            cells = [None if pd.isna(n) else int(n) for n in values.tolist()]
        else:
            text = values.astype(object).where(values.notna(), "").astype(str)
            cells = text.tolist()
            typed = text.str.startswith((*FORMULA_STARTS, "#"))  # formulas; '#N/A' as an error
            typed |= text.str.fullmatch(r"[\d.,\s]+")  # ids like 3118111: text, not flagged
            for at in np.flatnonzero(typed.to_numpy(bool)):
                cells[at] = _text(ws, cells[at])
        columns.append(cells)
    return zip(*columns, strict=True)


def _rules_sheet(wb: Workbook, rules: list[dict]) -> None:
    ws = wb.create_sheet("Rules")
    _landscape(ws)
    _widths(ws, (9, 20, 9, 40, 60, 60, 14, 40))
    ws.freeze_panes = "A2"
    ws.append(
        _header(
            ws, ["Rule", "Area", "Severity", "Flags", "Condition", "Basis", "Threshold", "Status"]
        )
    )
    for r in rules:
        ws.append(
            [
                _text(ws, r["rule_id"]),
                _text(ws, r["area"]),
                _text(ws, r["severity"]),
                _text(ws, r["title"]),
                _text(ws, r["condition"]),
                _text(ws, r["basis"]),
                _text(ws, r.get("threshold") or ""),
                _text(ws, r.get("status") or ""),
            ]
        )
