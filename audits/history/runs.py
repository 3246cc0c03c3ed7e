"""Runs: what each `audit run` found, the checksums of what it read, and its scores."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from audits.history.schema import findings, run_inputs, runs, scores
from audits.output.written import sha256_of

SCORE_FIELDS = ("area", "team", "children_in_scope", "children_compliant", "score")


def records_of(frame: pd.DataFrame) -> list[dict]:
    """The frame's rows as dicts of plain Python values (None for missing), built a column at
    a time (`to_dict("records")` boxes every value one by one: seconds for 80,000 findings)."""
    columns = [
        frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns
    ]
    names = list(frame.columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


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
                )[[c.name for c in findings.columns]]
                conn.execute(findings.insert(), records_of(rows))
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

    def first_raised(self, finding_ids: pd.Series) -> pd.Series:
        """Month each finding was first raised in an earlier run (missing: new this run)."""
        with self.engine.connect() as conn:
            earlier = pd.read_sql(
                sa.select(
                    findings.c.finding_id, sa.func.min(findings.c.first_raised).label("first")
                ).group_by(findings.c.finding_id),
                conn,
            )
        return finding_ids.map(earlier.set_index("finding_id")["first"])

    def previous_run(self, as_at: dt.date) -> int | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(runs.c.run_id)
                .where(runs.c.as_at <= as_at.isoformat())
                .order_by(runs.c.as_at.desc(), runs.c.run_id.desc())
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

    def known_findings(self, finding_ids: set[str]) -> pd.DataFrame:
        """The latest stored rule, team and child of each of `finding_ids` that the store knows."""
        if not finding_ids:
            return pd.DataFrame(columns=["finding_id", "rule_id", "team", "child_id"])
        wanted = sorted(finding_ids)
        columns = [findings.c[c] for c in ("finding_id", "rule_id", "team", "child_id", "run_id")]
        with self.engine.connect() as conn:
            frame = pd.concat(
                [
                    pd.read_sql(
                        sa.select(*columns).where(findings.c.finding_id.in_(wanted[i : i + 5000])),
                        conn,
                    )
                    for i in range(0, len(wanted), 5000)
                ],
                ignore_index=True,
            )
        latest = frame.sort_values("run_id").drop_duplicates("finding_id", keep="last")
        return latest.drop(columns="run_id").reset_index(drop=True)

    def shown_findings(
        self, finding_ids: set[str], as_at: str | None, before: str | None
    ) -> pd.DataFrame:
        """The stored rows of `finding_ids` in the runs a returned workbook can show: the runs
        as at `as_at` (the workbook's own record of it), else the latest run before `before`
        (when it was saved). Columns as the `findings` table, plus `run_id`."""
        with self.engine.connect() as conn:
            if as_at:
                chosen = sa.select(runs.c.run_id).where(runs.c.as_at == as_at)
            else:
                chosen = (
                    sa.select(runs.c.run_id)
                    .where(runs.c.run_at <= (before or "9999"))
                    .order_by(runs.c.run_at.desc(), runs.c.run_id.desc())
                    .limit(1)
                )
            run_ids = list(conn.execute(chosen).scalars())
            wanted = sorted(finding_ids)
            parts = [
                pd.read_sql(
                    sa.select(findings).where(
                        findings.c.run_id.in_(run_ids),
                        findings.c.finding_id.in_(wanted[i : i + 5000]),
                    ),
                    conn,
                )
                for i in range(0, len(wanted), 5000)
                if run_ids
            ]
        if not parts:
            return pd.DataFrame(columns=[c.name for c in findings.columns])
        return pd.concat(parts, ignore_index=True)

    def run_summaries(self) -> pd.DataFrame:
        """run_id, as_at, month and the run's summary (a dict; empty for runs before v3)."""
        with self.engine.connect() as conn:
            frame = pd.read_sql(
                sa.select(runs.c.run_id, runs.c.as_at, runs.c.month, runs.c.summary_json), conn
            )
        frame["summary"] = [json.loads(s) if s else {} for s in frame.pop("summary_json")]
        return frame
