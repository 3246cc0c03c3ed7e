"""Neutralise text that a spreadsheet would run as a formula (CSV/formula injection)."""

from __future__ import annotations

import re

import pandas as pd

# Characters an .xlsx (XML 1.0) cannot hold: C0 controls other than tab, line feed and carriage
# return, and the non-characters U+FFFE and U+FFFF. openpyxl raises on them; Excel refuses them.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text):
    """Text (a str or a Series) with every character a workbook cannot hold shown as a visible
    escape: vertical tab -> `\\x0b`, NUL -> `\\x00`, ESC -> `\\x1b`. Anything else is unchanged,
    so the value stays visible and every writer (openpyxl, XlsxWriter, CSV, JSON) can write it."""
    if isinstance(text, pd.Series):
        if text.empty:
            return text
        return text.str.replace(UNWRITABLE, _escape, regex=True)
    if isinstance(text, str):
        return UNWRITABLE.sub(_escape, text)
    return text


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
