"""What a rule sees: the export's canonical frames, the as-at date, the calendar and the config."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from audits.calendar import WorkingDayCalendar
from audits.config import Config
from audits.ingest.load import Export, ListTable


@dataclass
class Context:
    export: Export
    as_at: dt.date
    config: Config = field(default_factory=Config)
    calendar: WorkingDayCalendar = field(default_factory=WorkingDayCalendar)
    notes: dict[str, list[str]] = field(default_factory=dict)  # rule id -> what it skipped

    def note(self, rule_id: str, text: str) -> None:
        self.notes.setdefault(rule_id, []).append(text)

    @property
    def date(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_at)

    def table(self, key: str) -> ListTable | None:
        if key.startswith("list"):
            return self.export.get(int(key[4:]))
        return self.export.tables.get(key)

    def is_open(self, table: ListTable) -> pd.Series:
        """Open: no end date (authorisation, closure, plan end, ceased), or one after the as-at date."""
        frame = table.frame
        end = table.spec.end_field
        if end is None or end not in frame:
            return pd.Series(True, index=frame.index)
        return frame[end].isna() | (frame[end] > self.date)


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
) -> pd.DataFrame:
    """Rows of `table` where `mask` holds, in the engine's hit shape (one row per finding)."""
    frame = table.frame
    mask = mask.fillna(False).astype(bool)
    picked = frame[mask]
    n = len(picked)

    def column(name: str) -> pd.Series:
        return (
            picked[name]
            if name in picked
            else pd.Series([pd.NA] * n, index=picked.index, dtype="str")
        )

    def aligned(series: pd.Series | str | None, default=pd.NA) -> pd.Series:
        if series is None:
            return pd.Series([default] * n, index=picked.index, dtype=object)
        if isinstance(series, str):
            return pd.Series([series] * n, index=picked.index, dtype=object)
        return series[mask]

    spec = table.spec
    identity = pd.Series(f"L{spec.number}", index=picked.index, dtype="str")
    for name in spec.identity_fields:
        if name in picked:
            identity = identity + "|" + picked[name].dt.strftime("%Y-%m-%d").fillna("")
    if value is None and field is not None and field in picked:
        value = frame[field]
    return pd.DataFrame(
        {
            "list": str(spec.number),
            "area": area or spec.area,
            "child_id": column("child_id"),
            "team": column("team"),
            "worker": column("worker"),
            "due_date": aligned(due, pd.NaT).astype("datetime64[us]")
            if due is not None
            else pd.NaT,
            "completed": aligned(completed, pd.NaT).astype("datetime64[us]")
            if completed is not None
            else pd.NaT,
            "field": spec.field(field).heading if field else "",
            "value": aligned(value),
            "what": what or "",
            "message": aligned(message),
            "identity": identity,
            "item": aligned(item, ""),
            "source_row": picked["_row"],
        },
        index=picked.index,
    ).reset_index(drop=True)


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
) -> pd.DataFrame:
    """Hits that are not one-to-one with one list's rows (cross-list, per cell, per worker)."""
    index = child_id.index
    return pd.DataFrame(
        {
            "list": lists,
            "area": area,
            "child_id": child_id,
            "team": team,
            "worker": worker,
            "due_date": due_date if due_date is not None else pd.Series(pd.NaT, index=index),
            "completed": pd.NaT,
            "field": field,
            "value": value,
            "what": what,
            "message": message,
            "identity": identity,
            "item": item,
            "source_row": source_row,
        },
        index=index,
    ).reset_index(drop=True)
