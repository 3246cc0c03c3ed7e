"""What the helper process does beside this one once a large import's returns are read (`audit
moderate`): it reads what the store holds of the returns' findings (`moderation.held_for`) and
decides what their entries add (`moderation.decide`), while this process compares the returns'
export cells with the runs they show (`moderation.check_against_store`). Both read the store;
only this process writes to it, once both are done.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace

import pandas as pd

from audits.core import helper
from audits.history import Store
from audits.review.moderation import Decided, decide, held_for, incoming_of
from audits.review.returned import Return

Beside = tuple[pd.DataFrame | None, Decided]  # the lapses held of the findings; what is added


def decide_beside(returns: list[Return], store: Store) -> Future | None:
    """Ask the helper process, when it shares this import, to decide what the returns add
    (`decided_elsewhere`); None when it does not (or the store is in memory)."""
    url = store.engine.url
    if not helper.running() or url.database in (None, "", ":memory:"):
        return None
    secret = url.render_as_string(hide_password=False)
    entries = [replace(r, shown=pd.DataFrame(), problems=[]) for r in returns]  # what it needs
    return helper.submit(decided_elsewhere, secret, entries)


def decided_elsewhere(url: str, returns: list[Return]) -> Beside:
    """`decided_here`, in the helper process, from the store the command has just opened (and
    so migrated)."""
    store = Store.opened_elsewhere(url)
    try:
        return decided_here(incoming_of(returns), store)
    finally:
        store.engine.dispose()


def decided_here(incoming: pd.DataFrame, store: Store) -> Beside:
    """The lapses held of the returns' findings (the import records its own beside them) and
    what the returns' entries (`moderation.incoming_of`) add."""
    held = held_for(store, incoming)
    return held.lapses, decide(incoming, held)


def decided_beside(future: Future | None, returns: list[Return], store: Store) -> Beside:
    """What `decide_beside` asked for; or, when it asked nothing or the helper could not
    answer, the same decided here (where any fault of the store is reported)."""
    if future is not None:
        try:
            return future.result()
        except helper.LOST:
            helper.forget()
        except Exception:  # noqa: BLE001 - decided again here, which reports what fails
            pass
    return decided_here(incoming_of(returns), store)
