"""Audit configuration: the local (L) thresholds of the rule catalogue and the scoring bands.

Defaults are DESIGN §2's. A council overrides them in a TOML file (`--config audit.toml`); every
key is optional and unknown keys are refused with a clear message.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from audits.errors import InputError

DEFAULT_QUESTIONS = (
    "Child seen and seen alone",
    "Voice of the child recorded",
    "Chronology up to date",
    "Assessment analysis",
    "Plan SMART",
    "Visits in timescale",
    "Management oversight recorded",
)
DEFAULT_DOCUMENTS = (
    "Birth certificate",
    "National Insurance number",
    "Passport or photo ID",
    "Bank account",
    "Health history",
)


@dataclass(frozen=True)
class Config:
    cin_visit_working_days: int = 20
    cp_visit_working_days: int = 10
    care_leaver_contact_days: int = 56
    caseload_standard: float = 18
    caseload_standard_nqsw: float = 16
    oversight_days: int = 42
    rag_green: float = 90
    rag_amber: float = 75
    workbook_rows_per_rule: int = 5000
    respond_working_days: int = 10  # returns due this many working days after the as-at date
    required_documents: tuple[str, ...] = DEFAULT_DOCUMENTS
    team_renames: dict[str, str] = field(default_factory=dict)
    expectations_dir: Path | None = None  # default: the project's expectations/ folder
    practice_audit_questions: tuple[str, ...] = DEFAULT_QUESTIONS
    practice_audit_per_team: int = 2  # random cases per team
    practice_audit_risk_picks: int = 2  # cases per risk category
    practice_audit_exclude_months: int = 6  # a child audited this recently is not chosen again
    # Board scorecard (audits/comparators.py): per-indicator targets and regional/neighbour
    # figures ([indicators.IND-...]), and the default width of the Amber band.
    indicators: dict[str, dict] = field(default_factory=dict)
    indicator_amber_points: float = 5  # percentage points worse than the target
    indicator_amber_caseload: float = 1  # children per FTE above the target

    @classmethod
    def load(cls, path: Path | None) -> Config:
        if path is None:
            return cls()
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("The audit config file was not found", file=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise InputError(
                f"The audit config is not valid TOML ({exc})",
                file=str(path),
                expected="lines such as 'cp_visit_working_days = 10'",
            ) from None
        known = {f.name: f for f in fields(cls)}
        values = {}
        for key, value in data.items():
            if key not in known:
                raise InputError(
                    f"Unknown setting '{key}' in the audit config",
                    file=str(path),
                    expected="one of: " + ", ".join(known),
                )
            default = getattr(cls(), key)
            if key == "expectations_dir":
                if not isinstance(value, str):
                    raise InputError(f"'{key}' must be a folder path in quotes", file=str(path))
                value = (Path(path).parent / value).resolve()
            elif key == "indicators":
                from audits.comparators import parse_settings

                value = parse_settings(value, str(path))
            elif isinstance(default, tuple):
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise InputError(f"'{key}' must be a list of names", file=str(path))
                value = tuple(value)
            elif isinstance(default, dict):
                if not isinstance(value, dict):
                    raise InputError(f"'{key}' must be a table of old = new names", file=str(path))
            elif isinstance(default, int | float) and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                raise InputError(
                    f"'{key}' must be a number of zero or more, not {value!r}", file=str(path)
                )
            values[key] = value
        return cls(**values)
