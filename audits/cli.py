"""The `audit` command line (Typer). Heavy libraries are imported inside commands, so
`audit --help` stays fast."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import gc
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand


class _Command(TyperCommand):
    """Usage lines as people read them: `audit run [OPTIONS] EXPORT` (not `{export}`)."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = (param.metavar or param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces


app = typer.Typer(
    name="audit",
    help="Recording audit and data quality for children's social care case files (Ofsted Annex A).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no '<bool>' after flags, no '{export}'
)

ExportArg = Annotated[
    Path,
    typer.Argument(
        help="The Annex A export: a workbook, a CSV file, or a folder of them.",
        metavar="EXPORT",
        show_default=False,
    ),
]
AsAtOpt = Annotated[
    str | None,
    typer.Option(
        "--as-at",
        help="Audit date, as YYYY-MM-DD or dd/mm/yyyy. Defaults to today (a CIN census: its "
        "ReferenceDate; an SSDA903: the 31 March ending its year).",
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


def _as_at(value: str | None) -> dt.date:
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
        return dt.date(year, month, day)
    except ValueError:
        if 1 <= month <= 12:
            days = calendar.monthrange(year, month)[1]
            why = f"{calendar.month_name[month]} {year} has {days} days"
        else:
            why = f"there is no month {month}"
        raise typer.BadParameter(
            f"'{value}' is not a date that exists: {why}", param_hint="--as-at"
        ) from None


_SEVERITY_WORDS = {
    "Error": ("error", "errors"),
    "Data": ("data", "data"),
    "Query": ("query", "queries"),
}


def count_words(total: int, by_severity: dict[str, int]) -> str:
    """'36 findings: 24 errors, 7 data, 5 queries'."""
    order = [*_SEVERITY_WORDS, *sorted(set(by_severity) - set(_SEVERITY_WORDS))]
    parts = []
    for severity in order:
        n = by_severity.get(severity, 0)
        if n:
            one, many = _SEVERITY_WORDS.get(severity, (severity.lower(), severity.lower()))
            parts.append(f"{n:,} {one if n == 1 else many}")
    head = f"{total:,} finding{'' if total == 1 else 's'}"
    return head + (": " + ", ".join(parts) if parts else "")


def lists_not_checked(summary: dict) -> list[str]:
    """Lines naming the Annex A lists absent from the export or present with no rows."""
    from audits.spec import BY_NUMBER

    rows = {int(item["list"]): int(item["rows"]) for item in summary["lists"]}
    absent = [f"List {n} ({spec.title})" for n, spec in BY_NUMBER.items() if n not in rows]
    empty = [f"List {n} ({BY_NUMBER[n].title})" for n, r in sorted(rows.items()) if r == 0]
    lines = []
    if absent:
        lines.append("Not in the export, so not checked: " + ", ".join(absent))
    if empty:
        lines.append("In the export but empty, so not checked: " + ", ".join(empty))
    return lines


def _version(value: bool) -> None:
    if value:
        from audits import __version__

        typer.echo(f"casefile-audit {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """Recording audit and data quality for children's social care case files (Ofsted Annex A)."""


@contextlib.contextmanager
def reported() -> Iterator[None]:
    """Bad input or a broken environment -> one paragraph and exit 1; anything unexpected ->
    `_defect`; never a traceback. The reader's Rust panics (BaseException) are caught too."""
    from audits.errors import InputError

    try:
        yield
    except typer.Exit:
        raise
    except InputError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        typer.echo("Stopped (Ctrl+C); the previous outputs are as they were.", err=True)
        raise typer.Exit(code=130) from None
    except BaseException as exc:  # noqa: BLE001 - sorted into input, environment, defect
        known = _known_cause(exc)
        if known is None:
            if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                raise
            _defect(exc)
        _fail(known)


def _known_cause(exc: BaseException):
    """The InputError a failure really is (disk, permissions, store, unreadable file), or None."""
    import sqlite3

    from audits.errors import EnvironmentProblem, environment_problem, store_problem

    if type(exc).__name__ == "PanicException":  # python-calamine's Rust reader gave up
        return EnvironmentProblem(
            f"The spreadsheet reader could not read a workbook in the export ({exc})",
            expected="an .xlsx workbook saved by Excel or the case system",
            action="Open the workbook in Excel, save it again as .xlsx (or save each list as "
            "CSV), and run it again",
        )
    if isinstance(exc, MemoryError):
        return EnvironmentProblem(
            "The computer ran out of memory reading the export",
            action="Close other programs, or save each list as a CSV file, and run it again",
        )
    if isinstance(exc, sqlite3.Error):
        return store_problem(exc)
    try:
        import sqlalchemy
    except ImportError:  # pragma: no cover
        sqlalchemy = None
    if sqlalchemy is not None and isinstance(exc, sqlalchemy.exc.DBAPIError):
        return store_problem(exc.orig or exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        return environment_problem(exc)
    return None


def _fail(exc: Exception) -> None:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(code=1)


def _history(db: str | None):
    """The history store. The default one (a file in the working folder) is optional: if it
    cannot be opened there, the audit still runs and says that it kept no history. A store named
    with --db must work."""
    import sqlite3

    import sqlalchemy

    from audits.errors import store_problem
    from audits.history import DEFAULT_DB, Store

    try:
        return Store.open(db)
    except (sqlalchemy.exc.SQLAlchemyError, sqlite3.Error, OSError) as exc:
        if db is not None:
            cause = exc.orig if isinstance(exc, sqlalchemy.exc.DBAPIError) else exc
            raise store_problem(cause or exc, db) from None
        typer.echo(f"Note: no history kept ({DEFAULT_DB} cannot be written here: {exc}).", err=True)
        return None


def _record(store, db: str | None, result) -> None:
    import sqlite3

    import sqlalchemy

    from audits.errors import EnvironmentProblem, store_problem

    try:
        store.record_run(result.summary, result.result.findings, result.ctx.export.files)
    except (sqlalchemy.exc.SQLAlchemyError, sqlite3.Error) as exc:
        if db is not None:
            cause = store_problem(
                exc.orig if isinstance(exc, sqlalchemy.exc.DBAPIError) else exc, db
            )
            raise EnvironmentProblem(
                f"{cause.problem}, so the run was not recorded there (the outputs were written)",
                file=db,
                action=cause.action,
            ) from None
        typer.echo(f"Note: the run was not recorded in the history store ({exc}).", err=True)


def _defect(exc: Exception) -> None:
    """An unexpected failure: one paragraph for the user, the traceback to a local file."""
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile(
        "w", prefix="casefile-audit-error-", suffix=".txt", delete=False
    ) as fh:
        traceback.print_exception(exc, file=fh)
    typer.echo(
        f"Error: the audit stopped unexpectedly ({type(exc).__name__}: {exc}). This is a defect "
        f"in casefile-audit rather than in your export; no outputs were changed. The technical "
        f"details are in {fh.name} (it may quote values from the export: keep it on this machine).",
        err=True,
    )
    raise typer.Exit(code=1)


@app.command(cls=_Command)
def run(
    export: ExportArg,
    out: OutOpt = Path("out"),
    as_at: AsAtOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Do not read or record the history store.")
    ] = False,
) -> None:
    """Audit an export: writes findings.csv, audit.xlsx and summary.json to --out."""
    from audits import gx_preload
    from audits.config import Config

    date = _as_at(as_at) if as_at else None  # None: the return's ReferenceDate, else today
    with reported():
        settings = Config.load(config)
        # Great Expectations starts importing in the helper process before this one opens the
        # store and imports pandas and the rules (`audit` would start it only after them)
        gx_preload.start(settings.expectations_dir or gx_preload.DEFAULT_DIR)
        store = None if no_history else _history(db)
        from audits.audit import audit, write_outputs

        result = audit(export, date, settings, quiet=False, store=store)
        date = result.ctx.as_at
        workbook = write_outputs(result, out, quiet=False)
        if store is not None:
            _record(store, db, result)
    s = result.summary
    typer.echo(
        f"As at {date:%d/%m/%Y}: {count_words(s['findings_total'], s['findings_by_severity'])}"
    )
    for line in lists_not_checked(s):
        typer.echo(line)
    change = s.get("carried_forward", {})
    if change.get("history"):
        typer.echo(
            f"Since the previous run: {change['new']} new, {change['persisting']} persisting, "
            f"{change['resolved']} resolved; {change['suppressed']} not raised again "
            "(moderated 'Disagree — recording is correct')"
        )
    for item in s["rules_not_run"]:
        typer.echo(f"  not run: {item['rule_id']} — {item['reason']}")
    for warning in s.get("warnings", []):
        typer.echo(f"  warning: {warning['message']}")
    typer.echo(f"Workbook: {workbook.resolve()}")
    teams = s.get("team_workbooks") or {}
    if teams:
        typer.echo(f"Team workbooks ({len(teams)}, one per team): {(out / 'teams').resolve()}")


@app.command(cls=_Command)
def validate(export: ExportArg, as_at: AsAtOpt = None) -> None:
    """Read the export and check its data quality only (no timeliness rules, no outputs
    written); list every value that could not be read, with its place."""
    from audits.audit import audit

    date = _as_at(as_at) if as_at else None  # None: the return's ReferenceDate, else today
    with reported():
        result = audit(export, date, quiet=False, data_quality_only=True)
    s = result.summary
    for item in s["lists"]:
        layout = f", {item['layout']}" if item["layout"] else ""
        typer.echo(
            f"List {item['list']} ({item['title']}): {item['rows']:,} rows from {item['source']}{layout}"
        )
    for line in lists_not_checked(s):
        typer.echo(line)
    dq = result.result.findings
    typer.echo(f"Data quality: {count_words(len(dq), {})}")
    for rule_id, n in dq["rule_id"].value_counts().sort_index().items():
        typer.echo(f"  {rule_id}: {n:,}")
    bad = result.ctx.export.unreadable
    typer.echo(f"Values that could not be read: {len(bad):,}")
    for row in bad.itertuples(index=False):
        sheet = f", sheet '{row.sheet}'" if row.sheet else ""
        typer.echo(
            f"  {row.file}{sheet}, row {row.row}, column {row.column} ({row.heading}): "
            f"'{row.value}'; expected {row.expected}"
        )


@app.command(cls=_Command)
def rules(config: ConfigOpt = None) -> None:
    """Print the rule catalogue with the thresholds in force."""
    from audits.audit import rule_rows
    from audits.config import Config
    from audits.engine.registry import all_rules

    with reported():
        cfg = Config.load(config)
    for r in rule_rows(all_rules(), cfg):
        typer.echo(f"{r['rule_id']:<7} {r['severity']:<6} {r['area']:<22} {r['title']}")
        typer.echo(f"        when: {r['condition']}")
        if r["threshold"]:
            typer.echo(f"        threshold: {r['threshold']}")
        typer.echo(f"        basis: {r['basis']}")


@app.command(cls=_Command)
def example(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the synthetic export and its manifest.")
    ],
    as_at: AsAtOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    children: Annotated[int, typer.Option(help="Roughly how many children per list.")] = 40,
) -> None:
    """Write a synthetic monthly export with planted defects and a manifest of expected findings."""
    from audits.example import write_example

    date = _as_at(as_at)
    workbook, manifest = write_example(out, date, seed=seed, children=children)
    typer.echo(f"Export: {workbook}\nManifest: {manifest}")


@app.command(cls=_Command)
def sample(
    export: ExportArg,
    out: PracticeOutOpt = Path("practice"),
    as_at: AsAtOpt = None,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same sample.")
    ] = 1,
    per_team: Annotated[
        int | None, typer.Option("--per-team", min=0, max=1000, help="Random cases per team.")
    ] = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
) -> None:
    """Choose cases for this month's practice audit and write the audit workbook."""
    from audits.audit import audit
    from audits.config import Config
    from audits.history import Store
    from audits.output.written import remember, target_for
    from audits.practice import choose, month_of, write_practice_workbook

    date = _as_at(as_at)
    with reported():
        cfg = Config.load(config)
        store = Store.existing(db)
        month = month_of(date)
        exclude = store.recently_audited(month, cfg.practice_audit_exclude_months)
        run = audit(export, date, cfg, quiet=False)
        chosen = choose(
            run.ctx,
            run.result.findings,
            seed=seed,
            per_team=cfg.practice_audit_per_team if per_team is None else per_team,
            risk_picks=cfg.practice_audit_risk_picks,
            exclude=exclude,
        )
        graded = store.graded_children(month)
        store.record_sample(month, chosen)  # first: a store that cannot be written changes nothing
        workbook, kept = target_for(out / f"practice_audit_{month}.xlsx", out)
        write_practice_workbook(workbook, chosen, cfg.practice_audit_questions, month)
        remember(out, [workbook])
    if kept:
        typer.echo(
            f"practice_audit_{month}.xlsx has been changed since the tool wrote it: it is kept, "
            f"the new workbook is {workbook.name}."
        )
    if graded:
        typer.echo(
            f"{len(graded)} case(s) of {month} already hold grades in the history store: "
            "they are kept as they are."
        )
    typer.echo(
        f"{len(chosen)} case(s) chosen from {chosen['team'].nunique()} team(s); "
        f"{len(exclude)} child(ren) excluded as audited in the last {cfg.practice_audit_exclude_months} months."
    )
    for reason, n in (
        chosen["reason"].str.replace(r" \(.*\)$", "", regex=True).value_counts().items()
    ):
        typer.echo(f"  {reason}: {n}")
    typer.echo(f"Practice audit workbook: {workbook.resolve()}")


def _returns(paths: list[Path]) -> list[Path]:
    """The workbooks named, and the .xlsx files directly in any folder named (Excel's `~$` lock
    files and hidden files aside), each once, in order."""
    from audits.errors import InputError

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() == ".xlsx"
                and not p.name.startswith(("~$", "."))
                and p.is_file()
            )
            if not inside:
                raise InputError("The folder holds no .xlsx workbooks", file=str(path))
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise InputError("The reviewed workbook was not found", file=str(path))
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return [Path(p) for p in unique]


def _moderate_practice(workbook: Path, store) -> bool:
    """Store a practice audit's grades; True when everything typed was stored."""
    from audits.errors import InputError
    from audits.history import sha256_of
    from audits.practice import grade_report, read_practice

    grades, month, problems, saved_at = read_practice(workbook)
    if problems:
        raise InputError(
            "Some grades are not on Ofsted's four-point scale; nothing was stored:\n  "
            + "\n  ".join(problems),
            file=str(workbook),
            expected="Outstanding; Good; Requires improvement to be good; Inadequate",
        )
    counts = store.record_grades(month, grades, sha256_of(workbook), saved_at)
    report = grade_report(grades)
    if report["escalations"]:
        typer.echo("ESCALATIONS — unsafe, escalate now:")
        for e in report["escalations"]:
            typer.echo(
                f"  row {e['row']}: child {e['child_id']} ({e['team']}), auditor {e['auditor'] or '-'}"
            )
    typer.echo(
        f"{workbook.name}: {counts['stored']} case(s) stored, {counts['unchanged']} unchanged"
        + (
            f", {counts['older']} not stored because the store holds grades from a copy saved later"
            if counts["older"]
            else ""
        )
        + "."
    )
    typer.echo(
        f"Practice audit {month}: {report['audits']} case(s), {report['moderated']} moderated."
    )
    typer.echo(
        "  Auditor grades:   " + ", ".join(f"{g}: {n}" for g, n in report["auditor_grades"].items())
    )
    typer.echo(
        "  Moderated grades: "
        + ", ".join(f"{g}: {n}" for g, n in report["moderated_grades"].items())
    )
    if report["moderated"]:
        typer.echo(
            f"  Exact agreement {report['exact_agreement_percent']:g}%, weighted kappa "
            f"{report['weighted_kappa']:.3f} (linear weights); {report['upgraded']} upgraded, "
            f"{report['downgraded']} downgraded by moderation."
        )
    for label, key in (("auditor", "by_auditor"), ("team", "by_team")):
        for name, item in report[key].items():
            typer.echo(
                f"  {label} {name}: {item['exact_agreement_percent']:g}% exact agreement over {item['audits']}"
            )
    return counts["older"] == 0


def _moderate_returns(workbooks: list[Path], store) -> bool:
    """Store the reviewer entries of audit/team workbooks; True when nothing was left out."""
    from audits.moderation import agreement, merge, read_return

    returns = [read_return(w) for w in workbooks]
    outcome = merge(returns, store)
    stored = outcome.stored
    typer.echo(
        f"Stored {len(stored)} entr{'y' if len(stored) == 1 else 'ies'} on "
        f"{stored['finding_id'].nunique() if len(stored) else 0} finding(s) from "
        f"{len(returns)} workbook(s); {outcome.unchanged} already held"
        + (
            f"; {outcome.older} kept as history (typed in a copy saved before the latest entry)"
            if outcome.older
            else ""
        )
        + "."
    )
    decisions = store.latest_decisions()
    decisions = decisions[decisions["finding_id"].isin(outcome.findings)]
    for by, label in (("rule_id", "rule"), ("team", "team")):
        table = agreement(decisions, by)
        if table.empty:
            continue
        typer.echo(f"Agreement per {label}:")
        for row in table.itertuples(index=False):
            typer.echo(
                f"  {getattr(row, by):<28} {row.agree}/{row.decisions} agree ({row.agree_percent:g}%)"
            )
    if outcome.problems:
        typer.echo(
            f"{len(outcome.problems)} entr{'y was' if len(outcome.problems) == 1 else 'ies were'} "
            "not stored (correct them in the workbook and import it again):",
            err=True,
        )
        for problem in outcome.problems:
            typer.echo(f"  {problem}", err=True)
    return not outcome.problems


@app.command(cls=_Command)
def moderate(
    workbooks: Annotated[
        list[Path],
        typer.Argument(
            help="Reviewed workbooks (audit.xlsx, team workbooks, practice audits) or folders of "
            "them. Read only, never rewritten.",
            show_default=False,
        ),
    ],
    db: DbOpt = None,
) -> None:
    """Read the returns back into the history store: responses, decisions, actions, grades."""
    from audits.history import Store
    from audits.practice import is_practice_workbook

    with reported():
        paths = _returns(workbooks)
        store = Store.existing(db)
        practice = [p for p in paths if is_practice_workbook(p)]
        reviews = [p for p in paths if p not in practice]
        complete = True
        if reviews:
            complete &= _moderate_returns(reviews, store)
        for workbook in practice:
            complete &= _moderate_practice(workbook, store)
    if not complete:
        raise typer.Exit(code=1)


@app.command(cls=_Command)
def board(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for board.xlsx and board.html.")
    ] = Path("board"),
    db: DbOpt = None,
    show_child_ids: Annotated[
        bool, typer.Option("--show-child-ids", help="Show real child ids instead of pseudonyms.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Write the improvement-board pack: the scorecard of indicators, then trends per area and
    team, changes, overdue actions, moderation agreement and practice grades."""
    from audits.board import write_board
    from audits.config import Config
    from audits.history import Store

    with reported():
        paths = write_board(
            Store.existing(db), out, pseudonymise=not show_child_ids, config=Config.load(config)
        )
    for path in paths:
        typer.echo(f"Board pack: {path.resolve()}")


def main() -> None:
    """The `audit` command. At its end the process's objects are left to the operating system:
    Python's last garbage collection over a month's frames (millions of objects) would add
    about 0.3 s to every run and free nothing that outlives the process. Everything the run
    writes is closed and published before this point, and the store's connections are closed
    here (SQLite then folds its write-ahead log into the store file)."""
    try:
        app()
    finally:
        store = sys.modules.get("audits.history.connect")  # imported only if a store was used
        if store is not None:
            store.close_all()
        gc.freeze()
