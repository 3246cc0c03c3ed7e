"""Findings on a history table (one review each), shown against the list row they belong to.

A statutory return keeps every review (CP review conferences, looked-after reviews) in a history
table whose `_plan` column is the position of its record in the list. A late review becomes a
finding of that list: the record's child, team and identity (so its id is stable like the list
row's), the review as the completed date and as the item that tells two late reviews apart.
"""

from __future__ import annotations

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
    due: pd.Series,
    what: str,
    field: str,
) -> Hits:
    """One finding per row of `reviews` (held after `due`), on the record at `positions`."""
    frame, spec = records.frame, records.spec

    def column(name: str):
        return frame[name].array.take(positions) if name in frame else None

    identity = np.full(len(positions), f"L{spec.number}", dtype=object)
    for name in spec.identity_fields:
        if name in frame:
            identity = identity + "|" + _day(frame[name].to_numpy("datetime64[us]")[positions])
    held = reviews["review_date"].to_numpy("datetime64[us]")
    return Hits(
        len(positions),
        {
            "list": str(spec.number),
            "area": spec.area,
            "child_id": column("child_id"),
            "team": column("team"),
            "worker": column("worker"),
            "due_date": due.to_numpy("datetime64[us]"),
            "completed": held,
            "field": field,
            "value": reviews["review_date"].reset_index(drop=True),
            "what": what,
            "message": None,
            "identity": identity,
            "item": "review " + _day(held),
            "source_row": reviews["_row"].to_numpy(),
        },
    )
