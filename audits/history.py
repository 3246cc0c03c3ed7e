"""The history store: runs, their inputs' checksums, findings, scores and moderation decisions.

SQLite in the working folder by default (`casefile-audit.sqlite`); any SQLAlchemy URL (for
example `postgresql+psycopg://...`) for a shared team server. The schema is created and migrated
by the tool: each migration runs once and is recorded in `schema_version`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

DEFAULT_DB = "casefile-audit.sqlite"
CARRIED_DECISION = "Disagree — recording is correct"

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
    sa.UniqueConstraint("month", "child_id", name="one_audit_per_child_and_month"),
)
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


V1_TABLES = ("runs", "run_inputs", "findings", "scores", "decisions", "settings")


def _v1(conn: sa.Connection) -> None:
    metadata.create_all(conn, tables=[metadata.tables[t] for t in V1_TABLES])


def _v2(conn: sa.Connection) -> None:
    """Practice audits (cases chosen for human audit, and their grades)."""
    practice_audits.create(conn)


def _v3(conn: sa.Connection) -> None:
    """Each run keeps its whole summary (indicators, warnings, actions) for the board.
    (A store created at v3 or later already has the column from `metadata`.)"""
    if "summary_json" not in {c["name"] for c in sa.inspect(conn).get_columns("runs")}:
        conn.execute(sa.text("ALTER TABLE runs ADD COLUMN summary_json TEXT"))


MIGRATIONS: list[tuple[int, Callable[[sa.Connection], None]]] = [(1, _v1), (2, _v2), (3, _v3)]


def now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Store:
    """One history database; `Store.open(None)` is the SQLite file in the working folder."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.migrate()

    @classmethod
    def open(cls, db: str | Path | None) -> Store:
        url = str(db) if db is not None else DEFAULT_DB
        if "://" not in url:
            url = f"sqlite:///{Path(url).resolve()}"
        return cls(sa.create_engine(url))

    def migrate(self) -> None:
        with self.engine.begin() as conn:
            schema_version.create(conn, checkfirst=True)
            done = {row.version for row in conn.execute(sa.select(schema_version.c.version))}
            for version, step in MIGRATIONS:
                if version not in done:
                    step(conn)
                    conn.execute(schema_version.insert().values(version=version, applied_at=now()))

    @staticmethod
    def migrations() -> list[tuple[int, Callable[[sa.Connection], None]]]:
        return MIGRATIONS

    @property
    def version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0)

    # --- keyed pseudonyms for the board pack ------------------------------------------------------
    def pseudonym_key(self) -> bytes:
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(settings.c.value).where(settings.c.key == "pseudonym_key")
            ).first()
            if row is None:
                value = secrets.token_hex(32)
                conn.execute(settings.insert().values(key="pseudonym_key", value=value))
                return bytes.fromhex(value)
            return bytes.fromhex(row.value)

    # --- runs ---------------------------------------------------------------------------------------
    def carried_decisions(self) -> set[str]:
        """Finding ids moderated 'Disagree — recording is correct' (latest decision per finding)."""
        latest = self.latest_decisions()
        return set(latest.loc[latest["decision"] == CARRIED_DECISION, "finding_id"])

    def latest_decisions(self) -> pd.DataFrame:
        with self.engine.connect() as conn:
            frame = pd.read_sql(sa.select(decisions).order_by(decisions.c.imported_at), conn)
        return frame.drop_duplicates("finding_id", keep="last")

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

    def record_run(self, summary: dict, frame: pd.DataFrame, inputs: list[Path]) -> int:
        """Store the run, its inputs' checksums, its findings and its scores in one transaction."""
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
            conn.execute(
                run_inputs.insert(),
                [{"run_id": run_id, "file": str(p), "sha256": sha256_of(p)} for p in inputs],
            )
            if len(frame):
                rows = frame.assign(
                    run_id=run_id,
                    due_date=pd.to_datetime(frame["due_date"]).dt.strftime("%Y-%m-%d"),
                    days_overdue=frame["days_overdue"].astype("Int64"),
                )[[c.name for c in findings.columns]]
                records = rows.astype(object).where(rows.notna(), None).to_dict("records")
                conn.execute(findings.insert(), records)
            score_rows = [
                {
                    "run_id": run_id,
                    **{
                        k: s[k]
                        for k in (
                            "area",
                            "team",
                            "children_in_scope",
                            "children_compliant",
                            "score",
                        )
                    },
                }
                for s in [*summary["scores"]["by_area"], *summary["scores"]["by_team"]]
            ]
            if score_rows:
                conn.execute(scores.insert(), score_rows)
        return int(run_id)

    # --- moderation -----------------------------------------------------------------------------------
    def store_decisions(self, frame: pd.DataFrame, workbook: Path, digest: str) -> int:
        """Replace this workbook's decisions (re-importing the same file changes nothing)."""
        stamp = now()
        with self.engine.begin() as conn:
            conn.execute(decisions.delete().where(decisions.c.workbook_sha256 == digest))
            records = frame.assign(
                workbook=str(workbook), workbook_sha256=digest, imported_at=stamp
            )
            records = records[[c.name for c in decisions.columns]]
            rows = records.astype(object).where(records.notna(), None).to_dict("records")
            if rows:
                conn.execute(decisions.insert(), rows)
        return len(frame)

    def known_finding_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(findings.c.finding_id).distinct()).scalars())

    # --- practice audits ---------------------------------------------------------------------------------
    def recently_audited(self, month: str, months: int) -> set[str]:
        """Children chosen for practice audit in the `months` months before `month`."""
        year, mon = map(int, month.split("-"))
        first = year * 12 + mon - 1 - months
        since = f"{first // 12:04d}-{first % 12 + 1:02d}"
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(practice_audits.c.child_id).where(
                    practice_audits.c.month >= since, practice_audits.c.month < month
                )
            )
            return set(rows.scalars())

    def record_sample(self, month: str, sample: pd.DataFrame) -> None:
        with self.engine.begin() as conn:
            conn.execute(practice_audits.delete().where(practice_audits.c.month == month))
            conn.execute(
                practice_audits.insert(),
                [
                    {
                        "month": month,
                        "child_id": r.child_id,
                        "team": r.team,
                        "reason": r.reason,
                        "selected_at": now(),
                    }
                    for r in sample.itertuples(index=False)
                ],
            )

    def record_grades(self, month: str, grades: pd.DataFrame, digest: str) -> None:
        """Store the grades of a practice-audit workbook (re-importing it changes nothing new)."""
        stamp = now()
        with self.engine.begin() as conn:
            for r in grades.itertuples(index=False):
                values = {
                    "auditor": r.auditor,
                    "auditor_grade": r.auditor_grade,
                    "moderator_grade": r.moderator_grade,
                    "escalate": bool(r.escalate),
                    "workbook_sha256": digest,
                    "imported_at": stamp,
                }
                updated = conn.execute(
                    practice_audits.update()
                    .where(
                        practice_audits.c.month == month, practice_audits.c.child_id == r.child_id
                    )
                    .values(**values)
                ).rowcount
                if not updated:
                    conn.execute(
                        practice_audits.insert().values(
                            month=month,
                            child_id=r.child_id,
                            team=r.team,
                            reason="",
                            selected_at=stamp,
                            **values,
                        )
                    )

    # --- board ------------------------------------------------------------------------------------------
    def run_summaries(self) -> pd.DataFrame:
        """run_id, as_at, month and the run's summary (a dict; empty for runs before v3)."""
        with self.engine.connect() as conn:
            frame = pd.read_sql(
                sa.select(runs.c.run_id, runs.c.as_at, runs.c.month, runs.c.summary_json), conn
            )
        frame["summary"] = [json.loads(s) if s else {} for s in frame.pop("summary_json")]
        return frame

    def table(self, name: str) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(metadata.tables[name]), conn)
