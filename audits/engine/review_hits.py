"""Findings on a history table (one review, visit or episode each), shown against the list row
they belong to.

A statutory return or the SSD keeps every event (CP review conferences, looked-after reviews,
visits, missing episodes) in a history table whose `_plan` column is the position of its record
in the list. A late event becomes a finding of that list: the record's child, team and identity
(so its id is stable like the list row's), the event as the completed date and as the item that
tells two late events apart. `late_intervals` judges each event against the one before it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from audits.engine.hits import Hits
from audits.ingest.export import ListTable


def _day(values: np.ndarray) -> np.ndarray:
    days = np.datetime_as_string(values.astype("datetime64[D]"), unit="D")
    return np.where(days == "NaT", "", days).astype(object)


def review_hits(
    records: ListTable,
    reviews: pd.DataFrame,
    positions: np.ndarray,
    due: pd.Series | None,
    what: str,
    field: str,
    *,
    date: str = "review_date",
    item: str = "review",
    message: pd.Series | None = None,
    value: pd.Series | None = None,
    completed: bool | pd.Series = True,
) -> Hits:
    """One finding per row of `reviews` (held after `due`), on the record at `positions`.

    `date` names the event's date column and `item` how the finding names the event
    ("review 2026-05-02", "visit 2026-08-14"); without a `due` the finding has no due date and
    says `message`. `completed`: the event date is the completion (True), there is none
    (False), or the completion date of each event (a Series)."""
    frame, spec = records.frame, records.spec

    def column(name: str):
        return frame[name].array.take(positions) if name in frame else None

    identity = np.full(len(positions), f"L{spec.number}", dtype=object)
    for name in spec.identity_fields:
        if name in frame:
            identity = identity + "|" + _day(frame[name].to_numpy("datetime64[us]")[positions])
    held = reviews[date].to_numpy("datetime64[us]")
    return Hits(
        len(positions),
        {
            "list": str(spec.number),
            "area": spec.area,
            "child_id": column("child_id"),
            "team": column("team"),
            "worker": column("worker"),
            "due_date": None if due is None else due.to_numpy("datetime64[us]"),
            "completed": (
                completed.to_numpy("datetime64[us]")
                if isinstance(completed, pd.Series)
                else (held if completed else None)
            ),
            "field": field,
            "value": (value if value is not None else reviews[date]).reset_index(drop=True),
            "what": what,
            "message": None if message is None else message.to_numpy(dtype=object),
            "identity": identity,
            "item": f"{item} " + _day(held),
            "source_row": reviews["_row"].to_numpy(),
        },
    )


def late_intervals(
    events: pd.DataFrame,
    group: str,
    date: str,
    first_due: Callable[[np.ndarray], pd.Series],
    next_due: Callable[[pd.Series, np.ndarray], pd.Series],
    judged_first: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Every event judged against the one before it in its `group` (a plan, a placement), the
    first against its record's start: (the late events, their due dates).

    Events on the same day are one event. `first_due(groups)` gives the due date of each
    group's first event; `next_due(previous, groups)` that of a later one; `judged_first`
    (per group position) says whether a group's first event is judged at all."""
    e = events.dropna(subset=[date])
    e = e[e[group] >= 0].sort_values([group, date], kind="stable")
    e = e.drop_duplicates([group, date])
    groups = e[group].to_numpy(np.int64)
    previous = e.groupby(group)[date].shift()
    first = previous.isna().to_numpy()
    due = pd.Series(pd.NaT, index=e.index, dtype="datetime64[us]")
    if first.any():
        due[first] = first_due(groups[first]).to_numpy("datetime64[us]")
    if (~first).any():
        due[~first] = next_due(previous[~first], groups[~first]).to_numpy("datetime64[us]")
    judged = np.ones(len(e), dtype=bool)
    if judged_first is not None:
        judged[first] = judged_first[groups[first]]
    late = judged & (e[date] > due).to_numpy()
    return e[late], due[late]


def late_visits(
    ctx, table: ListTable, visits: pd.DataFrame, start: str, n: int, what: str, field: str
) -> Hits:
    """Visits of each record (`_plan`) judged against the one before, the first against
    WD(record's `start`, n): a finding for each in the audit period that came late (`what`
    due ..., on the list's `field`). A record that began before the first date the input holds
    has its first visit unjudged (its predecessor may be missing)."""
    starts = table.frame[start]
    history_from = ctx.export.history_from
    judged_first = (
        None if history_from is None else (starts >= pd.Timestamp(history_from)).to_numpy()
    )
    late, due = late_intervals(
        visits,
        "_plan",
        "visit_date",
        lambda plans: ctx.calendar.add_working_days(pd.Series(starts.to_numpy()[plans]), n),
        lambda previous, _: ctx.calendar.add_working_days(previous, n),
        judged_first,
    )
    inside = ctx.in_period(late["visit_date"]).to_numpy(bool)
    late, due = late[inside], due[inside]
    heading = table.spec.field(field).heading
    return review_hits(
        table, late, late["_plan"].to_numpy(), due, what, heading, date="visit_date", item="visit"
    )
