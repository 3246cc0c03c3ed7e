"""board.xlsx: the scorecard sheet first, then trend sheets with native Excel charts.

Every sheet: column widths fitted to its text, headings frozen, A4 landscape fitted to the page
width, RAG cells coloured (and named, never colour alone). Export text is written as inert
text (`audits.output.safe_text.inert`), never as a formula.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from audits.board.charts import COLOURS, axis_note, axis_range, direction
from audits.board.labels import month_label, shown_rag
from audits.core.safe_text import inert
from audits.indicators.reconcile import neighbours_sentence
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
            longest += 2 if cell.row == 1 else 0  # headings are bold
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


def _chart_title(text: str, size: int = 1000, note: str = ""):
    """A chart title in a readable size (Excel's default 18 pt crowds a small chart), and a
    `note` beneath it (which way is better; where a cut axis starts)."""
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import (
        CharacterProperties,
        Paragraph,
        ParagraphProperties,
        RegularTextRun,
    )

    props = CharacterProperties(sz=size, b=True)
    paras = [
        Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    ]
    if note:
        small = CharacterProperties(sz=int(size * 0.85), b=False)
        paras.append(
            Paragraph(pPr=ParagraphProperties(defRPr=small), r=[RegularTextRun(rPr=small, t=note)])
        )
    return Title(tx=Text(rich=RichText(p=paras)), overlay=False)


def _line_chart(
    ws,
    title: str,
    unit: str,
    n_points: int,
    refs: list,
    categories,
    values: list[float],
    named: bool = True,
    better: str | None = None,
):
    """A native line chart, one series per reference (its title in the first cell), the value
    axis fitted to `values` (and said to be cut when it does not start at 0), which way is
    `better` under the title; each line's last point labelled with its value (and name)."""
    from openpyxl.chart import LineChart
    from openpyxl.chart.label import DataLabel, DataLabelList

    chart = LineChart()
    lo, hi, step = axis_range(values, unit)
    chart.title = _chart_title(title, note=axis_note(lo, better))
    chart.y_axis.number_format = "General"
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


def _shown(value: object, missing: str = "–") -> object:
    """A number as a number; `missing` ('–': nothing to compare with; 'n/a': no value) when
    there is none."""
    v = _v(value)
    return missing if v is None else v


def write_scorecard(wb, data: dict) -> None:
    """The Scorecard sheet: one row per indicator with this month, last month, the change, the
    target, RAG, and the comparators (England, region, statistical neighbours, the council's
    own published figure); beneath, how each DfE pairing matches, the sources, the attribution
    and the month's export warnings. Printed on one A4 landscape page."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    card: pd.DataFrame = data["scorecard"]
    months = data["months"]
    labels = [month_label(m) for m in months]
    home = data.get("council")
    rows = []
    for r in card.itertuples(index=False):
        counted = None
        if r.this is None:
            counted = f"n/a: {r.reason or 'no value this month'}"
        elif r.numerator is not None:
            counted = f"{r.numerator:g} / {r.denominator:g}" + (" FTE" if r.unit != "%" else "")
        spread = None
        if r.neighbours_count is not None:
            spread = f"{r.neighbours_min:.1f}–{r.neighbours_max:.1f} ({r.neighbours_count:g})"
        rows.append(
            [
                r.title,
                _shown(r.this, "n/a"),
                "–" if len(months) < 2 else _shown(r.last, "n/a"),
                r.change,
                _shown(r.target),
                shown_rag(r),
                _shown(r.england),
                _shown(r.region),
                _shown(r.neighbours),
                spread or "–",
                _shown(r.council_dfe),
                r.council_dfe_period or "–",
                counted,
                direction(r.better),
                r.id,
            ]
        )
    region = (
        f"Region: {home['region']}"
        if home
        else (next((x for x in card["region_label"] if x), None) or "Region")
    )
    neighbours = (
        "Stat. neighbours median"
        if home
        else (next((x for x in card["neighbours_label"] if x), None) or "Stat. neighbours")
    )
    own = f"{home['la_name']} (DfE)" if home else "Council (DfE)"
    headings = [
        "Indicator",
        labels[-1],
        labels[-2] if len(labels) > 1 else "Last month",
        "Change",
        "Target",
        "RAG",
        "England",
        region,
        neighbours,
        "Neighbours' range (n)",
        own,
        "DfE year",
        "Counted (or why n/a)",
        "Better",
        "Id",
    ]
    ws = _sheet(wb, "Scorecard", headings, rows)
    for i, r in enumerate(card.itertuples(index=False), start=2):
        _rag(ws.cell(i, 6), r.rag)
        ws.cell(i, 6).alignment = Alignment(horizontal="center")
        colour = {"better": "006100", "worse": "9C0006"}.get(r.judgement)
        if colour:
            ws.cell(i, 4).font = Font(color=colour, bold=True)
        for col in (2, 3, 5, 7, 8, 9, 11):
            cell = ws.cell(i, col)
            if isinstance(cell.value, float | int):
                cell.number_format = "0.0"
            else:
                cell.alignment = Alignment(horizontal="right")
                if cell.value == "n/a":
                    cell.font = Font(color="888888")
        ws.cell(i, 13).alignment = Alignment(wrap_text=True, vertical="top")
    _finish(ws, max_width=58)
    widths = (None, 10, 10, 17, 8, 8, 10, 15, 13, 17, 13, 13, 34, 17, 19)
    for column, width in enumerate(widths, start=1):
        if width:
            ws.column_dimensions[get_column_letter(column)].width = width
    fit_rows(ws)  # again, at the widths set just above
    ws.row_dimensions[1].height = 56  # headings on up to four lines where they need them
    for i in range(2, len(card) + 2):
        for col in (4, 10, 12):
            ws.cell(i, col).alignment = Alignment(horizontal="center")
    ws.freeze_panes = "B2"
    notes = [
        "RAG: against the council's target where set, otherwise the national figure, otherwise "
        "England's published figure. Green: met or better (equal is met); Amber: worse by no "
        f"more than {data['amber_points']:g} percentage points ({data['amber_caseload']:g} per "
        "FTE for the caseload); Red: worse still; n/a: no value this month (why: column M); "
        "–: nothing to compare with. Change: in percentage points (pp), or children per FTE.",
        *[
            f"{r.id} ({r.published_source}): {r.match}"
            for r in card.itertuples(index=False)
            if r.match
        ],
        *[
            f"England {r.id}: {r.national_source}; {r.national_period}"
            + (f" (derived: {r.national_derived})" if r.national_derived else "")
            for r in card.itertuples(index=False)
            if r.national is not None and not r.published_source
        ],
    ]
    if data.get("attribution"):
        notes.append(data["attribution"])
    if neighbours_sentence(home):
        notes.append(neighbours_sentence(home))
    warnings = data.get("warnings") or []
    latest = month_label(data["latest_month"])
    notes.append(
        f"{latest} export: {len(warnings)} warning(s)" + (":" if warnings else ".")
        if warnings
        else f"{latest} export: no warnings."
    )
    notes += [f"Warning: {w.get('message') or w.get('kind')}" for w in warnings[:4]]
    if len(warnings) > 4:
        notes.append(f"and {len(warnings) - 4} more: see the Export warnings sheet")
    ws.append([])
    line = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(1, 16)) * 1.1
    for note in notes:
        ws.append([note])
        row = ws.max_row
        cell = inert(ws.cell(row, 1))
        warn = note.startswith("Warning:") or note.startswith(f"{latest} export: ")
        cell.font = Font(
            italic=not warn,
            bold=warn and "warning" in note,
            size=9,
            color="C00000" if warn and warnings else "555555",
        )
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headings))
        ws.row_dimensions[row].height = 12.5 * max(1, -(-len(note) // int(line)))
    ws.page_setup.fitToHeight = 1
    ws.print_area = f"A1:{get_column_letter(len(headings))}{ws.max_row}"


def write_workbook(data: dict, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import Reference
    from openpyxl.styles import Font
    from openpyxl.worksheet.pagebreak import Break

    wb = Workbook()
    wb.remove(wb.active)
    months = data["months"]
    labels = [month_label(m) for m in months]
    card: pd.DataFrame = data["scorecard"]

    # Scorecard: what a board member reads, on one landscape page; notes beneath
    write_scorecard(wb, data)

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
        guide = [g for g in (r.target, r.england) if g is not None]
        ref = Reference(ws, min_col=1, max_col=1 + len(months), min_row=row, max_row=row)
        title = r.title + (" (%)" if r.unit == "%" else " (children per FTE)")
        chart = _line_chart(
            ws,
            title,
            r.unit,
            len(months),
            [(ref, True)],
            categories,
            values + guide,
            named=False,
            better=r.better,
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
            better="higher",
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
        chart.title = _chart_title(
            "New, persisting and resolved findings",
            note="fewer new and persisting, more resolved is better; axis from 0",
        )
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
        ["Audit month reviewed / rule / team", "Decisions", "Agree", "Agree %"],
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
    unattributed = data.get("moderation_unattributed") or 0
    _notes(
        ws,
        [
            data["month_rule"],
            *(
                [f"{unattributed} decision(s) entered before any audit run are in no month."]
                if unattributed
                else []
            ),
        ],
    )

    pr: pd.DataFrame = data["practice_grades"]
    ws = _sheet(
        wb,
        "Practice audit",
        ["Audit month", "Audits graded", *GRADES, "Good or better", "Good or better %"],
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
    _notes(ws, ["The moderator's grade where given, otherwise the auditor's.", data["month_rule"]])

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

    warnings = data.get("warnings") or []
    if len(warnings) > 4:
        ws = _sheet(
            wb,
            "Export warnings",
            ["Warning", "List", "Column", "Rules affected"],
            [
                [
                    w.get("message") or w.get("kind"),
                    f"List {w['list']}" if w.get("list") not in (None, "") else "",
                    w.get("column") or "",
                    ", ".join(w.get("rules") or []),
                ]
                for w in warnings
            ],
        )
        _finish(ws, max_width=100)
    if data["reconciliations"]:
        write_reconciliation(wb, data)
        wb.move_sheet("Year-end reconciliation", offset=1 - len(wb.sheetnames) + 1)
    wb.save(target)


def _notes(ws, notes: list[str]) -> None:
    """Italic notes under a sheet's table (after its widths are fitted)."""
    from openpyxl.styles import Font

    ws.append([])
    for note in notes:
        ws.append([note])
        inert(ws.cell(ws.max_row, 1)).font = Font(italic=True, size=9, color="555555")


def write_reconciliation(wb, data: dict) -> None:
    """Year-end runs: the council's computed figure beside its own published one."""
    from openpyxl.styles import Font

    rows = []
    for month, rec in data["reconciliations"][::-1]:
        for r in rec.get("rows") or []:
            ours, theirs = r["ours"], r["published"]
            rows.append(
                [
                    month_label(month),
                    r["title"],
                    r["period"],
                    _shown(ours["value"], "n/a"),
                    _shown(ours["numerator"]),
                    _shown(ours["denominator"]),
                    _shown(theirs["value"], "n/a"),
                    _shown(theirs["numerator"]),
                    _shown(theirs["denominator"]),
                    _shown(r["difference"]),
                    "pp" if r["unit"] == "%" else "per FTE",
                    r["gap"],
                    r["source"],
                    r["id"],
                ]
            )
        if rec.get("note"):
            rows.append([month_label(month), rec["note"]])
    ws = _sheet(
        wb,
        "Year-end reconciliation",
        [
            "Month",
            "Indicator",
            "Year",
            "Computed",
            "Counted",
            "Of",
            "Published (DfE)",
            "Counted",
            "Of",
            "Difference",
            "Unit",
            "Gap",
            "Source",
            "Id",
        ],
        rows,
    )
    for row in ws.iter_rows(min_row=2):
        for cell in row[3:10]:
            if isinstance(cell.value, float):
                cell.number_format = "0.0"
        if row[11].value == "large":
            row[11].font = Font(bold=True, color="9C0006")
    _finish(ws, max_width=60)
    _notes(
        ws,
        [
            "A year-end run (as at 31 March; 30 September for the workforce census) set beside "
            "the figure the DfE published for the same council and year. A gap wider than the "
            "indicator's Amber band is large: the export and the statutory return disagree, or "
            "the definitions do (see the Scorecard's notes on how each pairing differs).",
            *([data["attribution"]] if data.get("attribution") else []),
        ],
    )
