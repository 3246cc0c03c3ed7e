"""Hostile inputs, third round (issue 24): each case of the issue as a user meets it, red today.

Every test drives the product as a person would (the `audit` command line), builds its hostile
input in its own folder, and asserts the outcome the issue and DESIGN.md ask for, never how the
code gets there. Each is marked `xfail(strict=True)`: the fix for a case removes its mark (a case
that starts passing without its fix fails the suite, so nothing is fixed by accident unnoticed).
`pytest --runxfail tests/test_hostile_round3.py` shows what each one sees today.

Only `audits.cli` is imported from the product (the package layout is being reorganised, issue
20); stores are read with `sqlite3`, outputs with pandas and openpyxl.

The cases are grouped as the issue groups them: silent wrong answers, typed work lost, "defect"
messages for what is not ours, tracebacks; then further inputs of the same classes found while
diagnosing them (see /work/notes/hostile-round3.md for the root causes).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from reviewing import findings_table, read_findings, type_into
from typer.testing import CliRunner

from audits.cli import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_exports"
SAMPLE_WORKBOOK = SAMPLE / "annex_a_2026-10.xlsx"
runner = CliRunner()


def issue(case: str):
    return pytest.mark.xfail(strict=True, reason=f"issue 24: {case}")


# --- driving the product ------------------------------------------------------------------------


def audit(*args: object):
    """`audit ARGS` as typed at a terminal (stdout and stderr together in `.output`)."""
    return runner.invoke(app, [str(a) for a in args])


def audit_run(export: Path, out: Path, *extra: object, as_at: str | None = "2026-10-30"):
    dates = ["--as-at", as_at] if as_at else []
    return audit("run", export, *dates, "--out", out, *extra)


def plain(result) -> str:
    """The run's output, once it is known to hold no traceback and no 'defect' paragraph (the
    product's own failures only; bad input and a bad environment are named for what they are)."""
    out = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in out, out
    assert "defect in casefile-audit" not in out and "stopped unexpectedly" not in out, out
    return out


def findings(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)


def summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def list_rows(out: Path) -> dict[int, int]:
    return {int(item["list"]): int(item["rows"]) for item in summary(out)["lists"]}


def store_text(db: Path) -> str:
    """Every value held anywhere in a SQLite history store, as text (whatever its tables are)."""
    con = sqlite3.connect(db)
    try:
        names = [n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        values = [
            str(v)
            for name in names
            for row in con.execute(f'SELECT * FROM "{name}"')
            for v in row
            if v is not None
        ]
    finally:
        con.close()
    return "\n".join(values)


def listed(output: str, file_name: str, row: int) -> bool:
    """The output names the file and the Excel row of an entry that was not stored."""
    return re.search(rf"{re.escape(file_name)}\W[^\n]*\brow {row}\b", output) is not None


# --- small exports built here ---------------------------------------------------------------------

L8 = [
    "Child Unique ID",
    "Date Started to be Looked After",
    "Date Ceased to be Looked After",
    "Date of Latest Statutory Review",
    "Allocated Team",
    "Allocated Worker",
]


def l8_csv(path: Path, rows: list[str], encoding: str = "utf-8") -> Path:
    """A List 8 CSV (children in care; the review of each row is overdue in autumn 2026)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join([",".join(L8), *rows]) + "\n").encode(encoding))
    return path


def small_export(folder: Path) -> Path:
    return l8_csv(
        folder / "list8.csv",
        [
            "A,01/01/2020,,01/01/2026,Locality North,Sam Jones",
            "B,01/01/2020,,01/02/2026,Locality South,Ann Lee",
        ],
    )


# ==== Silent wrong answers (exit 0, wrong result, no word) =====================================


@issue("a CSV free-text field with a stray quote swallows the rows between into one field")
def test_a_stray_quote_in_a_free_text_field_does_not_swallow_rows(tmp_path):
    """`"Jo Smith` on one row and `Sam Lee"` twenty rows later: a quoted field would run across
    the twenty lines, and List 8 is read with 31 of its 51 rows. Choice (the contract names no
    quoting policy): the quotes are a person's typing, not CSV structure; every one of the 51
    rows is read (the names kept as typed), never 31 without a word."""
    rows = []
    for i in range(51):
        worker = {5: '"Jo Smith', 25: 'Sam Lee"'}.get(i, "Pat Doe")
        rows.append(f"C{i:03d},01/01/2020,,01/01/2026,Locality North,{worker}")
    export = l8_csv(tmp_path / "list8.csv", rows)
    out = tmp_path / "out"
    result = audit_run(export, out, "--no-history")
    plain(result)
    assert result.exit_code == 0, result.output
    assert list_rows(out)[8] == 51
    children = set(findings(out)["child_id"])
    assert {f"C{i:03d}" for i in range(51)} <= children  # every review is overdue: 51 children


@issue("FTE typed 0,5 in the workers table is read as 5")
def test_an_fte_with_a_decimal_comma_is_not_read_as_five(tmp_path):
    """Sam Jones holds 12 children; FTE `0,5` read as 5 gives 2.4 per FTE and no WF-01.
    Choice: a comma that is not a thousands separator (`0,5`) is not guessed: the FTE is
    reported as DQ-04 with its row and column (README: a value that cannot be read is
    never guessed). It must never become 5."""
    rows = [f"C{i:02d},01/01/2020,,01/01/2026,Locality North,Sam Jones" for i in range(12)]
    l8_csv(tmp_path / "export" / "list8.csv", rows)
    (tmp_path / "export" / "workers.csv").write_text(
        'Allocated Worker,Allocated Team,FTE,Role,Agency\nSam Jones,Locality North,"0,5",SW,N\n'
    )
    out = tmp_path / "out"
    result = audit_run(tmp_path / "export", out, "--no-history")
    plain(result)
    assert result.exit_code == 0, result.output
    dq = findings(out).query("rule_id == 'DQ-04'")
    fte = dq[dq["value"].str.contains("0,5", regex=False)]
    assert len(fte) == 1, dq.to_dict("records")
    assert "FTE" in fte["message"].iloc[0] and "row 2, column C" in fte["message"].iloc[0]


@issue("a CSV mixing UTF-8 and cp1252 becomes 'Childrenâ€™s Disability Team'")
def test_a_csv_mixing_utf8_and_cp1252_keeps_each_name_as_typed(tmp_path):
    """Most lines are UTF-8 (the curly apostrophe of Children’s), one worker's name was pasted
    from a cp1252 file (Zoë, byte 0xEB). Decoding the whole file as cp1252 makes every team
    `Childrenâ€™s Disability Team`, and a team workbook of that name."""
    team = "Children’s Disability Team"
    lines = [
        ",".join(L8).encode(),
        f"A,01/01/2020,,01/01/2026,{team},Sam Jones".encode(),
        f"B,01/01/2020,,01/02/2026,{team},Ann Lee".encode(),
        f"C,01/01/2020,,01/03/2026,{team},".encode() + "Zoë Hart".encode("cp1252"),
    ]
    export = tmp_path / "list8.csv"
    export.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "out"
    result = audit_run(export, out, "--no-history")
    plain(result)
    assert result.exit_code == 0, result.output
    assert set(findings(out)["team"]) == {team}
    assert (out / "teams" / f"{team}.xlsx").is_file()
    assert not [p.name for p in (out / "teams").iterdir() if "â€" in p.name]


def _careful_copy(source: Path, target: Path, *, mac_1904: bool) -> Path:
    """The sample workbook saved again (1900 or 1904 date system), each list sheet holding a
    formula saved without its result beside its title (so the careful reader reads it)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.load_workbook(source)
    if mac_1904:
        wb.epoch = CALENDAR_MAC_1904
    for ws in wb.worksheets:
        if re.match(r"list\s*_?\s*\d", ws.title, re.IGNORECASE):
            ws.cell(1, 60).value = "=TODAY()"
    wb.save(target)
    return target


@issue("a workbook in the 1904 date system read by the careful reader: dates four years early")
def test_a_1904_date_system_workbook_read_carefully_gives_the_same_findings(tmp_path):
    """Mac Excel's 1904 date system: serial 0 is 1 January 1904. The same month saved in each
    system must give the same findings (today: 37 against about 400, every date 4 years early)."""
    out_1900, out_1904 = tmp_path / "o1900", tmp_path / "o1904"
    r1900 = audit_run(
        _careful_copy(SAMPLE_WORKBOOK, tmp_path / "pc.xlsx", mac_1904=False), out_1900
    )
    r1904 = audit_run(
        _careful_copy(SAMPLE_WORKBOOK, tmp_path / "mac.xlsx", mac_1904=True), out_1904
    )
    plain(r1900)
    plain(r1904)
    assert r1900.exit_code == 0 and r1904.exit_code == 0, r1904.output
    mine = findings(out_1904)[["rule_id", "child_id", "due_date"]]
    theirs = findings(out_1900)[["rule_id", "child_id", "due_date"]]
    assert sorted(map(tuple, mine.to_numpy())) == sorted(map(tuple, theirs.to_numpy()))


# A child in care whose social work visits lapse (CLA-02): placed in 2024, not long-term foster.
VISITS = (
    "Child Unique ID,Date Started to be Looked After,Date Ceased to be Looked After,"
    "Start Date of Most Recent Placement,Date of Last Social Work Visit,Placement Type,"
    "Allocated Team,Allocated Worker\n"
)


def _visits_export(folder: Path, last_visit: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "list8.csv"
    path.write_text(VISITS + f"A,01/01/2020,,01/01/2024,{last_visit},U6,Locality North,Sam Jones\n")
    return path


@issue("'Disagree — recording is correct' made in October suppresses a new lapse in November")
def test_recording_is_correct_covers_the_lapse_it_was_made_on_not_the_record_for_ever(tmp_path):
    """October: last visit 01/08/2026, due 12/09, raised; the moderator finds the visit of
    01/09 recorded late: 'Disagree — recording is correct'. November: the export shows the visit
    of 01/09; the next was due 13/10 and has not happened: a new lapse of the same record, which
    DESIGN §3 (Carry-forward) says is a new finding. Today it is not raised."""
    db = tmp_path / "h.sqlite"
    october = audit_run(
        _visits_export(tmp_path / "in-oct", "01/08/2026"), tmp_path / "oct", "--db", db
    )
    assert october.exit_code == 0, october.output
    lapse = findings(tmp_path / "oct").query("rule_id == 'CLA-02'")
    assert lapse["due_date"].tolist() == ["2026-09-12"]
    typed = type_into(
        tmp_path / "oct" / "audit.xlsx",
        {"A": {"Moderator decision": "Disagree — recording is correct"}},
        target=tmp_path / "return.xlsx",
    )
    assert audit("moderate", typed, "--db", db).exit_code == 0
    november = audit_run(
        _visits_export(tmp_path / "in-nov", "01/09/2026"),
        tmp_path / "nov",
        "--db",
        db,
        as_at="2026-11-30",
    )
    plain(november)
    assert november.exit_code == 0, november.output
    raised = findings(tmp_path / "nov").query("rule_id == 'CLA-02' and child_id == 'A'")
    assert raised["due_date"].tolist() == ["2026-10-13"], november.output
    assert raised["days_overdue"].tolist() == ["48"]


@issue("a team with findings last month and none this month keeps last month's team workbook")
def test_the_team_workbooks_are_this_months_only(tmp_path):
    """October: A (North) and B (no team) have overdue reviews. November: B's review is held,
    so nobody without a team has a finding; `teams/No team.xlsx` 'as at 30/10' must not stand
    in November's set unmentioned (it was the tool's own, untouched: nothing typed is lost)."""
    db, out = tmp_path / "h.sqlite", tmp_path / "out"
    october = [
        "A,01/01/2020,,01/01/2026,Locality North,Sam Jones",
        "B,01/01/2020,,01/02/2026,,Ann Lee",
    ]
    november = [
        "A,01/01/2020,,01/01/2026,Locality North,Sam Jones",
        "B,01/01/2020,,20/11/2026,,Ann Lee",
    ]
    assert audit_run(l8_csv(tmp_path / "oct" / "l8.csv", october), out, "--db", db).exit_code == 0
    assert (out / "teams" / "No team.xlsx").is_file()
    result = audit_run(
        l8_csv(tmp_path / "nov" / "l8.csv", november), out, "--db", db, as_at="2026-11-30"
    )
    plain(result)
    assert result.exit_code == 0, result.output
    meant = {Path(p).name for p in summary(out)["team_workbooks"].values()}
    present = {p.name for p in (out / "teams").glob("*.xlsx")}
    assert present == meant == {"Locality North.xlsx"}


def _census(path: Path, plans: list[tuple[str, str, str]], closure: str = "") -> Path:
    """A CIN census with one child per CP plan: (child id, initial, latest category of abuse)."""
    children = []
    for child, initial, latest in plans:
        children.append(
            "<Child><ChildIdentifiers>"
            f"<LAchildID>{child}</LAchildID><PersonBirthDate>2015-06-01</PersonBirthDate>"
            "<Sex>2</Sex></ChildIdentifiers><ChildCharacteristics><Ethnicity>WBRI</Ethnicity>"
            "</ChildCharacteristics><CINdetails><CINreferralDate>2025-04-01</CINreferralDate>"
            "<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
            + closure
            + "<ChildProtectionPlans><CPPstartDate>2025-05-01</CPPstartDate>"
            f"<InitialCategoryOfAbuse>{initial}</InitialCategoryOfAbuse>"
            f"<LatestCategoryOfAbuse>{latest}</LatestCategoryOfAbuse>"
            "<NumberOfPreviousCPP>0</NumberOfPreviousCPP><Reviews>"
            "<CPPreviewDate>2025-07-20</CPPreviewDate><CPPreviewDate>2026-01-10</CPPreviewDate>"
            "</Reviews></ChildProtectionPlans></CINdetails></Child>"
        )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<Message><Header><CollectionDetails>'
        "<Collection>CIN</Collection><Year>2026</Year><ReferenceDate>2026-03-31</ReferenceDate>"
        "</CollectionDetails></Header>\n<Children>\n" + "\n".join(children) + "\n</Children>"
        "</Message>\n",
        encoding="utf-8",
    )
    return path


@issue("CIN census category-of-abuse codes as the DfE writes them (NEG, PHY ...) are DQ-04")
def test_cin_census_categories_of_abuse_in_the_dfe_code_list_are_read(tmp_path):
    """The CIN census code set writes the categories NEG, PHY, SAB, EMO and MUL; each is a valid
    Neglect, Physical, Sexual, Emotional abuse or Multiple, never an unreadable value."""
    census = _census(
        tmp_path / "cin.xml",
        [("1", "NEG", "PHY"), ("2", "SAB", "EMO"), ("3", "MUL", "NEG")],
    )
    result = audit("validate", census)
    out = plain(result)
    assert result.exit_code == 0, out
    assert "CategoryOfAbuse" not in out
    assert "Values that could not be read: 0" in out


def _ssda903(folder: Path) -> Path:
    """A small SSDA903 return: header, episodes, reviews, oc3 (one ethnicity out of the code
    list, so the header's being read shows in the findings)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
        "1001,1,01/05/2012,WBRI,,,\n1002,2,10/10/2021,WBRI,,,\n"
        "1003,1,03/03/2008,WBRI,,,\n1004,2,01/01/2019,ZZZZ,,,\n"
    )
    (folder / "episodes.csv").write_text(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n"
        "1001,01/06/2024,S,C2,N1,U4,PR1,,,,,,\n"
        "1002,15/09/2025,S,C1,N1,U6,PR1,,,,,,\n"
        "1003,01/02/2023,S,V2,N4,K2,PR4,01/08/2025,E8,,,,\n"
        "1004,10/10/2025,S,C2,N1,U6,PR1,,,,,,\n"
    )
    (folder / "reviews.csv").write_text(
        "CHILD,DOB,REVIEW,REVIEW_CODE\n1001,01/05/2012,20/06/2024,PN1\n"
        "1001,01/05/2012,10/10/2024,PN1\n1002,10/10/2021,01/10/2025,PN1\n"
    )
    (folder / "oc3.csv").write_text("CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n2001,01/01/2006,YES,F2,U1\n")
    return folder


def _finding_keys(out: Path) -> list[tuple]:
    frame = findings(out)[["rule_id", "child_id", "due_date", "value"]]
    return sorted(map(tuple, frame.to_numpy()))


@issue("SSDA903: a header.csv in UTF-16 is skipped as 'not an SSDA903 table'")
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_an_ssda903_table_in_utf16_is_recognised(tmp_path, encoding):
    """The same return with header.csv saved as UTF-16 (with a BOM, and without one) must give
    the same findings: recognised by its headings, whatever its encoding."""
    plain_903 = _ssda903(tmp_path / "utf8")
    assert audit_run(plain_903, tmp_path / "o8", "--no-history", as_at=None).exit_code == 0
    assert "ZZZZ" in set(findings(tmp_path / "o8")["value"])  # the header is read: DQ-04
    wide = _ssda903(tmp_path / "utf16")
    (wide / "header.csv").write_bytes((plain_903 / "header.csv").read_text().encode(encoding))
    result = audit_run(wide, tmp_path / "o16", "--no-history", as_at=None)
    plain(result)
    assert result.exit_code == 0, result.output
    assert not [s for s in summary(tmp_path / "o16")["sheets_not_lists"] if "header" in s]
    assert _finding_keys(tmp_path / "o16") == _finding_keys(tmp_path / "o8")


@issue("SSDA903: an episodes.csv missing one column is not recognised; List 8 silently absent")
@pytest.mark.parametrize("missing", ["REC", "PLACE"])
def test_an_ssda903_episodes_table_missing_a_column_is_read_and_the_column_named(tmp_path, missing):
    """Recognised by content, tolerant of a missing column: List 8 is read, the as-at date is
    still the 31 March the episodes give (not today), and the missing column is named."""
    folder = _ssda903(tmp_path / "903")
    episodes = pd.read_csv(folder / "episodes.csv", dtype=str, keep_default_na=False)
    episodes.drop(columns=[missing]).to_csv(folder / "episodes.csv", index=False)
    out = tmp_path / "out"
    result = audit_run(folder, out, "--no-history", as_at=None)
    text = plain(result)
    assert result.exit_code == 0, text
    assert 8 in list_rows(out) and list_rows(out)[8] == 4
    assert summary(out)["as_at"] == "2026-03-31"
    assert re.search(rf"\b{missing}\b", text), text


@issue("SSDA903: one DECOM typo in 2052 moves the default as-at date to 31/03/2053, unsaid")
def test_an_ssda903_start_date_far_ahead_does_not_silently_decide_the_as_at_date(tmp_path):
    """With no --as-at, the as-at date is the 31 March after the latest DECOM. A typo (2052 for
    2025) makes it 31/03/2053 without a word. Right: the run says which date decided it (the
    DECOM, its file and row) and refuses, or warns, as the date is beyond today."""
    folder = _ssda903(tmp_path / "903")
    with (folder / "episodes.csv").open("a") as fh:
        fh.write("1005,01/04/2052,S,C2,N1,U6,PR1,,,,,,\n")  # line 6
    result = audit_run(folder, tmp_path / "out", "--no-history", as_at=None)
    text = plain(result)
    assert "DECOM" in text and re.search(r"01/04/2052|2052-04-01", text), text
    assert "episodes.csv" in text and re.search(r"\b(row|line) 6\b", text), text
    assert result.exit_code == 1 or "warning" in text.lower(), text


@issue("an SSDA903 folder that also holds an Annex A workbook audits one, ignores the other")
def test_an_ssda903_folder_holding_an_annex_a_workbook_is_refused(tmp_path):
    """One run audits one export of one kind (DESIGN §1a): a folder of SSDA903 tables and an
    Annex A workbook is refused clearly, naming both, rather than silently auditing one."""
    folder = _ssda903(tmp_path / "903")
    shutil.copy(SAMPLE_WORKBOOK, folder / "annex_a_2026-10.xlsx")
    result = audit_run(folder, tmp_path / "out", "--no-history", as_at=None)
    text = plain(result)
    assert result.exit_code == 1, text
    assert "annex_a_2026-10.xlsx" in text and "SSDA903" in text
    assert not (tmp_path / "out").exists()


# ==== Typed work lost (exit 0, nothing stored, nothing listed) ================================

REVIEW_ROWS = [
    "A,01/01/2020,,01/01/2026,North,W1",
    "B,01/01/2020,,01/02/2026,North,W1",
    "C,01/01/2020,,01/03/2026,South,W2",
]


@pytest.fixture
def october(tmp_path) -> tuple[Path, Path]:
    """(October's audit.xlsx, the history store): three children, each with a finding."""
    db, out = tmp_path / "h.sqlite", tmp_path / "oct"
    result = audit_run(l8_csv(tmp_path / "in-oct" / "l8.csv", REVIEW_ROWS), out, "--db", db)
    assert result.exit_code == 0, result.output
    return out / "audit.xlsx", db


def _row_of(workbook: Path, child: str) -> int:
    return next(r["_row"] for r in read_findings(workbook) if r["Child ID"] == child)


def test_an_action_due_typed_as_a_formula_without_its_result_is_listed(tmp_path, october):
    """`=TODAY()+14` saved by a program that keeps no results (openpyxl does exactly that): the
    cell holds no value to store, so the entry is listed with its file and row, never dropped."""
    workbook, db = october
    typed = type_into(
        workbook,
        {"A": {"Action owner": "TM North", "Action due": "=TODAY()+14"}},
        target=tmp_path / "return.xlsx",
    )
    result = audit("moderate", typed, "--db", db)
    text = plain(result)
    assert result.exit_code == 1, text
    assert listed(text, "return.xlsx", _row_of(workbook, "A")), text
    assert "Action due" in text


@issue("a manager's correction of the Worker (an export column) is neither stored nor listed")
def test_typing_over_an_export_column_is_listed(tmp_path, october):
    """DESIGN §3: typing over an export column is listed with its file and row, as typing in an
    added column is (the export itself must be corrected in the case system)."""
    workbook, db = october
    typed = type_into(workbook, {"B": {"Worker": "Ann Lee"}}, target=tmp_path / "return.xlsx")
    result = audit("moderate", typed, "--db", db)
    text = plain(result)
    assert result.exit_code == 1, text
    assert listed(text, "return.xlsx", _row_of(workbook, "B")), text
    assert "Ann Lee" in text and "Worker" in text


@issue("a reviewer column duplicated in the return (two 'Manager response' columns) is lost")
def test_a_duplicated_reviewer_column_is_not_lost(tmp_path, october):
    """A second `Manager response` column (a copied column) with a response typed in it: stored,
    or listed with its file and row (DESIGN §3 lists it); never dropped without a word."""
    workbook, db = october
    path = tmp_path / "return.xlsx"
    shutil.copy(workbook, path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    head, _ = findings_table(ws)
    extra = ws.max_column + 1
    ws.cell(head, extra).value = "Manager response"
    row = _row_of(workbook, "C")
    ws.cell(row, extra).value = "Visit booked for 4 November"
    wb.save(path)
    result = audit("moderate", path, "--db", db)
    text = plain(result)
    assert "Visit booked for 4 November" in store_text(db) or listed(text, "return.xlsx", row), text


@issue("entries typed on the Overdue actions sheet, which invites them, are never read")
def test_entries_typed_on_the_overdue_actions_sheet_are_read(tmp_path, october):
    """November's team workbook lists C's action as overdue on its Overdue actions sheet, with
    Action owner and Action due columns; the manager types a new owner and due date there. They
    are stored, or listed with file and row; never read by nobody."""
    workbook, db = october
    typed = type_into(
        workbook,
        {"C": {"Action owner": "TM South", "Action due": dt.datetime(2026, 11, 20)}},
        target=tmp_path / "oct-return.xlsx",
    )
    assert audit("moderate", typed, "--db", db).exit_code == 0
    nov = tmp_path / "nov"
    result = audit_run(
        l8_csv(tmp_path / "in-nov" / "l8.csv", REVIEW_ROWS), nov, "--db", db, as_at="2026-11-30"
    )
    assert result.exit_code == 0, result.output
    team = tmp_path / "South-return.xlsx"
    shutil.copy(nov / "teams" / "South.xlsx", team)
    wb = openpyxl.load_workbook(team)
    ws = wb["Overdue actions"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if "Action owner" in r)
    heading = {h: i + 1 for i, h in enumerate(rows[head]) if h}
    row = next(
        i + 1 for i, r in enumerate(rows) if i > head and r[heading["Child ID"] - 1] == "C"
    )  # the precondition: C's action is listed as overdue
    ws.cell(row, heading["Action owner"]).value = "Deputy TM South"
    ws.cell(row, heading["Action due"]).value = dt.datetime(2026, 12, 11)
    wb.save(team)
    result = audit("moderate", team, "--db", db)
    text = plain(result)
    assert "Deputy TM South" in store_text(db) or listed(text, team.name, row), text


@pytest.fixture(scope="module")
def practice_base(tmp_path_factory) -> tuple[Path, Path]:
    """(a practice-audit workbook for October as `audit sample` writes it, its store)."""
    base = tmp_path_factory.mktemp("practice")
    db = base / "h.sqlite"
    ran = audit_run(SAMPLE, base / "oct", "--db", db)
    assert ran.exit_code == 0, ran.output
    chosen = audit(
        "sample", SAMPLE, "--as-at", "2026-10-30", "--out", base / "p", "--db", db, "--per-team", 1
    )
    assert chosen.exit_code == 0, chosen.output
    return base / "p" / "practice_audit_2026-10.xlsx", db


@pytest.fixture
def practice(tmp_path, practice_base) -> tuple[Path, Path]:
    workbook, db = practice_base
    shutil.copy(db, tmp_path / "h.sqlite")
    shutil.copy(workbook, tmp_path / workbook.name)
    return tmp_path / workbook.name, tmp_path / "h.sqlite"


def fill_practice(path: Path, typed: dict[int, dict[str, object]]) -> list[int]:
    """Type {Excel row: {heading: value}} into the Practice audit sheet; returns the case rows."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Practice audit"]
    heading = {c.value: c.column for c in ws[1]}
    cases = [r for r in range(2, ws.max_row + 1) if ws.cell(r, heading["Child ID"]).value]
    for r, values in typed.items():
        for name, value in values.items():
            ws.cell(r, heading[name]).value = value
    wb.save(path)
    return cases


@issue("a practice audit's question answers and the auditor's and moderator's comments are lost")
def test_practice_audit_answers_and_comments_are_stored(practice):
    """DESIGN §3a: `audit moderate` stores every answer, comment, grade and flag typed. Today
    only the grades are stored: an auditor's afternoon of answers and comments is lost."""
    workbook, db = practice
    fill_practice(
        workbook,
        {
            2: {
                "Auditor": "Ann Auditor",
                "Chronology up to date": "Partly",
                "Plan SMART": "No",
                "Auditor grade": "Requires improvement to be good",
                "Auditor comments": "Chronology stops in March; no contingency plan",
                "Moderator grade": "Requires improvement to be good",
                "Moderator comments": "Agree: the plan has no timescales",
            }
        },
    )
    result = audit("moderate", workbook, "--db", db)
    plain(result)
    assert result.exit_code == 0, result.output
    held = store_text(db)
    assert "Chronology stops in March; no contingency plan" in held
    assert "Agree: the plan has no timescales" in held
    assert "Partly" in held


@issue("practice grades typed as numbers: a 'defect' message")
def test_practice_grades_typed_as_numbers_are_listed_with_their_rows(practice):
    """A grade column typed 1-4 (Ofsted's order) instead of the dropdown's words: each value
    outside the dropdown is listed with its row (DESIGN §3a), never a crash."""
    workbook, db = practice
    cases = fill_practice(workbook, {})
    fill_practice(workbook, {r: {"Auditor grade": 2, "Auditor": "Ann"} for r in cases})
    result = audit("moderate", workbook, "--db", db)
    text = plain(result)
    assert result.exit_code == 1, text
    for r in cases:
        assert re.search(rf"\brow {r}\b", text), text


@issue("an escalate flag typed TRUE: a 'defect' message")
def test_an_escalate_flag_typed_true_is_not_a_crash_and_not_lost(practice):
    """'Unsafe — escalate now' typed TRUE (a boolean cell) on every case. Choice: TRUE is read as
    Yes, so every case is listed as an escalation with its row (a child someone thinks unsafe is
    never dropped); listing each value as outside the dropdown, with its row, would also do."""
    workbook, db = practice
    cases = fill_practice(workbook, {})
    fill_practice(
        workbook,
        {r: {"Unsafe — escalate now": True, "Auditor grade": "Inadequate"} for r in cases},
    )
    result = audit("moderate", workbook, "--db", db)
    text = plain(result)
    for r in cases:
        assert re.search(rf"\brow {r}\b", text), text


# ==== "Defect" messages for what is not ours (exit 1, one paragraph naming the cause) =========


def _absent_driver() -> tuple[str, str]:
    """A SQLAlchemy URL whose database driver is not installed here, and the driver's module."""
    for url, module in (
        ("postgresql+pg8000://qa:secret@localhost/casefile", "pg8000"),
        ("mssql+pyodbc://qa:secret@casefile-dsn", "pyodbc"),
        ("oracle+oracledb://qa:secret@localhost/casefile", "oracledb"),
    ):
        if importlib.util.find_spec(module) is None:
            return url, module
    pytest.skip("every candidate database driver is installed here")


@issue("a database URL whose driver is not installed (ModuleNotFoundError): a 'defect' message")
@pytest.mark.parametrize("command", ["run", "moderate", "board", "sample"])
def test_a_database_url_whose_driver_is_not_installed_is_named(tmp_path, command):
    url, module = _absent_driver()
    export = small_export(tmp_path / "export")
    workbook = tmp_path / "return.xlsx"
    openpyxl.Workbook().save(workbook)
    args = {
        "run": ["run", export, "--as-at", "2026-10-30", "--out", tmp_path / "out"],
        "moderate": ["moderate", workbook],
        "board": ["board", "--out", tmp_path / "board"],
        "sample": ["sample", export, "--as-at", "2026-10-30", "--out", tmp_path / "p"],
    }[command]
    result = audit(*args, "--db", url)
    text = plain(result)
    assert result.exit_code == 1, text
    assert module in text and "secret" not in text, text


@issue("--as-at far in the future (beyond pandas' Timestamp range): a 'defect' message")
def test_an_as_at_date_far_in_the_future_is_refused_clearly(tmp_path):
    """9999-12-31 is a date, but no audit date: refused naming --as-at (exit 1 as the issue asks,
    or 2 as DESIGN §4 gives a usage error), never a defect."""
    result = audit_run(small_export(tmp_path / "export"), tmp_path / "out", as_at="9999-12-31")
    text = plain(result)
    assert result.exit_code in (1, 2), text
    assert "--as-at" in text or "9999" in text
    assert not (tmp_path / "out").exists()


CONFIG = '# Renames agreed with Fiona Brú, Head of Service\n[team_renames]\n"Locality North" = "Nörth Locality"\n'


@issue("a config file in cp1252 or UTF-16: a 'defect' message")
@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_a_config_file_saved_by_notepad_is_read(tmp_path, encoding):
    """Windows Notepad saves 'ANSI' (cp1252) or 'Unicode' (UTF-16 with a BOM). Choice: the config
    is read like the CSV files are (one decoder), so the rename takes effect with its accent."""
    config = tmp_path / "audit.toml"
    config.write_bytes(CONFIG.encode(encoding))
    out = tmp_path / "out"
    result = audit_run(small_export(tmp_path / "export"), out, "--no-history", "--config", config)
    plain(result)
    assert result.exit_code == 0, result.output
    assert "Nörth Locality" in set(findings(out)["team"])


@issue("'nan' as an indicator target reaches the workbook writer: a 'defect' message")
def test_nan_as_an_indicator_target_is_refused_naming_the_setting(tmp_path):
    config = tmp_path / "audit.toml"
    config.write_text("[indicators.IND-ASM-45]\ntarget = nan\n")
    out = tmp_path / "out"
    result = audit_run(small_export(tmp_path / "export"), out, "--no-history", "--config", config)
    text = plain(result)
    assert result.exit_code == 1, text
    assert "audit.toml" in text and "IND-ASM-45" in text and "target" in text
    assert not out.exists()


@issue("a symbolic-link loop in the export folder: a 'defect' message")
def test_a_symbolic_link_loop_beside_the_export_is_not_followed(tmp_path):
    """A loop (`loop.csv` -> itself, `a.csv` <-> `b.csv`) beside a real list. The contract is open
    between two outcomes, both named: the loops are listed as not read and the audit runs (as
    links out of the folder are, README), or the run stops naming them (exit 1)."""
    folder = tmp_path / "export"
    small_export(folder)
    (folder / "loop.csv").symlink_to("loop.csv")
    (folder / "a.csv").symlink_to("b.csv")
    (folder / "b.csv").symlink_to("a.csv")
    out = tmp_path / "out"
    result = audit_run(folder, out, "--no-history")
    text = plain(result)
    if result.exit_code == 0:
        said = text + json.dumps(summary(out))
        assert "loop.csv" in said and "a.csv" in said, said
    else:
        assert result.exit_code == 1 and "loop.csv" in text, text


@issue("a symbolic-link loop in the export folder: a 'defect' message")
def test_a_folder_holding_only_a_symbolic_link_loop_is_refused_naming_it(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "list8.csv").symlink_to("list8.csv")
    result = audit_run(folder, tmp_path / "out", "--no-history")
    text = plain(result)
    assert result.exit_code == 1, text
    assert "list8.csv" in text


# ==== Tracebacks ===============================================================================


@issue("`audit example --out` under a path that is a file: a traceback")
@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_example_out_naming_a_file_is_a_clear_message(tmp_path, where):
    """Run as a person runs it (the installed `audit` command), so a traceback would show."""
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" if where == "a file" else tmp_path / "notes.txt" / "example"
    command = Path(sys.executable).with_name("audit")
    done = subprocess.run(
        [str(command), "example", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert "Traceback" not in text and "defect in casefile-audit" not in text, text
    assert "notes.txt" in text
    assert (tmp_path / "notes.txt").read_text() == "mine"


# ==== Further inputs of the same classes, found while diagnosing the issue's cases ============


@issue("further (one CSV reader policy for decimals): FTE '0,5' typed in a workbook sheet")
def test_further_an_fte_typed_with_a_decimal_comma_in_the_workbook_is_not_read_as_five(tmp_path):
    """The same parse serves workbooks: the sample's Workers sheet with one FTE typed as the text
    `0,5` (Excel keeps what it cannot read as a number as text)."""
    path = tmp_path / "annex_a.xlsx"
    wb = openpyxl.load_workbook(SAMPLE_WORKBOOK)
    ws = wb["Workers"]
    ws.cell(2, 3).value = "0,5"
    worker = ws.cell(2, 1).value
    wb.save(path)
    out = tmp_path / "out"
    result = audit_run(path, out, "--no-history")
    plain(result)
    assert result.exit_code == 0, result.output
    dq = findings(out).query("rule_id == 'DQ-04'")
    assert dq["value"].str.contains("0,5", regex=False).sum() == 1, worker


@issue("further (one config reader for encodings): a UTF-8 config with a BOM is 'not valid TOML'")
def test_further_a_utf8_config_with_a_byte_order_mark_is_read(tmp_path):
    """Notepad's 'UTF-8 with BOM': today refused as invalid TOML at line 1, column 1."""
    config = tmp_path / "audit.toml"
    config.write_bytes(CONFIG.encode("utf-8-sig"))
    out = tmp_path / "out"
    result = audit_run(small_export(tmp_path / "export"), out, "--no-history", "--config", config)
    plain(result)
    assert result.exit_code == 0, result.output
    assert "Nörth Locality" in set(findings(out)["team"])


@issue("further (config numbers): an infinite caseload target reaches the workbook writer")
def test_further_an_infinite_indicator_target_is_refused_naming_the_setting(tmp_path):
    """IND-CASELOAD is per FTE, so the percentage cap (at most 100) does not stop `inf`."""
    config = tmp_path / "audit.toml"
    config.write_text("[indicators.IND-CASELOAD]\ntarget = inf\n")
    result = audit_run(
        small_export(tmp_path / "export"), tmp_path / "out", "--no-history", "--config", config
    )
    text = plain(result)
    assert result.exit_code == 1, text
    assert "IND-CASELOAD" in text and "target" in text


@issue("further (one error type for environment problems): a --db URL with a malformed port")
def test_further_a_database_url_with_a_malformed_port_is_named(tmp_path):
    result = audit("board", "--out", tmp_path / "b", "--db", "postgresql://qa:secret@db:port/x")
    text = plain(result)
    assert result.exit_code == 1, text
    assert "--db" in text and "secret" not in text


@issue("further (DfE code lists as aliases): CIN census ReasonForClosure RC9 is DQ-04")
def test_further_cin_census_reason_for_closure_rc9_is_read(tmp_path):
    """RC9 (case closed after assessment, referred to early help) is in the DfE's CIN census
    code set (the D2I validator's rule 8640 accepts RC1-RC9)."""
    closure = "<CINclosureDate>2026-02-01</CINclosureDate><ReasonForClosure>RC9</ReasonForClosure>"
    census = _census(tmp_path / "cin.xml", [("1", "Neglect", "Neglect")], closure=closure)
    result = audit("validate", census)
    text = plain(result)
    assert result.exit_code == 0, text
    assert "ReasonForClosure" not in text and "Values that could not be read: 0" in text


@issue("further (DfE code lists as aliases): SSDA903 codes of the DfE's own lists are DQ-04")
@pytest.mark.parametrize(
    ("table", "column", "code"),
    [
        ("episodes", "REC", "E17"),  # aged 18, stayed with carers (staying put): D2I rule 149
        ("episodes", "PLACE", "K3"),  # 2024-25 placement code (D2I rule 146)
        ("episodes", "PLACE", "Z11"),  # 2025-26 placement codes Z11-Z14 (D2I rule 146)
        ("oc3", "ACTIV", "F4"),  # OC3 activity codes F1 P1 F2 P2 F4 P4 F5 P5 G4-G6 0 (rule 132)
        ("oc3", "ACTIV", "0"),  # no activity: the young person has died or returned home
        ("oc3", "ACCOM", "0"),  # no accommodation, likewise (D2I rules 344, 345)
    ],
)
def test_further_ssda903_codes_in_the_dfe_code_lists_are_read(tmp_path, table, column, code):
    folder = _ssda903(tmp_path / "903")
    frame = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    if table == "episodes":
        at = frame.index[frame["CHILD"] == "1003"][0]  # the ceased episode (E8)
        frame.loc[at, column] = code
    else:
        frame.loc[0, column] = code
    frame.to_csv(folder / f"{table}.csv", index=False)
    result = audit("validate", folder)
    text = plain(result)
    assert result.exit_code == 0, text
    assert f"'{code}'" not in text, text


@issue("further (one input validator for flags): one escalate flag TRUE among 'No's is dropped")
def test_further_one_escalate_flag_typed_true_among_words_is_not_dropped(practice):
    """A column of 'No' with one TRUE: the boolean is not text, so it is neither Yes nor listed;
    the only child someone thought unsafe is silently not escalated."""
    workbook, db = practice
    cases = fill_practice(workbook, {})
    typed = {r: {"Unsafe — escalate now": "No", "Auditor grade": "Good"} for r in cases}
    typed[cases[0]]["Unsafe — escalate now"] = True
    fill_practice(workbook, typed)
    result = audit("moderate", workbook, "--db", db)
    text = plain(result)
    assert re.search(rf"\brow {cases[0]}\b", text), text


@issue("further (one export of one kind): a CIN census beside an Annex A workbook is ignored")
def test_further_a_folder_holding_a_cin_census_and_an_annex_a_workbook_is_refused(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    _census(folder / "cin_census.xml", [("1", "Neglect", "Neglect")])
    shutil.copy(SAMPLE_WORKBOOK, folder / "annex_a_2026-10.xlsx")
    result = audit_run(folder, tmp_path / "out", "--no-history")
    text = plain(result)
    assert result.exit_code == 1, text
    assert "cin_census.xml" in text and "annex_a_2026-10.xlsx" in text


@issue("further (content recognition of 903 tables): header values reported against episodes.csv")
def test_further_an_unreadable_ssda903_header_value_names_the_header_file_and_line(tmp_path):
    """Child 1004's ETHNIC `ZZZZ` is on line 5 of header.csv; the DQ-04 names episodes.csv."""
    folder = _ssda903(tmp_path / "903")
    with (folder / "episodes.csv").open("a") as fh:  # 1004's List 8 row is now line 6
        fh.write("1004,11/11/2025,P,C2,N1,U6,PR1,,,,,,\n")
    result = audit("validate", folder)
    text = plain(result)
    line = next(s for s in text.splitlines() if "'ZZZZ'" in s)
    assert line.strip().startswith("header.csv, row 5,"), line


@issue("further (one date-system switch for every reader): plain serial numbers, 1904 system")
def test_further_plain_serial_dates_in_a_1904_workbook_are_read_in_its_date_system(tmp_path):
    """Dates kept as plain serial numbers (cells formatted General) are serials of the workbook's
    own date system: 46023 in a 1900 workbook and 44561 in a 1904 one are both 01/01/2026. The
    fast reader's numbers go through the loader's serial conversion, which assumes 1900."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    outs = []
    for mac, (started, review) in ((False, (43831, 46023)), (True, (42369, 44561))):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "List_8"
        if mac:
            wb.epoch = CALENDAR_MAC_1904
        ws.append(L8)
        ws.append(["A", started, None, review, "Locality North", "Sam Jones"])
        path = tmp_path / ("mac.xlsx" if mac else "pc.xlsx")
        wb.save(path)
        out = tmp_path / path.stem
        result = audit_run(path, out, "--no-history")
        plain(result)
        assert result.exit_code == 0, result.output
        outs.append(findings(out)[["rule_id", "child_id", "due_date", "value"]])
    assert outs[0]["due_date"].tolist() == ["2026-07-01"]  # 01/01/2026 + 6 months
    assert sorted(map(tuple, outs[1].to_numpy())) == sorted(map(tuple, outs[0].to_numpy()))


@issue("further (one CSV reader policy for quotes): a stray quote in the Team column")
def test_further_a_stray_quote_in_the_team_column_does_not_swallow_rows(tmp_path):
    """`"North` on line 5 and `South"` on line 8: 10 rows read as 7, one 'team' three lines long."""
    rows = []
    for i in range(10):
        team = {3: '"North', 6: 'South"'}.get(i, "North")
        rows.append(f"C{i},01/01/2020,,01/01/2026,{team},Pat Doe")
    out = tmp_path / "out"
    result = audit_run(l8_csv(tmp_path / "list8.csv", rows), out, "--no-history")
    plain(result)
    assert result.exit_code == 0, result.output
    assert list_rows(out)[8] == 10
    assert not findings(out)["team"].str.contains("\n").any()


@issue("further (one CSV reader policy for quotes): a quote never closed is 'more values'")
def test_further_a_quote_never_closed_is_read_not_called_a_row_with_more_values(tmp_path):
    """`"Jo Smith` and no closing quote before the end of the file: today refused as 'a row has
    more values than there are column headings', which it has not. As for the stray quote
    above, the rows are all read (the name kept as typed)."""
    workers = ['"Jo Smith' if i == 5 else "Pat" for i in range(10)]
    rows = [f"C{i},01/01/2020,,01/01/2026,North,{w}" for i, w in enumerate(workers)]
    out = tmp_path / "out"
    result = audit_run(l8_csv(tmp_path / "list8.csv", rows), out, "--no-history")
    text = plain(result)
    assert "more values than there are column headings" not in text
    assert result.exit_code == 0, text
    assert list_rows(out)[8] == 10


@issue("further (one CSV reader policy for decimals): FTE 0,5 in a semicolon-separated CSV")
def test_further_an_fte_with_a_decimal_comma_in_a_semicolon_csv_is_never_five(tmp_path):
    """European Excel saves CSV with `;` between values and `,` for decimals: `0,5` is that file's
    way of writing a half. Read as 0.5 (Sam Jones's 12 children are 24 per FTE: WF-01) or
    reported as DQ-04, both are stated outcomes; 5 (2.4 per FTE, nothing said) is not."""
    folder = tmp_path / "export"
    folder.mkdir()
    heading = ";".join(L8)
    rows = [f"C{i:02d};01/01/2020;;01/01/2026;North;Sam Jones" for i in range(12)]
    (folder / "list8.csv").write_text("\n".join([heading, *rows]) + "\n")
    (folder / "workers.csv").write_text(
        "Allocated Worker;Allocated Team;FTE;Role;Agency\nSam Jones;North;0,5;SW;N\n"
    )
    out = tmp_path / "out"
    result = audit_run(folder, out, "--no-history")
    plain(result)
    assert result.exit_code == 0, result.output
    found = findings(out)
    wf = found.query("rule_id == 'WF-01'")
    dq = found.query("rule_id == 'DQ-04'")
    assert (
        wf["message"].str.contains("24", regex=False).any()
        or dq["value"].str.contains("0,5", regex=False).any()
    ), found.to_dict("records")


@issue("further (tracebacks): `audit example --as-at` beyond Python's dates")
def test_further_example_with_an_as_at_date_at_the_end_of_time_is_not_a_traceback(tmp_path):
    command = Path(sys.executable).with_name("audit")
    done = subprocess.run(
        [str(command), "example", "--out", str(tmp_path / "ex"), "--as-at", "9999-12-31"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    text = done.stdout + done.stderr
    assert done.returncode in (1, 2), text
    assert "Traceback" not in text and "defect in casefile-audit" not in text, text
    assert "--as-at" in text or "9999" in text


@issue("further (one place decides what a decision covers): the pre-fill of a new lapse")
def test_further_a_new_lapse_is_not_prefilled_with_the_decision_on_the_old_one(tmp_path):
    """Once November's new lapse is raised (the case above), its row must not come pre-filled
    with October's 'Disagree — recording is correct': that decision was about another lapse."""
    db = tmp_path / "h.sqlite"
    first = audit_run(
        _visits_export(tmp_path / "in-oct", "01/08/2026"), tmp_path / "oct", "--db", db
    )
    assert first.exit_code == 0, first.output
    typed = type_into(
        tmp_path / "oct" / "audit.xlsx",
        {"A": {"Moderator decision": "Disagree — recording is correct"}},
        target=tmp_path / "return.xlsx",
    )
    assert audit("moderate", typed, "--db", db).exit_code == 0
    result = audit_run(
        _visits_export(tmp_path / "in-nov", "01/09/2026"),
        tmp_path / "nov",
        "--db",
        db,
        as_at="2026-11-30",
    )
    plain(result)
    rows = [
        r
        for r in read_findings(tmp_path / "nov" / "audit.xlsx")
        if r["Child ID"] == "A" and r["Rule"] == "CLA-02"
    ]
    assert len(rows) == 1, rows
    assert rows[0]["Moderator decision"] in (None, "")


@issue("further (typed work lost): a note typed on a sheet that is not read back")
def test_further_typing_on_a_sheet_that_is_not_read_back_is_listed(tmp_path, october):
    """DESIGN §3 lists typing 'on a sheet that is not read back' among entries that are listed
    with their file and row: a manager's note under the Data quality sheet's table."""
    workbook, db = october
    path = tmp_path / "return.xlsx"
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Data quality"]
    row = ws.max_row + 2
    ws.cell(row, 1).value = "B's worker is Ann Lee; case system corrected 03/11"
    wb.save(path)
    result = audit("moderate", path, "--db", db)
    text = plain(result)
    assert result.exit_code == 1, text
    assert listed(text, "return.xlsx", row) and "Data quality" in text, text
