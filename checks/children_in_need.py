"""Children in need (List 6): seeing the child."""

from __future__ import annotations

from audits.engine.context import Context, hits
from audits.engine.registry import rule
from audits.engine.review_hits import late_visits


@rule(
    "CIN-01",
    area="Children in need",
    severity="Error",
    title="Child not seen",
    basis="Local standard (L): a child in need is seen every 20 working days",
    condition="open; due WD(last seen, 20), or WD(CIN start, 20) if never seen. With the visit "
    "history (SSD): also every interval between visits at which the child was seen, the first "
    "against WD(CIN start, 20), each next against WD(previous, 20), reported when the late "
    "visit falls in the audit period, even when the latest is in time",
    needs={"list6": ("cin_start", "cin_closed", "last_seen")},
    threshold="cin_visit_working_days",
)
def cin_not_seen(ctx: Context):
    """A child in need is seen at least every 20 working days (local standard). On Annex A only
    the date last seen is known, so the open episode's next due date is judged. The SSD holds
    every visit: then each interval of the episode is judged too (visits with the child seen =
    Y only), and a visit that came late in the audit period is a finding even when the child
    has been seen in time since (a stronger rule on a history). The interval before a closure
    is not judged (closing may have been the right action)."""
    table = ctx.table("list6")
    f = table.frame
    n = ctx.config.cin_visit_working_days
    base = f["last_seen"].fillna(f["cin_start"])
    due = ctx.calendar.add_working_days(base, n)
    now = hits(
        table,
        ctx.is_open(table) & (ctx.date > due),
        field="last_seen",
        due=due,
        what="Visit to see the child",
    )
    history = ctx.table("cin_visits")
    if history is None:
        return now
    visits = history.frame[history.frame["seen"] == "Yes"]
    return [
        now,
        late_visits(ctx, table, visits, "cin_start", n, "Visit to see the child", "last_seen"),
    ]
