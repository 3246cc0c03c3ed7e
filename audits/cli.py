"""The `audit` command line (Typer). Heavy libraries are imported inside commands, so
`audit --help` stays fast."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="audit",
    help="Recording audit and data quality for children's social care case files (Ofsted Annex A).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ExportArg = Annotated[
    Path, typer.Argument(help="The Annex A export: a workbook, a CSV file, or a folder of them.")
]
AsAtOpt = Annotated[
    str | None,
    typer.Option("--as-at", help="Audit date (YYYY-MM-DD). Defaults to today.", show_default=False),
]
OutOpt = Annotated[
    Path, typer.Option("--out", help="Folder for findings.csv, audit.xlsx, summary.json.")
]
DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="History store: a SQLite file or a SQLAlchemy URL. Default: casefile-audit.sqlite here.",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", help="Audit config (TOML) overriding local thresholds.", show_default=False
    ),
]


def _as_at(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not a date in the form YYYY-MM-DD", param_hint="--as-at"
        ) from None


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


@app.command()
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
    from audits.audit import audit, write_outputs
    from audits.config import Config

    date = _as_at(as_at)
    with reported():
        store = None if no_history else _history(db)
        result = audit(export, date, Config.load(config), quiet=False, store=store)
        workbook = write_outputs(result, out, quiet=False)
        if store is not None:
            _record(store, db, result)
    s = result.summary
    typer.echo(
        f"As at {date:%d/%m/%Y}: {s['findings_total']:,} findings " + str(s["findings_by_severity"])
    )
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


@app.command()
def validate(export: ExportArg, as_at: AsAtOpt = None) -> None:
    """Check ingestion and data quality only (no outputs written)."""
    from audits.audit import audit

    date = _as_at(as_at)
    with reported():
        result = audit(export, date, quiet=False)
    for item in result.summary["lists"]:
        layout = f", {item['layout']}" if item["layout"] else ""
        typer.echo(
            f"List {item['list']} ({item['title']}): {item['rows']} rows from {item['source']}{layout}"
        )
    dq = result.result.findings
    dq = dq[dq["area"] == "Data quality"]
    typer.echo(f"Data quality findings: {len(dq)}")
    for rule_id, n in dq["rule_id"].value_counts().sort_index().items():
        typer.echo(f"  {rule_id}: {n}")


@app.command()
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


@app.command()
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


@app.command()
def sample(
    export: ExportArg,
    out: OutOpt = Path("practice"),
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
    from audits.practice import choose, month_of, write_practice_workbook

    date = _as_at(as_at)
    with reported():
        cfg = Config.load(config)
        store = Store.open(db)
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
        workbook = out / f"practice_audit_{month}.xlsx"
        store.record_sample(month, chosen)  # first: a store that cannot record writes nothing
        write_practice_workbook(workbook, chosen, cfg.practice_audit_questions, month)
    typer.echo(
        f"{len(chosen)} case(s) chosen from {chosen['team'].nunique()} team(s); "
        f"{len(exclude)} child(ren) excluded as audited in the last {cfg.practice_audit_exclude_months} months."
    )
    for reason, n in (
        chosen["reason"].str.replace(r" \(.*\)$", "", regex=True).value_counts().items()
    ):
        typer.echo(f"  {reason}: {n}")
    typer.echo(f"Practice audit workbook: {workbook.resolve()}")


def _moderate_practice(workbook: Path, db: str | None) -> None:
    from audits.errors import InputError
    from audits.history import Store, sha256_of
    from audits.practice import grade_report, read_practice

    with reported():
        grades, month, problems = read_practice(workbook)
        if problems:
            raise InputError(
                "Some grades are not on Ofsted's four-point scale; nothing was stored:\n  "
                + "\n  ".join(problems),
                file=str(workbook),
                expected="Outstanding; Good; Requires improvement to be good; Inadequate",
            )
        Store.open(db).record_grades(month, grades, sha256_of(workbook))
        report = grade_report(grades)
    if report["escalations"]:
        typer.echo("ESCALATIONS — unsafe, escalate now:")
        for e in report["escalations"]:
            typer.echo(
                f"  row {e['row']}: child {e['child_id']} ({e['team']}), auditor {e['auditor'] or '-'}"
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


@app.command()
def moderate(
    workbook: Annotated[
        Path, typer.Argument(help="A reviewed audit.xlsx (read only, never rewritten).")
    ],
    db: DbOpt = None,
) -> None:
    """Read moderators' decisions (or a practice audit's grades) back into the history store."""
    from audits.errors import InputError
    from audits.history import Store, sha256_of
    from audits.moderation import agreement, read_reviewed
    from audits.practice import is_practice_workbook

    if not workbook.is_file():
        _fail(InputError("The reviewed workbook was not found", file=str(workbook)))
    if is_practice_workbook(workbook):
        _moderate_practice(workbook, db)
        return
    with reported():
        reviewed = read_reviewed(workbook)
        store = Store.open(db)
        stored = store.store_decisions(reviewed.decisions, workbook, sha256_of(workbook))
        unknown = set(reviewed.decisions["finding_id"]) - store.known_finding_ids()
    typer.echo(f"Stored {stored} reviewed finding(s) from {workbook.name}.")
    if unknown:
        typer.echo(
            f"  {len(unknown)} finding id(s) are not in the history store (kept all the same)."
        )
    for by, label in (("rule_id", "rule"), ("team", "team")):
        table = agreement(reviewed.decisions, by)
        if table.empty:
            continue
        typer.echo(f"Agreement per {label}:")
        for row in table.itertuples(index=False):
            typer.echo(
                f"  {getattr(row, by):<28} {row.agree}/{row.decisions} agree ({row.agree_percent:g}%)"
            )
    if reviewed.invalid:
        typer.echo(
            "Decisions that are not one of the four allowed values (not stored; fix and re-import):",
            err=True,
        )
        for line in reviewed.invalid:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(code=1)


@app.command()
def board(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for board.xlsx and board.html.")
    ] = Path("board"),
    db: DbOpt = None,
    show_child_ids: Annotated[
        bool, typer.Option("--show-child-ids", help="Show real child ids instead of pseudonyms.")
    ] = False,
) -> None:
    """Write the improvement-board pack: trends per area and team, changes, moderation agreement."""
    from audits.board import write_board
    from audits.history import Store

    with reported():
        paths = write_board(Store.open(db), out, pseudonymise=not show_child_ids)
    for path in paths:
        typer.echo(f"Board pack: {path.resolve()}")


def main() -> None:  # pragma: no cover
    app()
