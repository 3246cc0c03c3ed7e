"""What the board reads of each run, kept small so that a board never reads a run's findings.

When a run is recorded, in the same transaction: its digest (`run_board`: the indicators'
values and counts, the action counts, the year-end reconciliation, the council) and its
findings new, persisting and gone against the latest run of the month before (`run_changes`).
A board reads the digests of the months it shows, the changes of each pair of months it
compares, the latest run's summary and at most a page of its findings: its cost follows the
number of months, not the findings in them. A run recorded before these tables existed, or a
pair of runs not counted yet (a month audited again out of order), is worked out when a board
first asks and kept.
"""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from audits.history.schema import findings, run_board, run_changes, runs, scores

# The fields of an indicator the board's trend and scorecard read; the rest of the summary's
# record (the DfE's published figures, worked out again for the board) is not repeated.
INDICATOR_FIELDS = (
    "id",
    "value",
    "numerator",
    "denominator",
    "reason",
    "target",
    "national",
    "national_period",
    "national_source",
    "national_derived",
    "rag",
    "rag_against",
    "regional",
    "regional_label",
    "regional_period",
    "neighbours",
    "neighbours_label",
    "neighbours_period",
)
CHUNK = 5000  # ids per IN (...) query


def board_digest(summary: dict) -> dict:
    """The parts of a run's summary the board reads month by month."""
    actions = summary.get("actions")
    indicators = summary.get("indicators")
    return {
        "indicators": (
            [{k: i[k] for k in INDICATOR_FIELDS if k in i} for i in indicators]
            if isinstance(indicators, list)
            else None
        ),
        "actions": (
            {k: actions.get(k) for k in ("open", "overdue", "done")}
            if isinstance(actions, dict)
            else None
        ),
        "reconciliation": summary.get("reconciliation"),
        "la_code": (summary.get("council") or {}).get("la_code"),
    }


def _counts(current: set[str], before: set[str], previous: int | None) -> dict:
    return {
        "previous_run_id": previous or 0,
        "findings": len(current),
        "new": len(current - before),
        "persisting": len(current & before),
        "gone": len(before - current),
    }


class AggregatesStore:
    engine: sa.Engine

    # --- when a run is recorded -----------------------------------------------------------

    def record_aggregates(
        self, conn: sa.Connection, run_id: int, month: str, summary: dict, ids: pd.Series
    ) -> None:
        """The run's digest, and its changes against the latest run of an earlier month."""
        conn.execute(
            run_board.insert().values(
                run_id=run_id,
                board_json=json.dumps(board_digest(summary), ensure_ascii=False, default=str),
            )
        )
        previous = conn.execute(
            sa.select(runs.c.run_id)
            .where(runs.c.month < month)
            .order_by(runs.c.month.desc(), runs.c.as_at.desc(), runs.c.run_id.desc())
            .limit(1)
        ).scalar()
        before = _ids(conn, previous) if previous else set()
        conn.execute(
            run_changes.insert().values(run_id=run_id, **_counts(set(ids), before, previous))
        )

    # --- what a board reads ---------------------------------------------------------------

    def run_index(self) -> pd.DataFrame:
        """run_id, as_at, month and run_at of every run (no summaries)."""
        with self.engine.connect() as conn:
            return pd.read_sql(
                sa.select(runs.c.run_id, runs.c.as_at, runs.c.month, runs.c.run_at), conn
            )

    def run_summary(self, run_id: int) -> dict:
        """One run's whole summary (empty for runs recorded before summaries were kept)."""
        with self.engine.connect() as conn:
            text = conn.execute(
                sa.select(runs.c.summary_json).where(runs.c.run_id == run_id)
            ).scalar()
        return json.loads(text) if text else {}

    def board_digests(self, run_ids: list[int]) -> dict[int, dict]:
        """The digest of each run; runs recorded before v6 are digested from their stored
        summary now, and kept."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(run_board.c.run_id, run_board.c.board_json).where(
                    run_board.c.run_id.in_(run_ids)
                )
            ).all()
        found = {r.run_id: json.loads(r.board_json) for r in rows}
        for run_id in (r for r in run_ids if r not in found):
            found[run_id] = board_digest(self.run_summary(run_id))
            _keep(
                self.engine,
                run_board.insert().values(
                    run_id=run_id,
                    board_json=json.dumps(found[run_id], ensure_ascii=False, default=str),
                ),
            )
        return found

    def changes(self, pairs: list[tuple[int, int | None]]) -> dict[int, dict]:
        """For each (run, earlier run or None): findings, new, persisting, gone, by run id.
        A pair not counted yet is counted from the two runs' finding ids, and kept."""
        wanted = {run: previous or 0 for run, previous in pairs}
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(run_changes).where(run_changes.c.run_id.in_(list(wanted)))
            ).mappings()
            found = {
                r["run_id"]: dict(r) for r in rows if r["previous_run_id"] == wanted[r["run_id"]]
            }
        for run, previous in wanted.items():
            if run in found:
                continue
            with self.engine.connect() as conn:
                before = _ids(conn, previous) if previous else set()
                counts = _counts(_ids(conn, run), before, previous)
            _keep(self.engine, run_changes.insert().values(run_id=run, **counts))
            found[run] = {"run_id": run, **counts}
        return found

    def scores_of(self, run_ids: list[int]) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(scores).where(scores.c.run_id.in_(run_ids)), conn)

    def longest_overdue(self, run_id: int, limit: int = 20) -> pd.DataFrame:
        """The run's Error findings most days overdue first (at most `limit`)."""
        columns = ("finding_id", "child_id", "rule_id", "team", "days_overdue", "message")
        with self.engine.connect() as conn:
            return pd.read_sql(
                sa.select(*(findings.c[c] for c in columns))
                .where(
                    findings.c.run_id == run_id,
                    findings.c.severity == "Error",
                    findings.c.days_overdue.is_not(None),
                )
                .order_by(findings.c.days_overdue.desc(), findings.c.finding_id)
                .limit(limit),
                conn,
            )

    def runs_holding(self, finding_ids: set[str], run_ids: list[int]) -> pd.DataFrame:
        """(run_id, finding_id) for each of `finding_ids` raised by one of `run_ids`."""
        wanted = sorted(finding_ids)
        parts = []
        with self.engine.connect() as conn:
            for i in range(0, len(wanted), CHUNK):
                parts.append(
                    pd.read_sql(
                        sa.select(findings.c.run_id, findings.c.finding_id).where(
                            findings.c.finding_id.in_(wanted[i : i + CHUNK]),
                            findings.c.run_id.in_(run_ids),
                        ),
                        conn,
                    )
                )
        if not parts:
            return pd.DataFrame(columns=["run_id", "finding_id"])
        return pd.concat(parts, ignore_index=True)


def _keep(engine: sa.Engine, insert) -> None:
    """Keep what a board worked out; a board beside it that kept the same first is no loss."""
    try:
        with engine.begin() as conn:
            conn.execute(insert)
    except sa.exc.IntegrityError:
        pass


def _ids(conn: sa.Connection, run_id: int) -> set[str]:
    return set(
        conn.execute(sa.select(findings.c.finding_id).where(findings.c.run_id == run_id)).scalars()
    )
