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
import re
import time
import weakref
from pathlib import Path

import sqlalchemy as sa

from audits.core.errors import EnvironmentProblem, InputError

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
    try:
        url = sa.engine.make_url(url_of(db))
    except (sa.exc.ArgumentError, ValueError):
        return hidden_password(url_of(db))
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


def hidden_password(url: str) -> str:
    """A URL as text with any password replaced by ***, even one SQLAlchemy cannot parse."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def parse_url(url: str) -> sa.URL:
    """The --db URL, or one paragraph on why it cannot be read (never showing the password)."""
    try:
        return sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError) as exc:
        why = (
            "its port is not a number"
            if isinstance(exc, ValueError) and "int()" in str(exc)
            else "it is not in the form kind+driver://user:password@host:port/database"
        )
        raise EnvironmentProblem(
            f"The database URL given with --db cannot be read: {why}",
            file=hidden_password(url),
            expected="a SQLite file path, or a URL such as "
            "postgresql+psycopg://user:password@host:5432/casefile",
            action="Correct the URL given with --db",
        ) from None


def create_engine(url: str, **options) -> sa.Engine:
    """`sqlalchemy.create_engine`, with a database kind or driver that is not installed here
    named as such (an environment problem, never a defect), the password never shown."""
    parsed = parse_url(url)
    try:
        return sa.create_engine(parsed, **options)
    except sa.exc.NoSuchModuleError:
        raise EnvironmentProblem(
            f"The database kind '{parsed.drivername}' named by --db is not one SQLAlchemy knows",
            file=where(url),
            expected="sqlite, postgresql (postgresql+psycopg://...) or another SQLAlchemy dialect",
            action="Check the part of the --db URL before '://'",
        ) from None
    except ImportError as exc:
        module = exc.name or parsed.get_driver_name()
        raise EnvironmentProblem(
            f"The database driver '{module}' that the --db URL asks for "
            f"({parsed.drivername}) is not installed",
            file=where(url),
            expected="a URL whose driver is installed: the tool installs psycopg for "
            "PostgreSQL (postgresql+psycopg://...), and SQLite needs none",
            action=f"Use postgresql+psycopg:// in the URL, or install '{module}' into the tool's "
            "Python environment (pip install)",
        ) from None


_ENGINES: weakref.WeakSet[sa.Engine] = weakref.WeakSet()  # every store this process opened


def make_engine(url: str) -> sa.Engine:
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
        _ENGINES.add(engine)
        return engine
    timeout = busy_timeout()
    engine = create_engine(url, connect_args={"timeout": timeout})
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
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return bool(parsed.database) and Path(parsed.database).is_file()
    engine = create_engine(url)
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


def store_problem(exc: BaseException, db: str | Path | None = None) -> InputError:
    """A store that exists but cannot be used (damaged, read-only, busy, full, unreachable):
    named as such, with what to do. The one description of a store's problems, for the store
    itself and for the command line's last line of defence (`audits.cli.report`)."""
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
    elif "disk" in lowered and "full" in lowered:
        problem, action = (
            "The history store cannot be written: the disk is full",
            "Free some space on that disk",
        )
    elif "unable to open" in lowered or "no such" in lowered:
        problem, action = (
            "The history store cannot be opened",
            "Check the --db path and that its folder exists",
        )
    else:
        problem, action = (
            f"The history store cannot be used ({type(exc).__name__}: {hidden_password(text)})",
            "Check the file or URL given with --db and that the database server is reachable",
        )
    place = where(db) if db is not None else "the history store (--db; default " + DEFAULT_DB + ")"
    return EnvironmentProblem(problem, file=place, action=action)
