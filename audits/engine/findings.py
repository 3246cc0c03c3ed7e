"""Turn rule hits into findings: ids, days overdue and plain-English messages, in one place."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from audits.engine.registry import Rule
from audits.engine.text import format_dates

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
    """Stable ids: a hash of rule, child, the record's identifying dates and the item."""
    ids, seen = [], {}
    for key in keys.tolist():
        digest = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
        repeat = seen.get(digest, 0)  # identical records (duplicates) stay distinct: -1, -2 ...
        seen[digest] = repeat + 1
        ids.append(f"{digest}-{repeat}" if repeat else digest)
    return pd.Series(ids, index=keys.index, dtype="str")


def build(rule: Rule, raw: pd.DataFrame, as_at: pd.Timestamp) -> pd.DataFrame:
    """Findings of one rule's hits."""
    return build_all([(rule, raw)], as_at)


def build_all(hits: list[tuple[Rule, pd.DataFrame]], as_at: pd.Timestamp) -> pd.DataFrame:
    """Findings of every rule's hits, built in one vectorised pass (most rules hit few rows, so
    building them one rule at a time would cost more in pandas overhead than in work)."""
    parts = [
        raw.assign(rule_id=rule.id, severity=rule.severity, value=as_text(raw["value"]))
        for rule, raw in hits
        if not raw.empty
    ]
    if not parts:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, "source_row"])
    raw = pd.concat(parts, ignore_index=True)
    due = raw["due_date"].astype("datetime64[us]")
    completed = raw["completed"].astype("datetime64[us]")
    until = completed.to_numpy().copy()  # days overdue: to completion, or to the as-at date
    until[np.isnat(until)] = np.datetime64(as_at, "us")
    dated = due.notna().to_numpy()
    elapsed = np.full(len(raw), np.nan)
    elapsed[dated] = (until[dated] - due.to_numpy()[dated]) // np.timedelta64(1, "D")  # floored
    days = pd.Series(elapsed, index=raw.index)
    message = raw["message"].astype("str")
    needs_auto = message.isna() & due.notna()
    if needs_auto.any():  # compose "X due dd/mm/yyyy — n days overdue" only where needed
        auto_at = needs_auto[needs_auto].index
        due_a, completed_a, days_a = due[auto_at], completed[auto_at], days[auto_at]
        composed = raw["what"][auto_at] + " due " + _fmt(due_a)
        late_closed = (
            composed + " — completed " + _fmt(completed_a) + ", " + _days(days_a) + " late"
        )
        open_overdue = composed + " — " + _days(days_a) + " overdue"
        message[auto_at] = np.where(completed_a.notna(), late_closed, open_overdue)
    message = message.fillna(raw["what"])
    keys = (
        raw["rule_id"]
        + "|"
        + _text(raw["child_id"])
        + "|"
        + _text(raw["identity"])
        + "|"
        + _text(raw["item"])
    )
    return pd.DataFrame(
        {
            "finding_id": finding_ids(keys),
            "rule_id": raw["rule_id"],
            "severity": raw["severity"],
            "area": raw["area"].astype("str"),
            "list": raw["list"].astype(str),
            "child_id": _text(raw["child_id"]),
            "team": _text(raw["team"]),
            "worker": _text(raw["worker"]),
            "due_date": due.astype("datetime64[us]"),
            "days_overdue": days.astype("Int64"),
            "field": raw["field"].fillna("").astype("str"),
            "value": raw["value"],
            "message": message,
            "source_row": raw["source_row"].astype("int64"),
        }
    )
