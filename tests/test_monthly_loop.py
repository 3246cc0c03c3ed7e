"""Three months, three teams, end to end: the QA team's monthly routine.

September: the audit runs and each team gets its workbook; North and South return theirs, the QA
team's council workbook disagrees with South on one finding (a conflict, listed with both files).
October: persisting findings come back pre-filled cell by cell; North's action has gone overdue
and is counted on Summary, in North's workbook and on the board; South fixes the conflict.
November: what was carried in October and returned untouched stays as it was entered; East, who
never returned anything, still has blank reviewer cells.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from reviewing import read_findings, type_into
from typer.testing import CliRunner

from audits.cli import app
from audits.history import Store

runner = CliRunner()
L8 = (
    "Child Unique ID,Date of Birth,Date Started to be Looked After,Date Ceased to be Looked After,"
    "Date of Latest Statutory Review,Allocated Team,Allocated Worker\n"
)
# Every child's statutory review is overdue from September to November 2026.
ROWS = [
    "N1,01/01/2015,01/01/2020,,01/01/2026,North,W1",
    "N2,01/01/2015,01/01/2020,,01/02/2026,North,W1",
    "S1,01/01/2015,01/01/2020,,01/03/2026,South,W2",
    "S2,01/01/2015,01/01/2020,,01/03/2026,South,W2",
    "E1,01/01/2015,01/01/2020,,01/03/2026,East,W3",
]
DB = "history.sqlite"


def audit_month(base: Path, as_at: str) -> Path:
    folder = base / f"export-{as_at}"
    folder.mkdir()
    (folder / "list8.csv").write_text(L8 + "".join(r + "\n" for r in ROWS))
    out = base / f"out-{as_at}"
    result = runner.invoke(
        app, ["run", str(folder), "--as-at", as_at, "--out", str(out), "--db", str(base / DB)]
    )
    assert result.exit_code == 0, result.output
    return out


def moderate(base: Path, *paths: Path):
    return runner.invoke(app, ["moderate", *map(str, paths), "--db", str(base / DB)])


def by_child(workbook: Path) -> dict[str, dict]:
    return {row["Child ID"]: row for row in read_findings(workbook)}


def as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and value:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    return None


def every_text(workbook: Path) -> str:
    wb = openpyxl.load_workbook(workbook, read_only=True)
    cells = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += [str(v) for v in row if v is not None]
    wb.close()
    return "\n".join(cells)


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    base = tmp_path_factory.mktemp("loop")
    sept = audit_month(base, "2026-09-30")
    teams = sept / "teams"
    north = type_into(
        teams / "North.xlsx",
        {
            "N1": {
                "Manager response": "Review booked for 10/10",
                "Moderator decision": "Agree",
                "Action owner": "TM North",
                "Action due": dt.datetime(2026, 10, 15),
            },
            "N2": {"Manager response": "Chair on leave"},
        },
        target=base / "returns-sept" / "North.xlsx",
        by="North TM",
        saved_at=dt.datetime(2026, 10, 5, 9),
    )
    south = type_into(
        teams / "South.xlsx",
        {"S1": {"Moderator decision": "Disagree — recording is correct"}},
        target=base / "returns-sept" / "South.xlsx",
        by="South TM",
        saved_at=dt.datetime(2026, 10, 6, 9),
    )
    council = type_into(
        sept / "audit.xlsx",
        {"S1": {"Moderator decision": "Agree"}, "S2": {"Moderator comment": "chase the IRO"}},
        target=base / "returns-sept" / "audit.xlsx",
        by="QA",
        saved_at=dt.datetime(2026, 10, 7, 9),
    )
    sept_import = moderate(base, north.parent)
    assert north.parent == south.parent == council.parent
    octo = audit_month(base, "2026-10-30")
    return {
        "base": base,
        "sept": sept,
        "oct": octo,
        "sept_import": sept_import,
        "south_row": by_child(south)["S1"]["_row"],
        "council_row": by_child(council)["S1"]["_row"],
    }


def test_each_team_gets_its_own_workbook_with_only_its_children(loop):
    teams = loop["sept"] / "teams"
    assert sorted(p.name for p in teams.glob("*.xlsx")) == ["East.xlsx", "North.xlsx", "South.xlsx"]
    for team, children in (("North", {"N1", "N2"}), ("South", {"S1", "S2"}), ("East", {"E1"})):
        assert set(by_child(teams / f"{team}.xlsx")) == children
        others = {c.split(",")[0] for c in ROWS} - children
        text = every_text(teams / f"{team}.xlsx")
        assert not any(f"\n{child}\n" in f"\n{text}\n" for child in others)
        assert "Guide" in openpyxl.load_workbook(teams / f"{team}.xlsx").sheetnames


def test_the_conflict_is_listed_with_both_files_and_the_rest_is_stored(loop):
    result = loop["sept_import"]
    assert result.exit_code == 1
    out = result.output
    assert (
        f"South.xlsx row {loop['south_row']}" in out
        and f"audit.xlsx row {loop['council_row']}" in out
    )
    latest = Store.open(loop["base"] / DB).latest_decisions()
    assert len(latest) == 3  # N1, N2 and S2; S1 held back by the conflict


def test_october_comes_prefilled_cell_by_cell_and_the_action_is_overdue(loop):
    north = by_child(loop["oct"] / "teams" / "North.xlsx")
    n1, n2 = north["N1"], north["N2"]
    assert n1["Manager response"] == "Review booked for 10/10"
    assert n1["Moderator decision"] == "Agree"
    assert n1["Moderator comment"] in (None, "")
    assert n1["Action owner"] == "TM North"
    assert as_date(n1["Action due"]) == dt.date(2026, 10, 15)
    assert "Oct 2026" in n1["Entered"]
    assert n2["Manager response"] == "Chair on leave"
    assert all(n2[h] in (None, "") for h in ("Moderator decision", "Action owner", "Action due"))
    south = by_child(loop["oct"] / "teams" / "South.xlsx")
    assert south["S1"]["Moderator decision"] in (None, "")  # the conflict stored neither
    assert south["S2"]["Moderator comment"] == "chase the IRO"
    east = by_child(loop["oct"] / "teams" / "East.xlsx")
    assert all(east["E1"][h] in (None, "") for h in ("Manager response", "Moderator decision"))

    summary = json.loads((loop["oct"] / "summary.json").read_text())
    assert summary["actions"]["overdue"] == 1
    (item,) = summary["actions"]["overdue_items"]
    assert (item["child_id"], item["action_owner"], item["days_past_due"]) == ("N1", "TM North", 15)
    north_text = every_text(loop["oct"] / "teams" / "North.xlsx")
    assert "overdue" in north_text.lower() and "TM North" in north_text
    assert "TM North" not in every_text(loop["oct"] / "teams" / "South.xlsx")
    council_text = every_text(loop["oct"] / "audit.xlsx")
    assert "overdue" in council_text.lower()


def test_november_keeps_what_was_entered_and_the_board_counts_overdue_actions(loop):
    base = loop["base"]
    # South settles the conflict; North returns October's workbook with N1 untouched (carried)
    # and a new response on N2.
    south = type_into(
        loop["oct"] / "teams" / "South.xlsx",
        {"S1": {"Moderator decision": "Disagree — recording is correct"}},
        target=base / "returns-oct" / "South.xlsx",
        saved_at=dt.datetime(2026, 11, 3, 9),
    )
    north = type_into(
        loop["oct"] / "teams" / "North.xlsx",
        {"N2": {"Manager response": "Review held 28/10"}},
        target=base / "returns-oct" / "North.xlsx",
        saved_at=dt.datetime(2026, 11, 4, 9),
    )
    result = moderate(base, south, north)
    assert result.exit_code == 0, result.output
    assert "Stored 2 entries" in result.output
    nov = audit_month(base, "2026-11-30")
    north_nov = by_child(nov / "teams" / "North.xlsx")
    assert north_nov["N1"]["Manager response"] == "Review booked for 10/10"
    assert "Oct 2026" in north_nov["N1"]["Entered"] and "Nov 2026" not in north_nov["N1"]["Entered"]
    assert north_nov["N2"]["Manager response"] == "Review held 28/10"
    assert "Response Nov 2026" in north_nov["N2"]["Entered"]
    south_nov = by_child(nov / "teams" / "South.xlsx")
    assert "S1" not in south_nov  # moderated 'recording is correct': not raised again
    summary = json.loads((nov / "summary.json").read_text())
    assert summary["actions"]["overdue"] == 1
    assert summary["actions"]["overdue_items"][0]["days_past_due"] == 46

    board = runner.invoke(app, ["board", "--out", str(base / "board"), "--db", str(base / DB)])
    assert board.exit_code == 0, board.output
    runs = Store.open(base / DB).run_summaries().sort_values("as_at")
    assert [s["actions"]["overdue"] for s in runs["summary"]] == [0, 1, 1]
    page = (base / "board" / "board.html").read_text()
    assert "overdue" in page.lower() and "TM North" in page
