"""The lapse each return's entries were typed against: what a decision covers.

A finding id is stable for a record month after month (rule, child, list, the record's date),
so a decision stored by finding id alone would cover every later lapse of that record for ever.
The store therefore keeps, for every finding a return stores entries for, the due date and value
that finding showed in that workbook (`entry_lapses`); `audits.review.covers` decides from them.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import sqlalchemy as sa

from audits.history.ids import read_frame, wanted_ids
from audits.history.schema import entry_lapses

LAPSE_COLUMNS = ["finding_id", "workbook_sha256", "due_date", "value"]


def lapses_of(named: sa.Select) -> sa.Select:
    """The query for the lapses held of the findings `named` (a one-column select), by the
    index on `finding_id`."""
    columns = [entry_lapses.c[c] for c in LAPSE_COLUMNS]
    return sa.select(*columns).where(entry_lapses.c.finding_id.in_(named))


class LapsesStore:
    engine: sa.Engine

    def lapses(self, finding_ids: Collection[str] | None = None) -> pd.DataFrame:
        """finding_id, workbook_sha256, due_date (ISO or None), value: the lapse each return
        showed for each finding it stored entries for (of `finding_ids` only, when given)."""
        columns = [entry_lapses.c[c] for c in LAPSE_COLUMNS]
        with self.engine.connect() as conn:
            if finding_ids is None:
                return pd.read_sql(sa.select(*columns), conn)
            with wanted_ids(conn, finding_ids) as wanted:  # by the index on finding_id
                return read_frame(conn, lapses_of(sa.select(wanted.c.finding_id)))

    def lapses_to_record(self, new: pd.DataFrame, held: pd.DataFrame | None = None) -> pd.DataFrame:
        """The lapses of `new` (LAPSE_COLUMNS) not held yet: a workbook's lapse for a finding is
        recorded once and never changed. `held`: the lapses held of (at least) these findings,
        when read already (`lapses`)."""
        if new.empty:
            return pd.DataFrame(columns=LAPSE_COLUMNS)
        new = new[LAPSE_COLUMNS].drop_duplicates(["finding_id", "workbook_sha256"])
        if held is None:
            held = self.lapses(new["finding_id"])
        fresh = new.merge(held[["finding_id", "workbook_sha256"]], how="left", indicator=True)
        return fresh[fresh.pop("_merge") == "left_only"]
