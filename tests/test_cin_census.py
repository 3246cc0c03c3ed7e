"""The CIN census adapter: reference files, hand-made returns at the exact boundaries, hostile XML."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree
from typer.testing import CliRunner

from audits.cli import app
from audits.core.calendar import WorkingDayCalendar
from audits.core.errors import InputError
from audits.engine.findings import FINDING_COLUMNS
from audits.ingest.dispatch import load_export
from audits.ingest.returns import ReturnExport
from audits.ingest.schemas import list_schema
from audits.pipeline.audit import audit
from audits.pipeline.outputs import write_outputs
from tests.conftest import d

REFERENCE_FILES = ["fake_CIN_data.xml", "CIN_Census_2024.xml", "CIN_Census_2026.xml"]


def child_xml(
    child_id: str,
    *,
    referral: str = "2025-04-01",
    closure: str | None = None,
    assessments: list[tuple[str, str | None]] = (),
    s47: list[tuple[str, str | None, str | None]] = (),
    plans: list[tuple[str, str | None, list[str]]] = (),
    dob: str = "2015-06-01",
) -> str:
    """One <Child>: assessments (start, authorised), s47 (start, icpc, not required), plans
    (start, end, review dates)."""
    parts = [
        f"<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID>"
        f"<PersonBirthDate>{dob}</PersonBirthDate><Sex>2</Sex></ChildIdentifiers>"
        "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity></ChildCharacteristics><CINdetails>"
        f"<CINreferralDate>{referral}</CINreferralDate><ReferralSource>1A</ReferralSource>"
        "<PrimaryNeedCode>N1</PrimaryNeedCode>"
    ]
    if closure:
        parts.append(f"<CINclosureDate>{closure}</CINclosureDate>")
    for start, authorised in assessments:
        auth = f"<AssessmentAuthorisationDate>{authorised}</AssessmentAuthorisationDate>"
        parts.append(
            f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>"
            f"{auth if authorised else ''}</Assessments>"
        )
    for start, icpc, not_required in s47:
        parts.append(
            f"<Section47><S47ActualStartDate>{start}</S47ActualStartDate>"
            + (f"<DateOfInitialCPC>{icpc}</DateOfInitialCPC>" if icpc else "")
            + (f"<ICPCnotRequired>{not_required}</ICPCnotRequired>" if not_required else "")
            + "</Section47>"
        )
    for start, end, reviews in plans:
        parts.append(
            f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>"
            + (f"<CPPendDate>{end}</CPPendDate>" if end else "")
            + "<Reviews>"
            + "".join(f"<CPPreviewDate>{r}</CPPreviewDate>" for r in reviews)
            + "</Reviews></ChildProtectionPlans>"
        )
    parts.append("</CINdetails></Child>")
    return "".join(parts)


def write_census(
    path: Path, children: list[str], reference: str = "2026-03-31", collection: str = "CIN"
) -> Path:
    path.write_text(
        "<Message><Header><CollectionDetails>"
        f"<Collection>{collection}</Collection><Year>2026</Year>"
        f"<ReferenceDate>{reference}</ReferenceDate></CollectionDetails></Header>\n<Children>\n"
        + "\n".join(children)
        + "\n</Children></Message>\n",
        encoding="utf-8",
    )
    return path


def cp02(run) -> pd.DataFrame:
    f = run.result.findings
    return f[f["rule_id"] == "CP-02"]


# --- the reference files -------------------------------------------------------------------


@pytest.mark.parametrize("name", REFERENCE_FILES)
def test_reference_census_maps_onto_lists_4_to_7_with_every_review(reference, name):
    path = reference / "cin_census" / name
    export = load_export(path)
    assert isinstance(export, ReturnExport)
    tree = etree.parse(str(path))
    header_date = tree.findtext("Header/CollectionDetails/ReferenceDate")
    assert export.reference_date.isoformat() == header_date
    counts = {
        6: len(tree.findall("Children/Child/CINdetails")),
        4: len(tree.findall("Children/Child/CINdetails/Assessments")),
        5: len(tree.findall("Children/Child/CINdetails/Section47")),
        7: len(tree.findall("Children/Child/CINdetails/ChildProtectionPlans")),
    }
    assert export.row_counts() == counts
    for table in export.lists.values():
        list_schema(table.spec).validate(table.frame)  # the Annex A loader's dtypes exactly
    reviews = tree.findall("Children/Child/CINdetails/ChildProtectionPlans/Reviews/CPPreviewDate")
    assert len(export.tables["cp_reviews"].frame) == len(reviews)
    ids = {c.findtext("ChildIdentifiers/LAchildID") for c in tree.findall("Children/Child")}
    assert set(export.lists[6].frame["child_id"]) == ids


def test_reference_census_audited_as_at_its_reference_date(reference):
    run = audit(reference / "cin_census" / "CIN_Census_2026.xml", None)
    assert run.ctx.as_at == d("2024-03-31")
    assert run.summary["statutory_return"]["kind"] == "CIN census XML"
    not_run = {r["rule_id"]: r["reason"] for r in run.summary["rules_not_run"]}
    for rule_id in ("CP-01", "CP-04", "ASM-03", "CIN-01", "ALL-01"):
        assert "(CIN census XML) has no column" in not_run[rule_id]
    assert "CP-02" not in not_run and "ASM-01" not in not_run and "S47-02" not in not_run


def test_latest_review_is_the_latest_of_the_history(reference):
    export = load_export(reference / "cin_census" / "CIN_Census_2024.xml")
    plans, history = export.lists[7].frame, export.tables["cp_reviews"].frame
    latest = history.groupby("_plan")["review_date"].max()
    assert (plans.loc[latest.index, "latest_review"] == latest).all()


# --- CP-02 on the review history: the exact boundaries ----------------------------------------


def test_cp_review_exactly_six_months_after_the_previous_is_met_a_day_later_is_late(tmp_path):
    met = child_xml("MET", plans=[("2025-06-10", None, ["2025-09-10", "2026-03-10"])])
    late = child_xml("LATE", plans=[("2025-06-10", None, ["2025-09-10", "2026-03-11"])])
    run = audit(write_census(tmp_path / "cin.xml", [met, late]), None)
    found = cp02(run)
    assert list(found["child_id"]) == ["LATE"]
    assert found["due_date"].iloc[0] == pd.Timestamp("2026-03-10")
    assert found["days_overdue"].iloc[0] == 1
    assert "completed 11/03/2026" in found["message"].iloc[0]


def test_first_review_judged_against_three_months_with_month_end_clamping(tmp_path):
    # M(30 Nov 2025, 3) = 28 Feb 2026 (clamped); the next due M(28 Feb, 6) = 28 Aug, after D.
    on_time = child_xml("ON-TIME", plans=[("2025-11-30", None, ["2026-02-28"])])
    late = child_xml("LATE", plans=[("2025-11-30", None, ["2026-03-01"])])
    run = audit(write_census(tmp_path / "cin.xml", [on_time, late]), None)
    found = cp02(run)
    assert list(found["child_id"]) == ["LATE"]
    assert found["due_date"].iloc[0] == pd.Timestamp("2026-02-28")


def test_review_late_mid_year_is_a_finding_though_the_latest_is_in_time(tmp_path):
    reviews = ["2025-05-01", "2025-11-20", "2026-03-01"]  # 2nd is 6 months + 19 days after 1st
    child = child_xml("MID", plans=[("2025-02-03", None, reviews)])
    run = audit(write_census(tmp_path / "cin.xml", [child]), None)
    found = cp02(run)
    assert len(found) == 1
    assert found["due_date"].iloc[0] == pd.Timestamp("2025-11-01")
    assert found["value"].iloc[0] == "2025-11-20"
    assert found["days_overdue"].iloc[0] == 19
    # the same plan as an Annex A row (latest review only) gives no finding
    ctx_row = run.ctx.export.lists[7].frame.iloc[0]
    assert ctx_row["latest_review"] == pd.Timestamp("2026-03-01")


def test_history_findings_have_stable_distinct_ids(tmp_path):
    child = child_xml("TWO", plans=[("2025-01-06", None, ["2025-05-01", "2025-12-01"])])
    path = write_census(tmp_path / "cin.xml", [child])
    first, again = audit(path, None), audit(path, None)
    ids = cp02(first)["finding_id"]
    assert len(ids) == 2 and ids.is_unique
    assert list(ids) == list(cp02(again)["finding_id"])


def test_open_plan_with_no_review_is_still_judged_now(tmp_path):
    child = child_xml("NONE", plans=[("2025-10-01", None, [])])
    found = cp02(audit(write_census(tmp_path / "cin.xml", [child]), None))
    assert list(found["due_date"]) == [pd.Timestamp("2026-01-01")]


# --- ASM-01 and S47-02 at the due day, as at the ReferenceDate ---------------------------------


def test_assessment_and_icpc_due_on_the_reference_date_are_met(tmp_path):
    cal = WorkingDayCalendar()
    reference = pd.Series(pd.to_datetime(["2026-03-31"]))
    # the start whose WD(start, 45) is the reference date itself, and the working day before it
    starts = pd.bdate_range(end="2026-03-31", periods=80, freq="C", holidays=cal.holidays)
    due45 = cal.add_working_days(pd.Series(starts), 45)
    on_time = starts[(due45 == reference[0]).to_numpy()][0]
    late = starts[(due45 < reference[0]).to_numpy()][-1]
    children = [
        child_xml("ASM-MET", assessments=[(on_time.date().isoformat(), None)]),
        child_xml("ASM-LATE", assessments=[(late.date().isoformat(), None)]),
        child_xml("S47-BLANK", s47=[("2026-01-05", None, None)]),
        child_xml("S47-NOTREQ", s47=[("2026-01-05", None, "true")]),
    ]
    run = audit(write_census(tmp_path / "cin.xml", children), None)
    f = run.result.findings
    assert list(f.loc[f["rule_id"] == "ASM-01", "child_id"]) == ["ASM-LATE"]
    assert list(f.loc[f["rule_id"] == "S47-02", "child_id"]) == ["S47-BLANK"]


# --- outputs, refusal and unreadable values ----------------------------------------------------


def test_outputs_work_unchanged_on_a_census(tmp_path):
    child = child_xml("OUT", plans=[("2025-01-06", None, ["2025-05-01"])])
    run = audit(write_census(tmp_path / "cin.xml", [child]), None)
    workbook = write_outputs(run, tmp_path / "out")
    assert workbook.exists()
    findings = pd.read_csv(tmp_path / "out" / "findings.csv", dtype=str, keep_default_na=False)
    assert list(findings.columns) == FINDING_COLUMNS
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["as_at"] == "2026-03-31"
    assert summary["statutory_return"]["histories"] == {"cp_reviews": 1}


def test_unreadable_dates_in_the_xml_are_reported_with_their_line(tmp_path):
    child = child_xml("BAD", plans=[("2025-13-45", None, ["not a date"])])
    run = audit(write_census(tmp_path / "cin.xml", [child]), None)
    bad = run.ctx.export.unreadable
    assert set(bad["column"]) == {"CPPstartDate", "CPPreviewDate"}
    assert (bad["row"] >= 1).all()
    dq = run.result.findings
    assert (dq["rule_id"] == "DQ-04").sum() == 2


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Message [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<Message><Header><CollectionDetails><Collection>CIN</Collection>
<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails></Header>
<Children><Child><ChildIdentifiers><LAchildID>&d;</LAchildID></ChildIdentifiers></Child>
</Children></Message>
"""


def test_billion_laughs_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "return.xml"
    path.write_text(BILLION_LAUGHS)
    with pytest.raises(InputError, match="DOCTYPE") as caught:
        load_export(path)
    assert "return.xml" in str(caught.value)
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "DOCTYPE" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<Message><Header><CollectionDetails><Collection>CIN", "cannot be read"),
        ("<Report><Row/></Report>", "not a CIN census"),
    ],
)
def test_broken_or_foreign_xml_is_refused_clearly(tmp_path, text, message):
    path = tmp_path / "x.xml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_export(path)


def test_another_collection_is_refused(tmp_path):
    path = write_census(tmp_path / "x.xml", [child_xml("A")], collection="SSDA903")
    with pytest.raises(InputError, match="not CIN"):
        load_export(path)


def test_recognised_by_content_not_by_name(tmp_path):
    path = write_census(tmp_path / "export.xlsx", [child_xml("A")])  # a misleading name
    assert isinstance(load_export(path), ReturnExport)


def test_given_as_at_overrides_the_reference_date(tmp_path):
    path = write_census(tmp_path / "cin.xml", [child_xml("A")])
    run = audit(path, d("2026-04-30"))
    assert run.ctx.as_at == d("2026-04-30")
    assert run.summary["statutory_return"]["as_at_from"] == "--as-at"


def test_moderation_and_board_work_on_a_census(tmp_path):
    import openpyxl

    child = child_xml("MOD", plans=[("2025-01-06", None, ["2025-05-01"])])
    path = write_census(tmp_path / "cin.xml", [child])
    db = str(tmp_path / "history.sqlite")
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "o"), "--db", db])
    assert result.exit_code == 0, result.output
    assert "As at 31/03/2026" in result.output
    wb = openpyxl.load_workbook(tmp_path / "o" / "audit.xlsx")
    ws = wb["Findings"]
    rows = list(ws.iter_rows(values_only=True, max_row=60))
    at = next(i for i, row in enumerate(rows) if "Finding ID" in row)
    columns = {str(v).strip(): i + 1 for i, v in enumerate(rows[at]) if v is not None}
    ws.cell(at + 2, columns["Moderator decision"]).value = "Agree"
    wb.save(tmp_path / "reviewed.xlsx")
    result = runner.invoke(app, ["moderate", str(tmp_path / "reviewed.xlsx"), "--db", db])
    assert result.exit_code == 0, result.output
    assert "Stored 1 entry on 1 finding(s)" in result.output
    result = runner.invoke(app, ["board", "--out", str(tmp_path / "b"), "--db", db])
    assert result.exit_code == 0, result.output


def test_audit_rules_says_where_a_history_makes_a_rule_stronger():
    result = CliRunner().invoke(app, ["rules"])
    text = result.output
    assert "With the review history (CIN census, SSD)" in text
    assert "With the review history (SSDA903, SSD)" in text
    assert "On an SSDA903 return (no dates)" in text


def test_a_namespaced_census_in_utf16_is_read(tmp_path):
    path = write_census(tmp_path / "plain.xml", [child_xml("NS", plans=[("2025-10-01", None, [])])])
    text = path.read_text().replace("<Message>", '<Message xmlns="http://www.dcsf.gov.uk/CIN">', 1)
    utf16 = tmp_path / "ns.xml"
    utf16.write_text(
        text.replace("<Message", '<?xml version="1.0" encoding="UTF-16"?>\n<Message', 1),
        encoding="utf-16",
    )
    export = load_export(utf16)
    assert list(export.lists[7].frame["child_id"]) == ["NS"]
    assert export.reference_date == d("2026-03-31")
