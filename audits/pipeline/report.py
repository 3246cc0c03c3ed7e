"""What `audit run` and `audit validate` print: counts in words, the lists not checked, what
changed since the month before, the rules not run and the export's warnings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from audits.model.spec import BY_NUMBER
from audits.pipeline.audit import AuditRun

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
    rows = {int(item["list"]): int(item["rows"]) for item in summary["lists"]}
    absent = [f"List {n} ({spec.title})" for n, spec in BY_NUMBER.items() if n not in rows]
    empty = [f"List {n} ({BY_NUMBER[n].title})" for n, r in sorted(rows.items()) if r == 0]
    lines = []
    if absent:
        lines.append("Not in the export, so not checked: " + ", ".join(absent))
    if empty:
        lines.append("In the export but empty, so not checked: " + ", ".join(empty))
    return lines


def run_lines(run: AuditRun, workbook: Path, out: Path) -> Iterator[str]:
    """`audit run`'s report once the outputs are published."""
    s = run.summary
    yield f"As at {run.ctx.as_at:%d/%m/%Y}: {count_words(s['findings_total'], s['findings_by_severity'])}"
    yield from as_at_source(s)
    yield from lists_not_checked(s)
    change = s.get("carried_forward", {})
    if change.get("history"):
        if change.get("previous_run"):
            yield (
                f"Since the month before: {change['new']} new, {change['persisting']} "
                f"persisting, {change['resolved']} resolved; {change['suppressed']} not raised "
                "again (decided 'Disagree — recording is correct')"
            )
        else:
            yield (
                f"No earlier month in the history store: all {change['new']} findings are new"
                + (
                    f"; {change['suppressed']} not raised again (decided 'Disagree — recording "
                    "is correct')"
                    if change.get("suppressed")
                    else ""
                )
            )
    actions = s.get("actions") or {}
    if actions.get("open") or actions.get("done"):
        yield (
            f"Actions: {actions['open']} open, of which {actions['overdue']} overdue "
            f"(listed on Summary and in each team's workbook); {actions.get('done', 0)} done"
            + (
                f"; {actions['closed_finding_resolved']} closed as their finding resolved"
                if actions.get("closed_finding_resolved")
                else ""
            )
        )
    late = s.get("respond_by_passed")
    if late:
        yield (
            f"  warning: the respond-by date written into the workbooks, {late['respond_by']}, "
            f"has already passed (today is {late['today']}): tell the teams the date you want, "
            "or set respond_working_days in the config"
        )
    for item in s["rules_not_run"]:
        yield f"  not run: {item['rule_id']} — {item['reason']}"
    for warning in s.get("warnings", []):
        yield f"  warning: {warning['message']}"
    yield f"Workbook: {workbook.resolve()}"
    teams = s.get("team_workbooks") or {}
    if teams:
        yield f"Team workbooks ({len(teams)}, one per team): {(out / 'teams').resolve()}"


def as_at_source(summary: dict) -> Iterator[str]:
    """Which date decided the as-at date of a statutory return audited without --as-at."""
    source = (summary.get("statutory_return") or {}).get("as_at_from")
    if source and source != "--as-at":
        yield f"  as at: {source}"


def validate_lines(run: AuditRun) -> Iterator[str]:
    """`audit validate`'s report: rows per list, data-quality findings, every unreadable value
    with its place."""
    s = run.summary
    yield f"As at {run.ctx.as_at:%d/%m/%Y}"
    yield from as_at_source(s)
    for item in s["lists"]:
        layout = f", {item['layout']}" if item["layout"] else ""
        yield f"List {item['list']} ({item['title']}): {item['rows']:,} rows from {item['source']}{layout}"
    yield from lists_not_checked(s)
    dq = run.result.findings
    yield f"Data quality: {count_words(len(dq), {})}"
    for rule_id, n in dq["rule_id"].value_counts().sort_index().items():
        yield f"  {rule_id}: {n:,}"
    bad = run.ctx.export.unreadable
    yield f"Values that could not be read: {len(bad):,}"
    for row in bad.itertuples(index=False):
        sheet = f", sheet '{row.sheet}'" if row.sheet else ""
        yield (
            f"  {row.file}{sheet}, row {row.row}, column {row.column} ({row.heading}): "
            f"'{row.value}'; expected {row.expected}"
        )
