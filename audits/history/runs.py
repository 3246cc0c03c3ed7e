"""Runs: what each `audit run` found, the checksums of what it read, and its scores."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from audits.history.ids import execute_many, insert_frame, plain_values, read_frame, wanted_ids
from audits.history.schema import finding_history, findings, run_inputs, runs, scores
from audits.ingest.keys import member
from audits.output.shown import shown_digest, stored_as_shown
from audits.output.written import sha256_of

SCORE_FIELDS = ("area", "team", "children_in_scope", "children_compliant", "score")


class RunsStore:
    engine: sa.Engine

    def record_run(self, summary: dict, frame: pd.DataFrame, inputs: list[Path]) -> int:
        """Store the run, its inputs' checksums, its findings and its scores in one transaction."""
        checksums = [{"file": str(p), "sha256": sha256_of(p)} for p in inputs]
        with self.engine.begin() as conn:
            run_id = conn.execute(
                runs.insert().values(
                    as_at=summary["as_at"],
                    month=summary["as_at"][:7],
                    run_at=summary["run_at"],
                    export=summary["export"],
                    tool_version=summary["version"],
                    findings_total=len(frame),
                    suppressed=summary.get("carried_forward", {}).get("suppressed", 0),
                    summary_json=json.dumps(summary, ensure_ascii=False, default=str),
                )
            ).inserted_primary_key[0]
            if checksums:
                conn.execute(run_inputs.insert(), [{"run_id": run_id, **c} for c in checksums])
            if len(frame):
                rows = frame.assign(
                    run_id=run_id,
                    due_date=pd.to_datetime(frame["due_date"]).dt.strftime("%Y-%m-%d"),
                    days_overdue=frame["days_overdue"].astype("Int64"),
                )[[c.name for c in findings.columns if c.name != "shown_digest"]]
                rows["shown_digest"] = _digests(rows)
                # in the order of the index on finding_id: each of its pages is visited once,
                # however large the table has grown (random order visits one per finding)
                rows = rows.sort_values("finding_id", kind="stable")
                insert_frame(conn, findings, rows)
            _remember_first(conn, frame, summary["as_at"])
            score_rows = [
                {"run_id": run_id, **{k: s[k] for k in SCORE_FIELDS}}
                for s in [*summary["scores"]["by_area"], *summary["scores"]["by_team"]]
            ]
            if score_rows:
                conn.execute(scores.insert(), score_rows)
            self.record_aggregates(  # type: ignore[attr-defined]  (AggregatesStore, in Store)
                conn, run_id, summary["as_at"][:7], summary, frame.get("finding_id", pd.Series())
            )
        return int(run_id)

    def first_raised(self, finding_ids: pd.Series, previous: int | None = None) -> pd.DataFrame:
        """When each finding was first raised by an earlier run: `month` (YYYY-MM) and `as_at`
        (ISO), missing for a finding new this run. Read by primary key: the findings of the
        `previous` run (most of a month's, when given) by that run's index, the others id by
        id."""
        history = [finding_history.c[c] for c in ("finding_id", "first_raised", "first_as_at")]
        wanted_here = finding_ids.dropna()
        with self.engine.connect() as conn:
            parts = []
            if previous is not None:
                persisting = sa.select(*history).join(
                    findings, findings.c.finding_id == finding_history.c.finding_id
                )
                parts.append(read_frame(conn, persisting.where(findings.c.run_id == previous)))
                wanted_here = wanted_here[~member(wanted_here, parts[0]["finding_id"])]
            with wanted_ids(conn, wanted_here) as wanted:
                query = sa.select(*history).where(  # looked up by the primary key, id by id
                    finding_history.c.finding_id.in_(sa.select(wanted.c.finding_id))
                )
                parts.append(read_frame(conn, query))
        known = pd.concat(parts, ignore_index=True).drop_duplicates("finding_id")
        aligned = known.set_index("finding_id").reindex(finding_ids.astype(object).to_numpy())
        return pd.DataFrame(
            {
                "month": aligned["first_raised"].to_numpy(dtype=object),
                "as_at": aligned["first_as_at"].to_numpy(dtype=object),
            },
            index=finding_ids.index,
        )

    def previous_run(self, as_at: dt.date) -> int | None:
        """The run this one is compared with: the latest run of the latest month before this
        one (as the board compares month with month), so a second run of a month counts what
        changed since the month before, not since the first run of the same month."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(runs.c.run_id)
                .where(runs.c.month < as_at.strftime("%Y-%m"))
                .order_by(runs.c.month.desc(), runs.c.as_at.desc(), runs.c.run_id.desc())
                .limit(1)
            ).first()
        return row.run_id if row else None

    def run_finding_ids(self, run_id: int) -> set[str]:
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    sa.select(findings.c.finding_id).where(findings.c.run_id == run_id)
                ).scalars()
            )

    def summary_as_at(self, as_at: str) -> dict | None:
        """The summary of the latest run for an as-at date (ISO), or None (`run_summary` reads
        one run's by its id)."""
        with self.engine.connect() as conn:
            text = conn.execute(
                sa.select(runs.c.summary_json)
                .where(runs.c.as_at == as_at)
                .order_by(runs.c.run_id.desc())
                .limit(1)
            ).scalar()
        return json.loads(text) if text else None

    def latest_as_at(self) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.max(runs.c.as_at))).scalar()

    def shown_runs(self, as_at: str | None, before: str | None) -> tuple[int, ...]:
        """The runs a returned workbook can show: those as at `as_at` (the workbook's own record
        of it), else the latest run before `before` (when it was saved)."""
        if as_at:
            chosen = sa.select(runs.c.run_id).where(runs.c.as_at == as_at)
        else:
            chosen = (
                sa.select(runs.c.run_id)
                .where(runs.c.run_at <= (before or "9999"))
                .order_by(runs.c.run_at.desc(), runs.c.run_id.desc())
                .limit(1)
            )
        with self.engine.connect() as conn:
            return tuple(sorted(conn.execute(chosen).scalars()))

    def shown_findings(
        self, finding_ids: Collection[str] | None, run_ids: tuple[int, ...], columns: list[str]
    ) -> pd.DataFrame:
        """The stored rows of `finding_ids` (None: every finding) in the runs `run_ids`
        (`shown_runs`): `run_id`, `finding_id` and the `columns` of the `findings` table named.
        Read by the index on `run_id` when the ids are half the runs' findings or more (every
        team's return: the run whole, then the ids kept), else by the index on `finding_id`;
        whatever the store's size."""
        names = ["run_id", "finding_id", *(c for c in columns if c not in ("run_id", "finding_id"))]
        if not run_ids or (finding_ids is not None and not len(finding_ids)):
            return pd.DataFrame(columns=names)
        chosen = sa.select(*(findings.c[n] for n in names)).where(
            findings.c.run_id.in_(list(run_ids))
        )
        with self.engine.connect() as conn:
            if finding_ids is None:
                return read_frame(conn, chosen)
            held = conn.execute(
                sa.select(sa.func.count()).where(findings.c.run_id.in_(list(run_ids)))
            ).scalar_one()
            if 2 * len(finding_ids) >= held:
                frame = read_frame(conn, chosen)
                return frame[member(frame["finding_id"], finding_ids)].reset_index(drop=True)
            with wanted_ids(conn, finding_ids) as wanted:
                query = chosen.where(findings.c.finding_id.in_(sa.select(wanted.c.finding_id)))
                return read_frame(conn, query)

    def shown_digests(self, run_ids: tuple[int, ...]) -> pd.DataFrame:
        """`run_id` and `shown_digest` (int64) of every finding of the runs `run_ids` recorded
        with one (since v9), by the index on `run_id`: what an import matches its returned rows
        with (`audits.output.shown`)."""
        query = (
            sa.select(findings.c.run_id, findings.c.shown_digest)
            .where(findings.c.run_id.in_(list(run_ids)))
            .where(findings.c.shown_digest.is_not(None))
        )
        with self.engine.connect() as conn:
            frame = read_frame(conn, query)
        return frame.astype("int64")

    def run_summaries(self) -> pd.DataFrame:
        """run_id, as_at, month and the run's summary (a dict; empty for runs before v3)."""
        with self.engine.connect() as conn:
            frame = pd.read_sql(
                sa.select(runs.c.run_id, runs.c.as_at, runs.c.month, runs.c.summary_json), conn
            )
        frame["summary"] = [json.loads(s) if s else {} for s in frame.pop("summary_json")]
        return frame


def _digests(rows: pd.DataFrame) -> pd.Series:
    """Each finding's `shown_digest`, from its values as the database gives them back (text or
    None; `audits.output.shown`), so that the digest of the stored row is the one recorded."""
    values = dict(zip(rows.columns, plain_values(rows), strict=True))
    stored = pd.DataFrame(values, index=rows.index, dtype=object)
    return pd.Series(shown_digest(stored_as_shown(stored)), index=rows.index)


def _remember_first(conn: sa.Connection, frame: pd.DataFrame, as_at: str) -> None:
    """Add this run's findings to `finding_history` (a finding already there keeps the earlier of
    its first dates): one upsert statement, run by the driver (SQLite and PostgreSQL share its
    syntax), in the primary key's order."""
    if not len(frame):
        return
    ids = frame["finding_id"].to_numpy(dtype=object)
    months = (
        frame["first_raised"].astype(str).str[:7].to_numpy(dtype=object)
        if "first_raised" in frame
        else [as_at[:7]] * len(frame)
    )
    rows = sorted(
        {str(i): (str(i), str(m), as_at) for i, m in zip(ids, months, strict=True)}.values()
    )
    table = finding_history.name
    earlier = "CASE WHEN excluded.{0} < {1}.{0} THEN excluded.{0} ELSE {1}.{0} END"
    execute_many(
        conn,
        f"INSERT INTO {table} (finding_id, first_raised, first_as_at) VALUES ({{}}) "
        f"ON CONFLICT (finding_id) DO UPDATE SET "
        f"first_raised = {earlier.format('first_raised', table)}, "
        f"first_as_at = {earlier.format('first_as_at', table)}",
        rows,
    )
