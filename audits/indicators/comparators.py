"""Targets and comparators for the board's indicators, and their RAG.

National figures come from a dated table shipped with the package (`audits/data/national.toml`,
never fetched at run time); the loader refuses an entry without a value, a period or a source,
so an undocumented figure cannot be shipped. A council's own targets and its regional and
statistical-neighbour figures come from the audit config (`[indicators.IND-...]`). The DfE's
published figures for every council, its statistical neighbours, its region and England
(`audits.indicators.published`) are attached as `published` to each indicator with a published
counterpart: every part when the config names the council (`la_code`), England alone otherwise.

RAG: against the council's target when one is set, otherwise against the national figure, or
else England's published figure.
Green: the target is met or beaten (equal is met). Amber: worse by no more than the amber band
(`amber` per indicator; default `indicator_amber_points` percentage points for a percentage,
`indicator_amber_caseload` children per FTE for the caseload). Red: worse than that. n/a: no
value, or nothing to compare with.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from audits.core.config import Config
from audits.indicators.definitions import AGE_BANDS, BY_ID, Indicator
from audits.indicators.published import comparator_ids, published

NATIONAL = Path(__file__).resolve().parents[1] / "data" / "national.toml"


class ComparatorTableError(ValueError):
    """The shipped comparators table is malformed (a defect of the package, not of the input)."""


@dataclass(frozen=True)
class Comparator:
    indicator: str
    value: float
    period: str
    source: str
    derived: str | None = None


def load_national(path: Path = NATIONAL) -> dict[str, Comparator]:
    """The national figures by indicator id; refuses any entry that is not fully documented."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ComparatorTableError(f"{path}: cannot be read ({exc})") from None
    table = {}
    for ind_id, entry in data.items():
        where = f"{path.name} [{ind_id}]"
        if ind_id not in BY_ID:
            raise ComparatorTableError(f"{where}: not an indicator id")
        if not isinstance(entry, dict):
            raise ComparatorTableError(f"{where}: expected a table of value, period and source")
        for key in ("period", "source"):
            text = entry.get(key)
            if not isinstance(text, str) or not text.strip():
                raise ComparatorTableError(f"{where}: no {key}; a figure is shipped with both")
        value = entry.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ComparatorTableError(f"{where}: value must be a number, not {value!r}")
        unit = entry.get("unit", BY_ID[ind_id].unit)
        if unit != BY_ID[ind_id].unit:
            raise ComparatorTableError(
                f"{where}: unit {unit!r}; the indicator is in {BY_ID[ind_id].unit!r}"
            )
        if unit == "%" and not 0 <= value <= 100:
            raise ComparatorTableError(f"{where}: a percentage must be 0 to 100, not {value}")
        derived = entry.get("derived")
        table[ind_id] = Comparator(ind_id, float(value), entry["period"], entry["source"], derived)
    return table


@lru_cache(maxsize=1)
def national() -> dict[str, Comparator]:
    return load_national()


def rag(value: float | None, better: str, basis: float | None, amber: float) -> str:
    """Green: `basis` met or beaten; Amber: worse by at most `amber`; Red: worse still."""
    if value is None or basis is None:
        return "n/a"
    gain = value - basis if better == "higher" else basis - value
    gain = round(gain, 6)  # 88.1 - 88.0 is not 0.0999999
    return "Green" if gain >= 0 else "Amber" if gain >= -amber else "Red"


def amber_band(ind: Indicator, config: Config, own: dict) -> float:
    if "amber" in own:
        return own["amber"]
    return config.indicator_amber_points if ind.unit == "%" else config.indicator_amber_caseload


def published_of(ind_id: str, la_code: str | None) -> dict | None:
    """The DESIGN §3b `published` object of one indicator (None: the DfE publishes no
    counterpart); England only when no council is named."""
    cids = comparator_ids(ind_id)
    return published(cids[0], la_code) if len(cids) == 1 else None


def basis_of(target: float | None, national: float | None, pub: dict | None):
    """(the figure RAG is judged against, what it is): the target, else the national figure,
    else England's published figure."""
    if target is not None:
        return target, "target"
    if national is not None:
        return national, "national"
    if pub and pub.get("england"):
        return pub["england"]["value"], "england"
    return None, None


def describe(
    ind: Indicator,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
    reason: str | None,
    config: Config,
) -> dict:
    """The indicator as `summary.json` carries it (DESIGN §3b fields, plus the reason when n/a,
    the RAG basis, and the council's regional / neighbour figures when configured)."""
    own = config.indicators.get(ind.id, {})
    comp = national().get(ind.id)
    target = own.get("target")
    pub = published_of(ind.id, config.la_code)
    basis, against = basis_of(target, comp.value if comp else None, pub)
    record = {
        "id": ind.id,
        "title": ind.title,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "unit": ind.unit,
        "better": ind.better,
        "target": target,
        "national": comp.value if comp else None,
        "national_period": comp.period if comp else None,
        "national_source": comp.source if comp else None,
        "national_derived": comp.derived if comp else None,
        "rag": rag(value, ind.better, basis, amber_band(ind, config, own)),
        "rag_against": against if value is not None else None,
        "reason": reason,
        "published": pub,
    }
    if ind.id in AGE_BANDS:
        record["published_by_age"] = [
            {"indicator": band, "age": BY_ID[band].title.split("aged ")[1].split(" in ")[0]}
            | (published_of(band, config.la_code) or {})
            for band in AGE_BANDS[ind.id]
        ]
    for key in ("regional", "neighbours"):
        if key in own:
            record[key] = own[key]
            record[f"{key}_label"] = own.get(
                f"{key}_label", "Region" if key == "regional" else "Statistical neighbours"
            )
            record[f"{key}_period"] = own.get("period")
    return record
