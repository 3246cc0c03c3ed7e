"""The config's indicator settings, checked against the indicators themselves.

The configuration (`audits.core.config`) sits below every other package, so it reads the
`[indicators.IND-...]` tables as they are; this module, which knows the indicators, refuses an
unknown id or a percentage above 100, and resolves `la_code` (either code form) to the council's
3-digit DfE code, refusing an unknown or former council by name. `load_config` is the one way the
commands read a config.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from audits.core.config import Config, is_number
from audits.core.errors import InputError
from audits.indicators.definitions import BY_ID
from audits.indicators.published import resolve_la_code

NUMBER_KEYS = ("target", "amber", "regional", "neighbours")
TEXT_KEYS = ("regional_label", "neighbours_label", "period")


def load_config(path: Path | None) -> Config:
    """The audit config at `path` (defaults when None), its indicator settings checked."""
    return checked(Config.load(path), path)


def checked(config: Config, path: Path | None) -> Config:
    """`config` (read from `path`) with its indicator settings checked against the indicators
    and its `la_code` resolved to the council's 3-digit DfE code."""
    if config.la_code is not None:
        config = replace(config, la_code=resolve_la_code(config.la_code, file=str(path)))
    if not config.indicators:
        return config
    return replace(config, indicators=parse_settings(config.indicators, str(path)))


def parse_settings(data: object, file: str) -> dict[str, dict]:
    """The config's `[indicators.IND-...]` tables: target, amber, regional, neighbours (numbers
    of zero or more, at most 100 for a percentage), regional_label, neighbours_label, period."""
    if not isinstance(data, dict):
        raise InputError(
            "'indicators' must be a table of indicator ids",
            file=file,
            expected="sections such as [indicators.IND-CP-REPEAT] with target = 6.0",
        )
    out: dict[str, dict] = {}
    for ind_id, entry in data.items():
        if ind_id not in BY_ID:
            raise InputError(
                f"Unknown indicator '{ind_id}' in the audit config",
                file=file,
                expected="one of: " + ", ".join(BY_ID),
            )
        if not isinstance(entry, dict):
            raise InputError(f"'indicators.{ind_id}' must be a table", file=file)
        unit = BY_ID[ind_id].unit
        clean = {}
        for key, value in entry.items():
            name = f"indicators.{ind_id}.{key}"
            if key in NUMBER_KEYS:
                if not is_number(value) or value < 0:  # NaN and infinity are not numbers here
                    raise InputError(
                        f"'{name}' must be a number of zero or more, not {value!r}", file=file
                    )
                if unit == "%" and key != "amber" and value > 100:
                    raise InputError(
                        f"'{name}' is a percentage and must be at most 100, not {value!r}",
                        file=file,
                    )
                clean[key] = float(value)
            elif key in TEXT_KEYS:
                if not isinstance(value, str):
                    raise InputError(f"'{name}' must be text in quotes", file=file)
                clean[key] = value
            else:
                raise InputError(
                    f"Unknown setting '{name}' in the audit config",
                    file=file,
                    expected="one of: " + ", ".join(NUMBER_KEYS + TEXT_KEYS),
                )
        out[ind_id] = clean
    return out
