"""The moderated audit workbook, opened as a team manager's Excel would read it."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import openpyxl
import pytest

from audits.audit import AuditRun, build_summary, write_outputs
from audits.config import Config
from audits.engine.run import run_rules
from audits.output.workbook import MODERATOR_DECISIONS, REVIEWER_COLUMNS, team_sheet_names
from tests.conftest import make_ctx

AS_AT = "2026-11-23"


def cla(child: str, team: str, review: str, **extra) -> dict:
    row = {
        "child_id": child,
        "team": team,
        "worker": "W",
        "cla_start": "2020-01-01",
        "ceased": None,
        "latest_review": review,
    }
    return {**row, **extra}


@pytest.fixture
def small_run(tmp_path):
    """Four children in care in two teams (one overdue review in Team A); two care leavers."""
    lists = {
        8: [
            cla("A1", "Team A", "2026-11-01"),
            cla("A2", "Team A", "2026-01-01"),  # review due 01/07/2026: Error
            cla("B1", "Team B", "2026-11-01"),
            cla("B2", "Team B", "2026-11-01", ceased="2026-06-01"),  # closed: out of scope
            cla("B3", "Team B", "2026-10-01"),
        ],
        9: [
            {
                "child_id": "L1",
                "team": "Leaving Care",
                "accommodation_suitability": "Unsuitable",
                "in_touch": "No",
            },
            {
                "child_id": "L2",
                "team": "Leaving Care",
                "accommodation_suitability": "Suitable",
                "in_touch": "No",
            },
        ],
    }
    ctx = make_ctx(lists, AS_AT, Config(workbook_rows_per_rule=1))
    result = run_rules(ctx)
    run = AuditRun(ctx, result, build_summary(ctx, result))
    path = write_outputs(run, tmp_path)
    return run, path


def test_scores_equal_a_hand_computation(small_run, tmp_path):
    run, _ = small_run
    summary = json.loads((tmp_path / "summary.json").read_text())
    by_area = {s["area"]: s for s in summary["scores"]["by_area"]}
    # Children in care: A1, A2, B1, B3 open; A2 has an Error -> 3/4 = 75.0 (amber at >= 75)
    assert (
        by_area["Children in care"]["children_in_scope"],
        by_area["Children in care"]["score"],
    ) == (4, 75.0)
    assert by_area["Children in care"]["rag"] == "Amber"
    # Care leavers: L1 unsuitable accommodation (CL-05 Error) -> 1/2 = 50.0, red
    assert (by_area["Care leavers"]["score"], by_area["Care leavers"]["rag"]) == (50.0, "Red")
    by_team = {(s["area"], s["team"]): s["score"] for s in summary["scores"]["by_team"]}
    assert by_team[("Children in care", "Team A")] == 50.0
    assert by_team[("Children in care", "Team B")] == 100.0


def test_sheets_table_validation_protection_and_chart(small_run):
    run, path = small_run
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["Summary", "Findings", "Data quality"]
    assert wb.sheetnames[-1] == "Rules"
    assert {"Team Team A", "Team Leaving Care"} <= set(wb.sheetnames)

    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    assert header[-6:-1] == list(REVIEWER_COLUMNS) and header[-1] == "Entered"
    table = ws.tables["Findings"]
    assert table.ref == f"A1:T{ws.max_row}"
    assert ws.freeze_panes == "A2"
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1.strip('"').split(",") == list(MODERATOR_DECISIONS)
    assert str(lists[0].sqref).startswith("P2")
    assert any(
        dv.type == "date" and str(dv.sqref).startswith("S2")
        for dv in ws.data_validations.dataValidation
    )
    assert ws.protection.sheet and not ws.protection.autoFilter
    for letter in "OPQRS":
        assert ws.column_dimensions[letter].protection.locked is False
    for letter in "ABCDMN":
        assert (
            ws.column_dimensions[letter].protection is None
            or ws.column_dimensions[letter].protection.locked
        )
    assert ws["I2"].number_format == "dd/mm/yyyy" and isinstance(ws["I2"].value, dt.datetime)
    assert ws.conditional_formatting

    summary = wb["Summary"]
    assert summary._charts, "the Summary sheet has no chart"
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Children in care" in texts and any("not in the export" in t for t in texts)


def test_rows_are_capped_per_rule_but_csv_holds_all(small_run, tmp_path):
    run, path = small_run
    csv_rows = (tmp_path / "findings.csv").read_text().strip().splitlines()[1:]
    wb = openpyxl.load_workbook(path)
    shown = wb["Findings"].max_row - 1
    assert len(csv_rows) > shown  # CL-03 (a Query) found twice, capped at 1 row per rule
    texts = [c.value for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("at most 1 rows per rule" in t for t in texts)
    assert any(t.endswith("findings in total") for t in texts)


def test_export_text_is_never_a_formula(tmp_path):
    lists = {
        6: [
            {
                "child_id": "=1+1",
                "cin_start": "2026-01-01",
                "cin_closed": None,
                "team": "+cmd",
                "worker": None,
            },
            {
                "child_id": "#REF!",  # an Excel error value, as text
                "cin_start": "2026-01-01",
                "cin_closed": None,
                "team": "@team",
                "worker": None,
            },
            {
                "child_id": "0042",  # an id that looks like a number keeps its zeros, as text
                "cin_start": "2026-01-01",
                "cin_closed": None,
                "team": "Team A",
                "worker": None,
            },
        ]
    }
    ctx = make_ctx(lists, AS_AT)
    result = run_rules(ctx)
    path = write_outputs(AuditRun(ctx, result, build_summary(ctx, result)), tmp_path)
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in zf.read(name).decode(), name
    wb = openpyxl.load_workbook(path)
    cells = {c.value: c for sheet in wb for row in sheet.iter_rows() for c in row}
    for text in ("=1+1", "+cmd", "#REF!", "@team", "0042"):  # text, exactly as exported
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text


def test_team_sheet_names_are_valid_and_unique():
    names = team_sheet_names(["A/B: [x]", "A/B: [x] ", "Findings", "x" * 40])
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names.values())
    assert len(set(names.values())) == len(names)
