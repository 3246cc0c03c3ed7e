"""The team manager's month (issue 22): a sheet that fits a laptop, two decisions kept apart,
actions that close, nothing typed lost by the two-decision change, returns chased, and the small
items (help text, file modes, lock files)."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import stat
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from reviewing import findings_table, read_findings, type_into
from typer.testing import CliRunner

from audits.cli import app
from audits.history import Store
from audits.output.findings_sheet import FROZEN, PRINTED, pixels
from audits.output.reviewed import (
    AS_AT_PROPERTY,
    KIND_PROPERTY,
    REVIEWER_HEADINGS,
    TEAM_PROPERTY,
)
from tests.conftest import ROOT
from tests.test_reviewer_work import CHILDREN as EVERY_REVIEW_OVERDUE
from tests.test_reviewer_work import L8, entries, moderate

runner = CliRunner()
CHILDREN = EVERY_REVIEW_OVERDUE[:3]  # A and B in North, C in South
SCREEN = 1366  # px wide at 100% zoom
CHROME = 60  # Excel's row numbers (5 digits), the vertical scroll bar and the window's edges
A4_LANDSCAPE_PX = (11.69 - 0.8) * 96  # the printable width at 0.4-inch margins, in px


def run(tmp_path: Path, as_at: str, out: Path, rows=CHILDREN, db: Path | None = None):
    folder = tmp_path / f"in-{as_at}-{out.name}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "list8.csv").write_text(L8 + "".join(r + "\n" for r in rows))
    result = runner.invoke(
        app,
        ["run", str(folder), "--as-at", as_at, "--out", str(out)]
        + ["--db", str(db or tmp_path / "h.sqlite")],
    )
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def october(tmp_path):
    out = tmp_path / "oct"
    run(tmp_path, "2026-10-30", out)
    return out


# --- a sheet that fits ----------------------------------------------------------------------
def widths_of(ws) -> dict[int, float]:
    """Column widths as written (XlsxWriter joins equal neighbours into one <col> record)."""
    widths = {}
    for dim in ws.column_dimensions.values():
        for index in range(dim.min, dim.max + 1):
            widths[index] = dim.width
    return widths


@pytest.mark.parametrize("workbook", ["audit.xlsx", "teams/Locality North.xlsx"])
def test_findings_opens_with_the_child_the_finding_and_every_reviewer_column_in_1366_px(
    sample_month, workbook
):
    ws = openpyxl.load_workbook(sample_month / workbook)["Findings"]
    head, columns = findings_table(ws)
    visible = [columns["Child ID"], columns["Finding"]] + [columns[h] for h in REVIEWER_HEADINGS]
    assert sorted(visible) == list(range(1, len(visible) + 1))  # the first columns, in a run
    widths = widths_of(ws)
    shown = sum(pixels(widths[c]) for c in visible)
    assert shown + CHROME <= SCREEN, f"{shown} px of columns"
    assert widths[columns["Finding"]] >= 30  # the finding itself is readable, wrapped
    assert ws.freeze_panes == f"{openpyxl.utils.get_column_letter(FROZEN + 1)}{head + 1}"


def test_findings_prints_landscape_headings_repeated_the_reviewer_columns_at_8_pt(sample_month):
    ws = openpyxl.load_workbook(sample_month / "teams" / "Locality North.xlsx")["Findings"]
    head, columns = findings_table(ws)
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.print_title_rows.replace("$", "") == f"{head}:{head}"
    last = openpyxl.utils.get_column_letter(PRINTED)
    assert ws.print_area.replace("'Findings'!", "").startswith(f"$A$1:${last}$")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    widths = widths_of(ws)
    printed = sum(pixels(widths[c]) for c in range(1, PRINTED + 1))
    scale = min(1.0, A4_LANDSCAPE_PX / printed)
    assert 11 * scale >= 8, f"printed at {11 * scale:.1f} pt"
    assert columns["Manager decision"] <= PRINTED and columns["Moderator comment"] <= PRINTED


def test_rows_are_as_tall_as_their_wrapped_text(sample_month):
    wb = openpyxl.load_workbook(sample_month / "audit.xlsx")
    for sheet in ("Findings", "Data quality"):
        ws = wb[sheet]
        widths = widths_of(ws)
        checked = 0
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if not isinstance(cell.value, str) or not cell.alignment.wrap_text:
                    continue
                if cell.coordinate in ws.merged_cells:
                    continue
                per_line = widths.get(cell.column, 8.43) * 1.1 - 1
                lines = math.ceil(len(cell.value) / per_line)
                height = ws.row_dimensions[cell.row].height or 15
                assert height >= 15 * min(lines, 20), (sheet, cell.coordinate, cell.value)
                checked += lines > 1
        assert checked, sheet  # some text did wrap


def test_every_date_is_dd_mm_yyyy_first_raised_too(sample_month):
    wb = openpyxl.load_workbook(sample_month / "teams" / "Locality North.xlsx")
    rows = read_findings(sample_month / "teams" / "Locality North.xlsx")
    assert all(r["First raised"] == dt.datetime(2026, 10, 30) for r in rows)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.datetime | dt.date):
                    assert cell.number_format == "dd/mm/yyyy", (ws.title, cell.coordinate)
    texts = [c.value for ws in wb.worksheets for r in ws.iter_rows() for c in r]
    months = [t for t in texts if isinstance(t, str) and re.search(r"(?<![\w-])\d{4}-\d\d\b", t)]
    assert not months  # no 'First raised 2026-10' beside dd/mm/yyyy


def test_the_overdue_actions_sheet_rows_fit_their_text(tmp_path, october):
    long_owner = "The independent reviewing officer with the team manager's deputy"
    typed = type_into(
        october / "teams" / "North.xlsx",
        {"A": {"Action owner": long_owner, "Action due": dt.datetime(2026, 11, 2)}},
        target=tmp_path / "r" / "North.xlsx",
        saved_at=dt.datetime(2026, 10, 31),
    )
    assert moderate(tmp_path, typed).exit_code == 0
    run(tmp_path, "2026-11-30", tmp_path / "nov")
    ws = openpyxl.load_workbook(tmp_path / "nov" / "teams" / "North.xlsx")["Overdue actions"]
    (row,) = [r for r in ws.iter_rows(min_row=4) if r[2].value == long_owner]
    assert row[2].alignment.wrap_text and ws.row_dimensions[row[0].row].height >= 30
    summary = openpyxl.load_workbook(tmp_path / "nov" / "audit.xlsx")["Summary"]
    (row,) = [r for r in summary.iter_rows() if len(r) > 3 and r[3].value == long_owner]
    assert row[3].alignment.wrap_text and summary.row_dimensions[row[0].row].height >= 30


def test_the_board_scorecard_rows_fit_their_text(tmp_path, october):
    result = runner.invoke(
        app, ["board", "--out", str(tmp_path / "b"), "--db", str(tmp_path / "h.sqlite")]
    )
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(tmp_path / "b" / "board.xlsx")["Scorecard"]
    wrapped = [
        c
        for r in ws.iter_rows(min_row=2)
        for c in r
        if isinstance(c.value, str) and c.alignment.wrap_text and len(c.value) > 60
    ]
    assert wrapped  # reasons for n/a are long
    widths = widths_of(ws)
    for cell in wrapped:
        merged = next((m for m in ws.merged_cells.ranges if cell.coordinate in m), None)
        if merged is None:  # a scorecard row: its 11-pt text on two lines or more
            assert (ws.row_dimensions[cell.row].height or 15) >= 30, cell.value
            continue
        # a note beneath, across the merged columns in 9 pt (12.5 points a line)
        across = sum(widths.get(c, 8.43) for c in range(merged.min_col, merged.max_col + 1))
        lines = math.ceil(len(cell.value) / (across * 1.1))
        assert ws.row_dimensions[cell.row].height >= 12.5 * lines, cell.value


# --- actions ------------------------------------------------------------------------------------
def test_a_done_action_is_never_overdue_and_a_blank_status_erases_nothing(tmp_path, october):
    first = type_into(
        october / "teams" / "North.xlsx",
        {
            "A": {
                "Action owner": "TM",
                "Action due": dt.datetime(2026, 11, 2),
                "Action status": "done",  # any case
            },
            "B": {"Action owner": "TM", "Action due": dt.datetime(2026, 11, 2)},
        },
        target=tmp_path / "r1" / "North.xlsx",
        saved_at=dt.datetime(2026, 10, 31),
    )
    assert moderate(tmp_path, first).exit_code == 0
    run(tmp_path, "2026-11-30", tmp_path / "nov")
    rows = {r["Child ID"]: r for r in read_findings(tmp_path / "nov" / "teams" / "North.xlsx")}
    assert rows["A"]["Action status"] == "Done" and rows["A"]["Action overdue"] in (None, "")
    assert rows["B"]["Action overdue"] == "Yes"
    # B is done: a Done on date alone closes it; November's workbook returned with A's status
    # cleared erases nothing
    second = type_into(
        tmp_path / "nov" / "teams" / "North.xlsx",
        {"A": {"Action status": None}, "B": {"Done on": "01/12/2026"}},
        target=tmp_path / "r2" / "North.xlsx",
        saved_at=dt.datetime(2026, 12, 2),
    )
    result = moderate(tmp_path, second)
    assert result.exit_code == 0, result.output
    run(tmp_path, "2026-12-30", tmp_path / "dec")
    summary = json.loads((tmp_path / "dec" / "summary.json").read_text())["actions"]
    assert (summary["open"], summary["overdue"], summary["done"]) == (0, 0, 2)


def test_an_action_whose_finding_resolves_is_closed_with_it(tmp_path, october):
    typed = type_into(
        october / "teams" / "North.xlsx",
        {"A": {"Action owner": "TM", "Action due": dt.datetime(2026, 11, 2)}},
        target=tmp_path / "r" / "North.xlsx",
    )
    assert moderate(tmp_path, typed).exit_code == 0
    reviewed = ["A,01/01/2015,01/01/2020,,20/11/2026,North,W1", *CHILDREN[1:]]
    result = run(tmp_path, "2026-11-30", tmp_path / "nov", rows=reviewed)
    actions = json.loads((tmp_path / "nov" / "summary.json").read_text())["actions"]
    assert (actions["open"], actions["overdue"], actions["closed_finding_resolved"]) == (0, 0, 1)
    assert "1 closed as their finding resolved" not in result.output  # nothing open: no line


def actions_due(tmp_path, october, due: dict[str, dt.date]) -> None:
    """North's manager gives A and B an action due on the dates `due`, returned and moderated;
    then November's run."""
    typed = type_into(
        october / "teams" / "North.xlsx",
        {
            child: {"Action owner": "TM", "Action due": dt.datetime(d.year, d.month, d.day)}
            for child, d in due.items()
        },
        target=tmp_path / "r" / "North.xlsx",
    )
    assert moderate(tmp_path, typed).exit_code == 0
    run(tmp_path, "2026-11-30", tmp_path / "nov")


def test_action_due_itself_is_in_time_a_day_later_overdue(tmp_path, october):
    actions_due(tmp_path, october, {"A": dt.date(2026, 11, 30), "B": dt.date(2026, 11, 29)})
    actions = json.loads((tmp_path / "nov" / "summary.json").read_text())["actions"]
    assert [i["child_id"] for i in actions["overdue_items"]] == ["B"]


def test_summary_lists_the_longest_overdue_actions_up_to_its_limit_and_says_where_the_rest_are(
    tmp_path, october, monkeypatch
):
    import audits.output.workbook
    import audits.review.carry_forward

    for module in (audits.output.workbook, audits.review.carry_forward):
        monkeypatch.setattr(module, "OVERDUE_LISTED", 1)
    actions_due(tmp_path, october, {"A": dt.date(2026, 11, 2), "B": dt.date(2026, 11, 20)})
    texts = [
        [c for c in row if c is not None]
        for row in openpyxl.load_workbook(tmp_path / "nov" / "audit.xlsx")["Summary"].iter_rows(
            values_only=True
        )
    ]
    at = next(
        i
        for i, row in enumerate(texts)
        if row and str(row[0]).startswith("Actions overdue (not done")
    )
    assert texts[at + 1] == [
        "The 1 longest overdue of 2: every one is listed on the Overdue actions sheet of its "
        "team's workbook."
    ]
    listed = [row for row in texts[at + 3 : at + 6] if "TM" in row]
    assert len(listed) == 1 and "A" in listed[0]  # 28 days past due, B 10
    summary = json.loads((tmp_path / "nov" / "summary.json").read_text())["actions"]
    assert [i["child_id"] for i in summary["overdue_items"]] == ["A"]
    team = openpyxl.load_workbook(tmp_path / "nov" / "teams" / "North.xlsx")["Overdue actions"]
    assert sorted(r[0] for r in team.iter_rows(min_row=4, values_only=True) if r[0]) == ["A", "B"]


# --- nothing typed is lost ---------------------------------------------------------------------
def test_each_new_entry_that_cannot_be_stored_is_listed_with_file_and_row(tmp_path, october):
    path = type_into(
        october / "teams" / "North.xlsx",
        {
            "A": {"Manager decision": "Agreed-ish", "Action status": "Finished"},
            "B": {"Done on": "last week", "Manager response": "fine"},
        },
        target=tmp_path / "return.xlsx",
    )
    rows = {r["Child ID"]: r["_row"] for r in read_findings(path)}
    result = moderate(tmp_path, path)
    assert result.exit_code == 1
    out = result.output
    assert f"return.xlsx, row {rows['A']}: Manager decision 'Agreed-ish' is not one of" in out
    assert (
        f"return.xlsx, row {rows['A']}: Action status 'Finished' is not one of: Open; Done" in out
    )
    assert f"return.xlsx, row {rows['B']}: Done on 'last week' is not a date" in out
    assert entries(tmp_path)["field"].tolist() == ["manager_response"]


def test_two_returns_giving_a_finding_different_manager_decisions_list_both(tmp_path, october):
    one = type_into(
        october / "teams" / "North.xlsx",
        {"A": {"Manager decision": "Agree"}},
        target=tmp_path / "one" / "North.xlsx",
    )
    two = type_into(
        october / "teams" / "North.xlsx",
        {"A": {"Manager decision": "Resolved since export"}},
        target=tmp_path / "two" / "North.xlsx",
    )
    result = moderate(tmp_path, one, two)
    assert result.exit_code == 1 and "manager decision of finding" in result.output
    assert entries(tmp_path).empty


def test_the_qa_decision_never_replaces_the_managers(tmp_path, october):
    manager = type_into(
        october / "teams" / "North.xlsx",
        {"A": {"Manager decision": "Disagree — data error in export"}},
        target=tmp_path / "m" / "North.xlsx",
        by="North TM",
        saved_at=dt.datetime(2026, 11, 2),
    )
    qa = type_into(
        october / "audit.xlsx",
        {"A": {"Moderator decision": "Agree"}},
        target=tmp_path / "q" / "audit.xlsx",
        by="QA Lead",
        saved_at=dt.datetime(2026, 11, 3),
    )
    result = moderate(tmp_path, manager, qa)  # in one import: two fields, no conflict
    assert result.exit_code == 0, result.output
    latest = Store.open(tmp_path / "h.sqlite").latest_decisions().iloc[0]
    assert latest["manager_decision"] == "Disagree — data error in export"
    assert latest["moderator_decision"] == "Agree" and latest["agreed"] is False
    assert (latest["manager_by"], latest["moderator_by"]) == ("North TM", "QA Lead")


def legacy(path: Path, target: Path) -> Path:
    """The workbook as `audit run` wrote it before v5: one decision column, no action status,
    no Done on, and none of the properties naming its team or run."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    for heading in sorted(("Manager decision", "Action status", "Done on"), key=columns.get)[::-1]:
        ws.delete_cols(columns[heading])
    props = wb.custom_doc_props
    for name in (KIND_PROPERTY, TEAM_PROPERTY, AS_AT_PROPERTY):
        if name in props.names:
            del props[name]
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    return target


def test_an_old_team_return_decision_is_the_managers_an_old_council_one_the_qa(tmp_path, october):
    team = type_into(
        legacy(october / "teams" / "North.xlsx", tmp_path / "old" / "North.xlsx"),
        {"A": {"Moderator decision": "Agree", "Manager response": "booked"}},
        by="North TM",
    )
    council = type_into(
        legacy(october / "audit.xlsx", tmp_path / "old" / "audit.xlsx"),
        {"B": {"Moderator decision": "Resolved since export"}},
        by="QA Lead",
    )
    result = moderate(tmp_path, team, council)
    assert result.exit_code == 0, result.output
    stored = entries(tmp_path).set_index("field")
    assert stored.loc["manager_decision", "value"] == "Agree"
    assert stored.loc["manager_decision", "entered_by"] == "North TM"
    assert stored.loc["moderator_decision", "value"] == "Resolved since export"
    assert stored.loc["moderator_decision", "entered_by"] == "QA Lead"


def v4_store(path: Path, rows: list[dict]) -> None:
    """A store as v4 left it: runs, findings and reviewer entries with one decision field."""
    from audits.history import schema

    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        schema.schema_version.create(conn)
        for version, step in schema.MIGRATIONS[:4]:
            step(conn)
            conn.execute(schema.schema_version.insert().values(version=version, applied_at="x"))
        conn.execute(sa.text("DROP INDEX IF EXISTS ix_entries_migrated_from"))
        conn.execute(sa.text("ALTER TABLE entries DROP COLUMN migrated_from"))
        conn.execute(
            schema.runs.insert(),
            [
                {"as_at": d, "month": d[:7], "run_at": d, "export": "e", "tool_version": "0"}
                | {"findings_total": 1}
                for d in ("2026-09-30", "2026-10-30")
            ],
        )
        for run_id in (1, 2):
            conn.execute(
                schema.findings.insert(),
                [
                    {"run_id": run_id, "finding_id": f, "rule_id": "CLA-01", "severity": "Error"}
                    | {"area": "Children in care", "first_raised": "2026-09", "team": t}
                    for f, t in (("fa", "North"), ("fb", "South"))
                    if not (run_id == 1 and f == "fb")
                ],
            )
        conn.execute(schema.entries.insert(), rows)
    engine.dispose()


def test_a_v4_store_migrates_its_decisions_without_loss(tmp_path):
    base = {"rule_id": "CLA-01", "row": 7, "imported_at": "2026-10-08T00:00:00"}
    rows = [
        base
        | {"finding_id": "fa", "field": "moderator_decision", "value": "Agree", "team": "North"}
        | {"entered_at": "2026-10-05T09:00:00", "entered_by": "North TM"}
        | {"workbook": "/r/North.xlsx", "workbook_sha256": "n1"},
        base
        | {"finding_id": "fa", "field": "manager_response", "value": "booked", "team": "North"}
        | {"entered_at": "2026-10-05T09:00:00", "entered_by": "North TM"}
        | {"workbook": "/r/North.xlsx", "workbook_sha256": "n1"},
        base
        | {"finding_id": "fb", "field": "moderator_decision", "value": "Agree", "team": "South"}
        | {"entered_at": "2026-10-07T09:00:00", "entered_by": "QA Lead"}
        | {"workbook": "/qa/audit.xlsx", "workbook_sha256": "q1"},
    ]
    v4_store(tmp_path / "old.sqlite", rows)
    store = Store.open(tmp_path / "old.sqlite")
    assert store.version >= 5
    table = store.table("entries").sort_values("entry_id")
    assert table.iloc[:3][["finding_id", "field", "value"]].values.tolist() == [
        [r["finding_id"], r["field"], r["value"]] for r in rows
    ]  # every original as it was
    (copy,) = table[table["migrated_from"].notna()].to_dict("records")
    assert (copy["finding_id"], copy["field"], copy["value"]) == ("fa", "manager_decision", "Agree")
    assert (copy["entered_by"], copy["entered_at"]) == ("North TM", "2026-10-05T09:00:00")
    latest = store.latest_decisions().set_index("finding_id")
    assert latest.loc["fa", "manager_decision"] == "Agree"
    assert pd.isna(latest.loc["fa", "moderator_decision"])  # the original is not a QA decision
    assert latest.loc["fb", "moderator_decision"] == "Agree"  # audit.xlsx: the QA moderator's
    first = store.first_raised(pd.Series(["fa", "fb", "new"]))
    assert first["as_at"].tolist()[:2] == ["2026-09-30", "2026-10-30"]
    assert pd.isna(first["as_at"].iloc[2])
    assert Store.open(tmp_path / "old.sqlite").table("entries").shape == table.shape  # once


def test_an_old_workbook_returned_untouched_after_the_upgrade_stores_nothing(tmp_path, october):
    """A pre-filled decision in a workbook written before v5 is the tool's copy: read as the
    manager's (team workbook) or the QA moderator's (audit.xlsx), it changes nothing, and it
    never undoes a newer decision."""
    typed = type_into(
        october / "teams" / "North.xlsx",
        {"A": {"Manager decision": "Agree"}, "B": {"Manager decision": "Agree"}},
        target=tmp_path / "r" / "North.xlsx",
        saved_at=dt.datetime(2026, 10, 31),
    )
    assert moderate(tmp_path, typed).exit_code == 0
    run(tmp_path, "2026-11-30", tmp_path / "nov")
    old_team = legacy(tmp_path / "nov" / "teams" / "North.xlsx", tmp_path / "o" / "North.xlsx")
    assert {r["Moderator decision"] for r in read_findings(old_team)} == {None}  # QA's: blank
    # the pre-v5 writer put the manager's decision in "Moderator decision": so does this copy
    wb = openpyxl.load_workbook(old_team)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    for r in range(head + 1, ws.max_row + 1):
        if ws.cell(r, columns["Finding ID"]).value:
            ws.cell(r, columns["Moderator decision"]).value = "Agree"
    wb.save(old_team)
    newer = type_into(
        tmp_path / "nov" / "teams" / "North.xlsx",
        {"B": {"Manager decision": "Resolved since export"}},
        target=tmp_path / "n" / "North.xlsx",
        saved_at=dt.datetime(2026, 12, 1),
    )
    assert moderate(tmp_path, newer).exit_code == 0
    before = len(entries(tmp_path))
    result = moderate(tmp_path, old_team)
    assert result.exit_code == 0, result.output
    assert "Stored 0 entries" in result.output and len(entries(tmp_path)) == before
    latest = Store.open(tmp_path / "h.sqlite").latest_decisions()
    assert sorted(latest["manager_decision"]) == ["Agree", "Resolved since export"]


def test_a_run_and_an_import_never_read_the_whole_entries_table(tmp_path, october, monkeypatch):
    from audits.history.entries import EntriesStore

    def whole_table(self):
        raise AssertionError("read every entry of the store")

    typed = type_into(
        october / "teams" / "North.xlsx",
        {"A": {"Manager decision": "Agree"}},
        target=tmp_path / "r" / "North.xlsx",
    )
    monkeypatch.setattr(EntriesStore, "all_entries", whole_table)
    assert moderate(tmp_path, typed).exit_code == 0
    run(tmp_path, "2026-11-30", tmp_path / "nov")
    assert entries(tmp_path)["value"].tolist() == ["Agree"]


# --- returns chased, one defect one row ---------------------------------------------------------
def test_the_respond_by_date_already_past_is_warned(tmp_path):
    result = run(tmp_path, "2026-01-30", tmp_path / "jan")
    assert "the respond-by date written into the workbooks, 13/02/2026, has already passed" in (
        result.output
    )
    assert json.loads((tmp_path / "jan" / "summary.json").read_text())["respond_by"] == (
        "2026-02-13"
    )
    later = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert "has already passed" not in run(tmp_path, later, tmp_path / "soon").output


def test_a_value_reported_as_dq04_is_not_also_a_dq05_and_dq_text_names_its_place(sample_month):
    findings = pd.read_csv(sample_month / "findings.csv", dtype=str, keep_default_na=False)
    dq04 = findings[findings["rule_id"] == "DQ-04"]
    dq05 = findings[findings["rule_id"] == "DQ-05"]
    reported = set(zip(dq04["child_id"], dq04["field"], strict=True))
    assert not reported & set(zip(dq05["child_id"], dq05["field"], strict=True))
    assert not dq05["value"].eq("(unreadable)").any()
    (need,) = dq04[dq04["field"] == "Primary Need Code"]["message"]
    assert need.startswith("List 6 (Children in need) record: Primary Need Code reads 'PSRMEM")
    assert need.endswith("In the export: annex_a_2026-10.xlsx, sheet List_6, row 26, column H.")
    for message in findings.loc[findings["area"] == "Data quality", "message"]:
        where = message.split("In the export: ", 1)[-1]
        assert "annex_a_2026-10.xlsx" in where and "row" in where and where.endswith("."), message
    assert list(findings.columns) == [
        "finding_id",
        "rule_id",
        "severity",
        "area",
        "list",
        "child_id",
        "team",
        "worker",
        "due_date",
        "days_overdue",
        "field",
        "value",
        "message",
    ]


# --- a loop to rehearse -----------------------------------------------------------------------
def test_example_months_persist_records_and_match_each_manifest(tmp_path):
    result = runner.invoke(
        app, ["example", "--out", str(tmp_path / "ex"), "--as-at", "2026-11-30", "--months", "3"]
    )
    assert result.exit_code == 0, result.output
    months = ["2026-09", "2026-10", "2026-11"]
    assert sorted(p.name for p in (tmp_path / "ex").iterdir()) == months
    births: dict[str, set] = {}
    changes = []
    for month in months:
        folder = tmp_path / "ex" / month
        sheets = pd.read_excel(
            folder / f"annex_a_{month}.xlsx", sheet_name=None, header=None, engine="calamine"
        )
        for name, frame in sheets.items():
            if "List" not in name or name == "Front_Sheet":
                continue
            rows = frame.astype(str).values.tolist()
            at = next(i for i, r in enumerate(rows) if "Child Unique ID" in r)
            heads = rows[at]
            if "Date of Birth" not in heads:
                continue
            child, dob = heads.index("Child Unique ID"), heads.index("Date of Birth")
            for r in rows[at + 1 :]:
                births.setdefault(f"{name}|{r[child]}", set()).add(r[dob])
        out = tmp_path / f"out-{month}"
        audit = runner.invoke(
            app,
            ["run", str(folder), "--as-at", f"{month}-30", "--out", str(out)]
            + ["--db", str(tmp_path / "h.sqlite")],
        )
        assert audit.exit_code == 0, audit.output
        found = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
        manifest = pd.read_csv(folder / "manifest.csv", dtype=str, keep_default_na=False)
        columns = ["rule_id", "list", "child_id", "due_date", "days_overdue"]
        assert sorted(map(tuple, found[columns].values)) == sorted(map(tuple, manifest.values))
        changes.append(json.loads((out / "summary.json").read_text())["carried_forward"])
    assert all(len(d) == 1 for d in births.values())  # no date of birth ever shifts
    assert sum(len(d) > 0 for d in births.values()) > 300
    for change in changes[1:]:
        assert change["persisting"] > 20 and change["new"] > 0 and change["resolved"] > 0


# --- small items ----------------------------------------------------------------------------------
def test_help_shows_no_type_tags_and_example_as_at_speaks_of_the_example():
    moderate_help = runner.invoke(app, ["moderate", "--help"]).output
    assert "WORKBOOKS..." in moderate_help and "<list[Path]>" not in moderate_help
    example_help = runner.invoke(app, ["example", "--help"]).output
    assert "census" not in example_help.lower() and "--months" in example_help


def test_every_file_written_is_0644_and_no_lock_file_is_left(tmp_path, october):
    os.umask(0o022)
    board = runner.invoke(
        app, ["board", "--out", str(tmp_path / "b"), "--db", str(tmp_path / "h.sqlite")]
    )
    assert board.exit_code == 0, board.output
    practice = runner.invoke(
        app,
        ["sample", str(ROOT / "sample_exports"), "--as-at", "2026-10-30"]
        + ["--out", str(tmp_path / "p"), "--db", str(tmp_path / "h.sqlite")],
    )
    assert practice.exit_code == 0, practice.output
    written = [p for d in (october, tmp_path / "b", tmp_path / "p") for p in d.rglob("*")]
    files = [p for p in written if p.is_file()]
    assert {p.name for p in files} >= {"board.xlsx", "board.html", "practice_audit_2026-10.xlsx"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
    assert not list(tmp_path.glob(".*.lock"))


def test_returns_are_chased_per_team_no_team_included(tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["run", str(ROOT / "sample_exports"), "--as-at", "2026-10-30", "--out", str(out)]
        + ["--db", str(tmp_path / "h.sqlite")],
    )
    assert result.exit_code == 0, result.output
    north = type_into(
        out / "teams" / "Locality North.xlsx",
        {},
        target=tmp_path / "r" / "Locality North.xlsx",
    )
    wb = openpyxl.load_workbook(north)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    ws.cell(head + 1, columns["Manager response"]).value = "seen"
    ws.cell(head + 2, columns["Action status"]).value = "Later"  # listed, not stored
    wb.save(north)
    no_team = type_into(out / "teams" / "No team.xlsx", {}, target=tmp_path / "r" / "No team.xlsx")
    result = moderate(tmp_path, north, no_team)
    lines = result.output.splitlines()
    assert "Team returns for the run as at 30/10/2026: 2 of 6 teams returned." in lines
    assert "  Locality North: Locality North.xlsx: 1 entry stored, 1 listed below" in lines
    assert "  No team: No team.xlsx: returned with nothing typed" in lines
    for team in ("Care Leavers", "Children in Care", "Locality East", "Locality South"):
        assert f"  {team}: not returned" in lines


def test_a_value_typed_far_right_or_far_below_the_table_is_listed_or_stored_by_its_row(
    tmp_path, october
):
    """Returns are read as an export is: a cell far to the right (column XFD) is kept apart and
    listed with its row; a sheet whose rows run far below the table keeps every row's number."""
    path = type_into(
        october / "teams" / "North.xlsx",
        {"A": {"Manager response": "seen"}},
        target=tmp_path / "return.xlsx",
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    row_of_a = next(r["_row"] for r in read_findings(path) if r["Child ID"] == "A")
    head, columns = findings_table(ws)
    ws.cell(row_of_a, 16384).value = "a note at the far edge"
    ws.cell(60000, columns["Manager response"]).value = "a response far below"
    wb.save(path)
    result = moderate(tmp_path, path)
    assert result.exit_code == 1
    out = result.output
    assert f"return.xlsx, row {row_of_a}: 'a note at the far edge' typed in column XFD" in out
    assert "return.xlsx, row 60000: entries typed on a row with no Finding ID" in out
    stored = entries(tmp_path)
    assert stored[["field", "value", "row"]].values.tolist() == [
        ["manager_response", "seen", row_of_a]
    ]
