"""One workbook per team (DESIGN §3 "Team workbooks"): `teams/<team>.xlsx`.

Each team manager sees only their own team's children: a Guide, the team's Findings (the same
columns and reviewer columns as audit.xlsx), the team's overdue actions, and the team's data
quality (findings and unreadable values of its children). Every finding is written once per file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from audits.output.findings_sheet import write_findings_sheet
from audits.output.guide import write_guide
from audits.output.workbook import (
    ActionLayout,
    Review,
    cap_rows,
    overdue_actions,
    write_data_quality_sheet,
    write_overdue_rows,
)
from audits.output.xlsx import (
    Formats,
    landscape,
    mark_entries,
    mark_owner,
    new_workbook,
    write_header,
    write_text,
)

NO_TEAM = "No team"
_NOT_IN_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", re.IGNORECASE)


def safe_file_name(team: str, limit: int = 100) -> str:
    """A file name stem that is valid on Windows and POSIX: characters that cannot be in a file
    name become `_`, no trailing dots or spaces, no reserved device name (CON, NUL, COM1 ...)."""
    name = _NOT_IN_NAMES.sub("_", team.strip())[:limit].rstrip(". ")
    if not name:
        return NO_TEAM if not team.strip() else "_"
    if _RESERVED.match(name.split(".")[0].strip()):
        name = "_" + name
    return name


def team_file_names(teams: list[str]) -> dict[str, str]:
    """Each team's file name (`<name>.xlsx`), unique ignoring case; blank team -> No team.xlsx."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for team in teams:
        base = safe_file_name(team) if team.strip() else NO_TEAM
        name, n = base, 2
        while name.casefold() in used:
            name, n = f"{base} ({n})", n + 1
        used.add(name.casefold())
        names[team] = f"{name}.xlsx"
    return names


def split_by_team(frame: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """(team, its rows) for every team, blank team as ''; one grouping pass."""
    teams = frame["team"].astype(object).where(frame["team"].notna(), "").astype(str).str.strip()
    for team, rows in frame.groupby(teams.to_numpy(), sort=True):
        yield str(team), rows


def write_team_workbook(
    target: Path,
    team: str,
    findings: pd.DataFrame,
    unreadable: pd.DataFrame,
    review: Review,
    rows_per_rule: int,
) -> None:
    """One team's workbook: Guide, Findings, Overdue actions, Data quality."""
    scope = team or NO_TEAM
    shown, capped = cap_rows(findings, rows_per_rule)
    shown = shown.sort_values(
        ["days_overdue", "rule_id"], ascending=[False, True], na_position="last", kind="stable"
    )
    wb = new_workbook(target)
    mark_entries(wb, review.entries_upto)
    mark_owner(wb, review.as_at, team)
    formats = Formats(wb)
    write_guide(
        wb,
        formats,
        scope=scope,
        as_at=review.as_at,
        respond_by=review.respond_by,
        working_days=review.working_days,
        team_workbook=True,
    )
    write_findings_sheet(
        wb,
        formats,
        shown,
        scope=scope + (f" (at most {rows_per_rule:,} rows per rule)" if capped else ""),
        as_at=review.as_at,
        respond_by=review.respond_by,
        working_days=review.working_days,
    )
    _overdue_sheet(wb, formats, overdue_actions(findings, review.as_at), action_counts(findings))
    write_data_quality_sheet(
        wb, formats, findings[findings["area"] == "Data quality"], unreadable, rows_per_rule
    )
    wb.close()


def write_team_workbooks(jobs: list[tuple]) -> None:
    """Every team's workbook: `write_team_workbook(*job)` for each job (run in the helper
    process for large months, so it overlaps writing audit.xlsx)."""
    for job in jobs:
        write_team_workbook(*job)


def action_counts(findings: pd.DataFrame) -> dict[str, int]:
    """Actions on these findings: open (not done), overdue (open and past due) and done."""
    if "action_owner" not in findings:
        return {"open": 0, "overdue": 0, "done": 0}
    has_action = findings["action_owner"].notna() | findings["action_due"].notna()
    done = (
        findings["action_done"].fillna(False).astype(bool) if "action_done" in findings else False
    )
    overdue = findings["action_overdue"].fillna(False).astype(bool)
    return {
        "open": int((has_action & ~done).sum()),
        "overdue": int(overdue.sum()),
        "done": int((has_action & done).sum()),
    }


OVERDUE_WIDTHS = (12, 60, 22, 12, 10, 9, 18)  # Child ID, Finding, Action owner ... Finding ID
TEAM_ACTIONS = ActionLayout(
    text={
        0: ("child_id", False),
        1: ("message", True),
        2: ("action_owner", True),
        5: ("rule_id", False),
        6: ("finding_id", False),
    },
    due=3,
    days=4,
    widths={1: OVERDUE_WIDTHS[1], 2: OVERDUE_WIDTHS[2]},
)


def _overdue_sheet(wb, formats: Formats, overdue: pd.DataFrame, counts: dict[str, int]) -> None:
    ws = wb.add_worksheet("Overdue actions")
    landscape(ws, repeat_rows=(2, 2))
    ws.freeze_panes(3, 0)
    headings = (
        "Child ID",
        "Finding",
        "Action owner",
        "Action due",
        "Days past due",
        "Rule",
        "Finding ID",
    )
    for col, width in enumerate(OVERDUE_WIDTHS):
        ws.set_column(col, col, width)
    write_text(
        ws,
        0,
        0,
        f"Actions: {counts['open']:,} open, of which {counts['overdue']:,} overdue; "
        f"{counts['done']:,} done",
        formats.title,
    )
    write_text(
        ws,
        1,
        0,
        "Overdue: not done, past its Action due date, and the finding still raised. To close "
        "one, set Action status to Done and give the date in Done on (Findings sheet).",
        formats.bold,
    )
    write_header(ws, 2, headings, formats.header)
    ws.set_row(2, 30)  # 'Days past due' wraps in its narrow column
    if overdue.empty:
        write_text(ws, 3, 0, "None.")
        return
    write_overdue_rows(ws, formats, overdue, 3, TEAM_ACTIONS)


def team_unreadable(unreadable: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Unreadable values by team (blank team as '')."""
    if unreadable.empty:
        return {}
    return dict(split_by_team(unreadable))
