"""The lapse each return's entries were typed against: what a decision covers.

A finding id is stable for a record month after month (rule, child, list, the record's date),
so a decision stored by finding id alone would cover every later lapse of that record for ever.
The store therefore keeps, for every finding a return holds entries for, the due date and value
that finding showed in that workbook (`entry_lapses`); `audits.review.covers` decides from them.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from audits.history.ids import records_of
from audits.history.schema import entry_lapses, now

LAPSE_COLUMNS = ["finding_id", "workbook_sha256", "due_date", "value"]


class LapsesStore:
    engine: sa.Engine

    def lapses(self, finding_ids: set[str] | None = None) -> pd.DataFrame:
        """finding_id, workbook_sha256, due_date (ISO or None), value: the lapse each return
        showed for each finding it holds entries for (of `finding_ids` only, when given)."""
        columns = [entry_lapses.c[c] for c in LAPSE_COLUMNS]
        with self.engine.connect() as conn:
            if finding_ids is None:
                return pd.read_sql(sa.select(*columns), conn)
            wanted = sorted(finding_ids)
            parts = [
                pd.read_sql(
                    sa.select(*columns).where(entry_lapses.c.finding_id.in_(wanted[i : i + 5000])),
                    conn,
                )
                for i in range(0, len(wanted), 5000)
            ]
        if not parts:
            return pd.DataFrame(columns=LAPSE_COLUMNS)
        return pd.concat(parts, ignore_index=True)

    def store_lapses(self, new: pd.DataFrame) -> int:
        """Record the lapses of `new` (LAPSE_COLUMNS) not held yet; a workbook's lapse for a
        finding is recorded once and never changed."""
        if new.empty:
            return 0
        new = new[LAPSE_COLUMNS].drop_duplicates(["finding_id", "workbook_sha256"])
        held = self.lapses(set(new["finding_id"]))
        fresh = new.merge(held[["finding_id", "workbook_sha256"]], how="left", indicator=True)
        fresh = fresh[fresh.pop("_merge") == "left_only"]
        if fresh.empty:
            return 0
        rows = fresh.assign(recorded_at=now())
        records = records_of(rows)
        with self.engine.begin() as conn:
            conn.execute(entry_lapses.insert(), records)
        return len(records)
