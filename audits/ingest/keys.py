"""One integer code per distinct key (child id, worker) across all the tables of an export.

The cross-list rules (DQ-01, DQ-03, MO-01, CL-06, WF-01) join or count children and workers
across lists. Hashing millions of id strings in each rule dominated a national pass; instead
each key column is hashed once, when the export is loaded, into codes shared by every table:
the same text has the same code in every list, blank is -1. The rules then work on integers
(`np.bincount`, fancy indexing) and turn back to text only for the rows they report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MISSING = -1


@dataclass(frozen=True)
class KeyCodes:
    """Codes of one key column in each table that has it; codes run from 0 to size - 1."""

    size: int
    codes: dict[str, np.ndarray]  # table key ('list4', 'workers' ...) -> int32 codes per row
    vocabulary: pd.Index  # the key text of each code

    def of(self, key: str) -> np.ndarray:
        return self.codes[key]


def encode(columns: dict[str, pd.Series]) -> KeyCodes:
    """Hash every table's key column in one pass (Arrow's dictionary encoding over all of them
    at once), so the same text gets the same code in every table."""
    arrays = [arrow_text(col) for col in columns.values()]
    encoded = pc.dictionary_encode(
        pa.concat_arrays(arrays) if arrays else pa.array([], pa.string())
    )
    codes_all = encoded.indices.fill_null(MISSING).to_numpy(zero_copy_only=False).astype(np.int32)
    bounds = np.cumsum([0, *map(len, arrays)])
    codes = {
        key: codes_all[lo:hi] for key, lo, hi in zip(columns, bounds[:-1], bounds[1:], strict=True)
    }
    vocabulary = pd.Index(pd.array(encoded.dictionary, dtype="str"))
    return KeyCodes(len(vocabulary), codes, vocabulary)


def arrow_text(values) -> pa.Array:
    """Text values (a Series or array) as one Arrow large-string array; zero-copy for the
    loader's Arrow strings, blanks as nulls."""
    array = pa.array(pd.Series(values, copy=False).astype("str"), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def member(values, among) -> np.ndarray:
    """Whether each value is one of `among` (a set, Series or Index of text), by Arrow: pandas'
    `isin` on Arrow strings builds a scalar per value of `among`, slow for thousands of ids."""
    pool = pd.Series(list(among) if isinstance(among, set | frozenset) else among, dtype=object)
    pool = pool.dropna()
    if pool.empty:
        return np.zeros(len(values), dtype=bool)
    found = pc.is_in(arrow_text(values), value_set=pc.unique(arrow_text(pool)))
    return found.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def rows_in(left: pd.DataFrame, right: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Whether each row of `left` is a row of `right` in the `columns` named (text; a blank
    matches a blank), as a left merge's indicator says, exactly: each column's values numbered
    jointly (Arrow), and a row's numbers combined into one, renumbered after each column so
    that it stays below the number of rows."""
    if left.empty or right.empty:
        return np.zeros(len(left), dtype=bool)
    code = np.zeros(len(left) + len(right), dtype=np.int64)
    for column in columns:
        both = pa.concat_arrays([arrow_text(left[column]), arrow_text(right[column])])
        encoded = pc.dictionary_encode(both, null_encoding="encode")
        numbers = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        code = pd.factorize(code * len(encoded.dictionary) + numbers)[0]
    return np.isin(code[: len(left)], code[len(left) :])


def by_appearance(codes: np.ndarray) -> np.ndarray:
    """Codes renumbered 0, 1, 2 ... in order of first appearance (no blanks expected)."""
    return pd.factorize(codes, sort=False)[0]


def first_seen(local: np.ndarray) -> np.ndarray:
    """True at the first occurrence of each code, for codes numbered `by_appearance`."""
    if not len(local):
        return np.zeros(0, dtype=bool)
    seen_before = np.maximum.accumulate(np.concatenate(([-1], local[:-1])))
    return local > seen_before


def lookup(size: int, present: np.ndarray) -> np.ndarray:
    """Maps each code to its position in `present`, distinct codes (-1: absent, or code -1)."""
    table = np.full(size + 1, MISSING, dtype=np.int32)  # the extra slot answers code -1
    table[present] = np.arange(len(present), dtype=np.int32)
    return table
