"""The synthetic council written as SSD tables (field names of D2I's specification), in the ways
real extracts write them: event times on visits and missing episodes, sex in pers_sex for most
and as a 01/02 gender code for some, legacy ethnicity codes (A1), short abuse categories (NEG),
the 01/01/1900 "none" date, team ids resolved through ssd_department."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from audits.example.people import TEAMS
from audits.example.ssd.council import Council

SENTINEL = dt.datetime(1900, 1, 1)


def _at(day: dt.date | dt.datetime | None, hour: int = 0):
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        return day
    return dt.datetime.combine(day, dt.time(hour))


def ssd_tables(c: Council) -> dict[str, pd.DataFrame]:
    """Every SSD table of the council, one frame each, columns in the specification's names."""
    t: dict[str, list[dict]] = {}

    def add(name: str, **row) -> None:
        t.setdefault(name, []).append(row)

    for i, (cid, ch) in enumerate(sorted(c.children.items())):
        legacy = i % 7 == 3 and ch.ethnicity == "WBRI"
        coded = i % 5 == 2
        add(
            "ssd_person",
            pers_person_id=cid,
            pers_sex=None if coded else ch.sex,
            pers_gender={"M": "01", "F": "02"}[ch.sex] if coded else None,
            pers_ethnicity="A1" if legacy else ch.ethnicity,
            pers_dob=_at(ch.dob),
            pers_legacy_id=None,
        )
        add(
            "ssd_disability",
            disa_table_id=f"D{cid}",
            disa_person_id=cid,
            disa_disability_code="NONE",
        )
    for n, team in enumerate(TEAMS, start=1):
        add(
            "ssd_department",
            dept_team_id=f"T{n}",
            dept_team_name=team,
            dept_team_parent_id=None,
            dept_team_parent_name="Children's Services",
        )
    for w in c.workers.values():
        add(
            "ssd_professionals",
            prof_professional_id=w.id,
            prof_staff_id=f"S{w.id[1:]}",
            prof_professional_name=w.name,
            prof_professional_job_title=w.title,
            prof_professional_caseload=None,
            prof_professional_department=w.team,
            prof_full_time_equivalency=w.fte,
            prof_agency_worker_flag="N",
        )
    for inv in c.involvements:
        add(
            "ssd_involvements",
            invo_involvements_id=inv.id,
            invo_professional_id=inv.worker,
            invo_professional_role_id=inv.role,
            invo_professional_team=c.workers[inv.worker].team,
            invo_involvement_start_date=_at(inv.start, 9),
            invo_involvement_end_date=_at(inv.end),
            invo_worker_change_reason=inv.reason,
            invo_person_id=inv.child,
            invo_referral_id=None,
        )
    for cid_, child, when, source in c.contacts:
        add(
            "ssd_contacts",
            cont_contact_id=cid_,
            cont_person_id=child,
            cont_contact_date=_at(when, 11),
            cont_contact_source_code=source,
            cont_contact_source_desc="Police",
            cont_contact_outcome_json=None,
        )
    for eid, child, start, end in c.early_help:
        add(
            "ssd_early_help_episodes",
            earl_episode_id=eid,
            earl_person_id=child,
            earl_episode_start_date=_at(start),
            earl_episode_end_date=_at(end),
            earl_episode_organisation="Early Help Hub",
        )
    worker_of = {inv.child: inv.worker for inv in c.involvements if inv.reason == "FCONTA"}
    for r in c.cin:
        worker = worker_of.get(r.child)
        add(
            "ssd_cin_episodes",
            cine_referral_id=r.id,
            cine_person_id=r.child,
            cine_referral_date=_at(r.start),
            cine_cin_primary_need_code=r.need,
            cine_referral_source_code=r.source,
            cine_referral_source_desc="Schools",
            cine_referral_outcome_json=None,
            cine_referral_nfa=r.nfa,
            cine_close_reason="RC7" if r.end else None,
            cine_close_date=_at(r.end),
            cine_referral_team=c.workers[worker].team if worker else None,
            cine_referral_worker_id=worker,
        )
        if r.end is None and not any(p.referral == r.id for p in c.cp):
            add(
                "ssd_cin_plans",
                cinp_cin_plan_id=f"CP{r.id}",
                cinp_referral_id=r.id,
                cinp_person_id=r.child,
                cinp_cin_plan_start_date=_at(r.start + dt.timedelta(days=20)),
                cinp_cin_plan_end_date=None,
            )
        for v in r.visits:
            add(
                "ssd_cin_visits",
                cinv_cin_visit_id=v.id,
                cinv_person_id=r.child,
                cinv_cin_visit_date=v.date,
                cinv_cin_visit_seen=v.seen,
                cinv_cin_visit_seen_alone=v.alone,
                cinv_cin_visit_bedroom=v.bedroom,
            )
    for a in c.assessments:
        add(
            "ssd_cin_assessments",
            cina_assessment_id=a.id,
            cina_person_id=a.child,
            cina_referral_id=a.referral,
            cina_assessment_start_date=_at(a.start),
            cina_assessment_child_seen=a.seen,
            cina_assessment_auth_date=_at(a.auth),
            cina_assessment_outcome_json=None,
            cina_assessment_outcome_nfa="N",
            cina_assessment_team=c.workers[a.worker].team,
            cina_assessment_worker_id=a.worker,
        )
    for s in c.s47:
        flag = '{"CP_CONFERENCE_FLAG": "' + s.conference + '", "NFA_FLAG": "N"}'
        add(
            "ssd_s47_enquiry",
            s47e_s47_enquiry_id=s.id,
            s47e_referral_id=None,
            s47e_person_id=s.child,
            s47e_s47_start_date=_at(s.start),
            s47e_s47_end_date=_at(s.end),
            s47e_s47_nfa="N",
            s47e_s47_outcome_json=flag,
            s47e_s47_completed_by_team=c.workers[s.worker].team,
            s47e_s47_completed_by_worker_id=s.worker,
        )
        if s.icpc is not None:
            add(
                "ssd_initial_cp_conference",
                icpc_icpc_id=f"IC{s.id}",
                icpc_icpc_meeting_id=None,
                icpc_s47_enquiry_id=s.id,
                icpc_person_id=s.child,
                icpc_cp_plan_id=None,
                icpc_referral_id=None,
                icpc_icpc_transfer_in="N",
                icpc_icpc_target_date=None,
                icpc_icpc_date=_at(s.icpc),
                icpc_icpc_outcome_cp_flag="Y",
                icpc_icpc_outcome_json=None,
                icpc_icpc_team=None,
                icpc_icpc_worker_id=None,
            )
    for i, p in enumerate(c.cp):
        category = {"NEG": "Neglect"}.get(p.category, p.category) if i % 2 else p.category
        add(
            "ssd_cp_plans",
            cppl_cp_plan_id=p.id,
            cppl_referral_id=p.referral,
            cppl_icpc_id=None,
            cppl_person_id=p.child,
            cppl_cp_plan_start_date=_at(p.start),
            cppl_cp_plan_end_date=_at(p.end),
            cppl_cp_plan_ola="N",
            cppl_cp_plan_initial_category=category,
            cppl_cp_plan_latest_category=category,
        )
        for v in p.visits:
            add(
                "ssd_cp_visits",
                cppv_cp_visit_id=v.id,
                cppv_person_id=p.child,
                cppv_cp_plan_id=p.id,
                cppv_cp_visit_date=v.date,
                cppv_cp_visit_seen=v.seen,
                cppv_cp_visit_seen_alone=v.alone,
                cppv_cp_visit_bedroom=v.bedroom,
            )
        for r in p.reviews:
            add(
                "ssd_cp_reviews",
                cppr_cp_review_id=r.id,
                cppr_person_id=p.child,
                cppr_cp_plan_id=p.id,
                cppr_cp_review_due=_at(r.due),
                cppr_cp_review_date=_at(r.date, 10),
                cppr_cp_review_meeting_id=None,
                cppr_cp_review_outcome_continue_cp="Y",
                cppr_cp_review_quorate=r.quorate,
                cppr_cp_review_participation="PLACEHOLDER_DATA",
            )
    for p in c.cla:
        episodes = _episodes(p)
        for n, (start, end, reason_start) in enumerate(episodes):
            last = n == len(episodes) - 1
            add(
                "ssd_cla_episodes",
                clae_cla_episode_id=f"{p.id}-{n + 1}",
                clae_person_id=p.child,
                clae_cla_episode_start_date=_at(start),
                clae_cla_episode_start_reason=reason_start,
                clae_cla_primary_need_code="N1",
                clae_cla_episode_ceased_date=_at(end),
                clae_cla_episode_ceased_reason=(p.reason if last else "X1") if end else None,
                clae_cla_id=p.id,
                clae_referral_id=p.referral,
                clae_cla_placement_id=None,
                clae_entered_care_date=_at(p.start),
                clae_cla_last_iro_contact_date=_at(max((r.date for r in p.reviews), default=None)),
            )
        for pl in p.placements:
            add(
                "ssd_cla_placement",
                clap_cla_placement_id=pl.id,
                clap_cla_id=p.id,
                clap_person_id=p.child,
                clap_cla_placement_start_date=_at(pl.start),
                clap_cla_placement_type=pl.type,
                clap_cla_placement_urn="SC000123",
                clap_cla_placement_distance=None,
                clap_cla_placement_provider=pl.provider,
                clap_cla_placement_postcode="AB1 2CD",
                clap_cla_placement_end_date=_at(pl.end),
                clap_cla_placement_change_reason=None,
            )
        for v in p.visits:
            add(
                "ssd_cla_visits",
                clav_cla_visit_id=v.id,
                clav_cla_id=p.id,
                clav_person_id=p.child,
                clav_cla_visit_date=v.date,
                clav_cla_visit_seen=v.seen,
                clav_cla_visit_seen_alone=v.alone,
            )
        for r in p.reviews:
            add(
                "ssd_cla_reviews",
                clar_cla_review_id=r.id,
                clar_cla_id=p.id,
                clar_cla_review_due_date=_at(r.due),
                clar_cla_review_date=_at(r.date, 14),
                clar_cla_review_cancelled=r.cancelled,
                clar_cla_review_participation="PN1",
            )
        for hid, kind, when in p.health:
            add(
                "ssd_cla_health",
                clah_health_check_id=hid,
                clah_person_id=p.child,
                clah_health_check_type=kind,
                clah_health_check_date=_at(when),
                clah_health_check_status="Completed",
            )
        add(
            "ssd_legal_status",
            lega_legal_status_id=f"L{p.id}",
            lega_person_id=p.child,
            lega_legal_status=p.legal,
            lega_legal_status_start_date=_at(p.start),
            lega_legal_status_end_date=_at(p.end),
        )
        plan = "{" + (f'"{p.plan}": "Y"' if p.plan else '"OTHERPLN": "N"') + "}"
        add(
            "ssd_cla_care_plan",
            lacp_table_id=f"CP{p.id}",
            lacp_person_id=p.child,
            lacp_cla_care_plan_start_date=_at(p.start + dt.timedelta(days=30)),
            lacp_cla_care_plan_end_date=None,
            lacp_cla_care_plan_json=plan,
        )
        for m in p.missing:
            add(
                "ssd_missing",
                miss_table_id=m.id,
                miss_person_id=p.child,
                miss_missing_episode_start_date=m.start,
                miss_missing_episode_type=m.kind,
                miss_missing_episode_end_date=m.end,
                miss_missing_rhi_offered=m.offered,
                miss_missing_rhi_accepted=m.accepted,
                miss_missing_rhi_offered_date=m.offered_at,
            )
    for r in c.leavers:
        add(
            "ssd_care_leavers",
            clea_table_id=r.id,
            clea_person_id=r.child,
            clea_care_leaver_eligibility=r.eligibility,
            clea_care_leaver_in_touch=r.in_touch,
            clea_care_leaver_latest_contact=_at(r.contact),
            clea_care_leaver_accommodation=r.accommodation,
            clea_care_leaver_accom_suitable=r.suitable,
            clea_care_leaver_activity=r.activity,
            clea_pathway_plan_review_date=_at(r.review) if r.review else SENTINEL,
            clea_care_leaver_personal_advisor=r.adviser,
            clea_care_leaver_allocated_team=c.workers[r.worker].team,
            clea_care_leaver_worker_id=r.worker,
        )
    return {name: pd.DataFrame(rows) for name, rows in t.items()}


def _episodes(p) -> list[tuple[dt.date, dt.date | None, str]]:
    """A period's episodes: one per placement (the first starts the period: S; then P)."""
    out = []
    for n, pl in enumerate(p.placements):
        end = pl.end if pl.end is not None else p.end
        out.append((pl.start, end, "S" if n == 0 else "P"))
    return out


def local_tables(c: Council) -> dict[str, pd.DataFrame]:
    """The council's local tables, beside the SSD (they are not in it): management oversight and
    care leavers' documents."""
    from audits.core.config import DEFAULT_DOCUMENTS

    oversight = [
        {"Child Unique ID": child, "Date of Last Management Oversight": when}
        for child, when in sorted(c.oversight.items())
        if when is not None
    ]
    documents = []
    for r in c.leavers:
        missing = c.documents_missing.get(r.child, [])
        for doc in DEFAULT_DOCUMENTS:
            if doc == "Bank account" and doc in missing:
                continue  # no row at all
            held = "N" if doc in missing else "Y"
            documents.append(
                {
                    "Child Unique ID": r.child,
                    "Document": doc,
                    "Held": held,
                    "Date Recorded": c.as_at - dt.timedelta(days=100),
                }
            )
    return {
        "management_oversight": pd.DataFrame(oversight),
        "care_leaver_documents": pd.DataFrame(documents),
    }
