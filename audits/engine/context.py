"""What a rule sees: the export's canonical frames, the as-at date, the calendar and the config."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from audits.core.calendar import WorkingDayCalendar, add_months
from audits.core.config import Config
from audits.engine.hits import frame_hits, hits, text_where  # noqa: F401  (what rules import)
from audits.ingest.export import Export, ListTable

if TYPE_CHECKING:
    from audits.suites.apply import SuiteRun


@dataclass
class Context:
    export: Export
    as_at: dt.date
    config: Config = field(default_factory=Config)
    calendar: WorkingDayCalendar = field(default_factory=WorkingDayCalendar)
    notes: dict[str, list[str]] = field(default_factory=dict)  # rule id -> what it skipped
    suites: SuiteRun | None = None  # expectation suites already being validated (DQ-05)
    _open: dict[str, pd.Series] = field(default_factory=dict, repr=False)
    _working_days: dict[tuple[str, str, int], pd.Series] = field(default_factory=dict, repr=False)

    def note(self, rule_id: str, text: str) -> None:
        self.notes.setdefault(rule_id, []).append(text)

    @property
    def date(self) -> pd.Timestamp:
        return pd.Timestamp(self.as_at)

    @property
    def period_start(self) -> pd.Timestamp | None:
        """Start P of the audit period whose events a history rule reports, (P, D], when the
        input's histories span years (the SSD: M(D, -history_months)); None: report them all."""
        if not self.export.history_period:
            return None
        return add_months(pd.Series([self.date]), -self.config.history_months).iloc[0]

    def in_period(self, dates: pd.Series) -> pd.Series:
        """Dates within the audit period (P, D] (every date up to D when there is no P)."""
        start = self.period_start
        inside = dates <= self.date
        return inside if start is None else inside & (dates > start)

    def table(self, key: str) -> ListTable | None:
        if key.startswith("list"):
            return self.export.get(int(key[4:]))
        return self.export.tables.get(key)

    def codes(self, table: ListTable, column: str = "child_id") -> np.ndarray:
        """The export-wide integer codes of a key column in `table` (-1 where blank)."""
        return self.export.keys(column).of(table.spec.key)

    def working_days(self, table: ListTable, column: str, n: int) -> pd.Series:
        """WD(column, n) over a list, worked out once per run (ASM-01 and ASM-02, S47-01 and
        S47-02, CLA-01 and CLA-03 each ask for the same dates)."""
        key = (table.spec.key, column, n)
        if key not in self._working_days:
            self._working_days[key] = self.calendar.add_working_days(table.frame[column], n)
        return self._working_days[key]

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
