"""Audit configuration: the local (L) thresholds of the rule catalogue and the scoring bands.

Defaults are DESIGN §2's. A council overrides them in a TOML file (`--config audit.toml`); every
key is optional and unknown keys are refused with a clear message.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from audits.core.encodings import decode_file
from audits.core.errors import InputError

DEFAULT_QUESTIONS = (
    "Child seen and seen alone",
    "Voice of the child recorded",
    "Chronology up to date",
    "Assessment analysis",
    "Plan SMART",
    "Visits in timescale",
    "Management oversight recorded",
)
# The Standard Safeguarding Dataset: `invo_professional_role_id` values that mean "allocated
# social worker", as each case system writes them (Liquidlogic's involvement type code and
# description, Mosaic's worker relationship type, and the plain wordings); and the roles of a
# worker covering another's absence (not a change of social worker).
DEFAULT_SSD_WORKER_ROLES = (
    "CW",
    "ALLOCATED CASE WORKER",
    "ALLWKR",
    "ALLOCATED WORKER",
    "ALLOCATED SOCIAL WORKER",
)
DEFAULT_SSD_COVER_ROLES = ("COVER", "COVERING WORKER", "COVERING SOCIAL WORKER", "ABSENCE COVER")
DEFAULT_UASC_STATUSES = ("UASC", "Unaccompanied Asylum Seeking Child")
DEFAULT_DOCUMENTS = (
    "Birth certificate",
    "National Insurance number",
    "Passport or photo ID",
    "Bank account",
    "Health history",
)


# Sensible range of every number in the config: (whole numbers only, lowest, highest, what it is).
RANGES: dict[str, tuple[bool, float, float, str]] = {
    "cin_visit_working_days": (True, 1, 250, "working days"),
    "cp_visit_working_days": (True, 1, 250, "working days"),
    "care_leaver_contact_days": (True, 1, 3650, "days"),
    "oversight_days": (True, 1, 3650, "days"),
    "caseload_standard": (False, 1, 200, "children per full-time worker"),
    "caseload_standard_nqsw": (False, 1, 200, "children per full-time worker"),
    "rag_green": (False, 0, 100, "per cent"),
    "rag_amber": (False, 0, 100, "per cent"),
    "workbook_rows_per_rule": (True, 1, 1_000_000, "rows"),
    "practice_audit_per_team": (True, 0, 1000, "cases"),
    "practice_audit_risk_picks": (True, 0, 1000, "cases"),
    "practice_audit_exclude_months": (True, 0, 120, "months"),
    "respond_working_days": (True, 1, 60, "working days"),
    "indicator_amber_points": (False, 0, 100, "percentage points"),
    "indicator_amber_caseload": (False, 0, 200, "children per full-time worker"),
    "history_months": (True, 1, 72, "months"),
    "worker_changes_12m": (True, 1, 100, "changes of social worker"),
}
MAX_NAME_LENGTH = 200


def is_number(value: object) -> bool:
    """True for a finite number as TOML gives it: never a boolean, `nan` or `inf` (TOML reads
    those words as floats). Every number of the config is checked by this."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_number(key: str, value: object, file: str | None = None) -> int | float:
    """`value` if it is a number in `key`'s range (booleans, NaN and infinity refused)."""
    whole, low, high, unit = RANGES[key]
    kind = "a whole number" if whole else "a number"
    ok = is_number(value) and (not whole or float(value).is_integer())
    if not ok or not low <= value <= high:
        raise InputError(
            f"'{key}' must be {kind} from {low:,.15g} to {high:,.15g} ({unit}), not {value!r}",
            file=file,
            expected=f"a line such as '{key} = {getattr(Config(), key):g}'",
        )
    return int(value) if whole else float(value)


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
    # Board scorecard: per-indicator targets and regional/neighbour figures ([indicators.IND-...],
    # checked by audits/indicators/settings.py), and the default width of the Amber band.
    indicators: dict[str, dict] = field(default_factory=dict)
    indicator_amber_points: float = 5  # percentage points worse than the target
    indicator_amber_caseload: float = 1  # children per FTE above the target
    # The council's DfE code (`380` or `E08000032`), as written: checked against the DfE's
    # councils by audits/indicators/settings.py, which keeps the 3-digit form.
    la_code: str | None = None
    # Histories (the SSD): the audit period of interval findings, months up to the as-at date.
    history_months: int = 6
    worker_changes_12m: int = 3  # WF-02: changes of social worker in 12 months (L)
    ssd_worker_roles: tuple[str, ...] = DEFAULT_SSD_WORKER_ROLES
    ssd_cover_roles: tuple[str, ...] = DEFAULT_SSD_COVER_ROLES
    ssd_uasc_statuses: tuple[str, ...] = DEFAULT_UASC_STATUSES
    ssd_job_titles: dict[str, str] = field(default_factory=dict)  # job title -> SW, NQSW/ASYE ...
    ssd_legal_statuses: dict[str, str] = field(default_factory=dict)  # text -> DfE code

    @classmethod
    def load(cls, path: Path | None) -> Config:
        if path is None:
            return cls()
        try:
            # the one decoder: Notepad's UTF-8 with a BOM, "Unicode" (UTF-16) and "ANSI" (cp1252)
            data = tomllib.loads(decode_file(Path(path)))
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
                if not value.is_dir():  # else DQ-05 would run with no suite, silently
                    raise InputError(
                        f"'expectations_dir' names a folder that does not exist: {value}",
                        file=str(path),
                        expected="a folder of expectation suites (list_1.json ...), relative to "
                        "the config file",
                    )
            elif key == "indicators":
                # read as written; `audits.indicators.settings` checks it against the indicators
                if not isinstance(value, dict):
                    raise InputError(
                        "'indicators' must be a table of indicator ids",
                        file=str(path),
                        expected="sections such as [indicators.IND-CP-REPEAT] with target = 6.0",
                    )
            elif key == "la_code":
                if isinstance(value, bool) or not isinstance(value, str | int):
                    raise InputError(
                        f"'la_code' must be a council's code, not {value!r}",
                        file=str(path),
                        expected="a line such as 'la_code = \"380\"' or 'la_code = \"E08000032\"'",
                    )
                value = str(value)
            elif isinstance(default, tuple):
                if not isinstance(value, list) or not all(_is_name(v) for v in value):
                    raise InputError(
                        f"'{key}' must be a list of names (each 1 to {MAX_NAME_LENGTH} characters)",
                        file=str(path),
                    )
                value = tuple(value)
            elif isinstance(default, dict):
                if not isinstance(value, dict) or not all(_is_name(v) for v in value.values()):
                    raise InputError(f"'{key}' must be a table of old = new names", file=str(path))
            else:
                value = check_number(key, value, str(path))
            values[key] = value
        config = cls(**values)
        if config.rag_amber > config.rag_green:
            raise InputError(
                f"'rag_amber' ({config.rag_amber:g}) is above 'rag_green' ({config.rag_green:g})",
                file=str(path),
                expected="rag_amber at most rag_green, e.g. rag_green = 90 and rag_amber = 75",
            )
        return config


def _is_name(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= MAX_NAME_LENGTH
