"""The history store on a real PostgreSQL server, started by the test where the server's binaries
are installed (skipped otherwise). The server listens on a Unix socket only: no network."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.history import Store
from audits.output.findings_sheet import HEADING_ROW
from tests.conftest import ROOT

runner = CliRunner()


@pytest.fixture(scope="module")
def postgres_url():
    pytest.importorskip("psycopg")
    initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not initdb:
        pytest.skip("no PostgreSQL server installed")
    bin_dir = initdb[-1].parent
    base = Path(tempfile.mkdtemp(prefix="casefile-pg-", dir="/tmp"))
    data, socket_dir = base / "data", base / "sock"
    socket_dir.mkdir()
    (base / "server.log").touch()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        shutil.chown(base, "postgres")
        shutil.chown(socket_dir, "postgres")
        shutil.chown(base / "server.log", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses='' -k {socket_dir} -p 5499"
        log = base / "server.log"  # the server must not hold our pipes open
        subprocess.run(
            [
                *as_user,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, KeyError, LookupError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL could not be started here: {exc}")
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={socket_dir}&port=5499"
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


def test_runs_decisions_and_carry_forward_on_postgresql(postgres_url, tmp_path):
    store = Store.open(postgres_url)
    assert store.version == max(v for v, _ in Store.migrations())
    out = tmp_path / "oct"
    result = runner.invoke(
        app,
        [
            "run",
            str(ROOT / "sample_exports"),
            "--as-at",
            "2026-10-30",
            "--out",
            str(out),
            "--db",
            postgres_url,
        ],
    )
    assert result.exit_code == 0, result.output
    import openpyxl

    wb = openpyxl.load_workbook(out / "audit.xlsx")
    ws = wb["Findings"]
    header = [c.value for c in ws[HEADING_ROW]]
    ws.cell(
        HEADING_ROW + 1, header.index("Moderator decision") + 1
    ).value = "Disagree — recording is correct"
    chosen = ws.cell(HEADING_ROW + 1, header.index("Finding ID") + 1).value
    wb.save(tmp_path / "reviewed.xlsx")
    assert (
        runner.invoke(
            app, ["moderate", str(tmp_path / "reviewed.xlsx"), "--db", postgres_url]
        ).exit_code
        == 0
    )
    again = runner.invoke(
        app,
        [
            "run",
            str(ROOT / "sample_exports"),
            "--as-at",
            "2026-10-30",
            "--out",
            str(tmp_path / "again"),
            "--db",
            postgres_url,
        ],
    )
    assert again.exit_code == 0, again.output
    assert chosen not in (tmp_path / "again" / "findings.csv").read_text()
    assert "1 not raised again" in again.output, again.output
    assert len(store.table("runs")) >= 2


def test_two_runs_at_once_are_both_recorded_on_postgresql(postgres_url):
    from concurrent_runs import record_at_once

    before = len(Store.open(postgres_url).table("runs"))
    assert record_at_once(postgres_url, runs_each=10) == [0, 0]
    assert len(Store.open(postgres_url).table("runs")) == before + 20
