"""Dates as text for messages and ids, formatted once per distinct date.

A month's findings repeat a few hundred distinct dates over thousands of rows; `strftime` is
slow per row, so each distinct date is formatted once and the text spread back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def format_dates(dates: pd.Series, fmt: str = "%d/%m/%Y") -> pd.Series:
    """`dates.dt.strftime(fmt)`, blank (NaN) where the date is blank."""
    codes, distinct = pd.factorize(pd.to_datetime(dates), use_na_sentinel=True)
    shown = np.append(np.asarray(pd.DatetimeIndex(distinct).strftime(fmt), dtype=object), None)
    return pd.Series(shown[codes], index=dates.index, dtype="str")  # code -1 picks None
