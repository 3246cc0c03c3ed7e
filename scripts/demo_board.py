"""A four-month history store for the board's pictures (`make demo-board`; not part of the tests).

Synthetic months of the example generator (December 2024 to March 2025, so the last one is a
year end the DfE has published: the pack shows its reconciliation), audited with `sample_exports/demo.toml`
(Bradford's DfE code, so the scorecard shows real neighbours), each recorded as if run the day
after its as-at date; a moderator's decisions typed a few days after each run, practice audits
graded; then `audit board`. Everything is written under `--out` (default out/demo-board).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
MONTHS = ("2024-12-31", "2025-01-31", "2025-02-28", "2025-03-31")


def main(argv: list[str] | None = None) -> int:
    from audits.board.pack import write_board
    from audits.example.workbook import write_example
    from audits.history import Store
    from audits.indicators.settings import load_config
    from audits.pipeline.audit import audit
    from audits.pipeline.outputs import write_outputs

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "demo-board")
    args = parser.parse_args(argv)
    out: Path = args.out
    db = out / "history.sqlite"
    out.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    config = load_config(ROOT / "sample_exports" / "demo.toml")
    store = Store.open(db)
    rng = random.Random(3)
    for n, text in enumerate(MONTHS):
        as_at = dt.date.fromisoformat(text)
        made = as_at + dt.timedelta(days=1)
        export, _ = write_example(out / "exports" / text[:7], as_at, seed=20 + n)
        run = audit(export, as_at, config, store=store)
        run.summary["run_at"] = f"{made.isoformat()}T09:00:00"
        write_outputs(run, out / "runs" / text[:7])
        store.record_run(run.summary, run.result.findings, run.ctx.export.files)
        # the moderator works through the month's findings in the days after the run
        found = run.result.findings.sample(frac=0.5, random_state=n)
        decisions = [
            "Agree" if rng.random() < 0.72 + 0.05 * n else "Disagree — data error in export"
            for _ in range(len(found))
        ]
        store.store_entries(
            pd.DataFrame(
                {
                    "finding_id": found["finding_id"],
                    "field": "moderator_decision",
                    "value": decisions,
                    "entered_at": f"{(made + dt.timedelta(days=4)).isoformat()}T15:00:00",
                    "entered_by": "QA moderator",
                    "rule_id": found["rule_id"],
                    "team": found["team"],
                    "workbook": f"audit-{text[:7]}.xlsx",
                    "workbook_sha256": f"demo-{text}",
                    "row": range(2, 2 + len(found)),
                }
            )
        )
        children = run.result.findings["child_id"].dropna().drop_duplicates().head(8)
        cases = pd.DataFrame({"child_id": children, "team": "Locality North", "reason": "demo"})
        store.record_sample(text[:7], cases)
        grades = ["Good", "Requires improvement to be good", "Good", "Outstanding", "Inadequate"]
        store.record_grades(
            text[:7],
            cases.assign(
                auditor="Auditor",
                auditor_grade=[grades[(i + n) % len(grades)] for i in range(len(cases))],
                moderator_grade=None,
                escalate=False,
            ),
            f"practice-{text}",
            f"{(made + dt.timedelta(days=10)).isoformat()}T12:00:00",
        )
    paths = write_board(store, out / "board", config=config)
    for path in paths:
        print(f"Board pack: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
