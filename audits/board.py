"""The improvement-board pack: month-on-month scores, changes and moderation agreement.

Written from the history store as `board.xlsx` (native Excel charts) and `board.html` (a
self-contained page with SVG charts, no scripts, no external files). Child ids are replaced by
keyed pseudonyms (HMAC-SHA256 with a key kept in the history store) unless asked otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import html
from pathlib import Path

import pandas as pd

from audits.config import Config
from audits.errors import InputError
from audits.history import Store
from audits.output.atomic import atomic_path
from audits.output.safe_text import inert
from audits.practice import GRADES
from audits.scores import rag

COLOURS = ("#305496", "#C55A11", "#548235", "#7030A0", "#BF9000", "#2E75B6", "#A50021", "#404040")
RAG_HEX = {"Green": "C6EFCE", "Amber": "FFEB9C", "Red": "FFC7CE"}


def pseudonym(child_id: str, key: bytes) -> str:
    return "C-" + hmac.new(key, str(child_id).encode(), hashlib.sha256).hexdigest()[:10]


def monthly_runs(store: Store) -> pd.DataFrame:
    runs = store.table("runs")
    if runs.empty:
        raise InputError(
            "The history store holds no runs yet",
            file=str(store.engine.url),
            expected="at least one `audit run` recorded in this store",
            action="Run `audit run` (with the same --db) first",
        )
    return runs.sort_values(["month", "run_id"]).drop_duplicates("month", keep="last")


def board_data(store: Store, pseudonymise: bool = True, config: Config | None = None) -> dict:
    config = config or Config()
    months = monthly_runs(store)
    scores = store.table("scores").merge(months[["run_id", "month"]], on="run_id")
    areas = scores[scores["team"].isna()].pivot_table(index="month", columns="area", values="score")
    teams = scores[scores["team"].notna()].sort_values(["month", "area", "team"])
    teams = teams.assign(rag=[rag(s, config.rag_green, config.rag_amber) for s in teams["score"]])
    findings = store.table("findings")
    ids = {
        m: set(findings.loc[findings["run_id"] == r, "finding_id"])
        for m, r in zip(months["month"], months["run_id"], strict=True)
    }
    accepted = store.carried_decisions()  # no longer raised, but not resolved either
    changes, before = [], None
    for month, current in ids.items():
        changes.append(
            {
                "month": month,
                "findings": len(current),
                "new": len(current - before) if before is not None else len(current),
                "persisting": len(current & before) if before is not None else 0,
                "resolved": len(before - current - accepted) if before is not None else 0,
            }
        )
        before = current
    decisions = store.latest_decisions()
    decided = decisions[decisions["decision"].notna()]
    moderation = (
        decided.groupby("rule_id")["decision"]
        .agg(decisions="size", agree=lambda s: int((s == "Agree").sum()))
        .reset_index()
    )
    moderation["agree_percent"] = (100 * moderation["agree"] / moderation["decisions"]).round(1)
    latest = findings[
        (findings["run_id"] == months["run_id"].iloc[-1]) & (findings["severity"] == "Error")
    ]
    overdue = (
        latest.dropna(subset=["days_overdue"]).sort_values("days_overdue", ascending=False).head(20)
    )
    key = store.pseudonym_key()
    overdue = overdue.assign(
        child=[pseudonym(c, key) if pseudonymise else c for c in overdue["child_id"]]
    )[["child", "rule_id", "team", "days_overdue", "message"]]
    practice = store.table("practice_audits")
    practice = practice.assign(grade=practice["moderator_grade"].fillna(practice["auditor_grade"]))
    graded = practice[practice["grade"].notna()]
    practice_trend = (
        graded.groupby("month")
        .agg(
            audits=("grade", "size"),
            good_or_better=("grade", lambda g: int(g.isin(GRADES[:2]).sum())),
        )
        .reset_index()
    )
    practice_trend["good_or_better_percent"] = (
        100 * practice_trend["good_or_better"] / practice_trend["audits"]
    ).round(1)
    return {
        "practice": practice_trend,
        "areas": areas,
        "teams": teams[["month", "area", "team", "children_in_scope", "score", "rag"]],
        "changes": pd.DataFrame(changes),
        "moderation": moderation,
        "overdue": overdue,
        "pseudonymised": pseudonymise,
        "latest_month": months["month"].iloc[-1],
    }


def write_board(store: Store, out: Path, pseudonymise: bool = True) -> list[Path]:
    data = board_data(store, pseudonymise)
    out.mkdir(parents=True, exist_ok=True)
    xlsx, page = out / "board.xlsx", out / "board.html"
    with atomic_path(xlsx) as tmp:
        _workbook(data, tmp)
    with atomic_path(page) as tmp:
        tmp.write_text(_html(data), encoding="utf-8")
    return [xlsx, page]


def _workbook(data: dict, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Trend by area"
    areas = data["areas"]
    ws.append(["Month", *areas.columns])
    for month, row in areas.iterrows():
        ws.append([month, *[None if pd.isna(v) else float(v) for v in row]])
    for cell in ws[1]:
        cell.font = bold
    if len(areas):
        chart = LineChart()
        chart.title = "Compliance by area (%), month on month"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.add_data(
            Reference(
                ws, min_col=2, max_col=1 + len(areas.columns), min_row=1, max_row=1 + len(areas)
            ),
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + len(areas)))
        chart.height, chart.width = 9, 18
        ws.add_chart(chart, "H2")

    ws = wb.create_sheet("Trend by team")
    ws.append(["Month", "Area", "Team", "Children in scope", "Score %", "RAG"])
    for r in data["teams"].itertuples(index=False):
        ws.append(
            [
                r.month,
                r.area,
                str(r.team),
                int(r.children_in_scope),
                None if pd.isna(r.score) else float(r.score),
                r.rag,
            ]
        )
        if r.rag in RAG_HEX:
            ws.cell(ws.max_row, 6).fill = PatternFill("solid", fgColor=RAG_HEX[r.rag])

    ws = wb.create_sheet("Changes")
    ws.append(["Month", "Findings", "New", "Persisting", "Resolved"])
    for r in data["changes"].itertuples(index=False):
        ws.append([r.month, r.findings, r.new, r.persisting, r.resolved])
    if len(data["changes"]):
        chart = BarChart()
        chart.title = "New, persisting and resolved findings"
        n = len(data["changes"])
        chart.add_data(
            Reference(ws, min_col=3, max_col=5, min_row=1, max_row=1 + n), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + n))
        ws.add_chart(chart, "H2")

    ws = wb.create_sheet("Moderation")
    ws.append(["Rule", "Decisions", "Agree", "Agree %"])
    for r in data["moderation"].itertuples(index=False):
        ws.append([r.rule_id, int(r.decisions), int(r.agree), float(r.agree_percent)])

    ws = wb.create_sheet("Practice audit")
    ws.append(["Month", "Audits graded", "Good or better", "Good or better %"])
    for r in data["practice"].itertuples(index=False):
        ws.append([r.month, int(r.audits), int(r.good_or_better), float(r.good_or_better_percent)])

    ws = wb.create_sheet("Longest overdue")
    label = "Child (pseudonym)" if data["pseudonymised"] else "Child ID"
    ws.append([label, "Rule", "Team", "Days overdue", "Finding"])
    for r in data["overdue"].itertuples(index=False):
        ws.append([r.child, r.rule_id, r.team, int(r.days_overdue), r.message])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = bold
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    inert(cell)
    wb.save(target)


def _svg_lines(frame: pd.DataFrame, title: str) -> str:
    width, height, left, top, bottom = 720, 300, 50, 30, 40
    months = list(frame.index)
    plot_w, plot_h = width - left - 170, height - top - bottom
    step = plot_w / max(len(months) - 1, 1)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / 100)

    parts = [
        f'<svg width="{width}" height="{height}" role="img" aria-label="{html.escape(title)}">'
    ]
    for tick in range(0, 101, 20):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{left - 8}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11">{tick}</text>'
        )
    for i, month in enumerate(months):
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{height - 15}" text-anchor="middle" font-size="11">{html.escape(month)}</text>'
        )
    for n, area in enumerate(frame.columns):
        colour = COLOURS[n % len(COLOURS)]
        points = [(left + i * step, y(v)) for i, v in enumerate(frame[area]) if pd.notna(v)]
        if points:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
            parts.extend(
                f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3.5" fill="{colour}"/>' for x, yy in points
            )
        ly = top + 18 * n
        parts.append(
            f'<rect x="{left + plot_w + 20}" y="{ly}" width="12" height="12" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{left + plot_w + 38}" y="{ly + 10}" font-size="12">{html.escape(str(area))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _table(frame: pd.DataFrame, headings: list[str], rag_column: str | None = None) -> str:
    rows = ["<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headings) + "</tr>"]
    for record in frame.itertuples(index=False):
        cells = []
        for name, value in zip(frame.columns, record, strict=True):
            text = (
                ""
                if value is None or (isinstance(value, float) and pd.isna(value))
                else f"{value:g}"
                if isinstance(value, float)
                else str(value)
            )
            style = (
                f' style="background:#{RAG_HEX[value]}"'
                if name == rag_column and value in RAG_HEX
                else ""
            )
            cells.append(f"<td{style}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _html(data: dict) -> str:
    areas = data["areas"]
    latest_teams = data["teams"][data["teams"]["month"] == data["latest_month"]]
    child_note = (
        "Children are shown by keyed pseudonyms; the key stays in the local history store."
        if data["pseudonymised"]
        else "Real child ids are shown: this page holds personal data."
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Improvement board pack</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; margin: 24px; color: #222; max-width: 1000px; }}
h1 {{ font-size: 22px; }} h2 {{ font-size: 17px; margin-top: 28px; color: #305496; }}
table {{ border-collapse: collapse; font-size: 13px; }}
th {{ background: #305496; color: #fff; text-align: left; padding: 4px 8px; }}
td {{ border-bottom: 1px solid #ddd; padding: 3px 8px; }}
.note {{ color: #555; font-size: 12px; }}
</style></head><body>
<h1>Improvement board pack — casefile audit, {html.escape(data["latest_month"])}</h1>
<p class="note">Compliance: children in scope with no Error finding in the area, as a percentage.
{html.escape(child_note)}</p>
<h2>Compliance by area, month on month</h2>
{_svg_lines(areas, "Compliance by area") if len(areas) else "<p>No scores yet.</p>"}
{_table(areas.reset_index().round(1), ["Month", *map(str, areas.columns)])}
<h2>Compliance by team, {html.escape(data["latest_month"])}</h2>
{_table(latest_teams.drop(columns=["month"]), ["Area", "Team", "Children in scope", "Score %", "RAG"], rag_column="rag")}
<h2>New, persisting and resolved findings</h2>
{_table(data["changes"], ["Month", "Findings", "New", "Persisting", "Resolved"])}
<h2>Moderation agreement per rule</h2>
{_table(data["moderation"], ["Rule", "Decisions", "Agree", "Agree %"]) if len(data["moderation"]) else "<p>No moderation decisions recorded yet.</p>"}
<h2>Practice audit: cases graded Good or better</h2>
{_table(data["practice"], ["Month", "Audits graded", "Good or better", "Good or better %"]) if len(data["practice"]) else "<p>No practice audits graded yet.</p>"}
<h2>Longest overdue ({html.escape(data["latest_month"])})</h2>
{_table(data["overdue"], ["Child", "Rule", "Team", "Days overdue", "Finding"])}
</body></html>
"""
