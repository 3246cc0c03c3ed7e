"""The returns of a large import are read by two processes (`read_returns`): the result is the
one reading them one by one would give, and a workbook that cannot be read stops the import with
the message of the first such workbook in order, whichever process met it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from reviewing import read_findings, type_into

from audits.core import helper
from audits.core.errors import InputError
from audits.review.returned import read_return, read_returns
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
