"""What the helper process reads beside this one once a large import's returns are read (`audit
moderate`): what the store holds of the returns' findings (`moderation.held_for`: their
entries and lapses), while this process compares the returns' export cells with the runs they
show (`moderation.check_against_store`). This process then decides what each return adds and
stores it; the helper only reads.
"""

from __future__ import annotations

from concurrent.futures import Future

from audits.core import helper
from audits.history import Store
from audits.review.moderation import Held, findings_in, held_for, held_of
from audits.review.returned import Return


def read_beside(returns: list[Return], store: Store) -> Future | None:
    """Ask the helper process, when it shares this import, for what the store holds of the
    returns' findings (`held_elsewhere`); None when it does not (or the store is in memory)."""
    url = store.engine.url
    if not helper.running() or url.database in (None, "", ":memory:"):
        return None
    findings = findings_in(returns)
    if not findings:
        return None
    secret = url.render_as_string(hide_password=False)
    return helper.submit(held_elsewhere, secret, findings, [r.sha256 for r in returns])


def held_elsewhere(url: str, findings: list[str], workbooks: list[str]) -> Held:
    """`held_for` the findings, in the helper process, from the store the command has just
    opened (and so migrated), its text as Arrow strings (`Held.as_text`)."""
    store = Store.opened_elsewhere(url)
    try:
        return held_for(store, findings, workbooks).as_text()
    finally:
        store.engine.dispose()


def held_beside(future: Future | None, returns: list[Return], store: Store) -> Held:
    """What `read_beside` read; or, when it asked nothing or the helper could not answer, the
    same read here (where any fault of the store is reported)."""
    if future is not None:
        try:
            return future.result()
        except helper.LOST:
            helper.forget()
        except Exception:  # noqa: BLE001 - read again here, which reports what fails
            pass
    return held_of(returns, store)
