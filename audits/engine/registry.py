"""Rule registry: each rule's metadata (id, area, severity, basis, what it needs) and function."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

CHECK_MODULES = (
    "checks.assessment",
    "checks.child_protection",
    "checks.children_in_need",
    "checks.children_in_care",
    "checks.care_leavers",
    "checks.allocation",
    "checks.local_tables",
    "checks.workforce",
    "checks.data_quality",
    "checks.recording",
)


@dataclass(frozen=True)
class Rule:
    id: str
    area: str
    severity: str  # Error, Query or Data
    title: str
    basis: str
    condition: str
    needs: dict[str, tuple[str, ...]]  # table key ('list8', 'workers') -> columns it needs
    func: Callable[..., pd.DataFrame] = field(compare=False, repr=False)
    needs_any: bool = False  # runs on whichever of its tables are present
    threshold: str | None = None  # config attribute holding a local (L) threshold
    or_needs: dict[str, tuple[str, ...]] | None = None  # what it can run on instead (a return)

    @property
    def order(self) -> tuple[int, str]:
        prefix = self.id.split("-")[0]
        return (_AREA_ORDER.get(prefix, 99), self.id)


_AREA_ORDER = {
    "ASM": 1,
    "S47": 2,
    "CIN": 3,
    "CP": 4,
    "CLA": 5,
    "CL": 6,
    "ALL": 7,
    "WF": 8,
    "MO": 9,
    "DQ": 10,
}
_RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    area: str,
    severity: str,
    title: str,
    basis: str,
    condition: str,
    needs: dict[str, tuple[str, ...]],
    needs_any: bool = False,
    threshold: str | None = None,
    or_needs: dict[str, tuple[str, ...]] | None = None,
) -> Callable[[Callable[..., pd.DataFrame]], Callable[..., pd.DataFrame]]:
    """Register a vectorised rule function `f(ctx) -> hits frame` under its catalogue id."""

    def register(func: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        if rule_id in _RULES and _RULES[rule_id].func is not func:
            raise ValueError(f"rule {rule_id} registered twice")
        _RULES[rule_id] = Rule(
            rule_id,
            area,
            severity,
            title,
            basis,
            condition,
            needs,
            func,
            needs_any,
            threshold,
            or_needs,
        )
        return func

    return register


def all_rules() -> list[Rule]:
    for module in CHECK_MODULES:
        importlib.import_module(module)
    return sorted(_RULES.values(), key=lambda r: r.order)
