"""The `audit` command line (Typer). Heavy libraries are imported inside commands, so
`audit --help` stays fast."""

from __future__ import annotations

import datetime as dt
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


def _fail(exc: Exception) -> None:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(code=1)


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
) -> None:
    """Audit an export: writes findings.csv, audit.xlsx and summary.json to --out."""
    from audits.audit import audit, write_outputs
    from audits.config import Config
    from audits.errors import InputError

    date = _as_at(as_at)
    try:
        result = audit(export, date, Config.load(config), quiet=False)
        workbook = write_outputs(result, out, quiet=False)
    except InputError as exc:
        _fail(exc)
    except Exception as exc:  # never a traceback on the console
        _defect(exc)
    s = result.summary
    typer.echo(
        f"As at {date:%d/%m/%Y}: {s['findings_total']:,} findings " + str(s["findings_by_severity"])
    )
    for item in s["rules_not_run"]:
        typer.echo(f"  not run: {item['rule_id']} — {item['reason']}")
    typer.echo(f"Workbook: {workbook.resolve()}")


@app.command()
def validate(export: ExportArg, as_at: AsAtOpt = None) -> None:
    """Check ingestion and data quality only (no outputs written)."""
    from audits.audit import audit
    from audits.errors import InputError

    date = _as_at(as_at)
    try:
        result = audit(export, date, quiet=False)
    except InputError as exc:
        _fail(exc)
    except Exception as exc:
        _defect(exc)
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
    from audits.errors import InputError

    try:
        cfg = Config.load(config)
    except InputError as exc:
        _fail(exc)
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


def main() -> None:  # pragma: no cover
    app()
