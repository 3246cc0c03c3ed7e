"""The `audit` command line (Typer): wiring only. Each command's work lives with its job
(`audits.pipeline`, `audits.review`, `audits.board`, `audits.example`); failures are reported by
`audits.cli.report`. Heavy libraries are imported inside commands, so `audit --help` stays fast."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Annotated

import typer

from audits.cli.options import (
    AsAtOpt,
    Command,
    ConfigOpt,
    DbOpt,
    ExportArg,
    OutOpt,
    PracticeOutOpt,
    SchemaOpt,
    SourceArg,
    as_at_date,
    export_source,
)
from audits.cli.report import reported
from audits.core import collector

app = typer.Typer(
    name="audit",
    help="Recording audit and data quality for children's social care case files (Ofsted Annex A).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no '<bool>' after flags, no '{export}'
)


def _note(text: str) -> None:
    typer.echo(text, err=True)


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


@app.command(cls=Command)
def run(
    export: SourceArg,
    out: OutOpt = Path("out"),
    as_at: AsAtOpt = None,
    config: ConfigOpt = None,
    db: DbOpt = None,
    schema: SchemaOpt = None,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Do not read or record the history store.")
    ] = False,
) -> None:
    """Audit an export: writes findings.csv, audit.xlsx and summary.json to --out."""
    from audits.suites import preload

    date = as_at_date(as_at) if as_at else None  # None: the return's ReferenceDate, else today
    with reported():
        from audits.core.config import Config

        settings = Config.load(config)
        # Great Expectations starts importing in the helper process before this one opens the
        # store and imports pandas and the rules (`audit` would start it only after them); the
        # helper then imports the team-workbook writer, which it uses in a quiet month
        preload.start(
            settings.expectations_dir or preload.DEFAULT_DIR,
            warm=("audits.output.team_workbooks",),
        )
        from audits.indicators.settings import checked
        from audits.pipeline.record import open_store, record

        settings = checked(settings, config)

        store = None if no_history else open_store(db, _note)
        from audits.pipeline.audit import audit
        from audits.pipeline.outputs import write_outputs

        result = audit(
            export_source(export), date, settings, quiet=False, store=store, schema=schema
        )
        workbook = write_outputs(result, out, quiet=False)
        if store is not None:
            record(store, db, result, _note)
    from audits.pipeline.report import run_lines

    for line in run_lines(result, workbook, out):
        typer.echo(line)


@app.command(cls=Command)
def validate(
    export: SourceArg, as_at: AsAtOpt = None, schema: SchemaOpt = None, config: ConfigOpt = None
) -> None:
    """Read the export and check its data quality only (no timeliness rules, no outputs
    written); list every value that could not be read, with its place."""
    from audits.pipeline.audit import audit
    from audits.pipeline.report import validate_lines

    date = as_at_date(as_at) if as_at else None  # None: the return's ReferenceDate, else today
    with reported():
        from audits.indicators.settings import load_config

        cfg = load_config(config)
        result = audit(
            export_source(export), date, cfg, quiet=False, data_quality_only=True, schema=schema
        )
    for line in validate_lines(result):
        typer.echo(line)


@app.command(cls=Command)
def rules(config: ConfigOpt = None) -> None:
    """Print the rule catalogue with the thresholds in force."""
    from audits.engine.registry import all_rules
    from audits.indicators.settings import load_config
    from audits.pipeline.audit import rule_rows

    with reported():
        cfg = load_config(config)
    for r in rule_rows(all_rules(), cfg):
        typer.echo(f"{r['rule_id']:<7} {r['severity']:<6} {r['area']:<22} {r['title']}")
        typer.echo(f"        when: {r['condition']}")
        if r["threshold"]:
            typer.echo(f"        threshold: {r['threshold']}")
        typer.echo(f"        basis: {r['basis']}")


@app.command(cls=Command)
def indicators(config: ConfigOpt = None) -> None:
    """Print the board's indicators: what each counts, its target and national figure, and how
    the DfE's published figure for it compares with ours (like for like, or how it differs)."""
    from audits.indicators.listing import indicator_lines
    from audits.indicators.settings import load_config

    with reported():
        cfg = load_config(config)
    for line in indicator_lines(cfg):
        typer.echo(line)


@app.command(cls=Command)
def example(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Folder for the synthetic export and its manifest.", metavar="DIR"
        ),
    ],
    as_at: Annotated[
        str | None,
        typer.Option(
            "--as-at",
            help="The synthetic export's as-at date (with --months, the last month's), as "
            "YYYY-MM-DD or dd/mm/yyyy. Defaults to today.",
            metavar="DATE",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.", metavar="N")] = 7,
    children: Annotated[
        int, typer.Option(help="Roughly how many children per list.", metavar="N")
    ] = 40,
    months: Annotated[
        int | None,
        typer.Option(
            "--months",
            metavar="N",
            min=1,
            max=60,
            help="Write this many consecutive months of one council, each in its own folder "
            "(<out>/<yyyy-mm>/): records persist, some are completed, new ones arrive.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a synthetic monthly export with planted defects and a manifest of expected findings."""
    date = as_at_date(as_at)
    with reported():
        from audits.output.publish import check_output_folder

        check_output_folder(out)
        if months is None:
            from audits.example.workbook import write_example

            workbook, manifest = write_example(out, date, seed=seed, children=children)
            typer.echo(f"Export: {workbook}\nManifest: {manifest}")
            return
        from audits.example.months import write_months

        written = list(write_months(out, date, months, seed=seed, children=children))
    for workbook, _ in written:
        typer.echo(f"Export: {workbook}")


@app.command("example-ssd", cls=Command)
def example_ssd(
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for the SSD (CSV dumps, ssd.sqlite), the same council "
            "as an Annex A workbook, and the manifest.",
        ),
    ],
    as_at: AsAtOpt = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
    children: Annotated[
        int, typer.Option(min=1, max=100_000, help="Roughly how many records of each kind.")
    ] = 40,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            help="Also load the SSD tables into this database (a SQLAlchemy URL, e.g. "
            "postgresql+psycopg://user@host/db); tables there are replaced.",
            metavar="URL",
            show_default=False,
        ),
    ] = None,
    schema: SchemaOpt = None,
) -> None:
    """Write a synthetic council's Standard Safeguarding Dataset with planted defects: CSV dumps
    (with its local tables beside them), the same in SQLite (and in --database), the same
    council as an Annex A workbook, and a manifest of the findings each input must give."""
    from audits.example.ssd.write import write_ssd_example

    date = as_at_date(as_at)
    with reported():
        written = write_ssd_example(
            out, date, seed=seed, children=children, database=database, schema=schema
        )
    typer.echo(f"SSD (CSV dumps): {written['ssd']}")
    typer.echo(f"SSD (SQLite): sqlite:///{written['sqlite']}")
    if database:
        from audits.ingest.dispatch import describe

        typer.echo(
            f"SSD (database): {describe(database)}" + (f" --schema {schema}" if schema else "")
        )
    typer.echo(f"Annex A of the same council: {written['annex_a']}")
    typer.echo(f"Manifest: {written['manifest']}")


@app.command(cls=Command)
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
    from audits.history import Store
    from audits.indicators.settings import load_config
    from audits.pipeline.sample import sample_lines, sample_month

    date = as_at_date(as_at)
    with reported():
        from audits.output.publish import check_output_folder

        check_output_folder(out)
        cfg = load_config(config)
        store = Store.existing(db)
        sampled = sample_month(export, date, out, cfg, store, seed=seed, per_team=per_team)
    for line in sample_lines(sampled):
        typer.echo(line)


@app.command(cls=Command)
def moderate(
    workbooks: Annotated[
        list[Path],
        typer.Argument(
            help="Reviewed workbooks (audit.xlsx, team workbooks, practice audits) or folders of "
            "them. Read only, never rewritten.",
            metavar="WORKBOOKS...",
            show_default=False,
        ),
    ],
    db: DbOpt = None,
) -> None:
    """Read the returns back into the history store: responses, decisions, actions, grades."""
    from audits.review.workbooks import returned_workbooks, start_helper

    with reported():
        paths = returned_workbooks(workbooks)
        start_helper(paths)  # before the heavy imports below: both processes ready together
        from audits.history import Store
        from audits.review.moderate import moderate as moderate_returns

        store = Store.existing(db)
        complete = moderate_returns(paths, store, typer.echo)
    if not complete:
        raise typer.Exit(code=1)


@app.command(cls=Command)
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
    from audits.board.pack import write_board
    from audits.history import Store
    from audits.indicators.settings import load_config

    with reported():
        from audits.output.publish import check_output_folder

        check_output_folder(out)
        paths = write_board(
            Store.existing(db), out, pseudonymise=not show_child_ids, config=load_config(config)
        )
    for path in paths:
        typer.echo(f"Board pack: {path.resolve()}")


def main() -> None:
    """The `audit` command. At its end the process's objects are left to the operating system:
    Python's last garbage collection over a month's frames (millions of objects) would add
    about 0.3 s to every run and free nothing that outlives the process. Everything the run
    writes is closed and published before this point, and the store's connections are closed
    here (SQLite then folds its write-ahead log into the store file)."""
    collector.for_a_batch()
    try:
        app()
    finally:
        store = sys.modules.get("audits.history.connect")  # imported only if a store was used
        if store is not None:
            store.close_all()
        gc.freeze()
