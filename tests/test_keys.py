"""The export-wide key codes the cross-list rules rely on."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from audits.ingest.keys import by_appearance, encode, first_seen, lookup


def test_the_same_text_has_the_same_code_in_every_table_and_blank_is_minus_one():
    keys = encode(
        {
            "list4": pd.Series(["A", "B", None, "A"], dtype="str"),
            "list8": pd.Series(["B", "C", "A"], dtype="str"),
            "workers": pd.Series([], dtype="str"),
        }
    )
    four, eight = keys.of("list4"), keys.of("list8")
    assert four[0] == four[3] == eight[2] and four[1] == eight[0]
    assert four[2] == -1 and len(set(four[[0, 1]]) | {eight[1]}) == 3
    assert keys.size == 3 and list(keys.vocabulary[four[[0, 1]]]) == ["A", "B"]
    assert len(keys.of("workers")) == 0


def test_first_seen_marks_each_code_once_in_order_of_appearance():
    codes = np.array([7, 3, 7, 9, 3, 3, 1])
    local = by_appearance(codes)
    assert local.tolist() == [0, 1, 0, 2, 1, 1, 3]
    assert first_seen(local).tolist() == [True, True, False, True, False, False, True]
    assert first_seen(local[:0]).tolist() == []


def test_lookup_maps_codes_to_positions_and_minus_one_to_absent():
    table = lookup(10, np.array([4, 2, 8]))
    assert table[np.array([2, 4, 8, 5, -1])].tolist() == [1, 0, 2, -1, -1]


@settings(max_examples=60, deadline=None)
@given(
    left=st.lists(st.tuples(*[st.sampled_from(["a", "b", "", None, "a b"])] * 3), max_size=12),
    right=st.lists(st.tuples(*[st.sampled_from(["a", "b", "", None, "c"])] * 3), max_size=12),
)
def test_rows_in_is_what_a_left_merges_indicator_says(left, right):
    """`rows_in` (joint numbering by Arrow) against pandas' merge, blanks and missing values
    included, on object and Arrow text alike."""
    from audits.ingest.keys import rows_in

    columns = ["x", "y", "z"]
    a = pd.DataFrame(left, columns=columns, dtype=object)
    b = pd.DataFrame(right, columns=columns, dtype=object)
    expected = (
        a.merge(b.drop_duplicates(), on=columns, how="left", indicator=True)["_merge"]
        .eq("both")
        .to_numpy()
    )
    assert rows_in(a, b, columns).tolist() == expected.tolist()
    assert rows_in(a.astype("str"), b, columns).tolist() == expected.tolist()
