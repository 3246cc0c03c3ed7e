"""The lapses the large SSD benchmark spreads through its council: each must cause exactly the
findings the generator says it planted (children per rule, and findings per rule for the rules
with one finding per event), read back through the adapter; with no rates, nothing changes."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import fields
from pathlib import Path

import pandas as pd
import pytest

from audits.example.ssd.council import Council, Scale
from audits.example.ssd.lapses import Lapses, lapse, unreadable
from audits.example.ssd.tables import ssd_tables
from audits.pipeline.audit import audit

AS_AT = dt.date(2026, 10, 30)
SMALL = Scale(  # the benchmark's council (benchmarks/ssd_data.py) at a twentieth
    cin=600,
    cp=100,
    cla=300,
    leavers=125,
    contacts=1_000,
    assessments=400,
    s47=150,
    early_help=75,
    years=6,
    cin_days=180,
    cla_visit_days=35,
    cla_review_days=120,
)
RARE = {"duplicate", "impossible_date", "unallocated", "cp_two_years"}
OFTEN = Lapses(
    **{
        f.name: 0.05 if f.name in RARE else 0.65 if f.name == "missing_again" else 0.2
        for f in fields(Lapses)
        if f.name != "unreadable"
    }
)
EVERY_RULE = {
    "ALL-01", "ASM-01", "ASM-02", "ASM-03", "S47-01", "S47-02", "CIN-01", "CP-01", "CP-02",
    "CP-03", "CP-04", "CP-05", "CLA-01", "CLA-02", "CLA-03", "CLA-04", "CLA-05", "CLA-06",
    "CLA-07", "CLA-08", "CL-01", "CL-02", "CL-03", "CL-04", "CL-05", "WF-02", "DQ-01", "DQ-02",
}  # fmt: skip


def council(seed: int, rates: Lapses | None) -> tuple[Council, object]:
    c = Council(AS_AT, random.Random(seed))
    c.build(SMALL)
    return c, (lapse(c, rates) if rates is not None else None)


def findings(tables: dict[str, pd.DataFrame], folder: Path) -> pd.DataFrame:
    folder.mkdir()
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    return audit(str(folder), AS_AT).result.findings


@pytest.mark.parametrize("seed", [5, 6])
def test_every_lapse_causes_exactly_the_findings_planted(seed, tmp_path):
    c, planted = council(seed, OFTEN)
    assert set(planted.children) == EVERY_RULE  # every kind of lapse was drawn
    f = findings(ssd_tables(c), tmp_path / "ssd")
    assert set(f["rule_id"]) == EVERY_RULE  # and no other rule
    for rule, children in planted.children.items():
        assert set(f.loc[f["rule_id"] == rule, "child_id"]) == children, rule
    per_rule = Counter(f["rule_id"])
    for rule, n in planted.events.items():
        if n:
            assert per_rule[rule] == n, rule
    assert planted.events["CIN-01"] > 0 and planted.events["CLA-08"] > 0


def test_unreadable_codes_are_reported_and_hide_nothing_else(tmp_path):
    c, _ = council(5, None)
    tables = ssd_tables(c)
    replaced = unreadable(tables, random.Random(1), 0.05)
    assert replaced > 100
    f = findings(tables, tmp_path / "ssd")
    bad = f[f["rule_id"] == "DQ-04"]
    assert len(bad) > 0.5 * replaced  # those of rows the audit uses (not every person is listed)
    assert set(f["rule_id"]) <= {"DQ-04", "DQ-05"}  # the clean background breaks no other rule


def test_no_rates_draw_nothing():
    plain, _ = council(7, None)
    lapsed, planted = council(7, Lapses())
    assert planted.children == {} and not any(planted.events.values())
    a, b = ssd_tables(plain), ssd_tables(lapsed)
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert plain.rng.random() == lapsed.rng.random()
