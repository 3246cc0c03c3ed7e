"""Where issue 22 (two decisions, actions with a status) meets issue 24 (what a decision covers):
each decision covers the lapse it was typed against; of those that cover the lapse a finding
shows, the standing one (the QA moderator's, else the team manager's) decides whether it is
raised again; the action, its status and done date are carried to a record's later lapses; and
a store from before both (v4), or one that has issue 24's migration but not issue 22's, comes
out of its migrations with the same answers."""

from __future__ import annotations

import datetime as dt
import sqlite3
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
import sqlalchemy as sa
from reviewing import read_findings, serial_in_a_1904_workbook, type_into
from typer.testing import CliRunner

from audits.cli import app
from audits.history import Store
from audits.output.reviewed import AS_AT_PROPERTY, KIND_PROPERTY, TEAM_PROPERTY

runner = CliRunner()
RECORDING_CORRECT = "Disagree — recording is correct"
VISITS = (
    "Child Unique ID,Date Started to be Looked After,Date Ceased to be Looked After,"
    "Start Date of Most Recent Placement,Date of Last Social Work Visit,Placement Type,"
    "Allocated Team,Allocated Worker\n"
)


def export(folder: Path, a_visit: str, b_visit: str = "01/08/2026") -> Path:
    """Two children in care (North), each a CLA-02 visit lapse: due 42 days after the visit."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "list8.csv"
    path.write_text(
        VISITS
        + f"A,01/01/2020,,01/01/2024,{a_visit},U6,North,Sam Jones\n"
        + f"B,01/01/2020,,01/01/2024,{b_visit},U6,North,Sam Jones\n"
    )
    return path


def run(tmp_path: Path, name: str, a_visit: str, as_at: str) -> Path:
    out = tmp_path / name
    result = runner.invoke(
        app,
        ["run", str(export(tmp_path / f"in-{name}", a_visit)), "--as-at", as_at]
        + ["--out", str(out), "--db", str(tmp_path / "h.sqlite")],
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "defect" not in result.output, result.output
    return out


def moderate(tmp_path: Path, *paths: Path) -> str:
    result = runner.invoke(app, ["moderate", *map(str, paths), "--db", str(tmp_path / "h.sqlite")])
    assert result.exit_code == 0, result.output
    return result.output


def cla02(out: Path) -> dict[str, dict]:
    """Each child's CLA-02 row of the team workbook (North), by Child ID."""
    rows = read_findings(out / "teams" / "North.xlsx")
    return {r["Child ID"]: r for r in rows if r["Rule"] == "CLA-02"}


def raised(out: Path) -> dict[str, str]:
    found = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    found = found[found["rule_id"] == "CLA-02"]
    return dict(zip(found["child_id"], found["due_date"], strict=True))


def october(tmp_path: Path, manager: dict, qa: dict) -> Path:
    """October: A's and B's visits of 01/08 give lapses due 12/09; the team manager types in
    North's workbook, then the QA moderator in audit.xlsx."""
    out = run(tmp_path, "oct", "01/08/2026", "2026-10-30")
    assert raised(out) == {"A": "2026-09-12", "B": "2026-09-12"}
    team = type_into(
        out / "teams" / "North.xlsx",
        manager,
        target=tmp_path / "returns" / "North.xlsx",
        by="North TM",
        saved_at=dt.datetime(2026, 11, 2, 9),
    )
    moderate(tmp_path, team)
    if qa:
        council = type_into(
            out / "audit.xlsx",
            qa,
            target=tmp_path / "qa" / "audit.xlsx",
            by="QA Lead",
            saved_at=dt.datetime(2026, 11, 4, 9),
        )
        moderate(tmp_path, council)
    return out


# --- the decision that stands, on the lapse it covers -------------------------------------------
def test_the_standing_decision_on_the_lapse_decides_and_a_later_lapse_comes_without_either(
    tmp_path,
):
    """A: the manager says 'recording is correct', the QA moderator 'Agree': the QA decision
    stands, so A is raised again on the same lapse, both decisions shown. B: the manager agrees,
    the QA moderator says 'recording is correct': not raised again on the same lapse."""
    october(
        tmp_path,
        {"A": {"Manager decision": RECORDING_CORRECT}, "B": {"Manager decision": "Agree"}},
        {"A": {"Moderator decision": "Agree"}, "B": {"Moderator decision": RECORDING_CORRECT}},
    )
    same = run(tmp_path, "nov-same", "01/08/2026", "2026-11-30")  # the same lapse, both
    assert raised(same) == {"A": "2026-09-12"}
    a = cla02(same)["A"]
    assert (a["Manager decision"], a["Moderator decision"]) == (RECORDING_CORRECT, "Agree")

    later = run(tmp_path, "nov-later", "01/10/2026", "2026-12-30")  # A visited 01/10: due 12/11
    assert raised(later) == {"A": "2026-11-12"}  # B's lapse still the one QA set aside
    a = cla02(later)["A"]
    assert a["Manager decision"] in (None, "") and a["Moderator decision"] in (None, "")


def test_a_manager_decision_on_a_later_lapse_is_not_overruled_by_a_qa_one_on_an_earlier(
    tmp_path,
):
    """October: the QA moderator agrees A's lapse. December (a later lapse): the manager says
    'recording is correct'. The October QA decision does not cover the new lapse, so the
    manager's decision stands on it and A is not raised again in January on that lapse."""
    october(
        tmp_path,
        {"A": {"Manager response": "visit booked"}},
        {"A": {"Moderator decision": "Agree"}},
    )
    later = run(tmp_path, "dec", "01/10/2026", "2026-12-30")
    assert raised(later)["A"] == "2026-11-12"
    typed = type_into(
        later / "teams" / "North.xlsx",
        {"A": {"Manager decision": RECORDING_CORRECT}},
        target=tmp_path / "returns-dec" / "North.xlsx",
        by="North TM",
        saved_at=dt.datetime(2027, 1, 4, 9),
    )
    moderate(tmp_path, typed)
    january = run(tmp_path, "jan", "01/10/2026", "2027-01-29")
    assert "A" not in raised(january)
    latest = Store.open(tmp_path / "h.sqlite").latest_decisions().set_index("finding_id")
    (row,) = latest[latest["manager_decision"].notna()].to_dict("records")
    assert (row["manager_decision"], row["moderator_decision"]) == (RECORDING_CORRECT, "Agree")


def test_a_done_action_is_carried_to_a_later_lapse_and_stays_done(tmp_path):
    october(
        tmp_path,
        {
            "A": {
                "Manager decision": "Agree",
                "Action owner": "Sam Jones",
                "Action due": dt.datetime(2026, 11, 10),
                "Action status": "Done",
                "Done on": dt.datetime(2026, 11, 1),
            },
            "B": {"Action owner": "Sam Jones", "Action due": dt.datetime(2026, 11, 10)},
        },
        {},
    )
    later = run(tmp_path, "nov", "01/10/2026", "2026-11-30")  # A's later lapse, B's the same
    rows = cla02(later)
    a, b = rows["A"], rows["B"]
    assert a["Manager decision"] in (None, "")  # typed on October's lapse
    assert (a["Action owner"], a["Action status"]) == ("Sam Jones", "Done")
    assert a["Done on"] == dt.datetime(2026, 11, 1) and a["Action overdue"] in (None, "")
    assert b["Action overdue"] == "Yes"  # not done, past due, still raised
    import json

    actions = json.loads((later / "summary.json").read_text())["actions"]
    assert (actions["open"], actions["overdue"], actions["done"]) == (1, 1, 1)


# --- returns: the new fields read as the careful reader reads them --------------------------------
def test_done_on_typed_as_a_serial_number_in_a_1904_return_is_that_workbooks_date(tmp_path):
    out = run(tmp_path, "oct", "01/08/2026", "2026-10-30")
    path = type_into(
        out / "teams" / "North.xlsx",
        {"A": {"Action owner": "TM", "Action status": "done"}},
        target=tmp_path / "r" / "North.xlsx",
    )
    serial_in_a_1904_workbook(path, "A", "Done on", 44896)  # General format: a plain number
    moderate(tmp_path, path)
    stored = Store.open(tmp_path / "h.sqlite").table("entries").set_index("field")["value"]
    assert stored["action_done_on"] == "2026-12-02"  # 1904: not 01/12/2022
    assert stored["action_status"] == "Done"  # the dropdown's own spelling


def test_a_status_outside_the_dropdown_is_listed_with_its_sheet_and_row(tmp_path):
    out = run(tmp_path, "oct", "01/08/2026", "2026-10-30")
    path = type_into(
        out / "teams" / "North.xlsx",
        {"A": {"Action status": "Finished", "Manager decision": "Agree-ish"}},
        target=tmp_path / "r" / "North.xlsx",
    )
    row = next(r["_row"] for r in read_findings(path) if r["Child ID"] == "A")
    result = runner.invoke(app, ["moderate", str(path), "--db", str(tmp_path / "h.sqlite")])
    assert result.exit_code == 1, result.output
    assert f"North.xlsx, row {row}: Action status 'Finished' is not one of: Open; Done" in (
        result.output
    )
    assert f"North.xlsx, row {row}: Manager decision 'Agree-ish' is not one of" in result.output


def test_each_property_of_a_workbook_is_written_once(tmp_path):
    out = run(tmp_path, "oct", "01/08/2026", "2026-10-30")
    for workbook, kind in ((out / "audit.xlsx", "council"), (out / "teams" / "North.xlsx", "team")):
        with zipfile.ZipFile(workbook) as archive:
            root = ElementTree.fromstring(archive.read("docProps/custom.xml"))
        names = [p.get("name") for p in root]
        assert len(names) == len(set(names)), names
        values = {p.get("name"): next(iter(p)).text for p in root}
        assert values[KIND_PROPERTY] == kind and values[AS_AT_PROPERTY] == "2026-10-30"
        assert (values.get(TEAM_PROPERTY) == "North") == (kind == "team")


# --- stores from before both issues --------------------------------------------------------------
def as_an_older_store(db: Path, had: tuple[int, ...]) -> None:
    """The store as a version without issue 22's migration left it (and without issue 21's and
    24's unless `had` names them): one decision field, 'moderator_decision', for what a team
    manager typed too; none of the tables those migrations add."""
    con = sqlite3.connect(db)
    con.executescript(
        "UPDATE entries SET field = 'moderator_decision' WHERE field = 'manager_decision';"
        "DELETE FROM entries WHERE field IN ('action_status', 'action_done_on');"
        "DROP INDEX IF EXISTS ix_entries_migrated_from; DROP INDEX IF EXISTS ix_entries_latest;"
        "ALTER TABLE entries DROP COLUMN migrated_from;"
        "DROP TABLE finding_history; DROP TABLE returns_imported;"
        "DELETE FROM schema_version WHERE version IN (5, 8);"
    )
    if 6 not in had:
        con.executescript(
            "DROP TABLE run_board; DROP TABLE run_changes;"
            "DELETE FROM schema_version WHERE version = 6;"
        )
    if 7 not in had:
        con.executescript(
            "DROP TABLE entry_lapses; DROP TABLE practice_entries;"
            "DELETE FROM schema_version WHERE version = 7;"
        )
    con.commit()
    con.close()


@pytest.mark.parametrize("had", [(), (6, 7)], ids=["v4", "v4-with-6-and-7"])
def test_a_store_from_before_two_decisions_keeps_what_each_decision_covers(tmp_path, had):
    """A team manager's 'recording is correct' (A) and a QA moderator's 'Agree' (B, in
    audit.xlsx), stored as one decision field before v5. After the migrations (5, 6 and 7 in
    order, or 5 after 6 and 7): A's decision is the manager's, B's the QA moderator's, the
    originals kept; each covers the lapse it was typed on (v7's back-fill, or the lapse v7
    recorded before v5 copied the decision)."""
    from audits.history.connect import close_all

    october(
        tmp_path,
        {"A": {"Manager decision": RECORDING_CORRECT, "Action owner": "Sam Jones"}},
        {"B": {"Moderator decision": "Agree"}},
    )
    close_all()
    db = tmp_path / "h.sqlite"
    as_an_older_store(db, had)
    store = Store.open(db)  # migrates
    assert store.version == 9
    table = store.table("entries")
    decisions = table[table["field"].str.endswith("_decision")]
    by = {(r.finding_id, r.field): r for r in decisions.itertuples()}
    originals = decisions[decisions["migrated_from"].isna()]
    assert sorted(originals["field"]) == ["moderator_decision", "moderator_decision"]  # kept
    (copy,) = decisions[decisions["migrated_from"].notna()].itertuples()
    assert (copy.field, copy.value, copy.entered_by) == (
        "manager_decision",
        RECORDING_CORRECT,
        "North TM",
    )
    assert by[(copy.finding_id, "moderator_decision")].entry_id == copy.migrated_from
    lapses = store.lapses(set(decisions["finding_id"]))
    assert set(lapses["due_date"]) == {"2026-09-12"}  # both decisions' lapses, known
    latest = store.latest_decisions().set_index("finding_id")
    assert sorted(latest["manager_decision"].dropna()) == [RECORDING_CORRECT]
    assert sorted(latest["moderator_decision"].dropna()) == ["Agree"]
    close_all()

    same = run(tmp_path, "nov-same", "01/08/2026", "2026-11-30")
    assert raised(same) == {"B": "2026-09-12"}  # A's lapse set aside by its manager
    assert cla02(same)["B"]["Moderator decision"] == "Agree"
    assert cla02(same)["B"]["Manager decision"] in (None, "")  # audit.xlsx's: the QA's

    later = run(tmp_path, "dec-later", "01/10/2026", "2026-12-30")
    assert raised(later)["A"] == "2026-11-12"  # a later lapse: raised again
    a = cla02(later)["A"]
    assert a["Manager decision"] in (None, "") and a["Action owner"] == "Sam Jones"


def test_a_store_from_before_the_latest_entries_index_gets_it_and_reads_the_same(tmp_path):
    """v8 adds only an index (finding, field, time, id) from which the latest entries are found:
    a store of version 7 takes it when opened, and its latest entries read the same."""
    from audits.history.connect import close_all

    out = october(
        tmp_path,
        {"A": {"Manager decision": RECORDING_CORRECT, "Action owner": "Sam Jones"}},
        {"A": {"Moderator decision": "Agree"}, "B": {"Moderator decision": "Agree"}},
    )
    ids = ["x", *pd.read_csv(out / "findings.csv", dtype=str)["finding_id"]]
    db = tmp_path / "h.sqlite"
    before = Store.open(db).latest_entries_for(ids)
    close_all()
    con = sqlite3.connect(db)
    con.executescript("DROP INDEX ix_entries_latest; DELETE FROM schema_version WHERE version = 8;")
    con.close()
    store = Store.open(db)  # migrates
    indexes = {i["name"] for i in sa.inspect(store.engine).get_indexes("entries")}
    assert store.version == 9 and "ix_entries_latest" in indexes
    after = store.latest_entries_for(ids)
    assert len(after) == 4  # A: two decisions and an owner; B: a decision
    pd.testing.assert_frame_equal(
        after.sort_values("entry_id").reset_index(drop=True),
        before.sort_values("entry_id").reset_index(drop=True),
    )


def test_an_import_that_fails_to_store_leaves_neither_entries_nor_lapses(tmp_path, monkeypatch):
    """The lapses a return's findings showed are stored with its entries, in one transaction:
    an import that fails while storing its entries leaves no lapse behind, and importing the
    return again stores both."""
    from audits.history import entries as stored_entries

    out = run(tmp_path, "oct", "01/08/2026", "2026-10-30")
    team = type_into(
        out / "teams" / "North.xlsx",
        {"A": {"Manager decision": RECORDING_CORRECT}},
        target=tmp_path / "returns" / "North.xlsx",
        by="North TM",
    )
    insert = stored_entries.insert_frame

    def failing(conn, table, frame):
        if table.name == "entries":  # the database refuses, as a full disk or a lock would
            raise sa.exc.OperationalError("INSERT INTO entries", {}, Exception("disk I/O error"))
        return insert(conn, table, frame)

    monkeypatch.setattr(stored_entries, "insert_frame", failing)
    failed = runner.invoke(app, ["moderate", str(team), "--db", str(tmp_path / "h.sqlite")])
    assert failed.exit_code != 0
    store = Store.open(tmp_path / "h.sqlite")
    assert store.lapses().empty and store.table("entries").empty
    monkeypatch.setattr(stored_entries, "insert_frame", insert)
    moderate(tmp_path, team)
    assert len(store.lapses()) == 1 and len(store.table("entries")) == 1
