"""One audit run: load the export, run the rules, score, and write the three outputs."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audits import __version__
from audits.carry_forward import apply_history
from audits.config import Config
from audits.coverage import coverage_warnings
from audits.engine.context import Context
from audits.engine.registry import Rule, all_rules
from audits.engine.run import RunResult, run_rules
from audits.history import Store
from audits.indicators import compute_indicators
from audits.ingest.load import Export, load_export
from audits.ingest.returns import default_as_at, return_summary
from audits.output.findings_csv import write_findings_csv
from audits.schemas import validate_export
from audits.scores import checked_areas, compute_scores
from audits.suites import DEFAULT_DIR as SUITES_DIR
from audits.suites import find_suites, preload, start_suites

PARALLEL_FROM = 2000  # findings from which team workbooks are written in the helper process


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
    as_at: dt.date | None,
    config: Config | None = None,
    *,
    quiet: bool = True,
    store: Store | None = None,
    data_quality_only: bool = False,
) -> AuditRun:
    """Read, check and score one export. `data_quality_only` runs the data-quality rules alone
    (`audit validate`). Great Expectations is imported in a separate process started first, so
    its import overlaps reading the export (`audits.suites.preload`)."""
    say = (lambda _m: None) if quiet else progress
    config = config or Config()
    say(f"Reading {export_path} ...")
    preload(config.expectations_dir or SUITES_DIR)
    export = load_export(export_path)
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
        "indicators": compute_indicators(ctx, result),
    }


def write_outputs(run: AuditRun, out_dir: Path, *, quiet: bool = True) -> Path:
    """findings.csv, summary.json, audit.xlsx and one workbook per team (teams/<team>.xlsx);
    returns audit.xlsx's path.

    The set is written into a staged folder and published as one (`audits.output.publish`): an
    interrupted run leaves the previous outputs as they were, and files this run does not write
    stay where they are. A workbook a person has changed since the tool wrote it (on any sheet)
    is never overwritten: the new one is written beside it and the run says so
    (`audits.output.written`).
    """
    import dataclasses

    from audits import helper
    from audits.output.publish import publish
    from audits.output.team_workbooks import split_by_team, team_file_names, write_team_workbooks
    from audits.output.workbook import write_workbook
    from audits.output.written import remember, target_for

    say = (lambda _m: None) if quiet else progress
    findings = run.result.findings
    config = run.ctx.config
    review = dataclasses.replace(
        review_dates(run.ctx),
        entries_upto=int(run.summary.get("carried_forward", {}).get("entries_upto", 0)),
    )
    unreadable = run.ctx.export.unreadable
    by_team = dict(split_by_team(findings))
    bad_by_team = dict(split_by_team(unreadable)) if len(unreadable) else {}
    names = team_file_names(sorted(set(by_team) | set(bad_by_team)))
    stamp = f"{run.ctx.as_at.isoformat()}-{dt.datetime.now():%Y%m%d-%H%M%S}"  # beside a kept one
    with publish(out_dir) as staged:
        out_dir = Path(os.path.abspath(out_dir))
        workbook, kept = target_for(out_dir / "audit.xlsx", out_dir, stamp)
        targets = {
            team: target_for(out_dir / "teams" / name, out_dir, stamp)
            for team, name in names.items()
        }
        meant = [("audit.xlsx", workbook, kept)]
        meant += [(f"teams/{names[team]}", path, k) for team, (path, k) in targets.items()]
        kept_names = [path for _, path, k in meant if k]
        for name, path, k in meant:
            if k:
                say(
                    f"{name} has been changed since it was written: it is kept, and this run's "
                    f"workbook is {path.relative_to(out_dir).as_posix()}"
                )
        run.summary["workbook"] = workbook.name
        run.summary["team_workbooks"] = {
            team or "": path.relative_to(out_dir).as_posix() for team, (path, _) in targets.items()
        }
        if kept_names:
            run.summary["workbooks_kept"] = [p.relative_to(out_dir).as_posix() for p in kept_names]
        if kept:
            run.summary["workbook_kept"] = "audit.xlsx has been changed since it was written: kept"
        say(f"Writing {len(findings):,} findings to {out_dir} ...")

        def staged_path(path: Path) -> Path:
            target = staged / path.relative_to(out_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            return target

        rules = rule_rows(all_rules(), config, run.result)
        empty = findings.iloc[:0]
        teams = [
            (
                staged_path(path),
                team,
                by_team.get(team, empty),
                bad_by_team.get(team, unreadable.iloc[:0]),
                review,
                config.workbook_rows_per_rule,
            )
            for team, (path, _) in targets.items()
        ]
        # in a large month the helper process writes about half the rows (the largest team
        # workbooks) while this one writes audit.xlsx and the other teams'
        cap = config.workbook_rows_per_rule
        audit_rows = int(findings["rule_id"].value_counts().clip(upper=cap).sum())
        there, here = share_out(teams, len(findings), audit_rows, cap, helper.running())
        writing = helper.submit(write_team_workbooks, there) if there else None
        write_findings_csv(findings, staged / "findings.csv")
        capped = write_workbook(
            staged_path(workbook),
            findings,
            run.summary,
            rules,
            unreadable,
            config.workbook_rows_per_rule,
            review,
        )
        write_team_workbooks(here)
        helper.run_here_if_lost(writing, write_team_workbooks, there)
        run.summary["workbook_capped_rules"] = capped
        (staged / "summary.json").write_text(
            json.dumps(run.summary, indent=2, ensure_ascii=False, default=_json_default),
            encoding="utf-8",
        )
        remember(staged, [staged_path(workbook), *(staged_path(p) for p, _ in targets.values())])
    run.out_dir = out_dir
    return workbook


def share_out(
    teams: list[tuple], total: int, audit_rows: int, cap: int, running: bool = False
) -> tuple[list[tuple], list[tuple]]:
    """(team workbooks for the helper process, the rest for this one): the largest to the
    helper until it holds about half of all the rows to write (audit.xlsx's included). Below
    `PARALLEL_FROM` findings, all to the helper when it is already `running` (it has the writer
    imported and nothing else to do by then), else none: starting it costs more than it saves."""
    if total < PARALLEL_FROM:
        return (teams, []) if running else ([], teams)
    rows = [int(job[2]["rule_id"].value_counts().clip(upper=cap).sum()) for job in teams]
    order = sorted(range(len(teams)), key=lambda i: -rows[i])
    there, load_there, load_here = [], 0, audit_rows
    for i in order:
        if load_there <= load_here:
            there.append(i)
            load_there += rows[i]
        else:
            load_here += rows[i]
    return [teams[i] for i in there], [t for i, t in enumerate(teams) if i not in there]


def review_dates(ctx: Context):
    """The as-at date and the date team returns are due (working days after it)."""
    from audits.output.workbook import Review

    n = ctx.config.respond_working_days
    due = ctx.calendar.add_working_days(pd.Series([pd.Timestamp(ctx.as_at)]), n).iloc[0]
    return Review(ctx.as_at, pd.Timestamp(due).date(), n)


def _json_default(value: object) -> object:
    if isinstance(value, dt.date | pd.Timestamp):
        return value.isoformat()
    return str(value)
