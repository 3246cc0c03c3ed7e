"""Each finding a run records carries the digest of its export columns as the writers show them
(`audits.output.shown`, store v9); an import matches its returned rows by digest, and compares
cell by cell only the rows that do not match. What it finds (cells typed over, the lapse each
row was about) is what comparing every cell with the stored findings finds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from reviewing import read_findings, type_into

from audits.history import Store
from audits.output.shown import COMPARED, shown_digest, stored_as_shown
from audits.review.return_checks import Shown, lapse_values, typed_over
from audits.review.returned import read_return

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def stored_month(tmp_path_factory):
    """The sample month run with a store, and four of its team workbooks returned: one with a
    Worker typed over and a response, one with a response only, the others untouched."""
    from typer.testing import CliRunner

    from audits.cli import app

    tmp = tmp_path_factory.mktemp("stored")
    db, out = tmp / "h.sqlite", tmp / "out"
    args = ["run", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    teams = sorted((out / "teams").glob("*.xlsx"))[:4]
    first, second = (read_findings(t)[0]["Child ID"] for t in teams[:2])
    typed = {first: {"Worker": "Someone Else", "Manager response": "seen"}}
    paths = [type_into(teams[0], typed, target=tmp / "returns" / teams[0].name)]
    responded = {second: {"Manager response": "visit booked"}}
    paths.append(type_into(teams[1], responded, target=tmp / "returns" / teams[1].name))
    paths += [type_into(t, {}, target=tmp / "returns" / t.name) for t in teams[2:]]
    return db, paths


def copy_of(db: Path, name: str) -> Path:
    """A copy of the store (its write-ahead log included: SQLite's backup)."""
    target = db.parent / name
    source, copy = sqlite3.connect(db), sqlite3.connect(target)
    source.backup(copy)
    source.close()
    copy.close()
    return target


def recorded_digests_are_those_of_the_stored_rows(store: Store) -> None:
    run = store.shown_runs(store.latest_as_at(), None)
    digests = store.shown_digests(run)
    stored = store.shown_findings(None, run, list(COMPARED.values()))
    assert len(digests) == len(stored) > 0  # every finding recorded with one
    expected = shown_digest(stored_as_shown(stored))
    assert np.array_equal(np.sort(digests["shown_digest"].to_numpy()), np.sort(expected))


def test_a_run_records_each_findings_digest_as_its_stored_row_shows(stored_month):
    db, _ = stored_month
    recorded_digests_are_those_of_the_stored_rows(Store.open(db))


def _shown(paths):
    returns = [read_return(p) for p in paths]
    wanted = pd.concat([r.entries["finding_id"] for r in returns])
    return [Shown(r.shown, r.as_at, r.saved_at) for r in returns], wanted


def _same_lapses(a, b, store: Store) -> None:
    """The lapses the two comparisons give, each read as the import reads them."""
    for (_, x), (_, y) in zip(a, b, strict=True):
        x, y = lapse_values(x, store), lapse_values(y, store)
        key = ["finding_id"]
        pd.testing.assert_frame_equal(
            x.sort_values(key).reset_index(drop=True).astype(object),
            y.sort_values(key).reset_index(drop=True).astype(object),
        )


def test_rows_as_written_are_matched_by_digest_and_only_the_others_read(stored_month, monkeypatch):
    """With the digests, the stored findings read are only the typed-over row's (to say what
    changed) and those of the rows with entries (their lapse); a store whose runs have no
    digests (recorded before v9, here blanked) compares every row with the stored findings and
    finds the same."""
    db, paths = stored_month
    shown, wanted = _shown(paths)
    asked: list[set[str]] = []
    read = Store.shown_findings

    def recording(self, finding_ids, run_ids, columns):
        asked.append(set(map(str, finding_ids)) if finding_ids is not None else {"(all)"})
        return read(self, finding_ids, run_ids, columns)

    monkeypatch.setattr(Store, "shown_findings", recording)
    store = Store.open(db)
    by_digest = typed_over(shown, store, wanted)
    typed_over_row = {r.finding_id for r in shown[0].cells.itertuples() if r.row == 7}
    assert asked and set().union(*asked) <= set(wanted) | typed_over_row
    assert sum(len(s.cells) for s in shown) > 3 * len(set().union(*asked))  # most not read

    blank = copy_of(db, "without-digests.sqlite")
    con = sqlite3.connect(blank)
    con.execute("UPDATE findings SET shown_digest = NULL")
    con.commit()
    con.close()
    asked.clear()
    cell_by_cell = typed_over(shown, Store.open(blank), wanted)
    assert len(set().union(*asked)) == len({str(i) for s in shown for i in s.cells["finding_id"]})

    assert [c for c, _ in by_digest] == [c for c, _ in cell_by_cell]
    (changed,) = by_digest[0][0]
    assert "Worker" in changed.message and "'Someone Else'" in changed.message
    assert all(not c for c, _ in by_digest[1:])
    monkeypatch.undo()
    _same_lapses(by_digest, cell_by_cell, store)
    responded = lapse_values(by_digest[1][1], store)
    assert len(responded) == 1  # the response's lapse: its due date and value, read from its run
    assert responded["due_date"].notna().all() or responded["value"].notna().all()
    assert by_digest[1][1]["read_from"].notna().all()  # read only for what is stored


def test_a_store_from_before_the_digests_gets_the_column_and_compares_as_before(stored_month):
    """v9 adds only the column: a store of version 8 takes it when opened (its runs' findings
    without a digest), and its returns compare cell by cell, finding what digests find."""
    from audits.history.connect import close_all

    db, paths = stored_month
    old = copy_of(db, "v8.sqlite")
    con = sqlite3.connect(old)
    con.executescript(
        "ALTER TABLE findings DROP COLUMN shown_digest; DELETE FROM schema_version WHERE version = 9;"
    )
    con.close()
    store = Store.open(old)  # migrates
    assert store.version == 9
    assert store.shown_digests(store.shown_runs(store.latest_as_at(), None)).empty
    shown, wanted = _shown(paths)
    before, now = typed_over(shown, store, wanted), typed_over(shown, Store.open(db), wanted)
    assert [c for c, _ in before] == [c for c, _ in now]
    _same_lapses(before, now, store)
    close_all()


def test_what_the_helper_reads_is_what_is_read_here_and_a_lost_read_is_read_here(stored_month):
    """`audit moderate` has the helper read what the store holds of the returns' findings while
    it compares their cells (`beside.read_beside`): the same as read here, whatever the form of
    its text; a read the helper could not do is done here."""
    from concurrent.futures import Future

    from typer.testing import CliRunner

    from audits.cli import app
    from audits.core import helper
    from audits.review.beside import held_beside, read_beside
    from audits.review.workbooks import READER

    db, paths = stored_month
    db = copy_of(db, "held.sqlite")
    imported = CliRunner().invoke(app, ["moderate", *map(str, paths), "--db", str(db)])
    assert imported.exit_code in (0, 1), imported.output  # the typed-over Worker is listed
    store = Store.open(db)
    returns = [read_return(p) for p in paths]
    here = held_beside(None, returns, store)
    assert here.known and len(here.history) > 0 and len(here.from_these) > 0
    helper.submit(helper.warm, READER).result(timeout=60)  # as `audit moderate` starts it
    there = held_beside(read_beside(returns, store), returns, store)
    assert there.known == here.known
    for a, b in ((there.history, here.history), (there.from_these, here.from_these)):
        key = list(b.columns)
        pd.testing.assert_frame_equal(
            a.astype(object).sort_values(key).reset_index(drop=True),
            b.astype(object).sort_values(key).reset_index(drop=True),
            check_dtype=False,
        )
    failed: Future = Future()
    failed.set_exception(OSError("the store could not be opened"))
    lost = held_beside(failed, returns, store)
    assert lost.known == here.known and len(lost.history) == len(here.history)
