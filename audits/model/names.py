"""How names from different tables are matched: a worker in the workers table and on a list."""

from __future__ import annotations

import pandas as pd


def name_key(names: pd.Series) -> pd.Series:
    """Names compared without case, spacing or punctuation differences ('Jo  SMITH' = 'jo smith')."""
    return (
        names.fillna("")
        .astype(str)
        .str.casefold()
        .str.replace(r"[^a-z0-9]+", " ", regex=True)
        .str.strip()
    )
