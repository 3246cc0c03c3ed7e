"""The synthetic SSD end to end: its manifest from the CSV dumps, SQLite and PostgreSQL; the same
council as an Annex A export; and the two inputs agreeing child for child on every rule both
can judge, the SSD finding more only where its histories show a lapse Annex A cannot."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from audits.cli import app
from audits.example.ssd.write import write_ssd_example
from audits.pipeline.audit import audit
from tests.conftest import d

runner = CliRunner()
LOCAL_RULES = {"MO-01", "CL-06"}  # local tables: beside the CSV dumps, never in the database
HISTORY_ONLY = {"CP-05", "CLA-08", "WF-02"}  # rules only the SSD's histories can feed


def expected(manifest: pd.DataFrame, inputs: set[str], rules: set[str] | None = None) -> Counter:
    m = manifest[manifest["inputs"].isin(inputs)]
    if rules is not None:
        m = m[m["rule_id"].isin(rules)]
    return Counter(zip(m["rule_id"], m["child_id"], m["due_date"], m["days_overdue"], strict=True))


def found(findings: pd.DataFrame, rules: set[str] | None = None) -> Counter:
    f = findings if rules is None else findings[findings["rule_id"].isin(rules)]
    due = pd.to_datetime(f["due_date"]).dt.strftime("%Y-%m-%d").fillna("")
    overdue = f["days_overdue"].astype("string").fillna("")
    return Counter(zip(f["rule_id"], f["child_id"], due, overdue, strict=True))


def in_csv(path: Path) -> Counter:
    """The findings of a findings.csv as the manifest states them."""
    f = pd.read_csv(path, dtype=str, keep_default_na=False)
    return Counter(zip(f["rule_id"], f["child_id"], f["due_date"], f["days_overdue"], strict=True))


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, dt.date]:
    out = tmp_path_factory.mktemp("ssd-example")
    as_at = d("2026-10-30")
    result = runner.invoke(app, ["example-ssd", "--out", str(out), "--as-at", "2026-10-30"])
    assert result.exit_code == 0, result.output
    return out, as_at


def test_the_ssd_csv_dumps_give_exactly_the_manifest(example, tmp_path):
    out, _ = example
    result = runner.invoke(
        app,
        [
            "run",
            str(out / "ssd"),
            "--as-at",
            "2026-10-30",
            "--out",
            str(tmp_path / "o"),
            "--no-history",
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = pd.read_csv(out / "manifest.csv", dtype=str, keep_default_na=False)
    assert in_csv(tmp_path / "o" / "findings.csv") == expected(manifest, {"both", "ssd"})
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert set(summary["rules_run"]) >= {"CP-05", "CLA-08", "WF-02", "WF-01", "MO-01", "CL-06"}
    assert {r["rule_id"] for r in summary["rules_not_run"]} == set()  # List 10 has no rule
    assert set(manifest["inputs"]) == {"both", "ssd", "annex_a"}


def test_the_same_council_as_annex_a_gives_its_part_of_the_manifest(example):
    out, as_at = example
    manifest = pd.read_csv(out / "manifest.csv", dtype=str, keep_default_na=False)
    run = audit(out / f"annex_a_{as_at:%Y-%m}.xlsx", as_at)
    assert found(run.result.findings) == expected(manifest, {"both", "annex_a"})


def test_ssd_and_annex_a_agree_child_for_child_on_every_rule_both_judge(example):
    """The consistency of DESIGN §1b: where both inputs can judge a rule, the same children are
    found; the SSD's extra findings are exactly its history findings (a late visit or review
    mid-period whose latest is in time), each saying when it was completed."""
    out, as_at = example
    ssd = audit(out / "ssd", as_at)
    annex = audit(out / f"annex_a_{as_at:%Y-%m}.xlsx", as_at)
    both = set(ssd.summary["rules_run"]) & set(annex.summary["rules_run"])
    assert both >= {
        "ASM-01",
        "CIN-01",
        "CP-01",
        "CP-02",
        "CLA-01",
        "CLA-02",
        "CLA-05",
        "CL-01",
        "ALL-01",
        "WF-01",
        "MO-01",
        "CL-06",
        "DQ-01",
    }
    assert not both & HISTORY_ONLY
    judged = both - {"DQ-05"}  # the suites run on both; no expectation is planted

    def children(run) -> Counter:
        f = run.result.findings
        f = f[f["rule_id"].isin(judged)]
        return Counter(set(zip(f["rule_id"], f["child_id"], strict=True)))

    extra = children(ssd) - children(annex)
    assert not children(annex) - children(ssd)
    f = ssd.result.findings
    history = f[f["rule_id"].isin(judged) & f["message"].str.contains("— completed")]
    # every extra is a history finding, and the rule's current-state finding is absent
    assert set(extra) <= set(zip(history["rule_id"], history["child_id"], strict=True))
    assert {r for r, _ in extra} == {"CIN-01", "CP-01", "CP-02", "CLA-01", "CLA-02"}
    manifest = pd.read_csv(out / "manifest.csv", dtype=str, keep_default_na=False)

    def pairs(inputs: set[str]) -> set:
        m = manifest[manifest["inputs"].isin(inputs) & manifest["rule_id"].isin(judged)]
        return set(zip(m["rule_id"], m["child_id"], strict=True))

    assert set(extra) == pairs({"ssd"}) - pairs({"both", "annex_a"})


@pytest.mark.parametrize(
    "seed, as_at",
    [(3, "2026-04-07"), (5, "2025-12-29"), (6, "2027-03-01")],  # Easter, Christmas, month end
)
def test_the_manifest_holds_whatever_the_seed_and_date(tmp_path, seed, as_at):
    day = d(as_at)
    write_ssd_example(tmp_path / "ex", day, seed=seed, children=15, sqlite=False)
    manifest = pd.read_csv(tmp_path / "ex" / "manifest.csv", dtype=str, keep_default_na=False)
    assert found(audit(tmp_path / "ex" / "ssd", day).result.findings) == expected(
        manifest, {"both", "ssd"}
    )
    annex = audit(tmp_path / "ex" / f"annex_a_{day:%Y-%m}.xlsx", day).result.findings
    assert found(annex) == expected(manifest, {"both", "annex_a"})


def test_postgresql_with_a_schema_read_only_and_no_password_anywhere(postgres_url, tmp_path):
    """The SSD in PostgreSQL (the path a council's database takes): loaded by the generator into
    a schema, read with --schema through a URL carrying a password, audited, recorded."""
    as_at = d("2026-10-30")
    written = write_ssd_example(
        tmp_path / "ex",
        as_at,
        children=20,
        database=postgres_url,
        schema="ssd_development",
        sqlite=False,
        annex_a=False,
    )
    url = sa.engine.make_url(postgres_url).set(password="s3cret-pw").render_as_string(False)
    out, store = tmp_path / "o", tmp_path / "store.sqlite"
    result = runner.invoke(
        app,
        [
            "run",
            url,
            "--schema",
            "ssd_development",
            "--as-at",
            "2026-10-30",
            "--out",
            str(out),
            "--db",
            str(store),
        ],
    )
    assert result.exit_code == 0, result.output
    manifest = pd.read_csv(written["manifest"], dtype=str, keep_default_na=False)
    got = in_csv(out / "findings.csv")
    rules = set(manifest["rule_id"]) - LOCAL_RULES
    assert got == expected(manifest, {"both", "ssd"}, rules)
    not_run = {
        r["rule_id"]: r["reason"]
        for r in json.loads((out / "summary.json").read_text())["rules_not_run"]
    }
    assert "schema ssd_development" in not_run["MO-01"] or "no such table" in not_run["MO-01"]
    for path in [*out.rglob("*"), store]:
        if path.is_file():
            assert b"s3cret-pw" not in path.read_bytes(), path
    assert "s3cret-pw" not in result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["export"].endswith("(schema ssd_development)")
    assert summary["ssd"]["tables_read"]["ssd_cp_visits"] > 0
    from audits.ingest.ssd.source import DatabaseSource

    source = DatabaseSource(url, "ssd_development")
    try:
        with (
            source.engine.connect() as conn,
            pytest.raises(sa.exc.SQLAlchemyError, match="read-only"),
        ):
            conn.exec_driver_sql("CREATE TABLE ssd_development.intruder (x int)")
    finally:
        source.close()


def test_a_schema_that_does_not_exist_is_named(postgres_url, tmp_path):
    result = runner.invoke(
        app, ["run", postgres_url, "--schema", "no_such_schema", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "no schema 'no_such_schema'" in result.output
