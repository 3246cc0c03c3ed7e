"""The real public workbooks in ../shared/reference (skipped where that folder is absent)."""

from __future__ import annotations

import pytest

from audits.core.errors import InputError
from audits.pipeline.audit import audit
from tests.conftest import d

WORKBOOKS = [
    "la_export_example_a_legacy.xls",
    "la_export_example_b.xlsx",
    "liia_annex_a_2024_headers.xlsx",
    "liia_annex_a_messy.xlsx",
    "ofsted_template_2019_a.xlsx",
    "ofsted_template_2019_b_sheetname_quirk.xlsx",
]


@pytest.mark.parametrize("name", WORKBOOKS)
def test_every_reference_workbook_is_audited_or_refused_clearly(reference, name):
    try:
        run = audit(reference / "annex_a" / name, d("2021-03-31"))
    except InputError as exc:
        text = str(exc)
        assert name in text and "Expected:" in text
        return
    findings = run.result.findings
    assert run.summary["lists"], "no list recognised"
    assert set(findings["child_id"]) - {""} <= _child_ids(run), (
        "a finding names a child not in the input"
    )


def _child_ids(run) -> set[str]:
    ids = set()
    for table in run.ctx.export.lists.values():
        if "child_id" in table.frame:
            ids |= set(table.frame["child_id"].dropna())
    return ids


def test_messy_workbook_details(reference):
    run = audit(reference / "annex_a" / "liia_annex_a_messy.xlsx", d("2021-03-31"))
    export = run.ctx.export
    assert export.lists[9].layout.startswith("2019")
    assert {"CL-01", "CL-02", "CL-04"} <= {r["rule_id"] for r in run.summary["rules_not_run"]}
    assert "10692868" in set(export.lists[4].frame["child_id"])  # never 10692868.0
    assert export.lists[8].frame["uasc"].notna().all()  # heading typo '(Y/N))' still recognised
    assert export.lists[3].frame["worker"].str.contains("\u00a0").sum() == 0
    f = run.result.findings
    assert (f[(f.rule_id == "ALL-01") & (f.list == "6")].shape[0]) == 5  # '#N/A' workers are blank


def test_2024_layout_workbook(reference):
    run = audit(reference / "annex_a" / "liia_annex_a_2024_headers.xlsx", d("2021-03-31"))
    export = run.ctx.export
    assert export.lists[9].layout.startswith("2024")
    not_run = {r["rule_id"] for r in run.summary["rules_not_run"]}
    assert not {"CL-01", "CL-02", "CL-04"} & not_run
    # the new 2024 columns are empty in this file: flagged as not recorded, nothing invented
    f = run.result.findings
    cl = f[f.rule_id.isin(["CL-01", "CL-02", "CL-04"])]
    assert len(cl) == 3 * len(export.lists[9].frame)
    assert (cl["value"] == "").all()


def test_legacy_xls_dates(reference):
    run = audit(reference / "annex_a" / "la_export_example_a_legacy.xls", d("2021-03-31"))
    contacts = run.ctx.export.lists[1].frame
    assert contacts["contact_date"].notna().all()
