"""One reviewed workbook read back: every entry typed in its reviewer columns, and everything
typed that cannot be stored, with its file, sheet and row.

A QA team collects the month's returns (team workbooks, the whole-council workbook, copies
re-saved by Excel or LibreOffice) and imports them together. From each return we read the
reviewer columns (values only; a return is never rewritten); `audits.review.moderation` then
decides, field by field, what each adds to the store.

Rows that cannot be stored (no Finding ID, a decision outside the four, an Action status other
than Open or Done, an Action due or Done on that is not a date or is a formula saved without its
result, typing in a column that is not a reviewer column or in a copied reviewer column, typing
on a sheet that is not read back) are listed with file, sheet and row; typing over an export
column is found against the store (`audits.review.return_checks`). Two sheets are read back:
Findings, and a team workbook's Overdue actions, which invites new owners and due dates.

Two people decide: the team manager (Manager decision) and the QA moderator (Moderator
decision); each column is its own field. A return written before the two were separated has one
"Moderator decision" column, which a team workbook's Guide told the team manager to fill: in a
team workbook it is read as the manager's decision, in the whole-council workbook (its kind
property, or before that its Summary sheet) as the QA moderator's, as the store's v5 migration
reads the decisions stored before (`audits.history.schema._v5`).

Reading needs nothing from the store, so this module does not import it: the returns of an
import are read on two cores (`read_returns`), and the helper process starts quickly.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from audits.core import helper
from audits.ingest.values import dates, not_a_value
from audits.ingest.xlsx_cells import FORMULA_MARK, column_letters
from audits.model.entries import DECISION_FIELDS, ENTRY_FIELDS
from audits.model.spec import header_key
from audits.output.reviewed import (
    ACTION_STATUSES,
    KIND_PROPERTY,
    LEGACY_HEADINGS,
    MODERATOR_DECISIONS,
    REVIEWER_HEADINGS,
    TEAM_PROPERTY,
    Headed,
    headed_columns,
    heading_row,
    open_return,
)
from audits.output.written import sha256_of
from audits.review.dropdowns import ACTION_STATUS, DECISION
from audits.review.return_checks import beyond_the_tool, shown_cells
from audits.review.workbooks import SHARE_FROM_BYTES, worth_sharing

FINDINGS_SHEET = "Findings"
OVERDUE_SHEET = "Overdue actions"  # a team workbook's overdue actions: owners and dates typed
READ_BACK = (FINDINGS_SHEET, OVERDUE_SHEET)
IDENTIFYING = ("Finding ID", "Rule", "Team")
REQUIRED = (*IDENTIFYING, *REVIEWER_HEADINGS)
FIELD_OF_HEADING = dict(zip(REVIEWER_HEADINGS, ENTRY_FIELDS, strict=True))
# The headings a return written before v5 lacks (all of them: some alone is a renamed column).
NEW_HEADINGS = tuple(h for h in REVIEWER_HEADINGS if h not in LEGACY_HEADINGS)
# headings the writers put on Findings before v5 (a return written then still has them)
LEGACY_TOOL_HEADINGS = (*LEGACY_HEADINGS, "First raised", "Action overdue", "Entered")
DATE_FIELDS = {"action_due": "Action due", "action_done_on": "Done on"}


@dataclass(frozen=True)
class Problem:
    """Something typed that was not stored, and where it is (the sheet, when not Findings)."""

    file: str
    row: int | None
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet and self.sheet != FINDINGS_SHEET:
            where += f", sheet '{self.sheet}'"
        if self.row is not None:
            where += f", row {self.row}"
        return f"{where}: {self.message}"


def problem_order(problem: Problem) -> tuple:
    """Problems listed by file; then Findings, Overdue actions, the other sheets; then row."""
    sheet = problem.sheet or FINDINGS_SHEET
    rank = READ_BACK.index(sheet) if sheet in READ_BACK else len(READ_BACK)
    return (problem.file, rank, sheet, problem.row or 0)


@dataclass
class Return:
    """One reviewed workbook as read: its typed entries (one row per field) and its problems."""

    path: Path
    sha256: str
    saved_at: str | None
    saved_by: str | None
    entries_upto: int | None  # the last entry the store held when the tool wrote the workbook
    entries: pd.DataFrame  # finding_id, field, value, row, rule_id, team
    problems: list[Problem] = field(default_factory=list)
    # the compared export columns of each row as saved (`return_checks.shown_cells`), and the
    # run the workbook shows (its as-at property, or the date its Findings header states)
    shown: pd.DataFrame = field(default_factory=pd.DataFrame)
    as_at: str | None = None
    kind: str = "team"  # "team" (a team manager's workbook) or "council" (audit.xlsx)
    teams: tuple[str, ...] = ()  # the team of a team workbook (or the teams of its rows)
    legacy: bool = False  # written before v5: one "Moderator decision" column
    read_by: int = field(default_factory=os.getpid)  # the process that read it (`read_returns`)


def read_returns(paths: list[Path], *, share_from: int = SHARE_FROM_BYTES) -> list[Return]:
    """Every return read (`read_return`), in order. When they are large together (`share_from`
    bytes or more) the helper process on the machine's other core reads from the last one
    backwards while this process reads from the first (`helper.Shared`): each workbook is read
    whole by one of them. The first return in order that cannot be read stops the import with
    its message, as it would read one by one."""
    if not worth_sharing(paths, share_from):
        return [read_return(p) for p in paths]
    return helper.Shared(read_return, [(p,) for p in paths]).finish()


def tool_headings() -> set[str]:
    """Every heading the audit writers put on a Findings sheet (others were added by a person)."""
    from audits.output.findings_sheet import FINDING_HEADINGS, READ_ONLY_HEADINGS

    known = set(FINDING_HEADINGS) | set(LEGACY_TOOL_HEADINGS) | set(READ_ONLY_HEADINGS)
    return known | set(REQUIRED)


def overdue_headings() -> set[str]:
    """The headings of a team workbook's Overdue actions sheet (reviewer headings included)."""
    return {
        "Child ID",
        "Finding",
        "Days past due",
        "Rule",
        "Finding ID",
        "Team",
        *REVIEWER_HEADINGS,
        *tool_headings(),
    }


def _as_at_in_header(rows: list[tuple]) -> str | None:
    """The as-at date a Findings sheet states above its table ('... as at 30/09/2026. ...'), ISO:
    how a workbook written before the as-at property says which run it came from."""
    for row in rows[:4]:
        for value in row[:1]:
            found = re.search(r"as at (\d\d)/(\d\d)/(\d{4})", str(value or ""))
            if found:
                day, month, year = found.groups()
                return f"{year}-{month}-{day}"
    return None


def _present(rows: list[tuple]) -> set[str]:
    """The heading keys of a Findings sheet's heading row (empty when there is none)."""
    at = heading_row(rows, IDENTIFYING)
    return {header_key(v) for v in rows[at] if isinstance(v, str)} if at is not None else set()


def read_return(path: Path) -> Return:
    """One return as read: the entries typed in its reviewer columns (Findings, and Overdue
    actions when present), and everything typed that cannot be stored, with its place."""
    book = open_return(path, written_by="audit run")
    sheet = book.sheet(FINDINGS_SHEET)
    name = path.name
    custom = book.properties
    legacy = not any(header_key(h) in _present(sheet.rows) for h in NEW_HEADINGS)
    kind = str(
        custom.get(KIND_PROPERTY) or ("council" if "Summary" in book.sheet_names else "team")
    )
    headings = LEGACY_HEADINGS if legacy else REVIEWER_HEADINGS
    fields = dict(FIELD_OF_HEADING)
    if legacy and kind == "team":  # what the old Guide asked the team manager to fill
        fields["Moderator decision"] = "manager_decision"
    columns = headed_columns(
        sheet.rows,
        (*IDENTIFYING, *headings),
        file=path,
        sheet=FINDINGS_SHEET,
        written_by="audit run",
    )
    problems: list[Problem] = []
    wrote = {n: rows for n, (rows, _) in book.extents.items()}
    parts = [
        _typed(
            columns,
            FINDINGS_SHEET,
            tool_headings(),
            name,
            problems,
            wrote.get(FINDINGS_SHEET),
            headings,
            fields,
        )
    ]
    shown = [shown_cells(columns, FINDINGS_SHEET)]
    strays = [(FINDINGS_SHEET, sheet.stray)]
    if OVERDUE_SHEET in book.sheet_names:
        overdue = book.sheet(OVERDUE_SHEET)
        headed = headed_columns(
            overdue.rows, ("Finding ID",), file=path, sheet=OVERDUE_SHEET, written_by="audit run"
        )
        parts.append(
            _typed(
                headed,
                OVERDUE_SHEET,
                overdue_headings(),
                name,
                problems,
                wrote.get(OVERDUE_SHEET),
                headings,
                fields,
            )
        )
        shown.append(shown_cells(headed, OVERDUE_SHEET))
        strays.append((OVERDUE_SHEET, overdue.stray))
    for where, cells in strays:
        for row, col, value in cells:
            problems.append(
                Problem(
                    name,
                    row,
                    f"'{value}' typed in column {column_letters(col)}, far to the right of the "
                    "table",
                    where,
                )
            )
    for changed in beyond_the_tool(book, READ_BACK):
        problems.append(Problem(name, changed.row, changed.message, changed.sheet))
    long = pd.concat(parts, ignore_index=True)
    choices = [(f, DECISION, MODERATOR_DECISIONS) for f in DECISION_FIELDS]
    for fld, dropdown, options in [*choices, ("action_status", ACTION_STATUS, ACTION_STATUSES)]:
        chosen = long["field"] == fld
        canon, outside = dropdown.read(long.loc[chosen, "raw"])
        for i in canon.index[outside]:
            problems.append(
                Problem(
                    name,
                    int(long.at[i, "row"]),
                    f"{long.at[i, 'heading']} '{long.at[i, 'raw']}' is not one of: "
                    + "; ".join(options),
                    long.at[i, "sheet"],
                )
            )
        long.loc[canon.index, "value"] = canon
    for fld, heading in DATE_FIELDS.items():
        chosen = long["field"] == fld
        parsed, _ = dates(long.loc[chosen, "raw"], book.date_system)
        for i in parsed.index[parsed.isna()]:
            problems.append(
                Problem(
                    name,
                    int(long.at[i, "row"]),
                    f"{heading} '{long.at[i, 'raw']}' is not a date (type it as dd/mm/yyyy)",
                    long.at[i, "sheet"],
                )
            )
        long.loc[parsed.index, "value"] = parsed.dt.strftime("%Y-%m-%d")
    long = long[long["value"].notna() & (long["value"] != "")]
    entries = long[["finding_id", "field", "value", "row", "rule_id", "team", "sheet"]]
    team = (custom.get(TEAM_PROPERTY) or "") if TEAM_PROPERTY in custom else None  # "": no team
    listed = columns["Team"].dropna().astype(str).str.strip().unique().tolist()
    as_at = book.as_at or _as_at_in_header(sheet.rows)
    return Return(
        path,
        sha256_of(path),
        sheet.saved_at,
        sheet.saved_by,
        sheet.entries_upto,
        entries.reset_index(drop=True),
        problems,
        pd.concat(shown, ignore_index=True),
        as_at,
        kind=kind,
        teams=(str(team),) if team is not None else tuple(sorted(listed)),
        legacy=legacy,
    )


def _typed(
    columns: Headed,
    sheet: str,
    known: set[str],
    name: str,
    problems: list[Problem],
    wrote: int | None,
    reviewer: tuple[str, ...],
    fields: dict[str, str],
) -> pd.DataFrame:
    """The reviewer cells typed on one read-back sheet, one row per field (finding_id, field,
    heading, raw, value, row, rule_id, team, sheet); what cannot be stored goes to `problems`.
    `wrote`: the last row the tool wrote on the sheet (its extent), below which anything typed
    in the tool's columns is a person's (None: not recorded, only reviewer columns are looked
    at). `reviewer`: the reviewer headings of the workbook's layout, each read as the field
    `fields` names (a return written before v5 has its own)."""
    headings = [h for h in reviewer if columns.get(h) is not None]
    typed = pd.DataFrame({h: columns.get(h) for h in headings}, index=columns.body.index)
    finding_id = columns["Finding ID"].astype(object)
    has_entry = typed.notna().any(axis=1)
    for row in finding_id.index[has_entry & finding_id.isna()]:
        problems.append(Problem(name, int(row), "entries typed on a row with no Finding ID", sheet))
    if wrote is not None:
        tool = [
            columns.get(h) for h in known - set(REVIEWER_HEADINGS) if columns.get(h) is not None
        ]
        below = columns.body.index > wrote
        for row in columns.body.index[below & ~has_entry]:
            cells = [str(c[row]) for c in tool if c[row] is not None]
            if cells:
                problems.append(
                    Problem(
                        name,
                        int(row),
                        "'" + "', '".join(cells[:3]) + "' typed below the table, on a row with "
                        "no Finding ID",
                        sheet,
                    )
                )
    for heading, values in columns.others(known).items():
        for row in values.index[values.notna()]:
            problems.append(
                Problem(
                    name,
                    int(row),
                    f"'{values[row]}' typed in column '{heading}', which is not a reviewer "
                    "column (use Manager response or Moderator comment)",
                    sheet,
                )
            )
    for heading, values in columns.copies(set(reviewer)).items():
        for row in values.index[values.notna()]:
            problems.append(
                Problem(
                    name,
                    int(row),
                    f"'{values[row]}' typed in a second '{heading.rsplit(' (', 1)[0]}' column "
                    f"({heading.rsplit('(', 1)[-1].rstrip(')')}): only the first column of a "
                    "heading is read; type it there",
                    sheet,
                )
            )
    keep = (has_entry & finding_id.notna()).to_numpy()
    cells = typed.to_numpy(dtype=object)[keep]
    # heading by heading, then row by row (as `melt` orders them), each filled cell once
    at_heading, at_row = np.nonzero(pd.notna(cells).T)
    long = pd.DataFrame(
        {
            "row": typed.index.to_numpy()[keep][at_row],
            "finding_id": finding_id[keep].astype(str).str.strip().to_numpy()[at_row],
            "heading": np.array(headings, dtype=object)[at_heading],
            "raw": pd.array(cells[at_row, at_heading], dtype=object),
        }
    )
    long["field"] = long["heading"].map(fields)
    long["value"] = long["raw"].astype(str).str.strip()
    long["sheet"] = sheet
    formula = not_a_value(long["value"].astype("str"))
    for i in long.index[formula]:
        text = str(long.at[i, "value"])
        what = (
            f"a formula saved without its result ({text.removesuffix(FORMULA_MARK)}): the "
            "program that saved the workbook kept no value"
            if text.endswith(FORMULA_MARK)
            else f"the error value '{text}'"
        )
        problems.append(
            Problem(
                name,
                int(long.at[i, "row"]),
                f"{long.at[i, 'heading']} holds {what}, so there is nothing to store: type the "
                "value itself",
                sheet,
            )
        )
    long = long[~formula].reset_index(drop=True)
    rules, teams = columns.get("Rule"), columns.get("Team")
    long["rule_id"] = None if rules is None else rules.reindex(long["row"]).to_numpy()
    long["team"] = None if teams is None else teams.reindex(long["row"]).to_numpy()
    return long
