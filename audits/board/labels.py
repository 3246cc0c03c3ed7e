"""Labels the board's pages share."""

from __future__ import annotations

import pandas as pd


def month_label(month: str) -> str:
    """'2026-10' -> 'Oct 2026'."""
    return pd.Timestamp(month + "-01").strftime("%b %Y")
