"""The DfE's published figures beside a council's own (DESIGN §3b, "Published comparators").

Shipped package data, never fetched at run time: `audits/data/published*.csv|toml`,
`councils.csv` and `statistical_neighbours.csv`, derived from the DfE's official statistics
(Open Government Licence v3.0; attribution in `published_pairs.toml` and
`published_ATTRIBUTION.txt`) by `scripts/comparators/derive.py` (`make comparators`), whose
docstring describes every column. The loader refuses, as a defect of the package
(`PublishedTableError`), a figure without a source or a period.

A council is named in the config by `la_code`: its 3-digit DfE code (`380`) or its E-code
(`E08000032`); an unknown or former code is refused with an `InputError` naming it.

Which period: for one comparator and council, the council's latest reporting year with a
published value; its statistical neighbours, region and England are of that same year, so the
four parts compare like with like in time. If the council has no published value in any
shipped year (suppressed or not available), the comparator's latest year is used and `council`
is null. Neighbours: the DfE 2025 statistical neighbour model, ten per council; median, min
and max over those with a value that year, `count` how many (a joint entry, such as Kingston
upon Thames with Richmond upon Thames in the workforce census, counts once, and not at all
when it holds the council's own figure). Any part with no published value is null, never 0.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
import statistics
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from audits.core.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data"
FIGURE_COLUMNS = (
    "indicator",
    "year",
    "level",
    "code",
    "value",
    "numerator",
    "denominator",
    "symbol",
)
SOURCE_COLUMNS = ("indicator", "year", "period", "period_end", "source", "file", "measure")
COUNCIL_COLUMNS = ("la_code", "e_code", "la_name", "region_code", "region_name", "replaced_by")
NEIGHBOUR_COLUMNS = ("la_code", "rank", "neighbour", "closeness")
PAIR_KEYS = ("indicator", "title", "publication", "table", "measure", "unit", "better", "match")
ENGLAND = "E92000001"
LA_CODE = re.compile(r"\d{3}")
E_CODE = re.compile(r"E\d{8}")
EXPECTED_CODE = (
    "the council's 3-digit DfE local authority code (such as 380) or its E-code "
    "(such as E08000032), as in the DfE's statistics"
)


class PublishedTableError(ValueError):
    """The shipped published-figures tables are malformed (a defect of the package, not of the
    input)."""


@dataclass(frozen=True)
class Figure:
    value: float | None
    numerator: float | None
    denominator: float | None
    symbol: str  # the DfE's symbol when the value is missing (c, x, u, z, k, low, blank)


@dataclass(frozen=True)
class Source:
    period: str
    period_end: dt.date
    source: str


@dataclass(frozen=True)
class Council:
    la_code: str
    la_name: str
    region_code: str
    region_name: str
    replaced_by: tuple[str, ...]


@dataclass(frozen=True)
class Tables:
    figures: dict[tuple[str, int, str], Figure]  # (comparator id, year, code)
    sources: dict[tuple[str, int], Source]
    pairs: dict[str, dict]
    councils: dict[str, Council]
    e_codes: dict[str, str]  # E-code -> 3-digit code
    neighbours: dict[str, tuple[str, ...]]  # 3-digit code -> ten codes, closest first
    joint: dict[str, str]  # a council's code -> the joint entry holding it ("314 / 318")
    attribution: str


# --- loading ----------------------------------------------------------------------------------


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            fieldnames = next(reader, [])
            if tuple(fieldnames) != columns:
                raise PublishedTableError(
                    f"{path.name}: columns {fieldnames}; expected {list(columns)}"
                )
            rows = list(reader)
    except OSError as exc:
        raise PublishedTableError(f"{path}: cannot be read ({exc})") from None
    for n, row in enumerate(rows, start=2):
        if len(row) != len(columns):
            raise PublishedTableError(
                f"{path.name} row {n}: {len(row)} values; expected {len(columns)}"
            )
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _number(text: str, where: str) -> float | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise PublishedTableError(f"{where}: {text!r} is not a number") from None
    if math.isnan(value) or value < 0:
        raise PublishedTableError(f"{where}: {text!r} is not a number of zero or more")
    return value


def _year(text: str, where: str) -> int:
    if not (len(text) == 4 and text.isascii() and text.isdigit()):
        raise PublishedTableError(f"{where}: year {text!r} is not a year")
    return int(text)


def _load_pairs(path: Path) -> tuple[dict[str, dict], str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PublishedTableError(f"{path}: cannot be read ({exc})") from None
    notice = data.pop("attribution", {}).get("text", "")
    if "Open Government Licence" not in notice:
        raise PublishedTableError(f"{path.name}: no [attribution] text naming the licence")
    for cid, entry in data.items():
        missing = [k for k in PAIR_KEYS if not str(entry.get(k, "")).strip()]
        if missing:
            raise PublishedTableError(f"{path.name} [{cid}]: no {', '.join(missing)}")
        if entry["match"] != "like for like" and not entry["match"].startswith("near: "):
            raise PublishedTableError(
                f"{path.name} [{cid}]: match must be 'like for like' or 'near: <difference>'"
            )
    return data, notice


def load(folder: Path = DATA) -> Tables:
    """Read and check the shipped tables; refuses any figure without a source or a period."""
    pairs, notice = _load_pairs(folder / "published_pairs.toml")

    sources: dict[tuple[str, int], Source] = {}
    for n, row in enumerate(_rows(folder / "published_sources.csv", SOURCE_COLUMNS), start=2):
        where = f"published_sources.csv row {n}"
        key = (row["indicator"], _year(row["year"], where))
        for name in ("period", "source"):
            if not row[name].strip():
                raise PublishedTableError(f"{where} ({key[0]} {key[1]}): no {name}")
        try:
            end = dt.date.fromisoformat(row["period_end"])
        except ValueError:
            raise PublishedTableError(f"{where}: period_end {row['period_end']!r}") from None
        sources[key] = Source(row["period"], end, row["source"])

    councils: dict[str, Council] = {}
    e_codes: dict[str, str] = {}
    for n, row in enumerate(_rows(folder / "councils.csv", COUNCIL_COLUMNS), start=2):
        code = row["la_code"]
        if not LA_CODE.fullmatch(code) or not E_CODE.fullmatch(row["e_code"]):
            raise PublishedTableError(f"councils.csv row {n}: codes {code!r}, {row['e_code']!r}")
        councils[code] = Council(
            code,
            row["la_name"],
            row["region_code"],
            row["region_name"],
            tuple(row["replaced_by"].split()),
        )
        e_codes[row["e_code"]] = code

    neighbours: dict[str, list[str]] = {}
    for n, row in enumerate(_rows(folder / "statistical_neighbours.csv", NEIGHBOUR_COLUMNS), 2):
        if row["la_code"] not in councils or row["neighbour"] not in councils:
            raise PublishedTableError(f"statistical_neighbours.csv row {n}: unknown council")
        neighbours.setdefault(row["la_code"], []).append(row["neighbour"])

    figures: dict[tuple[str, int, str], Figure] = {}
    joint: dict[str, str] = {}
    known: set[str] = set()  # council entries already checked against councils.csv
    for n, row in enumerate(_rows(folder / "published.csv", FIGURE_COLUMNS), start=2):
        where = f"published.csv row {n}"
        cid, year = row["indicator"], _year(row["year"], where)
        if cid not in pairs:
            raise PublishedTableError(f"{where}: {cid!r} has no entry in published_pairs.toml")
        source = sources.get((cid, year))
        if source is None:
            raise PublishedTableError(
                f"{where}: {cid} {year} has no source or period in published_sources.csv; "
                "a figure is shipped with both"
            )
        code = row["code"]
        if row["level"] == "council" and code not in known:
            known.add(code)
            members = [c.strip() for c in code.split("/")]
            if any(c not in councils for c in members):
                raise PublishedTableError(f"{where}: council {code!r} is not in councils.csv")
            if len(members) > 1:
                joint.update({member: code for member in members})
        elif row["level"] not in ("council", "region", "england"):
            raise PublishedTableError(f"{where}: level {row['level']!r}")
        value = _number(row["value"], where)
        if value is not None and pairs[cid]["unit"] == "%" and value > 100:
            raise PublishedTableError(f"{where}: a percentage above 100 ({value})")
        if value is None and not row["symbol"]:
            raise PublishedTableError(f"{where}: no value and no DfE symbol saying why")
        figures[(cid, year, code)] = Figure(
            value,
            _number(row["numerator"], where),
            _number(row["denominator"], where),
            row["symbol"],
        )
    return Tables(
        figures,
        sources,
        pairs,
        councils,
        e_codes,
        {k: tuple(v) for k, v in neighbours.items()},
        joint,
        notice,
    )


@lru_cache(maxsize=1)
def shipped() -> Tables:
    """The tables shipped with the package, read once."""
    return load(DATA)


# --- councils ---------------------------------------------------------------------------------


def resolve_la_code(code: object, file: str | None = None, tables: Tables | None = None) -> str:
    """The 3-digit DfE code of the council named by `code` (`380`, 380 or `E08000032`)."""
    t = tables or shipped()
    if isinstance(code, bool) or not isinstance(code, str | int):
        raise InputError(
            f"'la_code' must be a council's code, not {code!r}", file=file, expected=EXPECTED_CODE
        )
    text = str(code).strip().upper()
    found = text if LA_CODE.fullmatch(text) else t.e_codes.get(text)
    council = t.councils.get(found or "")
    if council is None:
        raise InputError(
            f"Unknown la_code '{code}' in the audit config: no council has that code in the "
            "DfE's statistics",
            file=file,
            expected=EXPECTED_CODE,
        )
    if council.replaced_by:
        successors = " and ".join(
            f"{c} ({t.councils[c].la_name})" for c in council.replaced_by if c in t.councils
        )
        raise InputError(
            f"la_code '{code}' is {council.la_name}, a former council the DfE no longer "
            f"publishes figures for; it was replaced by {successors}",
            file=file,
            expected=EXPECTED_CODE,
        )
    return council.la_code


def _name(code: str, t: Tables) -> str:
    return " / ".join(t.councils[c.strip()].la_name for c in code.split("/"))


def _entry(cid: str, year: int, code: str, t: Tables) -> str | None:
    """The code of the published figure for a council: its own, else a joint entry."""
    if (cid, year, code) in t.figures:
        return code
    shared = t.joint.get(code)
    return shared if shared and (cid, year, shared) in t.figures else None


# --- the published object ---------------------------------------------------------------------


def comparator_ids(indicator: str, tables: Tables | None = None) -> tuple[str, ...]:
    """The published comparators of one of our indicators (two for IND-CL-EET, one per age
    band; none for an indicator the DfE does not publish)."""
    t = tables or shipped()
    return tuple(cid for cid, entry in t.pairs.items() if entry["indicator"] == indicator)


def _pair(cid: str, t: Tables) -> dict:
    if cid not in t.pairs:
        raise KeyError(f"{cid!r} is not a published comparator; one of {', '.join(t.pairs)}")
    return t.pairs[cid]


def _years(cid: str, t: Tables) -> list[int]:
    return sorted(year for (c, year) in t.sources if c == cid)


def published(cid: str, la_code: object | None, tables: Tables | None = None) -> dict:
    """The `published` object of DESIGN §3b for comparator `cid` and the council `la_code`:
    match, council, neighbours, region, england, source (a part with no value is None). With no
    council (`la_code` None) only England, of the latest year it has a value."""
    t = tables or shipped()
    pair = _pair(cid, t)
    years = _years(cid, t)
    if la_code is None:
        known = [
            y for y in years if (f := t.figures.get((cid, y, ENGLAND))) and f.value is not None
        ]
        year = known[-1] if known else years[-1]
        src = t.sources[(cid, year)]
        england_fig = t.figures.get((cid, year, ENGLAND))
        return {
            "match": pair["match"],
            "council": None,
            "neighbours": None,
            "region": None,
            "england": (
                {"value": england_fig.value, "period": src.period}
                if england_fig and england_fig.value is not None
                else None
            ),
            "source": src.source,
        }
    code = resolve_la_code(la_code, tables=t)

    def own(year: int) -> tuple[str | None, float | None]:
        entry = _entry(cid, year, code, t)
        return entry, t.figures[(cid, year, entry)].value if entry else None

    with_value = [y for y in years if own(y)[1] is not None]
    year = with_value[-1] if with_value else years[-1]
    src = t.sources[(cid, year)]
    entry, value = own(year)
    council = (
        {"value": value, "period": src.period, "la_code": entry, "la_name": _name(entry, t)}
        if entry and value is not None
        else None
    )

    values, seen = [], {entry}
    for neighbour in t.neighbours.get(code, ()):
        other = _entry(cid, year, neighbour, t)
        if other is None or other in seen:
            continue
        seen.add(other)
        if (v := t.figures[(cid, year, other)].value) is not None:
            values.append(v)
    neighbours = (
        {
            "median": round(statistics.median(values), 2),
            "min": min(values),
            "max": max(values),
            "count": len(values),
            "period": src.period,
        }
        if values
        else None
    )

    home = t.councils[code]
    region_fig = t.figures.get((cid, year, home.region_code))
    region = (
        {"name": home.region_name, "value": region_fig.value, "period": src.period}
        if region_fig and region_fig.value is not None
        else None
    )
    england_fig = t.figures.get((cid, year, ENGLAND))
    england = (
        {"value": england_fig.value, "period": src.period}
        if england_fig and england_fig.value is not None
        else None
    )
    return {
        "match": pair["match"],
        "council": council,
        "neighbours": neighbours,
        "region": region,
        "england": england,
        "source": src.source,
    }


# --- year-end reconciliation ------------------------------------------------------------------


def year_end_dates(cid: str, tables: Tables | None = None) -> set[tuple[int, int]]:
    """(month, day) on which the comparator's published years end (31 March; 30 September)."""
    t = tables or shipped()
    _pair(cid, t)
    ends = (t.sources[(cid, y)].period_end for y in _years(cid, t))
    return {(end.month, end.day) for end in ends}


def shipped_years(cid: str, tables: Tables | None = None) -> tuple[int, int]:
    """The comparator's first and latest published year in the shipped tables."""
    t = tables or shipped()
    _pair(cid, t)
    years = _years(cid, t)
    return years[0], years[-1]


def year_ending(cid: str, as_at: dt.date, tables: Tables | None = None) -> int | None:
    """The published year whose period ends on `as_at` (31 March; 30 September for the
    workforce census), or None: a run as at that date is compared with that year's figure."""
    t = tables or shipped()
    _pair(cid, t)
    return next((y for y in _years(cid, t) if t.sources[(cid, y)].period_end == as_at), None)


def council_figure(cid: str, la_code: object, year: int, tables: Tables | None = None) -> dict:
    """The council's published figure for one reporting year, to set beside the run's own for
    the same year: value, numerator, denominator (None where not published), symbol (the DfE's
    reason when the value is missing), period, source, la_code, la_name. All None but the
    source and period when the council has no entry that year."""
    t = tables or shipped()
    _pair(cid, t)
    code = resolve_la_code(la_code, tables=t)
    src = t.sources.get((cid, year))
    if src is None:
        raise KeyError(f"{cid} has no published year {year}; years: {_years(cid, t)}")
    entry = _entry(cid, year, code, t)
    fig = t.figures[(cid, year, entry)] if entry else Figure(None, None, None, "")
    return {
        "value": fig.value,
        "numerator": fig.numerator,
        "denominator": fig.denominator,
        "symbol": fig.symbol or None,
        "period": src.period,
        "year": year,
        "la_code": entry or code,
        "la_name": _name(entry, t) if entry else t.councils[code].la_name,
        "source": src.source,
    }


def attribution(tables: Tables | None = None) -> str:
    """The Open Government Licence statement, publications and years, to print with figures."""
    return (tables or shipped()).attribution
