"""Vectorised parsing of cell values by kind: text, identifiers, dates, numbers and codes.

Every parser returns the parsed column and a mask of values that were present but could not be
read; those stay visible as DQ-04 findings and never become invented values.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from audits.core.safe_text import printable
from audits.ingest.date_systems import EPOCHS, FIRST_YEAR, LAST_YEAR
from audits.ingest.xlsx_cells import FORMULA_MARK, MISSING_TEXT
from audits.model.codes import CodeDomain

UNREADABLE = "(unreadable)"  # canonical value of a code that is present but not in its code list
BLANK_TOKENS = {"", "#n/a", "n/a", "na", "null", "none", "nan", "nat", "-", "#null!"}
DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
)
_SPACE_CHARS = "[\u00a0\u2007\u202f\u200b\ufeff\t\r\n ]+"


def _types(col: pd.Series) -> pd.Series:
    return col.map(type, na_action="ignore")


def is_number_type(types: pd.Series) -> pd.Series:
    return types.isin([int, float, np.int64, np.float64, np.int32, np.float32])


def is_datetime_type(types: pd.Series) -> pd.Series:
    return types.isin([dt.datetime, dt.date, pd.Timestamp])


def by_unique(parse):
    """Apply a column parser to each distinct value once, then spread the results back.

    Export columns repeat a few thousand values over many rows (teams, codes, dates), so this
    turns millions of parses into thousands; identifiers cost one factorize more.
    """

    def wrapper(col: pd.Series, *args):
        text = isinstance(col.dtype, pd.StringDtype)  # numbered by Arrow, no object per value
        codes, uniques = pd.factorize(col if text else col.astype(object), use_na_sentinel=True)
        parsed = parse(pd.Series(uniques, dtype=object), *args)
        results = parsed if isinstance(parsed, tuple) else (parsed,)
        spread = []
        for result in results:
            values = result.array.take(codes, allow_fill=True)
            spread.append(pd.Series(values, index=col.index, name=col.name))
        if isinstance(parsed, tuple):
            spread[-1] = spread[-1].fillna(False).astype(bool)  # the unreadable mask
            return tuple(spread)
        return spread[0]

    wrapper.__doc__ = parse.__doc__
    wrapper.__name__ = parse.__name__
    return wrapper


def _text(col: pd.Series) -> pd.Series:
    """Cell values as clean text: spaces (incl. non-breaking) collapsed, blank tokens as missing.
    (`text` for a whole column; the other parsers call this on their distinct values.)"""
    col = col.astype(object)
    if infer_dtype(col, skipna=True) == "string":  # the usual column: text only (C, no loop)
        words = pd.Series(col, dtype="str")
    else:
        words = _as_text(col).astype("str")
    result = words.str.replace(_SPACE_CHARS, " ", regex=True).str.strip()
    result = printable(result)  # control characters kept visible as escapes, safe to write
    # the blank tokens are ASCII, for which Arrow's lower() is casefold()
    blank = result.str.lower().isin(BLANK_TOKENS)
    return result.mask(blank | result.isna())


text = by_unique(_text)


def _as_text(col: pd.Series) -> pd.Series:
    """Values of mixed types as text: whole numbers without '.0', dates as yyyy-mm-dd."""
    types = _types(col)
    out = pd.Series(np.nan, index=col.index, dtype=object)
    is_str = types.isin([t for t in types.dropna().unique() if issubclass(t, str)])
    if is_str.any():
        out[is_str] = col[is_str]
    numeric = is_number_type(types)
    if numeric.any():
        nums = pd.to_numeric(col[numeric], errors="coerce")
        integral = nums.notna() & np.isfinite(nums) & (nums == np.floor(nums)) & (nums.abs() < 1e15)
        out[numeric] = nums.astype(object).astype(str)
        if integral.any():
            out[integral[integral].index] = nums[integral].astype("int64").astype(str)
    dates = is_datetime_type(types)
    if dates.any():
        out[dates] = pd.to_datetime(col[dates]).dt.strftime("%Y-%m-%d")
    other = types.notna() & ~is_str & ~numeric & ~dates
    if other.any():
        out[other] = col[other].astype(str)
    return out


def identifier(col: pd.Series) -> pd.Series:
    """Child IDs exactly as councils write them: 10692868, never 10692868.0."""
    ids = text(col)
    return ids.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


@by_unique
def dates(col: pd.Series, date_system: int = 1900) -> tuple[pd.Series, pd.Series]:
    """Excel dates, Excel serial numbers (of the workbook's `date_system`: 1900 or 1904),
    dd/mm/yyyy and ISO text (and a few other UK forms)."""
    col = col.astype(object)
    types = _types(col)
    out = pd.Series(pd.NaT, index=col.index, dtype="datetime64[us]")
    is_dt = is_datetime_type(types)
    if is_dt.any():
        out[is_dt] = pd.to_datetime(col[is_dt], errors="coerce").dt.normalize()
    numeric = is_number_type(types)
    if numeric.any():
        out[numeric] = _from_serial(pd.to_numeric(col[numeric], errors="coerce"), date_system)
    rest = ~is_dt & ~numeric & types.notna()
    present = is_dt | numeric
    if rest.any():
        words = _text(col[rest])
        present = present | words.notna().reindex(col.index, fill_value=False)
        pending = words.dropna()
        serial_like = pending.str.fullmatch(r"\d{1,5}(\.0+)?")
        if serial_like.any():
            out[serial_like[serial_like].index] = _from_serial(
                pd.to_numeric(pending[serial_like], errors="coerce"), date_system
            )
            pending = pending[~serial_like]
        for fmt in DATE_FORMATS:
            if pending.empty:
                break
            parsed = pd.to_datetime(pending, format=fmt, errors="coerce")
            hit = parsed.notna()
            out[hit[hit].index] = parsed[hit].dt.normalize()
            pending = pending[~hit]
    in_range = (out.dt.year >= FIRST_YEAR) & (out.dt.year <= LAST_YEAR)
    out = out.where(in_range)
    unreadable = present & out.isna()
    return out, unreadable


def _from_serial(nums: pd.Series, date_system: int = 1900) -> pd.Series:
    """Serial day numbers as dates of `date_system`, from 1900 to 2099 (others: missing)."""
    epoch = pd.Timestamp(EPOCHS[date_system])
    low = (pd.Timestamp(f"{FIRST_YEAR}-01-01") - epoch).days
    high = (pd.Timestamp(f"{LAST_YEAR}-12-31") - epoch).days
    ok = nums.notna() & (nums >= low) & (nums <= high)
    days = np.floor(nums.where(ok, 0)).astype("int64")
    converted = epoch + pd.to_timedelta(days, unit="D")
    return converted.where(ok).astype("datetime64[us]")


COUNT_MAX = 100_000  # no child has more episodes, plans or placements than this in a year
NUMBER_MAX = 1e9  # ages, FTEs: far below where whole-number conversions overflow
NOT_A_NUMBER = (
    "NaN (not a number)"  # how a cell holding a NaN number is shown (see `mark_non_finite`)
)
# Excel's error values, and a formula saved without its result (see ingest.xlsx_cells): data that
# is not a value, reported as DQ-04 in any column instead of becoming a team or worker name.
_NOT_A_VALUE = (
    r"#(?:REF!|VALUE!|DIV/0!|NAME\?|NUM!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|CONNECT!"
    r"|BUSY!|UNKNOWN!|EXTERNAL!|PYTHON!|ERROR!?)"
    rf"|{re.escape(NOT_A_NUMBER)}|[+-]?(?:Infinity|inf)|=.*{re.escape(FORMULA_MARK)}"
    rf"|{re.escape(MISSING_TEXT).replace(re.escape('{}'), '.*')}"
)
_NON_FINITE_WORDS = {
    "nan",
    "+nan",
    "-nan",
    "inf",
    "+inf",
    "-inf",
    "infinity",
    "+infinity",
    "-infinity",
}


def mark_non_finite(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells holding a NaN or infinite number (not blanks: blanks are None or '') become visible
    text, so they are reported instead of passing as blank or as a huge number."""
    values = frame.to_numpy(dtype=object, copy=True)
    if not values.size:
        return frame
    with np.errstate(invalid="ignore"):
        nan = values != values  # only a NaN is unequal to itself
        pos_inf = values == np.inf
        neg_inf = values == -np.inf
    hit = nan | pos_inf | neg_inf
    if not hit.any():
        return frame
    values[nan] = NOT_A_NUMBER
    values[pos_inf] = "Infinity"
    values[neg_inf] = "-Infinity"
    return pd.DataFrame(values, index=frame.index, columns=frame.columns, dtype=object)


def not_a_value(words: pd.Series) -> pd.Series:
    """Text that is an error value, a NaN/infinite number or a formula without its result."""
    return words.str.fullmatch(_NOT_A_VALUE, case=False).fillna(False).astype(bool)


@by_unique
def checked_text(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text, with error values and formulas without a result blanked and flagged unreadable."""
    words = _text(col)
    bad = not_a_value(words)
    return words.mask(bad), bad


# `1,000` and `12,345.5`: commas grouping thousands (a number written with a decimal point)
_GROUPED = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
# `0,5` and `12,75`: a decimal comma (a file whose decimal mark is the comma)
_DECIMAL_COMMA = r"^([+-]?\d*),(\d+)$"


def number_text(words: pd.Series, decimal: str = ".") -> pd.Series:
    """Numbers written as text, in the one grammar every reader uses: digits with a decimal
    point; commas only as a thousands grouping (`1,000`, `12,345.5`), unless the file's decimal
    mark is the comma (`decimal=","`, a `;`-separated CSV), where `0,5` is a half. Anything else
    keeps its comma and is unreadable: `0,5` in a file that writes `1,000` is never 5."""
    if decimal == ",":
        return words.str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True)
    grouped = words.str.fullmatch(_GROUPED).fillna(False).astype(bool)
    return words.where(~grouped, words.str.replace(",", "", regex=False))


@by_unique
def numbers(col: pd.Series, count: bool = False, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Finite numbers from 0 to NUMBER_MAX (`count`: whole numbers to COUNT_MAX), text read by
    `number_text` with the file's `decimal` mark; anything else is unreadable."""
    words = _text(col)
    typed = col.astype(object)
    is_text = typed.map(lambda v: isinstance(v, str))  # by_unique: once per distinct value
    spelled = typed[is_text].astype(str).str.strip().str.casefold().isin(_NON_FINITE_WORDS)
    present = words.notna() | spelled.reindex(col.index, fill_value=False)
    nums = pd.to_numeric(number_text(words, decimal), errors="coerce").astype("float64")
    ok = (
        nums.notna()
        & np.isfinite(nums)
        & (nums >= 0)
        & (nums <= (COUNT_MAX if count else NUMBER_MAX))
    )
    if count:
        ok &= nums == np.floor(nums)
    return nums.where(ok), present & ~ok


@by_unique
def coded(col: pd.Series, domain: CodeDomain) -> tuple[pd.Series, pd.Series]:
    words = _text(col)
    parsed = domain.parse(words)
    unreadable = words.notna() & parsed.isna()
    return parsed.mask(unreadable, UNREADABLE).astype("str"), unreadable
