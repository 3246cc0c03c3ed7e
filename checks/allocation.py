"""Allocation (Lists 3 to 8): every open case has an allocated worker."""

from __future__ import annotations

from audits.engine.context import Context, hits
from audits.engine.registry import rule

LISTS = (3, 4, 5, 6, 7, 8)


@rule(
    "ALL-01",
    area="(area of the list)",
    severity="Error",
    title="Open case with no allocated worker",
    basis="Children Act 1989 and Working Together 2023: a named social worker for every case",
    condition="Lists 3 to 8: open rows with Allocated Worker blank (Lists 3 and 5 have no end "
    "date, so every row counts)",
    needs={f"list{n}": ("worker",) for n in LISTS},
    needs_any=True,
)
def no_allocated_worker(ctx: Context):
    parts = []
    for n in LISTS:
        table = ctx.table(f"list{n}")
        if table is None or "worker" not in table.columns:
            continue
        mask = ctx.is_open(table) & table.frame["worker"].isna()
        parts.append(
            hits(table, mask, field="worker", message="Open case with no allocated worker")
        )
    return parts
