"""The board's indicators (DESIGN §3b), each computed by hand on a tiny export and compared.

Due dates in the comments were worked out on a calendar: WD(Mon 1 Jun 2026, 45) = Mon 3 Aug;
WD(Fri 22 May 2026, 45) = Mon 27 Jul (the Spring bank holiday, Mon 25 May, is skipped; without
it the day would be Fri 24 Jul); WD(Mon 1 Jun 2026, 15) = Mon 22 Jun; WD(Fri 16 Oct 2026, 10) =
Fri 30 Oct.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.core.config import Config
from audits.core.errors import InputError
from audits.engine.run import run_rules
from audits.indicators.comparators import ComparatorTableError, load_national, national, rag
from audits.indicators.compute import compute_indicators
from audits.indicators.definitions import BY_ID, INDICATORS
from audits.indicators.settings import load_config
from tests.conftest import ROOT, make_ctx

AS_AT = "2026-10-30"  # a Friday
runner = CliRunner()


def indicators(lists, as_at=AS_AT, config: Config | None = None) -> dict[str, dict]:
    ctx = make_ctx(lists, as_at, config)
    return {i["id"]: i for i in compute_indicators(ctx, run_rules(ctx))}


def counts(found: dict) -> tuple:
    return found["numerator"], found["denominator"], found["value"]


def test_assessments_within_45_working_days_on_the_day_and_a_day_later():
    rows = [
        {"child_id": "A", "assessment_start": "2026-06-01", "assessment_authorised": "2026-08-03"},
        {"child_id": "B", "assessment_start": "2026-06-01", "assessment_authorised": "2026-08-04"},
        {"child_id": "C", "assessment_start": "2026-05-22", "assessment_authorised": "2026-07-27"},
        {"child_id": "D", "assessment_start": "2026-05-22", "assessment_authorised": "2026-07-28"},
        {"child_id": "E", "assessment_start": "2026-10-01", "assessment_authorised": None},  # open
        {"child_id": "F", "assessment_start": "2026-10-01", "assessment_authorised": "2026-11-02"},
    ]  # F authorised after D: not yet in either count
    found = indicators({4: rows})["IND-ASM-45"]
    assert counts(found) == (2, 4, 50.0)
    assert found["unit"] == "%" and found["better"] == "higher"


def test_icpcs_within_15_working_days():
    rows = [
        {"child_id": "A", "strategy_date": "2026-06-01", "icpc_date": "2026-06-22"},
        {"child_id": "B", "strategy_date": "2026-06-01", "icpc_date": "2026-06-23"},
        {"child_id": "C", "strategy_date": "2026-06-01", "icpc_date": "2026-06-10"},
        {"child_id": "D", "strategy_date": "2026-10-20", "icpc_date": None},
    ]
    assert counts(indicators({5: rows})["IND-ICPC-15"]) == (2, 3, 66.7)


def test_repeat_plans_start_exactly_12_months_ago_is_outside():
    rows = [
        {"child_id": "A", "plan_start": "2025-10-30", "previous_plans": 1},  # M(D, -12): out
        {"child_id": "B", "plan_start": "2025-10-31", "previous_plans": 2},  # in, repeat
        {"child_id": "C", "plan_start": "2026-10-30", "previous_plans": 0},  # D itself: in
        {"child_id": "D", "plan_start": "2026-03-01", "previous_plans": None},  # in, not known
    ]
    assert counts(indicators({7: rows})["IND-CP-REPEAT"]) == (1, 3, 33.3)


def test_repeat_plans_window_clamps_at_month_end():
    rows = [  # D = 29 Feb 2024: 12 months earlier is 28 Feb 2023
        {"child_id": "A", "plan_start": "2023-02-28", "previous_plans": 1},
        {"child_id": "B", "plan_start": "2023-03-01", "previous_plans": 1},
    ]
    assert counts(indicators({7: rows}, "2024-02-29")["IND-CP-REPEAT"]) == (1, 1, 100.0)


def test_plans_open_two_years_on_the_day():
    rows = [
        {"child_id": "A", "plan_start": "2024-10-30", "plan_end": None},  # two years today
        {"child_id": "B", "plan_start": "2024-10-31", "plan_end": None},  # a day short
        {"child_id": "C", "plan_start": "2020-01-01", "plan_end": "2026-10-01"},  # closed
        {"child_id": "D", "plan_start": "2020-01-01", "plan_end": "2026-11-15"},  # ends after D
    ]
    assert counts(indicators({7: rows})["IND-CP-2YR"]) == (2, 3, 66.7)


def test_children_on_a_plan_visited_in_timescale_count_each_child_once():
    base = {"plan_start": "2026-01-05", "plan_end": None, "latest_review": "2026-09-01"}
    rows = [
        {"child_id": "A", **base, "last_visit": "2026-10-16"},  # due 30 Oct: met today
        {"child_id": "B", **base, "last_visit": "2026-10-15"},  # due 29 Oct: overdue
        {"child_id": "B", **base, "last_visit": "2026-10-15"},  # same child again
        {"child_id": "C", **base, "last_visit": "2026-10-29"},
        {"child_id": "Z", **base, "last_visit": "2020-01-01", "plan_end": "2026-10-01"},  # closed
    ]
    found = indicators({7: rows})
    assert counts(found["IND-CP-VISIT"]) == (2, 3, 66.7)
    assert counts(found["IND-CP-REVIEW"]) == (3, 3, 100.0)  # reviews due 1 Mar 2027


def test_children_in_care_reviews_visits_health_and_stability():
    base = {
        "cla_start": "2025-01-06",
        "ceased": None,
        "latest_review": "2026-08-01",
        "last_visit": "2026-10-20",
        "placement_start": "2025-01-06",
        "placement_type": "U6",
        "dob": "2015-01-01",
        "last_health_assessment": "2026-01-01",
        "placements_12m": 1,
    }
    rows = [
        {"child_id": "A", **base},
        {"child_id": "B", **base, "latest_review": "2026-04-29"},  # due 29 Oct: overdue
        {"child_id": "C", **base, "last_visit": "2026-09-18"},  # due 30 Oct: met
        {"child_id": "D", **base, "last_visit": "2026-09-17", "placements_12m": 3},
        {"child_id": "E", **base, "last_health_assessment": "2025-10-30", "placements_12m": 4},
        {"child_id": "F", **base, "ceased": "2026-06-01", "placements_12m": 5},  # left care
    ]
    found = indicators({8: rows})
    assert counts(found["IND-CLA-REVIEW"]) == (4, 5, 80.0)
    assert counts(found["IND-CLA-VISIT"]) == (4, 5, 80.0)
    assert counts(found["IND-CLA-HEALTH"]) == (5, 5, 100.0)  # E due 30 Oct 2026: met
    assert counts(found["IND-CLA-STABILITY"]) == (3, 6, 50.0)  # every List 8 child


def test_children_in_need_seen_in_timescale():
    rows = [
        {"child_id": "A", "cin_start": "2026-01-05", "cin_closed": None, "last_seen": "2026-10-02"},
        {"child_id": "B", "cin_start": "2026-01-05", "cin_closed": None, "last_seen": "2026-10-01"},
    ]  # WD(Fri 2 Oct 2026, 20) = Fri 30 Oct: met; from Thu 1 Oct: Thu 29 Oct, overdue
    assert counts(indicators({6: rows})["IND-CIN-VISIT"]) == (1, 2, 50.0)


def test_care_leavers_touch_accommodation_eet_and_adviser():
    rows = [
        {
            "child_id": "A",
            "in_touch": "Yes",
            "accommodation_suitability": "Suitable",
            "activity": "F1: Full time in higher education",
            "personal_adviser": "Pat Adviser",
        },
        {
            "child_id": "B",
            "in_touch": "No",
            "accommodation_suitability": "Unsuitable",
            "activity": "b) P3 Part time in training or employment",
            "personal_adviser": " ",
        },
        {
            "child_id": "C",
            "in_touch": "Refu",
            "accommodation_suitability": None,
            "activity": "G5: Not in education, training or employment",
            "personal_adviser": None,
        },
        {
            "child_id": "D",
            "in_touch": "Yes",
            "accommodation_suitability": "Suitable",
            "activity": "Full time in training or employment",
            "personal_adviser": "Sam Adviser",
        },
        {
            "child_id": "E",
            "in_touch": "Yes",
            "accommodation_suitability": "Suitable",
            "activity": None,
            "personal_adviser": "Sam Adviser",
        },
    ]
    found = indicators({9: rows})
    assert counts(found["IND-CL-TOUCH"]) == (3, 5, 60.0)
    assert counts(found["IND-CL-ACCOM"]) == (3, 5, 60.0)
    assert counts(found["IND-CL-EET"]) == (3, 4, 75.0)  # E has no status: left out
    assert counts(found["IND-CL-PA"]) == (3, 5, 60.0)


def test_the_2019_layout_has_no_adviser_so_that_indicator_is_na_not_0():
    found = indicators({9: [{"child_id": "A", "in_touch": "Yes"}]})["IND-CL-PA"]
    assert found["value"] is None and found["numerator"] is None and found["rag"] == "n/a"
    assert "Allocated Personal Advisor" in found["reason"]


def test_care_leavers_18_and_over_holding_documents():
    docs = ("Birth certificate", "National Insurance number")
    rows = [
        {"child_id": "A", "dob": "2008-10-30"},  # 18 today
        {"child_id": "B", "dob": "2008-10-31"},  # 18 tomorrow: not counted
        {"child_id": "C", "dob": "2005-01-01"},
    ]
    held = [{"child_id": c, "document": d, "held": "Yes"} for c in "AB" for d in docs]
    lists = {9: rows, "care_leaver_documents": held}
    found = indicators(lists, config=Config(required_documents=docs))
    assert counts(found["IND-CL-DOCS"]) == (1, 2, 50.0)
    without = indicators({9: rows})["IND-CL-DOCS"]
    assert without["value"] is None and "CL-06 was not run" in without["reason"]


def caseload_export() -> dict:
    open_ = {"cin_start": "2026-01-05", "cin_closed": None}
    return {
        6: [
            {"child_id": "1", "worker": "Ann Smith", **open_},
            {"child_id": "2", "worker": "ann  smith", **open_},  # the same worker, spelt loosely
            {
                "child_id": "7",
                "worker": "Ann Smith",
                "cin_start": "2026-01-05",
                "cin_closed": "2026-02-01",
            },  # closed: not in the caseload
            {"child_id": "4", "worker": "Bea Jones", **open_},
            {"child_id": "5", "worker": "Cal Boss", **open_},  # a team manager
            {"child_id": "6", "worker": "Dee Nofte", **open_},  # no FTE
        ],
        8: [
            {"child_id": "1", "worker": "Ann Smith", "cla_start": "2025-01-06", "ceased": None},
            {"child_id": "3", "worker": "Ann Smith", "cla_start": "2025-01-06", "ceased": None},
        ],
        "workers": [
            {"worker": "Ann Smith", "team": "T1", "fte": 1.0, "role": "SW"},
            {"worker": "Bea Jones", "team": "T1", "fte": 0.5, "role": "NQSW/ASYE"},
            {"worker": "Cal Boss", "team": "T1", "fte": 1.0, "role": "TM"},
            {"worker": "Dee Nofte", "team": "T1", "fte": 0.0, "role": "SW"},
        ],
    }


def test_average_caseload_per_fte_and_workers_above_the_standard():
    config = Config(caseload_standard=2, caseload_standard_nqsw=2)
    found = indicators(caseload_export(), config=config)
    # Ann: children 1, 2, 3 (1 on two lists counts once) / FTE 1; Bea: child 4 / FTE 0.5
    assert counts(found["IND-CASELOAD"]) == (4, 1.5, 2.7)
    assert found["IND-CASELOAD"]["unit"] == "per FTE"
    # Ann: 3 per FTE > 2 is above; Bea: 1 / 0.5 = 2.0 is at the standard, which is met
    assert counts(found["IND-CASELOAD-OVER"]) == (1, 2, 50.0)


def test_management_oversight_in_the_last_42_days():
    lists = {
        6: [{"child_id": "A", "cin_start": "2026-01-05", "cin_closed": None}],
        7: [{"child_id": "B", "plan_start": "2026-01-05", "plan_end": None}],
        8: [
            {"child_id": "A", "cla_start": "2026-01-05", "ceased": None},
            {"child_id": "C", "cla_start": "2026-01-05", "ceased": None},
            {"child_id": "Z", "cla_start": "2026-01-05", "ceased": "2026-03-01"},
        ],
        "management_oversight": [
            {"child_id": "A", "last_oversight": "2026-09-18"},  # + 42 days = 30 Oct: met
            {"child_id": "B", "last_oversight": "2026-09-17"},  # due 29 Oct: overdue
        ],  # C: none recorded
    }
    assert counts(indicators(lists)["IND-OVERSIGHT"]) == (1, 3, 33.3)


def test_records_free_of_data_quality_findings():
    lists = {
        3: [
            {"child_id": "A", "referral_date": "2026-10-01"},
            {"child_id": "B", "referral_date": "2026-11-05"},  # after D: DQ-02
        ],
        8: [
            {"child_id": "C", "cla_start": "2025-01-06", "ceased": None},  # twice open: DQ-01
            {"child_id": "C", "cla_start": "2025-01-06", "ceased": None},
            {"child_id": "D", "cla_start": "2025-01-06", "ceased": None},
        ],
    }
    assert counts(indicators(lists)["IND-DQ"]) == (2, 5, 40.0)


def test_denominator_of_zero_and_absent_tables_are_na_with_a_reason():
    found = indicators(
        {
            4: [
                {"child_id": "A", "assessment_start": "2026-10-01", "assessment_authorised": None},
                {  # authorised after the as-at date: not yet counted
                    "child_id": "B",
                    "assessment_start": "2026-10-01",
                    "assessment_authorised": "2026-11-02",
                },
            ]
        }
    )
    asm = found["IND-ASM-45"]
    assert (asm["value"], asm["numerator"], asm["denominator"]) == (None, 0, 0)
    assert asm["rag"] == "n/a" and "denominator is 0" in asm["reason"]
    for ind_id in ("IND-CLA-REVIEW", "IND-CLA-STABILITY", "IND-CASELOAD", "IND-OVERSIGHT"):
        assert found[ind_id]["value"] is None and found[ind_id]["reason"], ind_id
    assert "List 8" in found["IND-CLA-STABILITY"]["reason"]
    assert "workers" in found["IND-CASELOAD"]["reason"]


def test_every_run_indicator_is_reported_with_the_contract_fields():
    found = indicators({4: [{"child_id": "A", "assessment_start": "2026-10-01"}]})
    assert list(found) == [i.id for i in INDICATORS if i.compute is not None]
    fields = {
        "id",
        "title",
        "value",
        "numerator",
        "denominator",
        "unit",
        "better",
        "target",
        "national",
        "national_period",
        "national_source",
        "rag",
    }
    assert all(fields <= set(f) for f in found.values())


# --- comparators, targets and RAG ------------------------------------------------------------------


def test_the_shipped_national_table_is_fully_sourced():
    table = load_national()
    assert {"IND-ASM-45", "IND-ICPC-15", "IND-CASELOAD"} <= set(table)
    for comp in table.values():
        assert comp.source.strip() and comp.period.strip(), comp
        assert BY_ID[comp.indicator].compute is not None
    assert table["IND-ASM-45"].derived  # summed from bands, and says so


@pytest.mark.parametrize(
    "entry, complaint",
    [
        ('value = 10.0\nperiod = "2024-25"\n', "no source"),
        ('value = 10.0\nsource = "DfE"\n', "no period"),
        ('value = 10.0\nperiod = "2024-25"\nsource = "  "\n', "no source"),
        ('value = "ten"\nperiod = "2024-25"\nsource = "DfE"\n', "must be a number"),
        ('value = 150\nperiod = "2024-25"\nsource = "DfE"\n', "0 to 100"),
    ],
)
def test_a_comparator_without_its_source_or_period_cannot_be_shipped(tmp_path, entry, complaint):
    bad = tmp_path / "national.toml"
    bad.write_text("[IND-CP-REPEAT]\n" + entry)
    with pytest.raises(ComparatorTableError, match=complaint):
        load_national(bad)


def test_rag_respects_direction_and_the_amber_band():
    assert rag(90.0, "higher", 90.0, 5) == "Green"  # the target itself is met
    assert rag(85.0, "higher", 90.0, 5) == "Amber"  # 5 points under: still amber
    assert rag(84.9, "higher", 90.0, 5) == "Red"
    assert rag(6.1, "lower", 6.1, 5) == "Green"
    assert rag(8.0, "lower", 6.1, 5) == "Amber"
    assert rag(11.2, "lower", 6.1, 5) == "Red"
    assert rag(None, "higher", 90.0, 5) == rag(50.0, "higher", None, 5) == "n/a"


def test_a_council_target_replaces_the_national_figure_for_rag():
    rows = [
        {"child_id": c, "assessment_start": "2026-06-01", "assessment_authorised": a}
        for c, a in [("A", "2026-08-03"), ("B", "2026-08-03"), ("C", "2026-08-04")]
    ]  # 66.7%
    plain = indicators({4: rows})["IND-ASM-45"]
    assert plain["national"] == national()["IND-ASM-45"].value and plain["target"] is None
    assert plain["rag"] == "Red" and plain["rag_against"] == "national"
    config = Config(indicators={"IND-ASM-45": {"target": 70.0, "regional": 80.0}})
    own = indicators({4: rows}, config=config)["IND-ASM-45"]
    assert own["target"] == 70.0 and own["rag"] == "Amber" and own["rag_against"] == "target"
    assert own["regional"] == 80.0 and own["regional_label"] == "Region"


def test_the_config_names_the_bad_indicator_setting(tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(
        '[indicators.IND-CP-REPEAT]\ntarget = 6\nneighbours = 7.5\nneighbours_label = "SN"\n'
    )
    assert load_config(good).indicators["IND-CP-REPEAT"] == {
        "target": 6.0,
        "neighbours": 7.5,
        "neighbours_label": "SN",
    }
    for text, named in [
        ("[indicators.IND-NOPE]\ntarget = 6\n", "IND-NOPE"),
        ("[indicators.IND-CP-REPEAT]\ntarget = -1\n", "indicators.IND-CP-REPEAT.target"),
        ("[indicators.IND-CP-REPEAT]\ntarget = 160\n", "at most 100"),
        ("[indicators.IND-CP-REPEAT]\ngoal = 6\n", "indicators.IND-CP-REPEAT.goal"),
    ]:
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        with pytest.raises(InputError, match=named):
            load_config(bad)


def test_audit_run_writes_the_indicators_into_summary_json(tmp_path):
    result = runner.invoke(
        app,
        [
            "run",
            str(ROOT / "sample_exports"),
            "--as-at",
            AS_AT,
            "--out",
            str(tmp_path / "o"),
            "--db",
            str(tmp_path / "h.sqlite"),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(Path(tmp_path / "o" / "summary.json").read_text())
    found = {i["id"]: i for i in summary["indicators"]}
    asm = found["IND-ASM-45"]
    assert asm["value"] == round(100 * asm["numerator"] / asm["denominator"], 1)
    assert asm["national_source"].startswith("DfE")
    caseload = found["IND-CASELOAD"]  # the sample's workers hold realistic caseloads
    assert 15 <= caseload["value"] <= 20 and caseload["denominator"] >= 10


# --- the indicators the DfE publishes that Annex A can feed (issue 21) -------------------------


def test_rereferrals_read_from_the_dates_and_the_12_month_count():
    rows = [
        # A: one referral, none in the 12 months before it
        {"child_id": "A", "referral_date": "2026-09-01", "referrals_12m": 0},
        # B: one referral, one before it (not on List 3) within 12 months: a re-referral
        {"child_id": "B", "referral_date": "2026-09-01", "referrals_12m": 1},
        # C: two on List 3, and the count (1) is the earlier of them: only the later is again
        {"child_id": "C", "referral_date": "2026-06-01", "referrals_12m": 1},
        {"child_id": "C", "referral_date": "2026-09-01", "referrals_12m": 1},
        # D: two on List 3 and one more before them within 12 months (count 2): both again
        {"child_id": "D", "referral_date": "2026-06-01", "referrals_12m": 2},
        {"child_id": "D", "referral_date": "2026-09-01", "referrals_12m": 2},
        # E: the count is blank: it says nothing, so its one referral is not counted again
        {"child_id": "E", "referral_date": "2026-09-01", "referrals_12m": None},
        # G: the earlier referral exactly 12 months before (M(date, -12)): within
        {"child_id": "G", "referral_date": "2025-09-01", "referrals_12m": 1},
        {"child_id": "G", "referral_date": "2026-09-01", "referrals_12m": 1},
        # H: a day more than 12 months apart, none other: neither is a re-referral
        {"child_id": "H", "referral_date": "2025-08-31", "referrals_12m": 0},
        {"child_id": "H", "referral_date": "2026-09-01", "referrals_12m": 0},
        # F: after the as-at date, and Z with no date: in neither count
        {"child_id": "F", "referral_date": "2026-11-02", "referrals_12m": 3},
        {"child_id": "Z", "referral_date": None, "referrals_12m": 3},
    ]
    found = indicators({3: rows})["IND-REREFERRAL"]
    # again: B, C's second, D's both, G's second = 5 of A B C C D D E G G H H = 11
    assert counts(found) == (5, 11, 45.5)
    assert found["better"] == "lower" and found["published"]["england"]["value"] is not None


def test_teeth_checked_for_children_in_care_a_year_or_more():
    base = {"ceased": None, "latest_review": "2026-09-01", "last_visit": "2026-10-20"}
    rows = [
        {"child_id": "A", **base, "cla_start": "2025-10-30", "last_dental_check": "2026-01-01"},
        {"child_id": "B", **base, "cla_start": "2025-10-31", "last_dental_check": None},  # <1 yr
        {"child_id": "C", **base, "cla_start": "2020-01-01", "last_dental_check": "2025-10-29"},
        {"child_id": "E", **base, "cla_start": "2020-01-01", "last_dental_check": None},
        {**base, "child_id": "D", "cla_start": "2020-01-01", "ceased": "2026-06-01"},  # left
    ]
    # A's year in care is reached today and its check is in date; C's check was due 29 Oct
    assert counts(indicators({8: rows})["IND-CLA-TEETH"]) == (1, 3, 33.3)


def test_care_leavers_in_education_employment_or_training_by_age_band():
    rows = [
        {"child_id": "A", "dob": "2009-10-30", "activity": "F1"},  # 17 today
        {"child_id": "B", "dob": "2009-10-31", "activity": "F1"},  # 16: no band
        {"child_id": "C", "dob": "2007-10-31", "activity": "G5"},  # 18, not in EET
        {"child_id": "D", "dob": "2007-10-30", "activity": "b) P3"},  # 19 today
        {"child_id": "E", "dob": "2004-10-31", "activity": None},  # 21, no status: left out
        {"child_id": "F", "dob": "2004-10-30", "activity": "F1"},  # 22 today: no band
        {"child_id": "G", "dob": None, "activity": "F1"},  # age not known: no band
    ]
    found = indicators({9: rows})
    assert counts(found["IND-CL-EET-17-18"]) == (1, 2, 50.0)
    assert counts(found["IND-CL-EET-19-21"]) == (1, 1, 100.0)
    assert counts(found["IND-CL-EET"]) == (5, 6, 83.3)  # every age: A B D F G of six
    everyone = found["IND-CL-EET"]
    assert everyone["published"] is None  # the DfE publishes age bands only
    bands = [b["indicator"] for b in everyone["published_by_age"]]
    assert bands == ["IND-CL-EET-17-18", "IND-CL-EET-19-21"]
    for band in everyone["published_by_age"]:
        assert band["england"] == found[band["indicator"]]["published"]["england"]


# --- nothing silently wrong: a column blank or unreadable throughout -------------------------------


def test_repeat_plans_with_previous_plans_blank_in_every_row_is_na_not_0_green():
    rows = [
        {"child_id": c, "plan_start": "2026-03-01", "plan_end": None, "previous_plans": None}
        for c in "ABC"
    ]
    config = Config(indicators={"IND-CP-REPEAT": {"target": 6.0}})
    found = indicators({7: rows}, config=config)["IND-CP-REPEAT"]
    assert found["value"] is None and found["rag"] == "n/a" and found["numerator"] is None
    assert "'Number of Previous Child Protection Plans' is blank in every row" in found["reason"]
    rows[0]["previous_plans"] = 0  # one row filled: the figure stands (0 of 3 again)
    assert counts(indicators({7: rows}, config=config)["IND-CP-REPEAT"]) == (0, 3, 0.0)


def test_stability_with_placements_blank_in_every_row_is_na():
    rows = [{"child_id": c, "cla_start": "2025-01-06", "placements_12m": None} for c in "AB"]
    found = indicators({8: rows})["IND-CLA-STABILITY"]
    assert found["value"] is None
    assert "'Number of Placements in the Last 12 months' is blank in every row" in found["reason"]


def test_a_column_every_value_of_which_is_unreadable_is_na_with_that_reason(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "list8.csv").write_text(
        "Child Unique ID,Date Started to be Looked After,Number of Placements in the Last 12 months\n"
        "A,06/01/2025,three\nB,06/01/2025,lots\nC,06/01/2025,\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["run", str(export), "--as-at", AS_AT, "--out", str(out), "--no-history"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    found = {i["id"]: i for i in summary["indicators"]}["IND-CLA-STABILITY"]
    assert found["value"] is None and found["numerator"] is None
    assert "holds no readable value (2 unreadable, listed as DQ-04" in found["reason"]


def test_caseload_with_no_worker_named_on_any_list_is_na_not_0():
    lists = caseload_export()
    for rows in (lists[6], lists[8]):
        for row in rows:
            row["worker"] = None
    found = indicators(lists)
    for ind_id in ("IND-CASELOAD", "IND-CASELOAD-OVER"):
        assert found[ind_id]["value"] is None, ind_id
        assert "no row names a worker" in found[ind_id]["reason"]


def test_every_null_indicator_says_why():
    found = indicators({7: [{"child_id": "A", "plan_start": "2026-03-01"}]})
    for ind in found.values():
        assert (ind["value"] is None) == bool(ind["reason"]), ind["id"]
