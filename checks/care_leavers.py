"""Care leavers (List 9): pathway plans, personal advisers, contact and accommodation."""

from __future__ import annotations

from audits.core.calendar import add_days, add_months
from audits.engine.context import Context, hits, text_where
from audits.engine.registry import rule

LEAVING_CARE = "Care Leavers (England) Regulations 2010"


@rule(
    "CL-01",
    area="Care leavers",
    severity="Error",
    title="Pathway plan review overdue",
    basis=f"{LEAVING_CARE}, reg 7: pathway plan reviewed at least every 6 months",
    condition="no review date, or D > M(review, 6); not run on the 13-column List 9. The SSD "
    "holds only the latest review (clea_pathway_plan_review_date), so it is judged the same way",
    needs={"list9": ("pathway_plan_review",)},
)
def pathway_plan_overdue(ctx: Context):
    """Reg 7: the pathway plan is reviewed at least every six months. Annex A and the SSD alike
    hold only the latest review (the SSD's field is "the date the plan started or was last
    reviewed, whichever is the most recent"), so the next due date is judged, on every List 9
    row (the SSD's List 9 is every row of ssd_care_leavers, as D2I builds Annex A from it). Its
    "none" date 01/01/1900 is blank: no review recorded."""
    table = ctx.table("list9")
    review = table.frame["pathway_plan_review"]
    due = add_months(review, 6)
    message = text_where(review.isna(), "No pathway plan review recorded")
    return hits(
        table,
        review.isna() | (ctx.date > due),
        field="pathway_plan_review",
        due=due,
        what="Pathway plan review",
        message=message,
    )


@rule(
    "CL-02",
    area="Care leavers",
    severity="Error",
    title="No personal adviser allocated",
    basis="Children Act 1989 s23D and s23CA: a personal adviser for every care leaver",
    condition="Allocated Personal Advisor blank; not run on the 13-column List 9",
    needs={"list9": ("personal_adviser",)},
)
def no_personal_adviser(ctx: Context):
    table = ctx.table("list9")
    return hits(
        table,
        table.frame["personal_adviser"].isna(),
        field="personal_adviser",
        message="No personal adviser recorded",
    )


@rule(
    "CL-03",
    area="Care leavers",
    severity="Query",
    title="Not in touch / not recorded",
    basis=f"{LEAVING_CARE}: the local authority keeps in touch",
    condition="LA in Touch is not Yes",
    needs={"list9": ("in_touch",)},
)
def not_in_touch(ctx: Context):
    table = ctx.table("list9")
    mask = table.frame["in_touch"] != "Yes"
    in_touch = table.frame["in_touch"][mask]
    message = ("LA in touch recorded as " + in_touch).where(
        in_touch.notna(), "LA in touch not recorded"
    )
    return hits(table, mask, field="in_touch", message=message)


@rule(
    "CL-04",
    area="Care leavers",
    severity="Error",
    title="Contact overdue",
    basis="Local standard (L): contact with a care leaver at least every 8 weeks",
    condition="Latest Date of Contact blank or D > contact + 56 days",
    needs={"list9": ("latest_contact",)},
    threshold="care_leaver_contact_days",
)
def contact_overdue(ctx: Context):
    table = ctx.table("list9")
    contact = table.frame["latest_contact"]
    due = add_days(contact, ctx.config.care_leaver_contact_days)
    message = text_where(contact.isna(), "No contact date recorded")
    return hits(
        table,
        contact.isna() | (ctx.date > due),
        field="latest_contact",
        due=due,
        what="Contact with the young person",
        message=message,
    )


@rule(
    "CL-05",
    area="Care leavers",
    severity="Error",
    title="Accommodation unsuitable or not recorded",
    basis="Children Act 1989 s23B(8) and s23C: suitable accommodation",
    condition="Suitability of Accommodation is not Suitable",
    needs={"list9": ("accommodation_suitability",)},
)
def unsuitable_accommodation(ctx: Context):
    table = ctx.table("list9")
    mask = table.frame["accommodation_suitability"] != "Suitable"
    suitability = table.frame["accommodation_suitability"][mask]
    message = ("Accommodation recorded as " + suitability.str.lower()).where(
        suitability.notna(), "Suitability of accommodation not recorded"
    )
    return hits(table, mask, field="accommodation_suitability", message=message)
