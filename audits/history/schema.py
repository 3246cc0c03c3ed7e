"""The history store's tables and the migrations that create them, each run once and recorded.

Migrations only ever add: a table or column that held what a person typed is never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa

from audits.history.ids import records_of

metadata = sa.MetaData()
schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.String(32), nullable=False),
)
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("as_at", sa.String(10), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("run_at", sa.String(32), nullable=False),
    sa.Column("export", sa.Text, nullable=False),
    sa.Column("tool_version", sa.String(32), nullable=False),
    sa.Column("findings_total", sa.Integer, nullable=False),
    sa.Column("suppressed", sa.Integer, nullable=False, default=0),
    sa.Column("summary_json", sa.Text),  # v3: the run's summary.json (indicators, warnings ...)
)
run_inputs = sa.Table(
    "run_inputs",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.run_id"), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
)
findings = sa.Table(
    "findings",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.run_id"), nullable=False, index=True),
    sa.Column("finding_id", sa.String(40), nullable=False, index=True),
    sa.Column("rule_id", sa.String(16), nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("area", sa.String(40), nullable=False),
    sa.Column("list", sa.String(20)),
    sa.Column("child_id", sa.String(64)),
    sa.Column("team", sa.Text),
    sa.Column("worker", sa.Text),
    sa.Column("due_date", sa.String(10)),
    sa.Column("days_overdue", sa.Integer),
    sa.Column("field", sa.Text),
    sa.Column("value", sa.Text),
    sa.Column("message", sa.Text),
    sa.Column("first_raised", sa.String(7)),
    # v9: a digest of the row's export columns as the writers show them, Finding ID included
    # (`audits.output.shown`); an import matches returned rows by it (None: recorded before v9)
    sa.Column("shown_digest", sa.BigInteger),
)
scores = sa.Table(
    "scores",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.run_id"), nullable=False, index=True),
    sa.Column("area", sa.String(40), nullable=False),
    sa.Column("team", sa.Text),  # NULL: the whole area
    sa.Column("children_in_scope", sa.Integer, nullable=False),
    sa.Column("children_compliant", sa.Integer, nullable=False),
    sa.Column("score", sa.Float),
)
# v1-v3 kept one row per finding and workbook; v4 moved its contents into `entries` (kept, unused).
decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("finding_id", sa.String(40), nullable=False, index=True),
    sa.Column("workbook_sha256", sa.String(64), nullable=False),
    sa.Column("workbook", sa.Text, nullable=False),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("rule_id", sa.String(16)),
    sa.Column("team", sa.Text),
    sa.Column("decision", sa.String(64)),
    sa.Column("manager_response", sa.Text),
    sa.Column("moderator_comment", sa.Text),
    sa.Column("action_owner", sa.Text),
    sa.Column("action_due", sa.String(10)),
    sa.Column("reviewed_by", sa.Text),
    sa.Column("reviewed_at", sa.String(32)),
    sa.Column("imported_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("finding_id", "workbook_sha256", name="one_decision_per_workbook"),
)
# v4: one row per thing a reviewer typed (a field of a finding), never updated or deleted.
entries = sa.Table(
    "entries",
    metadata,
    sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("finding_id", sa.String(40), nullable=False, index=True),
    sa.Column("field", sa.String(32), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("entered_at", sa.String(32), nullable=False),  # the workbook's own modified time
    sa.Column("entered_by", sa.Text),
    sa.Column("rule_id", sa.String(16)),
    sa.Column("team", sa.Text),
    sa.Column("workbook", sa.Text, nullable=False),
    sa.Column("workbook_sha256", sa.String(64), nullable=False),
    sa.Column("row", sa.Integer),
    sa.Column("imported_at", sa.String(32), nullable=False),
    # v5: on a copy made by the migration, the entry it was copied from (see `_v5`)
    sa.Column("migrated_from", sa.Integer, index=True),
    sa.UniqueConstraint("finding_id", "field", "workbook_sha256", name="one_entry_per_workbook"),
    # v8: each finding's latest entry of a field found from the index alone (`_v8`)
    sa.Index("ix_entries_latest", "finding_id", "field", "entered_at", "entry_id"),
)
# v5: every return imported by `audit moderate`: whose workbook (a team's, or the whole-council
# one), for which run (as-at date), saved by whom and when, and what became of its entries; so
# the teams that have not returned are known across imports.
returns_log = sa.Table(
    "returns_imported",
    metadata,
    sa.Column("workbook_sha256", sa.String(64), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # "team" or "council"
    sa.Column("team", sa.Text),  # a team workbook's team ("" for No team)
    sa.Column("as_at", sa.String(10)),  # of the run that wrote it, when the workbook says
    sa.Column("saved_at", sa.String(32)),
    sa.Column("saved_by", sa.Text),
    sa.Column("stored", sa.Integer, nullable=False),
    sa.Column("listed", sa.Integer, nullable=False),
    sa.Column("typed", sa.Integer, nullable=False),  # entries read (pre-filled ones included)
    sa.Column("imported_at", sa.String(32), nullable=False),
)
# v5: each finding once, with the month and the as-at date of the run that first raised it, so a
# run reads its own findings' first dates instead of grouping every finding of every month.
finding_history = sa.Table(
    "finding_history",
    metadata,
    sa.Column("finding_id", sa.String(40), primary_key=True),
    sa.Column("first_raised", sa.String(7), nullable=False),
    sa.Column("first_as_at", sa.String(10), nullable=False),
)
practice_audits = sa.Table(
    "practice_audits",
    metadata,
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("child_id", sa.String(64), nullable=False),
    sa.Column("team", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("selected_at", sa.String(32), nullable=False),
    sa.Column("auditor", sa.Text),
    sa.Column("auditor_grade", sa.String(48)),
    sa.Column("moderator_grade", sa.String(48)),
    sa.Column("escalate", sa.Boolean),
    sa.Column("workbook_sha256", sa.String(64)),
    sa.Column("imported_at", sa.String(32)),
    sa.Column("graded_at", sa.String(32)),  # v4: the graded workbook's own modified time
    sa.UniqueConstraint("month", "child_id", name="one_audit_per_child_and_month"),
)
# v6: what the board reads of each run, so that it never reads a run's findings. `run_board`:
# the run's indicators (values and counts), action counts, year-end reconciliation, council;
# `run_changes`: findings new, persisting and gone against an earlier run (previous_run_id;
# 0 = none), counted when the run is recorded or, for another pair, when a board first asks.
run_board = sa.Table(
    "run_board",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("board_json", sa.Text, nullable=False),
)
run_changes = sa.Table(
    "run_changes",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.run_id"), primary_key=True),
    sa.Column("previous_run_id", sa.Integer, primary_key=True),
    sa.Column("findings", sa.Integer, nullable=False),
    sa.Column("new", sa.Integer, nullable=False),
    sa.Column("persisting", sa.Integer, nullable=False),
    sa.Column("gone", sa.Integer, nullable=False),  # raised by the earlier run, not by this one
)
# v7: the lapse each return row was about: the due date (and value) of the finding as the
# workbook showed it, for every finding a return stores entries for. A decision covers that lapse
# (DESIGN §3: "the same record and the same due date"), never a later lapse of the record.
entry_lapses = sa.Table(
    "entry_lapses",
    metadata,
    sa.Column("finding_id", sa.String(40), nullable=False, index=True),
    sa.Column("workbook_sha256", sa.String(64), nullable=False),
    sa.Column("due_date", sa.String(10)),  # NULL: a finding with no due date
    sa.Column("value", sa.Text),
    sa.Column("recorded_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("finding_id", "workbook_sha256", name="one_lapse_per_workbook"),
)
# v7: everything typed in a practice-audit workbook, one row per case and item (each question's
# answer, the auditor's and moderator's comments, the auditor, the grades and the flag), only
# ever added; a value is added when it differs from the latest one held for that case and item.
practice_entries = sa.Table(
    "practice_entries",
    metadata,
    sa.Column("entry_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("child_id", sa.String(64), nullable=False),
    sa.Column("team", sa.Text),
    sa.Column("kind", sa.String(16), nullable=False),  # answer, comment, grade, auditor, flag
    sa.Column("item", sa.Text, nullable=False),  # the question or column heading
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("entered_at", sa.String(32), nullable=False),  # the workbook's own modified time
    sa.Column("entered_by", sa.Text),
    sa.Column("workbook", sa.Text, nullable=False),
    sa.Column("workbook_sha256", sa.String(64), nullable=False),
    sa.Column("row", sa.Integer),
    sa.Column("imported_at", sa.String(32), nullable=False),
    sa.UniqueConstraint(
        "month", "child_id", "item", "workbook_sha256", name="one_practice_entry_per_workbook"
    ),
)
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

V1_TABLES = ("runs", "run_inputs", "findings", "scores", "decisions", "settings")
# a return's file name as `audit run` writes the whole-council workbook (audit.xlsx, or
# audit-<as-at>-<time>.xlsx beside one a person had changed)
COUNCIL_WORKBOOK = r"^audit(-[0-9-]+)?\.xlsx$"


def now() -> str:
    """UTC, to the second, ISO: the clock every stored time uses (workbook times are UTC too)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat()


def _columns(conn: sa.Connection, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _v1(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[metadata.tables[t] for t in V1_TABLES])


def _v2(conn: sa.Connection) -> None:
    """Practice audits (cases chosen for human audit, and their grades)."""
    practice_audits.create(conn)


def _v3(conn: sa.Connection) -> None:
    """Each run keeps its whole summary (indicators, warnings, actions) for the board.
    (A store created at v3 or later already has the column from `metadata`.)"""
    if "summary_json" not in _columns(conn, "runs"):
        conn.execute(sa.text("ALTER TABLE runs ADD COLUMN summary_json TEXT"))


def _v4(conn: sa.Connection) -> None:
    """Reviewer entries one per field, with the time they were typed; practice grades' time.
    Every decision, response, comment and action stored before is copied into `entries`."""
    entries.create(conn, checkfirst=True)
    if "graded_at" not in _columns(conn, "practice_audits"):
        conn.execute(sa.text("ALTER TABLE practice_audits ADD COLUMN graded_at VARCHAR(32)"))
    old_fields = {
        "manager_response": "manager_response",
        "moderator_decision": "decision",
        "moderator_comment": "moderator_comment",
        "action_owner": "action_owner",
        "action_due": "action_due",
    }
    rows = []
    for d in conn.execute(sa.select(decisions)).mappings():
        for field, column in old_fields.items():
            if d[column] not in (None, ""):
                rows.append(
                    {
                        "finding_id": d["finding_id"],
                        "field": field,
                        "value": str(d[column]),
                        "entered_at": d["reviewed_at"] or d["imported_at"],
                        "entered_by": d["reviewed_by"],
                        "rule_id": d["rule_id"],
                        "team": d["team"],
                        "workbook": d["workbook"],
                        "workbook_sha256": d["workbook_sha256"],
                        "row": d["row"],
                        "imported_at": d["imported_at"],
                    }
                )
    if rows:
        conn.execute(entries.insert(), rows)


def council_workbooks(rows: list[dict]) -> set[str]:
    """The workbooks (by checksum) among `rows` (entries: `workbook`, `workbook_sha256`, `team`)
    that were the QA team's whole-council workbook: named as `audit run` names it, or holding
    entries for more than one team. Every other return was a team manager's workbook."""
    import re

    teams: dict[str, set] = {}
    named: set[str] = set()
    for r in rows:
        teams.setdefault(r["workbook_sha256"], set()).add(r["team"])
        name = str(r["workbook"]).replace("\\", "/").rsplit("/", 1)[-1]
        if re.match(COUNCIL_WORKBOOK, name, re.IGNORECASE):
            named.add(r["workbook_sha256"])
    return named | {sha for sha, found in teams.items() if len(found) > 1}


def _v5(conn: sa.Connection) -> None:
    """Two decisions, two people, and each finding's first run kept once.

    Until v5 a return had one decision column, "Moderator decision", which the team workbook's
    Guide told the team manager to fill and the QA team filled in audit.xlsx. From v5 the team
    manager's decision (`manager_decision`) and the QA moderator's (`moderator_decision`) are
    separate. Each decision stored before is kept exactly as it is; one typed in a team
    manager's workbook (any return that was not the whole-council workbook, see
    `council_workbooks`) is also copied as that manager's decision, the copy naming the entry it
    came from (`migrated_from`); readers then take the copy, not the original, as the decision
    (`audits.history.entries`). Nothing is changed or removed.

    `finding_history` is filled from every stored run: each finding's first month and first
    as-at date. `returns_imported` starts empty (imports before v5 named no team or run)."""
    if "migrated_from" not in _columns(conn, "entries"):
        conn.execute(sa.text("ALTER TABLE entries ADD COLUMN migrated_from INTEGER"))
    names = {i["name"] for i in sa.inspect(conn).get_indexes("entries")}
    if "ix_entries_migrated_from" not in names:
        conn.execute(sa.text("CREATE INDEX ix_entries_migrated_from ON entries (migrated_from)"))
    finding_history.create(conn, checkfirst=True)
    returns_log.create(conn, checkfirst=True)
    first = (
        sa.select(
            findings.c.finding_id,
            sa.func.min(findings.c.first_raised),
            sa.func.min(runs.c.as_at),
        )
        .select_from(findings.join(runs, runs.c.run_id == findings.c.run_id))
        .group_by(findings.c.finding_id)
    )
    conn.execute(
        finding_history.insert().from_select(["finding_id", "first_raised", "first_as_at"], first)
    )
    columns = [entries.c[c] for c in ("workbook", "workbook_sha256", "team")]
    council = council_workbooks([dict(r) for r in conn.execute(sa.select(*columns)).mappings()])
    legacy = conn.execute(
        sa.select(entries).where(
            entries.c.field == "moderator_decision", entries.c.migrated_from.is_(None)
        )
    ).mappings()
    copies = [
        {
            **{k: v for k, v in d.items() if k != "entry_id"},
            "field": "manager_decision",
            "migrated_from": d["entry_id"],
        }
        for d in legacy
        if d["workbook_sha256"] not in council
    ]
    if copies:
        conn.execute(entries.insert(), copies)


def _v6(conn: sa.Connection) -> None:
    """Per-run aggregates the board reads (issue 21): `run_board` and `run_changes`, created
    empty; a run recorded before is summarised from its stored summary when a board first
    reads it. Self-contained: creates only its own tables."""
    run_board.create(conn, checkfirst=True)
    run_changes.create(conn, checkfirst=True)


def _v7(conn: sa.Connection) -> None:
    """Practice-audit answers and comments (`practice_entries`), and the lapse each return's
    entries were typed against (`entry_lapses`). Only adds. Entries stored before have their
    lapse taken from the findings of the latest run recorded before they were imported (the
    run whose workbook they were typed in); where none is found, none is recorded, and such a
    decision covers its finding as it did before."""
    entry_lapses.create(conn, checkfirst=True)
    practice_entries.create(conn, checkfirst=True)
    import pandas as pd

    typed = pd.read_sql(
        sa.select(
            entries.c.finding_id,
            entries.c.workbook_sha256,
            sa.func.min(entries.c.imported_at).label("imported_at"),
        ).group_by(entries.c.finding_id, entries.c.workbook_sha256),
        conn,
    )
    held = pd.read_sql(sa.select(entry_lapses.c.finding_id, entry_lapses.c.workbook_sha256), conn)
    typed = typed.merge(held, how="left", indicator=True)
    typed = typed[typed.pop("_merge") == "left_only"]
    if typed.empty:
        return
    ids = sorted(set(typed["finding_id"]))
    shown = pd.concat(
        [
            pd.read_sql(
                sa.select(
                    findings.c.finding_id, findings.c.due_date, findings.c.value, runs.c.run_at
                )
                .join(runs, runs.c.run_id == findings.c.run_id)
                .where(findings.c.finding_id.in_(ids[i : i + 5000])),
                conn,
            )
            for i in range(0, len(ids), 5000)
        ],
        ignore_index=True,
    )
    if shown.empty:
        return
    typed["at"] = pd.to_datetime(typed["imported_at"], errors="coerce")
    shown["at"] = pd.to_datetime(shown["run_at"], errors="coerce")
    lapses = pd.merge_asof(
        typed.dropna(subset=["at"]).sort_values("at"),
        shown.dropna(subset=["at"]).sort_values("at"),
        on="at",
        by="finding_id",
    )
    lapses = lapses[lapses["run_at"].notna()]
    if lapses.empty:
        return
    rows = lapses.assign(recorded_at=now())[
        ["finding_id", "workbook_sha256", "due_date", "value", "recorded_at"]
    ]
    conn.execute(
        entry_lapses.insert(),
        records_of(rows),
    )


def _v8(conn: sa.Connection) -> None:
    """An index on each entry's finding, field, time and id: a run and an import find the
    latest entry of each field of their findings from the index, reading only those entries
    from the table (`audits.history.entries.EntriesStore.latest_entries_for`). Only adds."""
    if "ix_entries_latest" not in {i["name"] for i in sa.inspect(conn).get_indexes("entries")}:
        conn.execute(
            sa.text(
                "CREATE INDEX ix_entries_latest ON entries (finding_id, field, entered_at, entry_id)"
            )
        )


def _v9(conn: sa.Connection) -> None:
    """Each finding's digest of its export columns as shown (`findings.shown_digest`,
    `audits.output.shown`), recorded by every run from now on: an import matches its returned
    rows with their run by digest instead of reading the run whole. The runs recorded before
    have none, and their returns are compared cell by cell, as before. Only adds a column."""
    if "shown_digest" not in _columns(conn, "findings"):
        conn.execute(sa.text("ALTER TABLE findings ADD COLUMN shown_digest BIGINT"))


MIGRATIONS: list[tuple[int, Callable[[sa.Connection], None]]] = [
    (1, _v1),
    (2, _v2),
    (3, _v3),
    (4, _v4),
    (5, _v5),  # issue 22
    (6, _v6),  # issue 21
    (7, _v7),  # issue 24; each self-contained (a store that has 6 and 7 takes 5 after them)
    (8, _v8),  # issue 22: history stays cheap
    (9, _v9),  # issue 22: history stays cheap
]
