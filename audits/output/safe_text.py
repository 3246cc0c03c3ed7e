"""Export text made safe for spreadsheets: never a formula, never a character XML refuses.

One place for the rules every writer follows (findings.csv, the workbooks, the board):
- text starting = + - @ tab or CR would run as a formula: it gets Excel's quote prefix (in a
  workbook) or an apostrophe (in CSV);
- C0 control characters other than tab, line feed and carriage return (NUL, VT, ESC ...) are not
  allowed in XML 1.0: they are shown as their visible Unicode pictures (NUL -> ␀, ESC -> ␛), so
  nothing a person typed is lost and the file stays valid.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROLS = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
_PICTURES = str.maketrans({c: chr(0x2400 + ord(c)) for c in _CONTROLS})
_HAS_CONTROL = re.compile(f"[{re.escape(_CONTROLS)}]")


def printable(text: pd.Series) -> pd.Series:
    """Text with XML-forbidden control characters replaced by their visible pictures (vectorised;
    only the rare values that hold one are translated)."""
    text = text.fillna("").astype(str)
    bad = text.str.contains(_HAS_CONTROL.pattern, regex=True)
    if bad.any():
        text = text.copy()
        text[bad] = text[bad].str.translate(_PICTURES)
    return text


def printable_one(value: object) -> str:
    """`printable` for a single value (headings, metadata)."""
    text = "" if value is None else str(value)
    return text.translate(_PICTURES) if _HAS_CONTROL.search(text) else text


def needs_quote(text: pd.Series) -> pd.Series:
    """True where a spreadsheet would take the text for a formula, an error value such as #REF!,
    or a number (ids like 3118111 keep their text and are not flagged 'number stored as text')."""
    risky = text.str.startswith((*FORMULA_STARTS, "#"))
    # the full match needs Python's regex (Unicode digits and spaces), one value at a time:
    # only values without an ASCII letter (matched by Arrow, all at once) can be numbers
    maybe = ~text.str.contains("[A-Za-z]", regex=True).fillna(False).to_numpy(bool)
    number = pd.Series(False, index=text.index)
    if maybe.any():
        number[maybe] = text[maybe].str.fullmatch(r"[\d.,\s]+").fillna(False).to_numpy(bool)
    return risky | number


def neutralise(text: pd.Series) -> pd.Series:
    """Prefix an apostrophe to text starting with = + - @ tab or CR, so Excel shows it as text."""
    text = text.fillna("").astype(str)
    risky = text.str.startswith(FORMULA_STARTS)
    return text.where(~risky, "'" + text)


def inert(cell):
    """Make an openpyxl cell plain text (string type, Excel's quote prefix): never a formula,
    and still text when someone edits it in Excel."""
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
