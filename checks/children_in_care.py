"""Children in care (List 8): reviews, visits, health, permanence and missing episodes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audits.core.calendar import add_days, add_months, age_in_years
from audits.engine.context import Context, hits
from audits.engine.registry import rule
from audits.engine.review_hits import late_intervals, review_hits
from audits.model.codes import LONG_TERM_FOSTER

REGS = "Care Planning, Placement and Case Review (England) Regulations 2010"


@rule(
    "CLA-01",
    area="Children in care",
    severity="Error",
    title="Statutory review overdue",
    basis=f"{REGS}, reg 33: first review within 20 working days, second within 3 months, "
    "then every 6 months",
    condition="open; F = WD(start, 20); no review: due F; latest <= F: due M(latest, 3); "
    "else M(latest, 6). With the review history (SSDA903, SSD): also every review of the "
    "period of care, each against the one before by the same rule (the first against F when the "
    "period began within the 12 months to D; the SSD: on or after the first date it holds), "
    "even when the latest is in time (the SSD: reviews held in the audit period)",
    needs={"list8": ("cla_start", "ceased", "latest_review")},
)
def cla_review_overdue(ctx: Context):
    """Reg 33: first review within 20 working days of the start, the second within 3 months of
    the first, then at most every 6 months. On Annex A only the latest review is known, so the
    open case's next due date is judged. An SSDA903 return carries every review: then each
    interval in the period of care is judged too, and a review held late is a finding even if
    the latest is in time (a stronger rule on a history). The first review of a period that
    began more than 12 months before D is not judged against F: its predecessor may lie in an
    earlier year's return, which this one does not hold. The SSD holds every review of up to six
    years: each is judged, those held in the audit period reported, and the first against F
    unless the period began before the first date the SSD holds."""
    table = ctx.table("list8")
    f = table.frame
    first_due = ctx.working_days(table, "cla_start", 20)
    latest = f["latest_review"]
    due = first_due.where(
        latest.isna(),
        add_months(latest, 3).where(latest <= first_due, add_months(latest, 6)),
    )
    now = hits(
        table,
        ctx.is_open(table) & (ctx.date > due),
        field="latest_review",
        due=due,
        what="Statutory review",
    )
    history = ctx.table("cla_reviews")
    if history is None:
        return now
    return [now, _late_reviews(ctx, table, history, first_due)]


def _late_reviews(ctx: Context, table, history, first_due):
    r = history.frame.dropna(subset=["review_date"])
    r = r.sort_values(["_plan", "review_date"], kind="stable")
    plan = r["_plan"].to_numpy()
    previous = r.groupby("_plan")["review_date"].shift()
    first = pd.Series(first_due.to_numpy()[plan], index=r.index)
    started = pd.Series(table.frame["cla_start"].to_numpy()[plan], index=r.index)
    due = add_months(previous, 3).where(previous <= first, add_months(previous, 6))
    due = due.where(previous.notna(), first)
    history_from = ctx.export.history_from
    if ctx.period_start is not None and history_from is not None:
        whole_period = started >= pd.Timestamp(history_from)
        why = "the period of care began before the first date the input holds"
    else:
        whole_period = started > add_months(pd.Series([ctx.date]), -12).iloc[0]
        why = "the period of care began more than 12 months before the audit date"
    judged = (previous.notna() | whole_period).to_numpy()
    if ctx.period_start is not None:  # histories spanning years: the audit period's reviews
        judged = judged & ctx.in_period(r["review_date"]).to_numpy(bool)
    skipped = int((~(previous.notna() | whole_period)).sum())
    if skipped:
        ctx.note(
            "CLA-01",
            f"{skipped} first review(s) in the input not judged against WD(start, 20): {why}",
        )
    late = judged & (r["review_date"] > due).to_numpy()
    field = history.spec.field("review_date").heading
    return review_hits(table, r[late], plan[late], due[late], "Statutory review", field)


@rule(
    "CLA-02",
    area="Children in care",
    severity="Error",
    title="Social work visit overdue",
    basis=f"{REGS}, reg 28: visit within a week of a placement, then at most every 6 weeks "
    "(3 months in a long-term foster placement after its first year)",
    condition="open; no visit on/after placement start: due placement start + 7 days; else last "
    "visit + 42 days, or M(last visit, 3) for long-term foster (U1, U4) when "
    "D >= M(placement start, 12). With the visit and placement history (SSD): also every "
    "interval of every placement, the first visit against its start + 7 days, each next "
    "against the previous + 42 days (M(previous, 3) in a U1/U4 placement once the previous "
    "visit is a year into it), reported when the late visit falls in the audit period",
    needs={"list8": ("ceased", "last_visit", "placement_start", "placement_type")},
)
def cla_visit_overdue(ctx: Context):
    """Reg 28: a visit within a week of each placement, then at intervals of not more than six
    weeks (three months in a placement meant to last until 18, once it has lasted a year). On
    Annex A only the latest visit and placement are known, so the open case's next due date is
    judged. The SSD holds every visit and placement: then each interval of each placement is
    judged too, and a visit that came late in the audit period is a finding even when the child
    has been visited in time since (a stronger rule on a history). A visit with the child
    recorded as not seen does not count."""
    table = ctx.table("list8")
    f = table.frame
    visit, placed = f["last_visit"], f["placement_start"]
    no_visit_since_placement = visit.isna() | (visit < placed)
    long_term = f["placement_type"].isin(LONG_TERM_FOSTER) & (ctx.date >= add_months(placed, 12))
    due = add_days(placed, 7).where(
        no_visit_since_placement,
        add_months(visit, 3).where(long_term, add_days(visit, 42)),
    )
    now = hits(
        table,
        ctx.is_open(table) & (ctx.date > due),
        field="last_visit",
        due=due,
        what="Social work visit",
    )
    visits, placements = ctx.table("cla_visits"), ctx.table("cla_placements")
    if visits is None or placements is None:
        return now
    return [now, _late_placement_visits(ctx, table, visits.frame, placements.frame)]


def _late_placement_visits(ctx: Context, table, visits: pd.DataFrame, placements: pd.DataFrame):
    """Each placement's visits, the first against its start + 7 days, each next against the one
    before (+ 42 days, or M(previous, 3) for U1/U4 once the previous visit is a year in)."""
    v = visits[(visits["seen"] != "No") & (visits["_placement"] >= 0)]
    p = placements.reset_index(drop=True)
    start = p["placement_start"]
    long_term = (
        p["placement_type"].isin(LONG_TERM_FOSTER).to_numpy()
        if "placement_type" in p
        else (np.zeros(len(p), dtype=bool))
    )
    a_year_in = add_months(start, 12).to_numpy("datetime64[us]")

    def next_due(previous: pd.Series, at: np.ndarray) -> pd.Series:
        quarterly = long_term[at] & (previous.to_numpy("datetime64[us]") >= a_year_in[at])
        return add_months(previous, 3).where(quarterly, add_days(previous, 42))

    judged_first = None
    if ctx.export.history_from is not None:
        judged_first = (start >= pd.Timestamp(ctx.export.history_from)).to_numpy()
    late, due = late_intervals(
        v,
        "_placement",
        "visit_date",
        lambda at: add_days(pd.Series(start.to_numpy()[at]), 7),
        next_due,
        judged_first,
    )
    inside = ctx.in_period(late["visit_date"]).to_numpy(bool)
    late, due = late[inside], due[inside]
    field = table.spec.field("last_visit").heading
    return review_hits(
        table,
        late,
        late["_plan"].to_numpy(),
        due,
        "Social work visit",
        field,
        date="visit_date",
        item="visit",
    )


@rule(
    "CLA-03",
    area="Children in care",
    severity="Error",
    title="Health assessment overdue",
    basis="Promoting the health and well-being of looked-after children (2022): initial "
    "assessment within 20 working days, reviews every 6 months under 5, yearly from 5",
    condition="open; none: due WD(start, 20); else M(last, 6) if aged under 5 at D, "
    "M(last, 12) otherwise. On an SSDA903 return (no dates): open, in OC2 (looked after 12 "
    "months) and HEALTH_CHECK not 1 (up to date)",
    needs={"list8": ("cla_start", "ceased", "last_health_assessment", "dob")},
    or_needs={"list8": ("ceased",), "oc2": ("health_check",)},
)
def cla_health_overdue(ctx: Context):
    """Statutory guidance on promoting the health and well-being of looked-after children:
    initial health assessment within 20 working days, reviews 6-monthly under 5, yearly after.
    An SSDA903 return has no dates, only OC2's yes/no for children looked after 12 months."""
    table = ctx.table("list8")
    f = table.frame
    if "last_health_assessment" not in table.columns:
        return _oc2_not_up_to_date(ctx, table, "health_check", "Health assessment")
    last = f["last_health_assessment"]
    under_five = (age_in_years(f["dob"], ctx.as_at) < 5).fillna(False).astype(bool)
    due = ctx.working_days(table, "cla_start", 20).where(
        last.isna(), add_months(last, 6).where(under_five, add_months(last, 12))
    )
    return hits(
        table,
        ctx.is_open(table) & (ctx.date > due),
        field="last_health_assessment",
        due=due,
        what="Health assessment",
    )


@rule(
    "CLA-04",
    area="Children in care",
    severity="Error",
    title="Dental check overdue",
    basis="Promoting the health and well-being of looked-after children (2022): dental check "
    "every 12 months",
    condition="open, looked after D >= M(start, 12), and no check or D > M(last check, 12). On "
    "an SSDA903 return (no dates): open, in OC2 (looked after 12 months) and TEETH_CHECK not 1",
    needs={"list8": ("cla_start", "ceased", "last_dental_check")},
    or_needs={"list8": ("ceased",), "oc2": ("teeth_check",)},
)
def cla_dental_overdue(ctx: Context):
    """Dental check every 12 months for a child looked after a year (statutory guidance on the
    health of looked-after children). An SSDA903 return has OC2's yes/no instead of dates."""
    table = ctx.table("list8")
    f = table.frame
    if "last_dental_check" not in table.columns:
        return _oc2_not_up_to_date(ctx, table, "teeth_check", "Dental check")
    last = f["last_dental_check"]
    year_in_care = add_months(f["cla_start"], 12)
    due = year_in_care.where(last.isna(), add_months(last, 12))
    overdue = last.isna() | (ctx.date > add_months(last, 12))
    return hits(
        table,
        ctx.is_open(table) & (ctx.date >= year_in_care) & overdue,
        field="last_dental_check",
        due=due,
        what="Dental check",
    )


def _oc2_not_up_to_date(ctx: Context, table, column: str, what: str):
    """Open List 8 rows whose OC2 record says the check is not up to date (or does not say)."""
    oc2 = ctx.table("oc2").frame
    linked = oc2[oc2["_plan"] >= 0]
    value = pd.Series(pd.NA, index=table.frame.index, dtype="str")
    value.iloc[linked["_plan"].to_numpy()] = linked[column].to_numpy()
    in_oc2 = pd.Series(False, index=table.frame.index)
    in_oc2.iloc[linked["_plan"].to_numpy()] = True
    mask = ctx.is_open(table) & in_oc2 & (value != "Yes").fillna(True)
    heading = ctx.table("oc2").spec.field(column).heading
    message = (
        f"{what} not recorded as up to date in OC2 ({heading} = "
        + value[mask].fillna("blank")
        + ")"
    )
    found = hits(table, mask, message=message, value=value[mask])
    found.columns["field"] = f"OC2 {heading}"
    return found


@rule(
    "CLA-05",
    area="Children in care",
    severity="Error",
    title="Return interview not offered",
    basis="Statutory guidance on children who run away or go missing from home or care (2014): "
    "a return interview is offered to a child who returns from a missing episode",
    condition="open, missing episodes > 0, return interview offered is not Yes (the latest "
    "missing episode only; CLA-08 judges every episode on the SSD)",
    needs={"list8": ("ceased", "missing_episodes", "return_interview_offered")},
)
def cla_return_interview(ctx: Context):
    table = ctx.table("list8")
    f = table.frame
    episodes = f["missing_episodes"]
    mask = ctx.is_open(table) & (episodes > 0) & (f["return_interview_offered"] != "Yes")
    message = (
        "Missing "
        + episodes[mask].astype("Int64").astype(str)
        + " time(s) in 12 months; return interview not recorded as offered"
    )
    return hits(table, mask, field="return_interview_offered", message=message)


@rule(
    "CLA-06",
    area="Children in care",
    severity="Query",
    title="Three or more placements in 12 months",
    basis="Placement stability (DfE children looked after indicator)",
    condition="Number of Placements in the Last 12 months >= 3",
    needs={"list8": ("placements_12m",)},
)
def cla_placement_moves(ctx: Context):
    table = ctx.table("list8")
    moves = table.frame["placements_12m"]
    mask = moves >= 3
    message = moves[mask].astype("Int64").astype(str) + " placements in the last 12 months"
    return hits(table, mask, field="placements_12m", message=message)


@rule(
    "CLA-07",
    area="Children in care",
    severity="Error",
    title="No permanence plan recorded",
    basis=f"{REGS}, reg 5 and the Children Act 1989 s31A: a permanence plan by the second review",
    condition="open, D > M(start, 4), permanence plan blank",
    needs={"list8": ("cla_start", "ceased", "permanence_plan")},
)
def cla_no_permanence_plan(ctx: Context):
    table = ctx.table("list8")
    f = table.frame
    due = add_months(f["cla_start"], 4)
    return hits(
        table,
        ctx.is_open(table) & (ctx.date > due) & f["permanence_plan"].isna(),
        field="permanence_plan",
        due=due,
        what="Permanence plan",
    )


RETURN_HOURS = 72
MISSING_GUIDANCE = (
    "Statutory guidance on children who run away or go missing from home or care (DfE, January "
    "2014), independent return interviews: offered within 72 hours of the child's return"
)


@rule(
    "CLA-08",
    area="Children in care",
    severity="Error",
    title="Return interview not offered within 72 hours",
    basis=MISSING_GUIDANCE,
    condition="each missing episode (not away) of a looked-after child that ended in the audit "
    "period: with the time of the offer recorded (miss_missing_rhi_offered_date), offered more "
    "than 72 hours after the episode ended (72 h is met, 73 h late; whole days when either has "
    "no time); else offered recorded as No or blank and D > end + 3 days (met on that day). "
    "NA (not applicable) is not a finding; a value that cannot be read is DQ-04; the SSD only",
    needs={
        "list8": ("cla_start",),
        "missing_episodes": ("missing_end", "episode_type", "rhi_offered"),
    },
)
def cla_return_interview_72h(ctx: Context):
    """Every missing episode judged on its own (Annex A's CLA-05 sees only the latest): a child
    looked after who returns from being missing is offered an independent return interview
    within 72 hours of returning. The SSD records whether an interview was offered, not when:
    with only that flag the rule finds episodes not recorded as offered once the 72 hours have
    run (the end date + 3 days; as at that day the offer is still in time). A council that
    records the time of the offer (`miss_missing_rhi_offered_date`, outside the specification)
    has it judged to the hour. Away-from-placement episodes are out, as are children missing
    from home who are not looked after."""
    table = ctx.table("list8")
    e = ctx.table("missing_episodes").frame
    e = e[(e["_plan"] >= 0) & (e["episode_type"] == "Missing") & e["missing_end"].notna()]
    e = e[ctx.in_period(e["missing_end"]).to_numpy(bool)]
    if e.empty:
        return pd.DataFrame()
    due = add_days(e["missing_end"], 3)
    offered_on = (
        e["rhi_offered_date"] if "rhi_offered_date" in e else pd.Series(pd.NaT, index=e.index)
    )
    end_at = e["_end_at"] if "_end_at" in e else pd.Series(pd.NaT, index=e.index)
    offered_at = e["_offered_at"] if "_offered_at" in e else pd.Series(pd.NaT, index=e.index)
    timed = offered_on.notna()
    both_times = timed & end_at.notna() & offered_at.notna()
    hours = (offered_at - end_at) / pd.Timedelta(hours=1)
    late_by_hours = both_times & (hours > RETURN_HOURS)
    late_by_days = timed & ~both_times & (offered_on > due)
    not_offered = ~timed & (e["rhi_offered"].isna() | (e["rhi_offered"] == "No"))
    not_offered &= ctx.date > due
    found = late_by_hours | late_by_days | not_offered
    if not found.any():
        return pd.DataFrame()
    e, due = e[found], due[found]
    ended = e["missing_end"].dt.strftime("%d/%m/%Y")
    offered_text = np.where(
        late_by_hours[found],
        "offered "
        + offered_at[found].dt.strftime("%d/%m/%Y %H:%M")
        + ", "
        + hours[found].round().astype("Int64").astype(str)
        + " hours after the episode ended "
        + end_at[found].dt.strftime("%d/%m/%Y %H:%M"),
        "offered " + offered_on[found].dt.strftime("%d/%m/%Y") + ", more than 72 hours after "
        "the episode ended on " + ended,
    )
    recorded = e["rhi_offered"].map({"No": "recorded as not offered"}).fillna("not recorded")
    message = pd.Series(
        np.where(
            not_offered[found],
            "Return interview "
            + recorded
            + " after the missing episode that ended on "
            + ended
            + " (due within 72 hours, by "
            + due.dt.strftime("%d/%m/%Y")
            + ")",
            "Return interview " + pd.Series(offered_text, index=e.index),
        )
    )
    shown = e["rhi_offered"].where(e["rhi_offered"].notna(), "")
    return review_hits(
        table,
        e,
        e["_plan"].to_numpy(),
        due,
        "Return interview",
        "Return interview offered",
        date="missing_end",
        item="missing episode",
        message=message,
        value=shown,
        completed=offered_on[found],
    )
