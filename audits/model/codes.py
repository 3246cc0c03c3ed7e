"""Code lists of the fields the audit parses, and how each written form maps to one code.

Councils write the same code as `b) Female`, `Female` or `F`; `a) Yes`, `Yes` or `Y`. A value is
matched case-insensitively after removing Ofsted's ordering prefix (`a)`, `zz)`), spaces and
non-breaking spaces. Each domain maps every accepted spelling to one canonical value.

The canonical values are Annex A's. The DfE's own code lists (the CIN census and SSDA903 code
sets, as the D2I validators `csc-validator-be-cin` and `csc-validator-be-903` encode them, which
the Standard Safeguarding Dataset reuses) are aliases of the same values: `NEG` is Neglect, `RC9`
a reason for closure, `E17` a reason care ceased. Every adapter passes codes through unchanged
and this model reads them; `tests/test_codes.py` compares each domain with those lists.
"""

from __future__ import annotations

import re

import pandas as pd

_PREFIX = re.compile(r"^\s*[a-z]{1,2}\)\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _key(text: str) -> str:
    return _SPACES.sub(" ", _PREFIX.sub("", text)).strip().casefold()


class CodeDomain:
    """A closed list of codes with the spellings that stand for each."""

    def __init__(self, name: str, spellings: dict[str, list[str]]) -> None:
        self.name = name
        self.codes = list(spellings)
        self._lookup: dict[str, str] = {}
        for code, forms in spellings.items():
            for form in [code, *forms]:
                self._lookup[_key(form)] = code

    def describe(self) -> str:
        return ", ".join(self.codes)

    def parse(self, text: pd.Series) -> pd.Series:
        """Canonical code per value; NA where the value is not one of the domain's spellings."""
        keys = text.str.replace(_PREFIX, "", regex=True)
        keys = keys.str.replace(_SPACES, " ", regex=True).str.strip().str.casefold()
        return keys.map(self._lookup)


YES_NO = CodeDomain("Yes/No", {"Yes": ["Y", "True", "1"], "No": ["N", "False", "0"]})
YES_NO_UNKNOWN = CodeDomain(
    "Yes/No/Unknown",
    {"Yes": ["Y", "True", "1"], "No": ["N", "False", "0"], "Unknown": ["U", "Not known"]},
)
GENDER = CodeDomain(
    "Gender",
    {
        # 1, 2, 0, 9: the CIN census GenderCurrent and SSDA903 SEX codes (and the SSD's 01, 02 ...)
        "Male": ["M", "1", "01"],
        "Female": ["F", "2", "02"],
        "Not stated/recorded": [
            "Not stated/recorded (or unborn)",
            "Not stated",
            "Not recorded",
            "Unknown",
            "U",
            "Unborn",
            "Not known",
            "0",
            "00",
        ],
        "Neither": ["Other", "Indeterminate", "I", "N", "9", "09"],
    },
)
LA_IN_TOUCH = CodeDomain(
    "LA in touch",
    {
        "Yes": ["Y"],
        "No": ["N"],
        "Died": ["DIED"],
        "Refu": ["Refused", "Young person refuses contact", "REFU"],
        "NREQ": ["No longer requires services", "Not required"],
        "RHOM": ["Rhom", "Returned home"],
    },
)
SUITABILITY = CodeDomain(
    "Suitability of accommodation",
    {
        "Suitable": ["1", "Y"],
        "Unsuitable": ["Not suitable", "2", "N"],
        # SSDA903 OC3 ACCOM 0: the young person has died or returned home (D2I rules 344, 345)
        "Not applicable": ["0", "N/A (died or returned home)"],
    },
)
_PLACEMENT_TYPES = {
    "U1": "Foster placement - relatives - long term",
    "U2": "Foster placement - relative - FFA",
    "U3": "Foster placement - relative - not FFA",
    "U4": "Foster placement - long term",
    "U5": "Foster placement - FFA",
    "U6": "Foster placement - not FFA",
    "A3": "Placed for adoption - consent - current foster",
    "A4": "Placed for adoption - consent - not foster",
    "A5": "Placed for adoption - order - foster",
    "A6": "Placed for adoption - order - not foster",
    "P1": "Placed with parents",
    "P2": "Independent living",
    "P3": "Residential employment",
    "H5": "Residential accommodation",
    "K1": "Secure Children's Homes",
    "K2": "Children's Homes",
    "R1": "Residential Care Home",
    "R2": "NHS/Health Trust",
    "R3": "Family Centre or Mother and Baby Unit",
    "R5": "Young Offender Institution",
    "S1": "Residential school",
    "K3": "Supported accommodation",  # 2024-25 on (Ofsted-registered; H5 before)
    "Z1": "Other placements",
    # 2025-26: Z1 divided into four codes (labels are the DfE guidance's; the code is what counts)
    "Z11": "Other placements (Z11)",
    "Z12": "Other placements (Z12)",
    "Z13": "Other placements (Z13)",
    "Z14": "Other placements (Z14)",
    "T0": "Temporary placement",
    "T1": "Temporary placement - hospital",
    "T2": "Temporary placement - holiday",
    "T3": "Temporary placement - carer holiday",
    "T4": "Temporary placement - seven days or less",
}


class PlacementTypeDomain(CodeDomain):
    """SSDA903 placement codes: `a) U1: Foster placement - ...`, `U1: ...`, `U1 - ...` or `U1`."""

    _CODE = re.compile(r"^([A-Z]\d{1,2})\b")  # U1, K3 and the 2025-26 codes Z11 to Z14

    def __init__(self) -> None:
        super().__init__(
            "Placement type", {code: [label] for code, label in _PLACEMENT_TYPES.items()}
        )

    def parse(self, text: pd.Series) -> pd.Series:
        stripped = text.str.replace(_PREFIX, "", regex=True).str.strip().str.upper()
        codes = stripped.str.extract(self._CODE, expand=False)
        return codes.where(codes.isin(self.codes))


PLACEMENT_TYPE = PlacementTypeDomain()
LONG_TERM_FOSTER = ("U1", "U4")

ROLE = CodeDomain(
    "Role",
    {
        "SW": ["Social worker", "Social Worker"],
        "NQSW/ASYE": ["NQSW", "ASYE", "NQSW / ASYE", "Newly qualified social worker"],
        "CRW": ["Children's resource worker", "Family support worker"],
        "TM": ["Team manager", "Team Manager", "Manager"],
    },
)


class LabelledDomain(CodeDomain):
    """An Ofsted code list of `code: label` pairs (a label-only list maps each label to itself).

    Accepted: the code, the label, `CODE: label` or `CODE - label` (any label after a known code),
    each with or without Ofsted's `a)` prefix, case and spacing ignored.
    """

    _LEADING = re.compile(r"^([a-z0-9]{1,4})\s*(?:[:\-–]|$)")

    def __init__(self, name: str, labels: dict[str, str | None], **extra: list[str]) -> None:
        spellings: dict[str, list[str]] = {}
        for code, label in labels.items():
            forms = [label, f"{code}: {label}", f"{code} - {label}"] if label else []
            spellings[code] = forms + extra.get(code, [])
        super().__init__(name, spellings)
        self._by_code = {_key(code): code for code, label in labels.items() if label}

    def describe(self) -> str:
        return ", ".join(self.codes)

    def parse(self, text: pd.Series) -> pd.Series:
        keys = text.str.replace(_PREFIX, "", regex=True)
        keys = keys.str.replace(_SPACES, " ", regex=True).str.strip().str.casefold()
        whole = keys.map(self._lookup)
        # `Multiple: Neglect, Physical abuse` (the SSD's form): the words before a colon
        before_colon = keys.str.extract(r"^([^:]+?)\s*:", expand=False).map(self._lookup)
        whole = whole.fillna(before_colon)
        if not self._by_code:
            return whole
        lead = keys.str.extract(self._LEADING, expand=False).map(self._by_code)
        return whole.fillna(lead)


# --- Ofsted Annex A code lists (the template's "Codes_used" sheet and guidance). A value may be
# written as the code, `a) CODE`, `CODE: label`, `CODE - label` or the label alone. ---
ETHNICITY = LabelledDomain(
    "Ethnicity",
    {
        "WBRI": "White British",
        "WIRI": "White Irish",
        "WIRT": "Traveller of Irish heritage",
        "WOTH": "Any other White background",
        "WROM": "Gypsy/Roma",
        "MWBC": "White and Black Caribbean",
        "MWBA": "White and Black African",
        "MWAS": "White and Asian",
        "MOTH": "Any other Mixed background",
        "AIND": "Indian",
        "APKN": "Pakistani",
        "ABAN": "Bangladeshi",
        "AOTH": "Any other Asian background",
        "BCRB": "Caribbean",
        "BAFR": "African",
        "BOTH": "Any other Black background",
        "CHNE": "Chinese",
        "OOTH": "Any other ethnic group",
        "REFU": "Refused",
        "NOBT": "Information not yet obtained",
    },
)
SOURCE = LabelledDomain(
    "Contact / referral source",
    {
        "1A": "Individual",
        "1B": "Individual",
        "1C": "Individual",
        "1D": "Individual",
        "2A": "Schools",
        "2B": "Education services",
        "3A": "Health services",
        "3B": "Health services",
        "3C": "Health services",
        "3D": "Health services",
        "3E": "Health services",
        "3F": "Health services",
        "4": "Housing",
        "5A": "LA services",
        "5B": "LA services",
        "5C": "LA services",
        "5D": "LA services",  # CIN census code set (D2I rule 8866)
        "6": "Police",
        "7": "Other legal agency",
        "8": "Other",
        "9": "Anonymous",
        "10": "Unknown",
    },
)
NEED = LabelledDomain(
    "Category of need",
    {
        "N1": "Abuse or neglect",
        "N2": "Child's disability",
        "N3": "Parental disability or illness",
        "N4": "Family in acute stress",
        "N5": "Family dysfunction",
        "N6": "Socially unacceptable behaviour",
        "N7": "Low income",
        "N8": "Absent parenting",
        "N9": "Cases other than children in need",
        "N0": "Not stated",
    },
)
CLOSURE_REASON = LabelledDomain(
    "Reason for closure",
    {
        "RC1": "Adopted",
        "RC2": "Died",
        "RC3": "Child arrangements order",
        "RC4": "Special guardianship order",
        "RC5": "Transferred to services of another local authority",
        "RC6": "Transferred to adult social care services",
        "RC7": "Services ceased for any other reason, including child no longer in need",
        "RC8": "Case closed after assessment, no further action",
        "RC9": "Case closed after assessment, referred to early help",
    },
)
CASE_STATUS = LabelledDomain(
    "Case status",
    {
        "Looked after child": None,
        "Child Protection plan": None,
        "Child in need plan": None,
        "Open assessment": None,
        "Closed episode": None,
    },
)
ABUSE_CATEGORY = LabelledDomain(
    "Category of abuse",
    {
        "Neglect": None,
        "Physical abuse": None,
        "Sexual abuse": None,
        "Emotional abuse": None,
        "Multiple/not recommended": None,
    },
    # the CIN census code set (D2I rules 8905, 8910), and the words without "abuse"
    **{
        "Neglect": ["NEG"],
        "Physical abuse": ["PHY", "Physical"],
        "Sexual abuse": ["SAB", "Sexual"],
        "Emotional abuse": ["EMO", "Emotional"],
        "Multiple/not recommended": ["MUL", "Multiple", "Multiple categories"],
    },
)
LEGAL_STATUS = LabelledDomain(
    "Legal status",
    {
        "C1": "ICO",
        "C2": "FCO",
        "D1": "Freeing order",
        "E1": "Placement order",
        "V2": "Single period under S20",
        "L1": "Police protection LA accommodation",
        "L2": "EPO",
        "L3": "Child assessment order LA accommodation",
        "J1": "Remanded to LA or youth detention",
        "J2": "LA accommodation under PACE",
        "J3": "Youth rehabilitation order",
        "V3": "Short term breaks, episodes recorded",
        "V4": "Short term breaks, agreements recorded",
    },
)
PERMANENCE_PLAN = LabelledDomain(
    "Permanence plan",
    {
        "Return to family": None,
        "Adoption": None,
        "SGO/CAO": None,
        "Supported living in the community": None,
        "Long-term residential placement": None,
        "Long-term fostering": None,
        "Other": None,
    },
)
REASON_CEASED = LabelledDomain(
    "Reason ceased to be looked after",
    {
        "E11": "Adopted - application unopposed",
        "E12": "Adopted - consent dispensed",
        "E2": "Died",
        "E3": "Care taken by another LA",
        "E4A": "Returned home to live with parents or relatives - part of planning",
        "E4B": "Returned home to live with parents or relatives - not part of planning",
        "E13": "Parents, relatives or other with no parental responsibility",
        "E41": "Residence order granted",
        "E45": "Special Guardianship Orders - former carer relative/friend",
        "E46": "Special Guardianship Orders - former carer other",
        "E47": "Special Guardianship Orders - relative/friend",
        "E48": "Special Guardianship Orders - other",
        "E5": "Moved into independent living - supported",
        "E6": "Moved into independent living - no support",
        "E7": "Transferred to residential care funded by adult social services",
        "E9": "Sentenced to custody",
        "E14": "Accommodation on remand ended",
        "E15": "Age assessment determined child was 18 or over",
        "E16": "Child moved abroad",
        "E17": "Aged 18 or over and remained with current carers (staying put)",
        "E8": "Care ceased for any other reason",
        "X1": "Episode ceases and new episode begins on same day",
    },
)
PLACEMENT_PROVIDER = LabelledDomain(
    "Placement provider",
    {
        "PR0": "Parents/Parental responsibility",
        "PR1": "Own provision",
        "PR2": "Other LA provision",
        "PR3": "Other public provision",
        "PR4": "Private provision",
        "PR5": "Voluntary/third sector",
    },
)
PLACEMENT_LOCATION = LabelledDomain(
    "Placement location",
    {"In": None, "Out": None},
)
ELIGIBILITY = LabelledDomain(
    "Eligibility category",
    {
        "Relevant child": None,
        "Former relevant child": None,
        "Qualifying care leaver": None,
        "Eligible child": None,
        "No current eligibility": None,
    },
    # the Standard Safeguarding Dataset's code set writes the categories without "child"
    **{
        "Relevant child": ["Relevant"],
        "Former relevant child": ["Former relevant"],
        "Qualifying care leaver": ["Qualifying"],
        "Eligible child": ["Eligible"],
    },
)
ACCOMMODATION = LabelledDomain(
    "Type of accommodation",
    {
        "B": "Parents/relatives",
        "C": "Community home / residential care",
        "D": "Semi-independent, transitional accommodation and self-contained accommodation",
        "E": "Supported lodgings",
        "G": "Abroad",
        "H": "Deported",
        "K": "Ordinary lodgings, without formal support",
        "R": "Residence not known",
        "S": "No fixed abode / homeless",
        "T": "Foyers and similar supported accommodation",
        "U": "Independent living",
        "V": "Emergency accommodation",
        "W": "Bed and breakfast",
        "X": "In custody",
        "Y": "Other accommodation",
        "Z": "With former foster carers",
        "0": "Not applicable (died, or returned home)",  # SSDA903 OC3 (D2I rules 344, 345)
    },
)
ACTIVITY = LabelledDomain(
    "Activity status",
    {
        "F1": "Full time in higher education",
        "P1": "Part time in higher education",
        "F2": "Full time in education other than higher",
        "P2": "Part time in education other than higher",
        "F3": "Full time in training or employment",  # superseded by F4/F5 and P4/P5
        "P3": "Part time in training or employment",
        "F4": "Full time in an apprenticeship",
        "P4": "Part time in an apprenticeship",
        "F5": "Full time in training or employment (not apprenticeship)",
        "P5": "Part time in training or employment (not apprenticeship)",
        "G4": "Not in education, employment or training - illness or disability",
        "G5": "Not in education, employment or training - other",
        "G6": "Not in education, employment or training - pregnancy or parenting",
        "0": "Not applicable (died, or returned home)",  # SSDA903 OC3 (D2I rules 132, 344)
    },
)
NO_LONGER_REASON = LabelledDomain(
    "Reason no longer placed for adoption",
    {
        "RD1": "The child's needs changed subsequent to the decision",
        "RD2": "The Court did not make a placement order",
        "RD3": "Prospective adopters could not be found",
        "RD4": "Any other reason",
    },
)
