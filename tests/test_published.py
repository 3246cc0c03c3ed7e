"""Published comparators (DESIGN §3b): derived from small excerpts of the DfE files, written here
with the real files' columns and figures worked out by hand; the loader's refusals; and, when
../shared/reference is present, neighbours' medians, regions and England recomputed straight
from the DfE CSVs and compared with the shipped table."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import importlib.util
import shutil
import statistics
import sys
from pathlib import Path

import pytest

from audits.core.errors import InputError
from audits.indicators import published as pub
from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location(
    "derive", ROOT / "scripts" / "comparators" / "derive.py"
)
derive = importlib.util.module_from_spec(spec)
sys.modules["derive"] = derive  # dataclasses look their module up there
spec.loader.exec_module(derive)

D3 = "d3_cpps_subsequent_plan_2013_to_2025.csv"
D5 = "d5_cpps_at31march_by_duration_2013_to_2025.csv"
C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
CSWW = "csww_indicators_2017_to_2025.csv"
STABILITY = "la_cla_placement_stability.csv"
HEALTH = "la_conviction_health_outcome_cla.csv"
LEAVERS = "la_care_leavers_activity.csv"
SN = "sn_model_2025_wide.csv"
GEO = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name"
)
GEO_CLA = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code"
)
# The real files' headings (columns only; the rows below are written by hand). The looked-after
# files and the neighbour model begin with a byte-order mark, as the DfE's do.
BOM = {STABILITY, HEALTH, LEAVERS, SN}
HEADERS = {
    D3: f"{GEO},category,CPP_start,CPP_subsequent,CPP_subsequent_percent",
    D5: f"{GEO},category,CPP_At31,3_months_or_less,3_months_or_less_percent,"
    "more_than_3_months_6_months,more_than_3_months_6_months_percent,"
    "more_than_6_months_less_than_1_year,more_than_6_months_less_than_1_year_percent,"
    "1_year_less_than_2_years,1_year_less_than_2_years_percent,2_years_or_more,"
    "2_years_or_more_percent",
    C1: f"{GEO},category,referral_count,rereferral_count,rereferral_percent,"
    "no_further_action_count,no_further_action_percent,not_in_need_count,not_in_need_percent,"
    "referral_child_count,rereferral_child_count,rereferral_child_percent",
    CSWW: f"{GEO},inpost_fte,inpost_headcount,starters_fte,starters_headcount,leavers_fte,"
    "leavers_headcount,turnover_rate_fte,turnover_rate_headcount,agency_fte,agency_headcount,"
    "agency_rate_fte,agency_rate_headcount,agency_cover_fte,agency_cover_rate_fte,vacancy_fte,"
    "vacancy_rate_fte,vacancy_agency_cover_rate_fte,case_holders_fte,cases,caseload_fte,"
    "working_days_lost_fte,absence_rate_fte",
    STABILITY: f"{GEO_CLA},cla_group,placement_stability,children_count,children_percent",
    HEALTH: f"{GEO_CLA},characteristic,breakdown,children_count,children_percent",
    LEAVERS: f"{GEO_CLA},care_leaver_age,breakdown,care_leaver_count,care_leaver_percent",
    SN: "old_la_code,la_name,region_ind,region_name,"
    + ",".join(f"SN_{i},SN_{i}P" for i in range(1, 11)),
}
YORKS = ("E12000003", "Yorkshire and The Humber")
PLACES = {  # code: (E-code, name, region code, region name)
    "380": ("E08000032", "Bradford", *YORKS),
    "889": ("E06000008", "Blackburn with Darwen", "E12000002", "North West"),
    "330": ("E08000025", "Birmingham", "E12000005", "West Midlands"),
    "353": ("E08000004", "Oldham", "E12000002", "North West"),
    "373": ("E08000039", "Sheffield", *YORKS),
    "831": ("E06000015", "Derby", "E12000004", "East Midlands"),
    "354": ("E08000005", "Rochdale", "E12000002", "North West"),
    "350": ("E08000001", "Bolton", "E12000002", "North West"),
    "335": ("E08000030", "Walsall", "E12000005", "West Midlands"),
    "333": ("E08000028", "Sandwell", "E12000005", "West Midlands"),
    "382": ("E08000034", "Kirklees", *YORKS),
    "314": ("E09000021", "Kingston upon Thames", "E13000002", "Outer London"),
    "318": ("E09000027", "Richmond upon Thames", "E13000002", "Outer London"),
}
REGIONS = {
    "E12000003": "Yorkshire and The Humber",
    "E12000007": "London",
    "E13000002": "Outer London",
}
NEIGHBOURS = {
    "380": ["889", "330", "353", "373", "831", "354", "350", "335", "333", "382"],
    "353": ["380", "889", "330", "373", "831", "354", "350", "335", "333", "382"],
    "314": ["318", "380", "889", "330", "353", "373", "831", "354", "350", "335"],
}


def geo(year: int, where: str, e_code: str | None = None) -> dict:
    row = {
        "time_period": str(year),
        "time_identifier": "Reporting year",
        "country_code": "E92000001",
        "country_name": "England",
    }
    if where == "england":
        return {**row, "geographic_level": "National"}
    if where in REGIONS:
        return {
            **row,
            "geographic_level": "Regional",
            "region_code": where,
            "region_name": REGIONS[where],
        }
    if "/" in where:
        a, b = (PLACES[c.strip()] for c in where.split("/"))
        e, name, rcode, rname = f"{a[0]} / {b[0]}", f"{a[1]} / {b[1]}", a[2], a[3]
    else:
        e, name, rcode, rname = PLACES[where]
    return {
        **row,
        "geographic_level": "Local authority",
        "region_code": rcode,
        "region_name": rname,
        "old_la_code": where,
        "new_la_code": e_code or e,
        "la_name": name,
    }


def write(folder: Path, name: str, rows: list[dict]) -> None:
    columns = HEADERS[name].split(",")
    encoding = "utf-8-sig" if name in BOM else "utf-8"
    with (folder / name).open("w", encoding=encoding, newline="") as handle:
        out = csv.DictWriter(handle, columns, restval="")
        out.writeheader()
        out.writerows(rows)


def wide(category: str, cols: tuple[str, ...], figures: dict) -> list[dict]:
    """Rows of a wide file from {(year, where): (value per column...)}; (year, where, e_code)
    keys give the E-code the DfE used that year."""
    rows = []
    for key, values in figures.items():
        year, where, *e_code = key
        row = geo(year, where, *e_code)
        if category:
            row["category"] = category
        rows.append(row | dict(zip(cols, values, strict=True)))
    return rows


def long(group_col: str, pick_col: str, count_col: str, pct_col: str, figures: list) -> list:
    return [
        geo(year, where) | {group_col: group, pick_col: pick, count_col: n, pct_col: pct}
        for year, where, group, pick, n, pct in figures
    ]


@pytest.fixture
def excerpt(tmp_path: Path) -> Path:
    """A small DfE folder: England, regions and a dozen councils, figures chosen by hand."""
    src = tmp_path / "dfe"
    src.mkdir()
    d3 = ("CPP_start", "CPP_subsequent", "CPP_subsequent_percent")
    write(
        src,
        D3,
        wide(
            "Child Protection Plans which are a second or subsequent plan",
            d3,
            {
                (2025, "england"): ("61840", "15130", "24.5"),
                (2025, "E12000003"): ("7260", "1790", "24.7"),
                (2025, "380"): ("563", "153", "27.2"),
                (2025, "889"): ("100", "30", "30.0"),
                (2025, "330"): ("500", "100", "20.0"),
                (2025, "353"): ("40", "c", "c"),  # suppressed: missing, never 0
                (2025, "373", "E08000039"): ("200", "50", "25.0"),
                (2025, "831"): ("100", "10", "10.0"),
                (2025, "354"): ("50", "20", "40.0"),
                (2025, "350"): ("x", "x", "x"),
                (2025, "335"): ("100", "22", "22.0"),
                (2025, "333"): ("100", "18", "18.0"),
                (2025, "382"): ("", "", ""),
                (2025, "314"): ("50", "6", "12.0"),
                (2025, "318"): ("50", "7", "14.0"),
                (2024, "england"): ("60000", "12000", "20.0"),
                (2024, "380"): ("500", "100", "20.0"),
                (2024, "353"): ("400", "80", "20.0"),
                (2024, "889"): ("100", "25", "25.0"),
                (2024, "330"): ("400", "60", "15.0"),
                (2024, "373", "E08000019"): ("100", "30", "30.0"),  # Sheffield's former E-code
            },
        ),
    )
    write(
        src,
        D5,
        wide(
            "Child Protection Plans by length of time",
            ("CPP_At31", "2_years_or_more", "2_years_or_more_percent"),
            {
                (2025, "england"): ("49420", "1130", "2.3"),
                (2025, "380"): ("468", "15", "3.2"),
            },
        ),
    )
    write(
        src,
        C1,
        wide(
            "Referrals and Re-referrals",
            ("referral_count", "rereferral_count", "rereferral_percent"),
            {
                (2025, "england"): ("632830", "142900", "22.6"),
                (2025, "380"): ("7450", "1709", "22.9"),
            },
        ),
    )
    write(
        src,
        CSWW,
        wide(
            "",
            ("case_holders_fte", "cases", "caseload_fte"),
            {
                (2025, "england"): ("21105.4", "321661", "15.2"),
                (2025, "E12000007"): ("3000", "41400", "13.8"),
                (2025, "E13000002"): ("1500", "21000", "14.0"),  # Outer London: left out
                (2025, "314 / 318"): ("120.8", "1679", "13.9"),  # published as one
                (2025, "380"): ("327.7", "4680", "14.3"),
                (2025, "889"): ("100", "1600", "16.0"),
                (2025, "330"): ("u", "u", "u"),
                (2025, "353"): ("100", "1200", "12.0"),
            },
        ),
    )
    on31 = "CLA on 31 March"
    three = "With 3 or more placements during the year"
    write(
        src,
        STABILITY,
        long(
            "cla_group",
            "placement_stability",
            "children_count",
            "children_percent",
            [
                (2025, "england", on31, "Total children", "81770", "100"),
                (2025, "england", on31, three, "8177", "10"),
                (2025, "380", on31, "Total children", "1366", "100"),
                (2025, "380", on31, three, "103", "8"),
                (
                    2025,
                    "380",
                    "CLA 2 years on 31 March",
                    "With 3 or more placements during the previous 2 years",
                    "208",
                    "19",
                ),
                (2025, "889", on31, "Total children", "0", "z"),  # 0 of 0: no percentage
                (2025, "889", on31, three, "0", "z"),
                (2025, "330", on31, "Total children", "z", "z"),  # did not exist: left out
                (2025, "330", on31, three, "z", "z"),
            ],
        ),
    )
    health = "Health assessments: Children looked after all ages"
    write(
        src,
        HEALTH,
        long(
            "characteristic",
            "breakdown",
            "children_count",
            "children_percent",
            [
                (2025, "england", health, "Total all ages", "60000", "100"),
                (2025, "england", health, "Had their annual health assessment", "54000", "90"),
                (2025, "england", health, "Had their teeth checked by a dentist", "48600", "81"),
                (2025, "380", health, "Total all ages", "1084", "100"),
                (2025, "380", health, "Had their annual health assessment", "1038", "96"),
                (2025, "380", health, "Had their teeth checked by a dentist", "958", "88"),
                (
                    2025,
                    "380",
                    "Substance misuse: Children looked after all ages",
                    "Total all ages",
                    "1084",
                    "100",
                ),
            ],
        ),
    )
    eet = "Total in education, employment or training"
    write(
        src,
        LEAVERS,
        long(
            "care_leaver_age",
            "breakdown",
            "care_leaver_count",
            "care_leaver_percent",
            [
                (2025, "380", "17 to 18 years", "Total", "171", "100"),
                (2025, "380", "17 to 18 years", eet, "118", "69"),
                (2025, "380", "19 to 21 years", "Total", "484", "100"),
                (2025, "380", "19 to 21 years", eet, "250", "52"),
                (2025, "380", "19 to 21 years", "Total information not known", "1", "k"),
            ],
        ),
    )
    sn_rows = []
    for code, near in NEIGHBOURS.items():
        row = {
            "old_la_code": code,
            "la_name": PLACES[code][1],
            "region_ind": "1",
            "region_name": PLACES[code][3],
        }
        for i, other in enumerate(near, start=1):
            row |= {f"SN_{i}": other, f"SN_{i}P": "Close "}
        sn_rows.append(row)
    write(src, SN, sn_rows)
    return src


@pytest.fixture
def derived(excerpt: Path, tmp_path: Path) -> pub.Tables:
    derive.derive(excerpt, tmp_path / "data")
    return pub.load(tmp_path / "data")


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- derive and look up, against figures worked out by hand ------------------------------------


def test_council_neighbours_region_england_by_hand(derived):
    got = pub.published("IND-CP-REPEAT", "380", tables=derived)
    assert got["council"] == {
        "value": 27.2,
        "period": "2024-25",
        "la_code": "380",
        "la_name": "Bradford",
    }
    # 10 neighbours: 353 suppressed (c), 350 not available (x), 382 blank: seven have a value,
    # 10 18 20 22 25 30 40
    assert got["neighbours"] == {
        "median": 22.0,
        "min": 10.0,
        "max": 40.0,
        "count": 7,
        "period": "2024-25",
    }
    assert got["region"] == {"name": "Yorkshire and The Humber", "value": 24.7, "period": "2024-25"}
    assert got["england"] == {"value": 24.5, "period": "2024-25"}
    assert got["source"] == "DfE, Children in need 2025, table D3"
    assert got["match"].startswith("near: ")
    assert pub.published("IND-CP-REPEAT", "E08000032", tables=derived) == got


def test_no_council_named_gives_england_alone(derived):
    got = pub.published("IND-CP-REPEAT", None, tables=derived)
    assert got["england"] == {"value": 24.5, "period": "2024-25"}  # the latest year
    assert got["council"] is got["neighbours"] is got["region"] is None
    assert got["source"] == "DfE, Children in need 2025, table D3"


def test_suppressed_latest_year_falls_back_to_the_councils_latest_published_year(derived):
    got = pub.published("IND-CP-REPEAT", "353", tables=derived)
    # 2025 is suppressed for Oldham: its 2024 figure, beside 2024's neighbours and England
    assert got["council"]["value"] == 20.0 and got["council"]["period"] == "2023-24"
    # 2024: 380 20, 889 25, 330 15, 373 30 (the other six have no 2024 row): 15 20 25 30
    assert got["neighbours"] == {
        "median": 22.5,
        "min": 15.0,
        "max": 30.0,
        "count": 4,
        "period": "2023-24",
    }
    assert got["region"] is None  # no North West figure in the excerpt
    assert got["england"] == {"value": 20.0, "period": "2023-24"}
    assert got["source"] == "DfE, Children in need 2024, table D3"


def test_suppressed_values_are_missing_never_zero(derived, tmp_path):
    table = {
        (r["indicator"], r["year"], r["code"]): r for r in rows(tmp_path / "data/published.csv")
    }
    oldham = table[("IND-CP-REPEAT", "2025", "353")]
    assert (oldham["value"], oldham["numerator"], oldham["denominator"], oldham["symbol"]) == (
        "",
        "",
        "40",
        "c",
    )
    assert table[("IND-CASELOAD", "2025", "330")]["symbol"] == "u"
    assert table[("IND-CP-REPEAT", "2025", "382")]["symbol"] == "blank"
    fig = pub.council_figure("IND-CP-REPEAT", "353", 2025, tables=derived)
    assert fig["value"] is None and fig["symbol"] == "c" and fig["denominator"] == 40.0
    # 0 children of 0: no percentage (z), the counts as published
    empty = pub.council_figure("IND-CLA-STABILITY", "889", 2025, tables=derived)
    assert (empty["value"], empty["numerator"], empty["denominator"], empty["symbol"]) == (
        None,
        0.0,
        0.0,
        "z",
    )
    # a council with nothing but z that year did not exist: no row at all
    assert ("IND-CLA-STABILITY", "2025", "330") not in table
    stab = pub.published("IND-CLA-STABILITY", "380", tables=derived)
    assert stab["council"]["value"] == 8.0 and stab["england"]["value"] == 10.0
    assert stab["neighbours"] is None and stab["region"] is None  # nothing published


def test_long_files_take_the_figure_from_the_right_group(derived, tmp_path):
    table = {(r["indicator"], r["code"]): r for r in rows(tmp_path / "data/published.csv")}
    pick = {k: (v["value"], v["numerator"], v["denominator"]) for k, v in table.items()}
    assert pick[("IND-CLA-STABILITY", "380")] == ("8", "103", "1366")
    assert pick[("IND-CLA-HEALTH", "380")] == ("96", "1038", "1084")
    assert pick[("IND-CLA-TEETH", "380")] == ("88", "958", "1084")
    assert pick[("IND-CL-EET-17-18", "380")] == ("69", "118", "171")
    assert pick[("IND-CL-EET-19-21", "380")] == ("52", "250", "484")
    assert pick[("IND-CP-2YR", "380")] == ("3.2", "15", "468")
    assert pick[("IND-REREFERRAL", "380")] == ("22.9", "1709", "7450")
    # each age band is its own indicator; IND-CL-EET (every age) has no counterpart of its own
    assert pub.comparator_ids("IND-CL-EET-17-18", tables=derived) == ("IND-CL-EET-17-18",)
    assert pub.comparator_ids("IND-CL-EET-19-21", tables=derived) == ("IND-CL-EET-19-21",)
    assert pub.comparator_ids("IND-CL-EET", tables=derived) == ()
    assert pub.comparator_ids("IND-ASM-45", tables=derived) == ()


def test_joint_workforce_entry_and_london(derived, tmp_path):
    got = pub.published("IND-CASELOAD", "E09000021", tables=derived)
    assert got["council"] == {
        "value": 13.9,
        "period": "30 Sep 2025",
        "la_code": "314 / 318",
        "la_name": "Kingston upon Thames / Richmond upon Thames",
    }
    # neighbours: 318 shares Kingston's own entry (left out); 380 14.3, 889 16.0, 353 12.0;
    # 330 low reliability (u); the rest have no row
    assert got["neighbours"] == {
        "median": 14.3,
        "min": 12.0,
        "max": 16.0,
        "count": 3,
        "period": "30 Sep 2025",
    }
    # an Outer London borough's region is London; the Outer London row is not shipped
    assert got["region"] == {"name": "London", "value": 13.8, "period": "30 Sep 2025"}
    assert not any(r["code"].startswith("E13") for r in rows(tmp_path / "data/published.csv"))
    assert got["source"] == "DfE, Children's social work workforce 2025, caseload"


def test_either_code_form_resolves_and_former_e_codes_too(derived):
    assert pub.resolve_la_code("380", tables=derived) == "380"
    assert pub.resolve_la_code(380, tables=derived) == "380"
    assert pub.resolve_la_code(" e08000032 ", tables=derived) == "380"
    assert pub.resolve_la_code("E08000019", tables=derived) == "373"  # Sheffield before 2024
    assert pub.resolve_la_code("E08000039", tables=derived) == "373"


def test_year_end_reconciliation(derived):
    assert pub.year_ending("IND-CP-REPEAT", dt.date(2025, 3, 31), tables=derived) == 2025
    assert pub.year_ending("IND-CP-REPEAT", dt.date(2025, 3, 30), tables=derived) is None
    assert pub.year_ending("IND-CASELOAD", dt.date(2025, 9, 30), tables=derived) == 2025
    assert pub.year_ending("IND-CASELOAD", dt.date(2025, 3, 31), tables=derived) is None
    fig = pub.council_figure("IND-CP-REPEAT", "E08000032", 2024, tables=derived)
    assert (fig["value"], fig["numerator"], fig["denominator"], fig["period"]) == (
        20.0,
        100.0,
        500.0,
        "2023-24",
    )
    assert fig["la_code"] == "380" and fig["source"] == "DfE, Children in need 2024, table D3"


def test_period_labels(derived):
    assert derived.sources[("IND-CP-2YR", 2025)].period == "31 Mar 2025"
    assert derived.sources[("IND-CLA-STABILITY", 2025)].period == "2024-25"
    assert derived.sources[("IND-CASELOAD", 2025)].period_end == dt.date(2025, 9, 30)


def test_derive_refuses_an_unknown_symbol(excerpt, tmp_path):
    text = (excerpt / D3).read_text(encoding="utf-8").replace(",x,x,x", ",x,x,n/a")
    (excerpt / D3).write_text(text, encoding="utf-8")
    with pytest.raises(derive.SourceError, match="n/a"):
        derive.derive(excerpt, tmp_path / "out")


def test_derived_files_are_sorted_and_attributed(derived, tmp_path):
    figures = rows(tmp_path / "data/published.csv")
    order = [
        (r["indicator"], int(r["year"]), derive.LEVEL_ORDER[r["level"]], r["code"]) for r in figures
    ]
    assert order == sorted(order)
    assert "Open Government Licence v3.0" in pub.attribution(tables=derived)
    assert "Children in need (reporting years 2024 to 2025)" in pub.attribution(tables=derived)


# --- the loader's refusals ---------------------------------------------------------------------


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "copy"
    shutil.copytree(pub.DATA, folder)
    return folder


def _edit_sources(folder: Path, change) -> None:
    path = folder / "published_sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(change(lines)), encoding="utf-8")


def test_the_shipped_copy_loads(shipped_copy):
    assert pub.load(shipped_copy).figures  # the refusals below come from the edits alone


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda lines: [lines[0], *lines[2:]], "no source or period"),  # a year's row gone
        (
            lambda lines: [lines[0], lines[1].replace(",30 Sep 2021,", ",,"), *lines[2:]],
            "no period",
        ),
        (
            lambda lines: [
                lines[0],
                lines[1].replace('"DfE, Children\'s social work workforce 2021, caseload"', ""),
                *lines[2:],
            ],
            "no source",
        ),
    ],
)
def test_loader_refuses_a_figure_without_source_or_period(shipped_copy, change, message):
    _edit_sources(shipped_copy, change)
    with pytest.raises(pub.PublishedTableError, match=message):
        pub.load(shipped_copy)


def test_loader_refuses_a_missing_value_without_its_reason(shipped_copy):
    path = shipped_copy / "published.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",,,,u\n", ",,,,\n", 1), "utf-8")
    with pytest.raises(pub.PublishedTableError, match="no DfE symbol"):
        pub.load(shipped_copy)


def test_loader_refuses_pairs_without_attribution(shipped_copy):
    path = shipped_copy / "published_pairs.toml"
    text = path.read_text(encoding="utf-8").replace("Open Government Licence", "licence")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(pub.PublishedTableError, match="attribution"):
        pub.load(shipped_copy)


@pytest.mark.parametrize("code", ["999", "E08000099", "Bradford", "38"])
def test_unknown_la_code_is_refused_by_name(code):
    with pytest.raises(InputError) as err:
        pub.resolve_la_code(code, file="audit.toml")
    text = str(err.value)
    assert f"'{code}'" in text and "audit.toml" in text
    assert "3-digit" in text and "E-code" in text


def test_former_council_names_its_successors():
    with pytest.raises(InputError, match=r"Cumbria.*942 \(Cumberland\).*943"):
        pub.resolve_la_code("909")
    with pytest.raises(InputError, match="Northamptonshire"):
        pub.resolve_la_code("E10000021")


def test_every_shipped_council_in_the_model_has_ten_neighbours():
    t = pub.shipped()
    assert len(t.neighbours) == 153
    assert all(len(set(near)) == 10 and code not in near for code, near in t.neighbours.items())


# --- against the DfE files themselves (skipped without ../shared/reference) -------------------


def _raw(folder: Path, file: str, column: str, **where: str) -> dict[tuple[int, str], str]:
    """{(year, code): text} straight from a DfE CSV; code = old_la_code, region or 'england'."""
    out = {}
    with (folder / file).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if any(row[k].strip() != v for k, v in where.items()):
                continue
            level = row["geographic_level"]
            code = (
                row["old_la_code"]
                if level == "Local authority"
                else row["region_code"]
                if level == "Regional"
                else "england"
            )
            out[(int(row["time_period"]), code.strip())] = row[column].strip()
    return out


def _float(text: str | None) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _region_of(folder: Path, code: str) -> str:
    with (folder / D3).open(encoding="utf-8-sig", newline="") as handle:
        region = next(r["region_code"] for r in csv.DictReader(handle) if r["old_la_code"] == code)
    return "E12000007" if region.startswith("E13") else region


CHECKS = [
    ("IND-CP-REPEAT", D3, "CPP_subsequent_percent", {}),
    ("IND-REREFERRAL", C1, "rereferral_percent", {}),
    ("IND-CASELOAD", CSWW, "caseload_fte", {}),
    (
        "IND-CLA-STABILITY",
        STABILITY,
        "children_percent",
        {
            "cla_group": "CLA on 31 March",
            "placement_stability": "With 3 or more placements during the year",
        },
    ),
    (
        "IND-CL-EET-19-21",
        LEAVERS,
        "care_leaver_percent",
        {
            "care_leaver_age": "19 to 21 years",
            "breakdown": "Total in education, employment or training",
        },
    ),
]


@pytest.mark.parametrize("council", ["380", "855", "916"])
@pytest.mark.parametrize(("cid", "file", "column", "where"), CHECKS)
def test_shipped_figures_recomputed_from_the_dfe_files(
    reference, council, cid, file, column, where
):
    dfe = reference / "dfe_statistics"
    raw = _raw(dfe, file, column, **where)
    with (dfe / SN).open(encoding="utf-8-sig", newline="") as handle:
        model = next(r for r in csv.DictReader(handle) if r["old_la_code"] == council)
    near = [model[f"SN_{i}"].strip() for i in range(1, 11)]
    year = max(y for (y, c), text in raw.items() if c == council and _float(text) is not None)
    values = [v for n in near if (v := _float(raw.get((year, n)))) is not None]

    got = pub.published(cid, council)
    assert got["council"]["value"] == float(raw[(year, council)])
    assert got["council"]["period"] == pub.shipped().sources[(cid, year)].period
    assert got["neighbours"]["count"] == len(values)
    assert got["neighbours"]["median"] == pytest.approx(statistics.median(values), abs=0.005)
    assert (got["neighbours"]["min"], got["neighbours"]["max"]) == (min(values), max(values))
    assert got["region"]["value"] == float(raw[(year, _region_of(dfe, council))])
    assert got["england"]["value"] == float(raw[(year, "england")])


def test_joint_entry_recomputed_from_the_dfe_files(reference):
    dfe = reference / "dfe_statistics"
    raw = _raw(dfe, CSWW, "caseload_fte")
    got = pub.published("IND-CASELOAD", "314")
    assert got["council"]["la_code"] == "314 / 318"
    assert got["council"]["value"] == float(raw[(2025, "314 / 318")])
    with (dfe / SN).open(encoding="utf-8-sig", newline="") as handle:
        model = next(r for r in csv.DictReader(handle) if r["old_la_code"] == "314")
    near = [model[f"SN_{i}"].strip() for i in range(1, 11)]
    assert "318" in near  # Richmond: Kingston's own joint figure, not a neighbour's
    values = [v for n in near if n != "318" and (v := _float(raw.get((2025, n)))) is not None]
    assert got["neighbours"]["count"] == len(values)
    assert got["neighbours"]["median"] == pytest.approx(statistics.median(values), abs=0.005)


def test_shipped_data_is_what_the_script_derives(reference, tmp_path):
    derive.derive(reference / "dfe_statistics", tmp_path / "fresh")
    names = sorted(p.name for p in (tmp_path / "fresh").iterdir())
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "fresh", pub.DATA, names, shallow=False)
    assert (mismatch, errors) == ([], []), "run `make comparators` and commit audits/data"
    assert sum((pub.DATA / n).stat().st_size for n in names) < 512 * 1024
