"""audit.xlsx, the QA team's whole-council workbook (DESIGN §3), written with XlsxWriter.

Sheets: Summary (run metadata, warnings, actions, scores with RAG and a chart, indicators,
overdue actions), Guide, Findings (every team's findings; filter on Team for one team), Data
quality, Rules. Team managers get their own team's workbook (`team_workbooks.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audits.core.safe_text import printable_one
from audits.indicators.reconcile import neighbours_sentence
from audits.model.entries import OVERDUE_LISTED
from audits.output.findings_sheet import (
    FINDING_HEADINGS,
    READ_ONLY_HEADINGS,
    REVIEWER_COLUMNS,
    human_dates,
    write_findings_sheet,
)
from audits.output.guide import MODERATOR_DECISIONS, write_guide
from audits.output.xlsx import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    LINE_HEIGHT,
    RAG_BARS,
    RAG_COLOURS,
    SCORE_FORMAT,
    Formats,
    fitted_width,
    landscape,
    mark_entries,
    mark_owner,
    new_workbook,
    row_heights,
    text_cells,
    text_height,
    write_header,
    write_text,
)

__all__ = [
    "FINDING_HEADINGS",
    "READ_ONLY_HEADINGS",
    "MODERATOR_DECISIONS",
    "REVIEWER_COLUMNS",
    "Review",
    "cap_rows",
    "human_dates",
    "overdue_actions",
    "write_workbook",
]


@dataclass(frozen=True)
class Review:
    """The review's dates: the export's as-at date, and when returns are due."""

    as_at: dt.date
    respond_by: dt.date
    working_days: int
    entries_upto: int = 0  # the last reviewer entry the store held when entries were pre-filled


def cap_rows(findings: pd.DataFrame, limit: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """At most `limit` rows per rule (findings.csv keeps all); the rules capped, with totals."""
    counts = findings["rule_id"].value_counts()
    over = {rule: int(n) for rule, n in counts.items() if n > limit}
    if not over:
        return findings, {}
    rank = findings.groupby("rule_id").cumcount()
    return findings[rank < limit], over


def overdue_actions(findings: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    """Findings whose carried action is past its due date, most overdue first."""
    if "action_overdue" not in findings:
        return findings.iloc[:0].assign(action_owner=None, action_due=pd.NaT, days_past_due=0)
    rows = findings[findings["action_overdue"].fillna(False).astype(bool)].copy()
    due = pd.to_datetime(rows.get("action_due"))
    rows["days_past_due"] = (pd.Timestamp(as_at) - due).dt.days
    if "action_owner" not in rows:
        rows["action_owner"] = None
    return rows.sort_values("days_past_due", ascending=False, kind="stable")


@dataclass(frozen=True)
class ActionLayout:
    """Where an overdue-actions table puts each column: text columns {column: (field, wrap)},
    the due date and days past due; the widths of the wrapped columns set each row's height."""

    text: dict[int, tuple[str, bool]]
    due: int
    days: int
    widths: dict[int, float]


def write_overdue_rows(
    ws, formats: Formats, overdue: pd.DataFrame, first: int, layout: ActionLayout
) -> None:
    """The overdue actions as rows from `first` (0-based), each as tall as its wrapped text: the
    text made printable and quoted where needed a column at a time (`text_cells`), so a store
    with thousands of overdue actions costs one pass per column and one write per cell."""
    columns = {
        col: text_cells(overdue[name], formats, wrap=wrap)
        for col, (name, wrap) in layout.text.items()
    }
    heights = row_heights(
        [(columns[col][0], width) for col, width in layout.widths.items()], len(overdue)
    )
    due = pd.to_datetime(overdue["action_due"]).tolist()
    days = overdue["days_past_due"].tolist()
    centred = formats(align="center")
    write_string, write_datetime, write_number = ws.write_string, ws.write_datetime, ws.write_number
    for i in range(len(overdue)):
        row = first + i
        if heights[i] > LINE_HEIGHT:
            ws.set_row(row, heights[i])
        for col, (cells, fmts) in columns.items():
            if cells[i]:
                write_string(row, col, cells[i], fmts[i])
        if not pd.isna(due[i]):
            write_datetime(row, layout.due, due[i].to_pydatetime(), formats.date)
        if not pd.isna(days[i]):
            write_number(row, layout.days, int(days[i]), centred)


SUMMARY_WIDTHS = (52, 28, 17, 17, 17, 17, 10, 18)  # the Summary's columns A to H
SUMMARY_ACTIONS = ActionLayout(
    text={
        0: ("message", True),
        1: ("team", False),
        2: ("child_id", False),
        3: ("action_owner", True),  # an owner can be a sentence ("Team manager, with the IRO")
        6: ("rule_id", False),
        7: ("finding_id", False),
    },
    due=4,
    days=5,
    widths={0: SUMMARY_WIDTHS[0], 3: SUMMARY_WIDTHS[3]},
)


def write_workbook(
    target: Path,
    findings: pd.DataFrame,
    summary: dict,
    rules: list[dict],
    unreadable: pd.DataFrame,
    rows_per_rule: int,
    review: Review | None = None,
) -> dict:
    """Write audit.xlsx to `target` (a temporary path); return the rules whose rows were capped."""
    as_at = dt.date.fromisoformat(summary["as_at"])
    review = review or Review(as_at, as_at, 0)
    shown, capped = cap_rows(findings, rows_per_rule)
    wb = new_workbook(target)
    mark_entries(wb, review.entries_upto)
    mark_owner(wb, review.as_at, None)
    formats = Formats(wb)
    _summary_sheet(wb, formats, summary, capped, overdue_actions(findings, as_at), review)
    write_guide(
        wb,
        formats,
        scope="all teams",
        as_at=review.as_at,
        respond_by=review.respond_by,
        working_days=review.working_days,
        team_workbook=False,
    )
    write_findings_sheet(
        wb,
        formats,
        shown,
        scope="All teams",
        as_at=review.as_at,
        respond_by=review.respond_by,
        working_days=review.working_days,
    )
    write_data_quality_sheet(
        wb, formats, findings[findings["area"] == "Data quality"], unreadable, rows_per_rule
    )
    _rules_sheet(wb, formats, rules)
    wb.close()
    return capped


class _Rows:
    """A sheet written top to bottom (constant_memory): the next free row."""

    def __init__(self, ws, formats: Formats) -> None:
        self.ws, self.f, self.row = ws, formats, 0

    def text(self, *cells: object, fmt=None) -> int:
        for col, value in enumerate(cells):
            if value is not None:
                write_text(self.ws, self.row, col, value, fmt)
        self.row += 1
        return self.row - 1

    def label(self, label: str, value: object, num_format: str | None = None) -> None:
        write_text(self.ws, self.row, 0, label, self.f.bold)
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.ws.write_number(
                self.row, 1, value, self.f(num_format=num_format or "#,##0", align="left")
            )
        elif isinstance(value, dt.datetime):
            self.ws.write_datetime(
                self.row, 1, value, self.f(num_format=DATETIME_FORMAT, align="left")
            )
        elif isinstance(value, dt.date):
            self.ws.write_datetime(self.row, 1, value, self.f(num_format=DATE_FORMAT, align="left"))
        else:
            write_text(self.ws, self.row, 1, value)
        self.row += 1

    def header(self, *headings: str) -> None:
        write_header(self.ws, self.row, headings, self.f.header)
        self.row += 1

    def blank(self) -> None:
        self.row += 1


def _words(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {k.lower()}" for k, n in counts.items()) or "none"


def _summary_sheet(wb, formats, summary, capped, overdue, review: Review) -> None:
    ws = wb.add_worksheet("Summary")
    landscape(ws)
    for col, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(col, col, width)
    s = _Rows(ws, formats)
    s.text("Casefile audit — summary", fmt=formats.title)
    s.label("As-at date", dt.date.fromisoformat(summary["as_at"]))
    s.label("Run at", dt.datetime.fromisoformat(summary["run_at"]))
    s.label("Returns due by", review.respond_by)
    s.label("Export", summary["export"])
    s.label("Files", ", ".join(summary["files"]))
    s.label("Findings", summary["findings_total"])
    for severity, n in summary["findings_by_severity"].items():
        s.label(f"  {severity} findings", n)
    change = summary.get("carried_forward", {})
    if change.get("history"):
        for label, key in (
            ("New since the month before", "new"),
            ("Persisting from the month before", "persisting"),
            ("Resolved since the month before", "resolved"),
            ("Not raised again (recording correct)", "suppressed"),
        ):
            s.label(label, change[key])
    actions = summary.get("actions")
    if actions:
        s.label("Actions open", actions.get("open", 0))
        s.label("Actions overdue", actions.get("overdue", 0))
        s.label("Actions done", actions.get("done", 0))
        if actions.get("closed_finding_resolved"):
            s.label("Actions closed: finding resolved", actions["closed_finding_resolved"])
    warnings = summary.get("warnings") or []
    if warnings:
        s.blank()
        s.text(
            "Warnings: read before relying on the findings",
            fmt=formats(bold=True, font_color="#C00000"),
        )
        s.header("Warning", "List", "Column", "Rules affected")
        wrap = formats.text(wrap=True)
        for w in warnings:
            rules = w.get("rules") or []
            cells = (
                w.get("message") or w.get("kind") or "",
                f"List {w['list']}" if w.get("list") not in (None, "") else "",
                w.get("column") or "",
                ", ".join(rules) if isinstance(rules, list) else str(rules),
            )
            row = s.text(*cells, fmt=wrap)
            ws.set_row(row, text_height(list(zip(cells, (52, 28, 17, 17), strict=True))))
    s.blank()
    s.header("Compliance by area", "Team", "Children in scope", "Compliant", "Score %", "RAG")
    area_rows = [a for a in summary["scores"]["by_area"] if a["children_in_scope"]]
    first_score = s.row
    for a in area_rows:
        _score_row(s, a)
    last_score = s.row - 1
    s.blank()
    s.header(
        "Compliance by team (area)", "Team", "Children in scope", "Compliant", "Score %", "RAG"
    )
    for t in summary["scores"]["by_team"]:
        _score_row(s, t)
    _indicators(ws, s, formats, summary)
    _reconciliation(ws, s, formats, summary)
    s.blank()
    s.text(
        "Actions overdue (not done, past its due date, and the finding still raised)",
        fmt=formats.bold,
    )
    if overdue.empty:
        s.text("None.")
    else:
        if len(overdue) > OVERDUE_LISTED:  # the Summary stays a summary, printable
            s.text(
                f"The {OVERDUE_LISTED:,} longest overdue of {len(overdue):,}: every one is "
                "listed on the Overdue actions sheet of its team's workbook."
            )
            overdue = overdue.head(OVERDUE_LISTED)
        s.header(
            "Finding",
            "Team",
            "Child ID",
            "Action owner",
            "Action due",
            "Days past due",
            "Rule",
            "Finding ID",
        )
        write_overdue_rows(ws, formats, overdue, s.row, SUMMARY_ACTIONS)
        s.row += len(overdue)
    s.blank()
    s.header("List", "Layout", "Rows", "Source")
    for item in summary["lists"]:
        r = s.row
        write_text(ws, r, 0, f"List {item['list']}: {item['title']}")
        write_text(ws, r, 1, item.get("layout") or "")
        ws.write_number(r, 2, item["rows"], formats(num_format="#,##0", align="left"))
        write_text(ws, r, 3, item["source"])
        s.row += 1
    s.blank()
    s.header("Rules not run", "Reason")
    for item in summary["rules_not_run"]:
        s.text(f"{item['rule_id']} {item['title']}", item["reason"])
    if not summary["rules_not_run"]:
        s.text("Every rule ran.")
    if capped:
        s.blank()
        s.text(
            f"Findings sheet shows at most {summary['workbook_rows_per_rule']:,} rows per rule; "
            "findings.csv holds all",
            fmt=formats.bold,
        )
        for rule_id, total in sorted(capped.items()):
            s.text(rule_id, f"{total:,} findings in total")
    if area_rows:
        _chart(wb, ws, area_rows, first_score, last_score)


def _num_format(unit: str) -> str:
    return SCORE_FORMAT + (' "%"' if unit == "%" else "")


def _figure(value: object, unit: str) -> str:
    return f"{float(value):.1f}" + ("%" if unit == "%" else "")


def _shown_rag(ind: dict) -> str:
    """'n/a' when there is no value; '–' when there is one but nothing to compare it with."""
    rag = ind.get("rag") or "n/a"
    return "–" if rag == "n/a" and ind.get("value") is not None else rag


def _indicators(ws, s: _Rows, formats, summary: dict) -> None:
    """The run's indicators: value (with its counts, or why it is n/a), target, England, RAG,
    and the DfE's published figures for the council, its region and statistical neighbours,
    each paired indicator with how its definition compares (DESIGN §3b)."""
    indicators = summary.get("indicators") or []
    if not indicators:
        return
    home = summary.get("council")
    s.blank()
    ws.set_row(s.row, 2 * LINE_HEIGHT)
    s.header(
        "Indicator (counted, or why n/a; how the DfE's figure compares)",
        "Value",
        "Target",
        "England",
        "RAG",
        f"{home['la_name']} (DfE)" if home else "Council (DfE)",
        "Region",
        "Stat. neighbours: median (range, n)",
    )
    small = formats.text(wrap=True, font_size=9, font_color="#555555")
    bold = formats.text(wrap=True)
    na = formats(font_color="#888888", align="right")
    for ind in indicators:
        unit = ind.get("unit") or ""
        pub = ind.get("published") or {}
        row = s.row
        title = str(ind.get("title") or ind.get("id") or "")
        if ind.get("value") is None:
            detail = f"n/a: {ind.get('reason') or 'no value'}"
        elif ind.get("numerator") is not None and ind.get("denominator") is not None:
            detail = f"{ind['numerator']:g} / {ind['denominator']:g}" + (
                " FTE" if unit != "%" else ""
            )
        else:
            detail = ""
        detail = f"{ind.get('id', '')}  {detail}".strip()
        if pub.get("match"):
            detail += f"\nDfE: {pub['match']}"
        # the title's lines at 11 points, then the small lines at 9 (about 70 to a line)
        small_lines = sum(-(-len(part) // 70) for part in detail.split("\n"))
        ws.set_row(row, text_height([(title, 52)]) + 11 * small_lines)
        ws.write_rich_string(row, 0, bold, title + "\n", small, detail, bold)
        value = ind.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(row, 1, value, formats(num_format=_num_format(unit), align="right"))
        else:
            write_text(ws, row, 1, "n/a", na)
        england = (pub.get("england") or {}).get("value", ind.get("national"))
        for col, v in ((2, ind.get("target")), (3, england)):
            if isinstance(v, int | float) and not isinstance(v, bool):
                ws.write_number(row, col, v, formats(num_format=_num_format(unit), align="right"))
            else:
                write_text(ws, row, col, "–", na)
        rag = _shown_rag(ind)
        write_text(
            ws,
            row,
            4,
            rag,
            formats(bg_color=RAG_COLOURS[rag], align="center")
            if rag in RAG_COLOURS
            else formats(align="center"),
        )
        own, region, sn = pub.get("council"), pub.get("region"), pub.get("neighbours")
        cells = (
            (5, f"{_figure(own['value'], unit)} ({own['period']})" if own else "–"),
            (6, _figure(region["value"], unit) if region else "–"),
            (
                7,
                f"{_figure(sn['median'], unit)} ({sn['min']:.1f}–{sn['max']:.1f}, {sn['count']})"
                if sn
                else "–",
            ),
        )
        for col, text in cells:
            write_text(ws, row, col, text, formats.text(wrap=True, align="right"))
        s.row += 1
    notes = [
        "RAG: against the council's target where set, otherwise the national figure, otherwise "
        "England's published figure. n/a: no value (the reason is given); –: nothing to compare "
        "with.",
    ]
    if summary.get("published_attribution"):
        notes.append(summary["published_attribution"])
    if neighbours_sentence(home):
        notes.append(neighbours_sentence(home))
    note_format = formats.text(wrap=True, italic=True, font_size=9, font_color="#555555")
    for note in notes:
        ws.set_row(s.row, text_height([(note, 170)]) * 0.85)
        ws.merge_range(s.row, 0, s.row, 7, printable_one(note), note_format)
        s.row += 1


def _reconciliation(ws, s: _Rows, formats, summary: dict) -> None:
    """Year-end reconciliation: the run's figures beside the council's published ones."""
    rec = summary.get("reconciliation")
    if not rec:
        return
    s.blank()
    s.text(
        "Year-end reconciliation: this run's figures beside the DfE's published figures for the "
        "same council and year (a large gap is a data-quality signal)",
        fmt=formats.bold,
    )
    if rec.get("rows"):
        s.header("Indicator", "Year", "Computed", "Published (DfE)", "Difference", "Gap")
        for r in rec["rows"]:
            ours, theirs, unit = r["ours"], r["published"], r["unit"]
            cells = [
                f"{r['title']} ({r['id']})",
                r["period"],
                _counted_text(ours, unit),
                _counted_text(theirs, unit),
                "–"
                if r["difference"] is None
                else f"{r['difference']:+.1f} {'pp' if unit == '%' else 'per FTE'}",
                r["gap"],
            ]
            row = s.row
            ws.set_row(row, text_height(list(zip(cells, (52, 28, 17, 17, 17, 17), strict=True))))
            for col, text in enumerate(cells):
                large = col == 5 and r["large"]
                fmt = (
                    formats.text(wrap=True, bold=True, font_color="#9C0006")
                    if large
                    else formats.text(wrap=True)
                )
                write_text(ws, row, col, text, fmt)
            s.row += 1
    if rec.get("note"):
        s.text(rec["note"][:1].upper() + rec["note"][1:] + ".")


def _counted_text(part: dict, unit: str) -> str:
    if part.get("value") is None:
        return "n/a" + (f": {part['reason']}" if part.get("reason") else "")
    counts = ""
    if part.get("numerator") is not None and part.get("denominator") is not None:
        counts = f" ({part['numerator']:g} / {part['denominator']:g})"
    return _figure(part["value"], unit) + counts


def _score_row(s: _Rows, score: dict) -> None:
    """Area, team ('All teams' for the area as a whole), counts, score and its RAG colour."""
    ws, f, r = s.ws, s.f, s.row
    write_text(ws, r, 0, score["area"])
    write_text(ws, r, 1, score["team"] or "All teams")
    ws.write_number(r, 2, score["children_in_scope"], f(num_format="#,##0"))
    ws.write_number(r, 3, score["children_compliant"], f(num_format="#,##0"))
    if score["score"] is None:
        write_text(ws, r, 4, "n/a")
    else:
        ws.write_number(r, 4, score["score"], f(num_format=SCORE_FORMAT))
    rag = score["rag"] or ""
    write_text(ws, r, 5, rag, f(bg_color=RAG_COLOURS[rag]) if rag in RAG_COLOURS else None)
    s.row += 1


def _chart(wb, ws, area_rows: list[dict], first: int, last: int) -> None:
    """Compliance by area: each bar in its RAG colour, the score labelled on every bar (so 0%
    reads '0.0' at the axis), the axis from 0 to 100."""
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "Score %",
            "categories": ["Summary", first, 0, last, 0],
            "values": ["Summary", first, 4, last, 4],
            "points": [{"fill": {"color": RAG_BARS.get(a["rag"], "#808080")}} for a in area_rows],
            "data_labels": {"value": True, "num_format": SCORE_FORMAT, "position": "outside_end"},
            "gap": 60,
        }
    )
    chart.set_title({"name": "Compliance by area (%)", "name_font": {"size": 12}})
    # from 0 (a 0% bar is its label at the axis); room past 100 for the labels
    chart.set_x_axis({"min": 0, "max": 110, "major_unit": 25, "num_format": "0"})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 560, "height": 60 + 28 * len(area_rows)})
    ws.insert_chart(1, 6, chart)


def write_data_quality_sheet(
    wb, formats: Formats, dq: pd.DataFrame, unreadable: pd.DataFrame, limit: int
) -> None:
    """Every value the audit could not read, with its place in the export (at most `limit`
    rows), and where the data-quality findings are: on Findings (each finding once a file)."""
    ws = wb.add_worksheet("Data quality")
    landscape(ws, repeat_rows=(4, 4))
    ws.freeze_panes(5, 0)
    headings = (
        "List",
        "Team",
        "Child ID",
        "Column heading",
        "Value found",
        "Expected",
        "File",
        "Sheet",
        "Row",
        "Column",
    )
    total = len(unreadable)
    unreadable = unreadable.iloc[:limit]
    bad = {
        "List": "List " + unreadable["list"].astype(str),
        "Team": unreadable["team"],
        "Child ID": unreadable["child_id"],
        "Column heading": unreadable["heading"],
        "Value found": unreadable["value"],
        "Expected": unreadable["expected"],
        "File": unreadable["file"],
        "Sheet": unreadable["sheet"],
        "Row": pd.to_numeric(unreadable["row"], errors="coerce"),
        "Column": unreadable["column"],
    }
    widths = {}
    for col, heading in enumerate(headings):
        values = bad[heading].astype(object).where(bad[heading].notna(), "").astype(str)
        widths[col] = fitted_width(values, heading, 6, 60 if heading == "Expected" else 30)
        ws.set_column(col, col, widths[col])
    counts = dq["rule_id"].value_counts().sort_index()
    write_text(ws, 0, 0, "Data quality", formats.title)
    write_text(
        ws,
        1,
        0,
        f"Data-quality findings: {len(dq):,}"
        + (" (" + ", ".join(f"{r}: {n:,}" for r, n in counts.items()) + ")" if len(dq) else "")
        + ". They are on the Findings sheet: filter Area on 'Data quality'.",
        formats.bold,
    )
    shown = (
        f"; the first {limit:,} are shown, findings.csv holds all (DQ-04)" if total > limit else ""
    )
    write_text(
        ws,
        3,
        0,
        f"Values the audit could not read: {total:,}, each with its place in the export{shown}",
        formats.title,
    )
    write_header(ws, 4, headings, formats.header)
    if not total:
        write_text(ws, 5, 0, "None: every value was read.")
        return
    wrap = {"Expected", "Value found", "Column heading"}
    _write_table(ws, formats, 5, headings, bad, len(unreadable), wrap, widths)


def _write_table(
    ws, formats, first: int, headings, values: dict, n: int, wrap: set[str], widths: dict
) -> int:
    plan, wrapped = [], []
    for col, heading in enumerate(headings):
        series = values[heading]
        if heading == "Row":
            plan.append(
                (col, False, [None if pd.isna(v) else float(v) for v in series.tolist()], None)
            )
        else:
            cells, fmts = text_cells(series, formats, wrap=heading in wrap)
            plan.append((col, True, cells, fmts))
            if heading in wrap:
                wrapped.append((cells, widths[col]))
    heights = row_heights(wrapped, n)
    for i in range(n):
        if heights[i] > LINE_HEIGHT:
            ws.set_row(first + i, heights[i])
        for col, is_text, cells, fmts in plan:
            value = cells[i]
            if value is None or value == "":
                continue
            if is_text:
                ws.write_string(first + i, col, value, fmts[i])
            else:
                ws.write_number(first + i, col, value)
    return first + n


def _rules_sheet(wb, formats: Formats, rules: list[dict]) -> None:
    ws = wb.add_worksheet("Rules")
    landscape(ws, repeat_rows=(0, 0))
    ws.freeze_panes(1, 0)
    headings = (
        "Rule",
        "Area",
        "Severity",
        "What it finds",
        "Condition",
        "Statutory or local basis",
        "Threshold in force",
        "Status this run",
    )
    keys = ("rule_id", "area", "severity", "title", "condition", "basis", "threshold", "status")
    frame = pd.DataFrame(rules, columns=list(keys))
    caps = (9, 22, 9, 40, 50, 50, 34, 40)
    widths = {}
    for col, (key, heading, cap) in enumerate(zip(keys, headings, caps, strict=True)):
        widths[col] = fitted_width(frame[key].fillna("").astype(str), heading, 8, cap)
        ws.set_column(col, col, widths[col])
    write_header(ws, 0, headings, formats.header)
    values = {h: frame[k].fillna("") for h, k in zip(headings, keys, strict=True)}
    _write_table(ws, formats, 1, headings, values, len(frame), set(headings[3:]), widths)
