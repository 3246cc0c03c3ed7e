"""Labels the board's pages share."""

from __future__ import annotations

import pandas as pd


def month_label(month: str) -> str:
    """'2026-10' -> 'Oct 2026'."""
    return pd.Timestamp(month + "-01").strftime("%b %Y")


def shown_rag(r) -> str:
    """'n/a' when there is no value; '–' when there is one but nothing to compare it with."""
    if r.rag == "n/a" and r.this is not None and not pd.isna(r.this):
        return "–"
    return str(r.rag)
