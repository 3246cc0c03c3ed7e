"""The history store on a real PostgreSQL server (the `postgres_url` fixture of conftest.py: a
database of this test's own on the server CI starts, or on a private one)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from audits.cli import app
from audits.history import Store
from audits.output.findings_sheet import HEADING_ROW

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


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


def test_a_run_recorded_in_postgresql_matches_its_returns_by_digest(postgres_url, tmp_path):
    """The digest each finding is recorded with in PostgreSQL is the one of its row as read
    back (`audits.output.shown`), and an import of its returns finds what comparing every cell
    finds: a Worker typed over, listed."""
    from reviewing import read_findings, type_into
    from test_shown_digests import recorded_digests_are_those_of_the_stored_rows

    from audits.review.return_checks import Shown, typed_over
    from audits.review.returned import read_return

    out = tmp_path / "oct"
    args = ["run", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out", str(out)]
    result = runner.invoke(app, [*args, "--db", postgres_url])
    assert result.exit_code == 0, result.output
    store = Store.open(postgres_url)
    recorded_digests_are_those_of_the_stored_rows(store)
    teams = sorted((out / "teams").glob("*.xlsx"))[:3]
    child = read_findings(teams[0])[0]["Child ID"]
    paths = [type_into(teams[0], {child: {"Worker": "Someone Else"}}, target=tmp_path / "r0.xlsx")]
    paths += [type_into(t, {}, target=tmp_path / f"r{i}.xlsx") for i, t in enumerate(teams[1:], 1)]
    shown = [Shown(r.shown, r.as_at, r.saved_at) for r in map(read_return, paths)]
    found = typed_over(shown, store)
    assert "'Someone Else'" in str(found[0][0])
    assert [c for c, _ in found[1:]] == [[], []]
    assert [len(lapse) for _, lapse in found] == [len(s.cells) for s in shown]  # every row's
