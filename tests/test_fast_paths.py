"""The plain-Python shortcuts taken for speed give what the vectorised code they stand in for
gives."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from audits.core.safe_text import FORMULA_STARTS, needs_quote, needs_quote_one
from audits.output import xlsx
from audits.output.xlsx import LINE_HEIGHT, row_heights, text_height

widths = st.sampled_from([8.0, 30.0, 52.0, 110.0, 0.5])


@given(st.lists(st.tuples(st.text(max_size=400), widths), min_size=1, max_size=3))
def test_text_height_is_row_heights_for_one_row(cells):
    expected = row_heights([([text], width) for text, width in cells], 1)[0]
    assert text_height(cells) == expected


def test_text_height_boundaries():
    per_line = 30 * 1.1 - 1  # 32 characters a line at width 30
    assert text_height([("x" * 32, 30)]) == LINE_HEIGHT
    assert text_height([("x" * 33, 30)]) == 2 * LINE_HEIGHT
    assert text_height([("", 30)]) == LINE_HEIGHT
    assert text_height([("a\nb", 30)]) == 2 * LINE_HEIGHT
    assert text_height([("x" * int(per_line * 40), 30)]) == 20 * LINE_HEIGHT  # at most 20 lines


@given(
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.text(alphabet="0123456789., \t\n\x0b\u00a0\u0663Ee+-=#@aZ", max_size=12),
        ),
        max_size=30,
    ),
    st.sampled_from(["str", object]),
)
def test_needs_quote_is_the_full_match_everywhere(values, dtype):
    text = pd.Series(values, dtype=dtype)
    expected = text.str.startswith((*FORMULA_STARTS, "#")) | text.str.fullmatch(r"[\d.,\s]+")
    got = needs_quote(text)
    assert got.astype(bool).tolist() == expected.astype(bool).tolist()
    assert got.index.equals(text.index)
    assert got.dtype == bool


class _Formats:
    def text(self, *, quote: bool = False, **props) -> str:
        return "quoted" if quote else "plain"


ANY_VALUE = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.just(pd.NaT),
    st.just(pd.NA),
    st.text(max_size=12),
    st.text(alphabet="0123456789., \t\x0b\x00\u0663=#-aZ", max_size=8),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.dates(min_value=dt.date(1900, 1, 1)).map(pd.Timestamp),
    st.booleans(),
)


@given(st.lists(ANY_VALUE, max_size=20), st.sampled_from(["object", "str"]))
def test_a_short_text_column_is_prepared_as_a_long_one_is(raw, dtype):
    """text_cells takes a value-by-value path for short columns (pandas' fixed cost per call
    would dominate): the same texts and the same quote formats as the vectorised path."""
    values = pd.Series(raw, dtype=object)
    if dtype == "str":
        values = values.map(lambda v: v if isinstance(v, str) else None).astype("str")
    short = xlsx.text_cells(values, _Formats())
    saved, xlsx.SMALL_COLUMN = xlsx.SMALL_COLUMN, -1
    try:
        long = xlsx.text_cells(values, _Formats())
    finally:
        xlsx.SMALL_COLUMN = saved
    assert short == long


@given(st.text(max_size=12))
def test_needs_quote_one_is_needs_quote(text):
    assert needs_quote_one(text) == bool(needs_quote(pd.Series([text], dtype="str")).iloc[0])


CELLS = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=10),
    st.sampled_from(["Yes", "no", " N ", "ZZ", "#REF!", "01/02/2026", "2026-13-01", "3.0", "-1"]),
    st.integers(-5, 50_000),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date(2110, 1, 1)),
)


@given(
    st.lists(st.lists(CELLS, min_size=0, max_size=8), min_size=1, max_size=4),
    st.sampled_from(["checked_text", "dates", "numbers", "counts", "coded"]),
)
def test_parsing_columns_together_is_parsing_each_alone(columns, kind):
    """The loader parses a table's columns of one kind stacked (pandas' fixed cost paid once):
    each column's values and unreadable marks are what parsing it alone gives."""
    from audits.ingest import values
    from audits.ingest.annex_a.load import _parse_together
    from audits.model.spec import BY_NUMBER

    parse, args = {
        "checked_text": (values.checked_text, ()),
        "dates": (values.dates, ()),
        "numbers": (values.numbers, (False,)),
        "counts": (values.numbers, (True,)),
        "coded": (values.coded, (BY_NUMBER[8].field("legal_status").domain,)),
    }[kind]
    series = [
        pd.Series(cells, index=range(10 * i, 10 * i + len(cells)), dtype=object)
        for i, cells in enumerate(columns)
    ]
    together = _parse_together(parse, series, *args)
    for column, (parsed, unreadable) in zip(series, together, strict=True):
        alone, alone_unreadable = parse(column, *args)
        pd.testing.assert_series_equal(parsed, alone, check_names=False)
        pd.testing.assert_series_equal(unreadable, alone_unreadable, check_names=False)


def test_findings_of_rules_collected_later_keep_their_place():
    """run_rules builds the findings of the rules that are done while DQ-05's suites are still
    being validated, then the collected ones: the same frame as building all at once."""
    import dataclasses

    from audits.engine.context import Context
    from audits.engine.registry import all_rules
    from audits.engine.run import Later, run_rules
    from audits.ingest.dispatch import load_export
    from tests.conftest import ROOT

    def context() -> Context:
        return Context(export=load_export(ROOT / "sample_exports"), as_at=dt.date(2026, 10, 30))

    rules = [r for r in all_rules() if r.id != "DQ-05"]
    at_once = run_rules(context(), rules).findings
    assert at_once["rule_id"].nunique() > 3
    found = list(dict.fromkeys(at_once["rule_id"]))  # rules with findings, in order
    later_ids = {found[0], found[len(found) // 2], found[-1]}

    def deferred(rule):
        return dataclasses.replace(rule, func=lambda ctx: Later(lambda: rule.func(ctx)))

    mixed = [deferred(r) if r.id in later_ids else r for r in rules]
    pd.testing.assert_frame_equal(run_rules(context(), mixed).findings, at_once)


def test_the_shown_findings_read_by_run_are_those_read_by_id(tmp_path):
    """`Store.shown_findings` reads a run whole when the ids asked for are half its findings or
    more; the rows are those the index on finding_id gives for fewer ids."""
    from audits.history import Store
    from tests.test_board_trust import finding_rows, summary_of

    store = Store.open(tmp_path / "history.sqlite")
    october = store.record_run(summary_of("2026-10-31"), finding_rows(list("abcdef")), [])
    store.record_run(summary_of("2026-11-30"), finding_rows(list("abcxyz")), [])
    columns = ["rule_id", "child_id", "due_date"]

    def shown(ids) -> set[tuple]:
        frame = store.shown_findings(ids, (october,), columns)
        return set(frame[["run_id", "finding_id", *columns]].itertuples(index=False, name=None))

    asked = ["a", "e", "z", "b", "c", "q"]
    one_by_one = set().union(*(shown([i]) for i in asked))  # 1 of 6 findings: by id
    together = shown(pd.Series([*asked, "a"]))  # 7 ids (6 distinct) of 6 findings: by run
    assert together == one_by_one == shown(["a", "e"]) | shown(["b", "c", "z"])
    assert {f for _, f, *_ in together} == {"a", "b", "c", "e"}
    assert all(run == october for run, *_ in together)


entry_rows = st.lists(
    st.tuples(
        st.sampled_from(["f1", "f2", "f3"]),  # finding
        st.sampled_from(["manager_decision", "moderator_decision", "action_owner"]),
        st.sampled_from(["2026-10-01T09:00:00", "2026-10-02T09:00:00", "2026-10-03T09:00:00"]),
        st.booleans(),  # a copy of the previous entry, as v5 made (`migrated_from`)
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(rows=entry_rows, asked=st.sets(st.sampled_from(["f1", "f2", "f3", "f9"]), min_size=1))
def test_the_databases_latest_entries_are_the_latest_of_every_entry(tmp_path_factory, rows, asked):
    """`latest_entries_for` (a window over the v8 index, then the latest entries read) gives
    what `latest_of(resolved(...))` gives from every entry of the findings, times tied or not,
    originals copied by v5 set aside."""
    from audits.history import Store
    from audits.history.entries import latest_of, resolved

    store = Store.open(tmp_path_factory.mktemp("latest") / "history.sqlite")
    previous = None
    for n, (finding, field, at, copy) in enumerate(rows):
        if copy and previous:  # v5's copy: the same finding, naming the entry before (id n)
            finding = previous
        entry = {"finding_id": finding, "field": field, "value": f"v{n}", "entered_at": at}
        entry |= {"workbook": f"w{n}.xlsx", "workbook_sha256": f"{n:064}", "rule_id": "CLA-01"}
        if copy and previous:
            entry["migrated_from"] = n
        store.store_entries(pd.DataFrame([entry]))
        previous = finding
    fields = ("manager_decision", "moderator_decision")
    every = store.entries_for(sorted(asked))
    expected = latest_of(resolved(every))
    got = store.latest_entries_for(sorted(asked), fields)
    key = ["finding_id", "field"]
    expected = expected[expected["field"].isin(fields)].sort_values(key)
    assert got.sort_values(key)["entry_id"].astype(int).tolist() == (
        expected["entry_id"].astype(int).tolist()
    )
    everything = store.latest_entries_for(sorted(asked))
    assert sorted(everything["entry_id"].astype(int)) == sorted(
        latest_of(resolved(every))["entry_id"].astype(int)
    )


def test_first_raised_read_by_the_previous_run_is_first_raised_read_by_id(tmp_path):
    """`Store.first_raised` reads the previous run's findings by that run's index and the rest
    id by id: a finding persisting, one back after a month away, one new."""
    from audits.history import Store
    from tests.test_board_trust import finding_rows, summary_of

    store = Store.open(tmp_path / "history.sqlite")
    store.record_run(summary_of("2026-09-30"), finding_rows(["a", "b", "c"]), [])
    october = store.record_run(summary_of("2026-10-30"), finding_rows(["a", "d"]), [])
    asked = pd.Series(["d", "b", "new", "a", None, "a"], index=[5, 6, 7, 8, 9, 10])
    by_run = store.first_raised(asked, october)
    by_id = store.first_raised(asked)
    pd.testing.assert_frame_equal(by_run, by_id)
    first = by_run["as_at"]
    assert first[[5, 6, 8, 10]].tolist() == ["2026-10-30", "2026-09-30", "2026-09-30", "2026-09-30"]
    assert first[[7, 9]].isna().all()
    assert list(by_run.index) == list(asked.index)


def test_latest_entries_of_a_runs_findings_read_by_the_run_are_those_read_by_id(tmp_path):
    """`latest_entries_for(ids, run=...)` takes the run's findings by the run's index: the same
    entries as naming every id."""
    from audits.history import Store
    from tests.test_board_trust import finding_rows, summary_of

    store = Store.open(tmp_path / "history.sqlite")
    october = store.record_run(summary_of("2026-10-30"), finding_rows(["a", "b", "c"]), [])
    for n, finding in enumerate(["a", "b", "d", "e", "a"]):
        entry = {"finding_id": finding, "field": "manager_response", "value": f"v{n}"}
        entry |= {"entered_at": f"2026-11-0{n + 1}T09:00:00", "workbook": f"w{n}.xlsx"}
        store.store_entries(pd.DataFrame([entry | {"workbook_sha256": f"{n:064}"}]))

    def ids(frame: pd.DataFrame) -> list[int]:
        return sorted(frame["entry_id"].astype(int))

    by_run = store.latest_entries_for({"d"}, run=october)  # a, b (c has none) and d
    assert ids(by_run) == ids(store.latest_entries_for({"a", "b", "c", "d"})) == [2, 3, 5]
    assert ids(store.latest_entries_for(set(), run=october)) == [2, 5]


@settings(max_examples=40, deadline=None)
@given(
    rows=entry_rows,
    new=st.lists(
        st.tuples(
            st.sampled_from(["f1", "f2", "f3"]),
            st.sampled_from(["manager_decision", "moderator_decision", "action_owner"]),
            st.sampled_from(["2026-10-02T09:00:00", "2026-10-03T09:00:00", "2026-10-04T09:00:00"]),
            st.sampled_from(["Agree", "Disagree — recording is correct"]),
        ),
        max_size=6,
        unique_by=lambda r: (r[0], r[1]),  # an import stores one entry per finding and field
    ),
)
def test_the_decisions_after_an_import_are_those_the_store_then_reads(tmp_path_factory, rows, new):
    """`audit moderate` reports agreement from the decisions held before and the entries it
    stores (`moderation._decisions_after`), without reading them again: the same as
    `Store.decisions_of` once they are stored, times tied or not, v5's originals set aside."""
    from audits.history import Store
    from audits.history.entries import latest_of, resolved
    from audits.review.moderation import HISTORY_COLUMNS, _decisions_after

    store = Store.open(tmp_path_factory.mktemp("decisions") / "history.sqlite")
    previous = None
    for n, (finding, field, at, copy) in enumerate(rows):
        if copy and previous:  # v5's copy: the same finding, naming the entry before (id n)
            finding = previous
        value = "Agree" if n % 2 else "Disagree — data error in export"
        entry = {"finding_id": finding, "field": field, "value": value, "entered_at": at}
        entry |= {"workbook": "w.xlsx", "workbook_sha256": f"{n:064}", "rule_id": f"R{n}"}
        entry |= {"team": f"T{n}", "migrated_from": n if copy and previous else None}
        store.store_entries(pd.DataFrame([entry]))
        previous = finding
    ids = ["f1", "f2", "f3"]
    latest = latest_of(resolved(store.entries_for(ids, HISTORY_COLUMNS)))
    before = latest[latest["field"].isin(["manager_decision", "moderator_decision"])]
    stored = pd.DataFrame(
        [
            {"finding_id": f, "field": fld, "value": v, "entered_at": at, "entered_by": "TM"}
            | {"rule_id": f"N{i}", "team": f"New {i}", "workbook": "r.xlsx"}
            | {"workbook_sha256": "r" * 64, "row": 7 + i}
            for i, (f, fld, at, v) in enumerate(new)
        ],
        columns=["finding_id", "field", "value", "entered_at", "entered_by", "rule_id", "team"]
        + ["workbook", "workbook_sha256", "row"],
    )
    in_hand = _decisions_after(before, stored)
    store.store_entries(stored)
    read = store.decisions_of(ids)
    key = "finding_id"
    pd.testing.assert_frame_equal(
        in_hand.sort_values(key).reset_index(drop=True).astype(object),
        read.sort_values(key).reset_index(drop=True).astype(object),
        check_index_type=False,
    )
