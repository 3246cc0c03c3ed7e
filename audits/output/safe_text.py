"""Neutralise text that a spreadsheet would run as a formula (CSV/formula injection)."""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: pd.Series) -> pd.Series:
    """Prefix an apostrophe to text starting with = + - @ tab or CR, so Excel shows it as text."""
    text = text.fillna("").astype(str)
    risky = text.str.startswith(FORMULA_STARTS)
    return text.where(~risky, "'" + text)


def inert(cell):
    """Make a spreadsheet cell plain text (string type, Excel's quote prefix): never a formula,
    and still text when someone edits it in Excel."""
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
