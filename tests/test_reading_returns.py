"""The returns of a large import are read by two processes (`read_returns`): the result is the
one reading them one by one would give, and a workbook that cannot be read stops the import with
the message of the first such workbook in order, whichever process met it."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from reviewing import read_findings, type_into

from audits.core import helper
from audits.core.errors import InputError
from audits.review.returned import Reading, read_return, read_returns
from audits.review.workbooks import READER

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def returns(sample_month, tmp_path_factory):
    """Twelve returns: the sample month's team workbooks, each typed in, copied under new names
    (read only by the tests)."""
    tmp_path = tmp_path_factory.mktemp("returns")
    teams = sorted((sample_month / "teams").glob("*.xlsx"))
    assert len(teams) >= 3
    paths = []
    for copy in range(12 // len(teams) + 1):
        for team in teams:
            target = tmp_path / f"{copy}-{team.name}"
            child = _first_child(team)
            type_into(team, {child: {"Manager response": f"seen ({copy})"}}, target=target)
            paths.append(target)
    return paths[:12]


def _first_child(workbook):
    return read_findings(workbook)[0]["Child ID"]


@pytest.fixture
def ready_helper():
    """The helper process started and importing the reader before the import begins, as
    `audit moderate` starts it, so that it takes returns from the first moment."""
    future = helper.submit(helper.warm, READER)
    assert future is not None, "no helper process could be started here"
    future.result(timeout=60)


def _same(a, b) -> None:
    assert (a.path, a.sha256, a.saved_at, a.saved_by, a.entries_upto) == (
        b.path,
        b.sha256,
        b.saved_at,
        b.saved_by,
        b.entries_upto,
    )
    assert (a.as_at, a.kind, a.teams, a.legacy) == (b.as_at, b.kind, b.teams, b.legacy)
    assert a.problems == b.problems
    assert a.entries.astype(object).equals(b.entries.astype(object))
    assert a.shown.astype(object).equals(b.shown.astype(object))


def test_two_processes_read_what_one_would(returns, ready_helper):
    shared = read_returns(returns, share_from=0)
    alone = [read_return(p) for p in returns]
    assert [r.path for r in shared] == returns  # in order
    for a, b in zip(shared, alone, strict=True):
        _same(a, b)
    assert any("seen" in str(v) for v in shared[5].entries["value"])
    readers = {r.read_by for r in shared}
    assert os.getpid() in readers and len(readers) == 2, "both processes read some returns"


def test_a_small_import_is_read_here(returns):
    shared = read_returns(returns[:3])  # far below the size worth a second process
    assert {r.read_by for r in shared} == {os.getpid()}


@pytest.mark.parametrize("broken", [[1, 11], [11], [0, 6]])
def test_the_first_unreadable_return_in_order_is_the_one_named(
    returns, ready_helper, broken, tmp_path
):
    returns = list(returns)
    for i in broken:
        damaged = tmp_path / f"damaged-{i}.xlsx"
        damaged.write_bytes(b"not a workbook")
        returns[i] = damaged
    with pytest.raises(InputError) as shared:
        read_returns(returns, share_from=0)
    with pytest.raises(InputError) as alone:
        read_return(returns[broken[0]])
    assert f"damaged-{broken[0]}.xlsx" in str(shared.value)
    assert str(shared.value) == str(alone.value)
    # the helper is left able to read the next import
    assert len(read_returns([p for p in returns if "damaged" not in p.name], share_from=0)) > 0


# --- the shown runs read early by the helper (`early.read_early`) ----------------------
@pytest.fixture(scope="module")
def stored_month(tmp_path_factory):
    """The sample month run with a store, and four of its team workbooks returned: one with a
    Worker typed over and a response, the others untouched."""
    from typer.testing import CliRunner

    from audits.cli import app

    tmp = tmp_path_factory.mktemp("stored")
    db, out = tmp / "h.sqlite", tmp / "out"
    args = ["run", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--db", str(db)])
    assert result.exit_code == 0, result.output
    teams = sorted((out / "teams").glob("*.xlsx"))[:4]
    child = _first_child(teams[0])
    typed = {child: {"Worker": "Someone Else", "Manager response": "seen"}}
    paths = [type_into(teams[0], typed, target=tmp / "returns" / teams[0].name)]
    paths += [type_into(t, {}, target=tmp / "returns" / t.name) for t in teams[1:]]
    return db, paths


def test_the_runs_read_early_by_the_helper_compare_as_the_store_does(stored_month, ready_helper):
    from audits.history import Store
    from audits.review.early import early_versions, read_early
    from audits.review.return_checks import Shown, typed_over

    db, paths = stored_month
    store = Store.open(db)
    shown = [Shown(r.shown, r.as_at, r.saved_at) for r in map(read_return, paths)]
    reading = Reading(paths, share_from=0)
    early = early_versions(read_early(reading, store))
    reading.finish()
    assert early and all(len(v) for v in early.values())  # the helper read the shown run
    small = Reading(paths)
    assert read_early(small, store) is None  # a small import: not asked for
    small.finish()
    with_early = typed_over(shown, store, lambda: early)
    alone = typed_over(shown, store)
    assert [changed for changed, _ in with_early] == [changed for changed, _ in alone]
    assert "'Someone Else'" in str(with_early[0][0])  # the typed-over Worker, listed
    for (_, a), (_, b) in zip(with_early, alone, strict=True):
        key = ["finding_id"]
        pd.testing.assert_frame_equal(
            a.sort_values(key).reset_index(drop=True).astype(object),
            b.sort_values(key).reset_index(drop=True).astype(object),
        )


def test_a_failed_early_read_leaves_the_comparison_to_read_the_store():
    from concurrent.futures import Future

    from audits.review.early import early_versions

    failed: Future = Future()
    failed.set_exception(OSError("the store could not be opened"))
    assert early_versions(failed) == {}
    assert early_versions(None) == {}
