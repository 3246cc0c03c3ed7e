"""Reviewer entries: what managers and moderators typed against findings, kept for good.

One row per field a person filled in for a finding (response, decision, comment, action owner,
action due), stamped with the time the workbook it came from was last saved. Rows are only ever
added. The *latest* entry of a field is the one typed last (the workbook's own modified time,
then the order of import), so an older copy imported later never replaces a newer entry, and a
blank cell is never an entry, so an emptier copy cannot erase one.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from audits.history.schema import ENTRY_FIELDS, entries, now

CARRIED_DECISION = "Disagree — recording is correct"
ENTRY_COLUMNS = [c.name for c in entries.columns if c.name != "entry_id"]


def _latest(frame: pd.DataFrame) -> pd.DataFrame:
    ordered = frame.sort_values(["entered_at", "entry_id"], kind="stable")
    return ordered.drop_duplicates(["finding_id", "field"], keep="last").reset_index(drop=True)


class EntriesStore:
    engine: sa.Engine

    def all_entries(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(entries), conn)

    def latest_entries(self, imported_by: str | None = None) -> pd.DataFrame:
        """The latest entry per finding and field (only those imported by `imported_by`, an ISO
        time, when given: what the store held when a workbook was written)."""
        frame = self.all_entries()
        if imported_by is not None:
            frame = frame[frame["imported_at"] <= imported_by]
        return _latest(frame)

    def latest_decisions(self) -> pd.DataFrame:
        """One row per finding with any entry: its latest value of each field, plus
        `decision` (the moderator's), `rule_id`, `team`, `reviewed_by` and `reviewed_at`."""
        latest = self.latest_entries()
        columns = ["finding_id", "rule_id", "team", "decision", "reviewed_by", "reviewed_at"]
        if latest.empty:
            return pd.DataFrame(columns=[*columns, *ENTRY_FIELDS])
        wide = latest.pivot(index="finding_id", columns="field", values="value")
        wide = wide.reindex(columns=list(ENTRY_FIELDS))
        last = latest.sort_values(["entered_at", "entry_id"]).drop_duplicates(
            "finding_id", keep="last"
        )
        last = last.set_index("finding_id")
        wide["rule_id"] = last["rule_id"]
        wide["team"] = last["team"]
        wide["reviewed_by"] = last["entered_by"]
        wide["reviewed_at"] = last["entered_at"]
        wide["decision"] = wide["moderator_decision"]
        return wide.reset_index()[[*columns, *ENTRY_FIELDS]]

    def last_entry_id(self) -> int:
        """The newest entry's id (0 when none): what a workbook written now was pre-filled from."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(entries.c.entry_id))).scalar() or 0)

    def carried_decisions(self) -> set[str]:
        """Finding ids whose latest decision is 'Disagree — recording is correct'."""
        latest = self.latest_entries()
        decided = latest[latest["field"] == "moderator_decision"]
        return set(decided.loc[decided["value"] == CARRIED_DECISION, "finding_id"])

    def store_entries(self, new: pd.DataFrame) -> int:
        """Add `new` entries (columns as the `entries` table) in one transaction: all or none."""
        if new.empty:
            return 0
        rows = new.assign(imported_at=now())[ENTRY_COLUMNS]
        records = rows.astype(object).where(rows.notna(), None).to_dict("records")
        with self.engine.begin() as conn:
            conn.execute(entries.insert(), records)
        return len(records)
