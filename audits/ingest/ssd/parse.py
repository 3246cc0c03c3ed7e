"""Reading SSD values (docs/ssd.md §1, §7): dates with their time, Y/N flags, codes translated
to the canonical domains, the sentinels and placeholders of the extract scripts; and the values
that cannot be read, reported (DQ-04) for the rows the audit uses, by table, field and key.

- A date is the calendar date of the value; its time is kept apart (`_at`) only where a rule
  needs hours. `00:00:00` is "no time recorded". A timezone-aware value is taken in
  Europe/London first. Dates on or before 1900-01-01 are the extract scripts' "none" (Liquidlogic
  writes `ISNULL(..., '1900-01-01')`): blank, and counted.
- The literal `PLACEHOLDER_DATA` (fields the specification has not yet defined) is blank.
- Flags: Y, Yes, 1, True are Yes; N, No, 0, False are No; NA, N/A, U, Unknown are Unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from audits.ingest import values
from audits.ingest.export import UNREADABLE_COLUMNS
from audits.ingest.keys import arrow_text
from audits.ingest.ssd.tables import SsdTable
from audits.model.codes import CodeDomain

PLACEHOLDER = "PLACEHOLDER_DATA"
SENTINEL = pd.Timestamp("1900-01-01")
LONDON = "Europe/London"
_BLANK = {"", "null", "none", "nat", "nan", "#n/a"}
_YES = {"y", "yes", "1", "true", "t"}
_NO = {"n", "no", "0", "false", "f"}
_UNKNOWN = {"na", "n/a", "u", "unknown", "not known", "not applicable"}
_UK_FORMATS = ("%d/%m/%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


def _words(col: pd.Series) -> pd.Series:
    """Text values stripped; blanks, NULL and the placeholder as missing (each distinct value
    worked out once: a coded column repeats a few codes over every row)."""
    (words,) = _by_unique(col, lambda distinct: (_distinct_words(distinct),))
    return words


def _distinct_words(col: pd.Series) -> pd.Series:
    text = col.map(lambda v: v if isinstance(v, str) else str(v), na_action="ignore")
    text = pd.Series(text, index=col.index, dtype="str").str.strip()
    return text.mask(text.str.lower().isin(_BLANK) | text.eq(PLACEHOLDER) | text.isna())


def _by_unique(col: pd.Series, parse):
    """`parse(distinct values) -> tuple of Series` spread back to every row."""
    codes, uniques = pd.factorize(col.astype(object), use_na_sentinel=True)
    parsed = parse(pd.Series(uniques, dtype=object))
    return tuple(pd.Series(p.array.take(codes, allow_fill=True), index=col.index) for p in parsed)


def timestamps(col: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(timestamp, unreadable, sentinel) per row; the timestamp keeps its time of day."""
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        col = col.dt.tz_convert(LONDON).dt.tz_localize(None)
    if not pd.api.types.is_datetime64_any_dtype(col) and isinstance(col.dtype, pd.StringDtype):
        col = _iso_at_once(col)
    if pd.api.types.is_datetime64_any_dtype(col):
        stamp = col.astype("datetime64[us]")
        bad = pd.Series(False, index=col.index)
    else:
        stamp, bad = _by_unique(col, _parse_stamps)
        stamp = stamp.astype("datetime64[us]")
        bad = bad.fillna(False).astype(bool)
    sentinel = stamp.notna() & (stamp <= SENTINEL + pd.Timedelta(days=1) - pd.Timedelta("1us"))
    stamp = stamp.mask(sentinel)
    late = stamp.notna() & (stamp.dt.year > values.LAST_YEAR)
    return stamp.mask(late), bad | late, sentinel


def _iso_at_once(col: pd.Series) -> pd.Series:
    """A text column of ISO dates and date-times (how CSV dumps write them) read in one Arrow
    cast; the column as it was when any value is not one (then each is read on its own)."""
    import pyarrow as pa

    try:
        cast = pc.cast(arrow_text(col), pa.timestamp("us"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return col
    return pd.Series(cast.to_numpy(zero_copy_only=False), index=col.index)


def _parse_stamps(distinct: pd.Series) -> tuple[pd.Series, pd.Series]:
    out = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[us]")
    kinds = distinct.map(type)
    native = kinds.map(
        lambda t: issubclass(t, (pd.Timestamp, np.datetime64)) or t.__name__ in ("datetime", "date")
    )
    for i in np.flatnonzero(native.to_numpy(bool)):
        value = pd.Timestamp(distinct.iloc[i])
        if value.tzinfo is not None:
            value = value.tz_convert(LONDON).tz_localize(None)
        out.iloc[i] = value
    words = _words(distinct.where(~native))
    present = words.notna() | native
    pending = words.dropna()
    if not pending.empty:
        zoned = pending.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True).fillna(False)
        for part, utc in ((pending[~zoned], False), (pending[zoned], True)):
            if part.empty:
                continue
            iso = pd.to_datetime(part, format="ISO8601", errors="coerce", utc=utc)
            if utc:  # an offset given: the local time in London
                iso = iso.dt.tz_convert(LONDON).dt.tz_localize(None)
            hit = iso.notna()
            out[hit[hit].index] = iso[hit].astype("datetime64[us]")
        pending = pending[out.reindex(pending.index).isna()]
        for fmt in _UK_FORMATS:
            if pending.empty:
                break
            parsed = pd.to_datetime(pending, format=fmt, errors="coerce")
            hit = parsed.notna()
            out[hit[hit].index] = parsed[hit]
            pending = pending[~hit]
    return out, present & out.isna()


def day(stamp: pd.Series) -> pd.Series:
    """The calendar date of each timestamp (time of day dropped)."""
    return stamp.dt.normalize().astype("datetime64[us]")


def time_part(stamp: pd.Series) -> pd.Series:
    """The timestamp where it carries a time of day, NaT where only a date was recorded."""
    return stamp.where(stamp.notna() & (stamp != stamp.dt.normalize()))


def flags(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(Yes / No / Unknown / blank, unreadable) per row."""

    def parse(distinct: pd.Series):
        words = _words(distinct)
        key = words.str.lower()
        out = pd.Series(
            np.select(
                [key.isin(_YES), key.isin(_NO), key.isin(_UNKNOWN)],
                ["Yes", "No", "Unknown"],
                default=None,
            ),
            index=distinct.index,
            dtype=object,
        )
        bad = words.notna() & pd.isna(out)
        out = out.where(~bad, values.UNREADABLE)
        return pd.Series(out, dtype="str"), bad

    code, bad = _by_unique(col, parse)
    return code.astype("str"), bad.fillna(False).astype(bool)


def text(col: pd.Series) -> pd.Series:
    """Clean text (values.text), the placeholder as blank."""
    out = values.text(col)
    return out.mask(out == PLACEHOLDER)


def ident(col: pd.Series) -> pd.Series:
    """Identifiers as text: 10692868, never 10692868.0; blanks, NULL and the placeholder as
    missing. Text columns (CSV dumps, most databases) take a vectorised path: ids are nearly
    all distinct, so parsing each distinct value once saves nothing."""
    if not isinstance(col.dtype, pd.StringDtype):
        out = values.identifier(col)
        return out.mask(out == PLACEHOLDER)
    out = col.str.strip()
    out = out.mask(out.str.lower().isin(list(_BLANK)) | (out == PLACEHOLDER))
    if not out.str.endswith(".0").any():
        return out
    return out.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)


def numbers(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        num = col.astype("float64")
        ok = num.isna() | (np.isfinite(num) & (num >= 0))
        return num.where(ok), ~ok
    cleaned = col.astype(object).where(~col.astype(object).isin([PLACEHOLDER]))
    return values.numbers(cleaned)


def translated(col: pd.Series, mapping: dict[str, str]) -> pd.Series:
    """Values of `col` replaced through `mapping` (keys compared upper case, trimmed; a key
    ending in `*` matches every value starting with it); others kept as they are, for the
    canonical domain to read or report."""
    words = _words(col)
    upper = words.str.upper()
    out = upper.map({k: v for k, v in mapping.items() if not k.endswith("*")})
    for key, value in mapping.items():
        if key.endswith("*"):
            out = out.mask(out.isna() & upper.str.startswith(key[:-1]).fillna(False), value)
    return out.where(out.notna(), words)


def coded(col: pd.Series, domain: CodeDomain, mapping: dict[str, str] | None = None):
    """(canonical code, unreadable) per row: SSD spellings translated, then the domain's."""
    words = translated(col, mapping) if mapping else _words(col)
    return values.coded(words, domain)


@dataclass
class Problems:
    """Values that could not be read, collected as the audit uses the rows that hold them."""

    parts: list[pd.DataFrame] = field(default_factory=list)
    sentinels: dict[str, int] = field(default_factory=dict)  # table.field -> dates read as blank
    placeholders: dict[str, int] = field(default_factory=dict)

    def report(
        self,
        table: SsdTable,
        raw: pd.DataFrame,
        ssd_field: str,
        bad: pd.Series | np.ndarray,
        *,
        place: str,
        list_label: str,
        canonical: str,
        expected: str,
        child: pd.Series | None = None,
    ) -> None:
        """The unreadable values of `ssd_field` in the rows of `raw` where `bad` holds."""
        at = np.flatnonzero(np.asarray(bad, dtype=bool))
        if not len(at):
            return
        rows = raw.iloc[at]
        key = rows[table.key].astype(object).astype(str) if table.key in rows else None
        column = ssd_field if key is None else (ssd_field + " (" + table.key + " " + key + ")")
        person = (
            child
            if child is not None
            else (rows[table.person] if table.person and table.person in rows else None)
        )
        if person is not None and len(person) == len(raw):
            person = person.iloc[at]
        self.parts.append(
            pd.DataFrame(
                {
                    "list": list_label,
                    "file": place,
                    "sheet": table.name,
                    "row": rows["_row"].to_numpy(),
                    "column": np.asarray(column, dtype=object)
                    if not isinstance(column, str)
                    else column,
                    "heading": ssd_field,
                    "field": canonical,
                    "child_id": None if person is None else ident(person).to_numpy(),
                    "team": None,
                    "worker": None,
                    "value": rows[ssd_field].astype(object).astype(str).to_numpy(),
                    "expected": expected,
                }
            )
        )

    def count_sentinels(self, table: SsdTable, ssd_field: str, mask: pd.Series) -> None:
        n = int(mask.sum())
        if n:
            name = f"{table.name}.{ssd_field}"
            self.sentinels[name] = self.sentinels.get(name, 0) + n

    def frame(self) -> pd.DataFrame:
        parts = [p for p in self.parts if not p.empty]
        if not parts:
            return pd.DataFrame(columns=UNREADABLE_COLUMNS)
        return pd.concat(parts, ignore_index=True)[UNREADABLE_COLUMNS]


EXPECTED_DATE = "a date (yyyy-mm-dd, with or without a time, or dd/mm/yyyy)"
EXPECTED_FLAG = "Y or N"
