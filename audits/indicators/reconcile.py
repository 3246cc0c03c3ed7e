"""Year-end reconciliation (DESIGN §3b): a run whose as-at date ends a published year (31 March
for the children in need and looked-after figures, 30 September for the workforce census) sets
the council's figure computed from its own export beside the figure the DfE published for the
same council and year. A large gap is a data-quality signal for the QA team: the export and the
statutory return disagree, or the definitions do (each pairing's `match` says how).

"Large": the difference is wider than the indicator's Amber band (`indicator_amber_points`
percentage points, `indicator_amber_caseload` per FTE, or the indicator's own `amber`).
"""

from __future__ import annotations

import datetime as dt

from audits.core.config import Config
from audits.indicators.comparators import amber_band
from audits.indicators.definitions import BY_ID
from audits.indicators.published import (
    comparator_ids,
    council_figure,
    shipped,
    shipped_years,
    year_end_dates,
    year_ending,
)

# The DfE's symbols for a figure it does not give, in words.
SYMBOLS = {
    "c": "suppressed by the DfE (c)",
    "x": "not available (x)",
    "u": "low reliability, not published (u)",
    "z": "not applicable (z)",
    "k": "fewer than 0.5, not published as a figure (k)",
    "low": "fewer than 0.5, not published as a figure (low)",
    "blank": "not published",
}


def council(la_code: str | None) -> dict | None:
    """The council named by the config: code, name, region and its ten statistical neighbours
    (DfE model 2025), closest first."""
    if la_code is None:
        return None
    t = shipped()
    home = t.councils[la_code]
    return {
        "la_code": home.la_code,
        "la_name": home.la_name,
        "region": home.region_name,
        "neighbours": [
            {"la_code": c, "la_name": t.councils[c].la_name} for c in t.neighbours.get(la_code, ())
        ],
        "neighbour_model": "DfE children's services statistical neighbour benchmarking model 2025",
    }


def neighbours_sentence(home: dict | None) -> str | None:
    """ "Bradford's statistical neighbours (DfE model 2025): ..." (None: no council named)."""
    if not home or not home.get("neighbours"):
        return None
    names = ", ".join(n["la_name"] for n in home["neighbours"])
    return f"{home['la_name']}'s statistical neighbours (DfE model 2025): {names}."


def reconciliation(indicators: list[dict], as_at: dt.date, config: Config) -> dict | None:
    """The run's computed figures beside the council's published ones for the year its as-at
    date ends; None when the as-at date ends no published year. Needs `la_code`."""
    rows, pending = [], []
    for ind in indicators:
        cids = comparator_ids(ind["id"])
        if len(cids) != 1:
            continue
        cid = cids[0]
        if (as_at.month, as_at.day) not in year_end_dates(cid):
            continue
        year = year_ending(cid, as_at)
        if year is None:
            pending.append((ind["id"], shipped_years(cid)))
            continue
        if config.la_code is None:
            continue
        rows.append(_row(ind, cid, year, config))
    if not rows and not pending:
        return None
    out: dict = {"as_at": as_at.isoformat(), "rows": rows}
    if config.la_code is None and not pending:
        out["note"] = (
            "the as-at date ends a published year, but the config names no council (la_code): "
            "nothing to reconcile with"
        )
    if pending:
        first = min(years[0] for _, years in pending)
        latest = max(years[1] for _, years in pending)
        out["note"] = (
            f"the DfE's figures for the year ending {as_at:%d %b %Y} are not in the shipped "
            f"tables (they hold {first} to {latest}): {', '.join(i for i, _ in pending)} not "
            "reconciled"
        )
    return out


def _row(ind: dict, cid: str, year: int, config: Config) -> dict:
    fig = council_figure(cid, config.la_code, year)
    ours, theirs = ind.get("value"), fig["value"]
    difference = None if ours is None or theirs is None else round(ours - theirs, 1)
    band = amber_band(BY_ID[ind["id"]], config, config.indicators.get(ind["id"], {}))
    if theirs is None:
        why = SYMBOLS.get(fig["symbol"] or "", "not published") if fig["symbol"] else None
        gap = f"no published figure: {why or 'the council has no entry that year'}"
    elif ours is None:
        gap = f"no computed figure: {ind.get('reason') or 'n/a'}"
    else:
        gap = "large" if abs(difference) > band else "within the Amber band"
    return {
        "id": ind["id"],
        "title": ind["title"],
        "unit": ind["unit"],
        "comparator": cid,
        "year": year,
        "period": fig["period"],
        "ours": {
            "value": ours,
            "numerator": ind.get("numerator"),
            "denominator": ind.get("denominator"),
            "reason": ind.get("reason"),
        },
        "published": {
            "value": theirs,
            "numerator": fig["numerator"],
            "denominator": fig["denominator"],
            "symbol": fig["symbol"],
            "la_code": fig["la_code"],
            "la_name": fig["la_name"],
        },
        "difference": difference,
        "band": band,
        "gap": gap,
        "large": difference is not None and abs(difference) > band,
        "source": fig["source"],
    }
