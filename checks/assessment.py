"""Assessments (List 4): the 45-working-day timescale and seeing the child."""

from __future__ import annotations

from audits.engine.context import Context, hits
from audits.engine.registry import rule

TIMESCALE = 45
BASIS = "Working Together to Safeguard Children 2023, ch. 3: assessment within 45 working days"


@rule(
    "ASM-01",
    area="Assessment",
    severity="Error",
    title="Open assessment past 45 working days",
    basis=BASIS,
    condition="no authorisation (or one after the as-at date) and D > WD(start, 45)",
    needs={"list4": ("assessment_start", "assessment_authorised")},
)
def open_assessment_overdue(ctx: Context):
    table = ctx.table("list4")
    due = ctx.working_days(table, "assessment_start", TIMESCALE)
    return hits(
        table,
        ctx.is_open(table) & (ctx.date > due),
        field="assessment_start",
        due=due,
        what="Assessment authorisation",
    )


@rule(
    "ASM-02",
    area="Assessment",
    severity="Error",
    title="Assessment authorised late",
    basis=BASIS,
    condition="authorised (on or before D) and authorised > WD(start, 45)",
    needs={"list4": ("assessment_start", "assessment_authorised")},
)
def assessment_authorised_late(ctx: Context):
    table = ctx.table("list4")
    f = table.frame
    due = ctx.working_days(table, "assessment_start", TIMESCALE)
    authorised = f["assessment_authorised"]
    return hits(
        table,
        ~ctx.is_open(table) & (authorised > due),
        field="assessment_authorised",
        due=due,
        completed=authorised,
        what="Assessment authorisation",
    )


@rule(
    "ASM-03",
    area="Assessment",
    severity="Error",
    title="Child not recorded as seen during assessment",
    basis="Working Together to Safeguard Children 2023, ch. 3: the child is seen",
    condition="authorised and Child Seen During Continuous Assessment is No or blank",
    needs={"list4": ("assessment_authorised", "child_seen")},
)
def child_not_seen_in_assessment(ctx: Context):
    table = ctx.table("list4")
    seen = table.frame["child_seen"]
    return hits(
        table,
        ~ctx.is_open(table) & (seen.isna() | (seen == "No")),
        field="child_seen",
        message="Child not recorded as seen during the assessment",
    )
