"""Reviewed workbooks back into the store: every typed entry stored, or listed with file and row.

A QA team collects the month's returns (team workbooks, the whole-council workbook, copies
re-saved by Excel or LibreOffice) and imports them together. From each return we read the
reviewer columns (values only; a return is never rewritten) and decide, field by field:

- a blank cell is never an entry (an emptier copy erases nothing);
- a value the store already holds from this very workbook, or the value the tool itself carried
  into the workbook when it wrote it, or the value that is already the latest, changes nothing
  (re-importing a return, or returning a pre-filled row untouched, is idempotent);
- a value given differently for the same finding by two returns of this import is a conflict:
  both rows are listed with their files and neither is stored;
- anything else is stored, stamped with the time its workbook was saved. An entry from a copy
  saved before the latest stored entry is kept as history but does not replace it.

Rows that cannot be stored (no Finding ID, an id the store does not know, a decision outside the
four, an Action status other than Open or Done, an Action due or Done on that is not a date or
is a formula saved without its result, typing in a column that is not a reviewer column or in a
copied reviewer column, typing over an export column, typing on a sheet that is not read back)
are listed with file, sheet and row. Two sheets are read back: Findings, and a team workbook's
Overdue actions, which invites new owners and due dates. The import is stored in one
transaction: all of it, or none of it. Only the stored entries of the findings in the returns
are read, whatever the size of the store.

Two people decide: the team manager (Manager decision) and the QA moderator (Moderator
decision); each column is its own field. A return written before the two were separated has one
"Moderator decision" column, which a team workbook's Guide told the team manager to fill: in a
team workbook it is read as the manager's decision, in the whole-council workbook (its kind
property, or before that its Summary sheet) as the QA moderator's, as the store's v5 migration
reads the decisions stored before (`audits.history.schema._v5`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from audits.history import Store, now, sha256_of
from audits.history.entries import latest_of, resolved
from audits.history.schema import ENTRY_FIELDS
from audits.ingest.values import dates, not_a_value
from audits.ingest.xlsx_cells import FORMULA_MARK, column_letters
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
from audits.review.dropdowns import ACTION_STATUS, DECISION
from audits.review.return_checks import beyond_the_tool, shown_cells, typed_over

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
DECISION_FIELDS = ("manager_decision", "moderator_decision")
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


@dataclass
class Outcome:
    stored: pd.DataFrame  # the entries added to the store
    unchanged: int  # entries the store already held (or that the tool had carried in)
    older: int  # stored as history: saved before the latest entry, which stands
    problems: list[Problem]
    findings: set[str]  # every finding the returns hold entries for
    imported_at: str = ""  # this import's time, as recorded with each return (`returns_imported`)


def canonical_decision(text: pd.Series) -> pd.Series:
    """Match typed variants (hyphens for the dash, case, spaces) to the four decisions."""
    return DECISION.read(text)[0]


def tool_headings() -> set[str]:
    """Every heading the audit writers put on a Findings sheet (others were added by a person)."""
    from audits.output import workbook

    known = set(workbook.FINDING_HEADINGS) | set(LEGACY_TOOL_HEADINGS)
    return known | set(REQUIRED) | set(getattr(workbook, "READ_ONLY_HEADINGS", ("Entered",)))


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


def check_against_store(returns: list[Return], store: Store) -> pd.DataFrame:
    """Compare each return's export columns with the findings its workbook showed (typing over
    them is listed, added to the return's problems) and give the lapse of every finding it
    holds entries for: finding_id, workbook_sha256, due_date, value (`audits.review.covers`)."""
    lapses = []
    for r in returns:
        changed, lapse = typed_over(r.shown, store, as_at=r.as_at, saved_at=r.saved_at)
        r.problems += [Problem(r.path.name, c.row, c.message, c.sheet) for c in changed]
        lapse = lapse[lapse["finding_id"].isin(set(r.entries["finding_id"]))]
        lapses.append(lapse.assign(workbook_sha256=r.sha256))
    if not lapses:
        return pd.DataFrame(columns=["finding_id", "workbook_sha256", "due_date", "value"])
    return pd.concat(lapses, ignore_index=True)


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
    keep = has_entry & finding_id.notna()
    long = (
        typed[keep]
        .assign(finding_id=finding_id[keep].astype(str).str.strip())
        .rename_axis("row")
        .reset_index()
        .melt(id_vars=["row", "finding_id"], var_name="heading", value_name="raw")
    )
    long = long[long["raw"].notna()].reset_index(drop=True)
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


def merge(returns: list[Return], store: Store) -> Outcome:
    """Decide, field by field, what each return adds to the store (see the module docstring)."""
    problems = [p for r in returns for p in r.problems]
    frames = [
        r.entries.assign(
            workbook=str(r.path.resolve()),
            file=r.path.name,
            workbook_sha256=r.sha256,
            entered_at=r.saved_at,
            entered_by=r.saved_by,
            entries_upto=-1 if r.entries_upto is None else r.entries_upto,
            legacy=r.legacy,
        )
        for r in returns
    ]
    incoming = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    stamp = now()
    if incoming.empty:
        store.store_entries(pd.DataFrame(), _log(returns, pd.DataFrame(), problems, stamp))
        return Outcome(pd.DataFrame(), 0, 0, problems, set(), stamp)
    findings = set(incoming["finding_id"])
    known = store.known_findings(findings)
    unknown = ~incoming["finding_id"].isin(known)
    for r in incoming[unknown].drop_duplicates(["file", "sheet", "row"]).itertuples():
        problems.append(
            Problem(
                r.file,
                int(r.row),
                f"Finding ID '{r.finding_id}' is not in the history store (was the workbook "
                "written by `audit run` with this store, or was the id changed?)",
                r.sheet,
            )
        )
    incoming = incoming[~unknown]
    incoming = incoming.drop_duplicates(
        ["finding_id", "field", "workbook_sha256", "value"]
    ).reset_index(drop=True)

    history = store.entries_for(  # these findings' entries only, and only what is compared
        set(incoming["finding_id"]),
        ["field", "value", "entered_at", "workbook_sha256"],
    )
    key = ["finding_id", "field"]
    same_workbook = incoming.merge(
        history[[*key, "workbook_sha256"]].drop_duplicates(),
        on=[*key, "workbook_sha256"],
        how="left",
        indicator=True,
    )["_merge"].eq("both")
    latest = latest_of(resolved(history))
    is_latest = incoming.merge(
        latest[[*key, "value"]], on=[*key, "value"], how="left", indicator=True
    )["_merge"].eq("both")
    carried = _carried_in(incoming, history)
    settled = same_workbook.to_numpy() | is_latest.to_numpy() | carried
    unchanged = int(settled.sum())
    fresh = incoming[~settled]

    values_per_field = fresh.groupby(key)["value"].transform("nunique")
    clash = fresh[values_per_field > 1]
    for (finding_id, fld), group in clash.groupby(key):
        places = "; ".join(f"{r.file} row {r.row}: '{r.value}'" for r in group.itertuples())
        for r in group.itertuples():
            problems.append(
                Problem(
                    r.file,
                    int(r.row),
                    f"{fld.replace('_', ' ')} of finding {finding_id} differs between returns "
                    f"({places}); neither was stored: correct one and import again",
                    r.sheet,
                )
            )
    fresh = fresh[values_per_field <= 1]
    fresh = fresh.sort_values("entered_at", ascending=False).drop_duplicates(key)
    current = latest[[*key, "entered_at"]].rename(columns={"entered_at": "latest_at"})
    fresh = fresh.merge(current, on=key, how="left")
    latest_at = fresh["latest_at"].astype(object).fillna("").astype(str)
    older = int((fresh["entered_at"].astype(str) < latest_at).sum())
    columns = [
        "finding_id",
        "field",
        "value",
        "entered_at",
        "entered_by",
        "rule_id",
        "team",
        "workbook",
        "workbook_sha256",
        "row",
    ]
    stored = fresh[columns].reset_index(drop=True)
    store.store_entries(stored, _log(returns, stored, problems, stamp))
    return Outcome(stored, unchanged, older, problems, findings, stamp)


def _log(
    returns: list[Return], stored: pd.DataFrame, problems: list[Problem], stamp: str
) -> list[dict]:
    """One `returns_imported` row per return: whose, which run, and what became of it."""
    per_file = stored.groupby("workbook").size() if len(stored) else pd.Series(dtype=int)
    listed = pd.Series([p.file for p in problems], dtype=object).value_counts()
    return [
        {
            "workbook_sha256": r.sha256,
            "file": r.path.name,
            "kind": r.kind if len(r.teams) == 1 or r.kind == "council" else "council",
            "team": r.teams[0] if r.kind == "team" and len(r.teams) == 1 else None,
            "as_at": r.as_at,
            "saved_at": r.saved_at,
            "saved_by": r.saved_by,
            "stored": int(per_file.get(str(r.path.resolve()), 0)),
            "listed": int(listed.get(r.path.name, 0)),
            "typed": len(r.entries) + sum(p.file == r.path.name for p in r.problems),
            "imported_at": stamp,
        }
        for r in returns
    ]


def _carried_in(incoming: pd.DataFrame, history: pd.DataFrame) -> np.ndarray:
    """True where the value is what the tool pre-filled: the latest entry among those the store
    held when the workbook was written (its ENTRIES_PROPERTY). For a workbook without that
    property, any value stored for the field before counts as carried.

    A workbook written since v5 was pre-filled from the entries as read since (`resolved`); one
    written before, from the entries as they were then: an original decision stands as itself
    and its migrated copy as the entry it was copied from."""
    out = pd.Series(False, index=incoming.index)
    if history.empty:
        return out.to_numpy()
    origin = history.get("migrated_from")
    then = history.assign(
        entry_id=origin.fillna(history["entry_id"]).astype("int64")
        if origin is not None
        else history["entry_id"]
    )
    views = {False: resolved(history), True: then}
    for (upto, legacy), group in incoming.groupby(["entries_upto", "legacy"], sort=False):
        view = views[bool(legacy)]
        if upto < 0:
            pairs = view[["finding_id", "field", "value"]].drop_duplicates()
        else:
            known = view[view["entry_id"] <= upto]
            pairs = known.sort_values(["entered_at", "entry_id"]).drop_duplicates(
                ["finding_id", "field"], keep="last"
            )[["finding_id", "field", "value"]]
        hit = group.merge(pairs, on=["finding_id", "field", "value"], how="left", indicator=True)
        out[group.index] = hit["_merge"].eq("both").to_numpy()
    return out.to_numpy()


def agreement(decisions: pd.DataFrame, by: str) -> pd.DataFrame:
    """Manager–QA agreement per rule or per team: of the findings given both a team manager's
    and a QA moderator's decision, the share where the QA moderator chose the manager's."""
    compared = decisions[decisions["agreed"].notna()]
    if compared.empty:
        return pd.DataFrame(columns=[by, "decisions", "agree", "agree_percent"])
    grouped = compared.groupby(compared[by].fillna("(none)"))
    table = pd.DataFrame(
        {
            "decisions": grouped.size(),
            "agree": grouped["agreed"].apply(lambda s: int(s.astype(bool).sum())),
        }
    )
    table["agree_percent"] = (100 * table["agree"] / table["decisions"]).round(1)
    return table.reset_index().rename(columns={"index": by})
