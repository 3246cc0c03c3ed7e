"""The loader on the messy shapes real exports take, and its refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from audits.core.errors import InputError
from audits.ingest.dispatch import load_export

CP_HEADINGS = [
    "Child Unique ID",
    "Gender",
    "Date of Birth",
    "Child Protection Plan Start Date",
    "Date of the Last Statutory Visit",
    "Was the Child Seen Alone?",
    "Date of latest review conference",
    "Child Protection Plan End Date",
    "Allocated Team",
    "Allocated Worker",
]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_title_row_sheet_name_variants_codes_dates_and_ids(tmp_path):
    rows = [
        ["List 7: Child protection"],
        [h.upper() + "  " if i == 3 else h for i, h in enumerate(CP_HEADINGS)],
        [
            10692868,
            "b) Female",
            dt.datetime(2015, 1, 2),
            dt.datetime(2026, 1, 5),
            46000,
            "a) Yes",
            "05/10/2026",
            None,
            "Team\u00a0A",
            "Jo\u00a0Bloggs",
        ],
        [
            10692869.0,
            "F",
            "2015-01-03",
            "2026-01-05",
            "2026-11-02",
            "Y",
            "#N/A",
            None,
            "Team A",
            "#N/A",
        ],
    ]
    export = load_export(write_xlsx(tmp_path / "a.xlsx", {"list7": rows}))
    f = export.lists[7].frame
    assert f["child_id"].tolist() == ["10692868", "10692869"]
    assert f["gender"].tolist() == ["Female", "Female"]
    assert f["seen_alone"].tolist() == ["Yes", "Yes"]
    assert f["last_visit"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-12-09",
        "2026-11-02",
    ]  # serial 46000
    assert f["latest_review"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2026-10-05", ""]
    assert f["worker"].tolist()[0] == "Jo Bloggs" and pd.isna(f["worker"].iloc[1])
    assert f["_row"].tolist() == [3, 4]


def test_unreadable_values_are_kept_and_reported(tmp_path):
    rows = [
        CP_HEADINGS,
        ["1", "Q", "31/02/2015", "2026-01-05", "not known", "Maybe", None, None, "T", "W"],
    ]
    export = load_export(write_xlsx(tmp_path / "b.xlsx", {"List_7": rows}))
    assert len(export.lists[7].frame) == 1
    bad = export.unreadable.set_index("field")
    assert set(bad.index) == {"gender", "dob", "last_visit", "seen_alone"}
    assert bad.loc["dob", "value"] == "31/02/2015"
    assert bad.loc["last_visit", "column"] == "E" and bad.loc["last_visit", "row"] == 2
    assert export.lists[7].frame["seen_alone"].iloc[0] == "(unreadable)"


def test_rows_that_do_not_fit_the_heading_row_are_reported(tmp_path):
    rows = [
        CP_HEADINGS,
        ["1", "M", None, "2026-01-05", None, "Yes", None, None, "T", "W", "stray value"],
    ]
    export = load_export(write_xlsx(tmp_path / "c.xlsx", {"Sheet1": rows}))
    bad = export.unreadable
    assert bad["value"].tolist() == ["stray value"] and bad["column"].tolist() == ["K"]


def test_list9_layouts_are_told_apart(tmp_path):
    old = [
        "Child Unique ID",
        "Date of Birth",
        "Allocated Team",
        "Allocated Worker",
        "Eligibility Category",
        "LA In Touch ",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ]
    new = old + [
        "Allocated Personal Advisor",
        "Latest Pathway Plan Review Date",
        "Latest Date of Contact",
    ]
    a = load_export(write_xlsx(tmp_path / "old.xlsx", {"List 9": [old, ["1"] + [None] * 8]}))
    b = load_export(write_xlsx(tmp_path / "new.xlsx", {"List 9": [new, ["1"] + [None] * 11]}))
    assert a.lists[9].layout.startswith("2019") and b.lists[9].layout.startswith("2024")


def test_13_column_rows_under_17_column_headings_become_dq04_not_invented_values(tmp_path):
    new = [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age",
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        "Does the Child have a Disability",
        "Allocated Team",
        "Allocated Worker",
        "Allocated Personal Advisor",
        "Eligibility Category",
        "Latest Pathway Plan Review Date",
        "LA in Touch",
        "Latest Date of Contact",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ]
    old_row = [
        "7",
        "a) Male",
        "a) WBRI",
        dt.datetime(2002, 8, 7),
        18,
        "b) No",
        "Care Leavers Team",
        "Jae Vang",
        "b) Former relevant child",
        "a) Yes",
        "Y: Other accommodation",
        "a) Suitable",
        "F1: Full time",
    ]
    export = load_export(write_xlsx(tmp_path / "misfit.xlsx", {"List 9": [new, old_row]}))
    bad = export.unreadable
    assert "pathway_plan_review" in set(bad["field"])  # 'a) Yes' under a date heading
    assert "accommodation_suitability" not in set(export.lists[9].frame.dropna(axis=1).columns)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_csv_encodings_and_recognition_by_headings(tmp_path, encoding):
    text = (
        "List 8: Children in care\n"
        "Child Unique ID,Date Started to be Looked After,Date of Latest Statutory Review,"
        "Date Ceased to be Looked After,Allocated Worker\n"
        "007,01/02/2026,2026-03-01,,Zoë O’Neill\n"
    )
    path = tmp_path / "whatever_name.csv"
    path.write_bytes(text.encode(encoding))
    export = load_export(path)
    f = export.lists[8].frame
    assert f["child_id"].tolist() == ["007"]
    assert f["worker"].tolist() == ["Zoë O’Neill"]
    assert f["cla_start"].iloc[0] == pd.Timestamp("2026-02-01")


def test_folder_of_csv_files(tmp_path):
    (tmp_path / "a.csv").write_text(
        "Child Unique ID,CIN Start Date,CIN Closure Date\n1,01/01/2026,\n"
    )
    (tmp_path / "b.csv").write_text(
        "Child Unique ID,Date of Contact,Contact Source\n2,01/01/2026,Police\n"
    )
    (tmp_path / "notes.txt").write_text("nothing to see")
    export = load_export(tmp_path)
    assert sorted(export.lists) == [1, 6]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n\x00\x01\x02\x03\xff\xfe\xfa", "not a spreadsheet"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + "EncryptionInfo".encode("utf-16-le")
            + b"\x00" * 64,
            "password",
        ),
        (b"PK\x03\x04garbage", "damaged"),
    ],
)
def test_bad_files_are_refused_clearly(tmp_path, content, message):
    path = tmp_path / "export.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        load_export(path)
    assert message in str(exc.value) and "export.xlsx" in str(exc.value)


def test_duplicate_headings_are_refused(tmp_path):
    rows = [CP_HEADINGS + ["Allocated Worker"], ["1"] * 11]
    with pytest.raises(InputError, match="same heading 'Allocated Worker'"):
        load_export(write_xlsx(tmp_path / "d.xlsx", {"List_7": rows}))


def test_ragged_csv_is_refused_with_the_line(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "Child Unique ID,CIN Start Date,CIN Closure Date\n1,01/01/2026,\n2,01/01/2026,,extra\n"
    )
    with pytest.raises(InputError, match="line 3"):
        load_export(path)


def test_nothing_recognised_and_no_rows_are_refused(tmp_path):
    with pytest.raises(InputError, match="No Annex A list"):
        load_export(write_xlsx(tmp_path / "x.xlsx", {"Sheet1": [["a", "b"], [1, 2]]}))
    with pytest.raises(InputError, match="no rows"):
        load_export(write_xlsx(tmp_path / "y.xlsx", {"List_7": [CP_HEADINGS]}))
