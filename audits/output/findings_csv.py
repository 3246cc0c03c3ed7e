"""findings.csv: one row per finding, DESIGN §3 columns in order, dates ISO, UTF-8."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from audits.core.safe_text import neutralise
from audits.engine.findings import FINDING_COLUMNS

TEXT_COLUMNS = ("child_id", "team", "worker", "field", "value", "message")


def to_csv_frame(findings: pd.DataFrame) -> pd.DataFrame:
    out = findings[FINDING_COLUMNS].copy()
    out["due_date"] = pd.to_datetime(out["due_date"]).dt.strftime("%Y-%m-%d").fillna("")
    out["days_overdue"] = out["days_overdue"].astype("Int64").astype(str).replace("<NA>", "")
    for column in TEXT_COLUMNS:
        out[column] = neutralise(out[column])
    return out


def write_findings_csv(findings: pd.DataFrame, target: Path) -> None:
    """Write to `target` (callers pass a temporary path from `atomic_path`)."""
    to_csv_frame(findings).to_csv(target, index=False, lineterminator="\n", encoding="utf-8")


def read_findings_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)
