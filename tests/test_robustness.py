"""Hostile, broken and huge exports: audited with the problem visible, or refused clearly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.core.errors import InputError
from audits.ingest.dispatch import load_export
from tests.conftest import ROOT

runner = CliRunner()


def run_cli(export, out, as_at="2026-11-23"):
    return runner.invoke(app, ["run", str(export), "--as-at", as_at, "--out", str(out)])


def test_text_in_number_columns_is_a_dq04_finding(tmp_path):
    (tmp_path / "l8.csv").write_text(
        "Child Unique ID,Date Started to be Looked After,Date Ceased to be Looked After,"
        "Number of Placements in the Last 12 months\n1,01/01/2026,,three\n2,01/01/2026,,4\n"
    )
    result = run_cli(tmp_path / "l8.csv", tmp_path / "o")
    assert result.exit_code == 0, result.output
    f = pd.read_csv(tmp_path / "o" / "findings.csv", dtype=str, keep_default_na=False)
    assert f[(f.rule_id == "DQ-04")]["value"].tolist() == ["three"]
    assert f[(f.rule_id == "CLA-06")]["child_id"].tolist() == ["2"]


def test_trailing_blank_rows_and_a_100_column_sheet(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "List 6"
    headings = ["Child Unique ID", "CIN Start Date", "CIN Closure Date", "Date Child Was Last Seen"]
    headings += [f"Local column {i}" for i in range(96)]
    ws.append(headings)
    ws.append(["1", "01/01/2026", None, "20/11/2026", *["x"] * 96])
    for _ in range(50):
        ws.append([None, "  ", "\u00a0"])  # blank rows that Excel keeps after deletions
    wb.save(tmp_path / "wide.xlsx")
    export = load_export(tmp_path / "wide.xlsx")
    assert len(export.lists[6].frame) == 1
    assert len(export.lists[6].unmatched_headings) == 96
    assert run_cli(tmp_path / "wide.xlsx", tmp_path / "o").exit_code == 0


def test_zip_bomb_is_refused_in_bounded_memory(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    row = "<row><c t='inlineStr'><is><t>" + "A" * 200 + "</t></is></c></row>"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as fh:
            chunk = (row * 1000).encode()
            for _ in range(400):  # ~90 MB of XML that packs into well under 1 MB
                fh.write(chunk)
    assert bomb.stat().st_size < 2_000_000
    with pytest.raises(InputError, match="would expand"):
        load_export(bomb)


KILL_STEPS = ("writing", "staged", "carried", "between-renames", "swapped", "removed")


def _snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
@pytest.mark.parametrize("step", KILL_STEPS)
def test_a_kill_at_any_step_leaves_one_whole_set(tmp_path, sample_month, step, exchange):
    """SIGKILL the run at each step of publishing: --out holds the previous set or the new one,
    never a mixture, and a person's files stay as they were."""
    out = tmp_path / "out"
    shutil.copytree(sample_month, out, symlinks=True)  # October's set, as published
    (out / "notes.txt").write_text("a person's notes")
    (out / "teams").mkdir(exist_ok=True)
    (out / "teams" / "kept.txt").write_text("kept")
    (out / "empty folder").mkdir()
    (out / "link to notes").symlink_to("notes.txt")
    before = _snapshot(out)
    hook = (
        "import os, signal, audits.output.workbook as w\n"
        "real = w.write_workbook\n"
        "def write(path, *a, **k):\n"
        "    r = real(path, *a, **k)\n"
        "    if os.environ.get('CASEFILE_AUDIT_KILL_AT') == 'writing':\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return r\n"
        "w.write_workbook = write\n"
        "import audits.pipeline.outputs\n"
        "from audits.cli import app\n"
        "app()\n"
    )
    env = {**os.environ, "CASEFILE_AUDIT_KILL_AT": step}
    if not exchange:
        env["CASEFILE_AUDIT_NO_EXCHANGE"] = "1"
    args = ["run", str(ROOT / "sample_exports"), "--as-at", "2026-11-30", "--out", str(out)]
    proc = subprocess.run(
        [sys.executable, "-c", hook, *args, "--no-history"],
        env=env,
        capture_output=True,
        timeout=300,
    )
    if step == "between-renames" and exchange:
        assert proc.returncode == 0, proc.stderr  # the atomic exchange has no such step
    else:
        assert proc.returncode == -signal.SIGKILL, proc.stderr
    from audits.output.publish import recover

    recover(out)  # what every publishing command runs first
    after = _snapshot(out)
    assert after["notes.txt"] == b"a person's notes" and after["teams/kept.txt"] == b"kept"
    assert (out / "empty folder").is_dir() and os.readlink(out / "link to notes") == "notes.txt"
    as_at = json.loads(after["summary.json"])["as_at"]
    if as_at == "2026-10-30":
        assert after == before, "the previous set, whole"
    else:
        assert as_at == "2026-11-30"
        summary = json.loads(after["summary.json"])
        new_files = {"findings.csv", "summary.json", "audit.xlsx", ".casefile-audit-written.json"}
        new_files |= {f"{name}" for name in summary["team_workbooks"].values()}
        assert all(
            after[name] != before[name] for name in ("findings.csv", "summary.json", "audit.xlsx")
        ), "the new set, whole"
        assert new_files <= set(after)
        # teams/ holds the new month's set only (issue 24): the tool's untouched team workbooks
        # of October that November does not write are gone; everything else stays as it was
        withdrawn = set(summary.get("team_workbooks_withdrawn", []))
        assert not withdrawn & set(after)
        assert {k: v for k, v in after.items() if k not in new_files} == {
            k: v for k, v in before.items() if k not in new_files | withdrawn
        }
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".out.staging", ".out.old"))]


def test_two_runs_on_one_folder_at_once_both_finish(tmp_path):
    out = tmp_path / "out"
    args = ["run", str(ROOT / "sample_exports"), "--out", str(out), "--no-history"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", "from audits.cli import app; app()", *args, "--as-at", day],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for day in ("2026-10-30", "2026-11-30")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    summary = json.loads((out / "summary.json").read_text())
    findings = pd.read_csv(out / "findings.csv", dtype=str)
    assert len(findings) == summary["findings_total"] > 0  # one run's csv beside its summary
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".out.staging", ".out.old"))]


def test_a_million_row_list_is_audited(tmp_path):
    import numpy as np

    n = 1_000_000
    rng = np.random.default_rng(5)
    days_back = rng.integers(0, 16, n)
    overdue = rng.choice(n, 250, replace=False)
    days = pd.Timestamp("2026-11-20") - pd.to_timedelta(np.arange(16), unit="D")
    seen = days.strftime("%d/%m/%Y").to_numpy(dtype=object)[days_back]  # each day written once
    seen[overdue] = "01/06/2026"
    frame = pd.DataFrame(
        {
            "Child Unique ID": np.arange(n) + 5_000_000,
            "CIN Start Date": "01/01/2025",
            "CIN Closure Date": "",
            "Date Child Was Last Seen": seen,
            "Allocated Team": rng.choice(["North", "South", "East"], n),
            "Allocated Worker": "Sam Smith",
        }
    )
    frame.to_csv(tmp_path / "cin.csv", index=False)
    result = run_cli(tmp_path / "cin.csv", tmp_path / "o")
    assert result.exit_code == 0, result.output
    findings = pd.read_csv(tmp_path / "o" / "findings.csv", dtype=str, keep_default_na=False)
    assert sorted(findings.loc[findings.rule_id == "CIN-01", "child_id"].astype(int)) == sorted(
        (overdue + 5_000_000).tolist()
    )


def test_no_workbook_the_tool_writes_holds_a_formula(tmp_path):
    """Export text such as =HYPERLINK(...) in a team or worker name reaches the audit workbook,
    the board pack and the practice-audit workbook only as text."""
    (tmp_path / "l8.csv").write_text(
        "Child Unique ID,Date Started to be Looked After,Date Ceased to be Looked After,"
        "Date of Latest Statutory Review,Allocated Team,Allocated Worker\n"
        '=1+1,01/01/2020,,01/01/2026,"=HYPERLINK(""http://x"")",@SUM(A1)\n'
        "2,01/01/2020,,01/01/2026,+cmd,-minus\n"
    )
    db = str(tmp_path / "h.sqlite")
    assert (
        runner.invoke(
            app,
            [
                "run",
                str(tmp_path / "l8.csv"),
                "--as-at",
                "2026-11-23",
                "--out",
                str(tmp_path / "o"),
                "--db",
                db,
            ],
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app, ["board", "--out", str(tmp_path / "b"), "--db", db, "--show-child-ids"]
        ).exit_code
        == 0
    )
    assert (
        runner.invoke(
            app,
            [
                "sample",
                str(tmp_path / "l8.csv"),
                "--as-at",
                "2026-11-23",
                "--out",
                str(tmp_path / "p"),
                "--db",
                db,
            ],
        ).exit_code
        == 0
    )
    books = [
        tmp_path / "o" / "audit.xlsx",
        tmp_path / "b" / "board.xlsx",
        *(tmp_path / "p").glob("*.xlsx"),
    ]
    assert len(books) == 3
    for book in books:
        with zipfile.ZipFile(book) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    assert "<f>" not in zf.read(name).decode(), (book.name, name)
        texts = {
            c.value
            for ws in openpyxl.load_workbook(book).worksheets
            for row in ws.iter_rows()
            for c in row
        }
        assert "+cmd" in texts or book.name.startswith("board")  # shown as text, unchanged


def test_a_read_only_working_folder_still_gets_its_audit(tmp_path, monkeypatch):
    if os.geteuid() == 0:
        import sqlalchemy

        from audits import history

        def refuse(*args, **kwargs):
            raise sqlalchemy.exc.OperationalError(
                "open", {}, Exception("attempt to write a readonly database")
            )

        monkeypatch.setattr(history.Store, "open", classmethod(lambda cls, db: refuse()))
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        monkeypatch.chdir(locked)
    result = run_cli(ROOT / "sample_exports", tmp_path / "o", "2026-10-30")
    assert result.exit_code == 0, result.output
    assert "no history kept" in result.output
    assert (tmp_path / "o" / "findings.csv").exists()
