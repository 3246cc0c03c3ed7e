"""Carry-forward: what the history store adds to this month's findings before they are written.

A read of the store by the writers, never a step of the rules, and only of this month's findings
(and of last month's, for what resolved): the store's size does not weigh on a run.
- a finding whose standing decision (the QA moderator's, else the team manager's) is "Disagree —
  recording is correct" is not raised again for the lapse it was made on
  (`audits.review.covers` decides what an entry covers);
- every finding is marked with the month and the date it was first raised; new / persisting /
  resolved are counted against the latest run of the month before (as the board counts them);
- persisting findings come pre-filled with the latest entry of every reviewer field (the team
  manager's response, decision and action, its status and when it was done; the QA moderator's
  decision and comment), and `entered` says who made them and when, so nobody types it twice; a
  later lapse of a record comes without the old response, decisions and comment, with its action;
- an action (an owner or a due date) is *done* when its status is Done or a Done on date is
  given, *open* otherwise; an open action is *overdue* when its due date has passed (the due date
  itself is in time) and its finding is still raised. A done action stays done next month (its
  status is carried like every entry); an action whose finding resolved is closed with it.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from audits.history import Store
from audits.history.entries import accepted_as_correct
from audits.ingest.values import by_unique
from audits.model.entries import ENTRY_FIELDS, MANAGER_FIELDS, OVERDUE_LISTED
from audits.review.covers import accepted, on_this_lapse

DATE_FIELDS = ("action_due", "action_done_on")
DONE, OPEN = "Done", "Open"
# What `entered` calls each reviewer field; the manager's action is one thing.
ENTERED_LABELS = {
    "manager_response": "response",
    "manager_decision": "decision",
    "action_owner": "action",
    "action_due": "action",
    "action_status": "action",
    "action_done_on": "action",
    "moderator_decision": "moderator decision",
    "moderator_comment": "moderator comment",
}


def blank_reviewer_columns(findings: pd.DataFrame) -> pd.DataFrame:
    """The reviewer columns the writers expect, empty (a run without history)."""
    out = findings.copy()
    for name in ENTRY_FIELDS:
        out[name] = pd.Series(None, index=out.index, dtype=object)
    for name in DATE_FIELDS:
        out[name] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us]")
    out["entered"] = pd.Series(None, index=out.index, dtype=object)
    out["decisions_differ"] = False
    out["action_done"] = False
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
        out["first_raised_on"] = pd.Timestamp(as_at)
        return out, {"history": False}, actions_summary(out, as_at)
    upto = store.last_entry_id()  # read first: the pre-fill below holds no newer entry
    previous = store.previous_run(as_at)
    before = store.run_finding_ids(previous) if previous else set()
    ids = set(findings["finding_id"].to_numpy(dtype=object))
    # the latest entries of this month's and last month's findings, nothing else
    latest = store.latest_entries_for(ids - before, run=previous)  # `before`: by the run
    suppressed = accepted(findings, store, latest)  # on the lapse each finding shows now
    out = findings[~suppressed].reset_index(drop=True)
    first = store.first_raised(out["finding_id"], previous)
    out["first_raised"] = first["month"].astype(object).where(first["month"].notna(), month)
    out["first_raised_on"] = pd.to_datetime(
        first["as_at"].astype(object).where(first["as_at"].notna(), as_at.isoformat())
    )
    current = set(out["finding_id"].to_numpy(dtype=object))
    # not raised now, and not because its standing decision says the recording is correct
    not_raised = set(findings["finding_id"][suppressed].to_numpy(dtype=object))
    resolved_ids = before - current - not_raised - accepted_as_correct(latest)
    change = {
        "history": True,
        "suppressed": int(suppressed.sum()),
        "previous_run": previous,
        "new": len(current - before),
        "persisting": len(current & before),
        "resolved": len(resolved_ids) if previous else 0,
        "entries_upto": upto,
    }
    mine = latest[latest["finding_id"].astype(object).isin(current)]
    out = prefill(out, mine[on_this_lapse(mine, out, store).to_numpy()], as_at)
    return out, change, actions_summary(out, as_at, closed=closed_actions(latest, resolved_ids))


def prefill(findings: pd.DataFrame, latest: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    """Each finding's latest stored entries in the reviewer columns, `entered`, and the action's
    state (`action_done`, `action_overdue`) (vectorised: one pivot, one join)."""
    out = blank_reviewer_columns(findings)
    latest = latest[
        latest["finding_id"].astype(object).isin(set(out["finding_id"].to_numpy(object)))
    ]
    if latest.empty:
        return out
    values = latest.pivot(index="finding_id", columns="field", values="value")
    ids = out["finding_id"]
    for name in ENTRY_FIELDS:
        if name in values:
            out[name] = ids.map(values[name]).astype(object)
    for name in DATE_FIELDS:
        if name in values:
            out[name] = pd.to_datetime(ids.map(values[name])).astype("datetime64[us]")
    out["entered"] = ids.map(entered_text(latest))
    return action_state(out, as_at)


def action_state(out: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    """`action_done`, `action_overdue` and `decisions_differ` from the reviewer columns."""
    has_action = out["action_owner"].notna() | out["action_due"].notna()
    done = has_action & (out["action_status"].eq(DONE) | out["action_done_on"].notna())
    due = out["action_due"]
    out["action_done"] = done.to_numpy()
    out["action_overdue"] = (~done & due.notna() & (due < pd.Timestamp(as_at))).to_numpy()
    both = out["manager_decision"].notna() & out["moderator_decision"].notna()
    out["decisions_differ"] = (
        both & out["manager_decision"].ne(out["moderator_decision"])
    ).to_numpy()
    return out


def entered_text(latest: pd.DataFrame) -> pd.Series:
    """Per finding, who made its entries and when: 'Response, decision, action: Jo Bloggs
    05/10/2026. Moderator decision: Sam Moss 07/10/2026' (the latest of each, grouped by person and
    day; vectorised over the entries)."""
    frame = pd.DataFrame(
        {
            "finding_id": latest["finding_id"].to_numpy(),
            "label": latest["field"].map(ENTERED_LABELS).to_numpy(),
            "who": latest["entered_by"]
            .astype(object)
            .where(latest["entered_by"].notna(), "")
            .astype(str)
            .str.strip()
            .to_numpy(),
            "day": _day(latest["entered_at"]).to_numpy(),
            "order": latest["field"].map({f: i for i, f in enumerate(ENTRY_FIELDS)}).to_numpy(),
        }
    ).dropna(subset=["label"])
    frame = frame.sort_values(["finding_id", "order"], kind="stable")
    frame = frame.drop_duplicates(["finding_id", "label", "who", "day"])
    person = ["finding_id", "who", "day"]
    frame["first"] = frame.groupby(person, sort=False)["order"].transform("min")
    groups = _joined(frame, person, "label", ", ").reset_index()
    groups = groups.merge(frame.drop_duplicates(person)[[*person, "first"]], on=person)
    who = groups["who"].where(groups["who"] != "", "(no author)")
    label = groups["label"].str[:1].str.upper() + groups["label"].str[1:]
    groups["text"] = label + ": " + who + " " + groups["day"]
    groups = groups.sort_values(["finding_id", "first"], kind="stable")
    return _joined(groups, ["finding_id"], "text", ". ")


@by_unique
def _day(stamps: pd.Series) -> pd.Series:
    """Entry times as dd/mm/yyyy (a few save times stand for thousands of entries: each once)."""
    return pd.to_datetime(stamps).dt.strftime("%d/%m/%Y")


def _joined(frame: pd.DataFrame, keys: list[str], column: str, sep: str) -> pd.Series:
    """`column`'s values joined with `sep` within each group of `keys`, in order (a few values
    per group: one pivot and a join per position, never a Python call per group)."""
    position = frame.groupby(keys, sort=False).cumcount()
    index = keys if len(keys) > 1 else keys[0]
    wide = frame.assign(_at=position.to_numpy()).pivot(index=index, columns="_at", values=column)
    text = wide[0]
    for at in wide.columns[1:]:
        text = text.where(wide[at].isna(), text + sep + wide[at])
    return text.rename(column)


def closed_actions(latest: pd.DataFrame, resolved_ids: set[str]) -> int:
    """Actions left open on findings that resolved since the month before (closed with them)."""
    if not resolved_ids:
        return 0
    mine = latest[latest["finding_id"].astype(object).isin(resolved_ids)]
    wide = mine.pivot(index="finding_id", columns="field", values="value")
    wide = wide.reindex(columns=list(MANAGER_FIELDS))
    has_action = wide["action_owner"].notna() | wide["action_due"].notna()
    done = wide["action_status"].eq(DONE) | wide["action_done_on"].notna()
    return int((has_action & ~done).sum())


def actions_summary(findings: pd.DataFrame, as_at: dt.date, closed: int = 0) -> dict:
    """Actions on this run's findings: how many are open, overdue (open and past due) and done,
    which are overdue, and how many closed because their finding resolved."""
    has_action = findings["action_owner"].notna() | findings["action_due"].notna()
    done = findings["action_done"].to_numpy(bool) if "action_done" in findings else False
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
    ).head(OVERDUE_LISTED)
    items = items.astype(object).where(items.notna(), None)
    return {
        "open": int((has_action & ~done).sum()),
        "overdue": int(np.count_nonzero(findings["action_overdue"].to_numpy())),
        "done": int((has_action & done).sum()),
        "closed_finding_resolved": int(closed),
        "overdue_items": items.to_dict("records"),
        "overdue_items_listed_at_most": OVERDUE_LISTED,
    }
