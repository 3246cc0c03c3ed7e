"""Turn rule hits into findings: ids, days overdue and plain-English messages, in one place."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pyarrow as pa

from audits.engine.hits import RuleHits, hit_blocks
from audits.engine.registry import Rule
from audits.engine.text import format_dates
from audits.ingest.keys import arrow_text

FINDING_COLUMNS = [
    "finding_id",
    "rule_id",
    "severity",
    "area",
    "list",
    "child_id",
    "team",
    "worker",
    "due_date",
    "days_overdue",
    "field",
    "value",
    "message",
]


def _fmt(dates: pd.Series) -> pd.Series:
    return format_dates(dates, "%d/%m/%Y")


def _days(n: pd.Series) -> pd.Series:
    text = n.astype("Int64").astype(str)
    return text + np.where(n == 1, " day", " days")


def as_text(values: pd.Series) -> pd.Series:
    """Values as the text a finding shows: dates ISO, whole numbers without '.0', blanks empty."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return format_dates(values, "%Y-%m-%d").fillna("").astype(str)
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == np.floor(values))
        text = values.astype(str).where(~whole, values.round().astype("Int64").astype(str))
        return text.where(values.notna(), "").astype(str)
    return values.astype(object).where(values.notna(), "").astype(str)


def _text(values: pd.Series) -> pd.Series:
    """Text with blanks as empty strings (Arrow strings pass through without conversion)."""
    return values.astype("str").fillna("")


def finding_ids(keys: pd.Series) -> pd.Series:
    """Stable ids: a hash of rule, child, the record's identifying dates and the item.

    BLAKE2 is computed per finding (a standard digest, so ids survive library upgrades);
    identical records (duplicates) stay distinct as -1, -2 ... in order of appearance.
    """
    blake2b = hashlib.blake2b
    ids = pd.Series(
        [blake2b(k.encode(), digest_size=8).hexdigest() for k in keys.tolist()],
        index=keys.index,
        dtype="str",
    )
    repeated = ids.duplicated(keep=False)
    if repeated.any():
        twins = ids[repeated]
        repeat = twins.groupby(twins).cumcount()
        ids[repeated] = twins.where(repeat == 0, twins + "-" + repeat.astype(str))
    return ids


def build(rule: Rule, raw: RuleHits, as_at: pd.Timestamp) -> pd.DataFrame:
    """Findings of one rule's hits."""
    return build_all([(rule, raw)], as_at)


def build_all(results: list[tuple[Rule, RuleHits]], as_at: pd.Timestamp) -> pd.DataFrame:
    """Findings of every rule's hits, built in one vectorised pass: each column is assembled
    from all rules' blocks at once (a value shared by a block's rows is repeated in Arrow), so
    a run costs a few array operations per column, not a pandas frame per rule."""
    blocks = [(rule, block) for rule, raw in results for block in hit_blocks(raw)]
    if not blocks:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, "source_row"])
    sizes = [len(block) for _, block in blocks]

    def text(name: str) -> pd.Series:
        return _joined_text([(b.columns[name], len(b)) for _, b in blocks])

    def dates(name: str) -> np.ndarray:
        return np.concatenate([_dates(b.columns[name], len(b)) for _, b in blocks])

    rule_ids = _joined_text([(rule.id, n) for (rule, _), n in zip(blocks, sizes, strict=True)])
    severity = _joined_text([(r.severity, n) for (r, _), n in zip(blocks, sizes, strict=True)])
    value = _joined_text([(_shown_value(b.columns["value"], len(b)), len(b)) for _, b in blocks])
    due = dates("due_date")
    completed = dates("completed")
    until = np.where(np.isnat(completed), np.datetime64(as_at, "us"), completed)
    dated = ~np.isnat(due)
    elapsed = np.full(len(due), np.nan)  # days overdue: to completion, or to the as-at date
    elapsed[dated] = (until[dated] - due[dated]) // np.timedelta64(1, "D")  # whole days, floored
    days = pd.Series(elapsed)
    due = pd.Series(due)
    completed = pd.Series(completed)
    what = text("what").fillna("")
    message = text("message")
    needs_auto = message.isna() & due.notna()
    if needs_auto.any():  # compose "X due dd/mm/yyyy — n days overdue" only where needed
        auto_at = needs_auto[needs_auto].index
        due_a, completed_a, days_a = due[auto_at], completed[auto_at], days[auto_at]
        composed = what[auto_at] + " due " + _fmt(due_a)
        late_closed = (
            composed + " — completed " + _fmt(completed_a) + ", " + _days(days_a) + " late"
        )
        open_overdue = composed + " — " + _days(days_a) + " overdue"
        message[auto_at] = np.where(completed_a.notna(), late_closed, open_overdue)
    message = message.fillna(what)
    child_id = text("child_id").fillna("")
    keys = (
        rule_ids
        + "|"
        + child_id
        + "|"
        + text("identity").fillna("")
        + "|"
        + text("item").fillna("")
    )
    return pd.DataFrame(
        {
            "finding_id": finding_ids(keys),
            "rule_id": rule_ids,
            "severity": severity,
            "area": text("area"),
            "list": text("list"),
            "child_id": child_id,
            "team": text("team").fillna(""),
            "worker": text("worker").fillna(""),
            "due_date": due,
            "days_overdue": days.astype("Int64"),
            "field": text("field").fillna(""),
            "value": value,
            "message": message,
            "source_row": np.concatenate(
                [np.asarray(b.columns["source_row"], dtype=np.int64) for _, b in blocks]
            ),
        }
    )


def _joined_text(pieces: list[tuple[object, int]]) -> pd.Series:
    """One Arrow text column from blocks: a shared value repeated, or one value per row."""
    arrays = [
        pa.repeat(pa.scalar(values, pa.large_string()), n)
        if values is None or isinstance(values, str)
        else arrow_text(values)
        for values, n in pieces
    ]
    return pd.Series(pa.concat_arrays(arrays), dtype="str")


def _dates(values: object, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    return pd.Series(values, copy=False).to_numpy(dtype="datetime64[us]")


def _shown_value(values: object, n: int) -> object:
    """The value a finding shows, as text (see `as_text`); a shared value stays shared."""
    if values is None or isinstance(values, str):
        return "" if values is None else values
    return as_text(pd.Series(values, copy=False))
