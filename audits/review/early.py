"""The run a large import's returns show, read by the helper process once it has read its share
of them (`audit moderate`): while it reads the run's findings and makes them comparable, this
process reads the stored entries and lapses of the returns' findings (`moderation.held_of`),
then compares every export cell with the run (`return_checks.typed_over`).
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

from audits.core import helper
from audits.history import Store
from audits.output.reviewed import open_return
from audits.review.return_checks import COMPARED, Versions, stored_as_shown
from audits.review.returned import Reading


def read_early(reading: Reading, store: Store) -> Future | None:
    """Ask the helper process, as its next work once it has read its share of the returns, for
    the findings of the runs they show, made comparable (`shown_versions`): it reads them while
    this process reads the stored entries of the returns' findings (`moderation.held_of`). Only
    for an import the two processes share (`reading.shared`), and a store in a file or a
    server. (Asked before the reading, it would take that time from reading: no gain.)"""
    url = store.engine.url
    if reading.shared is None or url.database in (None, "", ":memory:"):
        return None
    return helper.submit(shown_versions, url.render_as_string(hide_password=False), reading.paths)


def early_versions(future: Future | None) -> Versions:
    """What `read_early` read, or nothing (the comparison then reads the store itself): the
    helper lost, or anything it could not read is read again here, where a fault is reported."""
    if future is None:
        return {}
    try:
        return future.result()
    except helper.LOST:
        helper.forget()
    except Exception:  # noqa: BLE001 - read again in this process, which reports what fails
        pass
    return {}


def shown_versions(url: str, paths: list[Path]) -> Versions:
    """Every finding of each run the returns show (by their as-at property, else when they were
    saved), as the writers showed them (`_stored_as_shown`); run in the helper process. A
    return that cannot be opened is left to the reading, which names what is wrong with it."""
    store = Store.opened_elsewhere(url)
    try:
        shows = set()
        for path in paths:
            try:
                book = open_return(path, written_by="audit run")
            except Exception:  # noqa: BLE001 - named when the returns are read
                continue
            shows.add(store.shown_runs(book.as_at, book.saved_at))
        return {
            runs: stored_as_shown(store.shown_findings(None, runs, list(COMPARED.values())))
            for runs in shows
            if runs
        }
    finally:
        store.engine.dispose()
