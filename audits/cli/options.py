"""What the commands take: the usage line as people read it, the shared options, and --as-at."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand

from audits.ingest.date_systems import FIRST_YEAR, LAST_YEAR


class Command(TyperCommand):
    """Usage lines as people read them: `audit run [OPTIONS] EXPORT` (not `{export}`)."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = (param.metavar or param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_help(self, ctx, formatter) -> None:
        """An argument named by its metavar (EXPORT, WORKBOOKS...) is not followed by Typer's
        type tag (`<path>`, `<list[Path]>`): the name and the help say what it is."""
        for param in self.get_params(ctx):
            if param.param_type_name == "argument" and param.metavar:
                param.display_type_rich = lambda ctx: None
        super().format_help(ctx, formatter)


ExportArg = Annotated[
    Path,
    typer.Argument(
        help="The Annex A export: a workbook, a CSV file, or a folder of them.",
        metavar="EXPORT",
        show_default=False,
    ),
]
SourceArg = Annotated[
    str,
    typer.Argument(
        help="The export: an Annex A workbook, a CSV file, or a folder of them (Annex A, a "
        "statutory return, or CSV dumps of the Standard Safeguarding Dataset); or the SSD's "
        "database as a SQLAlchemy URL (postgresql+psycopg://user@host/db, "
        "mssql+pyodbc://user@dsn, sqlite:///ssd.sqlite) with --schema.",
        metavar="EXPORT",
        show_default=False,
    ),
]
SchemaOpt = Annotated[
    str | None,
    typer.Option(
        "--schema",
        help="The database schema holding the SSD's ssd_ tables (e.g. ssd_development), when "
        "EXPORT is a database URL.",
        metavar="SCHEMA",
        show_default=False,
    ),
]
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def export_source(text: str) -> Path | str:
    """EXPORT as given: a database URL stays text (a Path would fold its '//'), else a path."""
    return text.strip() if _URL.match(text.strip()) else Path(text)


AsAtOpt = Annotated[
    str | None,
    typer.Option(
        "--as-at",
        help="Audit date, as YYYY-MM-DD or dd/mm/yyyy. Defaults to today (a CIN census: its "
        "ReferenceDate; an SSDA903: the 31 March ending its year; the SSD: today, with a "
        "warning when its latest event is more than 7 days older).",
        metavar="DATE",
        show_default=False,
    ),
]
OutOpt = Annotated[
    Path,
    typer.Option(
        "--out",
        help="Folder for findings.csv, audit.xlsx, summary.json and teams/ (one workbook per team).",
        metavar="DIR",
    ),
]
PracticeOutOpt = Annotated[
    Path,
    typer.Option(
        "--out",
        help="Folder for the practice audit workbook (practice_audit_YYYY-MM.xlsx): one row per "
        "chosen case, with its findings and the audit questions to grade.",
        metavar="DIR",
    ),
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="History store: a SQLite file or a SQLAlchemy URL. Default: casefile-audit.sqlite here.",
        metavar="DB",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Audit config (TOML) overriding local thresholds.",
        metavar="FILE",
        show_default=False,
    ),
]


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def as_at_date(value: str | None) -> dt.date:
    """--as-at as YYYY-MM-DD or dd/mm/yyyy (the way the tool prints dates); a date that does not
    exist (30/02/2026) is called that."""
    if value is None:
        return dt.date.today()
    text = value.strip()
    if m := _ISO.fullmatch(text):
        year, month, day = (int(g) for g in m.groups())
    elif m := _UK.fullmatch(text):
        day, month, year = (int(g) for g in m.groups())
    else:
        raise typer.BadParameter(
            f"'{value}' is not a date: give it as YYYY-MM-DD or dd/mm/yyyy "
            "(for example 2026-10-30 or 30/10/2026)",
            param_hint="--as-at",
        )
    try:
        date = dt.date(year, month, day)
    except ValueError:
        if 1 <= month <= 12:
            days = calendar.monthrange(year, month)[1]
            why = f"{calendar.month_name[month]} {year} has {days} days"
        else:
            why = f"there is no month {month}"
        raise typer.BadParameter(
            f"'{value}' is not a date that exists: {why}", param_hint="--as-at"
        ) from None
    if not FIRST_YEAR <= date.year <= LAST_YEAR:
        from audits.cli.report import fail
        from audits.core.errors import InputError

        fail(  # a date, but not one to audit as at: bad input (exit 1), as DESIGN §4 has it
            InputError(
                f"The as-at date given with --as-at, '{value}', is outside the years an "
                f"audit can be as at ({FIRST_YEAR} to {LAST_YEAR}, the years an export's dates "
                "are read in)",
                expected="--as-at the date the export was taken, as YYYY-MM-DD or dd/mm/yyyy",
            )
        )
    return date
