"""The `audit` command end to end, as a QA officer would use it."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.engine.findings import FINDING_COLUMNS
from audits.output.findings_sheet import HEADING_ROW
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
    # the sample month carries the local tables too: only the rules of the SSD's histories
    # (visits at each visit, missing episodes, changes of worker) are not run on Annex A
    assert {r["rule_id"] for r in summary["rules_not_run"]} == {"CP-05", "CLA-08", "WF-02"}
    assert {t["table"] for t in summary["local_tables"]} == {
        "care_leaver_documents",
        "workers",
        "management_oversight",
    }
    assert findings["due_date"].str.fullmatch(r"(\d{4}-\d{2}-\d{2})?").all()
    wb = openpyxl.load_workbook(tmp_path / "audit.xlsx")
    assert {"Summary", "Findings", "Data quality", "Rules"} <= set(wb.sheetnames)
    assert wb["Findings"].max_row == HEADING_ROW + len(findings)


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
    assert runner.invoke(app, ["run", str(tmp_path), "--as-at", "30.10.2026"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_rules_lists_the_catalogue_with_thresholds():
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    for rule_id in ("ASM-01", "CLA-02", "CL-06", "WF-01", "MO-01", "DQ-04"):
        assert rule_id in result.output
    assert "cp_visit_working_days = 10" in result.output


def test_validate_checks_data_quality_only_and_places_each_unreadable_value(monkeypatch):
    import audits.pipeline.audit

    ran = []
    real = audits.pipeline.audit.run_rules
    monkeypatch.setattr(
        audits.pipeline.audit, "run_rules", lambda ctx, rules: ran.extend(rules) or real(ctx, rules)
    )
    result = runner.invoke(app, ["validate", str(ROOT / "sample_exports"), "--as-at", "30/10/2026"])
    assert result.exit_code == 0, result.output
    assert ran and {r.area for r in ran} == {"Data quality"}  # no timeliness rule ran
    assert "List 9 (Care leavers)" in result.output and "DQ-04: 3" in result.output
    assert "Values that could not be read: 3" in result.output
    assert (
        "annex_a_2026-10.xlsx, sheet 'List_7', row 16, column K (Was the Child Seen Alone?): "
        "'Maybe'; expected one of: Yes, No, Unknown"
    ) in result.output
    assert (
        "Not in the export, so not checked: List 10 (Adoption), List 11 (Adopters)" in result.output
    )


def test_counts_are_words_and_team_workbooks_are_named(tmp_path):
    result = runner.invoke(
        app, ["run", str(ROOT / "sample_exports"), "--as-at", "30/10/2026", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    findings = pd.read_csv(tmp_path / "findings.csv", dtype=str, keep_default_na=False)
    n = findings["severity"].value_counts()
    words = f"{len(findings)} findings: {n['Error']} errors, {n['Data']} data, {n['Query']} queries"
    assert f"As at 30/10/2026: {words}" in result.output
    assert "{" not in result.output  # no Python dict
    assert f"Team workbooks ({findings['team'].nunique()}, one per team): " in result.output
    assert str((tmp_path / "teams").resolve()) in result.output


def test_no_findings_never_stands_alone_when_lists_are_absent(tmp_path):
    (tmp_path / "l6.csv").write_text(
        "Child Unique ID,CIN Start Date,CIN Closure Date,Date Child Was Last Seen,Allocated Team,"
        "Allocated Worker\n1,01/01/2026,01/02/2026,15/01/2026,Team A,W1\n"
    )
    result = runner.invoke(
        app,
        ["run", str(tmp_path / "l6.csv"), "--as-at", "2026-10-30", "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = lines.index("As at 30/10/2026: 0 findings")
    assert lines[at + 1].startswith("Not in the export, so not checked: List 1 (Contacts), ")
    assert "List 6" not in lines[at + 1] and "List 8 (Children in care)" in lines[at + 1]


def test_version():
    from audits import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"casefile-audit {__version__}"


@pytest.mark.parametrize(
    "given, message",
    [
        ("2026-02-30", "'2026-02-30' is not a date that exists: February 2026 has 28 days"),
        ("30/02/2026", "'30/02/2026' is not a date that exists: February 2026 has 28 days"),
        ("31/04/2026", "April 2026 has 30 days"),
        ("2026-13-01", "there is no month 13"),
        ("next friday", "is not a date: give it as YYYY-MM-DD or dd/mm/yyyy"),
    ],
)
def test_as_at_that_is_not_a_date_is_called_that(tmp_path, given, message):
    result = runner.invoke(app, ["run", str(tmp_path), "--as-at", given])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_as_at_takes_the_date_as_the_tool_prints_it():
    from audits.cli.options import as_at_date as _as_at

    assert _as_at("30/10/2026") == _as_at("2026-10-30") == dt.date(2026, 10, 30)
    assert _as_at("29/02/2028") == dt.date(2028, 2, 29)  # a leap day exists


def test_help_reads_plainly():
    for command in ("run", "validate", "sample", "moderate", "board", "example", "rules"):
        text = runner.invoke(app, [command, "--help"]).output
        assert "<bool>" not in text and "{" not in text, command
    run_help = runner.invoke(app, ["run", "--help"]).output
    assert "Usage: audit run [OPTIONS] EXPORT" in run_help and "teams/" in run_help
    sample_help = " ".join(runner.invoke(app, ["sample", "--help"]).output.split())
    assert "practice audit workbook" in sample_help and "findings.csv" not in sample_help


def test_a_script_calling_audit_without_a_main_guard_runs_once(tmp_path):
    """The helper process (Great Expectations, team workbooks) never re-runs the caller's script."""
    import subprocess
    import sys

    script = tmp_path / "script.py"
    script.write_text(
        "import datetime as dt\n"
        "from pathlib import Path\n"
        "from audits.pipeline.audit import audit\n"
        "with open(Path(__file__).with_name('ran.txt'), 'a') as fh:\n"
        "    fh.write('ran\\n')\n"
        f"run = audit(Path({str(ROOT / 'sample_exports')!r}), dt.date(2026, 10, 30))\n"
        "print(sorted(run.result.findings['rule_id'].unique()))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "ran.txt").read_text() == "ran\n"
    assert "DQ-05" in done.stdout  # the suites ran (in the helper process)


def test_the_helper_process_ends_when_a_run_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "hold.py"
    script.write_text(
        "import os, time\n"
        "from audits.core import helper\n"
        "print(helper.submit(os.getpid).result(), flush=True)\n"
        "time.sleep(120)\n"
    )
    run = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    helper_pid = int(run.stdout.readline())
    run.send_signal(signal.SIGKILL)  # as a run stopped hard mid-way
    run.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(helper_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(helper_pid, signal.SIGKILL)
    raise AssertionError("the helper process outlived the run that started it")


def test_the_audit_command_leaves_the_store_whole_in_one_file(tmp_path):
    """`audit` (audits.cli:main) leaves its objects to the operating system at the end, but
    closes the store first: SQLite folds its write-ahead log into the .sqlite file, so a copy of
    that file alone holds the run."""
    import sqlite3
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "from audits.cli import main; main()", "run",
         str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    store = tmp_path / "casefile-audit.sqlite"
    assert store.is_file()
    assert not (tmp_path / "casefile-audit.sqlite-wal").exists()
    assert not (tmp_path / "casefile-audit.sqlite-shm").exists()
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(store.read_bytes())
    with sqlite3.connect(copy) as db:
        assert db.execute("select count(*) from runs").fetchone()[0] == 1
        assert db.execute("select count(*) from findings").fetchone()[0] > 0
