"""Shared helpers: build canonical lists from plain rows and run one rule over them; a
PostgreSQL database of a test's own (`postgres_url`).

The PostgreSQL server is the one named by CASEFILE_AUDIT_TEST_POSTGRES_URL (`.ci/run` starts a
throwaway cluster and sets it); without it, a private server is started where the binaries are
installed, listening on a Unix socket only (no network). Each test gets a database of its own,
created and dropped around it, so tests can run in parallel (pytest-xdist). A test skips for want
of a server only locally: with the variable set, or in CI (`CI` set), it fails instead."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import settings

from audits.core.config import Config
from audits.engine.context import Context
from audits.engine.findings import build
from audits.engine.registry import all_rules
from audits.engine.run import Later, run_rules
from audits.history.connect import close_all
from audits.ingest.export import UNREADABLE_COLUMNS, Export, ListTable
from audits.model.spec import BY_LABEL, BY_NUMBER
from tests.postgres_server import Unavailable, private_server

# A store another run holds is waited for this long in tests (users keep the minute), so the
# tests of a locked store take seconds; set here, so commands run in subprocesses inherit it.
os.environ.setdefault("CASEFILE_AUDIT_BUSY_TIMEOUT", "3")

# Property tests check what is computed, never how fast (speed is measured by `make bench`): no
# per-example deadline, which a loaded machine would turn into a spurious failure.
settings.register_profile("casefile-audit", deadline=None)
settings.load_profile("casefile-audit")

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
ROOT = Path(__file__).resolve().parents[1]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def make_table(number: int | str, rows: list[dict]) -> ListTable:
    """A canonical list (or local table) as the loader would produce it (columns = row keys)."""
    spec = BY_NUMBER[number] if isinstance(number, int) else BY_LABEL[number]
    names = list(dict.fromkeys(k for row in rows for k in row))
    frame = pd.DataFrame(rows, columns=names)
    for name in names:
        f = spec.field(name)
        if f.kind == "date":
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[us]")
        elif f.kind == "number":
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
        else:
            frame[name] = frame[name].astype("str")
    frame.insert(0, "_row", range(2, len(frame) + 2))
    headings = {name: spec.field(name).heading for name in names}
    return ListTable(spec, frame, Path("test.xlsx"), f"List_{number}", "headings", headings, [])


def make_ctx(
    lists: dict[int | str, list[dict]], as_at: dt.date | str, config: Config | None = None
) -> Context:
    """Lists keyed by number; local tables by name ('workers', ...)."""
    built = {n: make_table(n, rows) for n, rows in lists.items()}
    export = Export(
        Path("test.xlsx"),
        [Path("test.xlsx")],
        {n: t for n, t in built.items() if isinstance(n, int)},
        pd.DataFrame(columns=UNREADABLE_COLUMNS),
        tables={n: t for n, t in built.items() if isinstance(n, str)},
    )
    as_at = d(as_at) if isinstance(as_at, str) else as_at
    return Context(export=export, as_at=as_at, config=config or Config())


def rule_by_id(rule_id: str):
    return next(r for r in all_rules() if r.id == rule_id)


def findings_of(
    rule_id: str, lists: dict[int, list[dict]], as_at, config: Config | None = None
) -> pd.DataFrame:
    ctx = make_ctx(lists, as_at, config)
    rule = rule_by_id(rule_id)
    result = run_rules(ctx, [rule])
    outcome = result.outcomes[0]
    assert outcome.ran, outcome.reason
    return result.findings


def build_findings(rule_id: str, ctx: Context) -> pd.DataFrame:
    rule = rule_by_id(rule_id)
    raw = rule.func(ctx)
    return build(rule, raw.collect() if isinstance(raw, Later) else raw, ctx.date)


@pytest.fixture
def reference() -> Path:
    if not REFERENCE.exists():
        pytest.skip("../shared/reference is not present")
    return REFERENCE


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch):
    """Each test runs in its own folder, so the default history store never lands in the repo."""
    monkeypatch.chdir(tmp_path)


# --- PostgreSQL: a server per test process, a database per test ---------------------------------

URL_VARIABLE = "CASEFILE_AUDIT_TEST_POSTGRES_URL"


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
    server = private_server()
    try:
        url = server.__enter__()
    except Unavailable as exc:
        _unavailable(str(exc))
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


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


@pytest.fixture(scope="module")
def sample_month(tmp_path_factory) -> Path:
    """The sample export audited as at 30/10/2026 without history, once per module: for tests
    that read the published set, or copy it (byte for byte) to start from it."""
    from typer.testing import CliRunner

    from audits.cli import app

    out = tmp_path_factory.mktemp("sample") / "out"
    args = ["run", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--no-history"])
    assert result.exit_code == 0, result.output
    return out


# The modules that take longest, longest first. `make test` hands whole modules to each worker
# (`--dist loadscope`: a module's fixtures are then built once, not once per worker), in the order
# collected; starting with the longest keeps both cores busy to the end instead of one finishing
# a long module alone. Measured with `pytest --durations=0`; a module not named runs after these.
LONGEST_FIRST = (
    "test_robustness.py",
    "test_property.py",
    "test_hostile.py",
    "test_team_month.py",
    "test_hostile_round3.py",
    "test_cross_list_reference.py",
    "test_reviewer_work.py",
    "test_ssd_example.py",
    "test_cli.py",
    "test_hostile_neighbours.py",
    "test_practice.py",
    "test_board_trust.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: order kept within


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "defect_expected: the test provokes the 'This is a defect' paragraph on purpose"
    )


@pytest.fixture(autouse=True)
def _no_defect_message(request, monkeypatch):
    """Every command any test runs through `CliRunner` is checked: bad input, a bad config and a
    bad environment are named for what they are, so the "This is a defect" paragraph (meant for
    the tool's own failures) appearing anywhere in the suite's CLI output fails the test (issue
    24), and so does a command ending in an exception (a traceback). A test that provokes the
    paragraph on purpose is marked `defect_expected`."""
    if request.node.get_closest_marker("defect_expected"):
        return
    from typer.testing import CliRunner

    invoke = CliRunner.invoke

    def checked(self, *args, **kwargs):
        result = invoke(self, *args, **kwargs)
        assert "defect in casefile-audit" not in result.output, result.output
        # and never a traceback: a command ends by its own exit, not by an exception
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        return result

    monkeypatch.setattr(CliRunner, "invoke", checked)
