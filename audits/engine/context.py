"""What a rule sees: the export's canonical frames, the as-at date, the calendar and the config."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa

from audits.calendar import WorkingDayCalendar
from audits.config import Config
from audits.engine.text import format_dates
from audits.ingest.load import Export, ListTable


@dataclass
class Context:
    export: Export
    as_at: dt.date
    config: Config = field(default_factory=Config)
    calendar: WorkingDayCalendar = field(default_factory=WorkingDayCalendar)
    notes: dict[str, list[str]] = field(default_factory=dict)  # rule id -> what it skipped
    _open: dict[str, pd.Series] = field(default_factory=dict, repr=False)

    def note(self, rule_id: str, text: str) -> None:
        self.notes.setdefault(rule_id, []).append(text)

    @property
    def date(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_at)

    def table(self, key: str) -> ListTable | None:
        if key.startswith("list"):
            return self.export.get(int(key[4:]))
        return self.export.tables.get(key)

    def codes(self, table: ListTable, column: str = "child_id") -> np.ndarray:
        """The export-wide integer codes of a key column in `table` (-1 where blank)."""
        return self.export.keys(column).of(table.spec.key)

    def is_open(self, table: ListTable) -> pd.Series:
        """Open: no end date (authorisation, closure, plan end, ceased), or one after the as-at date.

        Worked out once per table and run (several rules ask); the frames do not change."""
        key = table.spec.key
        if key not in self._open:
            frame = table.frame
            end = table.spec.end_field
            if end is None or end not in frame:
                self._open[key] = pd.Series(True, index=frame.index)
            else:
                self._open[key] = frame[end].isna() | (frame[end] > self.date)
        return self._open[key]


HIT_COLUMNS = [
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
]


def no_hits() -> pd.DataFrame:
    """An empty hit frame with the column types of a full one (so concatenating keeps them)."""
    dates = {"due_date", "completed"}
    return pd.DataFrame(
        {
            c: pd.Series(
                dtype="datetime64[us]" if c in dates else "int64" if c == "source_row" else "str"
            )
            for c in HIT_COLUMNS
        }
    )


def as_text_column(value: pd.Series | str | None, index: pd.Index) -> pd.Series:
    """A hit column as Arrow-backed text: one text repeated for every row (without building a
    Python list), or a given column converted once; all rules' hits then concatenate cheaply."""
    if isinstance(value, pd.Series):
        return value.astype("str")
    if value is None:
        return pd.Series(np.nan, index=index, dtype="str")
    return pd.Series(
        pa.repeat(pa.scalar(value, pa.large_string()), len(index)), index=index, dtype="str"
    )


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
    """Rows of `table` where `mask` holds, in the engine's hit shape (one row per finding).

    Only the rows that hit, and only the columns a finding shows, are taken from the frame.
    `due`, `completed`, `value`, `message` and `item` are aligned with the frame, or given for
    the hit rows only (`series[mask]`), which spares building messages for rows that pass.
    """
    frame = table.frame
    at = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
    if not len(at):
        return no_hits()
    spec = table.spec
    shown = [c for c in ("child_id", "team", "worker", *spec.identity_fields) if c in frame]
    picked = frame[["_row", *shown]].iloc[at]
    n = len(at)

    def column(name: str) -> pd.Series:
        return picked[name] if name in picked else pd.Series([pd.NA] * n, index=picked.index)

    def aligned(series, default=None) -> pd.Series:
        if not isinstance(series, pd.Series):  # None (blank) or one text for every row
            return as_text_column(default if series is None else series, picked.index)
        if len(series) == len(frame):
            return series.iloc[at]
        return series.reindex(picked.index)  # given for the hit rows only: align by label

    def dated(series: pd.Series | None) -> pd.Series:
        if series is None:
            return pd.Series(pd.NaT, index=picked.index, dtype="datetime64[us]")
        return aligned(series).astype("datetime64[us]")

    identity = pd.Series(f"L{spec.number}", index=picked.index, dtype="str")
    for name in spec.identity_fields:
        if name in picked:
            identity = identity + "|" + format_dates(picked[name], "%Y-%m-%d").fillna("")
    if value is None and field is not None and field in frame:
        value = frame[field]
    text = partial(as_text_column, index=picked.index)
    return pd.DataFrame(
        {
            "list": text(str(spec.number)),
            "area": text(area or spec.area),
            "child_id": text(column("child_id")),
            "team": text(column("team")),
            "worker": text(column("worker")),
            "due_date": dated(due),
            "completed": dated(completed),
            "field": text(spec.field(field).heading if field else ""),
            "value": aligned(value) if isinstance(value, pd.Series) else text(value),
            "what": text(what or ""),
            "message": text(aligned(message)),
            "identity": identity,
            "item": text(aligned(item, "")),
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
    text = partial(as_text_column, index=index)
    return pd.DataFrame(
        {
            "list": text(lists),
            "area": text(area),
            "child_id": text(child_id),
            "team": text(team),
            "worker": text(worker),
            "due_date": (
                due_date if due_date is not None else pd.Series(pd.NaT, index=index)
            ).astype("datetime64[us]"),
            "completed": pd.Series(pd.NaT, index=index, dtype="datetime64[us]"),
            "field": text(field),
            "value": value,
            "what": text(what),
            "message": text(message),
            "identity": text(identity),
            "item": text(item),
            "source_row": source_row.astype("int64"),
        },
        index=index,
    ).reset_index(drop=True)
