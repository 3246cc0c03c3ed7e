"""The workbooks, opened as a team manager's Excel would read them (openpyxl, values and styles)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import openpyxl
import pandas as pd
import pytest

from audits.core.config import Config
from audits.engine.run import run_rules
from audits.ingest.export import UNREADABLE_COLUMNS
from audits.output.findings_sheet import HEADING_ROW, HEADINGS
from audits.output.team_workbooks import safe_file_name, team_file_names
from audits.output.workbook import MODERATOR_DECISIONS, REVIEWER_COLUMNS
from audits.output.written import RECORD
from audits.pipeline.audit import AuditRun, build_summary
from audits.pipeline.outputs import write_outputs
from tests.conftest import make_ctx

AS_AT = "2026-11-23"  # a Monday; returns due 10 working days later: Monday 07/12/2026


def cla(child: str, team: str, review: str, **extra) -> dict:
    row = {
        "child_id": child,
        "team": team,
        "worker": "W",
        "cla_start": "2020-01-01",
        "ceased": None,
        "latest_review": review,
    }
    return {**row, **extra}


LISTS = {
    8: [
        cla("A1", "Team A", "2026-11-01"),
        cla("A2", "Team A", "2026-01-01"),  # review due 01/07/2026: Error
        cla("B1", "Team B", "2026-11-01"),
        cla("B2", "Team B", "2026-11-01", ceased="2026-06-01"),  # closed: out of scope
        cla("B3", "Team B", "2026-10-01"),
        cla("B4", "Team B", "2030-01-01"),  # a review in the future: data quality (Team B)
        cla("N1", "", "2026-01-01"),  # no team: teams/No team.xlsx
    ],
    9: [
        {
            "child_id": "L1",
            "team": "Leaving Care",
            "accommodation_suitability": "Unsuitable",
            "in_touch": "No",
        },
        {
            "child_id": "L2",
            "team": "Leaving Care",
            "accommodation_suitability": "Suitable",
            "in_touch": "No",
        },
    ],
}


def unreadable_rows() -> pd.DataFrame:
    """Two values the loader could not read, one in Team A's records, one in Team B's."""
    head = ("8", "test.xlsx", "List_8")
    rows = [
        (*head, 3, "B", "Gender", "gender", "A1", "Team A", "W", "Boy", "one of: M, F"),
        (
            *head,
            7,
            "P",
            "Date of Last IRO Visit / Contact to the Child",
            "last_iro_contact",
            "B4",
            "Team B",
            "W",
            "31/02/2026",
            "a date",
        ),
    ]
    return pd.DataFrame(rows, columns=UNREADABLE_COLUMNS)


def make_run(config: Config | None = None) -> AuditRun:
    ctx = make_ctx(LISTS, AS_AT, config or Config())
    ctx.export.unreadable = unreadable_rows()
    result = run_rules(ctx)
    return AuditRun(ctx, result, build_summary(ctx, result))


@pytest.fixture
def small_run(tmp_path):
    run = make_run(Config(workbook_rows_per_rule=1))
    path = write_outputs(run, tmp_path)
    return run, path


def dimension(ws, letter: str):
    """The column's <col> record (XlsxWriter joins equal neighbours into one range)."""
    index = openpyxl.utils.column_index_from_string(letter)
    return next(d for d in ws.column_dimensions.values() if d.min <= index <= d.max)


def heading_row(ws) -> list:
    return [c.value for c in ws[HEADING_ROW]]


def table(ws) -> pd.DataFrame:
    rows = list(ws.iter_rows(min_row=HEADING_ROW, values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def all_text(wb) -> str:
    return "\n".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    )


def test_scores_equal_a_hand_computation(small_run, tmp_path):
    summary = json.loads((tmp_path / "summary.json").read_text())
    by_area = {s["area"]: s for s in summary["scores"]["by_area"]}
    # Children in care: A1, A2, B1, B3, B4, N1 open; A2 and N1 have an Error -> 4/6 = 66.7, red
    assert by_area["Children in care"]["children_in_scope"] == 6
    assert by_area["Children in care"]["score"] == pytest.approx(66.7, abs=0.05)
    # Care leavers: L1 unsuitable accommodation (CL-05 Error) -> 1/2 = 50.0, red
    assert (by_area["Care leavers"]["score"], by_area["Care leavers"]["rag"]) == (50.0, "Red")
    by_team = {(s["area"], s["team"]): s["score"] for s in summary["scores"]["by_team"]}
    assert by_team[("Children in care", "Team A")] == 50.0


def test_audit_workbook_sheets_and_findings_table(small_run):
    run, path = small_run
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Summary", "Guide", "Findings", "Data quality", "Rules"]
    ws = wb["Findings"]
    header = heading_row(ws)
    assert header == list(HEADINGS)
    for name in ("Finding ID", "Rule", "Team", *REVIEWER_COLUMNS):
        assert name in header
    assert header[:2] == ["Child ID", "Finding"] and header[-1] == "Finding ID"
    assert header[2 : 2 + len(REVIEWER_COLUMNS)] == list(REVIEWER_COLUMNS)  # on the first screen
    assert header.index("Entered") == header.index("Action overdue") + 1
    assert ws.freeze_panes == f"C{HEADING_ROW + 1}"  # the child and the finding stay in view
    last = openpyxl.utils.get_column_letter(len(header))
    assert ws.auto_filter.ref == f"A{HEADING_ROW}:{last}{ws.max_row}"
    assert ws.protection.sheet and not ws.protection.autoFilter


def test_findings_header_says_what_to_do_by_when(small_run):
    _, path = small_run
    ws = openpyxl.load_workbook(path)["Findings"]
    lines = " ".join(str(ws.cell(r, 1).value) for r in range(1, HEADING_ROW))
    assert "Respond by 07/12/2026 (10 working days after the as-at date)" in lines
    for decision in MODERATOR_DECISIONS:
        assert decision in lines
    assert "amber 1-28" in lines and "red over 28" in lines and "headed in green" in lines


def test_respond_by_is_configurable_and_skips_bank_holidays(tmp_path):
    # 23/12/2026 + 3 working days: 24/12, (25, 26 weekend-free? 25 Christmas, 28 Boxing Day
    # substitute), 29/12 -> the third is 30/12/2026
    ctx = make_ctx(LISTS, "2026-12-23", Config(respond_working_days=3))
    result = run_rules(ctx)
    path = write_outputs(AuditRun(ctx, result, build_summary(ctx, result)), tmp_path)
    ws = openpyxl.load_workbook(path)["Findings"]
    assert "Respond by 30/12/2026 (3 working days" in ws["A1"].value


def test_reviewer_cells_input_messages_dropdown_and_date_check(small_run):
    _, path = small_run
    ws = openpyxl.load_workbook(path)["Findings"]
    header = heading_row(ws)
    letter = {h: openpyxl.utils.get_column_letter(header.index(h) + 1) for h in header}
    by_column = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv
        for dv in ws.data_validations.dataValidation
    }
    for heading in REVIEWER_COLUMNS:
        dv = by_column[letter[heading]]
        assert dv.showInputMessage and dv.promptTitle == heading and len(dv.prompt) > 20
        assert str(dv.sqref) == f"{letter[heading]}{HEADING_ROW + 1}:{letter[heading]}{ws.max_row}"
    decision = by_column[letter["Moderator decision"]]
    assert decision.type == "list"
    assert decision.formula1.strip('"').split(",") == list(MODERATOR_DECISIONS)
    assert by_column[letter["Action due"]].type == "date"
    for heading in REVIEWER_COLUMNS:  # green, unlocked; the rest locked
        assert dimension(ws, letter[heading]).protection.locked is False
    for heading in ("Rule", "Finding", "Child ID", "Finding ID", "Entered"):
        protection = dimension(ws, letter[heading]).protection
        assert protection is None or protection.locked


def test_widths_fit_the_content_with_wrapping(small_run):
    run, path = small_run
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    header = heading_row(ws)
    rows = table(ws)

    def width(heading: str) -> float:
        return dimension(ws, openpyxl.utils.get_column_letter(header.index(heading) + 1)).width

    for heading in ("Area", "Team", "Child ID", "Rule", "Severity"):
        longest = rows[heading].dropna().astype(str).str.len().max()
        assert width(heading) >= longest + 1, heading  # nothing cut ("Management oversigh")
    assert 24 <= width("Finding") <= 61
    message_cell = ws.cell(HEADING_ROW + 1, header.index("Finding") + 1)
    assert message_cell.alignment.wrap_text
    rules = wb["Rules"]
    rule_headings = [c.value for c in rules[1]]
    assert "Flags" not in rule_headings and "What it finds" in rule_headings
    col = openpyxl.utils.get_column_letter(rule_headings.index("Threshold in force") + 1)
    thresholds = [c.value for c in rules[col][1:] if c.value]
    width = dimension(rules, col).width
    assert thresholds and width >= min(max(map(len, thresholds)), 34)
    assert all(c.alignment.wrap_text for c in rules[col][1:] if c.value)  # long ones wrap


def test_one_date_format_and_one_score_format(small_run):
    _, path = small_run
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    header = heading_row(ws)
    due = ws.cell(HEADING_ROW + 1, header.index("Due date") + 1)
    assert isinstance(due.value, dt.datetime) and due.number_format == "dd/mm/yyyy"
    summary = wb["Summary"]
    labels = {row[0].value: row[1] for row in summary.iter_rows(max_col=2) if row[0].value}
    assert labels["Run at"].number_format == "dd/mm/yyyy hh:mm"
    assert labels["As-at date"].number_format == "dd/mm/yyyy"
    scores = [
        row[4]
        for row in summary.iter_rows(max_col=6)
        if isinstance(row[4].value, int | float)
        and row[0].value in ("Children in care", "Care leavers")
    ]
    assert scores and {c.number_format for c in scores} == {"0.0"}
    values = table(ws)["Value"].dropna()
    assert "01/01/2030" in set(values)  # the future review date, shown dd/mm/yyyy like every date
    assert not values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").any()


def test_data_quality_sheet_places_unreadable_values_with_their_team(tmp_path):
    run = make_run()
    path = write_outputs(run, tmp_path)
    dq = openpyxl.load_workbook(path)["Data quality"]
    rows = [[c.value for c in r] for r in dq.iter_rows()]
    assert rows[4] == [
        "List",
        "Team",
        "Child ID",
        "Column heading",
        "Value found",
        "Expected",
        "File",
        "Sheet",
        "Row",
        "Column",
    ]
    assert rows[5][:5] == ["List 8", "Team A", "A1", "Gender", "Boy"] and rows[5][8] == 3
    assert rows[6][1:3] == ["Team B", "B4"] and rows[6][4] == "31/02/2026"
    assert (
        "Data-quality findings: 1 (DQ-02: 1)" in rows[1][0] or "Data-quality findings" in rows[1][0]
    )
    assert "filter Area on 'Data quality'" in rows[1][0]
    assert rows[3][0] == "Values the audit could not read: 2, each with its place in the export"
    capped = make_run(Config(workbook_rows_per_rule=1))
    write_outputs(capped, tmp_path / "capped")
    first = openpyxl.load_workbook(tmp_path / "capped" / "audit.xlsx")["Data quality"]
    assert "the first 1 are shown, findings.csv holds all" in first["A4"].value
    assert first.max_row == 6
    assert dq.column_dimensions["A"].width < 12 and dq.column_dimensions["F"].width >= 14
    findings = run.result.findings
    dq_ids = set(findings.loc[findings["area"] == "Data quality", "finding_id"])
    texts = {c.value for r in dq.iter_rows() for c in r}
    assert not dq_ids & texts  # each finding once a workbook: on Findings only


def test_guide_explains_columns_decisions_colours_and_return(small_run):
    _, path = small_run
    guide = openpyxl.load_workbook(path)["Guide"]
    text = all_text(guide.parent)
    rows = {r[0]: r[1] for r in guide.iter_rows(values_only=True, max_col=2) if r[0]}
    for decision in MODERATOR_DECISIONS:
        assert decision in rows and len(rows[decision]) > 40
    for term in ("Severity", "List", "Days overdue", "First raised", "Entered", "Finding ID"):
        assert term in rows, term
    assert rows["List 8"] == "Children in care" and rows["List 9"] == "Care leavers"
    assert "Error" in rows["Severity"] and "compliance score" in rows["Severity Error"]
    assert "red" in rows["Days overdue"] and "Amber" in rows["Days overdue"]
    assert "07/12/2026" in rows["5. Respond by"]
    assert "Done" in rows["4. Close actions when done"]
    assert "QA moderator" in rows["Moderator decision"]
    assert "send it to the QA team" in rows["Save and send back"]
    assert "What this workbook is" in text and guide.column_dimensions["B"].width >= 80


def test_summary_chart_is_coloured_by_rag_and_labels_zero(tmp_path):
    run = make_run()
    for area in run.summary["scores"]["by_area"]:
        if area["area"] == "Care leavers":
            area.update(score=0.0, children_compliant=0, rag="Red")
    write_outputs(run, tmp_path)
    with zipfile.ZipFile(tmp_path / "audit.xlsx") as zf:
        chart = next(zf.read(n).decode() for n in zf.namelist() if "charts/chart" in n)
    assert "<c:dPt>" in chart and "C0392B" in chart  # red bars are red
    assert '<c:showVal val="1"/>' in chart  # every bar labelled, 0.0 included
    assert '<c:min val="0"/>' in chart  # the axis starts at 0


def test_summary_shows_warnings_indicators_and_overdue_actions(tmp_path):
    run = make_run()
    run.summary["warnings"] = [
        {
            "kind": "blank column",
            "list": 9,
            "column": "Allocated Personal Advisor",
            "rules": ["CL-04"],
            "message": "List 9 column 'Allocated Personal Advisor' is blank in every row",
        }
    ]
    run.summary["indicators"] = [
        {
            "id": "IND-CL-TOUCH",
            "title": "Care leavers in touch",
            "value": 0.0,
            "unit": "%",
            "target": 90,
            "national": None,
            "rag": "Red",
        },
        {
            "id": "IND-CASELOAD",
            "title": "Average caseload per FTE",
            "value": None,
            "unit": "per FTE",
            "target": 18,
            "national": 15.4,
            "rag": None,
        },
    ]
    findings = run.result.findings
    a2 = findings["child_id"] == "A2"
    findings["action_owner"] = pd.Series(None, index=findings.index, dtype=object)
    findings.loc[a2, "action_owner"] = "Sam Lee"
    findings["action_due"] = pd.Series(pd.NaT, index=findings.index, dtype="datetime64[us]")
    findings.loc[a2, "action_due"] = pd.Timestamp("2026-11-02")
    findings["action_overdue"] = a2
    run.summary["actions"] = {"open": 1, "overdue": 1, "overdue_items": []}
    write_outputs(run, tmp_path)
    summary = openpyxl.load_workbook(tmp_path / "audit.xlsx")["Summary"]
    rows = [[c.value for c in r] for r in summary.iter_rows()]
    flat = [v for r in rows for v in r if v is not None]
    assert (
        "List 9 column 'Allocated Personal Advisor' is blank in every row" in flat
        and "CL-04" in flat
    )
    touch = next(r for r in rows if str(r[0]).startswith("Care leavers in touch\n"))
    assert touch[1] == 0.0 and touch[4] == "Red"
    caseload = next(r for r in rows if str(r[0]).startswith("Average caseload per FTE\n"))
    assert caseload[1] == "n/a" and caseload[4] == "n/a"  # no value: n/a, not "–"
    overdue = next(r for r in rows if "Sam Lee" in r)
    assert "A2" in overdue and 21 in overdue  # 02/11 to 23/11: 21 days past due
    assert dt.datetime(2026, 11, 2) in overdue
    labels = {r[0]: r[1] for r in rows if r[0]}
    assert labels["Actions overdue"] == 1 and labels["Actions open"] == 1


def test_carried_entries_prefill_the_reviewer_cells(tmp_path):
    run = make_run()
    findings = run.result.findings
    a2 = (findings["child_id"] == "A2").to_numpy()
    n = len(findings)
    findings["manager_response"] = [("Visit booked" if x else None) for x in a2]
    findings["moderator_decision"] = [("Agree" if x else None) for x in a2]
    findings["moderator_comment"] = [("=cmd|' /C calc'!A0" if x else None) for x in a2]
    findings["action_owner"] = [("Sam Lee" if x else None) for x in a2]
    findings["action_due"] = pd.Series(
        [pd.Timestamp("2026-10-01") if x else pd.NaT for x in a2], dtype="datetime64[us]"
    )
    findings["entered"] = [
        ("Response Sep 2026; decision Sep 2026; action Oct 2026" if x else None) for x in a2
    ]
    findings["action_overdue"] = a2
    assert n > 1
    write_outputs(run, tmp_path)
    for path in (tmp_path / "audit.xlsx", tmp_path / "teams" / "Team A.xlsx"):
        ws = openpyxl.load_workbook(path)["Findings"]
        rows = table(ws)
        row = rows[rows["Child ID"] == "A2"].iloc[0]
        assert row["Manager response"] == "Visit booked" and row["Moderator decision"] == "Agree"
        assert row["Moderator comment"] == "=cmd|' /C calc'!A0"  # text, not a formula
        assert row["Action owner"] == "Sam Lee" and row["Action due"] == dt.datetime(2026, 10, 1)
        assert row["Entered"].startswith("Response Sep 2026") and row["Action overdue"] == "Yes"
        excel_row = HEADING_ROW + 1 + int(rows.index[rows["Child ID"] == "A2"][0])
        header = heading_row(ws)
        for heading in REVIEWER_COLUMNS:
            cell = ws.cell(excel_row, header.index(heading) + 1)
            if cell.value is not None:  # a blank cell takes its column's (unlocked) format
                assert cell.protection.locked is False, heading  # still editable
        assert ws.cell(excel_row, header.index("Action due") + 1).number_format == "dd/mm/yyyy"
        others = rows[rows["Child ID"] != "A2"]
        assert others["Manager response"].isna().all() and others["Action overdue"].isna().all()
        rules = [r for cf in ws.conditional_formatting for r in cf.rules]
        assert any(r.type == "expression" and '="Yes"' in r.formula[0] for r in rules)
    team = openpyxl.load_workbook(tmp_path / "teams" / "Team A.xlsx")["Overdue actions"]
    assert "Sam Lee" in [c.value for r in team.iter_rows() for c in r]


def test_team_workbooks_hold_only_their_own_children(small_run, tmp_path):
    run, _ = small_run
    findings = run.result.findings
    names = {p.name for p in (tmp_path / "teams").iterdir()}
    assert names == {"Team A.xlsx", "Team B.xlsx", "Leaving Care.xlsx", "No team.xlsx"}
    children = {(team or ""): set(rows["child_id"]) for team, rows in findings.groupby("team")}
    everyone = set(findings["child_id"])
    for team, file in (("Team A", "Team A.xlsx"), ("Team B", "Team B.xlsx"), ("", "No team.xlsx")):
        wb = openpyxl.load_workbook(tmp_path / "teams" / file)
        assert wb.sheetnames == ["Guide", "Findings", "Overdue actions", "Data quality"]
        assert heading_row(wb["Findings"]) == list(HEADINGS)
        values = {
            str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r if v
        }
        assert children[team] <= values  # all of its own children (capped at 1 row per rule here)
        assert not (everyone - children[team]) & values, file  # no other team's child, anywhere
    team_b = openpyxl.load_workbook(tmp_path / "teams" / "Team B.xlsx")["Data quality"]
    assert "B4" in [c.value for r in team_b.iter_rows() for c in r]  # its unreadable value
    assert (
        "Team B"
        in openpyxl.load_workbook(tmp_path / "teams" / "Team B.xlsx")["Findings"]["A1"].value
    )
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["team_workbooks"]["Team A"] == "teams/Team A.xlsx"


def test_team_file_names_are_safe_everywhere():
    assert safe_file_name('A/B: "x" <y>|z?*') == "A_B_ _x_ _y__z__"
    assert safe_file_name("Team. ") == "Team"
    assert safe_file_name("CON") == "_CON" and safe_file_name("nul.team") == "_nul.team"
    assert safe_file_name("COM1") == "_COM1" and safe_file_name("Console") == "Console"
    assert safe_file_name("Tab\there") == "Tab_here"
    assert safe_file_name("...") == "_"
    names = team_file_names(["", "Team A", "team a", "A/B", "A_B", "x" * 300])
    assert names[""] == "No team.xlsx"
    assert len({n.casefold() for n in names.values()}) == len(names)
    assert names["team a"] == "team a (2).xlsx" and names["A_B"] == "A_B (2).xlsx"
    assert all(len(n) <= 110 for n in names.values())


def test_a_team_workbook_someone_typed_in_is_kept(small_run, tmp_path):
    run, _ = small_run
    team_a = tmp_path / "teams" / "Team A.xlsx"
    record = json.loads((tmp_path / RECORD).read_text())
    assert "teams/Team A.xlsx" in record and "audit.xlsx" in record
    wb = openpyxl.load_workbook(team_a)
    wb["Guide"]["C3"] = "read it"  # typed on any sheet, not only the reviewer columns
    wb.save(team_a)
    typed = team_a.read_bytes()
    again = make_run(Config(workbook_rows_per_rule=1))
    assert write_outputs(again, tmp_path) == tmp_path / "audit.xlsx"  # untouched: replaced
    assert team_a.read_bytes() == typed
    beside = [p for p in (tmp_path / "teams").iterdir() if p.name.startswith("Team A-")]
    assert len(beside) == 1
    assert again.summary["workbooks_kept"] == [f"teams/{beside[0].name}"]
    assert again.summary["team_workbooks"]["Team A"] == f"teams/{beside[0].name}"


def test_rows_are_capped_per_rule_but_csv_holds_all(small_run, tmp_path):
    run, path = small_run
    csv_rows = (tmp_path / "findings.csv").read_text().strip().splitlines()[1:]
    wb = openpyxl.load_workbook(path)
    shown = len(table(wb["Findings"]))
    assert len(csv_rows) > shown  # CLA-01 found twice, capped at 1 row per rule
    texts = [c.value for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("at most 1 rows per rule" in t for t in texts)
    assert any(t.endswith("findings in total") for t in texts)


def test_export_text_is_never_a_formula_and_controls_are_visible(tmp_path):
    lists = {
        6: [
            {
                "child_id": "=1+1",
                "cin_start": "2026-01-01",
                "cin_closed": None,
                "team": "+cmd",
                "worker": None,
            },
            {
                "child_id": "#REF!",
                "cin_start": "2026-01-01",
                "cin_closed": None,
                "team": "@team",
                "worker": None,
            },
            {
                "child_id": "0042",
                "cin_start": "2026-01-01",
                "cin_closed": None,
                "team": "Team\x00\x0bA\x1b",
                "worker": None,
            },
            {
                "child_id": "-7",
                "cin_start": "2026-01-01",
                "cin_closed": None,
                "team": "\tTabbed",
                "worker": None,
            },
        ]
    }
    ctx = make_ctx(lists, AS_AT)
    result = run_rules(ctx)
    path = write_outputs(AuditRun(ctx, result, build_summary(ctx, result)), tmp_path)
    books = [path, *sorted((tmp_path / "teams").iterdir())]
    assert len(books) == 5
    for book in books:
        with zipfile.ZipFile(book) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/sheet"):
                    xml = zf.read(name).decode()
                    assert "<f>" not in xml and "\x00" not in xml and "\x1b" not in xml, name
    wb = openpyxl.load_workbook(path)
    cells = {c.value: c for sheet in wb for row in sheet.iter_rows() for c in row}
    for text in ("=1+1", "+cmd", "#REF!", "@team", "0042", "-7", "\tTabbed"):  # text, as exported
        assert cells[text].data_type == "s" and cells[text].quotePrefix, text
    assert "Team\\x00\\x0bA\\x1b" in cells  # control characters shown, nothing lost
    assert (tmp_path / "teams" / "Team__A_.xlsx").exists()


def test_team_workbooks_written_in_the_helper_process_are_the_same(tmp_path, monkeypatch):
    import audits.pipeline.outputs
    from audits.core import helper

    here, there = tmp_path / "here", tmp_path / "there"
    with monkeypatch.context() as m:
        m.setattr(helper, "running", lambda: False)  # a small month, no helper: written here
        write_outputs(make_run(), here)
    monkeypatch.setattr(audits.pipeline.outputs, "PARALLEL_FROM", 0)  # shared with the helper
    helper.submit(helper.warm, "audits.output.team_workbooks").result(timeout=60)  # ready first
    write_outputs(make_run(), there)

    def content(path):
        wb = openpyxl.load_workbook(path)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}

    names = sorted(p.name for p in (here / "teams").iterdir())
    assert names == sorted(p.name for p in (there / "teams").iterdir())
    for name in names:
        assert content(here / "teams" / name) == content(there / "teams" / name), name


def test_workbooks_record_the_entries_they_were_prefilled_with(tmp_path):
    run = make_run()
    run.summary["carried_forward"] = {"history": False, "entries_upto": 42}
    write_outputs(run, tmp_path)
    for path in (tmp_path / "audit.xlsx", tmp_path / "teams" / "Team A.xlsx"):
        props = {p.name: p.value for p in openpyxl.load_workbook(path).custom_doc_props.props}
        assert props["casefile-audit entries up to"] == 42
