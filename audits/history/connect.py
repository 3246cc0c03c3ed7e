"""Finding and opening the history store: a SQLite file (the default) or a SQLAlchemy URL.

Only `audit run` creates a store. Every other command opens an existing one and, when there is
none, says where it looked and how to point at the right one. SQLite runs in WAL mode with a busy
timeout, so two runs at once on one store are both recorded; schema migrations take the write
lock (SQLite `BEGIN IMMEDIATE`, a PostgreSQL advisory lock) so two first runs cannot collide.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
import weakref
from pathlib import Path

import sqlalchemy as sa

from audits.core.errors import InputError

DEFAULT_DB = "casefile-audit.sqlite"
BUSY_TIMEOUT_SECONDS = 60  # how long a run waits for another to release the store
BUSY_TIMEOUT_VARIABLE = "CASEFILE_AUDIT_BUSY_TIMEOUT"  # seconds, to wait longer or (tests) less


def busy_timeout() -> float:
    """Seconds to wait for a store another run holds: `CASEFILE_AUDIT_BUSY_TIMEOUT` when set to
    a number from 0.1 to 3600, else 60."""
    text = os.environ.get(BUSY_TIMEOUT_VARIABLE, "").strip()
    if not text:
        return BUSY_TIMEOUT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0.1 <= seconds <= 3600:  # NaN fails too
        raise InputError(
            f"{BUSY_TIMEOUT_VARIABLE} is '{text}', not a number of seconds from 0.1 to 3600",
            expected=f"{BUSY_TIMEOUT_VARIABLE}=60 (the default), or unset it",
        )
    return seconds


def url_of(db: str | Path | None) -> str:
    text = str(db) if db is not None else DEFAULT_DB
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def where(db: str | Path | None) -> str:
    """The store's location as a person would look for it (a file path, or the URL sans password)."""
    url = sa.engine.make_url(url_of(db))
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


_ENGINES: weakref.WeakSet[sa.Engine] = weakref.WeakSet()  # every store this process opened


def make_engine(url: str) -> sa.Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = sa.create_engine(url, pool_pre_ping=True)
        _ENGINES.add(engine)
        return engine
    timeout = busy_timeout()
    engine = sa.create_engine(url, connect_args={"timeout": timeout})
    _ENGINES.add(engine)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {round(timeout * 1000)}")
        if parsed.database and parsed.database != ":memory:":
            _wal(cursor)
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write_lock") else "BEGIN")

    return engine


def close_all() -> None:
    """Close every store connection this process opened. SQLite folds its write-ahead log back
    into the store file (removing the -wal and -shm files beside it) when the last connection
    closes: a copy of the .sqlite file alone then holds every run."""
    for engine in list(_ENGINES):
        # at exit: a store that cannot be closed keeps its log, which SQLite replays on the next
        # open; the run has already said what went wrong, if anything (never a traceback here)
        with contextlib.suppress(Exception):
            engine.dispose()


def _wal(cursor) -> None:
    """Switch the file to WAL. Two processes creating one store at the same moment can both ask;
    SQLite answers 'locked' at once rather than waiting, so ask again until the timeout."""
    import sqlite3

    deadline = time.monotonic() + busy_timeout()
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def exists(db: str | Path | None) -> bool:
    url = url_of(db)
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return bool(parsed.database) and Path(parsed.database).is_file()
    engine = sa.create_engine(url)
    try:
        return sa.inspect(engine).has_table("runs")
    finally:
        engine.dispose()


def no_store(db: str | Path | None) -> InputError:
    here = "the default in the working folder" if db is None else "named by --db"
    return InputError(
        f"No history store was found at {where(db)} ({here}). Only `audit run` creates one",
        expected="the store your `audit run` recorded into",
        action=(
            "Run this command in the folder where you run `audit run`, or point at that store "
            "with --db PATH (or --db URL for a shared database)"
        ),
    )


def _waited() -> str:
    seconds = busy_timeout()
    return "a minute" if seconds == 60 else f"{seconds:g} seconds"


def store_problem(exc: BaseException, db: str | Path | None) -> InputError:
    """A store that exists but cannot be used: named as such, with what to do."""
    text = str(getattr(exc, "orig", None) or exc)
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered or "permission" in lowered:
        problem, action = (
            "The history store cannot be written (it is read-only)",
            "Make the file (and its folder) writable, or copy it somewhere you can write",
        )
    elif "locked" in lowered or "busy" in lowered:
        problem, action = (
            f"The history store is busy (another run held it for more than {_waited()})",
            "Try again when the other run has finished",
        )
    elif "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        problem, action = (
            "The history store is damaged or is not a casefile-audit store",
            "Restore it from a backup, or point --db at the right file",
        )
    else:
        problem, action = (
            f"The history store cannot be used ({type(exc).__name__}: {text})",
            "Check the file or URL given with --db and that the database server is reachable",
        )
    return InputError(problem, file=where(db), action=action)
