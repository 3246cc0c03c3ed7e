"""One helper process beside the run, on the machine's second core.

Python runs one thread at a time (the GIL), so work that overlaps the main thread must run in
another process. The run starts one at its beginning ("spawn": a fresh interpreter, no copied
state) and hands it work that needs nothing from the main process but its arguments: importing
Great Expectations and validating the suites while the export is read (`audits.suites`), and
writing the team workbooks while audit.xlsx is written (`audits.pipeline.outputs.write_outputs`). The
process is reused by later runs in the same Python session. If it cannot start or dies, the
work is done in the main process instead (`run_here_if_lost`).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from audits.core import collector

_pool: ProcessPoolExecutor | None = None
_started = False  # the helper process has been started (by the first piece of work)
LOST = (BrokenProcessPool, RuntimeError, OSError)  # the process could not start, or died


def helper() -> ProcessPoolExecutor | None:
    """The helper process, started on first use (None where processes cannot be started)."""
    global _pool
    if _pool is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # the child inherits this
        try:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_in_helper,
            )
        except (OSError, ValueError):
            return None
    return _pool


def _in_helper() -> None:
    """Run first in the helper process. It holds nothing to save, so it ends without tearing
    down its modules (pandas, Great Expectations: most of a second, which the run would wait for
    at its end), and it ends with the process that started it."""
    atexit.register(os._exit, 0)
    collector.for_a_batch()
    _exit_with_parent()


def _exit_with_parent() -> None:
    """End as soon as the process that started it ends, however it ends (a run stopped with
    Ctrl+C or killed would otherwise leave the helper waiting for work forever)."""
    import threading
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def warm(module: str) -> None:
    """Import `module` (run in the helper first, so that it is ready when its work comes)."""
    importlib.import_module(module)


def running() -> bool:
    """Whether the helper process has been started (a run with suites starts it first thing)."""
    return _pool is not None


def forget() -> None:
    """Drop a helper that died; the next use starts a new one."""
    global _pool, _started
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool, _started = None, False


@contextlib.contextmanager
def _main_hidden() -> Iterator[None]:
    """A spawned process normally re-runs the parent's main script (unless it is guarded by
    `if __name__ == "__main__"`): a script that calls `audit()` would run twice. The helper
    needs nothing from that script, so it is started while `__main__` is an empty module."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def submit(fn: Callable[..., Any], *args: Any) -> Future | None:
    """Start `fn(*args)` in the helper; None when there is no helper (run it here then)."""
    pool = helper()
    if pool is None:
        return None
    global _started
    try:
        if _started:  # (possibly from another thread: `Shared` hands work from a callback)
            return pool.submit(fn, *args)
        with _main_hidden():  # the process starts with its first piece of work
            future = pool.submit(fn, *args)
        _started = True
        return future
    except LOST:
        forget()
        return None


class Shared:
    """`fn(*args)` for each of `calls`, shared between the helper and this process: the helper
    is handed them one at a time from the last (the next when it has done one), and `finish`
    (called when this process is free) runs here, from the first, each one the helper has not
    been handed, so neither waits for the other until they meet, whatever each call costs.
    (Handed all at once, two would be on their way to the helper at any time, and this process
    would wait for both at the end.) Without a helper, `finish` runs them all here."""

    def __init__(self, fn: Callable[..., Any], calls: list[tuple]) -> None:
        self.fn, self.calls = fn, calls
        self.futures: dict[int, Future] = {}
        self._lock = threading.Lock()
        self._helper_from = len(calls)  # the helper has been handed calls[_helper_from:]
        self._here_upto = 0  # this process has taken calls[:_here_upto]
        self._closed = False
        self._hand_next()

    def _hand_next(self, done: Future | None = None) -> None:
        """Hand the helper the last call nobody has taken, unless the one it just did failed
        (this process then reports it, in order) or the calls are finished."""
        if done is not None and (done.cancelled() or done.exception() is not None):
            return
        with self._lock:
            at = self._helper_from - 1
            if self._closed or at < self._here_upto:
                return
            future = submit(self.fn, *self.calls[at])
            if future is None:
                return
            self._helper_from = at
            self.futures[at] = future
        future.add_done_callback(self._hand_next)

    def finish(self) -> list:
        """Every call's result, in order; the first call in order that failed raises its error
        (whichever process ran it), and the helper is handed none after it."""
        results = []
        try:
            for i, args in enumerate(self.calls):
                with self._lock:
                    here = i < self._helper_from
                    if here:
                        self._here_upto = i + 1
                if here:
                    results.append(self.fn(*args))
                else:
                    results.append(run_here_if_lost(self.futures[i], self.fn, *args))
        finally:
            with self._lock:
                self._closed = True
            for future in self.futures.values():
                future.cancel()
        return results


def run_here_if_lost(future: Future | None, fn: Callable[..., Any], *args: Any) -> Any:
    """The result of `future`, or of `fn(*args)` run here if the helper was lost."""
    if future is not None:
        try:
            return future.result()
        except LOST:
            forget()
    return fn(*args)
