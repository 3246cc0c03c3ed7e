"""The `audit` command end to end, as a QA officer would use it."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from audits.cli import app
from audits.engine.findings import FINDING_COLUMNS
from tests.conftest import ROOT

runner = CliRunner()


def _keys(frame: pd.DataFrame) -> list[tuple]:
    cols = ["rule_id", "list", "child_id", "due_date", "days_overdue"]
    return sorted(map(tuple, frame[cols].astype(str).to_numpy()))


def test_example_then_run_matches_manifest(tmp_path):
    result = runner.invoke(
        app, ["example", "--out", str(tmp_path / "ex"), "--as-at", "2026-12-29", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["run", str(tmp_path / "ex"), "--as-at", "2026-12-29", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    findings = pd.read_csv(tmp_path / "o" / "findings.csv", dtype=str, keep_default_na=False)
    manifest = pd.read_csv(tmp_path / "ex" / "manifest.csv", dtype=str, keep_default_na=False)
    assert list(findings.columns) == FINDING_COLUMNS
    assert _keys(findings) == _keys(manifest)
    assert set(manifest["rule_id"]) >= {
        "ASM-01",
        "ASM-02",
        "ASM-03",
        "S47-01",
        "S47-02",
        "CIN-01",
        "CP-01",
        "CP-02",
        "CP-03",
        "CP-04",
        "CLA-01",
        "CLA-02",
        "CLA-03",
        "CLA-04",
        "CLA-05",
        "CLA-06",
        "CLA-07",
        "CL-01",
        "CL-02",
        "CL-03",
        "CL-04",
        "CL-05",
        "ALL-01",
        "DQ-01",
        "DQ-02",
        "DQ-03",
        "DQ-04",
        "CL-06",
        "WF-01",
        "MO-01",
    }


def test_committed_sample_month_matches_its_manifest(tmp_path):
    result = runner.invoke(
        app, ["run", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    findings = pd.read_csv(tmp_path / "findings.csv", dtype=str, keep_default_na=False)
    manifest = pd.read_csv(
        ROOT / "sample_exports" / "manifest.csv", dtype=str, keep_default_na=False
    )
    assert _keys(findings) == _keys(manifest)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["as_at"] == "2026-10-30"
    assert summary["rules_not_run"] == []  # the sample month carries the local tables too
    assert {t["table"] for t in summary["local_tables"]} == {
        "care_leaver_documents",
        "workers",
        "management_oversight",
    }
    assert findings["due_date"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    wb = openpyxl.load_workbook(tmp_path / "audit.xlsx")
    assert {"Summary", "Findings", "Data quality", "Rules"} <= set(wb.sheetnames)
    assert wb["Findings"].max_row == len(findings) + 1


def test_formula_like_text_is_never_a_formula(tmp_path):
    (tmp_path / "l6.csv").write_text(
        "Child Unique ID,CIN Start Date,CIN Closure Date,Date Child Was Last Seen,Allocated Team,Allocated Worker\n"
        '1,01/01/2026,,01/02/2026,=HYPERLINK("http://x"),@SUM(A1)\n'
    )
    result = runner.invoke(
        app,
        ["run", str(tmp_path / "l6.csv"), "--as-at", "2026-11-23", "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 0, result.output
    csv_text = (tmp_path / "o" / "findings.csv").read_text()
    assert "'=HYPERLINK" in csv_text and "'@SUM" in csv_text
    import zipfile

    with zipfile.ZipFile(tmp_path / "o" / "audit.xlsx") as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in zf.read(name).decode()


def test_bad_input_exits_1_with_one_paragraph(tmp_path):
    bad = tmp_path / "export.xlsx"
    bad.write_bytes(b"this is not a workbook at all")
    result = runner.invoke(
        app, ["run", str(bad), "--as-at", "2026-11-23", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "export.xlsx" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["run", str(tmp_path), "--as-at", "30/10/2026"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_rules_lists_the_catalogue_with_thresholds():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    for rule_id in ("ASM-01", "CLA-02", "CL-06", "WF-01", "MO-01", "DQ-04"):
        assert rule_id in result.output
    assert "cp_visit_working_days = 10" in result.output


def test_validate_reports_lists_and_data_quality():
    result = runner.invoke(app, ["validate", str(ROOT / "sample_exports"), "--as-at", "2026-10-30"])
    assert result.exit_code == 0, result.output
    assert "List 9 (Care leavers)" in result.output and "DQ-04: 3" in result.output
