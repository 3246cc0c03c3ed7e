"""The `Store`: one history database, its schema kept current, and the jobs done on it."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from audits.history.aggregates import AggregatesStore
from audits.history.connect import exists, make_engine, no_store, store_problem, url_of
from audits.history.entries import EntriesStore, entries_of
from audits.history.ids import read_frame, wanted_ids
from audits.history.lapses import LapsesStore, lapses_of
from audits.history.practice import PracticeStore
from audits.history.runs import RunsStore
from audits.history.schema import (
    MIGRATIONS,
    entries,
    finding_history,
    metadata,
    now,
    schema_version,
    settings,
)

MIGRATION_LOCK = 0x43415345  # PostgreSQL advisory lock key for schema changes ("CASE")


class Store(RunsStore, EntriesStore, PracticeStore, AggregatesStore, LapsesStore):
    """One history database. `Store.open(None)` is `casefile-audit.sqlite` in the working folder;
    `Store.open(db, create=False)` refuses, naming where it looked, when there is none."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.migrate()

    @classmethod
    def open(cls, db: str | Path | None, *, create: bool = True) -> Store:
        if not create and not exists(db):
            raise no_store(db)
        return cls(make_engine(url_of(db)))

    @classmethod
    def opened_elsewhere(cls, url: str) -> Store:
        """The store another process of this command has opened, and so migrated (the helper
        reading it beside the command): used as it is, without taking the migrations' write
        lock."""
        store = cls.__new__(cls)
        store.engine = make_engine(url)
        return store

    def held_of_findings(
        self, finding_ids: Collection[str], entry_columns: list[str], workbooks: Collection[str]
    ) -> tuple[set[str], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """What an import needs of the findings named, read through one temporary table of their
        ids: those some stored run raised (by `finding_history`'s primary key), their stored
        entries (`entries_for`, the `entry_columns` named, in no order), the lapses held of them
        (`lapses`), and which of their fields hold entries from the `workbooks` named
        (finding_id, field, workbook_sha256)."""
        with self.engine.connect() as conn, wanted_ids(conn, finding_ids) as wanted:
            named = sa.select(wanted.c.finding_id)
            raised = finding_history.c.finding_id
            known = set(conn.execute(sa.select(raised).where(raised.in_(named))).scalars())
            from_these = sa.select(entries.c.finding_id, entries.c.field, entries.c.workbook_sha256)
            from_these = from_these.where(entries.c.finding_id.in_(named)).where(
                entries.c.workbook_sha256.in_(sorted(workbooks))
            )
            return (
                known,
                read_frame(conn, entries_of(named, entry_columns, ordered=False)),
                read_frame(conn, lapses_of(named)),
                read_frame(conn, from_these.distinct()),
            )

    @classmethod
    def existing(cls, db: str | Path | None) -> Store:
        """An existing store, or one clear paragraph on why it cannot be used."""
        try:
            return cls.open(db, create=False)
        except sa.exc.SQLAlchemyError as exc:
            raise store_problem(exc, db) from None

    @staticmethod
    def migrations() -> list[tuple[int, Callable[[sa.Connection], None]]]:
        return MIGRATIONS

    def migrate(self) -> None:
        with self.engine.connect() as conn:
            conn.info["write_lock"] = True  # SQLite: BEGIN IMMEDIATE, so two first runs queue
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
                schema_version.create(conn, checkfirst=True)
                done = {r.version for r in conn.execute(sa.select(schema_version.c.version))}
                for version, step in MIGRATIONS:
                    if version not in done:
                        step(conn)
                        conn.execute(
                            schema_version.insert().values(version=version, applied_at=now())
                        )
            conn.info.pop("write_lock", None)

    @property
    def version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0)

    def pseudonym_key(self) -> bytes:
        """The key of the board's keyed pseudonyms, made once and kept in the store."""
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(settings.c.value).where(settings.c.key == "pseudonym_key")
            ).first()
            if row is None:
                value = secrets.token_hex(32)
                conn.execute(settings.insert().values(key="pseudonym_key", value=value))
                return bytes.fromhex(value)
            return bytes.fromhex(row.value)

    def table(self, name: str) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(metadata.tables[name]), conn)
