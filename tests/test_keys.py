"""The export-wide key codes the cross-list rules rely on."""

from __future__ import annotations

import numpy as np
import pandas as pd

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
