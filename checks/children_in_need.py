"""Children in need (List 6): seeing the child."""

from __future__ import annotations

from audits.engine.context import Context, hits
from audits.engine.registry import rule


@rule(
    "CIN-01",
    area="Children in need",
    severity="Error",
    title="Child not seen",
    basis="Local standard (L): a child in need is seen every 20 working days",
    condition="open; due WD(last seen, 20), or WD(CIN start, 20) if never seen",
    needs={"list6": ("cin_start", "cin_closed", "last_seen")},
    threshold="cin_visit_working_days",
)
def cin_not_seen(ctx: Context):
    table = ctx.table("list6")
    f = table.frame
    base = f["last_seen"].fillna(f["cin_start"])
    due = ctx.calendar.add_working_days(base, ctx.config.cin_visit_working_days)
    return hits(
        table,
        ctx.is_open(table) & (ctx.date > due),
        field="last_seen",
        due=due,
        what="Visit to see the child",
    )
