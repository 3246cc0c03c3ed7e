"""Every run's indicators: each definition computed from the canonical lists and the findings,
null with its reason when an input is absent, then described with its target, comparators and
RAG (`audits.indicators.comparators`)."""

from __future__ import annotations

from audits.engine.context import Context
from audits.engine.run import RunResult
from audits.indicators.comparators import describe
from audits.indicators.definitions import INDICATORS, Indicator, value_of

# --- running them ------------------------------------------------------------------------------


def _missing(ind: Indicator, ctx: Context, ran: dict[str, str | None]) -> str | None:
    """Why the indicator cannot be computed (None: it can)."""
    for key, columns in ind.needs:
        table = ctx.table(key)
        name = f"List {key[4:]}" if key.startswith("list") else f"the {key} table"
        if table is None:
            return f"{name} is not in the export"
        absent = [c for c in columns if c not in table.columns]
        if absent:
            headings = ", ".join(f"'{table.spec.field(c).heading}'" for c in absent)
            return f"{name} has no column {headings}"
    blank = _rests_on_nothing(ind, ctx)
    if blank is not None:
        return blank
    if ind.id == "IND-DQ" and not any(ctx.table(f"list{n}") for n in range(1, 11)):
        return "no Annex A list 1 to 10 is in the export"
    if ind.rule is not None:
        if ind.rule not in ran:
            return f"{ind.rule} was not run"
        if ran[ind.rule] is not None:
            return f"{ind.rule} was not run ({ran[ind.rule]})"
    return None


def _rests_on_nothing(ind: Indicator, ctx: Context) -> str | None:
    """Why the counts would be silently wrong: a column they rest on is blank in every row, or
    every value in it was unreadable (None: each holds something)."""
    for key, columns in ind.rests_on:
        table = ctx.table(key)
        if table is None or table.frame.empty:
            continue  # absent or empty: `needs` and the denominator say so
        for column in columns:
            if column not in table.columns or table.frame[column].notna().any():
                continue
            heading = table.headings.get(column, table.spec.field(column).heading)
            bad = ctx.export.unreadable
            unreadable = int(
                ((bad["list"].astype(str) == table.spec.label) & (bad["field"] == column)).sum()
            )
            where = f"{table.spec.display} column '{heading}'"
            if unreadable:
                return (
                    f"{where} holds no readable value ({unreadable:,} unreadable, listed as "
                    "DQ-04 on Data quality)"
                )
            return f"{where} is blank in every row (the export may not fill it)"
    present = [
        (key, column)
        for key, column in ind.rests_on_any
        if (t := ctx.table(key)) is not None and column in t.columns and not t.frame.empty
    ]
    if present and not any(ctx.table(k).frame[c].notna().any() for k, c in present):  # type: ignore[union-attr]
        lists = ", ".join(ctx.table(k).spec.display for k, _ in present)  # type: ignore[union-attr]
        return f"no row names a worker: the worker column is blank in every row of {lists}"
    return None


def compute_indicators(ctx: Context, result: RunResult) -> list[dict]:
    """Every run's indicators, with targets, comparators and RAG (see `audits.comparators`)."""
    ran = {o.rule.id: (None if o.ran else o.reason) for o in result.outcomes}
    findings = result.findings
    out = []
    for ind in INDICATORS:
        if ind.compute is None:
            continue
        reason = _missing(ind, ctx, ran)
        numerator = denominator = None
        if reason is None:
            num, den = ind.compute(ctx, findings)
            numerator, denominator = _number(num), _number(den)
            if not den:
                reason = f"the denominator is 0: no {ind.of}"
        value = None if reason else value_of(ind, numerator or 0, denominator or 0)
        out.append(describe(ind, value, numerator, denominator, reason, ctx.config))
    return out


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(float(x), 2)
