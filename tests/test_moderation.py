"""Two months with moderation in between: carry-forward, agreement figures and trends."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import openpyxl
import pandas as pd
import pytest
from reviewing import findings_table, read_findings, type_into
from typer.testing import CliRunner

from audits.board.data import board_data, pseudonym
from audits.cli import app
from audits.history import Store

runner = CliRunner()
L8 = (
    "Child Unique ID,Date of Birth,Date Started to be Looked After,Date Ceased to be Looked After,"
    "Date of Latest Statutory Review,Allocated Team,Allocated Worker\n"
)


def month(folder, rows: list[str]):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "list8.csv").write_text(L8 + "".join(r + "\n" for r in rows))
    return folder / "list8.csv"


def run(export, as_at, out, db):
    result = runner.invoke(
        app, ["run", str(export), "--as-at", as_at, "--out", str(out), "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False), json.loads(
        (out / "summary.json").read_text()
    )


def review(workbook, decisions: dict[str, str], tmp_path):
    """Fill the QA moderator's columns with openpyxl, as a moderator's Excel would save them."""
    return type_into(
        workbook,
        {
            child: {"Moderator decision": d, "Moderator comment": "checked on the system"}
            for child, d in decisions.items()
        },
        target=tmp_path / "reviewed.xlsx",
        by="Moderator One",
    )


def managers_return(out, team: str, decisions: dict[str, str], tmp_path):
    """A team manager's return: their decision on each child's finding, in the team workbook."""
    return type_into(
        out / "teams" / f"{team}.xlsx",
        {child: {"Manager decision": d} for child, d in decisions.items()},
        target=tmp_path / "returns" / f"{team}.xlsx",
        by=f"{team} TM",
    )


@pytest.fixture
def two_months(tmp_path):
    db = tmp_path / "history.sqlite"
    # October: A, B and C all have overdue reviews (D's is in time).
    oct_rows = [
        "A,01/01/2015,01/01/2020,,01/01/2026,North,W1",
        "B,01/01/2015,01/01/2020,,01/02/2026,North,W1",
        "C,01/01/2015,01/01/2020,,01/03/2026,South,W2",
        "D,01/01/2015,01/01/2020,,01/10/2026,South,W2",
    ]
    oct_findings, _ = run(month(tmp_path / "oct", oct_rows), "2026-10-30", tmp_path / "out-oct", db)
    # The team managers decide in their own workbooks; the QA moderator then in audit.xlsx: A
    # and C as the managers did, B (the North manager's Agree) 'recording is correct'.
    north = managers_return(tmp_path / "out-oct", "North", {"A": "Agree", "B": "Agree"}, tmp_path)
    managers_return(tmp_path / "out-oct", "South", {"C": "Agree"}, tmp_path)
    returned = runner.invoke(app, ["moderate", str(north.parent), "--db", str(db)])
    assert returned.exit_code == 0, returned.output
    reviewed = review(
        tmp_path / "out-oct" / "audit.xlsx",
        {"A": "Agree", "B": "Disagree - recording is correct", "C": "Agree"},
        tmp_path,
    )
    result = runner.invoke(app, ["moderate", str(reviewed), "--db", str(db)])
    assert result.exit_code == 0, result.output
    # November: A still overdue; B still overdue but moderated as recorded correctly; C reviewed
    # since; D now overdue.
    nov_rows = [
        "A,01/01/2015,01/01/2020,,01/01/2026,North,W1",
        "B,01/01/2015,01/01/2020,,01/02/2026,North,W1",
        "C,01/01/2015,01/01/2020,,20/11/2026,South,W2",
        "D,01/01/2015,01/01/2020,,01/04/2026,South,W2",
    ]
    nov_findings, nov_summary = run(
        month(tmp_path / "nov", nov_rows), "2026-11-30", tmp_path / "out-nov", db
    )
    return {
        "db": db,
        "oct": oct_findings,
        "nov": nov_findings,
        "summary": nov_summary,
        "moderate": result.output,
        "out": tmp_path / "out-nov",
        "reviewed": reviewed,
    }


def cla01(frame):
    return sorted(frame.loc[frame.rule_id == "CLA-01", "child_id"])


def test_carry_forward_and_changes(two_months):
    assert cla01(two_months["oct"]) == ["A", "B", "C"]
    assert cla01(two_months["nov"]) == ["A", "D"]  # B not raised again; C resolved
    change = two_months["summary"]["carried_forward"]
    assert (change["new"], change["persisting"], change["resolved"], change["suppressed"]) == (
        1,
        1,
        1,
        1,
    )
    rows = read_findings(two_months["out"] / "audit.xlsx")
    raised = {row["Child ID"]: row["First raised"] for row in rows}  # the first audit's date
    assert raised == {"A": dt.datetime(2026, 10, 30), "D": dt.datetime(2026, 11, 30)}
    wb = openpyxl.load_workbook(two_months["out"] / "audit.xlsx")
    summary = {
        row[0].value: row[1].value
        for row in wb["Summary"].iter_rows()
        if len(row) > 1 and row[0].value
    }
    assert (summary["New since the month before"], summary["Resolved since the month before"]) == (
        1,
        1,
    )
    assert summary["Not raised again (recording correct)"] == 1


def test_agreement_figures(two_months):
    text = two_months["moderate"]
    assert "Stored 6 entries on 3 finding(s)" in text
    assert "CLA-01" in text and "2/3 agree (66.7%)" in text  # manager–QA agreement
    assert "North" in text and "1/2 agree (50%)" in text
    assert "1 finding(s) where the QA moderator's decision differs" in text
    decisions = Store.open(two_months["db"]).latest_decisions().set_index("finding_id")
    assert set(decisions["moderator_by"]) == {"Moderator One"}
    assert set(decisions["manager_by"]) == {"North TM", "South TM"}
    assert set(decisions["decision"]) == {"Agree", "Disagree — recording is correct"}
    assert decisions["agreed"].tolist().count(False) == 1


def test_reimporting_the_same_workbook_is_idempotent(two_months):
    store = Store.open(two_months["db"])
    before = len(store.table("entries"))
    result = runner.invoke(
        app, ["moderate", str(two_months["reviewed"]), "--db", str(two_months["db"])]
    )
    assert result.exit_code == 0, result.output
    assert "Stored 0 entries" in result.output and "6 already held" in result.output
    assert len(store.table("entries")) == before == 9  # 3 managers' decisions, 6 QA entries


def test_trend_values_on_the_board(two_months, tmp_path):
    store = Store.open(two_months["db"])
    data = board_data(store)
    cic = data["areas"]["Children in care"]
    assert cic.to_dict() == {
        "2026-10": 25.0,
        "2026-11": 50.0,
    }  # 1/4 compliant, then 2/4 (B suppressed)
    changes = data["changes"].set_index("month")
    assert changes.loc["2026-11", ["new", "persisting", "resolved"]].tolist() == [1, 1, 1]
    assert data["moderation"].set_index("rule_id").loc["CLA-01", "agree_percent"] == 66.7
    key = store.pseudonym_key()
    assert set(data["overdue"]["child"]) == {pseudonym("A", key), pseudonym("D", key)}
    result = runner.invoke(
        app, ["board", "--out", str(tmp_path / "board"), "--db", str(two_months["db"])]
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "board" / "board.html").read_text()
    assert "<svg" in page and "Children in care" in page
    assert ">A<" not in page and pseudonym("A", key) in page
    wb = openpyxl.load_workbook(tmp_path / "board" / "board.xlsx")
    assert wb["Trend by area"]._charts


def test_a_renamed_column_is_refused_and_nothing_is_stored(two_months, tmp_path):
    broken = tmp_path / "broken.xlsx"
    shutil.copy(two_months["reviewed"], broken)
    wb = openpyxl.load_workbook(broken)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    ws.cell(head, columns["Moderator decision"]).value = "Decision"
    wb.save(broken)
    store = Store.open(two_months["db"])
    before = len(store.table("entries"))
    result = runner.invoke(app, ["moderate", str(broken), "--db", str(two_months["db"])])
    assert result.exit_code == 1
    assert "'Moderator decision'" in result.output and "nothing was stored" in result.output
    assert len(store.table("entries")) == before


def test_a_decision_outside_the_four_is_reported_with_its_row(two_months, tmp_path):
    odd = review(two_months["out"] / "audit.xlsx", {"A": "Agreed-ish", "D": "Agree"}, tmp_path)
    result = runner.invoke(app, ["moderate", str(odd), "--db", str(two_months["db"])])
    assert result.exit_code == 1
    row_of_a = next(r["_row"] for r in read_findings(odd) if r["Child ID"] == "A")
    assert f"reviewed.xlsx, row {row_of_a}: Moderator decision 'Agreed-ish' is not one of" in (
        result.output
    )
    assert "Stored 2 entries on 1 finding(s)" in result.output  # D: decision and comment


def test_schema_is_created_and_recorded(tmp_path):
    store = Store.open(tmp_path / "new.sqlite")
    latest = max(version for version, _ in Store.migrations())
    assert store.version == latest >= 3
    assert Store.open(tmp_path / "new.sqlite").version == latest  # opening again migrates nothing


def test_a_version_1_store_is_migrated(tmp_path):
    import sqlalchemy as sa

    from audits import history

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with engine.begin() as conn:
        history.schema.schema_version.create(conn)
        history.schema._v1(conn)
        conn.execute(
            history.schema.schema_version.insert().values(
                version=1, applied_at="2026-01-01T00:00:00"
            )
        )
    assert not sa.inspect(engine).has_table("practice_audits")
    with engine.begin() as conn:  # a store written before v3 had no summary column
        conn.execute(sa.text("ALTER TABLE runs DROP COLUMN summary_json"))
    store = Store.open(tmp_path / "old.sqlite")
    assert store.version >= 3 and sa.inspect(store.engine).has_table("practice_audits")
    assert "summary_json" in {c["name"] for c in sa.inspect(store.engine).get_columns("runs")}
