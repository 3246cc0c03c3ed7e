"""The council-editable audit config (TOML): values in force, and clear refusals."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from audits.cli import app
from audits.config import Config
from audits.errors import InputError

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
        ("cp_visit_working_days = 'ten'", "must be a number"),
        ("cp_visit_working_days = -1", "must be a number of zero or more"),
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
