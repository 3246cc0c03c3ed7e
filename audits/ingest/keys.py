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
    """Factorize each column once, then map its distinct values onto one shared vocabulary."""
    local = {key: pd.factorize(col, use_na_sentinel=True) for key, col in columns.items()}
    distinct = [pd.Series(uniques, dtype="str") for _, uniques in local.values()]
    vocabulary = pd.Index(
        pd.unique(pd.concat(distinct, ignore_index=True)) if distinct else [], dtype="str"
    )
    codes = {}
    for key, (row_codes, uniques) in local.items():
        shared = vocabulary.get_indexer(pd.Index(uniques, dtype="str")).astype(np.int32)
        codes[key] = np.append(shared, np.int32(MISSING))[row_codes]  # blank: -1 picks MISSING
    return KeyCodes(len(vocabulary), codes, vocabulary)


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
