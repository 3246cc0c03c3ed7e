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
four, an Action due that is not a date or is a formula saved without its result, typing in a
column that is not a reviewer column or in a copied reviewer column, typing over an export
column, typing on a sheet that is not read back) are listed with file, sheet and row. Two sheets
are read back: Findings, and a team workbook's Overdue actions, which invites new owners and due
dates. The import is stored in one transaction: all of it, or none of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from audits.history import Store, sha256_of
from audits.history.schema import ENTRY_FIELDS
from audits.ingest.values import dates, not_a_value
from audits.ingest.xlsx_cells import FORMULA_MARK, column_letters
from audits.output.reviewed import (
    MODERATOR_DECISIONS,
    REVIEWER_HEADINGS,
    Headed,
    headed_columns,
    open_return,
)
from audits.review.dropdowns import DECISION
from audits.review.return_checks import beyond_the_tool, shown_cells, typed_over

FINDINGS_SHEET = "Findings"
OVERDUE_SHEET = "Overdue actions"  # a team workbook's overdue actions: owners and dates typed
READ_BACK = (FINDINGS_SHEET, OVERDUE_SHEET)
REQUIRED = ("Finding ID", "Rule", "Team", *REVIEWER_HEADINGS)
FIELD_OF_HEADING = dict(zip(REVIEWER_HEADINGS, ENTRY_FIELDS, strict=True))


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
    # run the workbook shows (its as-at property)
    shown: pd.DataFrame = field(default_factory=pd.DataFrame)
    as_at: str | None = None


@dataclass
class Outcome:
    stored: pd.DataFrame  # the entries added to the store
    unchanged: int  # entries the store already held (or that the tool had carried in)
    older: int  # stored as history: saved before the latest entry, which stands
    problems: list[Problem]
    findings: set[str]  # every finding the returns hold entries for


def canonical_decision(text: pd.Series) -> pd.Series:
    """Match typed variants (hyphens for the dash, case, spaces) to the four decisions."""
    return DECISION.read(text)[0]


def tool_headings() -> set[str]:
    """Every heading the audit writers put on a Findings sheet (others were added by a person)."""
    from audits.output import workbook

    known = {h for _, h, *_ in workbook.FINDING_HEADINGS}
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


def read_return(path: Path) -> Return:
    """One return as read: the entries typed in its reviewer columns (Findings, and Overdue
    actions when present), and everything typed that cannot be stored, with its place."""
    book = open_return(path, written_by="audit run")
    sheet = book.sheet(FINDINGS_SHEET)
    name = path.name
    columns = headed_columns(
        sheet.rows, REQUIRED, file=path, sheet=FINDINGS_SHEET, written_by="audit run"
    )
    problems: list[Problem] = []
    wrote = {n: rows for n, (rows, _) in book.extents.items()}
    parts = [
        _typed(columns, FINDINGS_SHEET, tool_headings(), name, problems, wrote.get(FINDINGS_SHEET))
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
                headed, OVERDUE_SHEET, overdue_headings(), name, problems, wrote.get(OVERDUE_SHEET)
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
    decision = long["field"] == "moderator_decision"
    canon, outside = DECISION.read(long.loc[decision, "raw"])
    for i in canon.index[outside]:
        problems.append(
            Problem(
                name,
                int(long.at[i, "row"]),
                f"Moderator decision '{long.at[i, 'raw']}' is not one of: "
                + "; ".join(MODERATOR_DECISIONS),
                long.at[i, "sheet"],
            )
        )
    long.loc[canon.index, "value"] = canon
    due = long["field"] == "action_due"
    parsed, _ = dates(long.loc[due, "raw"], sheet.date_system)
    for i in parsed.index[parsed.isna()]:
        problems.append(
            Problem(
                name,
                int(long.at[i, "row"]),
                f"Action due '{long.at[i, 'raw']}' is not a date (type it as dd/mm/yyyy)",
                long.at[i, "sheet"],
            )
        )
    long.loc[parsed.index, "value"] = parsed.dt.strftime("%Y-%m-%d")
    long = long[long["value"].notna() & (long["value"] != "")]
    entries = long[["finding_id", "field", "value", "row", "rule_id", "team"]]
    return Return(
        path,
        sha256_of(path),
        sheet.saved_at,
        sheet.saved_by,
        sheet.entries_upto,
        entries.reset_index(drop=True),
        problems,
        pd.concat(shown, ignore_index=True),
        book.as_at,
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
    wrote: int | None = None,
) -> pd.DataFrame:
    """The reviewer cells typed on one read-back sheet, one row per field (finding_id, field,
    raw, value, row, rule_id, team, sheet); what cannot be stored goes to `problems`. `wrote`:
    the last row the tool wrote on the sheet (its extent), below which anything typed in the
    tool's columns is a person's (None: not recorded, only reviewer columns are looked at)."""
    headings = [h for h in REVIEWER_HEADINGS if columns.get(h) is not None]
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
    for heading, values in columns.copies(set(REVIEWER_HEADINGS)).items():
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
    long["field"] = long["heading"].map(FIELD_OF_HEADING)
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
        )
        for r in returns
    ]
    incoming = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if incoming.empty:
        return Outcome(pd.DataFrame(), 0, 0, problems, set())
    findings = set(incoming["finding_id"])
    known = store.known_findings(findings)
    unknown = ~incoming["finding_id"].isin(set(known["finding_id"]))
    for r in incoming[unknown].drop_duplicates(["file", "row"]).itertuples():
        problems.append(
            Problem(
                r.file,
                int(r.row),
                f"Finding ID '{r.finding_id}' is not in the history store (was the workbook "
                "written by `audit run` with this store, or was the id changed?)",
            )
        )
    incoming = incoming[~unknown]
    incoming = incoming.drop_duplicates(["finding_id", "field", "workbook_sha256", "value"])

    history = store.all_entries()
    key = ["finding_id", "field"]
    same_workbook = incoming.merge(
        history[[*key, "workbook_sha256"]], on=[*key, "workbook_sha256"], how="left", indicator=True
    )["_merge"].eq("both")
    latest = store.latest_entries()
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
    store.store_entries(stored)
    return Outcome(stored, unchanged, older, problems, findings)


def _carried_in(incoming: pd.DataFrame, history: pd.DataFrame) -> np.ndarray:
    """True where the value is what the tool pre-filled: the latest entry among those the store
    held when the workbook was written (its ENTRIES_PROPERTY). For a workbook without that
    property, any value stored for the field before counts as carried."""
    out = pd.Series(False, index=incoming.index)
    if history.empty:
        return out.to_numpy()
    for upto, group in incoming.groupby("entries_upto", sort=False):
        if upto < 0:
            pairs = history[["finding_id", "field", "value"]].drop_duplicates()
        else:
            known = history[history["entry_id"] <= upto]
            pairs = known.sort_values(["entered_at", "entry_id"]).drop_duplicates(
                ["finding_id", "field"], keep="last"
            )[["finding_id", "field", "value"]]
        hit = group.merge(pairs, on=["finding_id", "field", "value"], how="left", indicator=True)
        out[group.index] = hit["_merge"].eq("both").to_numpy()
    return out.to_numpy()


def agreement(decisions: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of 'Agree' among decided findings, per rule or per team."""
    decided = decisions[decisions["decision"].notna()]
    if decided.empty:
        return pd.DataFrame(columns=[by, "decisions", "agree", "agree_percent"])
    grouped = decided.groupby(decided[by].fillna("(none)"))
    table = pd.DataFrame(
        {
            "decisions": grouped.size(),
            "agree": grouped["decision"].apply(lambda s: int((s == "Agree").sum())),
        }
    )
    table["agree_percent"] = (100 * table["agree"] / table["decisions"]).round(1)
    return table.reset_index().rename(columns={"index": by})
