"""The board pack: the scorecard from the stored runs, store-derived indicators, overdue actions,
charts scaled to the data, and the two files as a board member (and a printer) gets them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from audits.board.charts import axis_range, line_chart
from audits.board.data import board_data, pseudonym
from audits.board.pack import write_board
from audits.cli import app
from audits.core.config import Config
from audits.history import Store
from audits.indicators.comparators import describe
from audits.indicators.definitions import BY_ID

runner = CliRunner()


def indicator(ind_id: str, num: int, den: int) -> dict:
    ind = BY_ID[ind_id]
    value = round(100 * num / den, 1) if den else None
    reason = None if den else "the denominator is 0"
    return describe(ind, value, num, den, reason, Config())


def record(
    store: Store, as_at: str, indicators=None, actions=None, team="Team <b>A</b>", score=90.0
) -> int:
    summary = {
        "as_at": as_at,
        "run_at": f"{as_at}T09:00:00",
        "export": "export.xlsx",
        "version": "test",
        "scores": {
            "by_area": [
                {
                    "area": "Children in care",
                    "team": None,
                    "children_in_scope": 10,
                    "children_compliant": 9,
                    "score": score,
                }
            ],
            "by_team": [
                {
                    "area": "Children in care",
                    "team": team,
                    "children_in_scope": 10,
                    "children_compliant": 9,
                    "score": score,
                }
            ],
        },
    }
    if indicators is not None:
        summary["indicators"] = indicators
    if actions is not None:
        summary["actions"] = actions
    export = Path(str(store.engine.url).removeprefix("sqlite:///")).with_name("export.csv")
    export.write_text("Child Unique ID\n1\n")
    return store.record_run(summary, pd.DataFrame(), [export])


OVERDUE = {
    "open": 4,
    "overdue": 2,
    "overdue_items": [
        {
            "finding_id": "f1",
            "rule_id": "CLA-01",
            "team": "T",
            "child_id": "CHILD-1",
            "action_owner": '=HYPERLINK("http://x")',
            "action_due": "2026-10-01",
            "days_past_due": 29,
        },
        {
            "finding_id": "f2",
            "rule_id": "CP-02",
            "team": "T",
            "child_id": "CHILD-2",
            "action_owner": "<script>alert(1)</script>",
            "action_due": "2026-10-20",
            "days_past_due": 10,
        },
    ],
}


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store.open(tmp_path / "h.sqlite")
    record(store, "2026-08-28", indicators=None)  # a run from before indicators and actions
    record(
        store,
        "2026-09-30",
        [indicator("IND-CLA-REVIEW", 90, 100), indicator("IND-ASM-45", 0, 0)],
        score=92.0,
    )
    record(store, "2026-10-15", [indicator("IND-CLA-REVIEW", 50, 100)])  # replaced below
    record(
        store,
        "2026-10-30",
        [indicator("IND-CLA-REVIEW", 88, 100), indicator("IND-ASM-45", 30, 40)],
        OVERDUE,
        score=88.0,
    )
    return store


def test_the_scorecard_compares_this_month_with_last_and_rates_it(store):
    config = Config(indicators={"IND-CLA-REVIEW": {"target": 90.0}})
    data = board_data(store, config=config)
    assert data["months"] == ["2026-08", "2026-09", "2026-10"]
    card = data["scorecard"].set_index("id")
    review = card.loc["IND-CLA-REVIEW"]
    assert (review["this"], review["last"]) == (88.0, 90.0)  # the month's latest run
    assert review["change"] == "▼ −2.0 pp" and review["judgement"] == "worse"  # points
    assert review["rag"] == "Amber"  # 2 points under the target, within the 5-point band
    asm = card.loc["IND-ASM-45"]
    assert asm["this"] == 75.0 and asm["last"] is None  # n/a last month, not 0
    assert asm["change"] == "–" and asm["national"] == 85.7 and asm["rag"] == "Red"
    assert card.loc["IND-CL-PA", "this"] is None and card.loc["IND-CL-PA", "reason"]


def test_moderation_agreement_and_practice_grades_come_from_the_store(store):
    # Manager–QA agreement: a and b the QA moderator decided as the manager did, c otherwise;
    # e has only a QA decision and f only a manager's (not compared); d only a response.
    manager = {"a": "Agree", "b": "Agree", "c": "Agree", "f": "Agree"}
    qa = {"a": "Agree", "b": "Agree", "c": "Disagree — data error in export", "e": "Agree"}
    rows = [
        *(("manager_decision", f, v, "TM") for f, v in manager.items()),
        *(("moderator_decision", f, v, "QA") for f, v in qa.items()),
        ("manager_response", "d", "looked at it", "TM"),
    ]
    entries = pd.DataFrame(
        {
            "finding_id": [r[1] for r in rows],
            "field": [r[0] for r in rows],
            "value": [r[2] for r in rows],
            "entered_at": ["2026-10-20T10:00:00"] * len(rows),
            "entered_by": [r[3] for r in rows],
            "rule_id": ["CLA-01"] * len(rows),
            "team": ["T"] * len(rows),
            "workbook": [f"{r[3]}.xlsx" for r in rows],
            "workbook_sha256": [f"sha-{r[3]}" for r in rows],
            "row": list(range(2, 2 + len(rows))),
        }
    )
    store.store_entries(entries)
    store.record_sample(
        "2026-10", pd.DataFrame({"child_id": ["1", "2"], "team": ["T", "T"], "reason": ["r", "r"]})
    )
    grades = pd.DataFrame(
        {
            "child_id": ["1", "2"],
            "team": ["T", "T"],
            "auditor": ["x", "x"],
            "auditor_grade": ["Good", "Good"],
            "moderator_grade": ["Inadequate", None],
            "escalate": [False, False],
        }
    )
    store.record_grades("2026-10", grades, "sha2", "2026-10-21T10:00:00")
    card = board_data(store)["scorecard"].set_index("id")
    assert (card.loc["IND-MODERATION", "numerator"], card.loc["IND-MODERATION", "denominator"]) == (
        2,
        3,
    )
    assert card.loc["IND-MODERATION", "this"] == 66.7  # d, e and f not compared
    assert card.loc["IND-PRACTICE-GOOD", "this"] == 50.0  # the moderator's grade wins
    assert card.loc["IND-MODERATION", "last"] is None


def test_overdue_actions_per_month_and_the_latest_list_pseudonymised(store):
    data = board_data(store)
    per_month = data["actions_by_month"].set_index("month")
    assert pd.isna(per_month.loc["2026-08", "overdue"]) and per_month.loc["2026-10", "overdue"] == 2
    items = data["actions_overdue"]
    key = store.pseudonym_key()
    assert list(items["child"]) == [pseudonym("CHILD-1", key), pseudonym("CHILD-2", key)]
    assert list(items["days_past_due"]) == [29, 10]
    shown = board_data(store, pseudonymise=False)["actions_overdue"]
    assert list(shown["child"]) == ["CHILD-1", "CHILD-2"]


def test_the_page_is_inert_self_contained_and_prints_on_a4_landscape(store, tmp_path):
    xlsx, page = write_board(store, tmp_path / "b")
    text = page.read_text()
    assert "<script" not in text.lower().replace("&lt;script", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "Team &lt;b&gt;A&lt;/b&gt;" in text and "<b>A</b>" not in text
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", text)
    assert "size: A4 landscape" in text and "break-after: avoid" in text
    assert "break-inside: avoid" in text and "CHILD-1" not in text
    assert text.index("Scorecard") < text.index("Indicators month on month")


def test_the_workbook_opens_on_the_scorecard_fitted_frozen_and_landscape(store, tmp_path):
    xlsx, _ = write_board(store, tmp_path / "b")
    with zipfile.ZipFile(xlsx) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in zf.read(name).decode(), name
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[0] == "Scorecard"
    for ws in wb.worksheets:
        assert ws.freeze_panes, ws.title
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.column_dimensions["A"].width >= 8, ws.title
    ws = wb["Scorecard"]
    header = [c.value for c in ws[1]]
    assert header[:8] == [
        "Indicator",
        "Oct 2026",
        "Sep 2026",
        "Change",
        "Target",
        "RAG",
        "England",
        "Region",
    ]
    assert ws.column_dimensions["A"].width > 40  # "Assessme..." no more
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    asm = rows[BY_ID["IND-ASM-45"].title]
    assert ws.cell(asm, 6).value == "Red" and ws.cell(asm, 6).fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.cell(asm, 7).value == 85.7  # England: the national table's figure
    owners = {c.value for row in wb["Overdue actions"].iter_rows() for c in row}
    assert '=HYPERLINK("http://x")' in owners  # shown as text, never a formula
    assert wb["Trend by area"]._charts and wb["Indicator trends"]._charts


def test_a_board_workbook_someone_changed_is_kept(store, tmp_path):
    out = tmp_path / "b"
    first, _ = write_board(store, out)
    wb = openpyxl.load_workbook(first)
    wb["Scorecard"]["L2"] = "Chair: ask the service for a plan"
    wb.save(first)
    second, _ = write_board(store, out)
    assert second != first and second.exists()
    assert openpyxl.load_workbook(first)["Scorecard"]["L2"].value.startswith("Chair")
    third, _ = write_board(store, out)  # and on every later write
    assert third != first and openpyxl.load_workbook(first)["Scorecard"]["L2"].value


def test_axes_fit_the_data_so_a_two_point_fall_shows():
    lo, hi, step = axis_range([90.0, 88.0])
    assert 80 <= lo < 88 and 90 < hi <= 100 and hi - lo <= 10
    svg = line_chart(["Sep 2026", "Oct 2026"], {"Council": [90.0, 88.0]}, title="t")
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[1] - ys[0] > 20  # pixels between 90 and 88
    assert "Council 88.0" in svg  # the line is named at its end


def test_a_single_month_is_drawn_mid_plot_not_stacked_on_the_axis():
    svg = line_chart(["Oct 2026"], {"A": [95.0], "B": [95.2]}, title="t")
    xs = {float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)}
    assert len(xs) == 1 and xs.pop() > 44 + 50  # the plot starts at x=44
    labels = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" font-size="10.5"', svg)]
    assert abs(labels[0] - labels[1]) >= 12  # close values: the names do not overprint


def test_audit_board_from_the_command_line_with_a_config(store, tmp_path):
    config = tmp_path / "audit.toml"
    config.write_text("[indicators.IND-MODERATION]\ntarget = 80\n")
    db = str(store.engine.url).removeprefix("sqlite:///")
    result = runner.invoke(
        app, ["board", "--out", str(tmp_path / "b"), "--db", db, "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b" / "board.html").exists() and (tmp_path / "b" / "board.xlsx").exists()


def test_regional_and_neighbour_figures_from_the_config_appear_beside_the_national(store, tmp_path):
    config = Config(
        indicators={
            "IND-CLA-REVIEW": {"regional": 91.5, "regional_label": "North West", "neighbours": 93.0}
        }
    )
    xlsx, page = write_board(store, tmp_path / "b", config=config)
    text = page.read_text()
    assert ">North West</th>" in text and "91.5%" in text and "93.0%" in text
    ws = openpyxl.load_workbook(xlsx)["Scorecard"]
    header = [c.value for c in ws[1]]
    assert header[6:9] == ["England", "North West", "Stat. neighbours"]
    row = next(
        r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == BY_ID["IND-CLA-REVIEW"].title
    )
    assert (ws.cell(row, 8).value, ws.cell(row, 9).value) == (91.5, 93.0)
