"""A run's output set: findings.csv, summary.json, audit.xlsx and one workbook per team, staged
and published as one, the team workbooks shared with the helper process in a large month."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from audits.engine.context import Context
from audits.engine.registry import all_rules
from audits.output.findings_csv import write_findings_csv
from audits.pipeline.audit import AuditRun, progress, rule_rows

PARALLEL_FROM = 2000  # findings from which team workbooks are written in the helper process


def write_outputs(run: AuditRun, out_dir: Path, *, quiet: bool = True) -> Path:
    """findings.csv, summary.json, audit.xlsx and one workbook per team (teams/<team>.xlsx);
    returns audit.xlsx's path.

    The set is written into a staged folder and published as one (`audits.output.publish`): an
    interrupted run leaves the previous outputs as they were, and files this run does not write
    stay where they are. A workbook a person has changed since the tool wrote it (on any sheet)
    is never overwritten: the new one is written beside it and the run says so
    (`audits.output.written`).
    """
    # the writers are imported here, when they are needed (and may be replaced in tests)
    from audits.core import helper
    from audits.output.publish import publish
    from audits.output.team_workbooks import (
        split_by_team,
        team_file_names,
        write_team_workbook,
        write_team_workbooks,
    )
    from audits.output.workbook import write_workbook
    from audits.output.written import earlier_workbooks, forget, remember, target_for

    say = (lambda _m: None) if quiet else progress
    findings = run.result.findings
    config = run.ctx.config
    review = dataclasses.replace(
        review_dates(run.ctx),
        entries_upto=int(run.summary.get("carried_forward", {}).get("entries_upto", 0)),
    )
    run.summary["respond_by"] = review.respond_by.isoformat()
    today = dt.date.today()
    if review.respond_by < today:  # an audit of a month long past: the teams cannot meet it
        run.summary["respond_by_passed"] = {
            "respond_by": f"{review.respond_by:%d/%m/%Y}",
            "today": f"{today:%d/%m/%Y}",
        }
    unreadable = run.ctx.export.unreadable
    by_team = dict(split_by_team(findings))
    bad_by_team = dict(split_by_team(unreadable)) if len(unreadable) else {}
    names = team_file_names(sorted(set(by_team) | set(bad_by_team)))
    stamp = f"{run.ctx.as_at.isoformat()}-{dt.datetime.now():%Y%m%d-%H%M%S}"  # beside a kept one
    leave: set[str] = set()  # filled below, under publish's lock: read when it carries files
    moves: dict[str, str] = {}
    with publish(out_dir, leave=leave, moves=moves) as staged:
        out_dir = Path(os.path.abspath(out_dir))
        workbook, kept = target_for(out_dir / "audit.xlsx", out_dir, stamp)
        targets = {
            team: target_for(out_dir / "teams" / name, out_dir, stamp)
            for team, name in names.items()
        }
        # teams/ holds this month's set only: last month's workbooks this run does not write are
        # left out (the tool's own copies) or set aside in teams/earlier/ (a person typed in them)
        dropped, moved = earlier_workbooks(
            out_dir,
            "teams",
            [p for p, _ in targets.values()] + [out_dir / f"teams/{n}" for n in names.values()],
        )
        leave.update(dropped)
        moves.update(moved)
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
        for name, target in moved.items():
            say(
                f"{name} is not in this month's set and has been changed since it was written: "
                f"it is kept as {target}"
            )
        if dropped:
            say(f"Not in this month's set, so no longer in teams/: {', '.join(dropped)}")
            run.summary["team_workbooks_withdrawn"] = dropped
        if moved:
            run.summary["team_workbooks_set_aside"] = moved
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
        # the helper process writes team workbooks, the largest first, while this one writes
        # audit.xlsx and then the smallest, until they meet (`helper.Shared`); below
        # PARALLEL_FROM findings only when the helper is already running (starting it costs
        # more than it saves)
        shared = None
        if len(findings) >= PARALLEL_FROM or helper.running():
            shared = helper.Shared(
                write_team_workbook, by_size(teams, config.workbook_rows_per_rule)
            )
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
        if shared is not None:
            shared.finish()
        else:
            write_team_workbooks(teams)
        run.summary["workbook_capped_rules"] = capped
        (staged / "summary.json").write_text(
            json.dumps(run.summary, indent=2, ensure_ascii=False, default=_json_default),
            encoding="utf-8",
        )
        forget(staged, [*dropped, *moved])
        remember(staged, [staged_path(workbook), *(staged_path(p) for p, _ in targets.values())])
    run.out_dir = out_dir
    return workbook


def by_size(teams: list[tuple], cap: int) -> list[tuple]:
    """Team workbook jobs, the fewest rows to write first (the helper takes the largest)."""
    rows = [int(job[2]["rule_id"].value_counts().clip(upper=cap).sum()) for job in teams]
    return [teams[i] for i in sorted(range(len(teams)), key=lambda i: rows[i])]


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
