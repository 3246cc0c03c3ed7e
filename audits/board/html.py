"""board.html: the scorecard on its own A4 landscape page, then the trends.

One self-contained page: inline CSS and SVG only (no scripts, no external files), every piece of
text HTML-escaped (export text is never live HTML), print CSS for A4 landscape that keeps each
heading with what follows it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from audits.board.charts import bar_chart, line_chart
from audits.board.labels import month_label
from audits.model.grades import GRADES

RAG_STYLE = {
    "Green": "background:#C6EFCE;color:#006100",
    "Amber": "background:#FFEB9C;color:#7A4500",
    "Red": "background:#FFC7CE;color:#9C0006",
}
CHANGE_STYLE = {"better": "color:#006100", "worse": "color:#9C0006"}

CSS = """
body { font-family: Arial, Helvetica, sans-serif; margin: 20px; color: #222; max-width: 1060px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 22px 0 6px; color: #1F3864; border-bottom: 2px solid #1F3864; }
h3 { font-size: 13px; margin: 12px 0 4px; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
table { border-collapse: collapse; font-size: 12px; margin-bottom: 6px; }
th { background: #1F3864; color: #fff; text-align: left; padding: 3px 7px; font-weight: bold; }
td { border-bottom: 1px solid #ddd; padding: 2px 7px; vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
.note { color: #555; font-size: 11px; margin: 2px 0; }
.small { color: #666; font-size: 10px; }
.keep { break-inside: avoid; page-break-inside: avoid; }
.grid { display: flex; flex-wrap: wrap; gap: 4px 10px; }
.grid > div { break-inside: avoid; page-break-inside: avoid; }
table.score td { padding: 2px 6px; }
table.score td.rag { font-weight: bold; text-align: center; }
sup { font-size: 8px; line-height: 0; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; max-width: none; }
  .scorecard { break-after: page; page-break-after: always; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  table.score { font-size: 10.5px; }
}
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def fmt(value: object, unit: str = "%") -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "n/a"
    return f"{float(value):.1f}%" if unit == "%" else f"{float(value):.1f}"


def table(headings: list[str], rows: Iterable[list[tuple[str, str]]], numeric: set[int]) -> str:
    """A table from (text, style) cells; `numeric` columns align right. Text is escaped."""
    head = "".join(
        f'<th class="{"n" if i in numeric else ""}">{esc(h)}</th>' for i, h in enumerate(headings)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{"n" if i in numeric else ""}" style="{style}">{esc(text)}</td>'
            for i, (text, style) in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def pct(value: object) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.1f}"


def day(value: object) -> str:
    """An ISO date as a UK reader writes it (30/09/2026); anything else unchanged."""
    try:
        return pd.Timestamp(str(value)).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return "" if value is None else str(value)


def plain(values: Iterable[object]) -> list[tuple[str, str]]:
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            out.append(("n/a", "color:#888"))
        elif isinstance(v, float):
            out.append((f"{v:g}", ""))
        else:
            out.append((str(v), ""))
    return out


# --- the scorecard ---------------------------------------------------------------------------------


def scorecard(data: dict) -> str:
    card: pd.DataFrame = data["scorecard"]
    months = data["months"]
    this_label = month_label(months[-1])
    last_label = month_label(months[-2]) if len(months) > 1 else "Last month"
    extra = [c for c in ("regional", "neighbours") if card[c].notna().any()]
    head = [
        "Indicator",
        this_label,
        last_label,
        "Change",
        "Target",
        "National",
        *[_label(card, c) for c in extra],
        "RAG",
    ]
    sources: dict[str, int] = {}
    rows = []
    for r in card.itertuples(index=False):
        note = ""
        if r.this is None or pd.isna(r.this):
            note = f'<div class="small">n/a: {esc(r.reason)}</div>' if r.reason else ""
        elif r.numerator is not None and not pd.isna(r.numerator):
            counted = (
                f"{r.numerator:g} / {r.denominator:g}"
                if r.unit == "%"
                else f"{r.numerator:g} children / {r.denominator:g} FTE"
            )
            note = f'<span class="small"> ({esc(counted)})</span>'
        national = "–"
        if r.national is not None and not pd.isna(r.national):
            mark = sources.setdefault(
                f"{r.national_source}; {r.national_period}"
                + (f" (derived: {r.national_derived})" if r.national_derived else ""),
                len(sources) + 1,
            )
            national = f"{esc(fmt(r.national, r.unit))}<sup>{mark}</sup>"
        cells = [
            f"<td>{esc(r.title)} <span class='small'>{esc(r.id)} · {esc(r.better)} is better"
            f"</span></td>",
            f'<td class="n"><b>{esc(fmt(r.this, r.unit))}</b>{note}</td>',
            f'<td class="n">{esc(fmt(r.last, r.unit) if len(months) > 1 else "–")}</td>',
            f'<td class="n" style="{CHANGE_STYLE.get(r.judgement, "")}">{esc(r.change)}</td>',
            f'<td class="n">{esc(fmt(r.target, r.unit) if r.target is not None else "–")}</td>',
            f'<td class="n">{national}</td>',
            *[
                f'<td class="n">{esc(fmt(getattr(r, c), r.unit) if getattr(r, c) is not None and not pd.isna(getattr(r, c)) else "–")}</td>'
                for c in extra
            ],
            f'<td class="rag" style="{RAG_STYLE.get(r.rag, "color:#888")}">{esc(shown_rag(r))}</td>',
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    heads = "".join(
        f'<th class="{"" if i == 0 else "n"}">{esc(h)}</th>' for i, h in enumerate(head)
    )
    notes = "".join(f"<div class='small'><sup>{n}</sup> {esc(s)}</div>" for s, n in sources.items())
    return f"""<section class="scorecard">
<h2>Scorecard, {esc(this_label)}</h2>
<table class="score"><thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<p class="note">RAG: against the council's target where one is set, otherwise the national
figure. Green: met or better (equal is met); Amber: worse by no more than
{data["amber_points"]:g} percentage points ({data["amber_caseload"]:g} per FTE for the caseload);
Red: worse than that. n/a: no value this month (the reason is given); –: no target or national
figure to compare with.
Change: ▲ up, ▼ down since last month, green when better, red when worse.</p>
<div class="note">National figures (published, never estimated):</div>{notes}
</section>"""


def _label(card: pd.DataFrame, column: str) -> str:
    """The comparator column's heading: the council's label when all rows agree on one."""
    labels = {x for x in card[f"{column}_label"] if x}
    default = {"regional": "Region", "neighbours": "Stat. neighbours"}[column]
    return labels.pop() if len(labels) == 1 else default


def shown_rag(r) -> str:
    """'n/a' when there is no value; '–' when there is one but nothing to compare it with."""
    if r.rag == "n/a" and r.this is not None and not pd.isna(r.this):
        return "–"
    return str(r.rag)


# --- the trends ---------------------------------------------------------------------------------------


def indicator_trends(data: dict) -> str:
    history: pd.DataFrame = data["indicator_history"]
    card: pd.DataFrame = data["scorecard"]
    months = data["months"]
    labels = [month_label(m) for m in months]
    charts = []
    for unit in ("%", "per FTE"):
        for r in card[card["unit"] == unit].itertuples(index=False):
            mine = history[history["id"] == r.id].set_index("month")["value"]
            values = [_value(mine.get(m)) for m in months]
            if all(v is None for v in values):
                continue
            guides = {"Target": r.target, "National": r.national, "Region": r.regional}
            title = f"{r.title}" + (" (children per FTE)" if unit != "%" else " (%)")
            charts.append(
                line_chart(
                    labels,
                    {"Council": values},
                    title=title,
                    unit=unit,
                    width=340,
                    height=185,
                    guides=guides,
                    label_width=92,
                )
            )
    if not charts:
        return "<p>No indicator has a value yet.</p>"
    return '<div class="grid">' + "".join(f"<div>{c}</div>" for c in charts) + "</div>"


def _value(v: object) -> float | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    return float(v)


def area_trends(data: dict) -> str:
    areas: pd.DataFrame = data["areas"]
    months = data["months"]
    labels = [month_label(m) for m in months]
    if areas.empty or areas.isna().all().all():
        return "<p>No compliance scores yet.</p>"
    series = {str(a): [_value(v) for v in areas[a]] for a in areas.columns}
    chart = line_chart(
        labels, series, title="Compliance by area (%)", width=760, height=260, label_width=200
    )
    rows = [[(str(a), "")] + [_scored(_value(v), data) for v in areas[a]] for a in areas.columns]
    return f'<div class="keep">{chart}</div>' + table(
        ["Area", *labels], rows, set(range(1, len(labels) + 1))
    )


def _scored(v: float | None, data: dict) -> tuple[str, str]:
    if v is None:
        return "n/a", "color:#888"
    band = "Green" if v >= data["rag_green"] else "Amber" if v >= data["rag_amber"] else "Red"
    return f"{v:.1f}", RAG_STYLE[band]


def team_trends(data: dict) -> str:
    teams: pd.DataFrame = data["teams"]
    months = data["months"]
    labels = [month_label(m) for m in months]
    if teams.empty:
        return "<p>No team scores yet.</p>"
    parts = []
    for area, mine in teams.groupby("area", sort=True):
        wide = mine.pivot_table(index="team", columns="month", values="score", dropna=False)
        wide = wide.reindex(columns=months)
        block = [f"<h3>{esc(area)}</h3>"]
        if 1 < len(wide) <= 8:
            series = {str(t): [_value(v) for v in wide.loc[t]] for t in wide.index}
            block.append(
                line_chart(
                    labels,
                    series,
                    title=f"{area}: compliance by team (%)",
                    width=620,
                    height=210,
                    label_width=190,
                )
            )
        rows = [
            [(str(t), "")] + [_scored(_value(v), data) for v in wide.loc[t]] for t in wide.index
        ]
        block.append(table(["Team", *labels], rows, set(range(1, len(labels) + 1))))
        parts.append('<div class="keep">' + "".join(block) + "</div>")
    return "".join(parts)


def changes(data: dict) -> str:
    frame: pd.DataFrame = data["changes"]
    labels = [month_label(m) for m in frame["month"]]
    chart = bar_chart(
        labels,
        {k.capitalize(): [float(v) for v in frame[k]] for k in ("new", "persisting", "resolved")},
        title="Findings: new, persisting and resolved",
        width=max(360, 90 * len(labels) + 80),
    )
    rows = [
        plain([month_label(r.month), r.findings, r.new, r.persisting, r.resolved])
        for r in frame.itertuples(index=False)
    ]
    return (
        f'<div class="keep">{chart}</div>'
        + table(["Month", "Findings", "New", "Persisting", "Resolved"], rows, {1, 2, 3, 4})
        + '<p class="note">The first month counts every finding as new. Resolved: raised last '
        "month, not raised now, and not set aside by a moderator as correct recording.</p>"
    )


def overdue_actions(data: dict) -> str:
    per_month: pd.DataFrame = data["actions_by_month"]
    rows = [
        plain([month_label(r.month), r.open, r.overdue, r.done])
        for r in per_month.itertuples(index=False)
    ]
    out = [
        table(["Month", "Open actions", "Overdue actions", "Done actions"], rows, {1, 2, 3}),
        '<p class="note">n/a: that month\'s run recorded no actions (runs before actions were '
        "carried forward).</p>",
    ]
    items = data["actions_overdue"]
    latest = month_label(data["latest_month"])
    if items is None:
        out.append(f"<p>No actions recorded by the {esc(latest)} run (n/a).</p>")
    elif items.empty:
        out.append(f"<p>No action is overdue in {esc(latest)}.</p>")
    else:
        label = "Child (pseudonym)" if data["pseudonymised"] else "Child ID"
        out.append(f"<h3>Overdue actions, {esc(latest)}</h3>")
        out.append(
            table(
                [label, "Rule", "Team", "Action owner", "Action due", "Days past due"],
                [
                    plain(
                        [
                            r.child,
                            r.rule_id,
                            r.team,
                            r.action_owner,
                            day(r.action_due),
                            r.days_past_due,
                        ]
                    )
                    for r in items.itertuples(index=False)
                ],
                {5},
            )
        )
    return "".join(out)


def moderation(data: dict) -> str:
    by_month: pd.DataFrame = data["moderation_by_month"]
    if by_month.empty:
        return "<p>No moderation decisions recorded yet.</p>"
    rows = [
        plain([month_label(r.month), r.decisions, r.agree, pct(r.value)])
        for r in by_month.itertuples(index=False)
    ]
    out = [
        table(["Month decided", "Decisions", "Agree", "Agree %"], rows, {1, 2, 3}),
        '<p class="note">Manager–QA agreement: of the findings given both a team manager\'s and a '
        "QA moderator's decision, those where the QA moderator chose the manager's.</p>",
        "<h3>By rule (latest decision per finding)</h3>",
        table(
            ["Rule", "Decisions", "Agree", "Agree %"],
            [
                plain([r.rule_id, r.decisions, r.agree, pct(r.agree_percent)])
                for r in data["moderation"].itertuples(index=False)
            ],
            {1, 2, 3},
        ),
        "<h3>By team</h3>",
        table(
            ["Team", "Decisions", "Agree", "Agree %"],
            [
                plain([r.team, r.decisions, r.agree, pct(r.agree_percent)])
                for r in data["moderation_teams"].itertuples(index=False)
            ],
            {1, 2, 3},
        ),
    ]
    return "".join(out)


def practice(data: dict) -> str:
    frame: pd.DataFrame = data["practice_grades"]
    if frame.empty:
        return "<p>No practice audits graded yet.</p>"
    rows = [
        plain(
            [
                month_label(r["month"]),
                r["audits"],
                *[r[g] for g in GRADES],
                r["good_or_better"],
                pct(r["good_or_better_percent"]),
            ]
        )
        for r in frame.to_dict("records")
    ]
    heads = ["Month", "Graded", *GRADES, "Good or better", "Good or better %"]
    return table(heads, rows, set(range(1, len(heads)))) + (
        "<p class=\"note\">The moderator's grade where given, otherwise the auditor's.</p>"
    )


def longest_overdue(data: dict) -> str:
    frame: pd.DataFrame = data["overdue"]
    if frame.empty:
        return "<p>No Error finding is overdue.</p>"
    label = "Child (pseudonym)" if data["pseudonymised"] else "Child ID"
    return table(
        [label, "Rule", "Team", "Days overdue", "Finding"],
        [
            plain([r.child, r.rule_id, r.team, int(r.days_overdue), r.message])
            for r in frame.itertuples(index=False)
        ],
        {3},
    )


def render(data: dict) -> str:
    latest = month_label(data["latest_month"])
    as_at = pd.Timestamp(data["as_at"]).strftime("%d/%m/%Y")
    child_note = (
        "Children are shown by keyed pseudonyms; the key stays in the local history store."
        if data["pseudonymised"]
        else "Real child ids are shown: this page holds personal data."
    )
    sections = [
        ("Indicators month on month", indicator_trends(data)),
        ("Compliance by area, month on month", area_trends(data)),
        ("Compliance by team, month on month", team_trends(data)),
        ("Findings: new, persisting and resolved", changes(data)),
        ("Overdue actions", overdue_actions(data)),
        ("Moderation agreement", moderation(data)),
        ("Practice audits: grades", practice(data)),
        (f"Longest overdue findings, {latest}", longest_overdue(data)),
    ]
    body = "".join(
        f'<section><div class="keep"><h2>{esc(title)}</h2></div>{content}</section>'
        for title, content in sections
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Improvement board pack, {esc(latest)}</title>
<style>{CSS}</style></head><body>
<h1>Improvement board pack: casefile audit, {esc(latest)}</h1>
<p class="note">Latest export as at {esc(as_at)}; {len(data["months"])} month(s) in the history
store (the latest run of each month). Compliance: children in scope with no Error finding in the
area, as a percentage. {esc(child_note)}</p>
{scorecard(data)}
{body}
</body></html>
"""
