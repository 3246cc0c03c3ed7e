"""Export text made safe for spreadsheets: never a formula, never a character XML refuses.

One place for the rules every writer follows (findings.csv, the workbooks, the board):
- text starting = + - @ tab or CR would run as a formula: it gets Excel's quote prefix (in a
  workbook) or an apostrophe (in CSV);
- C0 control characters other than tab, line feed and carriage return (NUL, VT, ESC ...) are not
  allowed in XML 1.0: they are shown as visible escapes (NUL -> `\\x00`, ESC -> `\\x1b`), so
  nothing a person typed is lost and the file stays valid. The loader applies this to export text
  as it reads it; the writers apply it again to anything else they write.
"""

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
        # found all at once (Arrow, for text columns); escaped one by one only where present
        hit = text.str.contains(UNWRITABLE.pattern, regex=True).fillna(False).to_numpy(bool)
        if not hit.any():
            return text
        out = text.copy()
        out[hit] = text[hit].str.replace(UNWRITABLE, _escape, regex=True)
        return out
    if isinstance(text, str):
        return UNWRITABLE.sub(_escape, text)
    return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[\d.,\s]+")  # Python's \d and \s: Unicode digits and spaces


def printable_one(value: object) -> str:
    """`printable` for a single value (headings, metadata)."""
    return printable("" if value is None else str(value))


def needs_quote(text: pd.Series) -> pd.Series:
    """True where a spreadsheet would take the text for a formula, an error value such as #REF!,
    or a number (ids like 3118111 keep their text and are not flagged 'number stored as text')."""
    risky = text.str.startswith((*FORMULA_STARTS, "#"))
    # the full match needs Python's regex (Unicode digits and spaces), one value at a time:
    # only values without an ASCII letter (matched by Arrow, all at once) can be numbers
    maybe = ~text.str.contains("[A-Za-z]", regex=True).fillna(False).to_numpy(bool)
    number = pd.Series(False, index=text.index)
    if maybe.any():
        number[maybe] = text[maybe].str.fullmatch(_NUMBER_LIKE.pattern).fillna(False).to_numpy(bool)
    return risky | number


def needs_quote_one(text: str) -> bool:
    """`needs_quote` for a single value."""
    return text.startswith((*FORMULA_STARTS, "#")) or _NUMBER_LIKE.fullmatch(text) is not None


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
