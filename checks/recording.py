"""The declarative recording checks: Great Expectations suites in `expectations/` (DQ-05)."""

from __future__ import annotations

import pandas as pd

from audits.engine.context import Context, hits
from audits.engine.hits import RuleHits
from audits.engine.registry import rule
from audits.engine.run import Later
from audits.suites.apply import DEFAULT_DIR, SuiteRun, find_suites, start_suites


@rule(
    "DQ-05",
    area="Data quality",
    severity="Data",
    title="Recording incomplete or invalid (expectation suite)",
    basis="The council's expectation suites in expectations/ (completeness and validity of "
    "the recording: required fields, codes in Ofsted's lists, dates in order)",
    condition="a row that fails an expectation of its list's suite; one finding per row and "
    "expectation; the message is the expectation's meta.message",
    needs={f"list{n}": ("child_id",) for n in range(1, 11)},
    needs_any=True,
)
def expectation_failures(ctx: Context) -> RuleHits | Later:
    started = ctx.suites  # `audit` starts them as soon as the lists are read
    if started is None:
        folder = ctx.config.expectations_dir or DEFAULT_DIR
        suites = find_suites(folder)
        if not suites:
            ctx.note("DQ-05", f"no expectation suites found in {folder}")
            return pd.DataFrame()
        started = start_suites(suites, ctx.export.lists)
    return Later(lambda: _failures(ctx, started))  # collected after the other rules


def _failures(ctx: Context, started: SuiteRun) -> RuleHits:
    failures, notes = started.result()
    for note in notes:
        ctx.note("DQ-05", note)
    parts = []
    for failure in failures:
        table = ctx.export.lists[failure.number]
        frame = table.frame
        mask = frame["_row"].isin(failure.rows)
        column = next((f.name for f in table.spec.fields if f.heading == failure.column), None)
        found = hits(
            table,
            mask,
            field=column,
            message=failure.message,
            item=failure.item,
            area="Data quality",
        )
        found.columns["field"] = failure.field  # both columns of a pair expectation
        parts.append(found)
    return parts
