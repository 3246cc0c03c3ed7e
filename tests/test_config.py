"""The council-editable audit config (TOML): values in force, and clear refusals."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.core.config import Config, check_number
from audits.core.errors import InputError

runner = CliRunner()


def test_values_in_force_are_shown_by_audit_rules(tmp_path):
    path = tmp_path / "audit.toml"
    path.write_text('cp_visit_working_days = 15\nrequired_documents = ["Birth certificate"]\n')
    result = runner.invoke(app, ["rules", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "cp_visit_working_days = 15" in result.output
    assert "Birth certificate" in result.output


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cp_visit_days = 10", "Unknown setting 'cp_visit_days'"),
        ("cp_visit_working_days = 'ten'", "must be a whole number"),
        (
            "cp_visit_working_days = -1",
            "'cp_visit_working_days' must be a whole number from 1 to 250",
        ),
        ("cin_visit_working_days = 1000000000", "'cin_visit_working_days' must be"),
        ("cin_visit_working_days = 9223372036854775807", "'cin_visit_working_days' must be"),
        ("cin_visit_working_days = 0", "from 1 to 250"),
        ("cin_visit_working_days = 2.5", "whole number"),
        ("cin_visit_working_days = true", "whole number"),
        ("care_leaver_contact_days = 3651", "from 1 to 3,650"),
        ("oversight_days = inf", "'oversight_days' must be"),
        ("rag_green = nan", "'rag_green' must be a number from 0 to 100"),
        ("rag_green = inf", "'rag_green' must be"),
        ("rag_amber = -1", "'rag_amber' must be"),
        ("rag_green = 101", "'rag_green' must be"),
        ("rag_green = 70\nrag_amber = 80", "'rag_amber' \\(80\\) is above 'rag_green'"),
        ("workbook_rows_per_rule = 0", "from 1 to 1,000,000"),
        ("workbook_rows_per_rule = 1000001", "'workbook_rows_per_rule' must be"),
        ("caseload_standard = -inf", "'caseload_standard' must be"),
        ("practice_audit_per_team = -3", "'practice_audit_per_team' must be"),
        ("required_documents = ['']", "must be a list of names"),
        ("required_documents = 'Passport'", "must be a list"),
        ("team_renames = ['a']", "must be a table"),
        ("rag_green = [", "not valid TOML"),
    ],
)
def test_bad_config_is_refused_with_the_setting_named(tmp_path, text, message):
    path = tmp_path / "audit.toml"
    path.write_text(text + "\n")
    with pytest.raises(InputError, match=message):
        Config.load(path)
    result = runner.invoke(app, ["rules", "--config", str(path)])
    assert result.exit_code == 1 and "audit.toml" in result.output


def test_every_number_in_the_config_has_a_range():
    from dataclasses import fields

    from audits.core.config import RANGES

    numeric = {f.name for f in fields(Config) if isinstance(getattr(Config(), f.name), int | float)}
    assert numeric == set(RANGES)
    for key in numeric:  # the defaults themselves are in range
        assert check_number(key, getattr(Config(), key)) == getattr(Config(), key)


@pytest.mark.parametrize("value", [1, 250])
def test_range_ends_are_accepted(tmp_path, value):
    path = tmp_path / "audit.toml"
    path.write_text(f"cp_visit_working_days = {value}\nrag_green = 80\nrag_amber = 80\n")
    config = Config.load(path)
    assert config.cp_visit_working_days == value and config.rag_amber == config.rag_green


def test_team_renames_apply_to_findings_and_scores(tmp_path):
    (tmp_path / "cin.csv").write_text(
        "Child Unique ID,CIN Start Date,CIN Closure Date,Date Child Was Last Seen,Allocated Team,Allocated Worker\n"
        "1,01/01/2026,,01/02/2026,Old Team Name,Sam\n"
    )
    (tmp_path / "audit.toml").write_text('[team_renames]\n"Old Team Name" = "North Locality"\n')
    result = runner.invoke(
        app,
        [
            "run",
            str(tmp_path / "cin.csv"),
            "--as-at",
            "2026-11-23",
            "--out",
            str(tmp_path / "o"),
            "--config",
            str(tmp_path / "audit.toml"),
        ],
    )
    assert result.exit_code == 0, result.output
    text = (tmp_path / "o" / "findings.csv").read_text()
    assert "North Locality" in text and "Old Team Name" not in text
