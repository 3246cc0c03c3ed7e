"""What a rule returns: the rows that fail it, as columns of plain arrays.

A rule marks rows with a mask; `hits()` keeps only those rows and the few columns a finding
shows. A value that is the same for every row (the list, the area, a fixed message) stays one
value until the engine builds all rules' findings at once (`audits.engine.findings`): a month's
rules return a few dozen such blocks, and building a pandas frame for each cost more than the
rules themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from audits.ingest.export import ListTable

HIT_COLUMNS = (
    "list",
    "area",
    "child_id",
    "team",
    "worker",
    "due_date",
    "completed",
    "field",
    "value",
    "what",
    "message",
    "identity",
    "item",
    "source_row",
)

Column = object  # one value for every row (str, None) or an array/Series of one value per row


@dataclass
class Hits:
    """Findings-to-be: `size` rows; each column one value for all rows or one value per row."""

    size: int
    columns: dict[str, Column]

    def __len__(self) -> int:
        return self.size


RuleHits = Hits | list[Hits] | pd.DataFrame  # an empty frame also means "nothing found"


def hit_blocks(raw: RuleHits) -> list[Hits]:
    """A rule's return value as a list of non-empty hit blocks."""
    if isinstance(raw, Hits):
        raw = [raw]
    if isinstance(raw, pd.DataFrame):
        if raw.empty:
            return []
        return [Hits(len(raw), {c: raw[c].reset_index(drop=True) for c in HIT_COLUMNS})]
    return [block for block in raw if len(block)]


def text_where(mask: pd.Series, text: str) -> pd.Series:
    """`text` where mask holds, missing elsewhere (the engine then composes the due-date message)."""
    return pd.Series(np.where(mask, text, None), index=mask.index, dtype=object)


def hits(
    table: ListTable,
    mask: pd.Series,
    *,
    field: str | None = None,
    value: pd.Series | None = None,
    due: pd.Series | None = None,
    completed: pd.Series | None = None,
    what: str | None = None,
    message: pd.Series | str | None = None,
    item: pd.Series | str | None = None,
    area: str | None = None,
) -> Hits:
    """Rows of `table` where `mask` holds (one finding each).

    `due`, `completed`, `value`, `message` and `item` are aligned with the frame, or given for
    the hit rows only (`series[mask]`), which spares building messages for rows that pass.
    """
    frame, spec = table.frame, table.spec
    at = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
    n = len(at)

    def picked(series: pd.Series | str | None):
        if not isinstance(series, pd.Series):
            return series
        if len(series) == len(frame):
            return series.array.take(at)
        return series.reindex(frame.index[at]).array  # given for the hit rows only

    def column(name: str):
        return frame[name].array.take(at) if name in frame else None

    identity: Column = f"L{spec.number}"
    if n and any(name in frame for name in spec.identity_fields):
        parts = np.full(n, identity, dtype=object)
        for name in spec.identity_fields:
            if name in frame:
                when = frame[name].to_numpy("datetime64[us]")[at].astype("datetime64[D]")
                days = np.datetime_as_string(when, unit="D")
                parts = parts + "|" + np.where(days == "NaT", "", days).astype(object)
        identity = parts
    if value is None and field is not None and field in frame:
        value = frame[field]
    return Hits(
        n,
        {
            "list": str(spec.number),
            "area": area or spec.area,
            "child_id": column("child_id"),
            "team": column("team"),
            "worker": column("worker"),
            "due_date": picked(due),
            "completed": picked(completed),
            "field": spec.field(field).heading if field else "",
            "value": picked(value),
            "what": what or "",
            "message": picked(message),
            "identity": identity,
            "item": picked(item) if item is not None else "",
            "source_row": frame["_row"].to_numpy()[at],
        },
    )


def frame_hits(
    *,
    area: str,
    lists: pd.Series | str,
    child_id: pd.Series,
    team: pd.Series,
    worker: pd.Series,
    field: pd.Series | str,
    value: pd.Series,
    message: pd.Series,
    identity: pd.Series | str,
    item: pd.Series | str,
    source_row: pd.Series,
    due_date: pd.Series | None = None,
    what: str = "",
) -> Hits:
    """Hits that are not one-to-one with one list's rows (cross-list, per cell, per worker)."""

    def plain(values):
        return values.to_numpy() if isinstance(values, pd.Series) else values

    return Hits(
        len(child_id),
        {
            "list": plain(lists),
            "area": area,
            "child_id": plain(child_id),
            "team": plain(team),
            "worker": plain(worker),
            "due_date": plain(due_date),
            "completed": None,
            "field": plain(field),
            "value": value.reset_index(drop=True) if isinstance(value, pd.Series) else value,
            "what": what,
            "message": plain(message),
            "identity": plain(identity),
            "item": plain(item),
            "source_row": plain(source_row),
        },
    )
