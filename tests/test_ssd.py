"""The SSD adapter and the rules its histories feed, on hand-made SSD tables at the exact
boundaries: a visit interval of exactly the limit is met and a day more is late; a lapse
mid-period is found though the latest visit is in time; a return interview offered at 72 hours
is in time and at 73 late; changes of social worker counted at the edges of the 12 months."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.core.calendar import WorkingDayCalendar, add_months
from audits.core.config import Config
from audits.core.errors import InputError
from audits.ingest.dispatch import load_export
from audits.ingest.schemas import list_schema
from audits.pipeline.audit import audit
from tests.conftest import d

AS_AT = d("2026-10-30")
P = d("2026-04-30")  # M(D, -6)
runner = CliRunner()


def wd(day: str | dt.date, n: int) -> dt.date:
    day = pd.Timestamp(day)
    return WorkingDayCalendar().add_working_days(pd.Series([day]), n).iloc[0].date()


def write_ssd(folder: Path, **tables: list[dict]) -> Path:
    """SSD tables as CSV dumps; file names are deliberately not the table names (a dump is
    recognised by its field names)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, rows in enumerate(tables.values()):
        columns = list(dict.fromkeys(k for row in rows for k in row))
        with (folder / f"dump_{n}.csv").open("w", newline="", encoding="utf-8") as fh:
            out = csv.DictWriter(fh, columns)
            out.writeheader()
            out.writerows(rows)
    return folder


def person(*ids: str, dob: str = "2015-01-01") -> list[dict]:
    return [
        {"pers_person_id": i, "pers_sex": "F", "pers_ethnicity": "WBRI", "pers_dob": dob}
        for i in ids
    ]


def cp_plan(child: str, start: str, end: str = "", plan: str | None = None) -> dict:
    return {
        "cppl_cp_plan_id": plan or f"P{child}",
        "cppl_person_id": child,
        "cppl_cp_plan_start_date": start,
        "cppl_cp_plan_end_date": end,
        "cppl_cp_plan_initial_category": "NEG",
        "cppl_cp_plan_latest_category": "NEG",
        "cppl_cp_plan_ola": "N",
    }


def cp_visit(child: str, when: str, seen="Y", alone="Y", n: list[int] = [0]) -> dict:  # noqa: B006
    n[0] += 1
    return {
        "cppv_cp_visit_id": f"V{n[0]}",
        "cppv_person_id": child,
        "cppv_cp_plan_id": f"P{child}",
        "cppv_cp_visit_date": when,
        "cppv_cp_visit_seen": seen,
        "cppv_cp_visit_seen_alone": alone,
        "cppv_cp_visit_bedroom": "Y",
    }


def findings(folder: Path, rule: str, as_at: dt.date = AS_AT, config: Config | None = None):
    run = audit(folder, as_at, config)
    f = run.result.findings
    return f[f["rule_id"] == rule].reset_index(drop=True), run


# --- visits: every interval, the exact limit --------------------------------------------------


def test_a_cp_visit_interval_of_exactly_ten_working_days_is_met_and_a_day_more_is_late(tmp_path):
    met_at, late_at = wd("2026-09-01", 10), wd("2026-09-01", 10) + dt.timedelta(days=1)
    visits = []
    for child, second in (("MET", met_at), ("LATE", late_at)):
        visits += [
            cp_visit(child, "2026-08-20"),
            cp_visit(child, "2026-09-01"),
            cp_visit(child, second.isoformat()),
        ]
        for k in range(1, 8):  # then weekly to the as-at date: the latest is in time
            visits.append(cp_visit(child, (second + dt.timedelta(days=7 * k)).isoformat()))
    folder = write_ssd(
        tmp_path / "s",
        person=person("MET", "LATE"),
        plans=[cp_plan("MET", "2026-08-18"), cp_plan("LATE", "2026-08-18")],
        visits=visits,
    )
    found, _ = findings(folder, "CP-01")
    assert list(found["child_id"]) == ["LATE"]  # mid-period, though the latest visit is in time
    assert found["due_date"].iloc[0].date() == met_at
    assert found["days_overdue"].iloc[0] == (late_at - met_at).days
    assert "completed" in found["message"].iloc[0]


def test_cin_visits_count_when_seen_and_come_from_all_three_visit_tables(tmp_path):
    start = "2026-06-01"
    due_first = wd(start, 20)
    seen_late = due_first + dt.timedelta(days=1)
    at_limit = wd(seen_late, 20)  # the next visit exactly 20 working days later: met
    folder = write_ssd(
        tmp_path / "s",
        person=person("C"),
        episodes=[
            {
                "cine_referral_id": "R1",
                "cine_person_id": "C",
                "cine_referral_date": start,
                "cine_cin_primary_need_code": "N1",
                "cine_close_date": "",
            }
        ],
        cin=[
            {
                "cinv_cin_visit_id": "A",
                "cinv_person_id": "C",
                "cinv_cin_visit_date": due_first.isoformat(),
                "cinv_cin_visit_seen": "N",
            },  # not seen: does not count for CIN-01
            {
                "cinv_cin_visit_id": "B",
                "cinv_person_id": "C",
                "cinv_cin_visit_date": seen_late.isoformat(),
                "cinv_cin_visit_seen": "Y",
            },
        ],
        cp=[
            {
                "cppv_cp_visit_id": "X",
                "cppv_person_id": "C",
                "cppv_cp_plan_id": "",
                "cppv_cp_visit_date": at_limit.isoformat(),
                "cppv_cp_visit_seen": "Y",
            }
        ],
    )
    export = load_export(folder, as_at=at_limit)
    assert export.lists[6].frame["last_seen"].iloc[0] == pd.Timestamp(at_limit)
    assert set(export.tables["cin_visits"].frame["source"]) == {"cin", "cp"}
    found, _ = findings(folder, "CIN-01", at_limit)
    assert len(found) == 1 and found["due_date"].iloc[0].date() == due_first
    assert found["days_overdue"].iloc[0] == 1
    assert "completed " + seen_late.strftime("%d/%m/%Y") in found["message"].iloc[0]


def test_cla_visits_per_placement_first_within_seven_days_then_42(tmp_path):
    episodes = [
        {
            "clae_cla_episode_id": "E1",
            "clae_person_id": "C",
            "clae_cla_id": "L1",
            "clae_cla_episode_start_date": "2026-01-05",
            "clae_cla_episode_start_reason": "S",
            "clae_cla_episode_ceased_date": "",
        }
    ]
    placements = [
        {
            "clap_cla_placement_id": "PL1",
            "clap_cla_id": "L1",
            "clap_cla_placement_start_date": "2026-01-05",
            "clap_cla_placement_end_date": "2026-06-01",
            "clap_cla_placement_type": "U6",
        },
        {
            "clap_cla_placement_id": "PL2",
            "clap_cla_id": "L1",
            "clap_cla_placement_start_date": "2026-06-01",
            "clap_cla_placement_end_date": "",
            "clap_cla_placement_type": "U6",
        },
    ]
    dates = [
        "2026-01-12",
        "2026-02-23",
        "2026-04-06",
        "2026-05-18",  # 7 days, then 42 each: met
        "2026-06-09",  # the new placement's first visit: 8 days, late
        "2026-07-21",
        "2026-09-01",
        "2026-10-13",
    ]
    visits = [
        {
            "clav_cla_visit_id": f"V{i}",
            "clav_cla_id": "L1",
            "clav_person_id": "C",
            "clav_cla_visit_date": v,
            "clav_cla_visit_seen": "Y",
        }
        for i, v in enumerate(dates)
    ]
    folder = write_ssd(
        tmp_path / "s", person=person("C"), episodes=episodes, placements=placements, visits=visits
    )
    found, _ = findings(folder, "CLA-02")
    assert len(found) == 1
    assert found["due_date"].iloc[0] == pd.Timestamp("2026-06-08")
    assert found["days_overdue"].iloc[0] == 1


def test_reviews_late_mid_period_though_the_latest_is_in_time(tmp_path):
    reviews = [
        {
            "cppr_cp_review_id": "R1",
            "cppr_person_id": "C",
            "cppr_cp_plan_id": "PC",
            "cppr_cp_review_date": "2025-11-01",
        },
        {
            "cppr_cp_review_id": "R2",
            "cppr_person_id": "C",
            "cppr_cp_plan_id": "PC",
            "cppr_cp_review_date": "2026-05-02",
        },  # M(01/11/2025, 6) = 01/05/2026: a day late
        {
            "cppr_cp_review_id": "R3",
            "cppr_person_id": "C",
            "cppr_cp_plan_id": "PC",
            "cppr_cp_review_date": "2026-10-01",
        },
    ]
    folder = write_ssd(
        tmp_path / "s", person=person("C"), plans=[cp_plan("C", "2025-08-15")], reviews=reviews
    )
    found, _ = findings(folder, "CP-02")
    assert list(found["due_date"].dt.date) == [d("2026-05-01")]
    assert found["days_overdue"].iloc[0] == 1


def test_events_before_the_period_are_predecessors_not_findings(tmp_path):
    visits = [
        cp_visit("C", "2026-01-05"),
        cp_visit("C", "2026-04-30"),  # late, on P: out
        cp_visit("C", "2026-05-01"),
    ]
    visits += [
        cp_visit("C", (d("2026-05-01") + dt.timedelta(days=7 * k)).isoformat())
        for k in range(1, 26)
    ]
    folder = write_ssd(
        tmp_path / "s", person=person("C"), plans=[cp_plan("C", "2026-01-01")], visits=visits
    )
    found, run = findings(folder, "CP-01")
    assert found.empty
    assert run.summary["ssd"]["period"] == {"from": "2026-04-30", "to": "2026-10-30", "months": 6}


# --- CP-05: seen alone at each visit ----------------------------------------------------------


def test_cp05_each_visit_in_the_period_not_seen_alone(tmp_path):
    visits = [
        cp_visit("C", P.isoformat(), alone="N"),  # on P: before the period
        cp_visit("C", (P + dt.timedelta(days=1)).isoformat(), alone="N"),  # the next day: in
        cp_visit("C", "2026-06-01", alone="N"),
        cp_visit("C", "2026-06-01", alone="Y"),  # one alone
        cp_visit("C", "2026-07-01", seen="N", alone=""),  # not seen at all
        cp_visit("C", "2026-08-01", alone="U"),  # unknown: not judged
        cp_visit("C", AS_AT.isoformat(), alone="N"),  # on D: in
        cp_visit("C", "2026-11-02", alone="N"),  # after D: not an event yet
        cp_visit("E", "2026-09-01", alone="N"),  # after the plan ended
    ]
    plans = [cp_plan("C", "2026-01-01"), cp_plan("E", "2026-01-01", "2026-08-15")]
    folder = write_ssd(tmp_path / "s", person=person("C", "E"), plans=plans, visits=visits)
    found, run = findings(folder, "CP-05")
    days = [m.rsplit(" ", 1)[1] for m in found["message"]]
    assert days == ["01/05/2026", "01/07/2026", "30/10/2026"]
    assert "not recorded as seen" in found["message"].iloc[1]
    assert "seen but not recorded as seen alone" in found["message"].iloc[0]
    assert found["due_date"].isna().all()
    assert run.summary["ssd"]["events_after_as_at"] == {"ssd_cp_visits": 1}  # the 02/11 visit
    cp04, _ = findings(folder, "CP-04")
    assert list(cp04["child_id"]) == ["C"]  # the latest visit (30/10) not alone


# --- CLA-08: return interview within 72 hours -------------------------------------------------


def _care(tmp_path: Path, missing: list[dict]) -> Path:
    episodes = [
        {
            "clae_cla_episode_id": "E1",
            "clae_person_id": "C",
            "clae_cla_id": "L1",
            "clae_cla_episode_start_date": "2026-01-05",
            "clae_cla_episode_ceased_date": "",
        }
    ]
    rows = []
    for i, m in enumerate(missing):
        rows.append(
            {
                "miss_table_id": f"M{i}",
                "miss_person_id": "C",
                "miss_missing_episode_start_date": m.get("start", "2026-09-01 08:00"),
                "miss_missing_episode_type": m.get("type", "M"),
                "miss_missing_episode_end_date": m["end"],
                "miss_missing_rhi_offered": m.get("offered", ""),
                "miss_missing_rhi_accepted": "",
                **({"miss_missing_rhi_offered_date": m["at"]} if "at" in m else {}),
            }
        )
    return write_ssd(tmp_path / "s", person=person("C"), episodes=episodes, missing=rows)


def test_return_interview_offered_at_72_hours_is_in_time_and_at_73_late(tmp_path):
    folder = _care(
        tmp_path,
        [
            {"end": "2026-09-10 10:00", "offered": "Y", "at": "2026-09-13 10:00"},  # 72 hours
            {"end": "2026-09-20 10:00", "offered": "Y", "at": "2026-09-23 11:00"},  # 73 hours
        ],
    )
    found, _ = findings(folder, "CLA-08")
    assert len(found) == 1
    assert "73 hours after the episode ended 20/09/2026 10:00" in found["message"].iloc[0]
    assert found["due_date"].iloc[0] == pd.Timestamp("2026-09-23")


def test_return_interview_flag_only_due_three_days_after_the_end(tmp_path):
    folder = _care(tmp_path, [{"end": "2026-10-27 10:00", "offered": "N"}])
    assert findings(folder, "CLA-08", d("2026-10-30"))[0].empty  # the 72 hours end that day
    late, _ = findings(folder, "CLA-08", d("2026-10-31"))
    assert late["due_date"].iloc[0] == pd.Timestamp("2026-10-30")
    assert late["days_overdue"].iloc[0] == 1
    assert "recorded as not offered" in late["message"].iloc[0]


def test_return_interview_na_away_and_unended_episodes_are_not_findings(tmp_path):
    folder = _care(
        tmp_path,
        [
            {"end": "2026-09-01 10:00", "offered": "NA"},  # not applicable
            {"end": "2026-09-05 10:00", "offered": "", "type": "A"},  # away, not missing
            {"end": "", "offered": ""},  # still missing
            {"end": "2026-09-09 10:00", "offered": ""},  # blank: not recorded as offered
        ],
    )
    found, run = findings(folder, "CLA-08")
    assert len(found) == 1 and "not recorded" in found["message"].iloc[0]
    assert run.ctx.export.lists[8].frame["missing_episodes"].iloc[0] == 3  # M episodes, 12 months


# --- WF-02: changes of social worker in 12 months ---------------------------------------------


def _allocations(tmp_path: Path, rows: list[tuple]) -> Path:
    """rows: (worker, start, end, reason, role)"""
    episodes = [
        {
            "clae_cla_episode_id": "E1",
            "clae_person_id": "C",
            "clae_cla_id": "L1",
            "clae_cla_episode_start_date": "2024-01-05",
            "clae_cla_episode_ceased_date": "",
        }
    ]
    invo = [
        {
            "invo_involvements_id": f"I{i}",
            "invo_person_id": "C",
            "invo_professional_id": w,
            "invo_professional_role_id": role,
            "invo_involvement_start_date": s,
            "invo_involvement_end_date": e,
            "invo_worker_change_reason": reason,
        }
        for i, (w, s, e, reason, role) in enumerate(rows)
    ]
    profs = [
        {
            "prof_professional_id": w,
            "prof_professional_name": f"Worker {w}",
            "prof_professional_job_title": "Social Worker",
            "prof_full_time_equivalency": 1,
        }
        for w in sorted({r[0] for r in rows})
    ]
    return write_ssd(tmp_path / "s", person=person("C"), episodes=episodes, invo=invo, profs=profs)


def test_changes_of_social_worker_at_the_edges_of_twelve_months(tmp_path):
    year_ago = add_months(pd.Series([pd.Timestamp(AS_AT)]), -12).iloc[0].date()  # 30/10/2025
    folder = _allocations(
        tmp_path,
        [
            ("A", "2024-01-05", year_ago.isoformat(), "FCONTA", "CW"),
            ("B", year_ago.isoformat(), "2026-01-10", "LEFTRL", "CW"),  # on M(D, -12): not counted
            ("C", "2026-01-10", "2026-03-01", "MANAGE", "CW"),
            ("C", "2026-03-01", "2026-05-01", "MANAGE", "CW"),  # the same worker again: no change
            ("D", "2026-05-01", "2026-10-30", "ORGRST", "CW"),
            ("X", "2026-06-01", "2026-06-20", "ABSENC", "COVER"),  # covering: no change
            ("E", "2026-07-01", "2026-08-01", "MANAGE", "CW"),  # a co-worker beside D: no change
            ("A", AS_AT.isoformat(), "", "OTHERS", "CW"),  # on D: counted
            ("F", "2026-11-02", "", "OTHERS", "CW"),  # after D: not counted
        ],
    )
    found, _ = findings(folder, "WF-02")
    assert len(found) == 1
    assert found["message"].iloc[0].startswith("3 changes of social worker")
    assert (
        "10/01/2026 (MANAGE), 01/05/2026 (ORGRST), 30/10/2026 (OTHERS)" in found["message"].iloc[0]
    )
    config = Config(worker_changes_12m=4)
    assert findings(folder, "WF-02", config=config)[0].empty


def test_a_to_b_to_a_is_two_changes_and_first_contact_is_none(tmp_path):
    folder = _allocations(
        tmp_path,
        [
            ("A", "2026-01-01", "2026-02-01", "FCONTA", "CW"),
            ("B", "2026-02-01", "2026-03-01", "LEFTRL", "CW"),
            ("A", "2026-03-01", "2026-04-01", "CHCHAN", "CW"),
            ("C", "2026-04-01", "", "FCONTA", "CW"),  # a re-referral: not a change
        ],
    )
    found, _ = findings(folder, "WF-02", config=Config(worker_changes_12m=2))
    assert found["message"].iloc[0].startswith("2 changes")


# --- reading: what is absent, sentinels, placeholders, dates ------------------------------------


def test_a_missing_table_or_column_makes_the_rules_that_need_it_not_run_with_the_reason(tmp_path):
    visits = [{k: v for k, v in cp_visit("C", "2026-10-20").items() if "seen_alone" not in k}]
    folder = write_ssd(
        tmp_path / "s", person=person("C"), plans=[cp_plan("C", "2026-01-01")], visits=visits
    )
    run = audit(folder, AS_AT)
    reasons = {r["rule_id"]: r["reason"] for r in run.summary["rules_not_run"]}
    assert "ssd_cp_visits has no column cppv_cp_visit_seen_alone" in reasons["CP-04"]
    assert "ssd_cp_visits has no column" in reasons["CP-05"] or "seen_alone" in reasons["CP-05"]
    assert "ssd_cla_episodes is not in the CSV files" in reasons["CLA-01"]
    assert "ssd_cp_reviews is not in the CSV files" in reasons["CP-02"]
    assert "CP-01" in run.summary["rules_run"]


def test_sentinel_dates_placeholders_and_times(tmp_path):
    folder = write_ssd(
        tmp_path / "s",
        person=person("C", dob="2004-01-01"),
        leavers=[
            {
                "clea_table_id": "T1",
                "clea_person_id": "C",
                "clea_care_leaver_eligibility": "Former Relevant",
                "clea_care_leaver_in_touch": "YES",
                "clea_care_leaver_latest_contact": "2026-10-01T09:30:00",
                "clea_care_leaver_accommodation": "U - Independent living",
                "clea_care_leaver_accom_suitable": "1",
                "clea_care_leaver_activity": "F2",
                "clea_pathway_plan_review_date": "1900-01-01 00:00:00.000",
                "clea_care_leaver_personal_advisor": "PLACEHOLDER_DATA",
            }
        ],
    )
    run = audit(folder, AS_AT)
    row = run.ctx.export.lists[9].frame.iloc[0]
    assert pd.isna(row["pathway_plan_review"]) and pd.isna(row["personal_adviser"])
    assert row["latest_contact"] == pd.Timestamp("2026-10-01")  # the time of day dropped
    assert row["accommodation_type"] == "U" and row["in_touch"] == "Yes"
    cl01 = run.result.findings.query("rule_id == 'CL-01'")
    assert cl01["message"].iloc[0] == "No pathway plan review recorded"  # not a DQ-02 of 1900
    assert "DQ-02" not in set(run.result.findings["rule_id"])
    kinds = {w["kind"] for w in run.summary["warnings"]}
    assert "placeholder dates" in kinds


def test_unreadable_values_are_named_by_table_field_and_key(tmp_path):
    visits = [cp_visit("C", "2026-10-20", alone="Maybe"), cp_visit("C", "31/02/2026")]
    folder = write_ssd(
        tmp_path / "s", person=person("C"), plans=[cp_plan("C", "2026-01-01")], visits=visits
    )
    f, _ = findings(folder, "DQ-04")
    text = " | ".join(f["message"])
    assert "reads 'Maybe', which cannot be read" in text
    assert "table ssd_cp_visits, row 2, column cppv_cp_visit_seen_alone (cppv_cp_visit_id" in text
    assert "reads '31/02/2026', which cannot be read" in text


def test_as_at_defaults_to_today_and_a_stale_extract_is_warned_about(tmp_path):
    folder = write_ssd(
        tmp_path / "s",
        person=person("C"),
        plans=[cp_plan("C", "2026-01-01")],
        visits=[cp_visit("C", "2026-10-20")],
    )
    run = audit(folder, None)
    assert run.ctx.as_at == dt.date.today()
    assert run.summary["ssd"]["as_at_from"].startswith("today")
    assert run.summary["ssd"]["latest_event"] == {
        "date": "2026-10-20",
        "field": "ssd_cp_visits.cppv_cp_visit_date",
    }
    stale = [w for w in run.summary["warnings"] if w["kind"] == "stale extract"]
    assert (dt.date.today() - d("2026-10-20")).days > 7 and stale
    fresh = audit(folder, d("2026-10-27"))  # 7 days after the latest event: not stale
    assert not [w for w in fresh.summary["warnings"] if w["kind"] == "stale extract"]
    assert fresh.summary["ssd"]["as_at_from"] == "--as-at"


def test_events_after_the_as_at_date_are_left_out_and_counted(tmp_path):
    visits = [cp_visit("C", "2026-10-20"), cp_visit("C", "2026-10-29")]
    folder = write_ssd(
        tmp_path / "s",
        person=person("C"),
        plans=[cp_plan("C", "2026-01-01", end="2026-10-28")],
        visits=visits,
    )
    run = audit(folder, d("2026-10-25"))
    plan = run.ctx.export.lists[7].frame.iloc[0]
    assert pd.isna(plan["plan_end"])  # it ended after the as-at date: open then
    assert plan["last_visit"] == pd.Timestamp("2026-10-20")
    assert run.summary["ssd"]["events_after_as_at"] == {"ssd_cp_plans": 1, "ssd_cp_visits": 1}


def test_canonical_lists_keep_their_schemas_and_workers_come_from_the_professionals(tmp_path):
    from audits.example.ssd.write import write_ssd_example

    write_ssd_example(tmp_path / "ex", AS_AT, children=12, sqlite=False, annex_a=False)
    export = load_export(tmp_path / "ex" / "ssd", as_at=AS_AT)
    for table in export.lists.values():
        list_schema(table.spec).validate(table.frame)
    workers = export.tables["workers"].frame
    assert {"SW", "NQSW/ASYE"} <= set(workers["role"])
    assert workers.loc[workers["worker"] == "Olu Overload", "fte"].iloc[0] == 0.5
    assert set(export.tables) >= {
        "cin_visits",
        "cp_visits",
        "cla_visits",
        "cla_placements",
        "cp_reviews",
        "cla_reviews",
        "missing_episodes",
        "involvements",
        "management_oversight",
        "care_leaver_documents",
    }


# --- recognising and opening ----------------------------------------------------------------


def test_the_same_table_twice_is_refused(tmp_path):
    folder = write_ssd(tmp_path / "s", person=person("C"), again=person("D"))
    with pytest.raises(InputError, match="ssd_person appears twice"):
        load_export(folder)


def test_a_driver_that_is_not_installed_is_one_paragraph(tmp_path):
    result = runner.invoke(
        app,
        [
            "run",
            "mssql+pyodbc://qa:s3cret@ssd-server/ssd?driver=x",
            "--schema",
            "ssd_development",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 1
    assert "driver for mssql+pyodbc is not installed" in result.output
    assert "pyodbc" in result.output and "CSV" in result.output
    assert "s3cret" not in result.output and "Traceback" not in result.output
    assert "defect" not in result.output


def test_a_bad_url_or_unreachable_server_is_one_paragraph_without_the_password(tmp_path):
    result = runner.invoke(
        app,
        [
            "run",
            "postgresql+psycopg://qa:s3cret@/nodb?host=/nonexistent",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "could not be opened" in result.output and "s3cret" not in result.output
    assert "defect" not in result.output
    assert "Reading postgresql+psycopg://qa@/nodb" in result.output


def test_schema_with_files_is_refused(tmp_path):
    folder = write_ssd(tmp_path / "s", person=person("C"))
    result = runner.invoke(app, ["run", str(folder), "--schema", "x", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1 and "--schema" in result.output


def test_sqlite_is_read_only_and_gives_the_csv_results(tmp_path):
    from audits.example.ssd.write import write_ssd_example
    from audits.ingest.ssd.source import DatabaseSource

    written = write_ssd_example(tmp_path / "ex", AS_AT, children=10, annex_a=False)
    url = f"sqlite:///{written['sqlite']}"
    before = written["sqlite"].read_bytes()
    source = DatabaseSource(url, None)
    with source.engine.connect() as conn, pytest.raises(Exception, match="readonly|read-only"):
        conn.exec_driver_sql("CREATE TABLE intruder (x int)")
    source.close()
    db = audit(url, AS_AT).result.findings
    files = audit(tmp_path / "ex" / "ssd", AS_AT).result.findings
    local = {"MO-01", "CL-06"}  # the local tables sit beside the CSV dumps, not in the database
    assert sorted(zip(db.rule_id, db.child_id, strict=True)) == sorted(
        (r, c) for r, c in zip(files.rule_id, files.child_id, strict=True) if r not in local
    )
    assert written["sqlite"].read_bytes() == before


def test_summary_says_where_the_ssd_came_from(tmp_path):
    folder = write_ssd(tmp_path / "s", person=person("C"), plans=[cp_plan("C", "2026-01-01")])
    out = tmp_path / "o"
    result = runner.invoke(
        app, ["run", str(folder), "--as-at", "2026-10-30", "--out", str(out), "--no-history"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["ssd"]["tables_read"] == {"ssd_cp_plans": 1, "ssd_person": 1}
    assert summary["ssd"]["as_at_from"] == "--as-at"


def test_an_annex_a_workbook_beside_the_ssd_dumps_is_refused_naming_both(tmp_path):
    import shutil

    from tests.conftest import ROOT

    folder = write_ssd(tmp_path / "s", person=person("C"), plans=[cp_plan("C", "2026-01-01")])
    shutil.copy(ROOT / "sample_exports" / "annex_a_2026-10.xlsx", folder)
    result = runner.invoke(
        app, ["run", str(folder), "--as-at", "2026-10-30", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1, result.output
    assert "more than one kind of export" in result.output
    assert "SSD tables" in result.output and "annex_a_2026-10.xlsx" in result.output
    assert not (tmp_path / "o").exists()
