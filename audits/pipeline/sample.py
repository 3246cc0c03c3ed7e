"""`audit sample`: this month's cases for practice audit, chosen from a run of the export and
written as the audit workbook, never replacing a workbook someone has graded in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audits.core.config import Config
from audits.history import Store
from audits.output.written import remember, target_for
from audits.pipeline.audit import audit
from audits.pipeline.outputs import review_dates
from audits.review.practice.sample import choose, month_of
from audits.review.practice.workbook import write_practice_workbook


@dataclass
class Sampled:
    month: str
    chosen: pd.DataFrame
    workbook: Path
    kept: bool  # the month's workbook had been changed, so this one was written beside it
    graded: set[str]  # children of the month who already hold grades
    excluded: set[str]  # children audited in the last months, not chosen again
    exclude_months: int


def sample_month(
    export: Path,
    as_at: dt.date,
    out: Path,
    config: Config,
    store: Store,
    *,
    seed: int,
    per_team: int | None,
) -> Sampled:
    month = month_of(as_at)
    exclude = store.recently_audited(month, config.practice_audit_exclude_months)
    run = audit(export, as_at, config, quiet=False)
    chosen = choose(
        run.ctx,
        run.result.findings,
        seed=seed,
        per_team=config.practice_audit_per_team if per_team is None else per_team,
        risk_picks=config.practice_audit_risk_picks,
        exclude=exclude,
    )
    graded = store.graded_children(month)
    store.record_sample(month, chosen)  # first: a store that cannot be written changes nothing
    workbook, kept = target_for(out / f"practice_audit_{month}.xlsx", out)
    due = review_dates(run.ctx).respond_by
    write_practice_workbook(workbook, chosen, config.practice_audit_questions, month, due)
    remember(out, [workbook])
    return Sampled(
        month, chosen, workbook, kept, graded, exclude, config.practice_audit_exclude_months
    )


def sample_lines(s: Sampled) -> Iterator[str]:
    if s.kept:
        yield (
            f"practice_audit_{s.month}.xlsx has been changed since the tool wrote it: it is kept, "
            f"the new workbook is {s.workbook.name}."
        )
    if s.graded:
        yield (
            f"{len(s.graded)} case(s) of {s.month} already hold grades in the history store: "
            "they are kept as they are."
        )
    yield (
        f"{len(s.chosen)} case(s) chosen from {s.chosen['team'].nunique()} team(s); "
        f"{len(s.excluded)} child(ren) excluded as audited in the last {s.exclude_months} months."
    )
    reasons = s.chosen["reason"].str.replace(r" \(.*\)$", "", regex=True).value_counts()
    for reason, n in reasons.items():
        yield f"  {reason}: {n}"
    yield f"Practice audit workbook: {s.workbook.resolve()}"
