"""Hostile files and broken environments (issue 15): every kind gives a clear message or a
reported value, never a traceback, a silent wrong answer, or a 'defect' paragraph."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.core.errors import InputError
from audits.core.safe_text import printable
from audits.ingest.dispatch import load_export
from audits.model.spec import ANNEX_A
from tests.conftest import ROOT
from tests.hostile_files import Raw, date_serial, shared_text, sheet_xml, write_xlsx

runner = CliRunner()
L8 = (
    "Child Unique ID",
    "Date Started to be Looked After",
    "Date Ceased to be Looked After",
    "Date of Latest Statutory Review",
    "Number of Placements in the Last 12 months",
    "Allocated Team",
    "Allocated Worker",
)


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


def run_export(export, out, as_at="2026-11-23", *extra):
    return run("run", str(export), "--as-at", as_at, "--out", str(out), "--no-history", *extra)


def dq04(out) -> pd.DataFrame:
    findings = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    return findings[findings["rule_id"] == "DQ-04"]


def place(unreadable: pd.DataFrame) -> set[tuple[int, str, str]]:
    return {
        (int(r), c, str(v)) for r, c, v in unreadable[["row", "column", "value"]].itertuples(False)
    }


# --- the reader: bounded by the data present --------------------------------------------------


@pytest.mark.parametrize(
    ("row", "col", "letters"),
    [(1048576, 16384, "XFD"), (1048576, 1, "A"), (3, 16384, "XFD"), (1048576, 5000, "GJH")],
)
def test_one_stray_cell_far_away_costs_nothing_and_is_reported(tmp_path, row, col, letters):
    rows = [L8, ("1", "01/01/2026", None, "01/02/2026", 1, "North", "Sam")]
    path = write_xlsx(tmp_path / "e.xlsx", {"List_8": sheet_xml(rows, {(row, col): "stray"})})
    started = time.perf_counter()
    export = load_export(path)
    assert time.perf_counter() - started < 10
    if col == 1:  # a value under Child Unique ID: a row of its own, kept
        assert "stray" in set(export.lists[8].frame["child_id"])
    else:
        assert (row, letters, "stray") in place(export.unreadable)


def test_a_lying_dimension_does_not_decide_the_work(tmp_path):
    rows = [L8, ("1", "01/01/2026", None, "01/02/2026", 1, "North", "Sam")]
    xml = sheet_xml(rows).replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>')
    export = load_export(write_xlsx(tmp_path / "e.xlsx", {"List_8": xml}))
    assert len(export.lists[8].frame) == 1


HOSTILE_CELLS = {
    "huge negative serial": (date_serial("-1e300"), "B", "-1e+300"),
    "huge serial": (date_serial("1e300"), "B", "1e+300"),
    "tiny serial": (date_serial("1e-300"), "B", None),  # calamine reads a time: 00:00:00
    "NaN number": (Raw("", "<v>NaN</v>"), "E", "NaN (not a number)"),
    "infinite number": (Raw("", "<v>INF</v>"), "E", "Infinity"),
    "overflowing number": (Raw("", "<v>1e400</v>"), "E", "Infinity"),
    "error in Team": (Raw('t="e"', "<v>#REF!</v>"), "F", "#REF!"),
    "error in Worker": (Raw('t="e"', "<v>#VALUE!</v>"), "G", "#VALUE!"),
    "formula without result in Team": (
        Raw('t="str"', "<f>VLOOKUP(A2,Teams!A:B,2,0)</f>"),
        "F",
        "=VLOOKUP(A2,Teams!A:B,2,0) (formula saved without its result)",
    ),
    "formula without result in a date": (Raw("", "<f>TODAY()</f>"), "B", None),
    "error in a date": (Raw('t="e"', "<v>#DIV/0!</v>"), "D", "#DIV/0!"),
}


@pytest.mark.parametrize("kind", list(HOSTILE_CELLS))
def test_every_hostile_cell_value_is_data_reported_with_its_place(tmp_path, kind):
    cell, column, shown = HOSTILE_CELLS[kind]
    good = ["7", date_serial("46000"), None, date_serial("46000"), 1, "North", "Sam"]
    bad = list(good)
    bad[ord(column) - ord("A")] = cell
    path = write_xlsx(tmp_path / "e.xlsx", {"List_8": sheet_xml([L8, tuple(good), tuple(bad)])})
    out = tmp_path / "out"
    result = run_export(path, out)
    assert result.exit_code == 0, result.output
    found = dq04(out)
    assert len(found) == 1, found.to_dict("records")
    assert f"row 3, column {column}" in found["message"].iloc[0]
    if shown is not None:
        assert found["value"].iloc[0].lstrip("'") == shown
    findings = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    assert not findings["team"].str.contains("#|formula", regex=True).any()
    assert not findings["worker"].str.contains("#|formula", regex=True).any()


@pytest.mark.parametrize("index", ["2", "10", "99999999999", "-1", "x"])
def test_a_damaged_shared_text_index_is_reported_not_read_as_blank_or_another_text(tmp_path, index):
    """calamine errors on an index past the end of the shared strings, and reads `-1` or `x` as
    the first string ('North' here): both would be silent."""
    good = ["7", date_serial("46000"), None, date_serial("46000"), 1, shared_text(0), "Sam"]
    bad = good[:6] + [shared_text(index)]
    rows = [L8, tuple(good), tuple(bad)]
    path = write_xlsx(tmp_path / "e.xlsx", {"List_8": sheet_xml(rows)}, strings=["North", "Ann"])
    out = tmp_path / "out"
    result = run_export(path, out)
    assert result.exit_code == 0, result.output
    found = dq04(out)
    assert len(found) == 1, found.to_dict("records")
    assert "row 3, column G" in found["message"].iloc[0]
    assert f"text no. {index} is missing" in found["value"].iloc[0]
    frame = load_export(path).lists[8].frame
    assert frame["team"].tolist() == ["North", "North"]
    assert frame["worker"].iloc[0] == "Sam" and pd.isna(frame["worker"].iloc[1])


def test_sheets_whose_shared_text_indexes_are_plain_numbers_stay_on_the_fast_reader(tmp_path):
    import zipfile

    from audits.ingest.xlsx_cells import scan

    strings = [f"text {i}" for i in range(12)]
    rows = [L8] + [
        ("1", None, None, None, 1, shared_text(i), shared_text(11 - i)) for i in range(12)
    ]
    for index, careful in [("3", False), ("-1", True), ("x", True), ("", True)]:
        rows[5] = ("1", None, None, None, 1, "North", shared_text(index))
        path = write_xlsx(tmp_path / "e.xlsx", {"List_8": sheet_xml(rows)}, strings=strings)
        with zipfile.ZipFile(path) as archive:
            assert scan(archive, "xl/worksheets/sheet1.xml").needs_care is careful, index


def test_damaged_shared_strings_read_carefully_are_named_not_a_defect(tmp_path, monkeypatch):
    """calamine refuses such a workbook when it opens it; should one pass, the careful reader's
    own parse of the shared strings fails with the sheet named."""
    from xml.etree.ElementTree import ParseError

    import audits.ingest.read

    def damaged(_archive):
        raise ParseError("not well-formed (invalid token): line 1, column 80")

    monkeypatch.setattr(audits.ingest.read, "shared_strings", damaged)
    rows = [L8, ("1", None, None, None, 1, "North", Raw('t="str"', "<f>A1</f>"))]
    path = write_xlsx(tmp_path / "e.xlsx", {"List_8": sheet_xml(rows)})
    result = run_export(path, tmp_path / "out")
    assert result.exit_code == 1
    assert "damaged" in result.output and "List_8" in result.output
    assert "defect" not in result.output


def test_a_rust_panic_is_caught_and_the_sheet_read_carefully(tmp_path):
    """calamine panics on a date serial of -1e300 in a sheet that looks ordinary."""
    rows = [L8, ("1", date_serial("-1e300"), None, None, 1, "North", "Sam")]
    path = write_xlsx(tmp_path / "e.xlsx", {"List_8": sheet_xml(rows)})
    export = load_export(path)
    assert (2, "B", "-1e+300") in place(export.unreadable)


def test_a_damaged_sheet_is_named_not_a_defect(tmp_path):
    rows = [L8, ("1", "01/01/2026", None, "01/02/2026", 1, "North", "Sam")]
    xml = sheet_xml(rows).replace("</sheetData>", "<row><c></sheetData>")
    path = write_xlsx(tmp_path / "e.xlsx", {"List_8": xml})
    result = run_export(path, tmp_path / "out")
    assert result.exit_code == 1
    assert "damaged" in result.output and "List_8" in result.output
    assert "defect" not in result.output


def test_a_panic_anywhere_is_a_clear_message_not_a_defect(monkeypatch, tmp_path):
    import audits.pipeline.audit

    class PanicException(BaseException):
        pass

    def panic(*_a, **_k):
        raise PanicException("TimeDelta::milliseconds out of bounds")

    monkeypatch.setattr(audits.pipeline.audit, "load_export", panic)
    result = run_export(tmp_path, tmp_path / "out")
    assert result.exit_code == 1
    assert "spreadsheet reader could not read" in result.output
    assert "defect" not in result.output


def test_control_characters_stay_visible_and_every_output_is_written(tmp_path):
    csv = tmp_path / "l8.csv"
    csv.write_bytes(
        (",".join(L8) + "\r\n1,01/01/2026,,01/02/2026,1,No\x0brth\x1b,S\x00am\n").encode()
    )
    out = tmp_path / "out"
    result = run_export(csv, out)
    assert result.exit_code == 0, result.output
    findings = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    assert set(findings["team"]) == {"No\\x0brth\\x1b"} and set(findings["worker"]) == {"S\\x00am"}
    import openpyxl

    openpyxl.load_workbook(out / "audit.xlsx").close()


def test_printable_escapes_only_what_a_workbook_cannot_hold():
    assert printable("a\x00b\x0bc\x1bd\ufffe") == "a\\x00b\\x0bc\\x1bd\\ufffe"
    assert printable("tab\tline\nreturn\r é £ \u00a0") == "tab\tline\nreturn\r é £ \u00a0"
    assert printable(pd.Series(["\x07", None])).tolist()[0] == "\\x07"


# --- counts and codes ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-5", "3.7", "Inf", "-Inf", "NaN", "infinity", "1e400"])
def test_counts_must_be_whole_numbers_of_zero_or_more(tmp_path, value):
    csv = tmp_path / "l8.csv"
    csv.write_text(",".join(L8) + f"\n1,01/01/2026,,01/02/2026,{value},North,Sam\n")
    out = tmp_path / "out"
    assert run_export(csv, out).exit_code == 0
    found = dq04(out)
    assert len(found) == 1 and "row 2, column E" in found["message"].iloc[0]
    assert "whole number of zero or more" in found["message"].iloc[0]


def test_an_implausibly_large_count_is_reported(tmp_path):
    csv = tmp_path / "l8.csv"
    csv.write_text(
        ",".join(L8) + "\n1,01/01/2026,,01/02/2026,2980511549797802000000000000000,North,Sam\n"
    )
    out = tmp_path / "out"
    assert run_export(csv, out).exit_code == 0
    assert len(dq04(out)) == 1


@pytest.mark.parametrize("value", ["0", "3", "12", "1,000"])
def test_whole_counts_are_read(tmp_path, value):
    csv = tmp_path / "l8.csv"
    csv.write_text(",".join(L8) + f'\n1,01/01/2026,,01/02/2026,"{value}",North,Sam\n')
    export = load_export(csv)
    assert export.unreadable.empty
    assert export.lists[8].frame["placements_12m"].iloc[0] == float(value.replace(",", ""))


CODED = [(spec, f) for spec in ANNEX_A if spec.audited for f in spec.fields if f.kind == "code"]


@pytest.mark.parametrize(
    ("spec", "field"), CODED, ids=[f"list{s.number}-{f.name}" for s, f in CODED]
)
@pytest.mark.parametrize("planted", ["Boy", "ZZZZ", "Tent"])
def test_every_coded_column_of_every_list_reports_an_out_of_list_value(
    tmp_path, spec, field, planted
):
    """Built from the model, so a coded column added to it is covered by itself."""
    headings = [spec.field(n).heading for n in (spec.id_field, *spec.signature)]
    headings += [field.heading] if field.heading not in headings else []
    good = {h: "" for h in headings}
    good[spec.field(spec.id_field).heading] = "C1"
    row = {**good, field.heading: planted}
    csv = tmp_path / "list.csv"
    pd.DataFrame([row]).to_csv(csv, index=False)
    export = load_export(csv)
    bad = export.unreadable
    column = chr(ord("A") + headings.index(field.heading))
    assert (2, column, planted) in place(bad)
    assert set(bad["field"]) == {field.name}
    assert export.lists[spec.number].frame[field.name].iloc[0] == "(unreadable)"


def test_every_code_of_every_list_is_read_in_its_usual_forms():
    for spec, f in CODED:
        for code in f.domain.codes:
            forms = pd.Series([code, f"a) {code}", code.upper(), f" {code.lower()} "])
            assert (f.domain.parse(forms) == code).all(), (spec.number, f.name, code)


# --- the unreadable values frame ---------------------------------------------------------


def test_unreadable_values_carry_the_rows_team_and_child(tmp_path):
    csv = tmp_path / "l8.csv"
    csv.write_text(",".join(L8) + "\n77,31/02/2026,,01/02/2026,1,North,Sam\n")
    bad = load_export(csv).unreadable
    assert bad[["child_id", "team", "worker"]].iloc[0].tolist() == ["77", "North", "Sam"]


# --- columns and lists with nothing in them ----------------------------------------------


def test_blank_columns_and_absent_lists_are_warned_about(tmp_path):
    csv = tmp_path / "l9.csv"
    headings = [
        "Child Unique ID",
        "Eligibility Category",
        "LA in Touch",
        "Suitability of Accommodation",
        "Allocated Personal Advisor",
        "Latest Pathway Plan Review Date",
        "Latest Date of Contact",
    ]
    csv.write_text(",".join(headings) + "\n1,a) Relevant child,Yes,Suitable,,,\n")
    out = tmp_path / "out"
    result = run_export(csv, out)
    assert result.exit_code == 0, result.output
    warnings = json.loads((out / "summary.json").read_text())["warnings"]
    blank = {w["column"]: w["rules"] for w in warnings if w["kind"] == "blank column"}
    assert blank == {
        "Allocated Personal Advisor": ["CL-02"],
        "Latest Pathway Plan Review Date": ["CL-01"],
        "Latest Date of Contact": ["CL-04"],
    }
    absent = {w["list"]: w["rules"] for w in warnings if w["kind"] == "absent list"}
    assert absent[7] == ["CP-01", "CP-02", "CP-03", "CP-04"]
    assert 9 not in absent and 1 not in absent  # List 1 alone holds no rule back
    for w in warnings:
        assert f"warning: {w['message']}" in result.output


def test_a_list_with_headings_but_no_rows_is_warned_about(tmp_path):
    (tmp_path / "l8.csv").write_text(",".join(L8) + "\n1,01/01/2026,,01/02/2026,1,North,Sam\n")
    (tmp_path / "l7.csv").write_text(
        "Child Unique ID,Child Protection Plan Start Date,Child Protection Plan End Date\n"
    )
    out = tmp_path / "out"
    assert run_export(tmp_path, out).exit_code == 0
    warnings = json.loads((out / "summary.json").read_text())["warnings"]
    empty = [w for w in warnings if w["kind"] == "empty list"]
    assert [(w["list"], w["rules"]) for w in empty] == [(7, ["CP-01", "CP-02", "CP-03", "CP-04"])]
    assert "not a clean bill" in empty[0]["message"]


def test_the_2024_reference_workbook_warns_of_its_three_blank_columns(reference):
    from audits.pipeline.audit import audit
    from tests.conftest import d

    run_ = audit(reference / "annex_a" / "liia_annex_a_2024_headers.xlsx", d("2021-03-31"))
    blank = {
        w["column"]: w["rules"]
        for w in run_.summary["warnings"]
        if w["kind"] == "blank column" and w["list"] == 9
    }
    assert blank == {
        "Allocated Personal Advisor": ["CL-02"],
        "Latest Pathway Plan Review Date": ["CL-01"],
        "Latest Date of Contact": ["CL-04"],
    }


# --- files, folders and the environment --------------------------------------------------


def test_xlsx_bytes_named_xls_are_read_by_their_bytes(tmp_path):
    rows = [L8, ("1", "01/01/2026", None, "01/02/2026", 1, "North", "Sam")]
    path = write_xlsx(tmp_path / "export.xls", {"List_8": sheet_xml(rows)})
    assert len(load_export(path).lists[8].frame) == 1


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_mixed_line_endings_in_a_csv_are_read(tmp_path, ending):
    csv = tmp_path / "l8.csv"
    lines = [",".join(L8), "1,01/01/2026,,01/02/2026,1,North,Sam", "2,01/01/2026,,,2,South,Ann"]
    csv.write_bytes((lines[0] + ending + lines[1] + "\n" + lines[2] + ending).encode())
    frame = load_export(csv).lists[8].frame
    assert frame["child_id"].tolist() == ["1", "2"] and frame["_row"].tolist() == [2, 3]


@pytest.mark.parametrize("kind", ["devnull", "fifo"])
def test_a_device_or_a_pipe_as_the_export_is_refused_clearly(tmp_path, kind):
    if kind == "devnull":
        path = "/dev/null"
    else:
        path = str(tmp_path / "pipe.csv")
        os.mkfifo(path)
    result = run_export(path, tmp_path / "out")
    assert result.exit_code == 1
    assert "not an ordinary file or folder" in result.output and "defect" not in result.output


def test_links_out_of_the_export_folder_are_not_followed(tmp_path):
    secret = tmp_path / "elsewhere" / "l7.csv"
    secret.parent.mkdir()
    secret.write_text(
        "Child Unique ID,Child Protection Plan Start Date,Child Protection Plan End Date\n9,01/01/2020,\n"
    )
    folder = tmp_path / "export"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "l8.csv").write_text(
        ",".join(L8) + "\n1,01/01/2026,,01/02/2026,1,North,Sam\n"
    )
    (folder / "l7.csv").symlink_to(secret)
    (folder / "l8.csv").symlink_to(folder / "data" / "l8.csv")  # inside the folder: read
    export = load_export(folder)
    assert 7 not in export.lists and 8 in export.lists
    assert any("l7.csv" in s and "outside the export folder" in s for s in export.skipped)
    only_link = tmp_path / "only"
    only_link.mkdir()
    (only_link / "l7.csv").symlink_to(secret)
    result = run_export(only_link, tmp_path / "out")
    assert result.exit_code == 1 and "links to files outside it are not followed" in result.output


def test_out_naming_the_working_folder_keeps_working_in_it(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "notes.txt").write_text("mine")
    assert run_export(ROOT / "sample_exports", ".", "2026-10-30").exit_code == 0
    assert run_export(ROOT / "sample_exports", ".", "2026-11-30").exit_code == 0
    assert os.path.samefile(os.getcwd(), work)  # this process follows --out to the new set
    assert (work / "notes.txt").read_text() == "mine"
    assert json.loads((work / "summary.json").read_text())["as_at"] == "2026-11-30"


def test_out_naming_a_file_is_refused_clearly(tmp_path):
    (tmp_path / "out").write_text("not a folder")
    result = run_export(ROOT / "sample_exports", tmp_path / "out", "2026-10-30")
    assert result.exit_code == 1
    assert "is a file, not a folder" in result.output and "defect" not in result.output


def test_a_read_only_output_folder_is_an_environment_message(tmp_path, monkeypatch):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.geteuid() == 0:  # root may write anyway: refuse as a read-only disk would
        import errno
        import pathlib

        real = pathlib.Path.mkdir

        def refuse(self, *a, **k):
            if self.parent == parent:
                raise OSError(errno.EROFS, "Read-only file system", str(self))
            return real(self, *a, **k)

        monkeypatch.setattr(pathlib.Path, "mkdir", refuse)
    try:
        result = run_export(ROOT / "sample_exports", parent / "out", "2026-10-30")
    finally:
        parent.chmod(stat.S_IRWXU)
    assert result.exit_code == 1
    assert "cannot be written to" in result.output and "defect" not in result.output


def test_a_full_disk_is_an_environment_message(tmp_path, monkeypatch):
    import errno

    import audits.output.findings_csv as findings_csv

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x"))

    monkeypatch.setattr("audits.pipeline.outputs.write_findings_csv", full)
    assert findings_csv  # the writer the run calls, replaced above
    out = tmp_path / "out"
    result = run_export(ROOT / "sample_exports", out, "2026-10-30")
    assert result.exit_code == 1
    assert "disk is full" in result.output and "defect" not in result.output
    assert not out.exists() and not list(tmp_path.glob(".out.staging-*"))


@pytest.fixture(scope="module")
def first_month(tmp_path_factory) -> Path:
    """A folder holding October's outputs (`first/`) and the store that recorded them
    (`history.sqlite`), made once: each test of a broken store takes a copy of both."""
    from audits.history.connect import close_all

    folder = tmp_path_factory.mktemp("first-month")
    first = run(
        "run", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out",
        str(folder / "first"), "--db", str(folder / "history.sqlite"),
    )  # fmt: skip
    assert first.exit_code == 0, first.output
    close_all()  # the store whole in its one file (nothing left in a write-ahead log)
    return folder


@pytest.mark.parametrize("command", ["board", "moderate", "sample", "run"])
@pytest.mark.parametrize("store", ["corrupt", "read-only", "locked"])
def test_a_broken_history_store_is_named_as_such(
    tmp_path, monkeypatch, first_month, command, store
):
    db = tmp_path / "history.sqlite"
    shutil.copytree(first_month / "first", tmp_path / "first")
    if store == "corrupt":
        db.write_bytes(b"this is not a database, just bytes" * 100)
    else:
        shutil.copyfile(first_month / "history.sqlite", db)
    if store == "locked":  # the wait itself is tested below, at its own timeout
        monkeypatch.setenv("CASEFILE_AUDIT_BUSY_TIMEOUT", "0.5")
    lock, db_arg = None, str(db)
    if store == "read-only":  # opened read-only, as a file on a read-only share is (even for root)
        db_arg = f"sqlite:///file:{db}?mode=ro&uri=true"
    elif store == "locked":
        lock = sqlite3.connect(db, timeout=0)
        lock.execute("BEGIN EXCLUSIVE")
    args = {
        "board": ["board", "--out", str(tmp_path / "b")],
        "moderate": ["moderate", str(tmp_path / "first" / "audit.xlsx")],
        "sample": ["sample", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out",
                   str(tmp_path / "p")],
        "run": ["run", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out",
                str(tmp_path / "o")],
    }[command]  # fmt: skip
    if command == "moderate":
        from audits.output.workbook import MODERATOR_DECISIONS
        from tests.test_moderation import review

        ids = pd.read_csv(tmp_path / "first" / "findings.csv", dtype=str)["child_id"]
        decided = dict.fromkeys(ids.dropna(), MODERATOR_DECISIONS[0])
        args[1] = str(review(tmp_path / "first" / "audit.xlsx", decided, tmp_path))
    try:
        result = run(*args, "--db", db_arg)
    finally:
        if lock is not None:
            lock.rollback()
            lock.close()
    assert result.exit_code == 1, result.output
    assert "history store" in result.output and "defect" not in result.output
    if command == "sample":
        assert not (tmp_path / "p").exists(), "nothing written when the sample cannot be recorded"


def test_a_negative_per_team_is_a_usage_message(tmp_path):
    result = run("sample", str(ROOT / "sample_exports"), "--per-team", "-3")
    assert result.exit_code == 2 and "defect" not in result.output


def test_a_keyboard_interrupt_is_not_a_traceback(monkeypatch, tmp_path):
    import audits.pipeline.audit

    def interrupt(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(audits.pipeline.audit, "load_export", interrupt)
    result = run_export(tmp_path, tmp_path / "out")
    assert result.exit_code == 130 and "Stopped" in result.output


def test_output_closed_by_its_reader_ends_quietly(monkeypatch, tmp_path):
    """`audit ... | head`: when the program reading the output closes it, the command ends with
    the status a shell gives a closed pipe (141), and no error paragraph about a file."""
    import audits.pipeline.audit

    def closed(*_a, **_k):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(audits.pipeline.audit, "load_export", closed)
    result = run_export(tmp_path, tmp_path / "out")
    assert result.exit_code == 141
    assert "Error" not in result.output and "Broken pipe" not in result.output


def test_the_busy_timeout_is_a_minute_unless_set(monkeypatch):
    from audits.history.connect import BUSY_TIMEOUT_VARIABLE, busy_timeout

    monkeypatch.delenv(BUSY_TIMEOUT_VARIABLE, raising=False)
    assert busy_timeout() == 60
    monkeypatch.setenv(BUSY_TIMEOUT_VARIABLE, "2.5")
    assert busy_timeout() == 2.5
    for bad in ("soon", "0", "-1", "nan", "inf", "3601"):
        monkeypatch.setenv(BUSY_TIMEOUT_VARIABLE, bad)
        with pytest.raises(InputError, match=BUSY_TIMEOUT_VARIABLE):
            busy_timeout()


def test_a_locked_store_is_waited_for_as_long_as_the_busy_timeout(tmp_path, monkeypatch):
    from audits.history import Store

    db = tmp_path / "history.sqlite"
    Store.open(str(db)).engine.dispose()
    lock = sqlite3.connect(db, timeout=0)
    lock.execute("BEGIN EXCLUSIVE")
    monkeypatch.setenv("CASEFILE_AUDIT_BUSY_TIMEOUT", "1.5")
    started = time.monotonic()
    result = run("board", "--out", str(tmp_path / "b"), "--db", str(db))
    waited = time.monotonic() - started
    lock.rollback()
    assert result.exit_code == 1 and "busy" in result.output, result.output
    assert "1.5 seconds" in result.output
    assert 1.5 <= waited < 30
