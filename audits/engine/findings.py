"""Turn rule hits into findings: ids, days overdue and plain-English messages, in one place."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from audits.engine.registry import Rule

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
    return dates.dt.strftime("%d/%m/%Y")


def _days(n: pd.Series) -> pd.Series:
    text = n.astype("Int64").astype(str)
    return text + np.where(n == 1, " day", " days")


def as_text(values: pd.Series) -> pd.Series:
    """Values as the text a finding shows: dates ISO, whole numbers without '.0', blanks empty."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%Y-%m-%d").fillna("").astype(str)
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == np.floor(values))
        text = values.astype(str).where(~whole, values.round().astype("Int64").astype(str))
        return text.where(values.notna(), "").astype(str)
    return values.astype(object).where(values.notna(), "").astype(str)


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "").astype(str)


def finding_ids(keys: pd.Series) -> pd.Series:
    """Stable ids: a hash of rule, child, the record's identifying dates and the item."""
    digests = [hashlib.blake2b(k.encode(), digest_size=8).hexdigest() for k in keys]
    ids = pd.Series(digests, index=keys.index)
    repeat = ids.groupby(ids).cumcount()  # identical records (duplicates) stay distinct
    return ids.where(repeat == 0, ids + "-" + repeat.astype(str))


def build(rule: Rule, raw: pd.DataFrame, as_at: pd.Timestamp) -> pd.DataFrame:
    if raw.empty:
        return pd.DataFrame(columns=[*FINDING_COLUMNS, "source_row"])
    due = pd.to_datetime(raw["due_date"])
    completed = pd.to_datetime(raw["completed"])
    reference = completed.where(completed.notna(), as_at)
    days = (reference - due).dt.days.where(due.notna())
    message = raw["message"].astype(object)
    composed = raw["what"] + " due " + _fmt(due)
    late_closed = composed + " — completed " + _fmt(completed) + ", " + _days(days) + " late"
    open_overdue = composed + " — " + _days(days) + " overdue"
    auto = pd.Series(np.where(completed.notna(), late_closed, open_overdue), index=raw.index)
    needs_auto = message.isna() & due.notna()
    message = message.where(~needs_auto, auto).fillna(raw["what"])
    keys = (
        rule.id
        + "|"
        + raw["child_id"].fillna("").astype(str)
        + "|"
        + raw["identity"].astype(str)
        + "|"
        + raw["item"].fillna("").astype(str)
    )
    out = pd.DataFrame(
        {
            "finding_id": finding_ids(keys),
            "rule_id": rule.id,
            "severity": rule.severity,
            "area": raw["area"],
            "list": raw["list"].astype(str),
            "child_id": _text(raw["child_id"]),
            "team": _text(raw["team"]),
            "worker": _text(raw["worker"]),
            "due_date": due,
            "days_overdue": days.astype("Int64"),
            "field": raw["field"].fillna(""),
            "value": as_text(raw["value"]),
            "message": message.astype(str),
            "source_row": raw["source_row"],
        }
    )
    return out
