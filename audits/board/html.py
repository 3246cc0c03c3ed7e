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
from audits.board.labels import month_label, shown_rag
from audits.indicators.reconcile import neighbours_sentence
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
.note.tight { font-size: 9px; line-height: 1.2; margin: 3px 0 1px; }
.small { color: #666; font-size: 10px; }
.keep { break-inside: avoid; page-break-inside: avoid; }
.grid { display: flex; flex-wrap: wrap; gap: 4px 10px; }
.grid > div { break-inside: avoid; page-break-inside: avoid; }
table.score td { padding: 2px 6px; }
table.score td.rag { font-weight: bold; text-align: center; }
sup { font-size: 8px; line-height: 0; }
table.score th { font-size: 10px; vertical-align: bottom; }
table.score td.c, table.score th.c { text-align: center; }
.why { color: #7A4500; font-size: 9.5px; }
.pairs { font-size: 8.5px; color: #333; margin-top: 2px; line-height: 1.2; }
.pairs div { white-space: nowrap; }
.pairs .lead { color: #555; }
.attrib { font-size: 8px; color: #555; margin-top: 2px; line-height: 1.2; }
table.score { width: 100%; }
table.score td { white-space: nowrap; }
table.score td:first-child { white-space: normal; width: 40%; }
.id { color: #777; font-size: 8px; white-space: nowrap; }
.warn { font-size: 9.5px; margin-top: 4px; padding: 2px 6px; border-left: 3px solid #C00000; }
.warn.ok { border-left-color: #006100; }
.warn ul { margin: 1px 0 0 16px; padding: 0; }
@page { size: A4 landscape; margin: 8mm; }
@media print {
  body { margin: 0; max-width: none; }
  .scorecard { break-after: page; page-break-after: always; }
  .scorecard h2 { margin-top: 0; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  table.score { font-size: 10px; }
  table.score td { padding: 1px 5px; }
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

NA_STYLE = "color:#888"


def value_text(value: object, unit: str) -> str:
    """A figure as the board shows it; '–' when there is none to show (nothing to compare)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return fmt(value, unit)


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def scorecard(data: dict) -> str:
    card: pd.DataFrame = data["scorecard"]
    months = data["months"]
    this_label = month_label(months[-1])
    last_label = month_label(months[-2]) if len(months) > 1 else "Last month"
    home = data.get("council")
    region_head = "Region"
    neighbour_head = "Stat. neighbours: median (range, n)"
    own_head = f"{home['la_name']} (DfE)" if home else ""
    config_region = {r for r in card["region_label"] if r}
    if not home and len(config_region) == 1:
        region_head = config_region.pop()
    labels = {x for x in card["neighbours_label"] if x}
    if not home and len(labels) == 1:
        neighbour_head = labels.pop()
    head = [
        ("Indicator (▲ higher is better, ▼ lower)", ""),
        (this_label, "n"),
        (last_label, "n"),
        ("Change", "n"),
        ("Target", "n"),
        ("RAG", "c"),
        ("England", "n"),
        (region_head, "n"),
        (neighbour_head, "n"),
        *([(own_head, "n")] if home else []),  # the council's own: only when it is named
    ]
    national_notes: dict[str, int] = {}
    rows = []
    for r in card.itertuples(index=False):
        title = f"{'▲' if r.better == 'higher' else '▼'} {esc(r.title)} "
        title += f"<span class='id'>{esc(r.id)}</span>"
        if not _given(r.this):
            title += f'<div class="why">n/a: {esc(r.reason or "no value this month")}</div>'
        counted = ""
        if _given(r.this) and _given(r.numerator):
            counted = (
                f"{r.numerator:g}/{r.denominator:g}"
                if r.unit == "%"
                else f"{r.numerator:g} / {r.denominator:g} FTE"
            )
            counted = f' <span class="small">{esc(counted)}</span>'
        this = f"<b>{esc(fmt(r.this, r.unit))}</b>{counted}" if _given(r.this) else "n/a"
        last = esc(fmt(r.last, r.unit)) if _given(r.last) else "n/a"
        last = "–" if len(months) < 2 else last  # no last month: nothing to compare with
        england = value_text(r.england, r.unit)
        if _given(r.england) and not r.published_source and r.national_source:
            text = f"{r.national_source}; {r.national_period}"
            if r.national_derived:
                text += f" (derived: {r.national_derived})"
            mark = national_notes.setdefault(text, len(national_notes) + 1)
            england = f"{esc(england)}<sup>{mark}</sup>"
        else:
            england = esc(england)
        sn = esc(value_text(r.neighbours, r.unit))
        if _given(r.neighbours) and _given(r.neighbours_count):
            sn += (
                f' <span class="small">({r.neighbours_min:.1f}–{r.neighbours_max:.1f}, '
                f"{r.neighbours_count:g})</span>"
            )
        own = value_text(r.council_dfe, r.unit)
        if _given(r.council_dfe):
            own = f'{esc(own)} <span class="small">{esc(r.council_dfe_period)}</span>'
        cells = [
            (title, ""),
            (this, "n"),
            (last, "n"),
            (esc(r.change), "n", CHANGE_STYLE.get(r.judgement, "")),
            (esc(value_text(r.target, r.unit)), "n"),
            (esc(shown_rag(r)), "rag", RAG_STYLE.get(r.rag, NA_STYLE)),
            (england, "n"),
            (esc(value_text(r.region, r.unit)), "n"),
            (sn, "n"),
            *([(own, "n")] if home else []),
        ]
        rows.append(
            "<tr>"
            + "".join(
                f'<td class="{c[1]}" style="{c[2] if len(c) > 2 else ""}">{c[0]}</td>'
                for c in cells
            )
            + "</tr>"
        )
    heads = "".join(f'<th class="{cls}">{esc(h)}</th>' for h, cls in head)
    return f"""<section class="scorecard">
<h2>Scorecard, {esc(this_label)}{esc(_council_line(home))}</h2>
<table class="score"><thead><tr>{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table>
<p class="note tight">RAG: against the council's target where one is set, otherwise the national
figure, otherwise England's published figure. Green: met or better (equal is met); Amber: worse
by no more than {data["amber_points"]:g} percentage points ({data["amber_caseload"]:g} per FTE
for the caseload); Red: worse than that. n/a: no value this month (the reason is given);
–: nothing to compare with. Change since last month: ▲ up, ▼ down, in percentage points (pp) or
children per FTE; green when better, red when worse.</p>
{_pairings(card)}{_national_notes(national_notes)}{_sources(card)}{_attribution(data)}
{_warnings(data)}
</section>"""


def _council_line(home: dict | None) -> str:
    if not home:
        return ""
    return f": {home['la_name']} (DfE {home['la_code']}), {home['region']}"


def _pairings(card: pd.DataFrame) -> str:
    """One line per indicator paired with a DfE figure: its source and how the definitions
    match."""
    lines = [
        f"<div><b>{esc(r.id)}</b>: {esc(r.match)}</div>"
        for r in card.itertuples(index=False)
        if r.match
    ]
    if not lines:
        return ""
    return (
        '<div class="pairs"><div class="lead">The DfE\'s published figures (the council\'s '
        "latest published year, its neighbours, region and England of that year) and how each "
        "definition compares with ours:</div>" + "".join(lines) + "</div>"
    )


def _sources(card: pd.DataFrame) -> str:
    """The publications and tables the published figures come from, one sentence each."""
    tables: dict[str, list[str]] = {}
    for source in card["published_source"]:
        if source:
            publication, _, part = str(source).rpartition(", ")
            if part not in tables.setdefault(publication, []):
                tables[publication].append(part)
    if not tables:
        return ""
    text = " ".join(f"{pub}: {'; '.join(parts)}." for pub, parts in tables.items())
    return f'<div class="attrib">Sources: {esc(text)}</div>'


def _national_notes(notes: dict[str, int]) -> str:
    if not notes:
        return ""
    return (
        '<div class="pairs">'
        + "".join(f"<div><sup>{n}</sup> {esc(s)}</div>" for s, n in notes.items())
        + "</div>"
    )


def _attribution(data: dict) -> str:
    home = data.get("council")
    text = data.get("attribution")
    if not text:
        return ""
    names = neighbours_sentence(home)
    return f'<div class="attrib">{esc(text)}{esc(" " + names if names else "")}</div>'


WARNINGS_ON_SCORECARD = 4


def _warnings(data: dict) -> str:
    """The month's export warnings, under the scorecard (the first few; all later)."""
    warnings = data.get("warnings") or []
    latest = month_label(data["latest_month"])
    if not warnings:
        return f'<div class="warn ok">{esc(latest)} export: no warnings.</div>'
    shown = warnings[:WARNINGS_ON_SCORECARD]
    more = len(warnings) - len(shown)
    items = "".join(f"<li>{esc(w.get('message') or w.get('kind'))}</li>" for w in shown)
    tail = (
        f"<li>and {more} more, listed under “Export warnings” at the end of this pack</li>"
        if more
        else ""
    )
    return (
        f'<div class="warn"><b>{esc(latest)} export: {len(warnings)} warning(s). Read before '
        f"relying on the figures:</b><ul>{items}{tail}</ul></div>"
    )


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
            guides = {"Target": r.target, "England": r.england, "Region": r.region}
            title = f"{r.title}" + (" (children per FTE)" if unit != "%" else " (%)")
            charts.append(
                line_chart(
                    labels,
                    {"Council": values},
                    title=title,
                    unit=unit,
                    width=340,
                    height=198,
                    guides=guides,
                    label_width=92,
                    better=r.better,
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
        labels,
        series,
        title="Compliance by area (%)",
        width=760,
        height=272,
        label_width=200,
        better="higher",
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
                    height=222,
                    label_width=190,
                    better="higher",
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
        height=232,
        note="fewer new and persisting, more resolved is better; axis from 0",
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
        "carried forward; Done: runs before actions could be closed).</p>",
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
    rule = f'<p class="note">{esc(data["month_rule"])}</p>'
    if by_month.empty and not data.get("moderation_unattributed"):
        return "<p>No moderation decisions recorded yet.</p>" + rule
    rows = [
        plain([month_label(r.month), r.decisions, r.agree, pct(r.value)])
        for r in by_month.itertuples(index=False)
    ]
    unattributed = data.get("moderation_unattributed") or 0
    out = [
        table(["Audit month reviewed", "Decisions", "Agree", "Agree %"], rows, {1, 2, 3}),
        '<p class="note">Manager–QA agreement: of the findings given both a team manager\'s and a '
        "QA moderator's decision, those where the QA moderator chose the manager's.</p>",
        rule,
        (
            f'<p class="note">{unattributed} decision(s) entered before any audit run are in no '
            "month (they are in the rule and team tables below).</p>"
            if unattributed
            else ""
        ),
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
    heads = ["Audit month", "Graded", *GRADES, "Good or better", "Good or better %"]
    return table(heads, rows, set(range(1, len(heads)))) + (
        "<p class=\"note\">The moderator's grade where given, otherwise the auditor's. "
        f"{esc(data['month_rule'])}</p>"
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


def reconciliation(data: dict) -> str:
    """Year-end runs: the council's computed figure beside its own published one."""
    parts = []
    for month, rec in data["reconciliations"][::-1]:
        block = [f"<h3>{esc(month_label(month))}: as at {esc(day(rec['as_at']))}</h3>"]
        if rec.get("rows"):
            block.append(
                table(
                    ["Indicator", "Year", "Computed", "Published (DfE)", "Difference", "Gap"],
                    [
                        [
                            (f"{r['title']} ({r['id']})", ""),
                            (r["period"], ""),
                            _counted(r["ours"], r["unit"]),
                            _counted(r["published"], r["unit"]),
                            (_difference(r["difference"], r["unit"]), ""),
                            (r["gap"], "color:#9C0006;font-weight:bold" if r["large"] else ""),
                        ]
                        for r in rec["rows"]
                    ],
                    {2, 3, 4},
                )
            )
        if rec.get("note"):
            block.append(f'<p class="note">{esc(rec["note"])}.</p>')
        parts.append('<div class="keep">' + "".join(block) + "</div>")
    return "".join(parts) + (
        '<p class="note">A year-end run (as at 31 March; 30 September for the workforce census) '
        "is set beside the figure the DfE published for the same council and year. A gap wider "
        "than the indicator's Amber band is large: the export and the statutory return disagree, "
        "or the definitions do (see the scorecard's notes on how each pairing differs).</p>"
    )


def _counted(part: dict, unit: str) -> tuple[str, str]:
    value = part.get("value")
    if value is None:
        return "n/a", NA_STYLE
    counts = ""
    if part.get("numerator") is not None and part.get("denominator") is not None:
        counts = f" ({part['numerator']:g}/{part['denominator']:g})"
    return fmt(value, unit) + counts, ""


def _difference(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{abs(value):.1f} {'pp' if unit == '%' else 'per FTE'}"


def export_warnings(data: dict) -> str:
    warnings = data.get("warnings") or []
    return table(
        ["Warning", "List", "Column", "Rules affected"],
        [
            plain(
                [
                    w.get("message") or w.get("kind"),
                    f"List {w['list']}" if w.get("list") not in (None, "") else "",
                    w.get("column") or "",
                    ", ".join(w.get("rules") or []),
                ]
            )
            for w in warnings
        ],
        set(),
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
        *(
            [("Year-end reconciliation: computed and published", reconciliation(data))]
            if data["reconciliations"]
            else []
        ),
        ("Indicators month on month", indicator_trends(data)),
        ("Compliance by area, month on month", area_trends(data)),
        ("Compliance by team, month on month", team_trends(data)),
        ("Findings: new, persisting and resolved", changes(data)),
        ("Overdue actions", overdue_actions(data)),
        ("Moderation agreement", moderation(data)),
        ("Practice audits: grades", practice(data)),
        (f"Longest overdue findings, {latest}", longest_overdue(data)),
        *(
            [(f"Export warnings, {latest}", export_warnings(data))]
            if len(data.get("warnings") or []) > WARNINGS_ON_SCORECARD
            else []
        ),
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
<p class="note tight">Latest export as at {esc(as_at)}; {len(data["months"])} month(s) in the
history store (the latest run of each month). Compliance: children in scope with no Error finding
in the area, as a percentage. {esc(child_note)}</p>
{scorecard(data)}
{body}
</body></html>
"""
