"""pandera schemas of the canonical lists: the contract between ingest and the rules.

Built from `audits.spec` so the schema and the loader never drift apart: ids and text are
strings, dates are datetimes, numbers are floats, and coded fields hold a code of their domain
(or the `(unreadable)` marker, reported as DQ-04). Columns are optional because layouts differ.
"""

from __future__ import annotations

from functools import cache

from audits.ingest.export import Export
from audits.ingest.values import UNREADABLE
from audits.model.spec import ANNEX_A, ListSpec

_DTYPES = {"id": "str", "text": "str", "date": "datetime64[us]", "number": "float64", "code": "str"}


@cache
def list_schema(spec: ListSpec):
    import pandera.pandas as pa

    columns = {"_row": pa.Column("int64", pa.Check.ge(1), nullable=False)}
    for f in spec.fields:
        checks = []
        if f.kind == "code" and f.domain is not None:
            checks.append(pa.Check.isin([*f.domain.codes, UNREADABLE]))
        columns[f.name] = pa.Column(_DTYPES[f.kind], checks=checks, nullable=True, required=False)
    return pa.DataFrameSchema(
        columns, name=f"List {spec.number}: {spec.title}", strict=True, coerce=False
    )


def validate_export(export: Export) -> None:
    """Raise if a canonical frame breaks its schema (a defect of the loader, not of the input)."""
    import pandera.errors

    for table in export.lists.values():
        if table.spec not in ANNEX_A:
            continue
        try:
            list_schema(table.spec).validate(table.frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            raise RuntimeError(
                f"internal check failed: canonical {table.spec.title} frame breaks its schema:\n"
                f"{exc.failure_cases.head(20)}"
            ) from exc
