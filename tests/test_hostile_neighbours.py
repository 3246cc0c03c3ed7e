"""Hostile inputs of the same classes as issue 24's (tests/test_hostile_round3.py), tried next to
them: each fix is at the root of its class, so the neighbouring inputs are answered the same way.
And the guards against fixing too much: what a person returns untouched, a quoted address over
two lines, a decision on the same lapse, stay as they were."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reviewing import findings_table, read_findings, serial_in_a_1904_workbook, type_into
from typer.testing import CliRunner

from audits.cli import app
from audits.ingest import values
from audits.ingest.dispatch import load_export
from audits.ingest.read import literal_stray_quotes
from tests import test_hostile_round3 as round3
from tests.test_hostile_round3 import (
    L8,
    REVIEW_ROWS,
    SAMPLE,
    _census,
    _ssda903,
    _visits_export,
    fill_practice,
    findings,
    l8_csv,
    list_rows,
    plain,
    small_export,
    store_text,
    summary,
)

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
practice_base = round3.practice_base  # round 3's practice audit and its store, shared


@pytest.fixture
def practice(tmp_path, practice_base) -> tuple[Path, Path]:
    """A copy of the practice workbook and of its store, the store's write-ahead log folded into
    its file first (as the `audit` command does when it ends), so the copy holds the sample."""
    from audits.history.connect import close_all

    close_all()
    workbook, db = practice_base
    shutil.copy(db, tmp_path / "h.sqlite")
    shutil.copy(workbook, tmp_path / workbook.name)
    return tmp_path / workbook.name, tmp_path / "h.sqlite"


def audit(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def run(export: Path, out: Path, *extra: object, as_at: str | None = "2026-10-30"):
    dates = ["--as-at", as_at] if as_at else []
    return audit("run", export, *dates, "--out", out, *extra)


# --- one CSV reader policy ------------------------------------------------------------------------


def test_an_address_typed_over_two_lines_in_quotes_stays_one_value():
    """CSV quoting that closes is CSV quoting: a quoted value over two lines whose second line is
    no row of its own is one value (the policy reads only stray quotes literally)."""
    text = 'a,b,c\n1,"12 High St\nLeeds",x\n2,"O""Neil",y\n'
    assert literal_stray_quotes(text, ",", 3) == (text, [])


def test_a_file_that_quotes_every_value_is_read_as_it_always_was(tmp_path):
    rows = [",".join(f'"{v}"' for v in r.split(",")) for r in REVIEW_ROWS]
    export = tmp_path / "list8.csv"
    export.write_text(",".join(f'"{h}"' for h in L8) + "\n" + "\n".join(rows) + "\n")
    loaded = load_export(export)
    assert len(loaded.lists[8].frame) == 3 and not loaded.notes
    assert loaded.lists[8].frame["worker"].tolist() == ["W1", "W1", "W2"]


def test_a_stray_quote_in_a_semicolon_file_does_not_swallow_rows(tmp_path):
    workers = ['"Jo Smith' if i == 2 else "Pat" for i in range(8)]
    lines = [";".join(L8)] + [
        f"C{i};01/01/2020;;01/01/2026;North;{w}" for i, w in enumerate(workers)
    ]
    export = tmp_path / "list8.csv"
    export.write_text("\n".join(lines) + "\n")
    loaded = load_export(export)
    assert len(loaded.lists[8].frame) == 8
    assert '"Jo Smith' in set(loaded.lists[8].frame["worker"])
    assert any("line 4" in note for note in loaded.notes)


@pytest.mark.parametrize(
    ("decimal", "written", "read"),
    [
        (".", "1,000", 1000.0),
        (".", "12,345.5", 12345.5),
        (".", "0.5", 0.5),
        (".", "0,5", None),
        (".", "1,5", None),
        (".", "12,50", None),
        (",", "0,5", 0.5),
        (",", "0.5", 0.5),
        (",", "1.000,5", None),
    ],
)
def test_numbers_written_as_text_follow_one_grammar(decimal, written, read):
    """Commas group thousands in a file that writes a decimal point; a decimal comma is read
    only where the file's decimal mark is the comma (a `;`-separated CSV); anything else is
    unreadable (DQ-04), never another number."""
    parsed, unreadable = values.numbers(pd.Series([written], dtype=object), False, decimal)
    if read is None:
        assert unreadable.iloc[0] and pd.isna(parsed.iloc[0])
    else:
        assert parsed.iloc[0] == read and not unreadable.iloc[0]


# --- one date-system switch -----------------------------------------------------------------------


def test_an_action_due_typed_as_a_serial_number_in_a_1904_return_is_that_workbooks_date(
    tmp_path,
):
    """The return reader counts serial numbers in the workbook's own date system too: 44896 in
    a Mac (1904) workbook is 02/12/2026, not 01/12/2022."""
    db, out = tmp_path / "h.sqlite", tmp_path / "oct"
    assert run(l8_csv(tmp_path / "in" / "l8.csv", REVIEW_ROWS), out, "--db", db).exit_code == 0
    path = type_into(out / "audit.xlsx", {"A": {"Action owner": "TM"}}, target=tmp_path / "r.xlsx")
    serial_in_a_1904_workbook(path, "A", "Action due", 44896)  # General format: a plain number
    result = audit("moderate", path, "--db", db)
    plain(result)
    assert result.exit_code == 0, result.output
    assert "2026-12-02" in store_text(db) and "2022-12-01" not in store_text(db)


# --- content recognition of SSDA903 tables --------------------------------------------------------


def test_ssda903_tables_saved_with_semicolons_give_the_same_findings(tmp_path):
    comma = _ssda903(tmp_path / "comma")
    semi = _ssda903(tmp_path / "semi")
    for table in ("header", "episodes", "reviews", "oc3"):
        frame = pd.read_csv(comma / f"{table}.csv", dtype=str, keep_default_na=False)
        frame.to_csv(semi / f"{table}.csv", index=False, sep=";")
    for folder in (comma, semi):
        assert run(folder, tmp_path / f"o-{folder.name}", "--no-history", as_at=None).exit_code == 0
    keys = ["rule_id", "child_id", "due_date", "value"]
    assert findings(tmp_path / "o-semi")[keys].equals(findings(tmp_path / "o-comma")[keys])


def test_an_episodes_table_without_dec_is_read_and_what_needs_dec_is_not_run(tmp_path):
    folder = _ssda903(tmp_path / "903")
    episodes = pd.read_csv(folder / "episodes.csv", dtype=str, keep_default_na=False)
    episodes.drop(columns=["DEC"]).to_csv(folder / "episodes.csv", index=False)
    result = run(folder, tmp_path / "out", "--no-history", as_at=None)
    text = plain(result)
    assert result.exit_code == 0, text
    assert list_rows(tmp_path / "out")[8] == 4 and "no DEC column" in text
    not_run = {r["rule_id"] for r in summary(tmp_path / "out")["rules_not_run"]}
    assert "CLA-01" in not_run  # it needs to know whether care has ceased


def test_a_start_date_in_the_future_is_a_date_quality_finding_when_as_at_is_given(tmp_path):
    folder = _ssda903(tmp_path / "903")
    with (folder / "episodes.csv").open("a") as fh:
        fh.write("1005,01/04/2052,S,C2,N1,U6,PR1,,,,,,\n")
    result = run(folder, tmp_path / "out", "--no-history", as_at="2026-03-31")
    plain(result)
    assert result.exit_code == 0, result.output
    dq = findings(tmp_path / "out").query("rule_id == 'DQ-02' and child_id == '1005'")
    assert len(dq) >= 1


def test_a_folder_holding_only_a_cin_census_is_read_as_one(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    _census(folder / "census.xml", [("1", "NEG", "PHY")])
    result = audit("validate", folder)
    text = plain(result)
    assert result.exit_code == 0, text
    assert "CIN" in text and "Values that could not be read: 0" in text


def test_a_folder_holding_two_cin_census_files_is_refused_naming_both(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    _census(folder / "a.xml", [("1", "NEG", "PHY")])
    _census(folder / "b.xml", [("2", "NEG", "PHY")])
    result = run(folder, tmp_path / "out", "--no-history")
    text = plain(result)
    assert result.exit_code == 1 and "a.xml" in text and "b.xml" in text


def test_a_csv_of_notes_beside_ssda903_tables_is_not_another_export(tmp_path):
    folder = _ssda903(tmp_path / "903")
    (folder / "notes.csv").write_text("note,by\nchase IRO,Ann\n")
    result = run(folder, tmp_path / "out", "--no-history", as_at=None)
    plain(result)
    assert result.exit_code == 0, result.output
    assert any("notes.csv" in s for s in summary(tmp_path / "out")["sheets_not_lists"])


# --- one config reader, one validator of its numbers ----------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"), [("amber", "nan"), ("regional", "inf"), ("target", "-inf")]
)
def test_every_indicator_number_that_is_not_a_number_is_refused(tmp_path, key, value):
    config = tmp_path / "audit.toml"
    config.write_text(f"[indicators.IND-CP-REPEAT]\n{key} = {value}\n")
    result = run(small_export(tmp_path / "e"), tmp_path / "out", "--no-history", "--config", config)
    text = plain(result)
    assert result.exit_code == 1 and f"IND-CP-REPEAT.{key}" in text


def test_an_expectation_suite_saved_as_utf16_is_read(tmp_path):
    suites = tmp_path / "suites"
    suites.mkdir()
    text = (ROOT / "expectations" / "list_8.json").read_text(encoding="utf-8")
    (suites / "list_8.json").write_bytes(text.encode("utf-16"))
    config = tmp_path / "audit.toml"
    config.write_text('expectations_dir = "suites"\n')
    result = run(small_export(tmp_path / "e"), tmp_path / "out", "--no-history", "--config", config)
    plain(result)
    assert result.exit_code == 0, result.output


# --- one error type for environment problems ------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["nosuchdb://qa:secret@host/x", "postgresql+psycopg://qa:secret@db:99999999999/x"]
)
def test_a_database_url_that_cannot_be_used_is_named_without_its_password(tmp_path, url):
    result = audit("board", "--out", tmp_path / "b", "--db", url)
    text = plain(result)
    assert result.exit_code == 1 and "--db" in text and "secret" not in text, text


@pytest.mark.parametrize("command", ["sample", "board"])
def test_out_under_a_file_is_named_the_same_way_by_every_command(tmp_path, command):
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" / "sub"
    args = {
        "sample": ["sample", SAMPLE, "--as-at", "2026-10-30", "--out", out],
        "board": ["board", "--out", out],
    }[command]
    result = audit(*args)
    text = plain(result)
    assert result.exit_code == 1 and "notes.txt" in text and "is a file" in text, text


def test_an_as_at_date_before_1900_is_refused(tmp_path):
    result = run(small_export(tmp_path / "e"), tmp_path / "out", as_at="0001-01-01")
    text = plain(result)
    assert result.exit_code == 1 and "--as-at" in text and not (tmp_path / "out").exists()


# --- the return reader ----------------------------------------------------------------------------


@pytest.fixture
def october(tmp_path) -> tuple[Path, Path]:
    db, out = tmp_path / "h.sqlite", tmp_path / "oct"
    result = run(l8_csv(tmp_path / "in-oct" / "l8.csv", REVIEW_ROWS), out, "--db", db)
    assert result.exit_code == 0, result.output
    return out, db


def test_returns_sent_back_untouched_list_nothing(october):
    """The guard on the checks of export columns and other sheets: the tool's own workbooks,
    returned as written, are read without a single problem."""
    out, db = october
    result = audit(
        "moderate", out / "audit.xlsx", *sorted((out / "teams").glob("*.xlsx")), "--db", db
    )
    text = plain(result)
    assert result.exit_code == 0 and "not stored" not in text, text


def test_cells_typed_right_of_or_below_the_findings_table_are_listed(tmp_path, october):
    out, db = october
    path = tmp_path / "return.xlsx"
    shutil.copy(out / "audit.xlsx", path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    last = ws.max_row
    ws.cell(head + 1, ws.max_column + 2).value = "see the chronology"
    ws.cell(last + 2, columns["Worker"]).value = "Ann Lee to take D"
    wb.save(path)
    result = audit("moderate", path, "--db", db)
    text = plain(result)
    assert result.exit_code == 1, text
    assert "see the chronology" in text and f"row {head + 1}" in text
    assert "Ann Lee to take D" in text and f"row {last + 2}" in text


def _recording_correct_in_october(tmp_path: Path) -> Path:
    """October: A's visit lapse (due 12/09) moderated 'Disagree — recording is correct'."""
    db = tmp_path / "h.sqlite"
    october = run(_visits_export(tmp_path / "o", "01/08/2026"), tmp_path / "oct", "--db", db)
    assert october.exit_code == 0, october.output
    typed = type_into(
        tmp_path / "oct" / "audit.xlsx",
        {"A": {"Moderator decision": "Disagree — recording is correct"}},
        target=tmp_path / "r.xlsx",
    )
    assert audit("moderate", typed, "--db", db).exit_code == 0
    return db


def test_a_decision_on_the_same_lapse_still_holds_next_month(tmp_path):
    """The guard on 'what a decision covers': the same lapse next month is not raised again."""
    db = _recording_correct_in_october(tmp_path)
    november = run(
        _visits_export(tmp_path / "n", "01/08/2026"),
        tmp_path / "nov",
        "--db",
        db,
        as_at="2026-11-30",
    )
    plain(november)
    assert findings(tmp_path / "nov").query("rule_id == 'CLA-02'").empty
    assert summary(tmp_path / "nov")["carried_forward"]["suppressed"] == 1


def test_decisions_stored_before_lapses_were_recorded_get_theirs_from_the_run(tmp_path):
    """Migration _v7 on a store whose decision has no lapse yet: it takes the lapse of the run
    the decision was typed on, so a later lapse is raised."""
    db = _recording_correct_in_october(tmp_path)
    con = sqlite3.connect(db)  # as a store of version 4 was: no lapses, no v7
    con.executescript(
        "DROP TABLE entry_lapses; DROP TABLE practice_entries; "
        "DELETE FROM schema_version WHERE version = 7;"
    )
    con.close()
    november = run(
        _visits_export(tmp_path / "n", "01/09/2026"),
        tmp_path / "nov",
        "--db",
        db,
        as_at="2026-11-30",
    )
    plain(november)
    raised = findings(tmp_path / "nov").query("rule_id == 'CLA-02'")
    assert raised["due_date"].tolist() == ["2026-10-13"]


def test_a_changed_team_workbook_of_last_month_is_set_aside_not_lost(tmp_path):
    db, out = tmp_path / "h.sqlite", tmp_path / "out"
    october = ["A,01/01/2020,,01/01/2026,North,S", "B,01/01/2020,,01/02/2026,,Ann"]
    november = ["A,01/01/2020,,01/01/2026,North,S", "B,01/01/2020,,20/11/2026,,Ann"]
    assert run(l8_csv(tmp_path / "o" / "l8.csv", october), out, "--db", db).exit_code == 0
    type_into(out / "teams" / "No team.xlsx", {"B": {"Manager response": "review booked"}})
    result = run(l8_csv(tmp_path / "n" / "l8.csv", november), out, "--db", db, as_at="2026-11-30")
    text = plain(result)
    assert result.exit_code == 0, text
    kept = out / "teams" / "earlier" / "No team (as at 2026-10-30).xlsx"
    assert kept.is_file() and "teams/earlier/No team (as at 2026-10-30).xlsx" in text
    assert [r["Manager response"] for r in read_findings(kept)] == ["review booked"]
    assert {p.name for p in (out / "teams").glob("*.xlsx")} == {"North.xlsx"}


# --- practice audits ------------------------------------------------------------------------------


def test_an_answer_outside_the_dropdown_is_listed_and_nothing_stored(practice):
    workbook, db = practice
    cases = fill_practice(workbook, {})
    fill_practice(workbook, {cases[0]: {"Plan SMART": "Maybe", "Auditor comments": "kept?"}})
    result = audit("moderate", workbook, "--db", db)
    text = plain(result)
    assert result.exit_code == 1 and f"row {cases[0]}" in text and "'Maybe'" in text
    assert "kept?" not in store_text(db)


def test_a_practice_audit_imported_twice_is_stored_once(practice):
    workbook, db = practice
    cases = fill_practice(workbook, {})
    fill_practice(workbook, {cases[0]: {"Chronology up to date": "Partly", "Auditor": "Ann"}})
    for _ in range(2):
        result = audit("moderate", workbook, "--db", db)
        assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    count = con.execute("SELECT COUNT(*) FROM practice_entries WHERE value = 'Partly'").fetchone()
    con.close()
    assert count == (1,)


def test_a_column_added_to_the_practice_audit_is_listed(practice):
    workbook, db = practice
    cases = fill_practice(workbook, {})
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Practice audit"]
    extra = ws.max_column + 1
    ws.cell(1, extra).value = "Notes"
    ws.cell(cases[0], extra).value = "call the IRO"
    wb.save(workbook)
    result = audit("moderate", workbook, "--db", db)
    text = plain(result)
    assert result.exit_code == 1 and "call the IRO" in text and f"row {cases[0]}" in text


def test_a_child_id_typed_over_in_the_practice_audit_is_listed_not_stored(practice):
    workbook, db = practice
    cases = fill_practice(workbook, {})
    fill_practice(workbook, {cases[0]: {"Child ID": "NOT-A-CASE", "Auditor grade": "Good"}})
    result = audit("moderate", workbook, "--db", db)
    text = plain(result)
    assert result.exit_code == 1 and "NOT-A-CASE" in text and f"row {cases[0]}" in text


def test_an_expectations_folder_that_does_not_exist_is_refused(tmp_path):
    """DQ-05 would otherwise run with no suite at all, and find nothing, without a word."""
    config = tmp_path / "audit.toml"
    config.write_text('expectations_dir = "suites-typo"\n')
    result = run(small_export(tmp_path / "e"), tmp_path / "out", "--no-history", "--config", config)
    text = plain(result)
    assert result.exit_code == 1 and "expectations_dir" in text and "suites-typo" in text


def test_an_answer_typed_as_true_is_yes(practice):
    workbook, db = practice
    cases = fill_practice(workbook, {})
    fill_practice(workbook, {cases[0]: {"Plan SMART": True}})
    result = audit("moderate", workbook, "--db", db)
    plain(result)
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    held = con.execute("SELECT value FROM practice_entries WHERE item = 'Plan SMART'").fetchall()
    con.close()
    assert held == [("Yes",)]


def test_dates_parse_in_either_system():
    serial = pd.Series([46023, 44561], dtype=object)
    assert values.dates(serial, 1900)[0].iloc[0] == pd.Timestamp(dt.date(2026, 1, 1))
    assert values.dates(serial, 1904)[0].iloc[1] == pd.Timestamp(dt.date(2026, 1, 1))


# --- no "defect" reachable from what a person types, saves or configures (property tests) ---------

TYPED = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.sampled_from(["=TODAY()+14", "#REF!", "Agree", "disagree - recording is correct", " ", "2"]),
    st.text(max_size=30),
)


def _excel_safe(value):
    """A value openpyxl can write into a cell (it refuses some control characters)."""
    if isinstance(value, str):
        return "".join(ch for ch in value if ch.isprintable()) or None
    if isinstance(value, float) and value != value:
        return None  # openpyxl cannot save NaN
    return value


@pytest.fixture(scope="module")
def returned(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("returns")
    db = base / "h.sqlite"
    result = run(l8_csv(base / "in" / "l8.csv", REVIEW_ROWS), base / "oct", "--db", db)
    assert result.exit_code == 0, result.output
    from audits.history.connect import close_all

    close_all()
    return base / "oct" / "audit.xlsx", db


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B", "C"]),
            st.sampled_from(
                ["Manager response", "Moderator decision", "Action owner", "Action due", "Worker",
                 "Due date", "Finding ID", "Team"]
            ),
            TYPED,
        ),
        min_size=1,
        max_size=6,
    )
)  # fmt: skip
def test_anything_typed_in_a_return_is_stored_or_listed_never_a_defect(
    tmp_path_factory, returned, typed
):
    workbook, db = returned
    folder = tmp_path_factory.mktemp("typed")
    shutil.copy(db, folder / "h.sqlite")
    entries: dict[str, dict] = {}
    for child, heading, value in typed:
        entries.setdefault(child, {})[heading] = _excel_safe(value)
    path = type_into(workbook, entries, target=folder / "return.xlsx")
    result = audit("moderate", path, "--db", folder / "h.sqlite")
    assert result.exit_code in (0, 1), result.output
    plain(result)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(
            ["caseload_standard", "rag_green", "rag_amber", "team_renames", "required_documents",
             "expectations_dir", "indicators", "workbook_rows_per_rule", "unknown"]
        ),
        st.one_of(
            st.integers(-5, 10**6),
            st.floats(allow_nan=True, allow_infinity=True),
            st.booleans(),
            st.text(max_size=12),
            st.lists(st.text(max_size=8), max_size=3),
            st.dictionaries(st.sampled_from(["IND-CP-REPEAT", "IND-CASELOAD", "X"]),
                            st.dictionaries(st.sampled_from(["target", "amber", "period"]),
                                            st.one_of(st.floats(), st.text(max_size=5)),
                                            max_size=2), max_size=2),
        ),
        max_size=4,
    ),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
)  # fmt: skip
def test_any_config_is_read_or_refused_by_name(tmp_path_factory, settings_, encoding):
    folder = tmp_path_factory.mktemp("config")
    lines, tables = [], []
    for key, value in settings_.items():
        if isinstance(value, dict):
            for ind, entry in value.items():
                tables.append(f"[{key}.{ind}]")
                tables += [f"{k} = {_toml(v)}" for k, v in entry.items()]
        else:
            lines.append(f"{key} = {_toml(value)}")
    text = "\n".join(lines + tables) + "\n"
    config = folder / "audit.toml"
    try:
        config.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        config.write_bytes(text.encode("utf-8"))
    result = run(small_export(folder / "e"), folder / "out", "--no-history", "--config", config)
    assert result.exit_code in (0, 1), result.output
    plain(result)


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else ("inf" if value > 0 else "-inf")
            if abs(value) == float("inf")
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + "".join(ch for ch in value if ch.isprintable() and ch not in '"\\') + '"'
