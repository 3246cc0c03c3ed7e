"""Practice audit: the sample (stratified, seeded, excluding recent audits), the workbook an
auditor fills, and the grade figures read back (distribution, agreement, weighted kappa)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.history import Store
from audits.model.grades import GRADES
from audits.review.practice.grades import grade_report, weighted_kappa
from audits.review.practice.workbook import SHEET
from tests.conftest import ROOT

runner = CliRunner()
O, G, R, I = GRADES  # noqa: E741


def sample(tmp_path, as_at="2026-10-30", seed=1, db="h.sqlite", per_team=2):
    out = tmp_path / f"out-{as_at}-{seed}"
    Store.open(tmp_path / db)  # only `audit run` creates a store; here the test stands in for it
    result = runner.invoke(
        app,
        [
            "sample",
            str(ROOT / "sample_exports"),
            "--as-at",
            as_at,
            "--out",
            str(out),
            "--seed",
            str(seed),
            "--db",
            str(tmp_path / db),
            "--per-team",
            str(per_team),
        ],
    )
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(next(out.glob("practice_audit_*.xlsx")))
    frame = pd.DataFrame(
        list(wb[SHEET].iter_rows(values_only=True))[1:], columns=[c.value for c in wb[SHEET][1]]
    )
    return frame, next(out.glob("practice_audit_*.xlsx"))


def test_every_team_is_represented_and_risk_cases_come_first(tmp_path):
    frame, _ = sample(tmp_path)
    teams = {
        "Locality North",
        "Locality South",
        "Locality East",
        "Children in Care",
        "Care Leavers",
    }
    random = frame[frame["Why chosen"].str.startswith("Random sample")]
    assert set(random["Team"]) == teams
    assert random.groupby("Team").size().eq(2).all()
    assert frame["Child ID"].is_unique
    reasons = frame["Why chosen"].tolist()
    assert reasons[0] == "Most Error findings"
    assert "Child protection plan over 18 months" in reasons
    first_random = next(i for i, r in enumerate(reasons) if r.startswith("Random"))
    assert all(not r.startswith("Random") for r in reasons[:first_random])


def test_the_same_seed_gives_the_same_sample_and_another_seed_another(tmp_path):
    a, _ = sample(tmp_path, seed=5, db="a.sqlite")
    b, _ = sample(tmp_path, seed=5, db="b.sqlite")
    c, _ = sample(tmp_path, seed=6, db="c.sqlite")
    assert a["Child ID"].tolist() == b["Child ID"].tolist()
    assert a["Child ID"].tolist() != c["Child ID"].tolist()


def test_children_audited_within_the_window_are_not_chosen_again(tmp_path):
    october, _ = sample(tmp_path, as_at="2026-10-30", per_team=5)
    november, _ = sample(tmp_path, as_at="2026-11-30", per_team=5)
    assert not set(october["Child ID"]) & set(november["Child ID"])
    store = Store.open(tmp_path / "h.sqlite")
    assert store.recently_audited("2026-11", 6) == set(october["Child ID"])
    assert store.recently_audited("2027-05", 6) == set(
        november["Child ID"]
    )  # October is 7 months back


def test_the_workbook_has_dropdowns_and_only_auditor_cells_unlocked(tmp_path):
    _, path = sample(tmp_path)
    ws = openpyxl.load_workbook(path)[SHEET]
    header = [c.value for c in ws[1]]
    lists = {dv.formula1.strip('"'): str(dv.sqref) for dv in ws.data_validations.dataValidation}
    first_question = openpyxl.utils.get_column_letter(header.index("Auditor") + 2)
    assert lists["Yes,No,Partly,N/A"].startswith(f"{first_question}2")
    assert header.index("Unsafe — escalate now") < header.index("Auditor")  # never last
    fill = ws.cell(2, header.index("Auditor grade") + 1).fill.fgColor.rgb
    assert fill.endswith("FFF9E5")  # the cells to fill are shaded
    assert ",".join(GRADES) in lists and "Yes,No" in lists
    assert ws.protection.sheet
    findings_col = header.index("Automated findings") + 1
    assert ws.cell(2, findings_col).protection.locked
    assert not ws.cell(2, header.index("Auditor grade") + 1).protection.locked
    assert ws.conditional_formatting  # the unsafe flag highlights its row


def test_weighted_kappa_against_a_hand_worked_example():
    # Ten audits (auditor, moderator); grades O=0, G=1, R=2, I=3, linear weights |i-j|/3.
    auditor = [G, G, G, R, R, R, I, O, G, R]
    moderator = [G, G, R, R, R, I, I, G, G, G]
    # Observed disagreement: four pairs one grade apart -> 4 x 1/3 / 10 = 0.1333.
    # Marginals: auditor O .1, G .4, R .4, I .1; moderator G .5, R .3, I .2.
    # Expected disagreement = sum p_a(i) p_m(j) |i-j|/3 = 0.3667 (worked in the table below):
    #   O row: .1*(.5*1 + .3*2 + .2*3)/3 = .0567;  G row: .4*(.3*1 + .2*2)/3 = .0933
    #   R row: .4*(.5*1 + .2*1)/3 = .0933;        I row: .1*(.5*2 + .3*1)/3 = .0433  -> total .2867
    # kappa_w = 1 - .1333 / .2867 = 0.5349
    assert weighted_kappa(pd.Series(auditor), pd.Series(moderator)) == pytest.approx(
        0.5349, abs=1e-4
    )
    assert weighted_kappa(pd.Series(auditor), pd.Series(auditor)) == 1.0


def test_round_trip_grades_as_a_reviewer_fills_them(tmp_path):
    frame, path = sample(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    col = {
        h: header.index(h) + 1
        for h in ("Auditor", "Auditor grade", "Moderator grade", "Unsafe — escalate now")
    }
    plan = [
        ("Ann", G, G, None),
        ("Ann", G, R, None),
        ("Bob", R, R, "Yes"),
        ("Bob", I, R, None),
        ("Bob", O, G, None),
    ]
    for row, (auditor, a, m, unsafe) in enumerate(plan, start=2):
        ws.cell(row, col["Auditor"]).value = auditor
        ws.cell(row, col["Auditor grade"]).value = a
        ws.cell(row, col["Moderator grade"]).value = m
        ws.cell(row, col["Unsafe — escalate now"]).value = unsafe
    wb.save(path)
    result = runner.invoke(app, ["moderate", str(path), "--db", str(tmp_path / "h.sqlite")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("ESCALATIONS") and frame["Child ID"][2] in lines[1]
    assert f"Auditor grades:   {O}: 1, {G}: 2, {R}: 1, {I}: 1" in result.output
    assert f"Moderated grades: {O}: 0, {G}: 2, {R}: 3, {I}: 0" in result.output
    assert "Exact agreement 40%" in result.output
    assert "1 upgraded, 2 downgraded" in result.output  # I->R up; G->R and O->G down
    assert "auditor Ann: 50% exact agreement over 2" in result.output
    audits = Store.open(tmp_path / "h.sqlite").table("practice_audits")
    graded = audits[audits["auditor_grade"].notna()]
    assert len(graded) == 5 and graded["escalate"].sum() == 1


def test_a_grade_off_the_scale_is_refused_and_nothing_stored(tmp_path):
    _, path = sample(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("Auditor grade") + 1).value = "Very good"
    wb.save(path)
    result = runner.invoke(app, ["moderate", str(path), "--db", str(tmp_path / "h.sqlite")])
    assert result.exit_code == 1 and "'Very good' is not one of" in result.output
    audits = Store.open(tmp_path / "h.sqlite").table("practice_audits")
    assert audits["auditor_grade"].isna().all()


def test_grade_report_share_good_or_better():
    frame = pd.DataFrame(
        {
            "row": [2, 3, 4],
            "child_id": ["a", "b", "c"],
            "team": ["T"] * 3,
            "auditor": ["x"] * 3,
            "auditor_grade": [G, R, O],
            "moderator_grade": [None, G, I],
            "escalate": [False] * 3,
        }
    )
    assert grade_report(frame)["good_or_better_percent"] == pytest.approx(66.7)


def test_the_board_shows_the_share_graded_good_or_better(tmp_path):
    from audits.board.data import board_data

    _, path = sample(tmp_path)
    runner.invoke(
        app,
        [
            "run",
            str(ROOT / "sample_exports"),
            "--as-at",
            "2026-10-30",
            "--out",
            str(tmp_path / "o"),
            "--db",
            str(tmp_path / "h.sqlite"),
        ],
    )
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    header = [c.value for c in ws[1]]
    for row, grade in enumerate([G, O, R, I], start=2):
        ws.cell(row, header.index("Auditor grade") + 1).value = grade
    wb.save(path)
    assert (
        runner.invoke(app, ["moderate", str(path), "--db", str(tmp_path / "h.sqlite")]).exit_code
        == 0
    )
    practice = board_data(Store.open(tmp_path / "h.sqlite"))["practice"]
    assert practice.to_dict("records") == [
        {"month": "2026-10", "audits": 4, "good_or_better": 2, "good_or_better_percent": 50.0}
    ]
