"""board.xlsx: the scorecard sheet first, then trend sheets with native Excel charts.

Every sheet: column widths fitted to its text, headings frozen, A4 landscape fitted to the page
width, RAG cells coloured (and named, never colour alone). Export text is written as inert
text (`audits.output.safe_text.inert`), never as a formula.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from audits.board.charts import COLOURS, axis_range
from audits.board.labels import month_label
from audits.core.safe_text import inert
from audits.model.grades import GRADES

RAG_FILL = {"Green": "C6EFCE", "Amber": "FFEB9C", "Red": "FFC7CE"}
RAG_FONT = {"Green": "006100", "Amber": "7A4500", "Red": "9C0006"}
HEAD_FILL = "1F3864"


def _v(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _sheet(wb, title: str, headings: list[str], rows: list[list[object]]):
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(title)
    ws.append(headings)
    for row in rows:
        ws.append([_v(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=HEAD_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                inert(cell)
    ws.freeze_panes = "B2"
    return ws


def _finish(ws, max_width: int = 60) -> None:
    """Fit column widths to the text, landscape A4 one page wide, headings repeated."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            text = f"{cell.value:g}" if isinstance(cell.value, float) else str(cell.value)
            longest = max(len(line) for line in text.split("\n"))
            widths[cell.column] = max(widths.get(cell.column, 0), longest)
    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), max_width)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    fit_rows(ws)


def fit_rows(ws) -> None:
    """Each row as tall as its wrapped text, measured as the other workbooks measure it
    (`audits.output.xlsx.text_height`): spreadsheets do not grow rows when a file is opened."""
    from openpyxl.utils import get_column_letter

    from audits.output.xlsx import LINE_HEIGHT, text_height

    widths = {}
    for row in ws.iter_rows():
        cells = []
        for cell in row:
            if cell.value is None or not cell.alignment.wrap_text:
                continue
            letter = get_column_letter(cell.column)
            if letter not in widths:
                widths[letter] = ws.column_dimensions[letter].width or 8.43
            cells.append((str(cell.value), widths[letter]))
        height = text_height(cells) if cells else LINE_HEIGHT
        if height > LINE_HEIGHT:
            ws.row_dimensions[row[0].row].height = height


def _rag(cell, band: str | None) -> None:
    from openpyxl.styles import Font, PatternFill

    if band in RAG_FILL:
        cell.fill = PatternFill("solid", fgColor=RAG_FILL[band])
        cell.font = Font(bold=True, color=RAG_FONT[band])


def _band(v: float | None, data: dict) -> str | None:
    if v is None or pd.isna(v):
        return None
    return "Green" if v >= data["rag_green"] else "Amber" if v >= data["rag_amber"] else "Red"


def _chart_title(text: str, size: int = 1000):
    """A chart title in a readable size (Excel's default 18 pt crowds a small chart)."""
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import (
        CharacterProperties,
        Paragraph,
        ParagraphProperties,
        RegularTextRun,
    )

    props = CharacterProperties(sz=size, b=True)
    para = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def _line_chart(
    ws,
    title: str,
    unit: str,
    n_points: int,
    refs: list,
    categories,
    values: list[float],
    named: bool = True,
):
    """A native line chart, one series per reference (its title in the first cell), the value
    axis fitted to `values`; each line's last point labelled with its value (and name)."""
    from openpyxl.chart import LineChart
    from openpyxl.chart.label import DataLabel, DataLabelList

    chart = LineChart()
    chart.title = _chart_title(title)
    chart.y_axis.number_format = "General"
    lo, hi, step = axis_range(values, unit)
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = lo, hi
    chart.y_axis.majorUnit = step
    chart.y_axis.title = unit if unit != "%" else "%"
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    for ref, from_rows in refs:
        chart.add_data(ref, titles_from_data=True, from_rows=from_rows)
    chart.set_categories(categories)
    for k, series in enumerate(chart.series):
        colour = COLOURS[k % len(COLOURS)][1:]
        series.graphicalProperties.line.solidFill = colour
        series.graphicalProperties.line.width = 28000
        series.marker.symbol = "circle"
        series.marker.size = 6
        series.marker.graphicalProperties.solidFill = colour
        series.marker.graphicalProperties.line.solidFill = colour
        series.smooth = False
        # the series' name (and value) at its last point, instead of a far-away legend
        off = {"showCatName": False, "showLegendKey": False, "showPercent": False}
        series.dLbls = DataLabelList(
            dLbl=[
                DataLabel(
                    idx=n_points - 1,
                    showSerName=named,
                    showVal=True,
                    dLblPos="r",
                    separator=" ",
                    **off,
                )
            ],
            showVal=False,
            showSerName=False,
            **off,
        )
    chart.legend = None
    chart.height, chart.width = 7.5, 16
    return chart


def write_workbook(data: dict, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import Reference
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    wb = Workbook()
    wb.remove(wb.active)
    months = data["months"]
    labels = [month_label(m) for m in months]
    card: pd.DataFrame = data["scorecard"]
    this_label = labels[-1]
    last_label = labels[-2] if len(labels) > 1 else "Last month"

    # Scorecard: what a board member reads, on one landscape page; sources noted beneath
    extra = [c for c in ("regional", "neighbours") if any(v is not None for v in card[c])]
    rows = []
    for r in card.itertuples(index=False):
        counted = None
        if r.reason:
            counted = f"n/a: {r.reason}"
        elif r.numerator is not None:
            counted = f"{r.numerator:g} / {r.denominator:g}"
        rows.append(
            [
                r.title,
                r.this,
                r.last,
                r.change,
                r.target,
                r.national,
                *[getattr(r, c) for c in extra],
                "–" if r.rag == "n/a" and r.this is not None else r.rag,
                counted,
                f"{r.better} is better",
                r.id,
            ]
        )
    labels_extra = [
        next((x for x in card[f"{c}_label"] if x), None)
        or {"regional": "Region", "neighbours": "Stat. neighbours"}[c]
        for c in extra
    ]
    ws = _sheet(
        wb,
        "Scorecard",
        [
            "Indicator",
            this_label,
            last_label,
            "Change",
            "Target",
            "National",
            *labels_extra,
            "RAG",
            "Counted (or why n/a)",
            "Better",
            "Id",
        ],
        rows,
    )
    rag_col = 7 + len(extra)
    for i, r in enumerate(card.itertuples(index=False), start=2):
        _rag(ws.cell(i, rag_col), r.rag)
        colour = {"better": "006100", "worse": "9C0006"}.get(r.judgement)
        if colour:
            ws.cell(i, 4).font = Font(color=colour, bold=True)
        for col in (2, 3, 5, 6, *range(7, rag_col)):
            ws.cell(i, col).number_format = "0.0"
        ws.cell(i, rag_col + 1).alignment = Alignment(wrap_text=True, vertical="top")
    _finish(ws, max_width=58)
    ws.column_dimensions[get_column_letter(rag_col + 1)].width = 34
    ws.column_dimensions["D"].width = 14
    for i in range(2, len(card) + 2):
        ws.cell(i, 4).alignment = Alignment(horizontal="center")
    fit_rows(ws)  # again, at the widths set just above
    ws.freeze_panes = "B2"
    notes = [
        "RAG: against the council's target where set, otherwise the national figure. Green: met "
        "or better (equal is met); Amber: worse by no more than "
        f"{data['amber_points']:g} percentage points ({data['amber_caseload']:g} per FTE for "
        "the caseload); Red: worse still; n/a: no value this month; –: nothing to compare with.",
        "Units: percentages, except the caseload (children per FTE social worker).",
        *[
            f"National {r.id}: {r.national_source}; {r.national_period}"
            + (f" (derived: {r.national_derived})" if r.national_derived else "")
            for r in card.itertuples(index=False)
            if r.national is not None
        ],
    ]
    ws.append([])
    for note in notes:
        ws.append([note])
        inert(ws.cell(ws.max_row, 1)).font = Font(italic=True, size=9, color="555555")
    ws.page_setup.fitToHeight = 1
    ws.print_area = f"A1:{get_column_letter(rag_col + 3)}{ws.max_row}"

    # Indicator trends: indicators down, months across; one small chart per indicator
    history: pd.DataFrame = data["indicator_history"]
    wide = history.pivot_table(index="id", columns="month", values="value", aggfunc="last")
    wide = wide.reindex(index=list(card["id"]), columns=months)
    ws = _sheet(
        wb,
        "Indicator trends",
        ["Indicator", *labels, "Unit"],
        [[r.title, *[_v(v) for v in wide.loc[r.id]], r.unit] for r in card.itertuples(index=False)],
    )
    for row in ws.iter_rows(min_row=2, min_col=2, max_col=1 + len(months)):
        for cell in row:
            cell.number_format = "0.0"
    _finish(ws, max_width=58)
    anchor_row = len(card) + 4
    placed = 0
    categories = Reference(ws, min_col=2, max_col=1 + len(months), min_row=1, max_row=1)
    for row, r in enumerate(card.itertuples(index=False), start=2):
        values = [float(v) for v in wide.loc[r.id] if v is not None and not pd.isna(v)]
        if not values:
            continue
        guide = [g for g in (r.target, r.national) if g is not None]
        ref = Reference(ws, min_col=1, max_col=1 + len(months), min_row=row, max_row=row)
        title = r.title + (" (%)" if r.unit == "%" else " (children per FTE)")
        chart = _line_chart(
            ws, title, r.unit, len(months), [(ref, True)], categories, values + guide, named=False
        )
        chart.height, chart.width = 6.5, 12.5
        column = "A" if placed % 2 == 0 else "C"
        ws.add_chart(chart, f"{column}{anchor_row + 14 * (placed // 2)}")
        placed += 1
    # printed: the table on the first page, then two rows of charts a page, none split
    ws.row_breaks.append(Break(id=anchor_row - 2))
    for block in range(2, (placed + 1) // 2, 2):
        ws.row_breaks.append(Break(id=anchor_row - 2 + 14 * block))

    # Trend by area
    areas: pd.DataFrame = data["areas"]
    ws = _sheet(
        wb,
        "Trend by area",
        ["Month", *map(str, areas.columns)],
        [[label, *[_v(v) for v in areas.loc[m]]] for m, label in zip(months, labels, strict=True)],
    )
    for i, m in enumerate(months, start=2):
        for j, v in enumerate(areas.loc[m], start=2):
            _rag(ws.cell(i, j), _band(_v(v), data))
            ws.cell(i, j).number_format = "0.0"
    _finish(ws)
    values = [float(v) for v in areas.to_numpy().ravel() if not pd.isna(v)]
    if len(areas.columns) and values:
        refs = [
            (Reference(ws, min_col=c, max_col=c, min_row=1, max_row=1 + len(months)), False)
            for c in range(2, 2 + len(areas.columns))
        ]
        categories = Reference(ws, min_col=1, min_row=2, max_row=1 + len(months))
        chart = _line_chart(
            ws,
            "Compliance by area (%), month on month",
            "%",
            len(months),
            refs,
            categories,
            values,
        )
        chart.height, chart.width = 9, 20
        ws.add_chart(chart, f"A{len(months) + 4}")

    # Trend by team: one row per team, months across
    teams: pd.DataFrame = data["teams"]
    wide_t = (  # only the (area, team) pairs that were scored, every month a column
        teams.set_index(["area", "team", "month"])["score"].unstack("month").reindex(columns=months)
    )
    ws = _sheet(
        wb,
        "Trend by team",
        ["Area", "Team", *labels],
        [[a, str(t), *[_v(v) for v in wide_t.loc[(a, t)]]] for a, t in wide_t.index],
    )
    for i, idx in enumerate(wide_t.index, start=2):
        for j, v in enumerate(wide_t.loc[idx], start=3):
            _rag(ws.cell(i, j), _band(_v(v), data))
            ws.cell(i, j).number_format = "0.0"
    ws.freeze_panes = "C2"
    _finish(ws)

    ch: pd.DataFrame = data["changes"]
    ws = _sheet(
        wb,
        "Changes",
        ["Month", "Findings", "New", "Persisting", "Resolved"],
        [
            [month_label(r.month), r.findings, r.new, r.persisting, r.resolved]
            for r in ch.itertuples(index=False)
        ],
    )
    _finish(ws)
    if len(ch):
        from openpyxl.chart import BarChart

        chart = BarChart()
        chart.title = _chart_title("New, persisting and resolved findings")
        chart.add_data(
            Reference(ws, min_col=3, max_col=5, min_row=1, max_row=1 + len(ch)),
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + len(ch)))
        for k, series in enumerate(chart.series):
            series.graphicalProperties.solidFill = COLOURS[k][1:]
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.height, chart.width = 7.5, 16
        ws.add_chart(chart, "H2")

    per_month: pd.DataFrame = data["actions_by_month"]
    items = data["actions_overdue"]
    ws = _sheet(
        wb,
        "Overdue actions",
        ["Month", "Open actions", "Overdue actions", "Done actions"],
        [
            [
                month_label(r.month),
                _v(r.open) if _v(r.open) is not None else "n/a",
                _v(r.overdue) if _v(r.overdue) is not None else "n/a",
                _v(r.done) if _v(r.done) is not None else "n/a",
            ]
            for r in per_month.itertuples(index=False)
        ],
    )
    if items is not None and not items.empty:
        ws.append([])
        label = "Child (pseudonym)" if data["pseudonymised"] else "Child ID"
        start = ws.max_row + 1
        ws.append([label, "Rule", "Team", "Action owner", "Action due", "Days past due"])
        for cell in ws[start]:
            cell.font = Font(bold=True)
        for r in items.itertuples(index=False):
            due = pd.to_datetime(r.action_due, errors="coerce")
            ws.append([_v(v) for v in r])
            if not pd.isna(due):  # a real date, shown as a UK reader writes it
                ws.cell(ws.max_row, 5).value = due.date()
                ws.cell(ws.max_row, 5).number_format = "dd/mm/yyyy"
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    inert(cell)
    _finish(ws)

    mm: pd.DataFrame = data["moderation_by_month"]
    ws = _sheet(
        wb,
        "Moderation",
        ["Month decided / rule / team", "Decisions", "Agree", "Agree %"],
        [[month_label(r.month), r.decisions, r.agree, r.value] for r in mm.itertuples(index=False)]
        + [[None]]
        + [
            [f"Rule {r.rule_id}", r.decisions, r.agree, r.agree_percent]
            for r in data["moderation"].itertuples(index=False)
        ]
        + [[None]]
        + [
            [f"Team {r.team}", r.decisions, r.agree, r.agree_percent]
            for r in data["moderation_teams"].itertuples(index=False)
        ],
    )
    _finish(ws)

    pr: pd.DataFrame = data["practice_grades"]
    ws = _sheet(
        wb,
        "Practice audit",
        ["Month", "Audits graded", *GRADES, "Good or better", "Good or better %"],
        [
            [
                month_label(r["month"]),
                r["audits"],
                *[r[g] for g in GRADES],
                r["good_or_better"],
                r["good_or_better_percent"],
            ]
            for r in pr.to_dict("records")
        ],
    )
    _finish(ws, max_width=22)

    ov: pd.DataFrame = data["overdue"]
    label = "Child (pseudonym)" if data["pseudonymised"] else "Child ID"
    ws = _sheet(
        wb,
        "Longest overdue",
        [label, "Rule", "Team", "Days overdue", "Finding"],
        [
            [r.child, r.rule_id, r.team, int(r.days_overdue), r.message]
            for r in ov.itertuples(index=False)
        ],
    )
    _finish(ws, max_width=90)
    wb.save(target)
