"""The code model reads the DfE's own code lists (DESIGN §1a): every code of the CIN census and
SSDA903 code sets is a spelling of one canonical value, never an unreadable DQ-04.

The lists below are the code sets as the D2I validators encode them (`csc-validator-be-cin`
0.1.x and `csc-validator-be-903` at v0.1.14, the field's reference implementations; rule
numbers given), transcribed here because the validators are a test-time reference that the
test environment does not install (`make crosscheck` has its own environment).
"""

from __future__ import annotations

import pandas as pd
import pytest

from audits.model import codes

CIN_CODE_SETS = {
    "ReferralSource (rule 8866)": (
        codes.SOURCE,
        "1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 5D 6 7 8 9 10",
    ),
    "PrimaryNeedCode (rule 8650)": (codes.NEED, "N0 N1 N2 N3 N4 N5 N6 N7 N8 N9"),
    "ReasonForClosure (rule 8640)": (codes.CLOSURE_REASON, "RC1 RC2 RC3 RC4 RC5 RC6 RC7 RC8 RC9"),
    "CategoryOfAbuse (rules 8905, 8910)": (codes.ABUSE_CATEGORY, "NEG PHY SAB EMO MUL"),
    "Sex (rule 4180, 2024-25)": (codes.GENDER, "M F U"),
    "GenderCurrent (rule 4180, 2022-23)": (codes.GENDER, "0 1 2 9"),
}
SSDA903_CODE_SETS = {
    "ETHNIC (rule 103)": (
        codes.ETHNICITY,
        "WBRI WIRI WOTH WIRT WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE "
        "OOTH REFU NOBT",
    ),
    "LS (rule 144)": (codes.LEGAL_STATUS, "C1 C2 D1 E1 V2 V3 V4 J1 J2 J3 L1 L2 L3"),
    "CIN (category of need)": (codes.NEED, "N1 N2 N3 N4 N5 N6 N7 N8"),
    "PLACE (rule 146, 2022-23)": (
        codes.PLACEMENT_TYPE,
        "A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1",
    ),
    "PLACE (rule 146, 2024-25 and 2025-26)": (codes.PLACEMENT_TYPE, "K3 Z11 Z12 Z13 Z14"),
    "PLACE_PROVIDER (rule 178)": (codes.PLACEMENT_PROVIDER, "PR0 PR1 PR2 PR3 PR4 PR5"),
    "REC (rule 149)": (
        codes.REASON_CEASED,
        "E11 E12 E2 E3 E4A E4B E13 E41 E45 E46 E47 E48 E5 E6 E7 E8 E9 E14 E15 E16 E17 X1",
    ),
    "IN_TOUCH (OC3)": (codes.LA_IN_TOUCH, "YES NO DIED REFU NREQ RHOM"),
    "ACTIV (rule 132)": (codes.ACTIVITY, "F1 P1 F2 P2 F4 P4 F5 P5 G4 G5 G6 0"),
    "REASON_PLACED_CEASED (rule 120)": (codes.NO_LONGER_REASON, "RD1 RD2 RD3 RD4"),
    "SEX (rule 101, 2024-25)": (codes.GENDER, "M F U"),
}
# OC3 ACCOM (rule 133): a type letter and 1 (suitable) or 2 (unsuitable), or 0 (died, returned
# home); the SSDA903 adapter reads the letter as the type and the digit as the suitability.
ACCOM = (
    "B1 B2 C1 C2 D1 D2 E1 E2 G1 G2 H1 H2 K1 K2 R1 R2 S2 T1 T2 U1 U2 V1 V2 W1 W2 X2 Y1 Y2 Z1 Z2 0"
)


@pytest.mark.parametrize(
    ("name", "domain", "written"),
    [(name, d, w) for name, (d, w) in {**CIN_CODE_SETS, **SSDA903_CODE_SETS}.items()],
)
def test_every_code_of_the_dfe_code_sets_is_read(name, domain, written):
    given = pd.Series(written.split(), dtype="str")
    parsed = domain.parse(given)
    unread = given[parsed.isna()].tolist()
    assert not unread, f"{name}: {unread} would be DQ-04"
    # lower case and Ofsted's `a)` prefix are the same code
    assert domain.parse("a) " + given.str.lower()).tolist() == parsed.tolist()


def test_the_dfe_codes_mean_the_annex_a_values():
    """Aliases, not new values: the rules and indicators see Annex A's canonical values."""
    abuse = codes.ABUSE_CATEGORY.parse(pd.Series(["NEG", "PHY", "SAB", "EMO", "MUL"]))
    assert abuse.tolist() == [
        "Neglect",
        "Physical abuse",
        "Sexual abuse",
        "Emotional abuse",
        "Multiple/not recommended",
    ]
    multiple = codes.ABUSE_CATEGORY.parse(pd.Series(["Multiple: Neglect, Physical abuse"]))
    assert multiple.tolist() == ["Multiple/not recommended"]  # the SSD's code set writes this
    eligible = codes.ELIGIBILITY.parse(pd.Series(["Eligible", "Relevant", "Former relevant"]))
    assert eligible.tolist() == ["Eligible child", "Relevant child", "Former relevant child"]
    assert codes.PLACEMENT_TYPE.parse(pd.Series(["Z11: other", "Z15", "Z"])).tolist()[0] == "Z11"
    assert codes.PLACEMENT_TYPE.parse(pd.Series(["Z15", "Z", "K4"])).isna().all()


def test_every_oc3_accommodation_code_is_read_through_the_ssda903_adapter(tmp_path):
    from audits.ingest.dispatch import load_export

    rows = [f"C{i},01/01/2006,YES,F2,{code}" for i, code in enumerate(ACCOM.split())]
    (tmp_path / "oc3.csv").write_text("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n" + "\n".join(rows) + "\n")
    export = load_export(tmp_path)
    assert export.unreadable.empty, export.unreadable[["column", "value"]].to_dict("records")
    frame = export.lists[9].frame
    assert frame["accommodation_suitability"].tolist()[:2] == ["Suitable", "Unsuitable"]
    assert frame["accommodation_type"].iloc[-1] == "0"
    assert frame["accommodation_suitability"].iloc[-1] == "Not applicable"
