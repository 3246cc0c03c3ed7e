"""Carry-forward: what the history store adds to this month's findings before they are written.

A read of the store by the writers, never a step of the rules:
- a finding whose latest decision is "Disagree — recording is correct" is not raised again for
  the lapse it was made on (`audits.review.covers` decides what an entry covers);
- every finding is marked with the month it was first raised; new / persisting / resolved are
  counted against the previous run;
- persisting findings come pre-filled with the latest response, decision, comment, action owner
  and action due, and `entered` says the month each was typed, so nobody types it twice;
- an action whose finding is still raised after its due date is overdue (the due date itself is
  not: an action due today is still in time).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from audits.history import Store
from audits.history.schema import ENTRY_FIELDS
from audits.review.covers import accepted, on_this_lapse

# What `entered` calls each reviewer field (action owner and due are one action).
ENTERED_LABELS = {
    "manager_response": "response",
    "moderator_decision": "decision",
    "moderator_comment": "comment",
    "action_owner": "action",
    "action_due": "action",
}
OVERDUE_ITEMS_LISTED = 1000


def blank_reviewer_columns(findings: pd.DataFrame) -> pd.DataFrame:
    """The reviewer columns the writers expect, empty (a run without history)."""
    out = findings.copy()
    for name in ENTRY_FIELDS:
        out[name] = pd.Series(None, index=out.index, dtype=object)
    out["action_due"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us]")
    out["entered"] = pd.Series(None, index=out.index, dtype=object)
    out["action_overdue"] = False
    return out


def apply_history(
    findings: pd.DataFrame, as_at: dt.date, store: Store | None
) -> tuple[pd.DataFrame, dict, dict]:
    """(findings to write, the summary's `carried_forward`, the summary's `actions`)."""
    month = as_at.strftime("%Y-%m")
    if store is None:
        out = blank_reviewer_columns(findings)
        out["first_raised"] = month
        return out, {"history": False}, actions_summary(out, as_at)
    upto = store.last_entry_id()  # read first: the pre-fill below holds no newer entry
    latest = store.latest_entries()
    suppressed = accepted(findings, store, latest)
    out = findings[~suppressed].reset_index(drop=True)
    raised = store.first_raised(out["finding_id"])
    out["first_raised"] = raised.astype(object).where(raised.notna(), month).astype(str)
    previous = store.previous_run(as_at)
    current = set(out["finding_id"])
    before = store.run_finding_ids(previous) if previous else set()
    change = {
        "history": True,
        "suppressed": int(suppressed.sum()),
        "previous_run": previous,
        "new": len(current - before),
        "persisting": len(current & before),
        "resolved": len(before - current - set(findings["finding_id"][suppressed]))
        if previous
        else 0,
        "entries_upto": upto,
    }
    latest = latest[latest["finding_id"].isin(current)]
    out = prefill(out, latest[on_this_lapse(latest, out, store)], as_at)
    return out, change, actions_summary(out, as_at)


def prefill(findings: pd.DataFrame, latest: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    """Each finding's latest stored entries in the reviewer columns, `entered` and
    `action_overdue` (vectorised: one pivot, one join)."""
    out = blank_reviewer_columns(findings)
    latest = latest[latest["finding_id"].isin(set(out["finding_id"]))]
    if latest.empty:
        return out
    values = latest.pivot(index="finding_id", columns="field", values="value")
    stamps = latest.pivot(index="finding_id", columns="field", values="entered_at")
    ids = out["finding_id"]
    for name in ENTRY_FIELDS:
        if name in values:
            out[name] = ids.map(values[name]).astype(object)
    if "action_due" in values:
        out["action_due"] = pd.to_datetime(ids.map(values["action_due"])).astype("datetime64[us]")
    out["entered"] = ids.map(_entered_text(stamps))
    due = out["action_due"]
    out["action_overdue"] = (due.notna() & (due < pd.Timestamp(as_at))).to_numpy()
    return out


def _entered_text(stamps: pd.DataFrame) -> pd.Series:
    """Per finding: 'response Sep 2026; decision Sep 2026; action Oct 2026' (latest per label)."""
    months = {}
    for name, label in ENTERED_LABELS.items():
        if name not in stamps:
            continue
        stamp = pd.to_datetime(stamps[name])
        months[label] = stamp if label not in months else months[label].combine(stamp, max)
    parts = [
        (label + " " + stamp.dt.strftime("%b %Y")).fillna("") for label, stamp in months.items()
    ]
    text = parts[0].str.cat(parts[1:], sep="; ") if len(parts) > 1 else parts[0]
    text = text.str.replace(r"(; )+", "; ", regex=True).str.strip("; ")
    return (text.str[:1].str.upper() + text.str[1:]).where(text != "", None)


def actions_summary(findings: pd.DataFrame, as_at: dt.date) -> dict:
    """Actions on this run's findings: how many are open, how many overdue, and which."""
    has_action = findings["action_owner"].notna() | findings["action_due"].notna()
    overdue = findings[findings["action_overdue"]].sort_values(
        ["action_due", "team", "child_id"], kind="stable"
    )
    days = (pd.Timestamp(as_at) - overdue["action_due"]).dt.days
    items = pd.DataFrame(
        {
            "finding_id": overdue["finding_id"],
            "rule_id": overdue["rule_id"],
            "team": overdue["team"],
            "child_id": overdue["child_id"],
            "action_owner": overdue["action_owner"],
            "action_due": overdue["action_due"].dt.strftime("%Y-%m-%d"),
            "days_past_due": days.astype("int64") if len(days) else days,
        }
    ).head(OVERDUE_ITEMS_LISTED)
    items = items.astype(object).where(items.notna(), None)
    return {
        "open": int(has_action.sum()),
        "overdue": int(np.count_nonzero(findings["action_overdue"].to_numpy())),
        "overdue_items": items.to_dict("records"),
        "overdue_items_listed_at_most": OVERDUE_ITEMS_LISTED,
    }
