"""The history store on a real PostgreSQL server.

The server is the one named by CASEFILE_AUDIT_TEST_POSTGRES_URL (`.ci/run` starts a throwaway
cluster and sets it); without it, a private server is started where the binaries are installed,
listening on a Unix socket only (no network). Each test gets a database of its own, created and
dropped around it, so tests can run in parallel (pytest-xdist). A test skips for want of a
server only locally: with the variable set, or in CI (`CI` set), it fails instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from audits.cli import app
from audits.history import Store
from audits.history.connect import close_all
from audits.output.findings_sheet import HEADING_ROW

ROOT = Path(__file__).resolve().parents[1]
URL_VARIABLE = "CASEFILE_AUDIT_TEST_POSTGRES_URL"
runner = CliRunner()


def _must_run() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return bool(os.environ.get(URL_VARIABLE)) or ci not in ("", "0", "false", "no")


def _unavailable(reason: str):
    """Skip locally; fail where a server was promised (the URL variable set, or CI)."""
    if _must_run():
        pytest.fail(
            f"{reason}\n{URL_VARIABLE} or CI is set, so the PostgreSQL tests must run, not skip "
            f"(`.ci/run` starts a server and sets {URL_VARIABLE})",
            pytrace=False,
        )
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server():
    """A URL of a PostgreSQL server's maintenance database, as its superuser (one per process:
    under pytest-xdist, per worker)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed")
    given = os.environ.get(URL_VARIABLE)
    if given:
        yield given
        return
    yield from _private_server()


def _private_server():
    initdb = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not initdb:
        _unavailable("no PostgreSQL server installed")
    bin_dir = initdb[-1].parent
    base = Path(tempfile.mkdtemp(prefix="casefile-pg-", dir="/tmp"))
    data, socket_dir = base / "data", base / "sock"
    socket_dir.mkdir()
    log = base / "server.log"  # the server must not hold our pipes open
    log.touch()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        if shutil.which("runuser") is None:
            shutil.rmtree(base, ignore_errors=True)
            _unavailable("running as root without runuser")
        for path in (base, socket_dir, log):
            shutil.chown(path, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    problem = None
    try:
        subprocess.run(
            [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses='' -k {socket_dir} -c fsync=off"
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log)]
            + ["-w", "start"],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, KeyError, LookupError) as exc:
        stderr = getattr(exc, "stderr", None) or b""
        problem = f"PostgreSQL could not be started here: {exc} {stderr.decode(errors='replace')}"
    if problem:
        shutil.rmtree(base, ignore_errors=True)
        _unavailable(problem)
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={socket_dir}"
    finally:
        subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server):
    """A new, empty database on the server for this test alone; dropped afterwards."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"casefile_test_{worker}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    problem = None
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.SQLAlchemyError as exc:
        problem = f"cannot create a database on {postgres_server}: {exc.orig or exc}"
    if problem:
        admin.dispose()
        _unavailable(problem)
    try:
        yield sa.engine.make_url(postgres_server).set(database=name).render_as_string(False)
    finally:
        close_all()  # the stores this test opened, so the database can be dropped
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


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
    assert len(store.table("runs")) == 2  # the test's own database: its two runs only


def test_two_runs_at_once_are_both_recorded_on_postgresql(postgres_url):
    from concurrent_runs import record_at_once

    assert len(Store.open(postgres_url).table("runs")) == 0
    assert record_at_once(postgres_url, runs_each=10) == [0, 0]
    assert len(Store.open(postgres_url).table("runs")) == 20


def test_the_board_reads_its_aggregates_on_postgresql(postgres_url, tmp_path):
    from audits.history.schema import run_board, run_changes

    for as_at in ("2026-10-30", "2026-11-30"):
        result = runner.invoke(
            app,
            ["run", str(ROOT / "sample_exports"), "--as-at", as_at, "--out",
             str(tmp_path / as_at), "--db", postgres_url],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    store = Store.open(postgres_url)
    with store.engine.begin() as conn:  # as a store from before migration 6 holds them
        conn.execute(run_board.delete())
        conn.execute(run_changes.delete())
    for _ in range(2):  # worked out and kept, then read
        board = runner.invoke(app, ["board", "--out", str(tmp_path / "b"), "--db", postgres_url])
        assert board.exit_code == 0, board.output
    with store.engine.connect() as conn:
        kept = conn.execute(sa.select(run_changes.c.persisting)).scalars().all()
    ids = [
        {line.split(",")[0] for line in (tmp_path / d / "findings.csv").read_text().splitlines()}
        for d in ("2026-10-30", "2026-11-30")
    ]
    assert sorted(kept) == [
        0,
        len(ids[0] & ids[1]) - 1,
    ]  # the findings both raised (not the header)
