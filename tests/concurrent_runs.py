"""Several processes recording runs in one history store at once (a test helper)."""

from __future__ import annotations

import multiprocessing

import pandas as pd

from audits.history import Store

SUMMARY = {
    "as_at": "2026-10-30",
    "run_at": "2026-10-30T09:00:00",
    "export": "x",
    "version": "test",
    "scores": {
        "by_area": [
            {
                "area": "Children in care",
                "team": None,
                "children_in_scope": 1,
                "children_compliant": 1,
                "score": 100.0,
            }
        ],
        "by_team": [],
    },
}


def record_runs(db: str, n: int) -> None:
    store = Store.open(db)
    columns = ("finding_id", "rule_id", "severity", "area", "list", "child_id", "team")
    columns += ("worker", "field", "value", "message", "first_raised")
    findings = pd.DataFrame(
        {c: ["x"] for c in columns} | {"due_date": [None], "days_overdue": [None]}
    )
    for _ in range(n):
        store.record_run(SUMMARY, findings, [])


def record_at_once(db: str, processes: int = 2, runs_each: int = 20) -> list[int | None]:
    """Start `processes` processes that each record `runs_each` runs; their exit codes."""
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=record_runs, args=(db, runs_each)) for _ in range(processes)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(180)
    return [w.exitcode for w in workers]
