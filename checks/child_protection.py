"""Section 47 enquiries (List 5) and child protection plans (List 7)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audits.core.calendar import add_months
from audits.engine.context import Context, hits
from audits.engine.registry import rule
from audits.engine.review_hits import late_visits, review_hits

ICPC_WORKING_DAYS = 15
WT = "Working Together to Safeguard Children 2023"


@rule(
    "S47-01",
    area="Child protection",
    severity="Error",
    title="ICPC held late",
    basis=f"{WT}, ch. 3: ICPC within 15 working days of the strategy discussion",
    condition="ICPC date present and > WD(strategy discussion, 15)",
    needs={"list5": ("strategy_date", "icpc_date")},
)
def icpc_late(ctx: Context):
    table = ctx.table("list5")
    f = table.frame
    due = ctx.working_days(table, "strategy_date", ICPC_WORKING_DAYS)
    return hits(
        table,
        f["icpc_date"].notna() & (f["icpc_date"] > due),
        field="icpc_date",
        due=due,
        completed=f["icpc_date"],
        what="Initial child protection conference",
    )


@rule(
    "S47-02",
    area="Child protection",
    severity="Error",
    title="ICPC overdue",
    basis=f"{WT}, ch. 3: ICPC within 15 working days of the strategy discussion",
    condition="no ICPC date, ICPC not deemed unnecessary, and D > WD(strategy discussion, 15)",
    needs={"list5": ("strategy_date", "icpc_date", "icpc_unnecessary")},
)
def icpc_overdue(ctx: Context):
    table = ctx.table("list5")
    f = table.frame
    due = ctx.working_days(table, "strategy_date", ICPC_WORKING_DAYS)
    return hits(
        table,
        f["icpc_date"].isna() & (f["icpc_unnecessary"] != "Yes") & (ctx.date > due),
        field="icpc_date",
        due=due,
        what="Initial child protection conference",
    )


@rule(
    "CP-01",
    area="Child protection",
    severity="Error",
    title="Statutory visit overdue",
    basis="Local standard (L): child on a plan visited every 10 working days",
    condition="open plan; due WD(last visit, 10), or WD(plan start, 10) if never visited. With "
    "the visit history (SSD): also every interval between the plan's visits (a visit at which "
    "the child was recorded as not seen does not count), the first against WD(plan start, 10), "
    "each next against WD(previous, 10), reported when the late visit falls in the audit "
    "period, even when the latest is in time",
    needs={"list7": ("plan_start", "plan_end", "last_visit")},
    threshold="cp_visit_working_days",
)
def cp_visit_overdue(ctx: Context):
    """A child on a plan is visited every 10 working days (local standard). On Annex A only the
    latest visit is known, so the open plan's next due date is judged. The SSD holds every
    statutory visit: then each interval of the plan is judged too, and a visit that came late
    in the audit period is a finding even when the plan is in time now (a stronger rule on a
    history). A visit recorded with the child not seen does not count; one with Seen blank does.
    The interval before the plan ended is not judged."""
    table = ctx.table("list7")
    f = table.frame
    n = ctx.config.cp_visit_working_days
    base = f["last_visit"].fillna(f["plan_start"])
    due = ctx.calendar.add_working_days(base, n)
    now = hits(
        table,
        ctx.is_open(table) & (ctx.date > due),
        field="last_visit",
        due=due,
        what="Statutory visit",
    )
    history = ctx.table("cp_visits")
    if history is None:
        return now
    visits = history.frame[history.frame["seen"] != "No"]
    return [now, late_visits(ctx, table, visits, "plan_start", n, "Statutory visit", "last_visit")]


@rule(
    "CP-02",
    area="Child protection",
    severity="Error",
    title="Review conference overdue",
    basis=f"{WT}, ch. 3: first review within 3 months of the ICPC, then every 6 months",
    condition="open plan; due M(latest review, 6), or M(plan start, 3) if none. With the "
    "review history (CIN census, SSD): also every review of every plan, the first late if "
    "> M(plan start, 3), each later one if > M(previous review, 6), even when the latest is in "
    "time (the SSD: reviews held in the audit period)",
    needs={"list7": ("plan_start", "plan_end", "latest_review")},
)
def cp_review_overdue(ctx: Context):
    """Working Together 2023, ch. 3: first review conference within 3 months of the plan (the
    ICPC), then at most every 6 months. On Annex A only the latest review is known, so the rule
    judges the open plan's next due date. A CIN census and the SSD carry every review date: then
    each interval is judged too, and a review held late is a finding even if the plan is in time
    now (a stronger rule on a history). The SSD's six years of reviews are reported for those
    held in the audit period (the earlier ones are their predecessors)."""
    table = ctx.table("list7")
    f = table.frame
    due = add_months(f["latest_review"], 6).where(
        f["latest_review"].notna(), add_months(f["plan_start"], 3)
    )
    now = hits(
        table,
        ctx.is_open(table) & (ctx.date > due),
        field="latest_review",
        due=due,
        what="Review conference",
    )
    history = ctx.table("cp_reviews")
    if history is None:
        return now
    return [now, late_in_history(table, history, ctx)]


def late_in_history(plans, history, ctx: Context):
    """Each review of the history judged against the one before (the first against the plan
    start): the review itself is the completed date, the finding names it as its item."""
    r = history.frame.dropna(subset=["review_date"])
    r = r.sort_values(["_plan", "review_date"], kind="stable")
    plan = r["_plan"].to_numpy()
    previous = r.groupby("_plan")["review_date"].shift()
    start = pd.Series(plans.frame["plan_start"].to_numpy()[plan], index=r.index)
    due = add_months(previous, 6).where(previous.notna(), add_months(start, 3))
    late = (r["review_date"] > due).to_numpy()
    if ctx.period_start is not None:  # histories spanning years: the audit period's reviews
        late = late & ctx.in_period(r["review_date"]).to_numpy(bool)
    field = history.spec.field("review_date").heading
    return review_hits(plans, r[late], plan[late], due[late], "Review conference", field)


@rule(
    "CP-03",
    area="Child protection",
    severity="Query",
    title="Plan open two years or more",
    basis="Local practice: plans of 2 years or more are reviewed for drift",
    condition="open plan and D >= M(plan start, 24)",
    needs={"list7": ("plan_start", "plan_end")},
)
def cp_plan_two_years(ctx: Context):
    table = ctx.table("list7")
    f = table.frame
    two_years = add_months(f["plan_start"], 24)
    mask = ctx.is_open(table) & (ctx.date >= two_years)
    start = f["plan_start"][mask]
    message = (
        "Child protection plan open since "
        + start.dt.strftime("%d/%m/%Y")
        + (" (" + _whole_months(start, ctx.date).astype("Int64").astype(str) + " months)")
    )
    return hits(table, mask, field="plan_start", due=two_years, message=message)


def _whole_months(start: pd.Series, at: pd.Timestamp) -> pd.Series:
    months = (at.year - start.dt.year) * 12 + (at.month - start.dt.month)
    return months - (start.dt.day > at.day).astype(int)


@rule(
    "CP-04",
    area="Child protection",
    severity="Query",
    title="Child not recorded as seen alone",
    basis=f"{WT}, ch. 3: the child is seen alone",
    condition="open plan and Was the Child Seen Alone? is No or blank",
    needs={"list7": ("plan_end", "seen_alone")},
)
def cp_not_seen_alone(ctx: Context):
    table = ctx.table("list7")
    seen = table.frame["seen_alone"]
    return hits(
        table,
        ctx.is_open(table) & (seen.isna() | (seen == "No")),
        field="seen_alone",
        message="Child on a plan not recorded as seen alone",
    )


@rule(
    "CP-05",
    area="Child protection",
    severity="Query",
    title="Child not seen alone at a visit",
    basis=f"{WT}, ch. 3: the child protection plan sets out how the child is seen, including on "
    "their own; seeing the child alone at every statutory visit is a local standard (L)",
    condition="each statutory visit of a plan in the audit period (visits of one day are one "
    "visit) at which the child was not recorded as seen alone: Seen Alone No or blank at every "
    "visit that day (Unknown, or a value that cannot be read, is not judged); the SSD only",
    needs={"list7": ("plan_start",), "cp_visits": ("visit_date", "seen", "seen_alone")},
)
def cp_not_seen_alone_at_visit(ctx: Context):
    """Seeing the child alone at each visit, judged on the SSD's visit history: one finding per
    visit (day) of a plan in the audit period at which no visit records the child seen alone,
    saying whether the child was seen at all. A Query like CP-04 (Annex A's latest visit only),
    with no age floor. Only histories can feed it: on Annex A it is not run."""
    table = ctx.table("list7")
    v = ctx.table("cp_visits").frame
    v = v[(v["_plan"] >= 0) & ctx.in_period(v["visit_date"]).to_numpy(bool)]
    if v.empty:
        return pd.DataFrame()
    alone = v["seen_alone"]
    flags = pd.DataFrame(
        {
            "_plan": v["_plan"].to_numpy(),
            "visit_date": v["visit_date"].to_numpy(),
            "yes": (alone == "Yes").fillna(False).to_numpy(bool),
            "unsure": alone.isin(["Unknown", "(unreadable)"]).fillna(False).to_numpy(bool),
            "no": (alone == "No").fillna(False).to_numpy(bool),
            "seen": (v["seen"] == "Yes").fillna(False).to_numpy(bool),
            "_row": v["_row"].to_numpy(),
        }
    )
    # a day's answer: Yes if any visit says so; Unknown or unreadable (not judged); else No if
    # any; else blank
    day = flags.groupby(["_plan", "visit_date"], sort=True).agg(
        yes=("yes", "any"),
        unsure=("unsure", "any"),
        no=("no", "any"),
        seen=("seen", "any"),
        _row=("_row", "first"),
    )
    events = day[~day["yes"] & ~day["unsure"]].reset_index()
    if events.empty:
        return pd.DataFrame()
    events["alone"] = np.where(events["no"], "No", "blank")
    was_seen = events["seen"].to_numpy(bool)
    when = events["visit_date"].dt.strftime("%d/%m/%Y")
    message = pd.Series(
        np.where(
            was_seen,
            "Child seen but not recorded as seen alone at the visit on " + when,
            "Child not recorded as seen (or seen alone) at the visit on " + when,
        )
    )
    value = events["alone"].where(events["alone"] != "blank", "")
    return review_hits(
        table,
        events,
        events["_plan"].to_numpy(),
        None,
        "",
        "Child seen alone",
        date="visit_date",
        item="visit",
        message=message,
        value=value,
        completed=False,
    )
