"""Every rule at its exact boundary: due day met, the day after overdue; bank holidays and
month-end clamping inside the windows. Expected due dates are worked out by hand in comments."""

from __future__ import annotations

import pandas as pd
import pytest

from audits.engine.run import run_rules
from tests.conftest import findings_of, make_ctx, rule_by_id


def one(rule_id, lists, as_at):
    found = findings_of(rule_id, lists, as_at)
    assert len(found) <= 1, found
    return None if found.empty else found.iloc[0]


def due_and_days(finding):
    return finding["due_date"].date().isoformat(), int(finding["days_overdue"])


# ASM-01/02: start Tue 1 Sep 2026 + 45 working days (no holidays in Sep/Oct) = Tue 3 Nov 2026.
ASSESSMENT = {"child_id": "1", "assessment_start": "2026-09-01", "assessment_authorised": None}


@pytest.mark.parametrize(
    ("as_at", "expected"), [("2026-11-03", None), ("2026-11-04", ("2026-11-03", 1))]
)
def test_asm01_open_assessment(as_at, expected):
    f = one("ASM-01", {4: [ASSESSMENT]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


def test_asm01_future_authorisation_counts_as_open_and_not_late():
    row = {**ASSESSMENT, "assessment_authorised": "2026-12-01"}
    assert one("ASM-01", {4: [row]}, "2026-11-04") is not None
    assert one("ASM-02", {4: [row]}, "2026-11-04") is None


@pytest.mark.parametrize(
    ("authorised", "expected"), [("2026-11-03", None), ("2026-11-04", ("2026-11-03", 1))]
)
def test_asm02_authorised_late(authorised, expected):
    f = one("ASM-02", {4: [{**ASSESSMENT, "assessment_authorised": authorised}]}, "2026-11-20")
    assert (f is None and expected is None) or due_and_days(f) == expected


@pytest.mark.parametrize(
    ("authorised", "seen", "flagged"),
    [
        ("2026-10-01", "No", True),
        ("2026-10-01", None, True),
        ("2026-10-01", "Yes", False),
        ("2026-10-01", "Unknown", False),
        (None, "No", False),
    ],
)
def test_asm03_child_not_seen(authorised, seen, flagged):
    row = {**ASSESSMENT, "assessment_authorised": authorised, "child_seen": seen}
    assert (one("ASM-03", {4: [row]}, "2026-11-20") is not None) == flagged


# S47: strategy Mon 14 Dec 2026 + 15 working days, skipping 25 and 28 Dec and 1 Jan = Thu 7 Jan 2027.
S47 = {"child_id": "5", "strategy_date": "2026-12-14", "icpc_date": None, "icpc_unnecessary": "No"}


@pytest.mark.parametrize(
    ("icpc", "expected"), [("2027-01-07", None), ("2027-01-08", ("2027-01-07", 1))]
)
def test_s47_01_icpc_late(icpc, expected):
    f = one("S47-01", {5: [{**S47, "icpc_date": icpc}]}, "2027-02-01")
    assert (f is None and expected is None) or due_and_days(f) == expected


@pytest.mark.parametrize(
    ("as_at", "unnecessary", "expected"),
    [
        ("2027-01-07", "No", None),
        ("2027-01-08", "No", ("2027-01-07", 1)),
        ("2027-01-08", None, ("2027-01-07", 1)),
        ("2027-01-08", "Yes", None),
    ],
)
def test_s47_02_icpc_overdue(as_at, unnecessary, expected):
    f = one("S47-02", {5: [{**S47, "icpc_unnecessary": unnecessary}]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


# CIN-01: Thu 1 Oct 2026 + 20 working days = Thu 29 Oct 2026.
@pytest.mark.parametrize(
    ("row", "as_at", "expected"),
    [
        ({"last_seen": "2026-10-01"}, "2026-10-29", None),
        ({"last_seen": "2026-10-01"}, "2026-10-30", ("2026-10-29", 1)),
        ({"last_seen": None}, "2026-10-30", ("2026-10-29", 1)),
        ({"last_seen": "2026-10-01", "cin_closed": "2026-10-20"}, "2026-10-30", None),
        ({"last_seen": "2026-10-01", "cin_closed": "2026-11-20"}, "2026-10-30", ("2026-10-29", 1)),
    ],
)
def test_cin01_child_not_seen(row, as_at, expected):
    base = {"child_id": "6", "cin_start": "2026-10-01", "cin_closed": None}
    f = one("CIN-01", {6: [{**base, **row}]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


# CP-01: Mon 21 Dec 2026 + 10 working days over Christmas = Thu 7 Jan 2027.
@pytest.mark.parametrize(
    ("row", "as_at", "expected"),
    [
        ({"last_visit": "2026-12-21"}, "2027-01-07", None),
        ({"last_visit": "2026-12-21"}, "2027-01-08", ("2027-01-07", 1)),
        ({"last_visit": None}, "2027-01-08", ("2027-01-07", 1)),
        ({"last_visit": None, "plan_end": "2027-01-02"}, "2027-01-08", None),
    ],
)
def test_cp01_statutory_visit(row, as_at, expected):
    base = {"child_id": "7", "plan_start": "2026-12-21", "plan_end": None}
    f = one("CP-01", {7: [{**base, **row}]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


# CP-02: 31 Aug 2026 + 6 months clamps to 28 Feb 2027; a plan started 30 Nov 2026 + 3 months too.
@pytest.mark.parametrize(
    ("row", "as_at", "expected"),
    [
        ({"latest_review": "2026-08-31"}, "2027-02-28", None),
        ({"latest_review": "2026-08-31"}, "2027-03-01", ("2027-02-28", 1)),
        ({"latest_review": None, "plan_start": "2026-11-30"}, "2027-02-28", None),
        ({"latest_review": None, "plan_start": "2026-11-30"}, "2027-03-01", ("2027-02-28", 1)),
    ],
)
def test_cp02_review_conference(row, as_at, expected):
    base = {"child_id": "7", "plan_start": "2026-05-01", "plan_end": None}
    f = one("CP-02", {7: [{**base, **row}]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


@pytest.mark.parametrize(
    ("start", "as_at", "flagged"),
    [
        ("2024-11-23", "2026-11-22", False),
        ("2024-11-23", "2026-11-23", True),
        ("2024-02-29", "2026-02-27", False),
        ("2024-02-29", "2026-02-28", True),
    ],
)
def test_cp03_plan_two_years_or_more(start, as_at, flagged):
    f = one("CP-03", {7: [{"child_id": "7", "plan_start": start, "plan_end": None}]}, as_at)
    assert (f is not None) == flagged


@pytest.mark.parametrize(
    ("seen", "end", "flagged"),
    [
        ("No", None, True),
        (None, None, True),
        ("Yes", None, False),
        ("Unknown", None, False),
        ("No", "2026-01-01", False),
    ],
)
def test_cp04_seen_alone(seen, end, flagged):
    row = {"child_id": "7", "plan_start": "2025-01-01", "plan_end": end, "seen_alone": seen}
    assert (one("CP-04", {7: [row]}, "2026-11-23") is not None) == flagged


# CLA-01: start Tue 1 Sep 2026 + 20 working days = F = Tue 29 Sep 2026.
@pytest.mark.parametrize(
    ("review", "as_at", "expected"),
    [
        (None, "2026-09-29", None),
        (None, "2026-09-30", ("2026-09-29", 1)),
        ("2026-09-29", "2026-12-29", None),  # first review on F: next within 3 months
        ("2026-09-29", "2026-12-30", ("2026-12-29", 1)),
        ("2026-09-30", "2026-12-30", None),  # after F: 6 months
        ("2026-09-30", "2027-03-31", ("2027-03-30", 1)),
    ],
)
def test_cla01_statutory_review(review, as_at, expected):
    row = {"child_id": "8", "cla_start": "2026-09-01", "ceased": None, "latest_review": review}
    f = one("CLA-01", {8: [row]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


@pytest.mark.parametrize(
    ("row", "as_at", "expected"),
    [
        ({"last_visit": None}, "2026-10-08", None),
        ({"last_visit": None}, "2026-10-09", ("2026-10-08", 1)),
        ({"last_visit": "2026-09-20"}, "2026-10-09", ("2026-10-08", 1)),  # visit before placement
        ({"last_visit": "2026-10-05"}, "2026-11-16", None),
        ({"last_visit": "2026-10-05"}, "2026-11-17", ("2026-11-16", 1)),
        # long-term foster placement a year old: 3 months after the last visit
        (
            {"placement_start": "2025-06-01", "placement_type": "U4", "last_visit": "2026-08-31"},
            "2026-11-30",
            None,
        ),
        (
            {"placement_start": "2025-06-01", "placement_type": "U1", "last_visit": "2026-08-31"},
            "2026-12-01",
            ("2026-11-30", 1),
        ),
        (
            {"placement_start": "2025-06-01", "placement_type": "U6", "last_visit": "2026-08-31"},
            "2026-11-30",
            ("2026-10-12", 49),
        ),
        (
            {"placement_start": "2025-12-01", "placement_type": "U4", "last_visit": "2026-08-31"},
            "2026-11-30",
            ("2026-10-12", 49),
        ),
    ],
)
def test_cla02_social_work_visit(row, as_at, expected):
    base = {
        "child_id": "8",
        "ceased": None,
        "placement_start": "2026-10-01",
        "placement_type": "U6",
    }
    f = one("CLA-02", {8: [{**base, **row}]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


@pytest.mark.parametrize(
    ("dob", "last", "as_at", "expected"),
    [
        ("2015-01-01", None, "2026-09-29", None),
        ("2015-01-01", None, "2026-09-30", ("2026-09-29", 1)),
        ("2021-11-23", "2026-05-23", "2026-11-24", None),  # aged 5: yearly
        ("2021-12-01", "2026-05-23", "2026-11-23", None),  # aged 4: six-monthly, due today
        ("2021-12-01", "2026-05-23", "2026-11-24", ("2026-11-23", 1)),
        ("2015-01-01", "2025-11-23", "2026-11-23", None),
        ("2015-01-01", "2025-11-23", "2026-11-24", ("2026-11-23", 1)),
    ],
)
def test_cla03_health_assessment(dob, last, as_at, expected):
    row = {
        "child_id": "8",
        "dob": dob,
        "cla_start": "2026-09-01",
        "ceased": None,
        "last_health_assessment": last,
    }
    f = one("CLA-03", {8: [row]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


@pytest.mark.parametrize(
    ("start", "last", "as_at", "expected"),
    [
        ("2025-11-23", None, "2026-11-22", None),
        ("2025-11-23", None, "2026-11-23", ("2026-11-23", 0)),
        ("2020-01-01", "2025-11-23", "2026-11-23", None),
        ("2020-01-01", "2025-11-23", "2026-11-24", ("2026-11-23", 1)),
    ],
)
def test_cla04_dental_check(start, last, as_at, expected):
    row = {"child_id": "8", "cla_start": start, "ceased": None, "last_dental_check": last}
    f = one("CLA-04", {8: [row]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


@pytest.mark.parametrize(
    ("episodes", "offered", "ceased", "flagged"),
    [
        (1, "No", None, True),
        (1, None, None, True),
        (1, "Yes", None, False),
        (0, "No", None, False),
        (2, "No", "2026-01-01", False),
    ],
)
def test_cla05_return_interview(episodes, offered, ceased, flagged):
    row = {
        "child_id": "8",
        "ceased": ceased,
        "missing_episodes": episodes,
        "return_interview_offered": offered,
    }
    assert (one("CLA-05", {8: [row]}, "2026-11-23") is not None) == flagged


@pytest.mark.parametrize(("placements", "flagged"), [(2, False), (3, True), (None, False)])
def test_cla06_placement_moves(placements, flagged):
    row = {"child_id": "8", "placements_12m": placements}
    assert (one("CLA-06", {8: [row]}, "2026-11-23") is not None) == flagged


@pytest.mark.parametrize(
    ("start", "plan", "as_at", "expected"),
    [
        ("2026-06-30", None, "2026-10-30", None),
        ("2026-06-30", None, "2026-10-31", ("2026-10-30", 1)),
        ("2026-10-31", None, "2027-03-01", ("2027-02-28", 1)),
        ("2026-06-30", "Adoption", "2026-10-31", None),
    ],
)
def test_cla07_permanence_plan(start, plan, as_at, expected):
    row = {"child_id": "8", "cla_start": start, "ceased": None, "permanence_plan": plan}
    f = one("CLA-07", {8: [row]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


@pytest.mark.parametrize(
    ("review", "as_at", "expected"),
    [("2026-05-31", "2026-11-30", None), ("2026-05-31", "2026-12-01", ("2026-11-30", 1))],
)
def test_cl01_pathway_plan(review, as_at, expected):
    f = one("CL-01", {9: [{"child_id": "9", "pathway_plan_review": review}]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


def test_cl01_no_review_is_flagged_without_due_date():
    f = one("CL-01", {9: [{"child_id": "9", "pathway_plan_review": None}]}, "2026-11-23")
    assert f is not None and pd.isna(f["due_date"]) and pd.isna(f["days_overdue"])
    assert f["message"] == "No pathway plan review recorded"


@pytest.mark.parametrize("rule_id", ["CL-01", "CL-02", "CL-04"])
def test_care_leaver_rules_not_run_on_the_13_column_layout(rule_id):
    ctx = make_ctx(
        {9: [{"child_id": "9", "in_touch": "Yes", "accommodation_suitability": "Suitable"}]},
        "2026-11-23",
    )
    outcome = run_rules(ctx, [rule_by_id(rule_id)]).outcomes[0]
    assert not outcome.ran
    assert "13 columns" in outcome.reason


@pytest.mark.parametrize(("adviser", "flagged"), [(None, True), ("Pat Adviser", False)])
def test_cl02_personal_adviser(adviser, flagged):
    assert (
        one("CL-02", {9: [{"child_id": "9", "personal_adviser": adviser}]}, "2026-11-23")
        is not None
    ) == flagged


@pytest.mark.parametrize(
    ("in_touch", "flagged"), [("Yes", False), ("No", True), (None, True), ("Refu", True)]
)
def test_cl03_in_touch(in_touch, flagged):
    assert (
        one("CL-03", {9: [{"child_id": "9", "in_touch": in_touch}]}, "2026-11-23") is not None
    ) == flagged


@pytest.mark.parametrize(
    ("contact", "as_at", "expected"),
    [("2026-10-01", "2026-11-26", None), ("2026-10-01", "2026-11-27", ("2026-11-26", 1))],
)
def test_cl04_contact(contact, as_at, expected):
    f = one("CL-04", {9: [{"child_id": "9", "latest_contact": contact}]}, as_at)
    assert (f is None and expected is None) or due_and_days(f) == expected


def test_cl04_no_contact_recorded():
    f = one("CL-04", {9: [{"child_id": "9", "latest_contact": None}]}, "2026-11-23")
    assert f is not None and f["message"] == "No contact date recorded"


@pytest.mark.parametrize(
    ("suitability", "flagged"), [("Suitable", False), ("Unsuitable", True), (None, True)]
)
def test_cl05_accommodation(suitability, flagged):
    row = {"child_id": "9", "accommodation_suitability": suitability}
    assert (one("CL-05", {9: [row]}, "2026-11-23") is not None) == flagged


def test_all01_open_rows_of_lists_3_to_8_only():
    lists = {
        3: [{"child_id": "3", "referral_date": "2026-11-01", "worker": None}],
        6: [
            {"child_id": "6a", "cin_start": "2026-01-01", "cin_closed": None, "worker": None},
            {
                "child_id": "6b",
                "cin_start": "2026-01-01",
                "cin_closed": "2026-06-01",
                "worker": None,
            },
            {"child_id": "6c", "cin_start": "2026-01-01", "cin_closed": None, "worker": "A Worker"},
        ],
        9: [{"child_id": "9", "worker": None}],
    }
    found = findings_of("ALL-01", lists, "2026-11-23")
    assert sorted(zip(found["list"], found["child_id"], found["area"], strict=True)) == [
        ("3", "3", "Referrals"),
        ("6", "6a", "Children in need"),
    ]


def test_dq01_duplicate_open_records():
    lists = {
        7: [
            {"child_id": "A", "plan_start": "2026-01-01", "plan_end": None},
            {"child_id": "A", "plan_start": "2026-03-01", "plan_end": None},
            {"child_id": "B", "plan_start": "2026-01-01", "plan_end": None},
            {"child_id": "B", "plan_start": "2025-01-01", "plan_end": "2025-06-01"},
        ],
        9: [{"child_id": "C"}, {"child_id": "C"}, {"child_id": "C"}],
    }
    found = findings_of("DQ-01", lists, "2026-11-23")
    assert sorted(zip(found["list"], found["child_id"], strict=True)) == [("7", "A"), ("9", "C")]
    assert "3 open records" in found.set_index("child_id").loc["C", "message"]


def test_dq02_impossible_dates():
    lists = {
        1: [
            {"child_id": "today", "dob": "2015-01-01", "contact_date": "2026-11-23"},
            {"child_id": "future", "dob": "2015-01-01", "contact_date": "2026-11-24"},
            {"child_id": "unborn", "dob": "2026-12-01", "contact_date": "2026-11-01"},
            {"child_id": "before", "dob": "2015-01-01", "contact_date": "2014-12-31"},
        ]
    }
    found = findings_of("DQ-02", lists, "2026-11-23")
    got = sorted(zip(found["child_id"], found["field"], strict=True))
    assert got == [
        ("before", "Date of Contact"),
        ("future", "Date of Contact"),
        ("unborn", "Date of Birth"),
        ("unborn", "Date of Contact"),
    ]


def test_dq03_inconsistent_dob_once_per_child():
    lists = {
        4: [{"child_id": "X", "dob": "2015-01-01"}, {"child_id": "Y", "dob": "2016-01-01"}],
        8: [{"child_id": "X", "dob": "2015-01-02"}, {"child_id": "Y", "dob": "2016-01-01"}],
    }
    found = findings_of("DQ-03", lists, "2026-11-23")
    assert found["child_id"].tolist() == ["X"]
    assert found["list"].tolist() == ["4, 8"]


def test_finding_ids_are_stable_and_distinct():
    rows = [{**ASSESSMENT, "child_id": str(i)} for i in range(3)] + [ASSESSMENT]
    first = findings_of("ASM-01", {4: rows}, "2026-11-04")
    again = findings_of("ASM-01", {4: rows}, "2026-11-20")  # a later run: same records, same ids
    assert first["finding_id"].is_unique
    assert first["finding_id"].tolist() == again["finding_id"].tolist()


def test_local_threshold_from_config_is_used():
    from audits.core.config import Config

    row = {"child_id": "9", "latest_contact": "2026-10-01"}
    assert (
        findings_of("CL-04", {9: [row]}, "2026-11-20", Config(care_leaver_contact_days=30)).shape[0]
        == 1
    )
    assert findings_of("CL-04", {9: [row]}, "2026-11-20").shape[0] == 0
