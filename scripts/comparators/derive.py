"""Derive the DfE's published comparators (every council, region and England) into package data.

Run by `make comparators` (not part of `make test`; nothing is fetched at run time). Reads the
DfE's own statistics files (default `../shared/reference/dfe_statistics`, see its README) and
writes compact, sorted, diff-friendly tables into `audits/data/` (`--out` to write elsewhere).
pandas only: it does not import `audits`.

Source: Department for Education official statistics, Open Government Licence v3.0 (Children in
need; Children looked after in England including adoptions; Children's social work workforce;
the children's services statistical neighbour model 2025), as kept in the DfE's
CSC_outcomes_and_enablers repository (data-raw). The attribution ships beside the data.

What is kept: the last `--years` (default 5) reporting years of each file (2021 to 2025 with
the files of April 2026: the looked-after files hold no more), England, the nine regions (Inner
and Outer London, sub-regional groupings, are left out: a London borough's region is London)
and every council. The statistical neighbour model is the 2025 one (ten per council).

Files written (UTF-8, LF, header row, no index; numbers exactly as the DfE printed them):

- `published.csv`, one row per figure, sorted by indicator, year, level, code:
  `indicator` the comparator id (`IND-...`; care leavers' EET is two ids, one per age band:
  IND-CL-EET-17-18 and IND-CL-EET-19-21), `year` the DfE's reporting year (`time_period`:
  2025 = the year to 31 March 2025, or the workforce census of 30 September 2025), `level`
  (`england`, `region`, `council`), `code` (E92000001; the region's E12 code; the council's
  3-digit `old_la_code`, or a joint entry such as `314 / 318` where the DfE publishes two
  councils as one), `value` (the published figure: a percentage, or cases per FTE), `numerator`
  and `denominator` (the published counts behind it, blank where not published), `symbol` (the
  DfE's symbol when `value` is missing: c suppressed, x not available, u low reliability,
  z not applicable, k or low rounds to 0 but is not 0, `blank` an empty cell). A missing value
  is blank, never 0. Rows carrying no figure at all for a council that did not exist that year
  (all `z`) are left out.
- `published_sources.csv`, one row per indicator and year: `period` (the label shown: "2024-25",
  "31 Mar 2025" for a snapshot, "30 Sep 2024" for the workforce census), `period_end` (ISO
  date the period ends: a run as at that date is a year-end run), `source` (publication, year
  and table, as shown on the board), `file` and `measure` (the DfE file and the column and
  filter the value was taken from).
- `published_pairs.toml`, one table per comparator id: `indicator` (ours), `title` (the DfE's
  measure in words), `publication`, `table`, `file`, `measure`, `unit`, `better`, `years`,
  `match` ("like for like" or "near: <how the definitions differ>"); and `[attribution]`.
- `councils.csv`: `la_code`, `e_code` (one row per E-code used by the DfE for the council in
  those years: Barnsley, Sheffield, North Yorkshire and Somerset changed codes), `la_name`,
  `region_code`, `region_name` (E12; London for Inner and Outer London), `replaced_by` (3-digit
  codes of the successors of a former council: Northamptonshire 2021, Cumbria 2023).
- `statistical_neighbours.csv`: `la_code`, `rank` (1 = closest), `neighbour`, `closeness`.
- `published_ATTRIBUTION.txt`: the Open Government Licence statement, publications and years.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = ROOT.parent / "shared" / "reference" / "dfe_statistics"
DEFAULT_OUT = ROOT / "audits" / "data"
SOURCE_SNAPSHOT = "DfE CSC_outcomes_and_enablers repository, data-raw/, commit of 2026-04-27"

# The DfE's symbols for a figure that is not given. Anything else that is not a number stops
# the script: a new symbol is looked at, never read as a figure or silently as 0.
SYMBOLS = {"c", "x", "u", "z", "k", "low"}
LEVELS = {"National": "england", "Regional": "region", "Local authority": "council"}
LEVEL_ORDER = {"england": 0, "region": 1, "council": 2}
LONDON = ("E12000007", "London")  # Inner (E13000001) and Outer (E13000002) London belong here
# Local government reorganisation: the former council -> its successors (DfE 3-digit codes).
REPLACED_BY = {"928": "940 941", "909": "942 943"}  # Northamptonshire 2021, Cumbria 2023

PUBLICATIONS = {
    "cin": "Children in need",
    "cla": "Children looked after in England including adoptions",
    "csww": "Children's social work workforce",
}

OGL = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)."
)


@dataclass(frozen=True)
class Pick:
    """One published column, from the rows matching `where` (long files) or every row."""

    column: str
    where: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Pair:
    id: str
    indicator: str
    file: str
    series: str  # cin / cla / csww
    table: str
    title: str
    value: Pick
    numerator: Pick | None
    denominator: Pick | None
    unit: str
    better: str
    match: str
    snapshot: bool = False  # a figure at 31 March, not over the year

    def measure(self) -> str:
        parts = []
        for name, pick in (
            ("value", self.value),
            ("numerator", self.numerator),
            ("denominator", self.denominator),
        ):
            if pick is None:
                continue
            where = " and ".join(f"{k} = '{v}'" for k, v in pick.where.items())
            where = f" where {where}" if where else ""
            parts.append(f"{name}: {pick.column}{where}")
        return "; ".join(parts)


CLA_STABLE = {"cla_group": "CLA on 31 March"}
HEALTH = {"characteristic": "Health assessments: Children looked after all ages"}


def _eet(band: str, label: str) -> Pair:
    ages = "17 or 18" if band == "17-18" else "19, 20 or 21"
    return Pair(
        id=f"IND-CL-EET-{band}",
        indicator=f"IND-CL-EET-{band}",
        file="la_care_leavers_activity.csv",
        series="cla",
        table=f"care leavers aged {label}: activity",
        title=f"Care leavers aged {label} in education, employment or training",
        value=Pick(
            "care_leaver_percent",
            {"care_leaver_age": label, "breakdown": "Total in education, employment or training"},
        ),
        numerator=Pick(
            "care_leaver_count",
            {"care_leaver_age": label, "breakdown": "Total in education, employment or training"},
        ),
        denominator=Pick("care_leaver_count", {"care_leaver_age": label, "breakdown": "Total"}),
        unit="%",
        better="higher",
        match=(
            f"near: DfE counts care leavers who turned {ages} in the year ('not known' "
            f"counted); ours List 9 rows aged {band.replace('-', '–')} with an Activity Status"
        ),
    )


PAIRS: tuple[Pair, ...] = (
    Pair(
        id="IND-CP-REPEAT",
        indicator="IND-CP-REPEAT",
        file="d3_cpps_subsequent_plan_2013_to_2025.csv",
        series="cin",
        table="table D3",
        title="Child protection plans starting in the year that were a second or subsequent plan",
        value=Pick("CPP_subsequent_percent"),
        numerator=Pick("CPP_subsequent"),
        denominator=Pick("CPP_start"),
        unit="%",
        better="lower",
        match=(
            "near: DfE counts every plan started in the year to 31 March; List 7 holds only each "
            "child's latest plan (open, or ended in the last six months)"
        ),
    ),
    Pair(
        id="IND-CP-2YR",
        indicator="IND-CP-2YR",
        file="d5_cpps_at31march_by_duration_2013_to_2025.csv",
        series="cin",
        table="table D5",
        title="Child protection plans open at 31 March that had lasted two years or more",
        value=Pick("2_years_or_more_percent"),
        numerator=Pick("2_years_or_more"),
        denominator=Pick("CPP_At31"),
        unit="%",
        better="lower",
        match="like for like",
        snapshot=True,
    ),
    Pair(
        id="IND-REREFERRAL",
        indicator="IND-REREFERRAL",
        file="c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
        series="cin",
        table="table C1",
        title="Referrals within 12 months of a previous referral",
        value=Pick("rereferral_percent"),
        numerator=Pick("rereferral_count"),
        denominator=Pick("referral_count"),
        unit="%",
        better="lower",
        match=(
            "near: DfE counts referrals in the year to 31 March; List 3 holds six months, "
            "earlier referrals read from its 12-month count for each child's latest"
        ),
    ),
    Pair(
        id="IND-CLA-STABILITY",
        indicator="IND-CLA-STABILITY",
        file="la_cla_placement_stability.csv",
        series="cla",
        table="placement stability",
        title="Children looked after on 31 March with three or more placements during the year",
        value=Pick(
            "children_percent",
            {**CLA_STABLE, "placement_stability": "With 3 or more placements during the year"},
        ),
        numerator=Pick(
            "children_count",
            {**CLA_STABLE, "placement_stability": "With 3 or more placements during the year"},
        ),
        denominator=Pick("children_count", {**CLA_STABLE, "placement_stability": "Total children"}),
        unit="%",
        better="lower",
        match=(
            "near: DfE counts children in care on 31 March; List 8 adds children who left care "
            "in the last six months"
        ),
    ),
    Pair(
        id="IND-CLA-HEALTH",
        indicator="IND-CLA-HEALTH",
        file="la_conviction_health_outcome_cla.csv",
        series="cla",
        table="outcomes of children looked after for 12 months: health",
        title="Children looked after for 12 months at 31 March who had their annual health assessment",
        value=Pick(
            "children_percent", {**HEALTH, "breakdown": "Had their annual health assessment"}
        ),
        numerator=Pick(
            "children_count", {**HEALTH, "breakdown": "Had their annual health assessment"}
        ),
        denominator=Pick("children_count", {**HEALTH, "breakdown": "Total all ages"}),
        unit="%",
        better="higher",
        match=(
            "near: DfE counts children in care 12 months at 31 March, assessed in the year; "
            "ours every open List 8 child whose assessment is not overdue"
        ),
    ),
    Pair(
        id="IND-CLA-TEETH",
        indicator="IND-CLA-TEETH",
        file="la_conviction_health_outcome_cla.csv",
        series="cla",
        table="outcomes of children looked after for 12 months: health",
        title="Children looked after for 12 months at 31 March who had their teeth checked by a dentist",
        value=Pick(
            "children_percent", {**HEALTH, "breakdown": "Had their teeth checked by a dentist"}
        ),
        numerator=Pick(
            "children_count", {**HEALTH, "breakdown": "Had their teeth checked by a dentist"}
        ),
        denominator=Pick("children_count", {**HEALTH, "breakdown": "Total all ages"}),
        unit="%",
        better="higher",
        match=(
            "near: DfE counts children in care 12 months at 31 March, checked in the year; ours "
            "open List 8 children in care 12 months+, checked in the last 12"
        ),
    ),
    Pair(
        id="IND-CASELOAD",
        indicator="IND-CASELOAD",
        file="csww_indicators_2017_to_2025.csv",
        series="csww",
        table="caseload",
        title="Average caseload per case-holding FTE children and family social worker",
        value=Pick("caseload_fte"),
        numerator=Pick("cases"),
        denominator=Pick("case_holders_fte"),
        unit="per FTE",
        better="lower",
        match=(
            "near: DfE's census at 30 September counts cases of case-holding workers; ours "
            "children on open Lists 4–9 of SW and NQSW/ASYE workers"
        ),
    ),
    _eet("17-18", "17 to 18 years"),
    _eet("19-21", "19 to 21 years"),
)


class SourceError(Exception):
    """A DfE file is not as expected: the script stops rather than ship a wrong figure."""


def read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / name
    if not path.exists():
        raise SourceError(f"{path}: not found")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame.apply(lambda s: s.str.strip())


def period_label(pair: Pair, year: int) -> tuple[str, str]:
    """(label, ISO end date) of a reporting year."""
    if pair.series == "csww":
        return f"30 Sep {year}", f"{year}-09-30"
    if pair.snapshot:
        return f"31 Mar {year}", f"{year}-03-31"
    return f"{year - 1}-{year % 100:02d}", f"{year}-03-31"


def figures(frame: pd.DataFrame, pick: Pick, name: str, file: str) -> pd.DataFrame:
    """The picked column as text, one row per (year, level, code), with its symbol if missing."""
    rows = frame
    for col, wanted in pick.where.items():
        if wanted not in set(frame[col]):
            raise SourceError(f"{file}: no rows with {col} = {wanted!r}")
        rows = rows[rows[col] == wanted]
    if pick.column not in rows:
        raise SourceError(f"{file}: no column {pick.column!r}")
    out = rows[["year", "level", "code"]].copy()
    text = rows[pick.column]
    numeric = pd.to_numeric(text, errors="coerce").notna()
    known = text.isin(SYMBOLS) | text.eq("")
    odd = text[~numeric & ~known]
    if len(odd):
        raise SourceError(
            f"{file}: {pick.column} holds {sorted(set(odd))}, neither a number "
            f"nor a known DfE symbol ({sorted(SYMBOLS)})"
        )
    out[name] = text.where(numeric, "")
    out[f"{name}_symbol"] = text.mask(numeric, "").mask(~numeric & text.eq(""), "blank")
    dup = out.duplicated(["year", "level", "code"], keep=False)
    if dup.any():
        first = out[dup].iloc[0]
        raise SourceError(f"{file}: {pick.column} given twice for {first['code']} {first['year']}")
    return out


def prepare(frame: pd.DataFrame, file: str, years: int) -> pd.DataFrame:
    for col in ("time_period", "geographic_level", "country_code", "region_code", "old_la_code"):
        if col not in frame:
            raise SourceError(f"{file}: no column {col!r}")
    levels = set(frame["geographic_level"])
    if levels - set(LEVELS):
        raise SourceError(f"{file}: unexpected geographic_level {sorted(levels - set(LEVELS))}")
    frame = frame.assign(year=frame["time_period"].astype(int))
    kept = sorted(frame["year"].unique())[-years:]
    frame = frame[frame["year"].isin(kept)]
    frame = frame.assign(level=frame["geographic_level"].map(LEVELS))
    frame = frame[~((frame["level"] == "region") & frame["region_code"].str.startswith("E13"))]
    code = frame["old_la_code"].where(frame["level"] == "council", frame["region_code"])
    code = code.where(frame["level"] != "england", frame["country_code"])
    return frame.assign(code=code)


def derive_pair(pair: Pair, frame: pd.DataFrame) -> pd.DataFrame:
    out = figures(frame, pair.value, "value", pair.file)
    for name, pick in (("numerator", pair.numerator), ("denominator", pair.denominator)):
        if pick is None:
            out[name] = ""
            continue
        part = figures(frame, pick, name, pair.file)[["year", "level", "code", name]]
        out = out.merge(part, on=["year", "level", "code"], how="outer", validate="1:1")
    out = out.fillna("")
    out["symbol"] = out.pop("value_symbol")
    empty = out[["value", "numerator", "denominator"]].eq("").all(axis=1)
    out = out[~(empty & out["symbol"].eq("z"))]  # a council that did not exist that year
    out.insert(0, "indicator", pair.id)
    return out[
        ["indicator", "year", "level", "code", "value", "numerator", "denominator", "symbol"]
    ]


def councils(frames: list[pd.DataFrame], sn: pd.DataFrame) -> pd.DataFrame:
    rows = pd.concat(
        [
            f.loc[
                f["level"] == "council",
                ["year", "old_la_code", "new_la_code", "la_name", "region_code", "region_name"],
            ]
            for f in frames
        ]
    )
    rows = rows[~rows["old_la_code"].str.contains("/")]  # joint entries are not councils
    london = rows["region_code"].str.startswith("E13")
    rows.loc[london, "region_code"], rows.loc[london, "region_name"] = LONDON
    latest = rows.sort_values("year").groupby("old_la_code").tail(1).set_index("old_la_code")
    for col in ("la_name", "region_code", "region_name"):
        seen = rows.groupby("old_la_code")[col].nunique()
        if (seen > 1).any():
            raise SourceError(f"councils with more than one {col}: {list(seen[seen > 1].index)}")
    table = (
        rows[["old_la_code", "new_la_code"]]
        .drop_duplicates()
        .rename(columns={"old_la_code": "la_code", "new_la_code": "e_code"})
    )
    table = table.join(latest[["la_name", "region_code", "region_name"]], on="la_code")
    table["replaced_by"] = table["la_code"].map(REPLACED_BY).fillna("")
    missing = set(sn["old_la_code"]) - set(table["la_code"])
    if missing:
        raise SourceError(f"neighbour model councils with no figures: {sorted(missing)}")
    return table.sort_values(["la_code", "e_code"]).reset_index(drop=True)


def neighbours(sn: pd.DataFrame) -> pd.DataFrame:
    parts = []
    for rank in range(1, 11):
        if f"SN_{rank}" not in sn:
            raise SourceError(f"sn_model_2025_wide.csv: no column SN_{rank}")
        parts.append(
            pd.DataFrame(
                {
                    "la_code": sn["old_la_code"],
                    "rank": rank,
                    "neighbour": sn[f"SN_{rank}"],
                    "closeness": sn[f"SN_{rank}P"],
                }
            )
        )
    table = pd.concat(parts)
    if table["neighbour"].eq("").any() or table["la_code"].duplicated().sum() != 9 * len(sn):
        raise SourceError("sn_model_2025_wide.csv: a council without ten neighbours")
    return table.sort_values(["la_code", "rank"]).reset_index(drop=True)


def toml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def pairs_toml(sources: pd.DataFrame, attribution: str) -> str:
    lines = [
        "# Published comparators: which DfE figure each indicator is compared with, and how the",
        "# definitions match. Generated by scripts/comparators/derive.py (`make comparators`);",
        "# do not edit by hand: edit the script and run it again.",
        "",
        "[attribution]",
        f"text = {toml_text(attribution)}",
        f"licence = {toml_text('Open Government Licence v3.0')}",
        f"source = {toml_text(SOURCE_SNAPSHOT)}",
    ]
    for pair in PAIRS:
        years = sorted(sources.loc[sources["indicator"] == pair.id, "year"])
        lines += [
            "",
            f"[{pair.id}]",
            f"indicator = {toml_text(pair.indicator)}",
            f"title = {toml_text(pair.title)}",
            f"publication = {toml_text('DfE, ' + PUBLICATIONS[pair.series])}",
            f"table = {toml_text(pair.table)}",
            f"file = {toml_text(pair.file)}",
            f"measure = {toml_text(pair.measure())}",
            f"unit = {toml_text(pair.unit)}",
            f"better = {toml_text(pair.better)}",
            f"years = [{', '.join(str(y) for y in years)}]",
            f"match = {toml_text(pair.match)}",
        ]
    return "\n".join(lines) + "\n"


def attribution_text(sources: pd.DataFrame) -> str:
    spans = []
    for series, name in PUBLICATIONS.items():
        years = sorted(sources.loc[sources["series"] == series, "year"].unique())
        if years:
            spans.append(f"{name} (reporting years {years[0]} to {years[-1]})")
    return (
        f"{OGL} Source: Department for Education official statistics: {'; '.join(spans)}; "
        "children's services statistical neighbour benchmarking model 2025."
    )


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def derive(source: Path, out: Path, years: int = 5) -> dict[str, pd.DataFrame]:
    """Derive every table from the DfE files in `source` and write them to `out`."""
    cache: dict[str, pd.DataFrame] = {}
    published, sources = [], []
    for pair in PAIRS:
        if pair.file not in cache:
            cache[pair.file] = prepare(read(source, pair.file), pair.file, years)
        frame = cache[pair.file]
        published.append(derive_pair(pair, frame))
        for year in sorted(frame["year"].unique()):
            label, end = period_label(pair, int(year))
            pub = f"{PUBLICATIONS[pair.series]} {year}"
            sources.append(
                {
                    "indicator": pair.id,
                    "year": int(year),
                    "period": label,
                    "period_end": end,
                    "source": f"DfE, {pub}, {pair.table}",
                    "file": pair.file,
                    "measure": pair.measure(),
                    "series": pair.series,
                }
            )
    table = pd.concat(published, ignore_index=True)
    table = table.assign(_lvl=table["level"].map(LEVEL_ORDER))
    table = table.sort_values(["indicator", "year", "_lvl", "code"]).drop(columns="_lvl")
    sources_frame = pd.DataFrame(sources).sort_values(["indicator", "year"])
    sn = read(source, "sn_model_2025_wide.csv")
    council_table = councils(list(cache.values()), sn)
    sn_table = neighbours(sn)
    unknown = set(sn_table["neighbour"]) - set(council_table["la_code"])
    if unknown:
        raise SourceError(f"neighbours with no council row: {sorted(unknown)}")
    attribution = attribution_text(sources_frame)

    out.mkdir(parents=True, exist_ok=True)
    write_csv(table, out / "published.csv")
    write_csv(sources_frame.drop(columns="series"), out / "published_sources.csv")
    write_csv(council_table, out / "councils.csv")
    write_csv(sn_table, out / "statistical_neighbours.csv")
    (out / "published_pairs.toml").write_text(pairs_toml(sources_frame, attribution), "utf-8")
    notice = (
        f"{attribution}\n\nTaken from: {SOURCE_SNAPSHOT}.\nDerived by "
        "scripts/comparators/derive.py: published.csv, published_sources.csv, councils.csv, "
        "statistical_neighbours.csv and published_pairs.toml. Figures are as published; "
        "suppressed or unavailable figures are left blank, never 0.\n"
    )
    (out / "published_ATTRIBUTION.txt").write_text(notice, "utf-8")
    return {
        "published": table,
        "sources": sources_frame,
        "councils": council_table,
        "neighbours": sn_table,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source", type=Path, default=DEFAULT_SOURCE, help="folder of the DfE statistics files"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write to")
    parser.add_argument("--years", type=int, default=5, help="reporting years kept per file")
    args = parser.parse_args(argv)
    try:
        tables = derive(args.source, args.out, args.years)
    except SourceError as exc:
        print(f"comparators: {exc}", file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in args.out.glob("published*")) + sum(
        (args.out / n).stat().st_size for n in ("councils.csv", "statistical_neighbours.csv")
    )
    print(
        f"comparators: {len(tables['published'])} figures, {len(tables['councils'])} council "
        f"codes, {len(tables['neighbours'])} neighbour links; {size / 1024:.0f} KiB in {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
