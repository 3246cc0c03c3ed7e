"""The SSDA903 adapter: the reference return, and hand-made returns at the exact boundaries."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from audits.core.calendar import WorkingDayCalendar
from audits.core.errors import InputError
from audits.engine.findings import FINDING_COLUMNS
from audits.ingest.dispatch import load_export
from audits.ingest.returns import ReturnExport
from audits.ingest.schemas import list_schema
from audits.pipeline.audit import audit
from audits.pipeline.outputs import write_outputs
from tests.conftest import d

EPISODE_COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"]
EPISODE_COLUMNS += ["REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]


def uk(iso: str) -> str:
    return pd.Timestamp(iso).strftime("%d/%m/%Y")


def write_return(
    folder: Path,
    episodes: list[dict],
    reviews: list[tuple[str, str]] = (),
    *,
    missing: list[tuple[str, str, str]] = (),
    oc3: list[tuple[str, str, str]] = (),
    oc2: list[tuple[str, str, str]] = (),
) -> Path:
    """A 903 folder: episodes as dicts (ISO dates), reviews (child, date), missing (child, M/A,
    start), oc3 (child, in touch, accom), oc2 (child, health check, teeth check)."""
    folder.mkdir(parents=True, exist_ok=True)
    children = sorted({e["CHILD"] for e in episodes} | {c for c, *_ in oc3} | {c for c, *_ in oc2})

    def write(name: str, header: list[str], rows: list[list[str]]) -> None:
        with (folder / name).open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(header)
            out.writerows(rows)

    write("header.csv", ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"],
          [[c, "1", "01/01/2012", "WBRI", "", "", ""] for c in children])  # fmt: skip
    rows = []
    for e in episodes:
        e = {"RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U3", "REC": "", "DEC": "", **e}
        for k in ("DECOM", "DEC"):
            e[k] = uk(e[k]) if e[k] else ""
        rows.append([e.get(c, "") for c in EPISODE_COLUMNS])
    write("episodes.csv", EPISODE_COLUMNS, rows)
    write("reviews.csv", ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
          [[c, "01/01/2012", uk(r), "PN1"] for c, r in reviews])  # fmt: skip
    if missing:
        write("missing.csv", ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"],
              [[c, "01/01/2012", m, uk(s), ""] for c, m, s in missing])  # fmt: skip
    if oc3:
        write("oc3.csv", ["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"],
              [[c, "01/01/2004", t, "F1", a] for c, t, a in oc3])  # fmt: skip
    if oc2:
        header = ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK"]
        header += ["IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE"]
        write("oc2.csv", header,
              [[c, "01/01/2012", "", "", "0", h, "1", t, "1", "0"] for c, h, t in oc2])  # fmt: skip
    return folder


def of(run, rule_id: str) -> pd.DataFrame:
    f = run.result.findings
    return f[f["rule_id"] == rule_id]


# --- the reference return --------------------------------------------------------------------


def test_reference_return_maps_onto_lists_8_and_9(reference):
    folder = reference / "ssda903"
    export = load_export(folder)
    assert isinstance(export, ReturnExport)
    assert export.reference_date == d("2018-03-31")  # the 31 March ending the year
    episodes = pd.read_csv(folder / "episodes.csv", dtype=str)
    oc3 = pd.read_csv(folder / "oc3.csv", dtype=str)
    assert set(export.lists[8].frame["child_id"]) == set(episodes["CHILD"])
    assert len(export.lists[9].frame) == len(oc3)
    for table in export.lists.values():
        list_schema(table.spec).validate(table.frame)
    reviews = export.tables["cla_reviews"].frame
    starts = export.lists[8].frame["cla_start"].to_numpy()[reviews["_plan"]]
    assert (reviews["review_date"].to_numpy() >= starts).all()  # the current period only
    run = audit(folder, None)
    not_run = {r["rule_id"]: r["reason"] for r in run.summary["rules_not_run"]}
    assert "(SSDA903 return) has no column" in not_run["CLA-02"]
    assert {"CLA-01", "CLA-06", "CL-03", "CL-05"} <= set(run.summary["rules_run"])


# --- CLA-01 on the review history: the exact boundaries --------------------------------------


def test_first_review_on_wd_start_20_across_bank_holidays_is_met_next_working_day_late(tmp_path):
    # From Fri 19 Dec 2025, 20 working days skip Christmas Day, Boxing Day and New Year's Day.
    first_due = WorkingDayCalendar().add_working_days(pd.Series([pd.Timestamp("2025-12-19")]), 20)
    assert first_due.iloc[0] == pd.Timestamp("2026-01-21")
    episodes = [{"CHILD": "MET", "DECOM": "2025-12-19"}, {"CHILD": "LATE", "DECOM": "2025-12-19"}]
    reviews = [("MET", "2026-01-21"), ("LATE", "2026-01-22")]
    run = audit(write_return(tmp_path / "r", episodes, reviews), None)
    found = of(run, "CLA-01")
    assert list(found["child_id"]) == ["LATE"]
    assert found["due_date"].iloc[0] == pd.Timestamp("2026-01-21")
    assert found["days_overdue"].iloc[0] == 1


def test_review_late_mid_year_is_a_finding_though_the_latest_is_in_time(tmp_path):
    first_due = WorkingDayCalendar().add_working_days(pd.Series([pd.Timestamp("2025-04-02")]), 20)
    first = first_due.iloc[0]  # across Good Friday and Easter Monday 2025
    second = first + pd.DateOffset(months=3) + pd.Timedelta(days=1)  # a day late
    third = second + pd.DateOffset(months=6)  # on the day
    episodes = [{"CHILD": "MID", "DECOM": "2025-04-02"}]
    reviews = [("MID", r.date().isoformat()) for r in (first, second, third)]
    run = audit(write_return(tmp_path / "r", episodes, reviews), d("2026-03-31"))
    found = of(run, "CLA-01")
    assert len(found) == 1
    assert found["due_date"].iloc[0] == first + pd.DateOffset(months=3)
    assert found["days_overdue"].iloc[0] == 1


def test_six_monthly_review_with_month_end_clamping(tmp_path):
    # Periods begun long before the year: the first review in the return is not judged against
    # WD(start, 20) (its predecessor is in last year's return); 31 Aug + 6 months = 28 Feb.
    episodes = [{"CHILD": c, "DECOM": "2023-01-10"} for c in ("MET", "LATE")]
    reviews = [("MET", "2025-08-31"), ("MET", "2026-02-28")]
    reviews += [("LATE", "2025-08-31"), ("LATE", "2026-03-01")]
    run = audit(write_return(tmp_path / "r", episodes, reviews), d("2026-03-31"))
    found = of(run, "CLA-01")
    assert list(found["child_id"]) == ["LATE"]
    assert found["due_date"].iloc[0] == pd.Timestamp("2026-02-28")
    notes = run.summary["rule_notes"]["CLA-01"]
    assert any("2 first review(s)" in n for n in notes)


def test_period_of_care_starts_at_its_first_episode_and_reviews_before_it_are_ignored(tmp_path):
    episodes = [
        {"CHILD": "B", "DECOM": "2024-01-01", "DEC": "2024-06-01", "REC": "E11"},
        {"CHILD": "B", "DECOM": "2025-12-19", "DEC": "2026-01-05", "REC": "X1"},  # a new period
        {"CHILD": "B", "DECOM": "2026-01-05", "RNE": "L"},  # legal status change only
    ]
    reviews = [("B", "2024-01-20"), ("B", "2026-01-21")]
    export = load_export(write_return(tmp_path / "r", episodes, reviews))
    row = export.lists[8].frame.iloc[0]
    assert row["cla_start"] == pd.Timestamp("2025-12-19")
    assert row["placement_start"] == pd.Timestamp("2025-12-19")
    assert row["latest_review"] == pd.Timestamp("2026-01-21")
    assert pd.isna(row["ceased"])
    assert list(export.tables["cla_reviews"].frame["review_date"]) == [pd.Timestamp("2026-01-21")]


# --- CLA-06, CLA-05, CL-03, CL-05 from the 903 tables ----------------------------------------


def test_placements_in_12_months_are_counted_from_episodes(tmp_path):
    three = [
        {"CHILD": "MOVES", "DECOM": "2025-03-01", "DEC": "2025-06-01", "REC": "X1"},
        {"CHILD": "MOVES", "DECOM": "2025-06-01", "RNE": "P", "DEC": "2025-09-01", "REC": "X1"},
        {"CHILD": "MOVES", "DECOM": "2025-09-01", "RNE": "P"},
    ]
    legal = [
        {"CHILD": "LEGAL", "DECOM": "2025-03-01", "DEC": "2025-06-01", "REC": "X1"},
        {"CHILD": "LEGAL", "DECOM": "2025-06-01", "RNE": "L", "DEC": "2025-09-01", "REC": "X1"},
        {"CHILD": "LEGAL", "DECOM": "2025-09-01", "RNE": "P"},
    ]
    old = [  # the first placement ended on the day 12 months before D: not in the window
        {"CHILD": "OLD", "DECOM": "2024-01-01", "DEC": "2025-03-31", "REC": "X1"},
        {"CHILD": "OLD", "DECOM": "2025-03-31", "RNE": "P", "DEC": "2025-09-01", "REC": "X1"},
        {"CHILD": "OLD", "DECOM": "2025-09-01", "RNE": "P"},
    ]
    run = audit(write_return(tmp_path / "r", three + legal + old), d("2026-03-31"))
    frame = run.ctx.export.lists[8].frame.set_index("child_id")
    assert frame["placements_12m"].to_dict() == {"LEGAL": 2.0, "MOVES": 3.0, "OLD": 2.0}
    assert list(of(run, "CLA-06")["child_id"]) == ["MOVES"]


def test_missing_episodes_counted_but_return_interviews_not_in_the_return(tmp_path):
    episodes = [{"CHILD": "M", "DECOM": "2025-01-01"}]
    missing = [("M", "M", "2025-06-01"), ("M", "A", "2025-07-01"), ("M", "M", "2025-03-31")]
    run = audit(write_return(tmp_path / "r", episodes, missing=missing), d("2026-03-31"))
    assert run.ctx.export.lists[8].frame["missing_episodes"].tolist() == [1.0]
    not_run = {r["rule_id"]: r["reason"] for r in run.summary["rules_not_run"]}
    assert "Return Interview" in not_run["CLA-05"]


def test_oc3_gives_in_touch_and_suitability(tmp_path):
    episodes = [{"CHILD": "C", "DECOM": "2025-01-01"}]
    oc3 = [("YES1", "YES", "B1"), ("NO2", "NO", "B2"), ("REFU", "REFU", "Z1"), ("ODD", "YES", "B9")]
    run = audit(write_return(tmp_path / "r", episodes, oc3=oc3), d("2026-03-31"))
    assert sorted(of(run, "CL-03")["child_id"]) == ["NO2", "REFU"]
    assert sorted(of(run, "CL-05")["child_id"]) == ["NO2", "ODD"]
    bad = run.ctx.export.unreadable
    assert list(bad["value"]) == ["B9"] and list(bad["column"]) == ["ACCOM"]


def test_outputs_work_unchanged_on_a_903_return(tmp_path):
    episodes = [{"CHILD": "O", "DECOM": "2025-12-19"}]
    run = audit(write_return(tmp_path / "r", episodes, [("O", "2026-02-01")]), None)
    write_outputs(run, tmp_path / "out")
    findings = pd.read_csv(tmp_path / "out" / "findings.csv", dtype=str, keep_default_na=False)
    assert list(findings.columns) == FINDING_COLUMNS
    assert run.ctx.as_at == d("2026-03-31")


def test_a_903_table_twice_is_refused(tmp_path):
    folder = write_return(tmp_path / "r", [{"CHILD": "A", "DECOM": "2025-01-01"}])
    (folder / "episodes_copy.csv").write_bytes((folder / "episodes.csv").read_bytes())
    with pytest.raises(InputError, match="episodes table appears twice"):
        load_export(folder)


def test_health_and_teeth_checks_come_from_oc2(tmp_path):
    episodes = [{"CHILD": c, "DECOM": "2024-01-01"} for c in ("OK", "NOHEALTH", "NOTEETH", "GONE")]
    episodes[3] |= {"DEC": "2025-06-01", "REC": "E11"}  # ceased: not audited now
    oc2 = [("OK", "1", "1"), ("NOHEALTH", "0", "1"), ("NOTEETH", "1", "x"), ("GONE", "0", "0")]
    run = audit(write_return(tmp_path / "r", episodes, oc2=oc2), d("2026-03-31"))
    assert list(of(run, "CLA-03")["child_id"]) == ["NOHEALTH"]
    assert list(of(run, "CLA-04")["child_id"]) == ["NOTEETH"]
    assert "OC2 (TEETH_CHECK = (unreadable))" in of(run, "CLA-04")["message"].iloc[0]
    bad = of(run, "DQ-04")
    assert list(bad["value"]) == ["x"] and "TEETH_CHECK" in bad["message"].iloc[0]


def test_annex_a_rules_keep_their_needs_without_oc2(tmp_path):
    run = audit(write_return(tmp_path / "r", [{"CHILD": "A", "DECOM": "2024-01-01"}]), None)
    not_run = {r["rule_id"]: r["reason"] for r in run.summary["rules_not_run"]}
    assert "Date of Last Health Assessment" in not_run["CLA-03"]
    assert "Date of Last Dental Check" in not_run["CLA-04"]


def test_unreadable_episode_and_missing_dates_are_reported_not_lost(tmp_path):
    folder = write_return(
        tmp_path / "r",
        [{"CHILD": "A", "DECOM": "2025-01-01"}],
        missing=[("A", "M", "2025-06-01")],
    )
    for name, good, bad in (("episodes.csv", "01/01/2025", "31/02/2025"),
                            ("missing.csv", "01/06/2025", "sometime")):  # fmt: skip
        path = folder / name
        path.write_text(path.read_text().replace(good, bad))
    run = audit(folder, d("2026-03-31"))
    bad = run.ctx.export.unreadable.set_index("column")
    assert bad.loc["DECOM", "value"] == "31/02/2025" and bad.loc["DECOM", "row"] == 2
    assert bad.loc["MIS_START", "value"] == "sometime"
    assert (run.result.findings["rule_id"] == "DQ-04").sum() == 2
