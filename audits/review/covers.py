"""What an entry covers: the one place that decides it, for the suppression of findings accepted
as "Disagree — recording is correct", for the pre-fill of reviewer columns, and for the counts.

DESIGN §3: a finding accepted as "recording is correct" is not re-raised "for the same lapse
(the same record and the same due date; a later lapse of that record is a new finding)". The
finding id names the record (rule, child, list, the record's date, the field), so a decision is
also tied to the lapse it was typed against: the due date the finding showed in that return, or
its value for a finding with no due date (a data-quality finding: the value that was judged).
The store keeps that lapse for every finding a return stores entries for (`entry_lapses`, by
finding and workbook: how an entry finds its lapse; a pre-filled entry returned unchanged is not
stored again, and keeps the lapse of the workbook it was typed in).

- A decision covers its finding only while the finding shows the same lapse. A November lapse
  of a record whose October lapse was accepted is raised again, as a new lapse.
- Two people decide (DESIGN §3 "Decisions and actions"): the decision that stands on a lapse is
  the QA moderator's typed on it, else the team manager's typed on it
  (`audits.history.entries.effective_decision`). A finding is not raised again when the decision
  that stands on the lapse it shows now is "Disagree — recording is correct"; a QA decision on
  an earlier lapse neither suppresses nor overrules a manager's decision on this one.
- The response, the two decisions and the comment typed on a lapse are pre-filled on that lapse
  only; a later lapse of the record comes with those columns empty. The action (owner, due date,
  status and the date it was done) is carried to the record's later lapses: it is about the
  child's record, and stays open, done or overdue as the action's own life decides (a done
  action stays done).
- An entry stored before lapses were recorded, whose lapse the store could not find, covers its
  finding by id, as it did then.
"""

from __future__ import annotations

import pandas as pd

from audits.history import CARRIED_DECISION, Store
from audits.history.entries import accepted_as_correct
from audits.ingest.values import by_unique
from audits.model.entries import DECISION_FIELDS

# carried to a record's later lapses
ACTION_FIELDS = ("action_owner", "action_due", "action_status", "action_done_on")


def lapse_key(due_date: pd.Series, value: pd.Series) -> pd.Series:
    """A finding's lapse as one text: its due date (yyyy-mm-dd), or its value when it has none."""
    due = _iso_days(due_date)
    text = value.astype(object).where(value.notna(), "").astype(str)
    return ("due " + due).where(due.notna(), "value " + text).astype(str)


@by_unique
def _iso_days(dates: pd.Series) -> pd.Series:
    """Dates (or text) as yyyy-mm-dd, missing where not a date (each distinct date once)."""
    return pd.to_datetime(dates, errors="coerce").dt.strftime("%Y-%m-%d")


def _typed_lapses(entries: pd.DataFrame, store: Store) -> pd.Series:
    """The lapse key of each entry (by its finding and workbook), None where not known."""
    if entries.empty:
        return pd.Series([], dtype=object)
    lapses = store.lapses(set(entries["finding_id"]))
    if lapses.empty:
        return pd.Series(None, index=entries.index, dtype=object)
    lapses = lapses.assign(lapse=lapse_key(lapses["due_date"], lapses["value"]))
    keyed = entries[["finding_id", "workbook_sha256"]].merge(
        lapses[["finding_id", "workbook_sha256", "lapse"]],
        on=["finding_id", "workbook_sha256"],
        how="left",
    )
    return pd.Series(keyed["lapse"].to_numpy(), index=entries.index, dtype=object)


def on_this_lapse(entries: pd.DataFrame, findings: pd.DataFrame, store: Store) -> pd.Series:
    """True for each entry (a row of `latest_entries`) that applies to its finding as raised
    now: typed on this very lapse, or of a kind carried across lapses, or of unknown lapse."""
    typed = _typed_lapses(entries, store)
    now = pd.Series(
        lapse_key(findings["due_date"], findings["value"]).to_numpy(),
        index=findings["finding_id"].astype(str).to_numpy(),
    )
    now = now[~now.index.duplicated()]
    current = entries["finding_id"].map(now)
    same = typed.isna() | current.isna() | (typed == current)
    return (same | entries["field"].isin(ACTION_FIELDS)).astype(bool)


def accepted(findings: pd.DataFrame, store: Store, latest: pd.DataFrame) -> pd.Series:
    """True for each finding whose lapse was accepted as "Disagree — recording is correct": the
    decision that stands among those typed on the lapse it shows now (the QA moderator's, else
    the team manager's). Not raised again. `latest`: the store's latest entries of (at least)
    these findings (`Store.latest_entries_for`)."""
    none = pd.Series(False, index=findings.index)
    if findings.empty or latest.empty:
        return none
    ids = findings["finding_id"].astype(object)
    decided = latest[latest["field"].isin(DECISION_FIELDS)]
    maybe = set(decided.loc[decided["value"] == CARRIED_DECISION, "finding_id"]) & set(ids)
    if not maybe:
        return none
    decided = decided[decided["finding_id"].isin(maybe)]
    candidates = findings[ids.isin(maybe)]
    applies = on_this_lapse(decided, candidates, store).to_numpy()
    return ids.isin(accepted_as_correct(decided[applies]))
