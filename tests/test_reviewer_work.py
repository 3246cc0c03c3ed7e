"""Nothing a reviewer typed is lost: each way it could be, from the reviewer-work issue."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from concurrent_runs import record_at_once
from reviewing import findings_table, read_findings, set_saved_at, type_into
from typer.testing import CliRunner

from audits.cli import app
from audits.history import Store
from audits.output.written import sha256_of

runner = CliRunner()
L8 = (
    "Child Unique ID,Date of Birth,Date Started to be Looked After,Date Ceased to be Looked After,"
    "Date of Latest Statutory Review,Allocated Team,Allocated Worker\n"
)
# Every child's review is overdue at the end of October and November 2026.
CHILDREN = [
    "A,01/01/2015,01/01/2020,,01/01/2026,North,W1",
    "B,01/01/2015,01/01/2020,,01/02/2026,North,W1",
    "C,01/01/2015,01/01/2020,,01/03/2026,South,W2",
    "D,01/01/2015,01/01/2020,,01/03/2026,East,W3",
]


def export(folder: Path, rows: list[str] = CHILDREN) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "list8.csv").write_text(L8 + "".join(r + "\n" for r in rows))
    return folder / "list8.csv"


def run(tmp_path: Path, as_at: str, out: Path, rows: list[str] = CHILDREN, db=None):
    db = db or tmp_path / "h.sqlite"
    result = runner.invoke(
        app,
        ["run", str(export(tmp_path / f"in-{as_at}", rows)), "--as-at", as_at]
        + ["--out", str(out), "--db", str(db)],
    )
    assert result.exit_code == 0, result.output
    return result


def moderate(tmp_path: Path, *paths: Path, db=None):
    return runner.invoke(
        app, ["moderate", *map(str, paths), "--db", str(db or tmp_path / "h.sqlite")]
    )


def entries(tmp_path: Path) -> pd.DataFrame:
    return Store.open(tmp_path / "h.sqlite").table("entries")


@pytest.fixture
def october(tmp_path):
    out = tmp_path / "oct"
    run(tmp_path, "2026-10-30", out)
    return out


# --- returns merged ---------------------------------------------------------------------------
def test_entries_are_stored_field_by_field_and_reimport_changes_nothing(tmp_path, october):
    typed = type_into(
        october / "audit.xlsx",
        {
            "A": {
                "Moderator decision": "Agree",
                "Manager response": "Review booked",
                "Action owner": "TM North",
                "Action due": dt.datetime(2026, 11, 13),
            }
        },
        target=tmp_path / "return.xlsx",
    )
    first = moderate(tmp_path, typed)
    assert first.exit_code == 0, first.output
    assert "Stored 4 entries on 1 finding(s)" in first.output
    again = moderate(tmp_path, typed)
    assert again.exit_code == 0 and "Stored 0 entries" in again.output
    stored = entries(tmp_path)
    assert len(stored) == 4
    assert stored.set_index("field").loc["action_due", "value"] == "2026-11-13"


def test_the_workbook_exactly_as_written_is_read(tmp_path, october):
    result = moderate(tmp_path, october / "audit.xlsx")
    assert result.exit_code == 0, result.output
    assert "Stored 0 entries" in result.output


def test_a_sheet_without_a_dimension_record_and_with_ragged_rows_is_read(tmp_path, october):
    typed = type_into(
        october / "audit.xlsx",
        {"B": {"Moderator comment": "seen 02/11"}},
        target=tmp_path / "return.xlsx",
    )
    stripped = tmp_path / "no-dimension.xlsx"
    with zipfile.ZipFile(typed) as src, zipfile.ZipFile(stripped, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
            dst.writestr(item, data)
    result = moderate(tmp_path, stripped)
    assert result.exit_code == 0, result.output
    assert "Stored 1 entry on 1 finding(s)" in result.output


def test_each_entry_that_cannot_be_stored_is_listed_with_file_and_row(tmp_path, october):
    path = type_into(
        october / "audit.xlsx",
        {
            "A": {"Moderator decision": "Agreed-ish"},
            "B": {"Action due": "next week", "Action owner": "TM North"},
            "C": {"Manager response": "done", "Finding ID": None},
            "D": {"Finding ID": "not-a-finding", "Moderator comment": "odd"},
        },
        target=tmp_path / "return.xlsx",
    )
    rows = {r["Child ID"]: r["_row"] for r in read_findings(october / "audit.xlsx")}
    result = moderate(tmp_path, path)
    assert result.exit_code == 1
    out = result.output
    assert f"return.xlsx, row {rows['A']}: Moderator decision 'Agreed-ish' is not one of" in out
    assert f"return.xlsx, row {rows['B']}: Action due 'next week' is not a date" in out
    assert f"return.xlsx, row {rows['C']}: entries typed on a row with no Finding ID" in out
    assert f"return.xlsx, row {rows['D']}: Finding ID 'not-a-finding' is not in the history" in out
    assert set(entries(tmp_path)["field"]) == {"action_owner"}  # B's owner was fine


def test_a_column_a_person_added_is_listed_not_dropped(tmp_path, october):
    path = tmp_path / "notes.xlsx"
    shutil.copy(october / "audit.xlsx", path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    notes = ws.max_column + 1
    ws.cell(head, notes).value = "Notes"
    child = columns["Child ID"]
    row = next(r for r in range(head + 1, ws.max_row + 1) if ws.cell(r, child).value == "C")
    ws.cell(row, notes).value = "ask about the IRO"
    wb.save(path)
    result = moderate(tmp_path, path)
    assert result.exit_code == 1
    assert f"notes.xlsx, row {row}: 'ask about the IRO' typed in column 'Notes'" in result.output


def test_re_cased_and_spaced_headings_still_match(tmp_path, october):
    path = type_into(
        october / "audit.xlsx", {"A": {"Moderator decision": "agree"}}, target=tmp_path / "r.xlsx"
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    ws.cell(head, columns["Moderator decision"]).value = "  moderator DECISION "
    wb.save(path)
    result = moderate(tmp_path, path)
    assert result.exit_code == 0, result.output
    assert entries(tmp_path)["value"].tolist() == ["Agree"]


def test_two_rows_of_one_finding_with_different_entries_are_listed_not_a_database_error(
    tmp_path, october
):
    path = type_into(
        october / "audit.xlsx", {"A": {"Moderator decision": "Agree"}}, target=tmp_path / "r.xlsx"
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    a_row = next(
        r for r in range(head + 1, ws.max_row + 1) if ws.cell(r, columns["Child ID"]).value == "A"
    )
    copy = ws.max_row + 1
    for c in range(1, ws.max_column + 1):
        ws.cell(copy, c).value = ws.cell(a_row, c).value
    ws.cell(copy, columns["Moderator decision"]).value = "Resolved since export"
    wb.save(path)
    result = moderate(tmp_path, path)
    assert result.exit_code == 1
    assert f"row {a_row}" in result.output and f"row {copy}" in result.output
    assert "differs between returns" in result.output
    assert entries(tmp_path).empty


def test_the_same_finding_given_different_entries_in_two_returns_lists_both(tmp_path, october):
    north = type_into(
        october / "audit.xlsx", {"A": {"Moderator decision": "Agree"}}, target=tmp_path / "n.xlsx"
    )
    other = type_into(
        october / "audit.xlsx",
        {
            "A": {"Moderator decision": "Disagree — data error in export"},
            "C": {"Action owner": "X"},
        },
        target=tmp_path / "o.xlsx",
    )
    result = moderate(tmp_path, north, other)
    assert result.exit_code == 1
    assert "n.xlsx row" in result.output and "o.xlsx row" in result.output
    stored = entries(tmp_path)
    assert stored["field"].tolist() == ["action_owner"]  # the rest of the import is stored


def test_a_folder_of_returns_is_read_and_lock_files_are_skipped(tmp_path, october):
    returns = tmp_path / "returns"
    returns.mkdir()
    type_into(october / "audit.xlsx", {"A": {"Action owner": "P"}}, target=returns / "a.xlsx")
    type_into(october / "audit.xlsx", {"C": {"Action owner": "Q"}}, target=returns / "c.xlsx")
    (returns / "~$a.xlsx").write_bytes(b"lock")
    result = moderate(tmp_path, returns)
    assert result.exit_code == 0, result.output
    assert "from 2 workbook(s)" in result.output
    assert sorted(entries(tmp_path)["value"]) == ["P", "Q"]


def test_an_older_or_emptier_copy_never_replaces_a_newer_entry(tmp_path, october):
    newer = type_into(
        october / "audit.xlsx",
        {"A": {"Moderator decision": "Agree", "Moderator comment": "final"}},
        target=tmp_path / "newer.xlsx",
        saved_at=dt.datetime(2026, 11, 10, 9, 0),
    )
    older = type_into(
        october / "audit.xlsx",
        {"A": {"Moderator decision": "Resolved since export"}},
        target=tmp_path / "older.xlsx",
        saved_at=dt.datetime(2026, 11, 3, 9, 0),
    )
    emptier = type_into(
        october / "audit.xlsx",
        {},
        target=tmp_path / "empty.xlsx",
        saved_at=dt.datetime(2026, 12, 1),
    )
    assert moderate(tmp_path, newer).exit_code == 0
    result = moderate(tmp_path, older)
    assert result.exit_code == 0 and "1 kept as history" in result.output
    assert moderate(tmp_path, emptier).exit_code == 0
    latest = Store.open(tmp_path / "h.sqlite").latest_decisions().set_index("finding_id")
    assert latest["moderator_decision"].tolist() == ["Agree"]
    assert latest["moderator_comment"].tolist() == ["final"]
    assert len(entries(tmp_path)) == 3  # the older decision is kept as history, not lost


def test_moderate_without_a_store_says_where_it_looked(tmp_path, october, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = runner.invoke(app, ["moderate", str(october / "audit.xlsx")])
    assert result.exit_code == 1
    assert str(elsewhere / "casefile-audit.sqlite") in result.output and "--db" in result.output
    assert not (elsewhere / "casefile-audit.sqlite").exists()
    for command in (["board", "--out", str(tmp_path / "b")], ["sample", str(october)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1 and "No history store was found" in result.output
    assert not (elsewhere / "casefile-audit.sqlite").exists()


# --- carried forward --------------------------------------------------------------------------
def test_persisting_findings_come_prefilled_and_an_action_goes_overdue(tmp_path, october):
    typed = type_into(
        october / "audit.xlsx",
        {
            "A": {
                "Moderator decision": "Agree",
                "Manager response": "Review booked",
                "Moderator comment": "IRO chased",
                "Action owner": "TM North",
                "Action due": dt.datetime(2026, 11, 30),  # the November as-at date itself
            },
            "C": {"Action owner": "TM South", "Action due": dt.datetime(2026, 11, 27)},
        },
        target=tmp_path / "sept-return.xlsx",
        saved_at=dt.datetime(2026, 10, 31, 12, 0),
    )
    assert moderate(tmp_path, typed).exit_code == 0
    run(tmp_path, "2026-11-30", tmp_path / "nov")
    summary = json.loads((tmp_path / "nov" / "summary.json").read_text())
    actions = summary["actions"]
    assert (actions["open"], actions["overdue"]) == (2, 1)  # A due today: in time; C a day late+
    (item,) = actions["overdue_items"]
    assert (item["child_id"], item["action_due"], item["days_past_due"]) == ("C", "2026-11-27", 3)
    rows = {r["Child ID"]: r for r in read_findings(tmp_path / "nov" / "audit.xlsx")}
    a = rows["A"]
    assert a["Moderator decision"] == "Agree" and a["Manager response"] == "Review booked"
    assert a["Moderator comment"] == "IRO chased" and a["Action owner"] == "TM North"
    assert a["Action due"] in (dt.datetime(2026, 11, 30), "30/11/2026")
    assert (
        a["Entered"]
        == "Response, action, moderator decision, moderator comment: Reviewer 31/10/2026"
    )
    assert rows["B"]["Moderator decision"] in (None, "")


def test_a_returned_prefilled_row_changes_nothing_and_does_not_undo_a_newer_decision(
    tmp_path, october
):
    sept = type_into(
        october / "audit.xlsx",
        {"A": {"Moderator decision": "Agree"}},
        target=tmp_path / "first.xlsx",
        saved_at=dt.datetime(2026, 10, 31),
    )
    assert moderate(tmp_path, sept).exit_code == 0
    run(tmp_path, "2026-11-30", tmp_path / "nov")
    # The moderator changes A's decision in the council workbook ...
    council = type_into(
        tmp_path / "nov" / "audit.xlsx",
        {"A": {"Moderator decision": "Disagree — data error in export"}},
        target=tmp_path / "council.xlsx",
    )
    assert moderate(tmp_path, council).exit_code == 0
    # ... and a team manager returns November's workbook with A's carried 'Agree' untouched.
    team = type_into(
        tmp_path / "nov" / "audit.xlsx",
        {"C": {"Manager response": "visit booked"}},
        target=tmp_path / "team.xlsx",
    )
    result = moderate(tmp_path, team)
    assert result.exit_code == 0, result.output
    assert "Stored 1 entry" in result.output
    latest = Store.open(tmp_path / "h.sqlite").latest_decisions().set_index("finding_id")
    assert "Disagree — data error in export" in set(latest["moderator_decision"])


# --- never overwritten --------------------------------------------------------------------------
def _touch_cell(sheet: str):
    def edit(path: Path) -> None:
        wb = openpyxl.load_workbook(path)
        ws = wb[sheet]
        ws.cell(ws.max_row + 2, 1).value = "looked at this"
        wb.save(path)

    return edit


def _recase_heading(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    ws.cell(head, columns["Moderator comment"]).value = "moderator comment "
    wb.save(path)


@pytest.mark.parametrize(
    "edit", [_touch_cell("Data quality"), _touch_cell("Summary"), _recase_heading]
)
def test_a_workbook_anyone_changed_is_written_beside_never_over(tmp_path, october, edit):
    edit(october / "audit.xlsx")
    changed = sha256_of(october / "audit.xlsx")
    result = run(tmp_path, "2026-10-30", october)
    assert "it is kept" in result.output
    assert sha256_of(october / "audit.xlsx") == changed
    assert len(list(october.glob("audit-*.xlsx"))) == 1


def test_the_tools_own_untouched_workbook_is_replaced_in_place(tmp_path, october):
    run(tmp_path, "2026-10-30", october)
    assert not list(october.glob("audit-*.xlsx"))


# --- practice audits ----------------------------------------------------------------------------
def _sample(tmp_path: Path, out: Path):
    from conftest import ROOT

    return runner.invoke(
        app,
        ["sample", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out", str(out)]
        + ["--db", str(tmp_path / "h.sqlite"), "--per-team", "1"],
    )


def _grade(path: Path, grade: str, saved_at: dt.datetime) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Practice audit"]
    header = {c.value: c.column for c in ws[1]}
    for r in range(2, ws.max_row + 1):
        ws.cell(r, header["Auditor grade"]).value = grade
        ws.cell(r, header["Auditor"]).value = "Ann"
    wb.save(path)
    set_saved_at(path, saved_at)


def test_sampling_a_graded_month_again_keeps_the_workbook_and_the_grades(tmp_path, october):
    out = tmp_path / "practice"
    blank_copy = tmp_path / "blank.xlsx"
    assert _sample(tmp_path, out).exit_code == 0
    workbook = out / "practice_audit_2026-10.xlsx"
    shutil.copy(workbook, blank_copy)
    _grade(workbook, "Good", dt.datetime(2026, 11, 5))
    assert moderate(tmp_path, workbook).exit_code == 0
    graded = Store.open(tmp_path / "h.sqlite").table("practice_audits")
    assert graded["auditor_grade"].eq("Good").all() and len(graded) > 0
    graded_bytes = sha256_of(workbook)

    again = _sample(tmp_path, out)
    assert again.exit_code == 0, again.output
    assert "already hold grades" in again.output and "it is kept" in again.output
    assert sha256_of(workbook) == graded_bytes
    after = Store.open(tmp_path / "h.sqlite").table("practice_audits")
    assert after["auditor_grade"].eq("Good").sum() == len(graded)

    # An older blank copy moderated afterwards replaces nothing; an older graded copy neither.
    set_saved_at(blank_copy, dt.datetime(2026, 11, 1))
    assert moderate(tmp_path, blank_copy).exit_code == 0
    older = tmp_path / "older.xlsx"
    shutil.copy(blank_copy, older)
    _grade(older, "Inadequate", dt.datetime(2026, 11, 2))
    result = moderate(tmp_path, older)
    assert result.exit_code == 1 and "saved later" in result.output
    final = Store.open(tmp_path / "h.sqlite").table("practice_audits")
    assert final["auditor_grade"].eq("Good").sum() == len(graded)


# --- the store ----------------------------------------------------------------------------------
def test_two_runs_at_once_on_one_store_are_both_recorded(tmp_path):
    db = str(tmp_path / "shared.sqlite")  # neither process finds a store: both create it
    assert record_at_once(db) == [0, 0]
    store = Store.open(db)
    assert len(store.table("runs")) == 40 and len(store.table("findings")) == 40
    assert store.table("schema_version")["version"].is_unique
