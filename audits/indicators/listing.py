"""`audit indicators`: every indicator with its definition, its comparators and, for each one
the DfE publishes, how the DfE's definition compares with ours (one line per pairing)."""

from __future__ import annotations

from audits.core.config import Config
from audits.indicators.comparators import national
from audits.indicators.definitions import AGE_BANDS, INDICATORS
from audits.indicators.published import comparator_ids, shipped
from audits.indicators.reconcile import council


def indicator_rows(config: Config) -> list[dict]:
    """One entry per indicator: id, title, unit, better, definition (its first paragraph),
    where it comes from, target, the national figure, and its DfE pairings (comparator id,
    publication and table, years shipped, match)."""
    t = shipped()
    table = national()
    out = []
    for ind in INDICATORS:
        own = config.indicators.get(ind.id, {})
        comp = table.get(ind.id)
        pairs = [
            {
                "comparator": cid,
                "source": f"{t.pairs[cid]['publication']}, {t.pairs[cid]['table']}",
                "years": f"{min(t.pairs[cid]['years'])}-{max(t.pairs[cid]['years'])}",
                "match": t.pairs[cid]["match"],
            }
            for cid in comparator_ids(ind.id)
        ]
        out.append(
            {
                "id": ind.id,
                "title": ind.title,
                "unit": ind.unit,
                "better": ind.better,
                "definition": " ".join(ind.definition.split("\n\n")[0].split()),
                "from": "the history store (audit board)" if ind.compute is None else "each run",
                "target": own.get("target"),
                "national": (
                    f"{comp.value:g}{'%' if ind.unit == '%' else ' per FTE'} ({comp.period}; "
                    f"{comp.source})"
                    if comp
                    else None
                ),
                "pairs": pairs,
                "bands": list(AGE_BANDS.get(ind.id, ())),
            }
        )
    return out


def indicator_lines(config: Config) -> list[str]:
    """The listing as printed by `audit indicators`."""
    lines = []
    home = council(config.la_code)
    if home:
        names = ", ".join(n["la_name"] for n in home["neighbours"])
        lines += [
            f"Council: {home['la_name']} (DfE {home['la_code']}), {home['region']}; statistical "
            f"neighbours (DfE model 2025): {names}",
            "",
        ]
    for r in indicator_rows(config):
        unit = "%" if r["unit"] == "%" else "children per FTE"
        lines.append(f"{r['id']:<18} {r['title']} ({unit}; {r['better']} is better)")
        lines.append(f"{'':<19}counts: {r['definition']}")
        lines.append(f"{'':<19}from: {r['from']}")
        if r["target"] is not None:
            lines.append(f"{'':<19}target: {r['target']:g}")
        if r["national"]:
            lines.append(f"{'':<19}national: {r['national']}")
        for p in r["pairs"]:
            lines.append(f"{'':<19}published: {p['source']} ({p['years']}): {p['match']}")
        if not r["pairs"]:
            if r["bands"]:
                lines.append(f"{'':<19}published: by age band only, see {' and '.join(r['bands'])}")
            elif r["from"] == "each run":
                lines.append(f"{'':<19}published: no DfE counterpart")
    lines += ["", shipped().attribution]
    return lines
