"""How a command's failure reaches the user: one paragraph and exit 1 for bad input or a broken
environment, a short "defect" paragraph (details in a local file) only for a failure of ours,
exit 130 on Ctrl+C, a quiet exit 141 when the program reading its output closes it; never a
traceback."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

import typer


@contextlib.contextmanager
def reported() -> Iterator[None]:
    """Bad input or a broken environment -> one paragraph and exit 1; anything unexpected ->
    `defect`; never a traceback. The reader's Rust panics (BaseException) are caught too."""
    from audits.core.errors import InputError

    try:
        yield
    except typer.Exit:
        raise
    except InputError as exc:
        fail(exc)
    except KeyboardInterrupt:
        typer.echo("Stopped (Ctrl+C); the previous outputs are as they were.", err=True)
        raise typer.Exit(code=130) from None
    except BrokenPipeError:
        _output_closed()
        raise typer.Exit(code=141) from None
    except BaseException as exc:  # noqa: BLE001 - sorted into input, environment, defect
        known = known_cause(exc)
        if known is None:
            if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                raise
            defect(exc)
        fail(known)


def _output_closed() -> None:
    """The program reading the command's output closed it (`audit ... | head`): nothing more can
    be said there, so the rest goes nowhere (no second error as Python ends) and the command
    ends quietly, with the status a shell gives a command whose pipe was closed (141). What it
    had done by then stands (an import is stored before its report is printed)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def known_cause(exc: BaseException):
    """The InputError a failure really is (disk, permissions, store, unreadable file), or None."""
    import sqlite3

    from audits.core.errors import EnvironmentProblem, environment_problem
    from audits.history.connect import store_problem

    if type(exc).__name__ == "PanicException":  # python-calamine's Rust reader gave up
        return EnvironmentProblem(
            f"The spreadsheet reader could not read a workbook in the export ({exc})",
            expected="an .xlsx workbook saved by Excel or the case system",
            action="Open the workbook in Excel, save it again as .xlsx (or save each list as "
            "CSV), and run it again",
        )
    if isinstance(exc, MemoryError):
        return EnvironmentProblem(
            "The computer ran out of memory reading the export",
            action="Close other programs, or save each list as a CSV file, and run it again",
        )
    if isinstance(exc, sqlite3.Error):
        return store_problem(exc)
    try:
        import sqlalchemy
    except ImportError:  # pragma: no cover
        sqlalchemy = None
    if sqlalchemy is not None and isinstance(exc, sqlalchemy.exc.DBAPIError):
        return store_problem(exc.orig or exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        return environment_problem(exc)
    return None


def fail(exc: Exception) -> None:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(code=1)


def defect(exc: Exception) -> None:
    """An unexpected failure: one paragraph for the user, the traceback to a local file."""
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile(
        "w", prefix="casefile-audit-error-", suffix=".txt", delete=False
    ) as fh:
        traceback.print_exception(exc, file=fh)
    typer.echo(
        f"Error: the audit stopped unexpectedly ({type(exc).__name__}: {exc}). This is a defect "
        f"in casefile-audit rather than in your export; no outputs were changed. The technical "
        f"details are in {fh.name} (it may quote values from the export: keep it on this machine).",
        err=True,
    )
    raise typer.Exit(code=1)
