"""Reviewer entries: what team managers and QA moderators typed against findings, kept for good.

One row per field a person filled in for a finding, stamped with the time the workbook it came
from was last saved and its author. The team manager's fields (response, decision, action owner,
due date, status and the date it was done) and the QA moderator's (decision and comment) are
separate fields, so two people's decisions never replace each other (DESIGN §3 "Decisions and
actions"). Rows are only ever added. The *latest* entry of a field is the one typed last (the
workbook's own modified time, then the order of import), so an older copy imported later never
replaces a newer entry, and a blank cell is never an entry, so an emptier copy cannot erase one.

A decision stored before v5 in a team manager's workbook has a copy as that manager's decision
(`migrated_from` names the original); readers take the copy, never the original, as a decision
(`resolved`).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa

from audits.history.ids import insert_frame, read_frame, wanted_ids
from audits.history.schema import entries, entry_lapses, findings, now, returns_log
from audits.model.entries import DECISION_FIELDS, ENTRY_FIELDS

CARRIED_DECISION = "Disagree — recording is correct"
ENTRY_COLUMNS = [c.name for c in entries.columns if c.name != "entry_id"]


def resolved(frame: pd.DataFrame) -> pd.DataFrame:
    """The entries as decisions are read since v5: an original that the migration copied as a
    team manager's decision stands for nothing itself (its copy does)."""
    if frame.empty or "migrated_from" not in frame or frame["migrated_from"].isna().all():
        return frame
    moved = set(frame["migrated_from"].dropna().astype("int64"))
    return frame[~frame["entry_id"].isin(moved)]


def latest_of(frame: pd.DataFrame) -> pd.DataFrame:
    """The latest entry per finding and field (saved last; then imported last)."""
    ordered = frame.sort_values(["entered_at", "entry_id"], kind="stable")
    return ordered.drop_duplicates(["finding_id", "field"], keep="last").reset_index(drop=True)


def effective_decision(wide: pd.DataFrame) -> pd.Series:
    """The decision that stands for a finding: the QA moderator's when there is one (it is the
    moderation of the manager's), otherwise the team manager's."""
    qa, manager = wide.get("moderator_decision"), wide.get("manager_decision")
    if qa is None and manager is None:
        return pd.Series(None, index=wide.index, dtype=object)
    if qa is None:
        return manager
    return qa if manager is None else qa.where(qa.notna(), manager)


def wide_entries(latest: pd.DataFrame) -> pd.DataFrame:
    """One row per finding (index), one column per field: the latest value of each."""
    if latest.empty:
        return pd.DataFrame(columns=list(ENTRY_FIELDS), index=pd.Index([], name="finding_id"))
    wide = latest.pivot(index="finding_id", columns="field", values="value")
    return wide.reindex(columns=list(ENTRY_FIELDS))


def accepted_as_correct(latest: pd.DataFrame) -> set[str]:
    """Finding ids whose standing decision (`effective_decision`) is 'Disagree — recording is
    correct', from their latest entries."""
    wide = wide_entries(latest)
    decided = effective_decision(wide)
    return set(decided.index[decided.eq(CARRIED_DECISION)])


def entries_of(
    named: sa.Select, columns: Iterable[str] | None = None, *, ordered: bool = True
) -> sa.Select:
    """The query for every stored entry of the findings `named` (a one-column select), in the
    order they were stored (in no order unless `ordered`), read by the index on `finding_id`:
    the `columns` named, when given, and those `resolved` and `latest_of` need."""
    names = list(columns) if columns is not None else [c.name for c in entries.columns]
    for needed in ("entry_id", "migrated_from", "finding_id"):
        if needed not in names:
            names.append(needed)
    query = sa.select(*(entries.c[n] for n in names)).where(entries.c.finding_id.in_(named))
    return query.order_by(entries.c.entry_id) if ordered else query


def decisions_from(latest: pd.DataFrame) -> pd.DataFrame:
    """`EntriesStore.decisions_of` from the latest decision entries of the findings
    (`latest_of(resolved(...))`: finding_id, field, value, entered_at, entry_id, rule_id,
    team): their rule and team (of the latest of the two), both decisions and `agreed`."""
    columns = ["finding_id", "rule_id", "team", *DECISION_FIELDS]
    latest = latest[latest["field"].isin(DECISION_FIELDS)] if len(latest) else latest
    if latest.empty:
        return pd.DataFrame(columns=[*columns, "agreed"])
    wide = latest.pivot(index="finding_id", columns="field", values="value")
    wide = wide.reindex(columns=list(DECISION_FIELDS))
    last = latest.sort_values(["entered_at", "entry_id"]).drop_duplicates("finding_id", keep="last")
    last = last.set_index("finding_id")
    wide["rule_id"], wide["team"] = last["rule_id"], last["team"]
    both = wide["manager_decision"].notna() & wide["moderator_decision"].notna()
    agreed = wide["manager_decision"].eq(wide["moderator_decision"])
    wide["agreed"] = agreed.astype(object).where(both, None)
    return wide.reset_index()[[*columns, "agreed"]]


class EntriesStore:
    engine: sa.Engine

    def all_entries(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(entries), conn)

    def entries_for(
        self, finding_ids: Iterable[str], columns: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """Every stored entry of the findings named (as stored: originals and copies; only the
        `columns` named, when given), read by the index on `finding_id`: what an import needs,
        whatever the store's size."""
        with self.engine.connect() as conn, wanted_ids(conn, finding_ids) as wanted:
            return read_frame(conn, entries_of(sa.select(wanted.c.finding_id), columns))

    def latest_entries_for(
        self,
        finding_ids: Iterable[str],
        fields: Iterable[str] | None = None,
        *,
        run: int | None = None,
    ) -> pd.DataFrame:
        """The latest entry per finding and field of the findings named, and of every finding of
        the run `run` when given (found by that run's index, not handed over id by id), of the
        `fields` named when given; as entries are read since v5 (`resolved`), found by the
        database: a window over each finding's entries in the index on finding, field, time and
        id (v8), then only the latest entries read from the table. What a run pre-fills,
        however many months of entries the store holds."""
        names = ["entry_id", "finding_id", "field", "value", "entered_at", "entered_by"]
        names += ["rule_id", "team", "workbook_sha256"]  # the workbook: the lapse it covers
        moved = sa.select(entries.c.migrated_from).where(entries.c.migrated_from.is_not(None))
        rank = (
            sa.func.row_number()
            .over(
                partition_by=(entries.c.finding_id, entries.c.field),
                order_by=(entries.c.entered_at.desc(), entries.c.entry_id.desc()),
            )
            .label("rank")
        )
        with self.engine.connect() as conn, wanted_ids(conn, finding_ids) as wanted:
            named = sa.select(wanted.c.finding_id)
            if run is not None:
                named = sa.union(
                    named, sa.select(findings.c.finding_id).where(findings.c.run_id == run)
                )
            ranked = (  # `IN (SELECT ...)`: the database looks each id up by its index
                sa.select(entries.c.entry_id, rank)
                .where(entries.c.finding_id.in_(named))
                .where(entries.c.entry_id.not_in(moved))
                .where(entries.c.field.in_(list(fields)) if fields is not None else sa.true())
                .subquery()
            )
            latest = sa.select(ranked.c.entry_id).where(ranked.c.rank == 1)
            query = sa.select(*(entries.c[n] for n in names)).where(entries.c.entry_id.in_(latest))
            return read_frame(conn, query)

    def latest_entries(
        self, imported_by: str | None = None, finding_ids: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """The latest entry per finding and field (only those imported by `imported_by`, an ISO
        time, when given: what the store held when a workbook was written; only the findings
        named, when given)."""
        frame = self.all_entries() if finding_ids is None else self.entries_for(finding_ids)
        if imported_by is not None:
            frame = frame[frame["imported_at"] <= imported_by]
        return latest_of(resolved(frame))

    def latest_decisions(self, finding_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """One row per finding with any entry: its latest value of each field, plus `decision`
        (the standing decision: the QA moderator's, else the team manager's), `rule_id`, `team`,
        who made and when each of the two decisions (`manager_by`, `manager_at`, `moderator_by`,
        `moderator_at`), `agreed` (True or False where both decisions are given: the QA
        moderator chose the manager's decision) and `reviewed_by` / `reviewed_at` (the latest
        entry of any field)."""
        latest = self.latest_entries(finding_ids=finding_ids)
        stamps = ["manager_by", "manager_at", "moderator_by", "moderator_at"]
        columns = ["finding_id", "rule_id", "team", "decision", "agreed", *stamps]
        columns += ["reviewed_by", "reviewed_at"]
        if latest.empty:
            return pd.DataFrame(columns=[*columns, *ENTRY_FIELDS])
        wide = wide_entries(latest)
        last = latest.sort_values(["entered_at", "entry_id"]).drop_duplicates(
            "finding_id", keep="last"
        )
        last = last.set_index("finding_id")
        wide["rule_id"] = last["rule_id"]
        wide["team"] = last["team"]
        wide["reviewed_by"] = last["entered_by"]
        wide["reviewed_at"] = last["entered_at"]
        for who in ("manager", "moderator"):
            made = latest[latest["field"] == f"{who}_decision"].set_index("finding_id")
            wide[f"{who}_by"] = made["entered_by"]
            wide[f"{who}_at"] = made["entered_at"]
        wide["decision"] = effective_decision(wide)
        both = wide["manager_decision"].notna() & wide["moderator_decision"].notna()
        agreed = wide["manager_decision"].eq(wide["moderator_decision"])
        wide["agreed"] = agreed.astype(object).where(both, None)
        return wide.reset_index()[[*columns, *ENTRY_FIELDS]]

    def decisions_of(self, finding_ids: Iterable[str]) -> pd.DataFrame:
        """The findings named that hold a decision: their rule and team, the latest team
        manager's and QA moderator's decisions, and `agreed` (True or False where both are
        given), reading only the decisions' entries."""
        return decisions_from(self.latest_entries_for(finding_ids, DECISION_FIELDS))

    def last_entry_id(self) -> int:
        """The newest entry's id (0 when none): what a workbook written now was pre-filled from."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(entries.c.entry_id))).scalar() or 0)

    def carried_decisions(self, finding_ids: Iterable[str] | None = None) -> set[str]:
        """Finding ids whose standing decision is 'Disagree — recording is correct' (of the
        findings named, when given: a run asks only about its own)."""
        return accepted_as_correct(self.latest_entries(finding_ids=finding_ids))

    def store_entries(
        self,
        new: pd.DataFrame,
        returns: list[dict] | None = None,
        lapses: pd.DataFrame | None = None,
    ) -> int:
        """Add `new` entries (columns as the `entries` table), the record of the `returns` they
        came from (columns as `returns_imported`) and the `lapses` their findings showed
        (`LapsesStore.lapses_to_record`) in one transaction: all or none."""
        stamp = now()
        rows = new.assign(imported_at=stamp).reindex(columns=ENTRY_COLUMNS)
        lapses = lapses if lapses is not None else pd.DataFrame()
        if rows.empty and not returns and lapses.empty:
            return 0
        with self.engine.begin() as conn:
            if not lapses.empty:
                insert_frame(conn, entry_lapses, lapses.assign(recorded_at=stamp))
            stored = insert_frame(conn, entries, rows)
            if returns:
                conn.execute(returns_log.insert(), [{"imported_at": stamp} | r for r in returns])
        return stored

    def returns_for(self, as_at: str) -> pd.DataFrame:
        """Every return imported for the run of `as_at` (ISO), oldest import first."""
        with self.engine.connect() as conn:
            query = sa.select(returns_log).where(returns_log.c.as_at == as_at)
            return pd.read_sql(query.order_by(returns_log.c.imported_at), conn)
