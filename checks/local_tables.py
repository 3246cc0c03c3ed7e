"""Rules over the council's local tables (DESIGN §1): care leaver documents, workers and
management oversight. Each is reported *not run* when its table is not in the export."""

from __future__ import annotations

import pandas as pd

from audits.engine.context import Context
from audits.engine.registry import rule


@rule(
    "CL-06",
    area="Care leavers",
    severity="Error",
    title="Key document not held",
    basis="Children Act 1989 guidance vol. 3 (care leavers): NI number, birth certificate, bank "
    "account, health history; councils add passport or photo ID",
    condition="aged 18+ at D; one finding per required document not recorded as Held = Y",
    needs={"list9": ("dob",), "care_leaver_documents": ("child_id", "document", "held")},
)
def key_document_not_held(ctx: Context) -> pd.DataFrame:
    raise NotImplementedError("the care leaver documents table is not loaded yet")


@rule(
    "WF-01",
    area="Workforce",
    severity="Query",
    title="Caseload above standard",
    basis="Local standard (L): 18 children per FTE social worker, 16 for NQSW/ASYE",
    condition="distinct children on open List 4 to 9 rows per worker / FTE above the standard",
    needs={"workers": ("worker", "fte", "role")},
    threshold="caseload_standard",
)
def caseload_above_standard(ctx: Context) -> pd.DataFrame:
    raise NotImplementedError("the workers table is not loaded yet")


@rule(
    "MO-01",
    area="Management oversight",
    severity="Error",
    title="No management oversight recorded",
    basis="Local standard (L): management oversight recorded at least every 42 days",
    condition="open CIN, CP or CLA case with oversight blank or D > last + 42 days",
    needs={"management_oversight": ("child_id", "last_oversight")},
    threshold="oversight_days",
)
def no_management_oversight(ctx: Context) -> pd.DataFrame:
    raise NotImplementedError("the management oversight table is not loaded yet")
