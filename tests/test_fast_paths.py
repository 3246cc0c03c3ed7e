"""The plain-Python shortcuts taken for speed give what the vectorised code they stand in for
gives."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from audits.output.safe_text import FORMULA_STARTS, needs_quote
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
