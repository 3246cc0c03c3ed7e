"""One audit run: load the export, run the rules, score, and write the three outputs."""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audits import __version__
from audits.config import Config
from audits.coverage import coverage_warnings
from audits.engine.context import Context
from audits.engine.registry import Rule, all_rules
from audits.engine.run import RunResult, run_rules
from audits.history import Store
from audits.ingest.load import Export, load_export
from audits.output.findings_csv import write_findings_csv
from audits.schemas import validate_export
from audits.scores import compute_scores
from audits.suites import DEFAULT_DIR as SUITES_DIR
from audits.suites import preload


@dataclass
class AuditRun:
    ctx: Context
    result: RunResult
    summary: dict
    out_dir: Path | None = None


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def audit(
    export_path: Path,
    as_at: dt.date,
    config: Config | None = None,
    *,
    quiet: bool = True,
    store: Store | None = None,
) -> AuditRun:
    say = (lambda _m: None) if quiet else progress
    config = config or Config()
    say(f"Reading {export_path} ...")
    preload(config.expectations_dir or SUITES_DIR)
    export = load_export(export_path)
    validate_export(export)
    rename_teams(export, config.team_renames)
    ctx = Context(export=export, as_at=as_at, config=config)
    say(f"Running {len(all_rules())} rules as at {as_at:%d/%m/%Y} ...")
    result = run_rules(ctx)
    carried = carry_forward(result, as_at, store)
    summary = build_summary(ctx, result)
    summary["carried_forward"] = carried
    return AuditRun(ctx, result, summary)


def carry_forward(result: RunResult, as_at: dt.date, store: Store | None) -> dict:
    """Apply the history: drop findings moderated 'Disagree — recording is correct', mark the
    month each finding was first raised, and count new / persisting / resolved findings."""
    month = as_at.strftime("%Y-%m")
    findings = result.findings
    if store is None:
        findings["first_raised"] = month
        return {"history": False}
    accepted = store.carried_decisions()
    suppressed = findings["finding_id"].isin(accepted)
    findings = findings[~suppressed].reset_index(drop=True)
    raised = store.first_raised(findings["finding_id"])
    findings["first_raised"] = raised.astype(object).where(raised.notna(), month).astype(str)
    result.findings = findings
    previous = store.previous_run(as_at)
    current = set(findings["finding_id"])
    before = store.run_finding_ids(previous) if previous else set()
    return {
        "history": True,
        "suppressed": int(suppressed.sum()),
        "previous_run": previous,
        "new": len(current - before),
        "persisting": len(current & before),
        "resolved": len(before - current - accepted) if previous else 0,
    }


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
    by_area, by_team = compute_scores(ctx, findings)
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
        "warnings": coverage_warnings(export, result.outcomes),
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
    }


def write_outputs(run: AuditRun, out_dir: Path, *, quiet: bool = True) -> Path:
    """findings.csv, summary.json and audit.xlsx; returns the workbook's path.

    The set is written into a staged folder and published as one (audits.output.publish): an
    interrupted run leaves the previous outputs as they were, and files this run does not write
    stay where they are. A workbook that already holds reviewer entries is never overwritten:
    the new one is written beside it.
    """
    from audits.output.publish import publish
    from audits.output.reviewed import holds_reviewer_entries
    from audits.output.workbook import write_workbook

    say = (lambda _m: None) if quiet else progress
    with publish(out_dir) as staged:
        findings = run.result.findings
        workbook = out_dir / "audit.xlsx"
        if holds_reviewer_entries(workbook):
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            workbook = out_dir / f"audit-{run.ctx.as_at.isoformat()}-{stamp}.xlsx"
            say(
                f"{out_dir / 'audit.xlsx'} holds reviewer entries: it is kept, the new workbook is {workbook.name}"
            )
            run.summary["workbook_kept"] = (
                "audit.xlsx holds reviewer entries and was not overwritten"
            )
        run.summary["workbook"] = workbook.name
        say(f"Writing {len(findings):,} findings to {out_dir} ...")
        rules = rule_rows(all_rules(), run.ctx.config, run.result)
        write_findings_csv(findings, staged / "findings.csv")
        capped = write_workbook(
            staged / workbook.name,
            findings,
            run.summary,
            rules,
            run.ctx.export.unreadable,
            run.ctx.config.workbook_rows_per_rule,
        )
        run.summary["workbook_capped_rules"] = capped
        (staged / "summary.json").write_text(
            json.dumps(run.summary, indent=2, ensure_ascii=False, default=_json_default),
            encoding="utf-8",
        )
    run.out_dir = out_dir
    return workbook


def remove_stale_parts(out_dir: Path) -> None:
    """Temporary files left by a run that was killed mid-write (never the outputs themselves)."""
    for name in ("findings.csv", "summary.json", "audit*.xlsx"):
        for part in out_dir.glob(f".{name}.*.part"):
            part.unlink(missing_ok=True)


def _json_default(value: object) -> object:
    if isinstance(value, dt.date | pd.Timestamp):
        return value.isoformat()
    return str(value)
