"""The board you can trust and compare (issue 21): the council's published figures and its
statistical neighbours beside its own, definitions matched or the difference said, year-end
reconciliation, nothing silently wrong, one rule for the months of moderation and practice
grades, and a board that reads only what it shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from audits.board.charts import bar_chart, line_chart
from audits.board.data import board_data
from audits.board.html import render
from audits.board.pack import write_board
from audits.cli import app
from audits.core.config import Config
from audits.core.errors import InputError
from audits.history import CARRIED_DECISION, Store
from audits.history.schema import run_board, run_changes
from audits.indicators import published as pub
from audits.indicators.comparators import describe, national, rag
from audits.indicators.definitions import BY_ID, INDICATORS
from audits.indicators.settings import load_config
from tests.conftest import ROOT

runner = CliRunner()
SAMPLE = ROOT / "sample_exports"


def run_sample(tmp_path: Path, as_at: str, config: str | None = None, name: str = "o") -> dict:
    args = ["run", str(SAMPLE), "--as-at", as_at, "--out", str(tmp_path / name), "--no-history"]
    if config is not None:
        (tmp_path / "audit.toml").write_text(config)
        args += ["--config", str(tmp_path / "audit.toml")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads((tmp_path / name / "summary.json").read_text())


# --- the council and its neighbours in summary.json ------------------------------------------------


@pytest.fixture(scope="module")
def bradford(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("bradford")
    return run_sample(tmp, "2026-10-30", 'la_code = "E08000032"\n')


def test_each_paired_indicator_carries_the_councils_published_figures(bradford):
    found = {i["id"]: i for i in bradford["indicators"]}
    assert bradford["council"]["la_code"] == "380" and bradford["council"]["la_name"] == "Bradford"
    assert len(bradford["council"]["neighbours"]) == 10
    assert "Open Government Licence v3.0" in bradford["published_attribution"]
    for ind in INDICATORS:
        if ind.compute is None:
            continue
        cids = pub.comparator_ids(ind.id)
        record = found[ind.id]["published"]
        if len(cids) == 1:  # the DESIGN §3b object, as the lookup gives it for Bradford
            assert record == pub.published(cids[0], "380"), ind.id
            assert set(record) == {"match", "council", "neighbours", "region", "england", "source"}
        else:
            assert record is None, ind.id
    repeat = found["IND-CP-REPEAT"]["published"]
    assert repeat["council"]["la_name"] == "Bradford" and repeat["region"]["name"] == (
        "Yorkshire and The Humber"
    )
    assert repeat["neighbours"]["count"] <= 10 and repeat["match"].startswith("near: ")
    assert found["IND-CP-2YR"]["published"]["match"] == "like for like"


def test_rag_stays_against_the_target_else_national_else_england(bradford, tmp_path):
    found = {i["id"]: i for i in bradford["indicators"]}
    assert found["IND-ASM-45"]["rag_against"] == "national"  # the national table's own
    repeat = found["IND-CP-REPEAT"]
    assert repeat["rag_against"] == "england" and repeat["national"] is None
    england = repeat["published"]["england"]["value"]
    assert repeat["rag"] == rag(repeat["value"], "lower", england, 5) != "n/a"
    targeted = run_sample(tmp_path, "2026-10-30", "[indicators.IND-CP-REPEAT]\ntarget = 1\n")
    own = {i["id"]: i for i in targeted["indicators"]}["IND-CP-REPEAT"]
    assert own["rag_against"] == "target"
    # no council named: England alone, of its latest published year
    assert own["published"]["council"] is None and own["published"]["neighbours"] is None
    assert own["published"]["england"] == pub.published("IND-CP-REPEAT", "380")["england"]
    assert targeted["council"] is None


def test_caseload_national_figure_is_the_shipped_2025_census():
    caseload = national()["IND-CASELOAD"]
    england = pub.published("IND-CASELOAD", None)["england"]
    assert caseload.value == england["value"] and caseload.period == england["period"]


@pytest.mark.parametrize(
    "code, said",
    [
        ('"999"', "Unknown la_code '999'"),
        ('"E99999999"', "Unknown la_code 'E99999999'"),
        ('"909"', "former council"),
        ("true", "must be a council's code"),
    ],
)
def test_an_unknown_la_code_is_refused_by_name(tmp_path, code, said):
    config = tmp_path / "audit.toml"
    config.write_text(f"la_code = {code}\n")
    with pytest.raises(InputError, match=re.escape(said)):
        load_config(config)
    result = runner.invoke(
        app, ["run", str(SAMPLE), "--as-at", "2026-10-30", "--out", str(tmp_path / "o"),
              "--no-history", "--config", str(config)]
    )  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert str(config) in result.output


def test_la_code_in_either_form_or_as_a_number():
    for written in ('"380"', "380", '" e08000032 "'):
        assert load_config_text(written).la_code == "380"


def load_config_text(code: str) -> Config:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audit.toml"
        path.write_text(f"la_code = {code}\n")
        return load_config(path)


# --- year-end reconciliation --------------------------------------------------------------------------


def test_a_year_end_run_is_set_beside_the_councils_published_figure(tmp_path):
    summary = run_sample(tmp_path, "2025-03-31", 'la_code = "380"\n')
    rows = {r["id"]: r for r in summary["reconciliation"]["rows"]}
    found = {i["id"]: i for i in summary["indicators"]}
    assert "IND-CASELOAD" not in rows  # the workforce census is at 30 September
    assert {"IND-CP-REPEAT", "IND-CP-2YR", "IND-CLA-STABILITY", "IND-CL-EET-17-18"} <= set(rows)
    for ind_id, row in rows.items():
        published = pub.council_figure(row["comparator"], "380", 2025)
        assert row["published"]["value"] == published["value"], ind_id
        assert row["ours"]["value"] == found[ind_id]["value"]
        if row["ours"]["value"] is not None and published["value"] is not None:
            assert row["difference"] == round(row["ours"]["value"] - published["value"], 1)
            assert row["large"] == (abs(row["difference"]) > 5)
    census = run_sample(tmp_path, "2025-09-30", 'la_code = "380"\n', name="sep")
    assert [r["id"] for r in census["reconciliation"]["rows"]] == ["IND-CASELOAD"]
    assert (
        run_sample(tmp_path, "2025-10-31", 'la_code = "380"\n', name="oct")["reconciliation"]
        is None
    )
    ahead = run_sample(tmp_path, "2026-03-31", 'la_code = "380"\n', name="mar26")
    assert ahead["reconciliation"]["rows"] == []
    assert "not in the shipped tables (they hold 2021 to 2025)" in ahead["reconciliation"]["note"]
    workbook = openpyxl.load_workbook(tmp_path / "o" / "audit.xlsx")["Summary"]
    texts = [str(c.value) for row in workbook.iter_rows() for c in row if c.value is not None]
    assert any(t.startswith("Year-end reconciliation") for t in texts)
    assert any(
        t.startswith("Child protection plans that are a second") and "IND-CP-REPEAT" in t
        for t in texts
    )


# --- the history store: what the board reads ---------------------------------------------------


def finding_rows(ids: list[str], days: int = 5) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "finding_id": ids,
            "rule_id": "CLA-01",
            "severity": "Error",
            "area": "Children in care",
            "list": "8",
            "child_id": [f"child-{i}" for i in ids],
            "team": "T",
            "worker": "W",
            "due_date": "2026-09-01",
            "days_overdue": [days + n for n in range(len(ids))],
            "field": "latest_review",
            "value": None,
            "message": "Statutory review overdue",
            "first_raised": "2026-09",
        }
    )


def summary_of(as_at: str, run_at: str | None = None, **extra) -> dict:
    ind = BY_ID["IND-CLA-REVIEW"]
    return {
        "as_at": as_at,
        "run_at": run_at or f"{as_at}T09:00:00",
        "export": "export.xlsx",
        "version": "test",
        "scores": {"by_area": [], "by_team": []},
        "indicators": [describe(ind, 90.0, 9, 10, None, Config())],
        **extra,
    }


def record(store: Store, as_at: str, ids: list[str], run_at: str | None = None, **extra) -> int:
    return store.record_run(summary_of(as_at, run_at, **extra), finding_rows(ids), [])


def decide(
    store: Store, decisions: dict[str, str], when: str, field: str = "moderator_decision"
) -> None:
    store.store_entries(
        pd.DataFrame(
            {
                "finding_id": list(decisions),
                "field": field,
                "value": list(decisions.values()),
                "entered_at": when,
                "entered_by": "M",
                "rule_id": "CLA-01",
                "team": "T",
                "workbook": "audit.xlsx",
                "workbook_sha256": f"sha-{when}",
                "row": range(2, 2 + len(decisions)),
            }
        )
    )


def test_new_persisting_and_resolved_come_from_counts_kept_with_each_run(tmp_path, monkeypatch):
    store = Store.open(tmp_path / "h.sqlite")
    record(store, "2026-09-30", ["a", "b", "c"])
    record(store, "2026-10-30", ["b", "c", "d", "e"])
    record(store, "2026-11-30", ["c", "e"])
    decide(store, {"b": CARRIED_DECISION}, "2026-11-10T10:00:00")  # set aside: not resolved

    def no_findings(self, name):
        assert name != "findings", "the board read every finding"
        return Store.table.__wrapped__(self, name)

    no_findings.__wrapped__ = Store.table
    monkeypatch.setattr(Store, "table", no_findings)
    monkeypatch.setattr(Store, "run_summaries", lambda self: pytest.fail("read every summary"))
    changes = board_data(store)["changes"].set_index("month")
    assert changes.loc["2026-09"].to_dict() == {
        "findings": 3, "new": 3, "persisting": 0, "resolved": 0
    }  # fmt: skip
    assert changes.loc["2026-10"].to_dict() == {
        "findings": 4, "new": 2, "persisting": 2, "resolved": 1  # a resolved
    }  # fmt: skip
    assert changes.loc["2026-11"].to_dict() == {
        "findings": 2, "new": 0, "persisting": 2, "resolved": 1  # d resolved, b set aside
    }  # fmt: skip


def test_a_month_audited_again_out_of_order_and_a_store_from_before_v6(tmp_path):
    store = Store.open(tmp_path / "h.sqlite")
    record(store, "2026-11-30", ["c", "e"])  # recorded first: nothing earlier to compare
    record(store, "2026-10-30", ["b", "c", "d", "e"])
    expected = {"findings": 2, "new": 0, "persisting": 2, "resolved": 2}
    assert board_data(store)["changes"].iloc[-1].drop("month").to_dict() == expected
    with store.engine.begin() as conn:  # what a store written before v6 holds
        conn.execute(run_board.delete())
        conn.execute(run_changes.delete())
    data = board_data(store)
    assert data["changes"].iloc[-1].drop("month").to_dict() == expected
    assert data["scorecard"].set_index("id").loc["IND-CLA-REVIEW", "this"] == 90.0
    with store.engine.connect() as conn:  # worked out once, and kept
        assert conn.execute(sa.select(sa.func.count()).select_from(run_board)).scalar() == 2


def test_the_longest_overdue_are_the_latest_runs_most_overdue_errors(tmp_path):
    store = Store.open(tmp_path / "h.sqlite")
    record(
        store,
        "2026-09-30",
        [f"s{i}" for i in range(30)],
    )
    record(store, "2026-10-30", [f"o{i}" for i in range(30)])
    overdue = board_data(store, pseudonymise=False)["overdue"]
    assert len(overdue) == 20 and list(overdue["days_overdue"]) == list(range(34, 14, -1))
    assert set(overdue["child"]) <= {f"child-o{i}" for i in range(30)}


# --- one rule for the months of moderation and practice grades ---------------------------------


def test_decisions_made_after_the_last_run_count_in_the_month_they_review(tmp_path):
    store = Store.open(tmp_path / "h.sqlite")
    record(store, "2026-10-30", ["a"], run_at="2026-11-02T09:00:00")
    ids = [f"f{i}" for i in range(18)]
    record(store, "2026-11-30", ids, run_at="2026-12-01T09:00:00")
    # manager-QA agreement (issue 22): the team manager agreed all 18, the QA moderator 10
    decide(store, dict.fromkeys(ids, "Agree"), "2026-12-08T10:00:00", "manager_decision")
    decide(store, {f: "Agree" if i < 10 else "Disagree — data error in export"
                   for i, f in enumerate(ids)}, "2026-12-09T10:00:00")  # fmt: skip
    store.record_sample("2026-11", pd.DataFrame({"child_id": ["1", "2"], "team": "T",
                                                 "reason": "r"}))  # fmt: skip
    store.record_grades(
        "2026-11",
        pd.DataFrame({"child_id": ["1", "2"], "team": "T", "auditor": "x",
                      "auditor_grade": ["Good", "Inadequate"], "moderator_grade": None,
                      "escalate": False}),
        "sha", "2026-12-20T10:00:00",
    )  # fmt: skip
    data = board_data(store)
    card = data["scorecard"].set_index("id")
    assert (card.loc["IND-MODERATION", "numerator"], card.loc["IND-MODERATION", "denominator"]) == (
        10,
        18,
    )
    assert (
        card.loc["IND-MODERATION", "this"] == 55.6 and card.loc["IND-PRACTICE-GOOD", "this"] == 50
    )
    assert list(data["moderation_by_month"]["month"]) == ["2026-11"]  # the later page agrees
    assert list(data["practice"]["month"]) == ["2026-11"]
    page = render(data)
    assert "Dec 2026" not in page and "Audit month reviewed" in page
    assert page.count("count in the audit month they review") >= 2  # said on both pages
    reason = card.loc["IND-MODERATION", "reason"]
    assert reason is None
    before_any = Store.open(tmp_path / "b.sqlite")
    record(before_any, "2026-11-30", ["x"], run_at="2026-12-01T09:00:00")
    decide(before_any, {"x": "Agree"}, "2026-11-19T10:00:00", "manager_decision")
    decide(before_any, {"x": "Agree"}, "2026-11-20T10:00:00")
    early = board_data(before_any)
    assert early["moderation_unattributed"] == 1 and early["moderation_by_month"].empty
    assert (
        "no moderation decision reviews this audit month"
        in early["scorecard"].set_index("id").loc["IND-MODERATION", "reason"]
    )


# --- the scorecard: comparators, n/a and –, pp, warnings ---------------------------------------


@pytest.fixture
def council_store(tmp_path) -> Store:
    store = Store.open(tmp_path / "h.sqlite")
    for as_at, value, caseload in (("2026-09-30", 30.0, 17.2), ("2026-10-30", 25.0, 16.1)):
        config = Config(la_code="380")
        summary = summary_of(as_at)
        summary["indicators"] = [
            describe(BY_ID["IND-CP-REPEAT"], value, value, 100, None, config),
            describe(BY_ID["IND-CASELOAD"], caseload, caseload * 10, 10, None, config),
            describe(BY_ID["IND-CLA-REVIEW"], 96.0, 96, 100, None, config),
            describe(BY_ID["IND-CLA-STABILITY"], None, None, None,
                     "List 8 column 'Number of Placements in the Last 12 months' is blank in "
                     "every row (the export may not fill it)", config),
        ]  # fmt: skip
        summary["council"] = {"la_code": "380"}
        summary["warnings"] = [
            {
                "kind": "blank column",
                "list": 8,
                "column": "Number of Placements in the Last 12 months",
                "rules": ["CLA-06"],
                "message": f"{as_at}: List 8 column 'Number of Placements in the Last 12 "
                "months' is blank in every row; the findings of CLA-06 rest on it",
            }
        ]
        store.record_run(summary, finding_rows(["a"]), [])
    return store


def test_the_scorecard_shows_the_council_its_neighbours_region_and_england(council_store):
    data = board_data(council_store)  # the council of the latest run
    card = data["scorecard"].set_index("id")
    repeat = card.loc["IND-CP-REPEAT"]
    expected = pub.published("IND-CP-REPEAT", "380")
    assert repeat["council_dfe"] == expected["council"]["value"]
    assert repeat["neighbours"] == expected["neighbours"]["median"]
    assert repeat["neighbours_count"] == expected["neighbours"]["count"]
    assert (repeat["neighbours_min"], repeat["neighbours_max"]) == (
        expected["neighbours"]["min"],
        expected["neighbours"]["max"],
    )
    assert repeat["region"] == expected["region"]["value"]
    assert repeat["england"] == expected["england"]["value"]
    assert repeat["match"] == expected["match"] and repeat["rag_against"] == "england"
    assert repeat["change"] == "▼ −5.0 pp" and repeat["judgement"] == "better"
    assert card.loc["IND-CASELOAD", "change"] == "▼ −1.1 per FTE"
    assert data["council"]["la_name"] == "Bradford" and data["attribution"]
    other = board_data(council_store, config=Config(la_code="353"))  # the board's own config
    assert other["council"]["la_name"] == "Oldham"


def test_na_always_says_why_and_a_dash_means_nothing_to_compare(council_store, tmp_path):
    data = board_data(council_store)
    card = data["scorecard"]
    for r in card.itertuples(index=False):
        if r.this is None:
            assert r.reason, r.id  # n/a always carries its reason
            assert r.rag == "n/a"
    xlsx, page = write_board(council_store, tmp_path / "b")
    text = page.read_text()
    assert "n/a: List 8 column &#x27;Number of Placements" in text
    ws = openpyxl.load_workbook(xlsx)["Scorecard"]
    header = [c.value for c in ws[1]]
    rows = {ws.cell(r, 1).value: [c.value for c in ws[r]] for r in range(2, len(card) + 2)}
    rag, why = header.index("RAG"), header.index("Counted (or why n/a)")
    stability = rows[BY_ID["IND-CLA-STABILITY"].title]
    assert stability[1] == "n/a" and stability[rag] == "n/a" and stability[why].startswith("n/a: ")
    review = rows[BY_ID["IND-CLA-REVIEW"].title]  # a value, nothing to compare it with
    assert review[1] == 96.0 and review[rag] == "–" and review[header.index("England")] == "–"
    asm = rows[BY_ID["IND-ASM-45"].title]  # not computed by these runs
    assert (
        asm[1] == "n/a"
        and asm[why] == "n/a: not computed by this run (recorded before this indicator existed)"
    )


def test_the_first_page_lists_the_months_export_warnings(council_store, tmp_path):
    xlsx, page = write_board(council_store, tmp_path / "b")
    text = page.read_text()
    scorecard = text[text.index('<section class="scorecard">') : text.index("</section>")]
    assert "2026-10-30: List 8 column" in scorecard and "2026-09-30: List 8" not in scorecard
    notes = [c.value for row in openpyxl.load_workbook(xlsx)["Scorecard"].iter_rows() for c in row]
    assert any(str(n).startswith("Warning: 2026-10-30: List 8 column") for n in notes)


def test_one_line_per_dfe_pairing_on_the_scorecard_and_in_audit_indicators(council_store):
    text = render(board_data(council_store))
    scorecard = text[text.index('<section class="scorecard">') : text.index("</section>")]
    t = pub.shipped()
    listing = runner.invoke(app, ["indicators"])
    assert listing.exit_code == 0
    for cid, pair in t.pairs.items():
        line = f"<b>{cid}</b>: {pair['match']}".replace("'", "&#x27;")
        assert scorecard.count(line) == 1, cid  # every pairing, once
        assert listing.output.count(pair["match"]) == 1, cid
        assert len(pair["match"]) <= 180, cid  # one printed line on the A4 landscape scorecard
    assert "by age band only, see IND-CL-EET-17-18 and IND-CL-EET-19-21" in listing.output


# --- charts ---------------------------------------------------------------------------------------


def test_a_cut_axis_is_marked_and_each_chart_says_which_way_is_better():
    cut = line_chart(["Sep", "Oct"], {"Council": [99.0, 96.0]}, title="t", better="higher")
    assert "▲ higher is better; axis cut: starts at" in cut and "<path d=" in cut
    whole = line_chart(["Sep", "Oct"], {"Council": [1.0, 3.0]}, title="t", better="lower")
    assert "▼ lower is better" in whole and "axis cut" not in whole and "<path d=" not in whole
    bars = bar_chart(["Sep"], {"New": [3.0]}, title="t", note="fewer is better; axis from 0")
    assert "fewer is better" in bars


def test_every_chart_of_the_pack_says_which_way_is_better(council_store):
    text = render(board_data(council_store))
    charts = re.findall(r"<svg.*?</svg>", text, flags=re.S)
    assert charts and all("is better" in chart for chart in charts)
