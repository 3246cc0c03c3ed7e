"""CL-06, WF-01 and MO-01 over the council's local tables, at their boundaries, and the loader."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.core.config import DEFAULT_DOCUMENTS, Config
from audits.engine.run import run_rules
from audits.ingest.dispatch import load_export
from tests.conftest import findings_of, make_ctx, rule_by_id

AS_AT = "2026-11-23"


def documents(child: str, held: dict[str, str | None]) -> list[dict]:
    return [{"child_id": child, "document": doc, "held": value} for doc, value in held.items()]


def test_cl06_exactly_18_today_is_in_scope_and_a_day_younger_is_not():
    lists = {
        9: [{"child_id": "T", "dob": "2008-11-23"}, {"child_id": "Y", "dob": "2008-11-24"}],
        "care_leaver_documents": [
            {"child_id": "X", "document": "Passport or photo ID", "held": "Yes"}
        ],
    }
    found = findings_of("CL-06", lists, AS_AT)
    assert set(found["child_id"]) == {"T"}
    assert sorted(found["value"]) == sorted(DEFAULT_DOCUMENTS)  # one finding per document


def test_cl06_only_held_yes_counts_and_names_match_loosely():
    held = {
        "birth certificate": "Yes",  # case differs: still the same document
        "National  Insurance number": "No",
        "Passport or photo ID": None,
        "Bank account": "(unreadable)",
        "Health history": "Yes",
    }
    lists = {
        9: [{"child_id": "A", "dob": "2005-01-01"}],
        "care_leaver_documents": documents("A", held),
    }
    found = findings_of("CL-06", lists, AS_AT)
    assert sorted(found["value"]) == [
        "Bank account",
        "National Insurance number",
        "Passport or photo ID",
    ]
    assert found["finding_id"].is_unique


def test_cl06_required_documents_come_from_the_config():
    lists = {
        9: [{"child_id": "A", "dob": "2005-01-01"}],
        "care_leaver_documents": documents("A", {"Bank account": "Yes"}),
    }
    found = findings_of("CL-06", lists, AS_AT, Config(required_documents=("Birth certificate",)))
    assert found["value"].tolist() == ["Birth certificate"]


def caseload(children: int, worker: str = "Sam Smith") -> list[dict]:
    return [
        {"child_id": str(i), "cin_start": "2026-01-01", "cin_closed": None, "worker": worker}
        for i in range(children)
    ]


@pytest.mark.parametrize(
    ("children", "fte", "role", "flagged"),
    [
        (18, 1.0, "SW", False),
        (19, 1.0, "SW", True),
        (16, 1.0, "NQSW/ASYE", False),
        (17, 1.0, "NQSW/ASYE", True),
        (9, 0.5, "SW", False),
        (10, 0.5, "SW", True),
        (30, 0.0, "SW", False),
    ],
)
def test_wf01_exactly_at_the_standard_is_met(children, fte, role, flagged):
    lists = {
        6: caseload(children),
        "workers": [{"worker": "SAM  smith", "team": "North", "fte": fte, "role": role}],
    }
    found = findings_of("WF-01", lists, AS_AT)
    assert (len(found) == 1) == flagged
    if flagged:
        assert found.iloc[0]["worker"] == "SAM  smith" and found.iloc[0]["team"] == "North"


def test_wf01_counts_distinct_children_on_open_rows_across_lists():
    rows6 = caseload(10)
    rows7 = [
        {"child_id": str(i), "plan_start": "2026-01-01", "plan_end": None, "worker": "Sam Smith"}
        for i in range(5, 15)
    ]  # 5 of them already counted on List 6
    closed = [
        {
            "child_id": "99",
            "cin_start": "2025-01-01",
            "cin_closed": "2025-06-01",
            "worker": "Sam Smith",
        }
    ]
    lists = {
        6: rows6 + closed,
        7: rows7,
        "workers": [{"worker": "Sam Smith", "fte": 0.8, "role": "SW"}],
    }
    found = findings_of("WF-01", lists, AS_AT)
    assert found.iloc[0]["value"] == "18.8"  # 15 distinct children / 0.8 FTE


@pytest.mark.parametrize(
    ("last", "expected"),
    [("2026-10-12", None), ("2026-10-11", ("2026-11-22", 1)), (None, "none")],
)
def test_mo01_day_42_met_day_43_overdue(last, expected):
    lists = {
        8: [{"child_id": "C", "cla_start": "2025-01-01", "ceased": None, "team": "CiC"}],
        6: [{"child_id": "C", "cin_start": "2025-01-01", "cin_closed": None}],
        "management_oversight": [{"child_id": "C", "last_oversight": last}],
    }
    found = findings_of("MO-01", lists, AS_AT)
    if expected is None:
        assert found.empty
        return
    assert len(found) == 1 and found.iloc[0]["list"] == "6, 8"  # one finding per child
    if expected == "none":
        assert found.iloc[0]["message"] == "No management oversight recorded"
    else:
        assert (
            found.iloc[0]["due_date"].date().isoformat(),
            int(found.iloc[0]["days_overdue"]),
        ) == expected
        assert found.iloc[0]["message"].endswith("1 day overdue")


def test_mo01_closed_cases_are_out_of_scope():
    lists = {
        6: [{"child_id": "C", "cin_start": "2025-01-01", "cin_closed": "2026-01-01"}],
        "management_oversight": [{"child_id": "Z", "last_oversight": "2020-01-01"}],
    }
    assert findings_of("MO-01", lists, AS_AT).empty


@pytest.mark.parametrize("rule_id", ["CL-06", "WF-01", "MO-01"])
def test_rules_are_not_run_without_their_table(rule_id):
    ctx = make_ctx({9: [{"child_id": "A", "dob": "2000-01-01"}], 6: caseload(1)}, AS_AT)
    outcome = run_rules(ctx, [rule_by_id(rule_id)]).outcomes[0]
    assert not outcome.ran and "table is not in the export" in outcome.reason


def test_local_tables_are_found_in_the_export_folder_by_their_headings(tmp_path):
    (tmp_path / "cin.csv").write_text(
        "Child Unique ID,CIN Start Date,CIN Closure Date,Allocated Worker\n1,01/01/2026,,Sam\n"
    )
    (tmp_path / "docs_export.csv").write_text(
        "Child Unique ID,Document,Held,Date Recorded\n1,Birth certificate,Y,01/02/2026\n"
    )
    (tmp_path / "staff.csv").write_text(
        "Allocated Worker,Team,FTE,Role,Agency\nSam,North,1,NQSW,N\n"
    )
    (tmp_path / "mo.csv").write_text(
        "Child Unique ID,Date of Last Management Oversight\n1,01/11/2026\n"
    )
    export = load_export(tmp_path)
    assert sorted(export.tables) == ["care_leaver_documents", "management_oversight", "workers"]
    assert export.tables["workers"].frame["role"].tolist() == ["NQSW/ASYE"]
    assert export.tables["care_leaver_documents"].frame["held"].tolist() == ["Yes"]


def test_run_without_local_tables_succeeds_and_lists_them_as_not_run(tmp_path):
    (tmp_path / "cin.csv").write_text(
        "Child Unique ID,CIN Start Date,CIN Closure Date\n1,01/01/2026,\n"
    )
    result = CliRunner().invoke(
        app, ["run", str(tmp_path), "--as-at", AS_AT, "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    for rule_id in ("CL-06", "WF-01", "MO-01"):
        assert f"not run: {rule_id}" in result.output


# --- Great Expectations suites (DQ-05) ---------------------------------------------------------
def _copy_suites(tmp_path):
    import shutil

    from audits.suites.apply import DEFAULT_DIR

    folder = tmp_path / "expectations"
    shutil.copytree(DEFAULT_DIR, folder)
    return folder


def _run_with_suites(tmp_path, folder):
    export = tmp_path / "cp.csv"
    export.write_text(
        "Child Unique ID,Child Protection Plan Start Date,Initial Category of Abuse,Latest Category of Abuse,"
        "Date of the Last Statutory Visit,Date of latest review conference,Child Protection Plan End Date\n"
        "1,01/09/2026,Neglect,Neglect,20/11/2026,01/10/2026,\n"
        "2,01/09/2026,Neglect,,20/11/2026,01/10/2026,\n"
    )
    config = tmp_path / "audit.toml"
    config.write_text(f'expectations_dir = "{folder}"\n')
    return CliRunner().invoke(
        app,
        [
            "run",
            str(export),
            "--as-at",
            AS_AT,
            "--out",
            str(tmp_path / "o"),
            "--config",
            str(config),
        ],
    )


def test_a_qa_lead_adds_an_expectation_without_python(tmp_path):
    import json

    import pandas as pd

    folder = _copy_suites(tmp_path)
    assert _run_with_suites(tmp_path, folder).exit_code == 0
    before = pd.read_csv(tmp_path / "o" / "findings.csv", dtype=str, keep_default_na=False)
    assert before[before.rule_id == "DQ-05"].empty

    suite = json.loads((folder / "list_7.json").read_text())
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "Latest Category of Abuse"},
            "meta": {"message": "Latest category of abuse not recorded"},
        }
    )
    (folder / "list_7.json").write_text(json.dumps(suite))
    result = _run_with_suites(tmp_path, folder)
    assert result.exit_code == 0, result.output
    after = pd.read_csv(tmp_path / "o" / "findings.csv", dtype=str, keep_default_na=False)
    added = after[after.rule_id == "DQ-05"]
    assert added[["list", "child_id", "message"]].values.tolist() == [
        [
            "7",
            "2",
            "List 7 (Child protection) record: Latest category of abuse not recorded "
            "(Latest Category of Abuse). In the export: cp.csv, row 3.",
        ]
    ]


def test_a_row_condition_may_name_columns_the_expectation_does_not(tmp_path):
    """Great Expectations is given only the columns a suite mentions; a condition counts too."""
    import json

    import pandas as pd

    folder = _copy_suites(tmp_path)
    suite = json.loads((folder / "list_7.json").read_text())
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {
                "column": "Latest Category of Abuse",
                "row_condition": '`Initial Category of Abuse` == "Neglect"',
                "condition_parser": "pandas",
            },
            "meta": {"message": "Latest category missing where the initial one was neglect"},
        }
    )
    (folder / "list_7.json").write_text(json.dumps(suite))
    result = _run_with_suites(tmp_path, folder)
    assert result.exit_code == 0, result.output
    found = pd.read_csv(tmp_path / "o" / "findings.csv", dtype=str, keep_default_na=False)
    assert found.loc[found.rule_id == "DQ-05", "child_id"].tolist() == ["2"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (
            '{"expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "Nope"}}]}',
            "not a List 7 heading",
        ),
        ('{"expectations": [{"type": "expect_nonsense", "kwargs": {}}]}', "is not valid"),
    ],
)
def test_a_broken_suite_is_refused_clearly(tmp_path, content, message):
    folder = _copy_suites(tmp_path)
    (folder / "list_7.json").write_text(content)
    result = _run_with_suites(tmp_path, folder)
    assert result.exit_code == 1
    assert "list_7.json" in result.output and message in result.output
