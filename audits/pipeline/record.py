"""The history store as a run uses it: opened before the run (the default store is optional),
and the run recorded in it after the outputs are published."""

from __future__ import annotations

from collections.abc import Callable

from audits.history import DEFAULT_DB, Store
from audits.pipeline.audit import AuditRun


def open_store(db: str | None, note: Callable[[str], None]) -> Store | None:
    """The history store. The default one (a file in the working folder) is optional: if it
    cannot be opened there, the audit still runs and `note` says that it kept no history. A
    store named with --db must work."""
    import sqlite3

    import sqlalchemy

    from audits.history.connect import store_problem

    try:
        return Store.open(db)
    except (sqlalchemy.exc.SQLAlchemyError, sqlite3.Error, OSError) as exc:
        if db is not None:
            cause = exc.orig if isinstance(exc, sqlalchemy.exc.DBAPIError) else exc
            raise store_problem(cause or exc, db) from None
        note(f"Note: no history kept ({DEFAULT_DB} cannot be written here: {exc}).")
        return None


def record(store: Store, db: str | None, run: AuditRun, note: Callable[[str], None]) -> None:
    """The run, its findings and its inputs' checksums into the store; a store named with --db
    that refuses them is an error (the outputs stand), the default one only a note."""
    import sqlite3

    import sqlalchemy

    from audits.core.errors import EnvironmentProblem
    from audits.history.connect import store_problem

    try:
        store.record_run(run.summary, run.result.findings, run.ctx.export.files)
    except (sqlalchemy.exc.SQLAlchemyError, sqlite3.Error) as exc:
        if db is not None:
            cause = store_problem(
                exc.orig if isinstance(exc, sqlalchemy.exc.DBAPIError) else exc, db
            )
            raise EnvironmentProblem(
                f"{cause.problem}, so the run was not recorded there (the outputs were written)",
                file=db,
                action=cause.action,
            ) from None
        note(f"Note: the run was not recorded in the history store ({exc}).")
