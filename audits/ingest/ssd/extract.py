"""The SSD tables as read, their fields parsed on first use, and the audit's dates: the as-at
date D and the start P of the period (docs/ssd.md §2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from audits.core.calendar import add_months
from audits.core.config import Config
from audits.ingest.export import ListTable
from audits.ingest.returns import ReturnTable
from audits.ingest.ssd import parse
from audits.ingest.ssd.parse import Problems
from audits.ingest.ssd.source import Source
from audits.ingest.ssd.tables import TABLES, SsdTable
from audits.model.spec import ListSpec

ORIGIN = "Standard Safeguarding Dataset"


@dataclass
class Held:
    """One SSD table as read: raw values (`_row` = where each row was read) and parsed fields."""

    table: SsdTable
    raw: pd.DataFrame
    place: str  # the file, or schema.table
    problems: Problems
    _parsed: dict[tuple[str, str], object] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.raw)

    def has(self, name: str) -> bool:
        return name in self.raw

    def _cached(self, kind: str, name: str, make):
        key = (kind, name)
        if key not in self._parsed:
            self._parsed[key] = make()
        return self._parsed[key]

    def ids(self, name: str) -> pd.Series:
        if name not in self.raw:
            return pd.Series(pd.NA, index=self.raw.index, dtype="str")
        return self._cached("id", name, lambda: parse.ident(self.raw[name]))

    def text(self, name: str) -> pd.Series:
        if name not in self.raw:
            return pd.Series(pd.NA, index=self.raw.index, dtype="str")
        return self._cached("text", name, lambda: parse.text(self.raw[name]))

    def stamp(self, name: str) -> tuple[pd.Series, pd.Series]:
        """(timestamp with its time, unreadable) of a date field."""

        def make():
            stamp, bad, sentinel = parse.timestamps(self.raw[name])
            self.problems.count_sentinels(self.table, name, sentinel)
            return stamp, bad

        if name not in self.raw:
            blank = pd.Series(pd.NaT, index=self.raw.index, dtype="datetime64[us]")
            return blank, pd.Series(False, index=self.raw.index)
        return self._cached("stamp", name, make)

    def date(self, name: str) -> pd.Series:
        return self._cached("date", name, lambda: parse.day(self.stamp(name)[0]))

    def bad_date(self, name: str) -> pd.Series:
        return self.stamp(name)[1]

    def flag(self, name: str) -> tuple[pd.Series, pd.Series]:
        if name not in self.raw:
            return (
                pd.Series(pd.NA, index=self.raw.index, dtype="str"),
                pd.Series(False, index=self.raw.index),
            )
        return self._cached("flag", name, lambda: parse.flags(self.raw[name]))

    def person(self) -> pd.Series:
        return self.ids(self.table.person) if self.table.person else self.ids("")

    def report(
        self,
        name: str,
        bad,
        *,
        rows=None,
        list_label: str,
        canonical: str,
        expected: str,
        child: pd.Series | None = None,
    ) -> None:
        """Report the unreadable values of `name` among `rows` (positions; all when None)."""
        if name not in self.raw:
            return
        mask = np.asarray(bad, dtype=bool)
        if rows is not None:
            keep = np.zeros(len(mask), dtype=bool)
            keep[np.asarray(rows, dtype=np.int64)] = True
            mask = mask & keep
        self.problems.report(
            self.table,
            self.raw,
            name,
            mask,
            place=self.place,
            list_label=list_label,
            canonical=canonical,
            expected=expected,
            child=child,
        )


@dataclass
class Extract:
    """Everything read from one SSD, with the dates the lists are built for."""

    source: Source
    held: dict[str, Held]
    problems: Problems
    config: Config
    as_at: dt.date
    as_at_from: str
    notes: list[dict] = field(default_factory=list)  # warnings for Summary and the CLI
    dropped_after: dict[str, int] = field(default_factory=dict)  # events after D, by table

    @property
    def date(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_at)

    @property
    def period_start(self) -> pd.Timestamp:
        return add_months(pd.Series([self.date]), -self.config.history_months).iloc[0]

    def months_before(self, n: int) -> pd.Timestamp:
        return add_months(pd.Series([self.date]), -n).iloc[0]

    def get(self, name: str) -> Held | None:
        return self.held.get(name)

    def why_absent(self, name: str, fields: tuple[str, ...] = ()) -> str | None:
        """Why a table or one of its fields cannot be read, or None when all are there."""
        where = "the CSV files" if self.source.files else "the database"
        if name not in self.held:
            return f"{name} is not in {where}"
        missing = [f for f in fields if not self.held[name].has(f)]
        if missing:
            return f"{name} has no column {', '.join(missing)}"
        return None

    def keep_until_as_at(self, held: Held, name: str, rows: np.ndarray | None = None):
        """Positions of the rows whose `name` is on or before D (blank dates kept), counting
        the events after D that are dropped."""
        when = held.date(name)
        late = (when > self.date).to_numpy()
        if rows is not None:
            late_rows = late[rows]
            self._count_after(held, int(late_rows.sum()))
            return rows[~late_rows]
        self._count_after(held, int(late.sum()))
        return np.flatnonzero(~late)

    def _count_after(self, held: Held, n: int) -> None:
        if n:
            self.dropped_after[held.table.name] = self.dropped_after.get(held.table.name, 0) + n


def make_table(
    spec: ListSpec,
    columns: dict[str, object],
    rows,
    *,
    place: str,
    sources: dict[str, str],
    absent: dict[str, str] | None = None,
    hidden: dict[str, object] | None = None,
) -> ListTable:
    """A canonical list (or history) frame in the dtypes the rules and schemas expect."""
    out = pd.DataFrame({"_row": np.asarray(rows, dtype=np.int64)})
    for name, values in columns.items():
        kind = spec.field(name).kind
        series = pd.Series(values).reset_index(drop=True) if not np.isscalar(values) else values
        if kind == "date":
            out[name] = pd.Series(series).astype("datetime64[us]")
        elif kind == "number":
            out[name] = pd.Series(series).astype("float64")
        else:
            out[name] = pd.Series(series, dtype=object).astype("str")
    for name, values in (hidden or {}).items():
        out[name] = np.asarray(values) if not isinstance(values, pd.Series) else values.to_numpy()
    headings = {name: sources.get(name, spec.field(name).heading) for name in columns}
    return ReturnTable(
        spec,
        out,
        Path(place),
        None,
        ORIGIN,
        headings,
        [],
        dict(absent or {}),
        origin=ORIGIN,
    )


def read_all(source: Source, problems: Problems) -> dict[str, Held]:
    """Every SSD table the source holds, with only the fields the audit reads."""
    held = {}
    for name, table in TABLES.items():
        if not source.has(name):
            continue
        wanted = [f for f in table.fields if f in source.columns[name]]
        if table.key not in wanted and table.key in source.columns[name]:
            wanted.insert(0, table.key)
        raw = source.read(table, wanted)
        held[name] = Held(table, raw, source.place(name), problems)
    return held
