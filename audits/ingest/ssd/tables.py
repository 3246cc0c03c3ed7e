"""The SSD tables the audit reads, and the fields it selects from each (D2I's specification,
`reference/ssd/schema/*.yml`; docs/ssd.md §1 and §8).

Every field of an SSD table carries the table's own prefix (`cinv_` for `ssd_cin_visits`), and no
prefix is shared, so a CSV dump is recognised by its headings alone. Only the fields listed here
are ever selected; the other tables of the SSD (EHCP, SEND, finance, voice of the child ...) are
not read. `miss_missing_rhi_offered_date` is not in the specification: a council that records
when a return interview was offered may add it (CLA-08 then judges the 72 hours to the hour).
"""

from __future__ import annotations

from dataclasses import dataclass

Kind = str  # "id", "text", "date", "number"


@dataclass(frozen=True)
class SsdTable:
    name: str  # ssd_cin_visits
    prefix: str  # cinv_
    key: str  # the primary key (or row identifier) the rows are ordered by
    person: str | None  # the field holding pers_person_id
    fields: dict[str, Kind]  # every field the audit may select, with how it is read
    optional: frozenset[str] = frozenset()  # fields outside the specification

    @property
    def short(self) -> str:
        return self.name.removeprefix("ssd_")


def _table(name: str, prefix: str, key: str, person: str | None, **kinds: str) -> SsdTable:
    fields: dict[str, Kind] = {}
    optional = set()
    for kind, names in kinds.items():
        if kind == "extra":
            kind, names = "date", names
            optional.update(prefix + n for n in names.split())
        for n in names.split():
            fields[prefix + n] = kind
    return SsdTable(
        name, prefix, prefix + key, prefix + person if person else None, fields, frozenset(optional)
    )


TABLES: dict[str, SsdTable] = {
    t.name: t
    for t in (
        _table(
            "ssd_person",
            "pers_",
            "person_id",
            "person_id",
            id="person_id",
            text="sex gender ethnicity",
            date="dob",
        ),
        _table(
            "ssd_disability",
            "disa_",
            "table_id",
            "person_id",
            id="table_id person_id",
            text="disability_code",
        ),
        _table(
            "ssd_immigration_status",
            "immi_",
            "immigration_status_id",
            "person_id",
            id="immigration_status_id person_id",
            text="immigration_status",
            date="immigration_status_start_date immigration_status_end_date",
        ),
        _table(
            "ssd_contacts",
            "cont_",
            "contact_id",
            "person_id",
            id="contact_id person_id",
            date="contact_date",
            text="contact_source_code",
        ),
        _table(
            "ssd_early_help_episodes",
            "earl_",
            "episode_id",
            "person_id",
            id="episode_id person_id",
            date="episode_start_date episode_end_date",
            text="episode_organisation",
        ),
        _table(
            "ssd_cin_episodes",
            "cine_",
            "referral_id",
            "person_id",
            id="referral_id person_id referral_worker_id",
            date="referral_date close_date",
            text="cin_primary_need_code referral_source_code referral_nfa close_reason "
            "referral_team",
        ),
        _table(
            "ssd_cin_assessments",
            "cina_",
            "assessment_id",
            "person_id",
            id="assessment_id person_id referral_id assessment_worker_id",
            date="assessment_start_date assessment_auth_date",
            text="assessment_child_seen assessment_outcome_nfa assessment_team",
        ),
        _table(
            "ssd_s47_enquiry",
            "s47e_",
            "s47_enquiry_id",
            "person_id",
            id="s47_enquiry_id person_id s47_completed_by_worker_id",
            date="s47_start_date s47_end_date",
            text="s47_nfa s47_outcome_json s47_completed_by_team",
        ),
        _table(
            "ssd_initial_cp_conference",
            "icpc_",
            "icpc_id",
            "person_id",
            id="icpc_id s47_enquiry_id person_id",
            date="icpc_date",
            text="icpc_outcome_cp_flag",
        ),
        _table(
            "ssd_cin_plans",
            "cinp_",
            "cin_plan_id",
            "person_id",
            id="cin_plan_id person_id",
            date="cin_plan_start_date cin_plan_end_date",
        ),
        _table(
            "ssd_cp_plans",
            "cppl_",
            "cp_plan_id",
            "person_id",
            id="cp_plan_id person_id referral_id",
            date="cp_plan_start_date cp_plan_end_date",
            text="cp_plan_initial_category cp_plan_latest_category cp_plan_ola",
        ),
        _table(
            "ssd_cp_reviews",
            "cppr_",
            "cp_review_id",
            "person_id",
            id="cp_review_id person_id cp_plan_id",
            date="cp_review_due cp_review_date",
            text="cp_review_quorate",
        ),
        _table(
            "ssd_cp_visits",
            "cppv_",
            "cp_visit_id",
            "person_id",
            id="cp_visit_id person_id cp_plan_id",
            date="cp_visit_date",
            text="cp_visit_seen cp_visit_seen_alone cp_visit_bedroom",
        ),
        _table(
            "ssd_cin_visits",
            "cinv_",
            "cin_visit_id",
            "person_id",
            id="cin_visit_id person_id",
            date="cin_visit_date",
            text="cin_visit_seen cin_visit_seen_alone cin_visit_bedroom",
        ),
        _table(
            "ssd_cla_episodes",
            "clae_",
            "cla_episode_id",
            "person_id",
            id="cla_episode_id person_id cla_id referral_id",
            date="cla_episode_start_date cla_episode_ceased_date cla_last_iro_contact_date",
            text="cla_episode_start_reason cla_primary_need_code cla_episode_ceased_reason",
        ),
        _table(
            "ssd_cla_placement",
            "clap_",
            "cla_placement_id",
            "person_id",
            id="cla_placement_id cla_id person_id",
            date="cla_placement_start_date cla_placement_end_date",
            text="cla_placement_type cla_placement_provider cla_placement_postcode "
            "cla_placement_urn",
        ),
        _table(
            "ssd_cla_reviews",
            "clar_",
            "cla_review_id",
            None,
            id="cla_review_id cla_id",
            date="cla_review_due_date cla_review_date",
            text="cla_review_cancelled",
        ),
        _table(
            "ssd_cla_visits",
            "clav_",
            "cla_visit_id",
            "person_id",
            id="cla_visit_id cla_id person_id",
            date="cla_visit_date",
            text="cla_visit_seen cla_visit_seen_alone",
        ),
        _table(
            "ssd_cla_health",
            "clah_",
            "health_check_id",
            "person_id",
            id="health_check_id person_id",
            date="health_check_date",
            text="health_check_type health_check_status",
        ),
        _table(
            "ssd_legal_status",
            "lega_",
            "legal_status_id",
            "person_id",
            id="legal_status_id person_id",
            text="legal_status",
            date="legal_status_start_date legal_status_end_date",
        ),
        _table(
            "ssd_cla_care_plan",
            "lacp_",
            "table_id",
            "person_id",
            id="table_id person_id",
            date="cla_care_plan_start_date cla_care_plan_end_date",
            text="cla_care_plan_json",
        ),
        _table(
            "ssd_missing",
            "miss_",
            "table_id",
            "person_id",
            id="table_id person_id",
            date="missing_episode_start_date missing_episode_end_date",
            text="missing_episode_type missing_rhi_offered missing_rhi_accepted",
            extra="missing_rhi_offered_date",
        ),
        _table(
            "ssd_care_leavers",
            "clea_",
            "table_id",
            "person_id",
            id="table_id person_id care_leaver_worker_id",
            date="care_leaver_latest_contact pathway_plan_review_date",
            text="care_leaver_eligibility care_leaver_in_touch care_leaver_accommodation "
            "care_leaver_accom_suitable care_leaver_activity care_leaver_personal_advisor "
            "care_leaver_allocated_team",
        ),
        _table(
            "ssd_permanence",
            "perm_",
            "table_id",
            "person_id",
            id="table_id person_id cla_id",
            date="adm_decision_date placement_order_date matched_date "
            "placed_for_adoption_date permanence_order_date decision_reversed_date "
            "placed_ffa_cp_date",
            text="permanence_order_type decision_reversed_reason",
        ),
        _table(
            "ssd_involvements",
            "invo_",
            "involvements_id",
            "person_id",
            id="involvements_id professional_id person_id referral_id",
            date="involvement_start_date involvement_end_date",
            text="professional_role_id professional_team worker_change_reason",
        ),
        _table(
            "ssd_professionals",
            "prof_",
            "professional_id",
            None,
            id="professional_id staff_id",
            number="full_time_equivalency",
            text="professional_name professional_job_title professional_department "
            "agency_worker_flag",
        ),
        _table("ssd_department", "dept_", "team_id", None, id="team_id", text="team_name"),
    )
}
BY_PREFIX = {t.prefix: t for t in TABLES.values()}


def recognise(headings: list[str]) -> SsdTable | None:
    """The SSD table whose fields these headings are: every heading that has a table prefix
    has the same one, and at least two of them are fields the specification gives that table
    (a dump may hold more fields than the audit reads, never fields of another table)."""
    names = [h.strip().strip('"').lower() for h in headings if h.strip()]
    prefixes = {n.split("_", 1)[0] + "_" for n in names if "_" in n}
    found = [BY_PREFIX[p] for p in prefixes if p in BY_PREFIX]
    if len(found) != 1:
        return None
    table = found[0]
    known = sum(1 for n in names if n in table.fields)
    return table if known >= 2 and table.key in names else None
