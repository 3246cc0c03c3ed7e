"""The canonical model of Annex A: each list, its fields, their kinds and the headings that name them.

Headings are matched on a key (lower case, letters and digits only), so stray spaces, curly
quotes, `?` and typos such as `(Y/N))` do not matter. Where councils or Ofsted layouts use another
wording, it is listed as an alias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from audits.model import codes
from audits.model.codes import CodeDomain

Kind = Literal["id", "date", "code", "number", "text"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(text: object) -> str:
    """Normalised form of a heading: `Date Ceased to be Looked After ` -> `date ceased to be looked after`."""
    if text is None:
        return ""
    return _NON_ALNUM.sub(" ", str(text).casefold()).strip()


@dataclass(frozen=True)
class Field:
    name: str
    heading: str
    kind: Kind = "text"
    domain: CodeDomain | None = None
    aliases: tuple[str, ...] = ()
    count: bool = False  # a number that must be a whole number of zero or more

    @property
    def keys(self) -> set[str]:
        return {header_key(self.heading), *(header_key(a) for a in self.aliases)}


@dataclass(frozen=True)
class ListSpec:
    number: int | None  # Annex A list number; None for a council's local table
    title: str
    area: str
    fields: tuple[Field, ...]
    signature: tuple[str, ...]  # fields whose headings identify this list (see `match_all`)
    id_field: str = "child_id"
    audited: bool = True
    end_field: str | None = None  # a blank (or future) value here means the record is open
    identity_fields: tuple[str, ...] = field(default=())  # dates that identify one record
    name: str | None = None  # a local table's key, e.g. 'workers'
    match_all: bool = False  # True: every signature heading needed; False: any one of them

    @property
    def key(self) -> str:
        return f"list{self.number}" if self.number is not None else str(self.name)

    @property
    def label(self) -> str:
        """How findings and messages name it: '8' for List 8, the key for a local table."""
        return str(self.number) if self.number is not None else str(self.name)

    @property
    def display(self) -> str:
        return f"List {self.number}" if self.number is not None else f"{self.title} table"

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def fields_of_kind(self, kind: Kind) -> list[Field]:
        return [f for f in self.fields if f.kind == kind]


CHILD_ID = Field(
    "child_id", "Child Unique ID", "id", aliases=("Child ID", "Child Unique Identifier")
)
GENDER = Field("gender", "Gender", "code", codes.GENDER, aliases=("Sex",))
ETHNICITY = Field("ethnicity", "Ethnicity", "code", codes.ETHNICITY)
DOB = Field("dob", "Date of Birth", "date", aliases=("DOB",))
AGE = Field("age", "Age of Child (Years)", "number", aliases=("Age", "Age of Child"))
DISABILITY = Field("disability", "Does the Child have a Disability", "code", codes.YES_NO_UNKNOWN)
TEAM = Field("team", "Allocated Team")
WORKER = Field("worker", "Allocated Worker")
PERSON = (CHILD_ID, GENDER, ETHNICITY, DOB, AGE)

LIST1 = ListSpec(
    1,
    "Contacts",
    "Contacts",
    (
        *PERSON,
        Field("contact_date", "Date of Contact", "date"),
        Field("contact_source", "Contact Source", "code", codes.SOURCE),
    ),
    signature=("contact_date", "contact_source"),
    identity_fields=("contact_date",),
)
LIST2 = ListSpec(
    2,
    "Early help",
    "Early help",
    (
        *PERSON,
        Field("eh_start", "Assessment start date", "date"),
        Field("eh_completed", "Assessment completion date", "date"),
        Field("eh_organisation", "Organisation completing assessment"),
    ),
    signature=("eh_completed", "eh_organisation"),
    identity_fields=("eh_start",),
)
LIST3 = ListSpec(
    3,
    "Referrals",
    "Referrals",
    (
        *PERSON,
        Field("referral_date", "Date of Referral", "date"),
        Field("referral_source", "Referral Source", "code", codes.SOURCE),
        Field("referral_nfa", "Referral NFA?", "code", codes.YES_NO),
        Field("referrals_12m", "Number of Referrals in Last 12 Months", "number", count=True),
        TEAM,
        WORKER,
    ),
    signature=("referral_date", "referral_nfa"),
    identity_fields=("referral_date",),
)
LIST4 = ListSpec(
    4,
    "Assessments",
    "Assessment",
    (
        *PERSON,
        DISABILITY,
        Field(
            "assessment_start",
            "Continuous Assessment Start Date",
            "date",
            aliases=("Assessment Start Date",),
        ),
        Field(
            "child_seen",
            "Child Seen During Continuous Assessment",
            "code",
            codes.YES_NO_UNKNOWN,
            aliases=("Child Seen During Assessment",),
        ),
        Field(
            "assessment_authorised",
            "Continuous Assessment Date of Authorisation",
            "date",
            aliases=("Assessment Date of Authorisation", "Assessment Authorisation Date"),
        ),
        Field(
            "assessed_in_need",
            "Was the child assessed as requiring LA children's social care support",
            "code",
            codes.YES_NO,
            aliases=("Was the child assessed as being in need at assessment",),
        ),
        TEAM,
        WORKER,
    ),
    signature=("assessment_start", "assessment_authorised"),
    end_field="assessment_authorised",
    identity_fields=("assessment_start",),
)
LIST5 = ListSpec(
    5,
    "Section 47 enquiries and ICPCs",
    "Child protection",
    (
        *PERSON,
        DISABILITY,
        Field(
            "strategy_date",
            "Strategy discussion initiating Section 47 Enquiry Start Date",
            "date",
            aliases=("Section 47 Enquiry Start Date", "Strategy discussion date"),
        ),
        Field(
            "icpc_unnecessary",
            "Was an Initial Child Protection Conference deemed unnecessary?",
            "code",
            codes.YES_NO,
        ),
        Field(
            "icpc_date",
            "Date of Initial Child Protection Conference",
            "date",
            aliases=("ICPC Date",),
        ),
        Field(
            "icpc_plan",
            "Did the Initial Child Protection Conference Result in a Child Protection Plan",
            "code",
            codes.YES_NO,
        ),
        Field(
            "s47_12m", "Number of Section 47 Enquiries in the last 12 months", "number", count=True
        ),
        Field("icpc_12m", "Number of ICPCs in the last 12 months", "number", count=True),
        TEAM,
        WORKER,
    ),
    signature=("strategy_date", "icpc_date"),
    identity_fields=("strategy_date",),
)
LIST6 = ListSpec(
    6,
    "Children in need",
    "Children in need",
    (
        *PERSON,
        DISABILITY,
        Field("cin_start", "CIN Start Date", "date"),
        Field("primary_need", "Primary Need Code", "code", codes.NEED),
        Field("last_seen", "Date Child Was Last Seen", "date"),
        Field("cin_closed", "CIN Closure Date", "date"),
        Field("closure_reason", "Reason for Closure", "code", codes.CLOSURE_REASON),
        Field("case_status", "Case Status", "code", codes.CASE_STATUS),
        TEAM,
        WORKER,
    ),
    signature=("cin_start", "cin_closed"),
    end_field="cin_closed",
    identity_fields=("cin_start",),
)
LIST7 = ListSpec(
    7,
    "Child protection",
    "Child protection",
    (
        *PERSON,
        DISABILITY,
        Field("plan_start", "Child Protection Plan Start Date", "date"),
        Field("initial_category", "Initial Category of Abuse", "code", codes.ABUSE_CATEGORY),
        Field("latest_category", "Latest Category of Abuse", "code", codes.ABUSE_CATEGORY),
        Field(
            "last_visit",
            "Date of the Last Statutory Visit",
            "date",
            aliases=("Date of Last Statutory Visit",),
        ),
        Field("seen_alone", "Was the Child Seen Alone?", "code", codes.YES_NO_UNKNOWN),
        Field("latest_review", "Date of latest review conference", "date"),
        Field("plan_end", "Child Protection Plan End Date", "date"),
        Field(
            "epo",
            "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
            "code",
            codes.YES_NO,
        ),
        Field("previous_plans", "Number of Previous Child Protection Plans", "number", count=True),
        TEAM,
        WORKER,
    ),
    signature=("plan_start", "plan_end"),
    end_field="plan_end",
    identity_fields=("plan_start",),
)
LIST8 = ListSpec(
    8,
    "Children in care",
    "Children in care",
    (
        *PERSON,
        Field(
            "uasc",
            "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
            "code",
            codes.YES_NO,
        ),
        DISABILITY,
        Field("cla_start", "Date Started to be Looked After", "date"),
        Field("category_of_need", "Child's Category of Need", "code", codes.NEED),
        Field(
            "subsequent_period",
            "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
            "code",
            codes.YES_NO,
            aliases=(
                "Is this a second or subsequent episode of being a Looked After Child within the last 12 months (Y/N)",
            ),
        ),
        Field("legal_status_start", "Start date of current legal status", "date"),
        Field("legal_status", "Child's Legal Status", "code", codes.LEGAL_STATUS),
        Field("latest_review", "Date of Latest Statutory Review", "date"),
        Field("last_visit", "Date of Last Social Work Visit", "date"),
        Field(
            "permanence_plan",
            "What is the permanence plan for this child?",
            "code",
            codes.PERMANENCE_PLAN,
            aliases=("Permanence Plan",),
        ),
        Field("last_iro_contact", "Date of Last IRO Visit / Contact to the Child", "date"),
        Field("last_health_assessment", "Date of Last Health Assessment", "date"),
        Field("last_dental_check", "Date of Last Dental Check", "date"),
        Field("placements_12m", "Number of Placements in the Last 12 months", "number", count=True),
        Field("ceased", "Date Ceased to be Looked After", "date"),
        Field("reason_ceased", "Reason Ceased to be Looked After", "code", codes.REASON_CEASED),
        Field("placement_start", "Start Date of Most Recent Placement", "date"),
        Field("placement_type", "Placement Type", "code", codes.PLACEMENT_TYPE),
        Field("placement_provider", "Placement Provider", "code", codes.PLACEMENT_PROVIDER),
        Field("placement_postcode", "Placement postcode"),
        Field("placement_urn", "URN of Placement"),
        Field("placement_location", "Placement Location", "code", codes.PLACEMENT_LOCATION),
        Field("placement_la", "LA of Placement"),
        Field(
            "missing_episodes",
            "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 months",
            "number",
            count=True,
        ),
        Field(
            "absent_episodes",
            "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
            "number",
            count=True,
        ),
        Field(
            "return_interview_offered",
            "Was the child offered a Return Interview after their last missing episode (Y/N)?",
            "code",
            codes.YES_NO_UNKNOWN,
        ),
        Field(
            "return_interview_accepted",
            "Did the child accept a Return Interview after their last missing episode (Y/N)?",
            "code",
            codes.YES_NO_UNKNOWN,
        ),
        TEAM,
        WORKER,
    ),
    signature=("cla_start", "ceased", "latest_review"),
    end_field="ceased",
    identity_fields=("cla_start",),
)
LIST9 = ListSpec(
    9,
    "Care leavers",
    "Care leavers",
    (
        *PERSON,
        Field(
            "uasc",
            "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
            "code",
            codes.YES_NO,
        ),
        DISABILITY,
        TEAM,
        WORKER,
        Field(
            "personal_adviser",
            "Allocated Personal Advisor",
            aliases=("Allocated Personal Adviser",),
        ),
        Field("eligibility", "Eligibility Category", "code", codes.ELIGIBILITY),
        Field("pathway_plan_review", "Latest Pathway Plan Review Date", "date"),
        Field("in_touch", "LA in Touch", "code", codes.LA_IN_TOUCH),
        Field("latest_contact", "Latest Date of Contact", "date"),
        Field("accommodation_type", "Type of Accommodation", "code", codes.ACCOMMODATION),
        Field(
            "accommodation_suitability", "Suitability of Accommodation", "code", codes.SUITABILITY
        ),
        Field("activity", "Activity Status", "code", codes.ACTIVITY),
    ),
    signature=(
        "eligibility",
        "in_touch",
        "accommodation_suitability",
        "personal_adviser",
        "pathway_plan_review",
        "latest_contact",
    ),
)
LIST10 = ListSpec(
    10,
    "Adoption",
    "Adoption",
    (
        CHILD_ID,
        Field("family_id", "Family identifier"),
        GENDER,
        ETHNICITY,
        DOB,
        AGE,
        DISABILITY,
        Field("entered_care", "Date the Child Entered Care", "date"),
        Field(
            "adoption_decision", "Date of Decision that Child Should be Placed for Adoption", "date"
        ),
        Field("placement_order", "Date of Placement Order", "date"),
        Field("matched", "Date of Matching Child and Prospective Adopters", "date"),
        Field("placed_for_adoption", "Date Placed for Adoption", "date"),
        Field("adoption_order", "Date of Adoption Order", "date"),
        Field(
            "no_longer_decision",
            "Date of Decision that Child Should No Longer be Placed for Adoption",
            "date",
        ),
        Field(
            "no_longer_reason",
            "Reason Why Child No Longer Placed for Adoption",
            "code",
            codes.NO_LONGER_REASON,
        ),
        Field(
            "ffa_placed",
            "Date the child was placed for fostering in FFA or concurrent planning placement",
            "date",
        ),
    ),
    signature=("adoption_decision", "placement_order"),
    identity_fields=("entered_care",),
)
LIST11 = ListSpec(
    11,
    "Adopters",
    "Adopters",
    (
        Field("adopter_id", "Individual adopter identifier", "id"),
        Field("family_id", "Family identifier"),
        Field("enquiry_date", "Date enquiry received"),
        Field("stage1_start", "Date Stage 1 started"),
    ),
    signature=("adopter_id", "enquiry_date"),
    id_field="adopter_id",
    audited=False,
)

ANNEX_A: tuple[ListSpec, ...] = (
    LIST1,
    LIST2,
    LIST3,
    LIST4,
    LIST5,
    LIST6,
    LIST7,
    LIST8,
    LIST9,
    LIST10,
    LIST11,
)
BY_NUMBER = {spec.number: spec for spec in ANNEX_A}

# List 9 came in two layouts: 13 columns (2019 template) and 17 columns (2024), which adds the
# personal adviser, pathway plan review and latest contact (and the UASC column).
LIST9_2024_FIELDS = ("personal_adviser", "pathway_plan_review", "latest_contact")


# --- The council's local tables (DESIGN §1), recognised by their headings like the lists. ---
CARE_LEAVER_DOCUMENTS = ListSpec(
    None,
    "Care leaver documents",
    "Care leavers",
    (
        CHILD_ID,
        Field("document", "Document", aliases=("Document Type", "Document Name")),
        Field("held", "Held", "code", codes.YES_NO, aliases=("Held (Y/N)", "Document Held")),
        Field("recorded", "Date Recorded", "date", aliases=("Recorded Date", "Date Held")),
    ),
    signature=("document", "held"),
    name="care_leaver_documents",
    match_all=True,
)
WORKERS = ListSpec(
    None,
    "Workers",
    "Workforce",
    (
        Field(
            "worker", "Allocated Worker", "id", aliases=("Worker", "Worker Name", "Social Worker")
        ),
        TEAM,
        Field("fte", "FTE", "number", aliases=("Full Time Equivalent",)),
        Field("role", "Role", "code", codes.ROLE, aliases=("Worker Role", "Job Role")),
        Field("agency", "Agency", "code", codes.YES_NO, aliases=("Agency (Y/N)", "Agency Worker")),
    ),
    signature=("fte", "role"),
    id_field="worker",
    name="workers",
    match_all=True,
)
MANAGEMENT_OVERSIGHT = ListSpec(
    None,
    "Management oversight",
    "Management oversight",
    (
        CHILD_ID,
        Field(
            "last_oversight",
            "Date of Last Management Oversight",
            "date",
            aliases=("Last Management Oversight", "Management Oversight Date"),
        ),
    ),
    signature=("last_oversight",),
    name="management_oversight",
    match_all=True,
)
LOCAL_TABLES: tuple[ListSpec, ...] = (CARE_LEAVER_DOCUMENTS, WORKERS, MANAGEMENT_OVERSIGHT)
ALL_SPECS: tuple[ListSpec, ...] = ANNEX_A + LOCAL_TABLES
BY_LABEL = {spec.label: spec for spec in ALL_SPECS}
