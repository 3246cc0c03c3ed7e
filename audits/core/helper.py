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
import types
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from audits.core import collector

_pool: ProcessPoolExecutor | None = None
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
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None


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
    try:
        with _main_hidden():  # the process starts with its first piece of work
            return pool.submit(fn, *args)
    except LOST:
        forget()
        return None


class Shared:
    """`fn(*args)` for each of `calls`, shared between the helper and this process: the helper
    is handed them one by one from the last, and `finish` (called when this process is free)
    runs here, from the first, each one the helper has not started (`Future.cancel`), so
    neither waits for the other until they meet, whatever each call costs. Without a helper,
    `finish` runs them all here."""

    def __init__(self, fn: Callable[..., Any], calls: list[tuple]) -> None:
        self.fn, self.calls = fn, calls
        self.futures: dict[int, Future] = {}
        for i in reversed(range(len(calls))):
            future = submit(fn, *calls[i])
            if future is None:
                break
            self.futures[i] = future

    def finish(self) -> list:
        """Every call's result, in order; the first call in order that failed raises its error
        (whichever process ran it), and the helper starts none of those after it."""
        results = []
        try:
            for i, args in enumerate(self.calls):
                future = self.futures.get(i)
                if future is None or future.cancel():  # not started by the helper: here
                    results.append(self.fn(*args))
                else:
                    results.append(run_here_if_lost(future, self.fn, *args))
        finally:
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
