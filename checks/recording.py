"""The declarative recording checks: Great Expectations suites in `expectations/` (DQ-05)."""

from __future__ import annotations

import json

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


def _unreadable_rows(ctx: Context) -> dict[tuple[str, str], set[int]]:
    """(list, field) -> the source rows where DQ-04 reports that field's value unreadable."""
    bad = ctx.export.unreadable
    if bad.empty:
        return {}
    keys = zip(bad["list"].astype(str), bad["field"].astype(str), bad["row"], strict=True)
    found: dict[tuple[str, str], set[int]] = {}
    for number, name, row in keys:
        if pd.notna(row):
            found.setdefault((number, name), set()).add(int(row))
    return found


def _columns_of(failure, table) -> list[str]:
    """The canonical fields an expectation names (one, or the pair it compares)."""
    try:
        kwargs = json.loads(failure.item).get("kwargs", {})
    except (ValueError, AttributeError):
        kwargs = {}
    headings = {kwargs.get(k) for k in ("column", "column_A", "column_B")} - {None}
    return [f.name for f in table.spec.fields if f.heading in headings]


def _failures(ctx: Context, started: SuiteRun) -> RuleHits:
    failures, notes = started.result()
    for note in notes:
        ctx.note("DQ-05", note)
    unreadable = _unreadable_rows(ctx)
    parts = []
    for failure in failures:
        table = ctx.export.lists[failure.number]
        frame = table.frame
        # one defect, one finding: a value DQ-04 reports unreadable is not also judged here
        reported = set().union(
            *(
                unreadable.get((str(failure.number), name), set())
                for name in _columns_of(failure, table)
            )
        )
        mask = frame["_row"].isin(set(failure.rows) - reported)
        column = next((f.name for f in table.spec.fields if f.heading == failure.column), None)
        sheet = f", sheet {table.sheet}" if table.sheet else ""
        rows = frame.loc[mask, "_row"].astype(str)
        message = (
            f"List {failure.number} ({table.spec.title}) record: {failure.message.rstrip('.')} "
            f"({failure.field}). In the export: {table.file.name}{sheet}, row " + rows + "."
        )
        found = hits(
            table,
            mask,
            field=column,
            message=message,
            item=failure.item,
            area="Data quality",
        )
        found.columns["field"] = failure.field  # both columns of a pair expectation
        parts.append(found)
    return parts
