"""Code lists of the Annex A fields the audit parses, and how each written form maps to one code.

Councils write the same code as `b) Female`, `Female` or `F`; `a) Yes`, `Yes` or `Y`. A value is
matched case-insensitively after removing Ofsted's ordering prefix (`a)`, `zz)`), spaces and
non-breaking spaces. Each domain maps every accepted spelling to one canonical value.
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
        "Male": ["M", "Boy"],
        "Female": ["F", "Girl"],
        "Not stated/recorded": [
            "Not stated/recorded (or unborn)",
            "Not stated",
            "Not recorded",
            "Unknown",
            "U",
            "Unborn",
            "Not known",
        ],
        "Neither": ["Other", "Indeterminate", "I", "N"],
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
    {"Suitable": ["1", "Y"], "Unsuitable": ["Not suitable", "2", "N"]},
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
    "Z1": "Other placements",
    "T0": "Temporary placement",
    "T1": "Temporary placement - hospital",
    "T2": "Temporary placement - holiday",
    "T3": "Temporary placement - carer holiday",
    "T4": "Temporary placement - seven days or less",
}


class PlacementTypeDomain(CodeDomain):
    """SSDA903 placement codes: `a) U1: Foster placement - ...`, `U1: ...`, `U1 - ...` or `U1`."""

    _CODE = re.compile(r"^([A-Z]\d)\b")

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
