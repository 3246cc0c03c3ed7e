"""One audit run: load the export, run the rules, score, compute the indicators, carry the
history forward and build the summary (`audits.pipeline.outputs` writes the output set)."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from audits import __version__
from audits.core.config import Config
from audits.engine.context import Context
from audits.engine.coverage import coverage_warnings
from audits.engine.registry import Rule, all_rules
from audits.engine.run import RunResult, run_rules
from audits.history import Store
from audits.indicators.compute import compute_indicators
from audits.indicators.published import attribution
from audits.indicators.reconcile import council, reconciliation
from audits.indicators.scores import checked_areas, compute_scores
from audits.ingest.dispatch import describe, load_export
from audits.ingest.export import Export
from audits.ingest.returns import default_as_at, input_warnings, return_summary
from audits.ingest.schemas import validate_export
from audits.review.carry_forward import apply_history
from audits.suites.apply import DEFAULT_DIR as SUITES_DIR
from audits.suites.apply import find_suites, preload, start_suites


@dataclass
class AuditRun:
    ctx: Context
    result: RunResult
    summary: dict
    out_dir: Path | None = None


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def audit(
    export_path: Path | str,
    as_at: dt.date | None,
    config: Config | None = None,
    *,
    quiet: bool = True,
    store: Store | None = None,
    data_quality_only: bool = False,
    schema: str | None = None,
) -> AuditRun:
    """Read, check and score one export (a path, or the SSD's database URL with its `schema`).
    `data_quality_only` runs the data-quality rules alone (`audit validate`). Great Expectations
    is imported in a separate process started first, so its import overlaps reading the export
    (`audits.suites.preload`)."""
    say = (lambda _m: None) if quiet else progress
    config = config or Config()
    say(f"Reading {describe(export_path)} ...")
    preload(config.expectations_dir or SUITES_DIR)
    export = load_export(export_path, schema=schema, as_at=as_at, config=config)
    given, as_at = as_at, as_at or default_as_at(export)  # a return's ReferenceDate, else today
    rename_teams(export, config.team_renames)
    # the lists are final: the helper process validates the suites while this one checks the
    # schemas and runs the other rules (DQ-05 collects the result)
    suites = find_suites(config.expectations_dir or SUITES_DIR)
    started = start_suites(suites, export.lists) if suites else None
    validate_export(export)
    ctx = Context(export=export, as_at=as_at, config=config, suites=started)
    rules = all_rules()
    if data_quality_only:
        rules = [r for r in rules if r.area == "Data quality"]
    say(f"Running {len(rules)} rules as at {as_at:%d/%m/%Y} ...")
    result = run_rules(ctx, rules)
    result.findings, carried, actions = apply_history(result.findings, as_at, store)
    summary = build_summary(ctx, result)
    summary["carried_forward"] = carried
    summary["actions"] = actions
    summary.update(return_summary(export, given))
    summary["warnings"] = input_warnings(export) + summary["warnings"]
    return AuditRun(ctx, result, summary)


def rename_teams(export: Export, renames: dict[str, str]) -> None:
    """Apply the config's team renames (old name = new name) to every list and local table."""
    if not renames:
        return
    for table in [*export.lists.values(), *export.tables.values()]:
        if "team" in table.frame:
            table.frame["team"] = table.frame["team"].replace(renames)


def rule_rows(rules: list[Rule], config: Config, result: RunResult | None = None) -> list[dict]:
    status = {}
    if result is not None:
        for o in result.outcomes:
            status[o.rule.id] = (
                f"ran: {o.findings} finding(s)" if o.ran else f"not run: {o.reason}"
            ) + (f" (skipped: {'; '.join(o.notes)})" if o.notes else "")
    return [
        {
            "rule_id": r.id,
            "area": r.area,
            "severity": r.severity,
            "title": r.title,
            "condition": r.condition,
            "basis": r.basis,
            "threshold": f"{r.threshold} = {getattr(config, r.threshold)}" if r.threshold else None,
            "status": status.get(r.id),
        }
        for r in rules
    ]


def build_summary(ctx: Context, result: RunResult) -> dict:
    export: Export = ctx.export
    findings = result.findings
    by_area, by_team = compute_scores(ctx, findings, checked_areas(ctx, result.outcomes))
    indicators = compute_indicators(ctx, result)
    shows_published = any(i.get("published") for i in indicators)
    return {
        "tool": "casefile-audit",
        "version": __version__,
        "as_at": ctx.as_at.isoformat(),
        "run_at": dt.datetime.now().replace(microsecond=0).isoformat(),
        "export": str(export.path),
        "files": sorted({t.file.name for t in export.lists.values()}),
        "lists": [
            {
                "list": n,
                "title": t.spec.title,
                "rows": len(t.frame),
                "source": t.source,
                "recognised_by": t.recognised_by,
                "layout": t.layout,
                "unrecognised_headings": t.unmatched_headings,
            }
            for n, t in export.lists.items()
        ],
        "local_tables": [
            {"table": key, "title": t.spec.title, "rows": len(t.frame), "source": t.source}
            for key, t in export.tables.items()
        ],
        "sheets_not_lists": export.skipped,
        "unreadable_values": len(export.unreadable),
        "findings_total": len(findings),
        "findings_by_severity": {
            k: int(v) for k, v in findings["severity"].value_counts().sort_index().items()
        },
        "findings_by_rule": {o.rule.id: o.findings for o in result.outcomes if o.ran},
        "rules_run": [o.rule.id for o in result.outcomes if o.ran],
        "rules_not_run": [
            {"rule_id": o.rule.id, "title": o.rule.title, "reason": o.reason}
            for o in result.outcomes
            if not o.ran
        ],
        "rule_notes": {o.rule.id: o.notes for o in result.outcomes if o.notes},
        "warnings": [
            *({"kind": "reading", "message": note} for note in export.notes),
            *coverage_warnings(export, result.outcomes),
        ],
        "thresholds": {
            "cin_visit_working_days": ctx.config.cin_visit_working_days,
            "cp_visit_working_days": ctx.config.cp_visit_working_days,
            "care_leaver_contact_days": ctx.config.care_leaver_contact_days,
            "rag_green": ctx.config.rag_green,
            "rag_amber": ctx.config.rag_amber,
        },
        "workbook_rows_per_rule": ctx.config.workbook_rows_per_rule,
        "scores": {
            "by_area": [s.as_dict() for s in by_area],
            "by_team": [s.as_dict() for s in by_team],
        },
        "indicators": indicators,
        "council": council(ctx.config.la_code),
        "reconciliation": reconciliation(indicators, ctx.as_at, ctx.config),
        "published_attribution": attribution() if shows_published else None,
    }
