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
four, an Action due or Done on that is not a date, an Action status other than Open or Done,
typing in a column that is not a reviewer column) are listed with file and row. The import is
stored in one transaction: all of it, or none of it. Only the stored entries of the findings in
the returns are read, whatever the size of the store.

Two people decide: the team manager (Manager decision) and the QA moderator (Moderator
decision); each column is its own field. A return written before the two were separated has one
"Moderator decision" column, which a team workbook's Guide told the team manager to fill: in a
team workbook it is read as the manager's decision, in the whole-council workbook (which has a
Summary sheet) as the QA moderator's, as the store's v5 migration reads the decisions stored
before (`audits.history.schema._v5`).
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
from audits.ingest.values import dates
from audits.model.spec import header_key
from audits.output.reviewed import (
    ACTION_STATUSES,
    AS_AT_PROPERTY,
    KIND_PROPERTY,
    LEGACY_HEADINGS,
    MODERATOR_DECISIONS,
    REVIEWER_HEADINGS,
    TEAM_PROPERTY,
    Sheet,
    headed_columns,
    heading_row,
    read_sheet,
)

FINDINGS_SHEET = "Findings"
IDENTIFYING = ("Finding ID", "Rule", "Team")
REQUIRED = (*IDENTIFYING, *REVIEWER_HEADINGS)
FIELD_OF_HEADING = dict(zip(REVIEWER_HEADINGS, ENTRY_FIELDS, strict=True))
# The headings a return written before v5 lacks (all of them: some alone is a renamed column).
NEW_HEADINGS = tuple(h for h in REVIEWER_HEADINGS if h not in LEGACY_HEADINGS)
# headings the writers put on Findings before v5 (a return written then still has them)
LEGACY_TOOL_HEADINGS = (*LEGACY_HEADINGS, "First raised", "Action overdue", "Entered")
DECISION_FIELDS = {
    "manager_decision": "Manager decision",
    "moderator_decision": "Moderator decision",
}
DATE_FIELDS = {"action_due": "Action due", "action_done_on": "Done on"}
_DASHES = str.maketrans({"-": "—", "–": "—", "‒": "—", "―": "—"})


@dataclass(frozen=True)
class Problem:
    """Something typed that was not stored, and where it is."""

    file: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row is not None else self.file
        return f"{where}: {self.message}"


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
    kind: str = "team"  # "team" (a team manager's workbook) or "council" (audit.xlsx)
    teams: tuple[str, ...] = ()  # the team of a team workbook (or the teams of its rows)
    as_at: str | None = None  # the as-at date of the run that wrote it (ISO), when known
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
    lookup = {" ".join(d.translate(_DASHES).casefold().split()): d for d in MODERATOR_DECISIONS}
    keys = (
        text.fillna("").astype(str).str.translate(_DASHES).str.casefold().str.split().str.join(" ")
    )
    return keys.map(lookup)


def tool_headings() -> set[str]:
    """Every heading the audit writers put on a Findings sheet (others were added by a person)."""
    from audits.output import workbook

    known = set(workbook.FINDING_HEADINGS) | set(LEGACY_TOOL_HEADINGS)
    return known | set(REQUIRED) | set(getattr(workbook, "READ_ONLY_HEADINGS", ("Entered",)))


def _as_at_in_header(rows: list[tuple]) -> str | None:
    """The as-at date a Findings sheet states above its table ('... as at 30/09/2026. ...'), ISO:
    how a workbook written before v5 says which run it came from."""
    for row in rows[:4]:
        for value in row[:1]:
            found = re.search(r"as at (\d\d)/(\d\d)/(\d{4})", str(value or ""))
            if found:
                day, month, year = found.groups()
                return f"{year}-{month}-{day}"
    return None


def _letters(col: int) -> str:
    """A 0-based column number as Excel names it (0 -> A)."""
    name, n = "", col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def _present(rows: list[tuple]) -> set[str]:
    """The heading keys of a Findings sheet's heading row (empty when there is none)."""
    at = heading_row(rows, IDENTIFYING)
    return {header_key(v) for v in rows[at] if isinstance(v, str)} if at is not None else set()


def read_return(path: Path) -> Return:
    sheet: Sheet = read_sheet(path, FINDINGS_SHEET, written_by="audit run")
    name = path.name
    custom = sheet.properties or {}
    present = _present(sheet.rows)
    legacy = not any(header_key(h) in present for h in NEW_HEADINGS)
    kind = str(
        custom.get(KIND_PROPERTY) or ("council" if "Summary" in sheet.sheetnames else "team")
    )
    headings = LEGACY_HEADINGS if legacy else REVIEWER_HEADINGS
    columns = headed_columns(
        sheet.rows,
        (*IDENTIFYING, *headings),
        file=path,
        sheet=FINDINGS_SHEET,
        written_by="audit run",
        row_numbers=sheet.row_numbers,
    )
    fields = dict(FIELD_OF_HEADING)
    if legacy and kind == "team":  # what the old Guide asked the team manager to fill
        fields["Moderator decision"] = "manager_decision"
    problems: list[Problem] = []
    typed = pd.DataFrame({h: columns[h] for h in headings})
    finding_id = columns["Finding ID"].astype(object)
    has_entry = typed.notna().any(axis=1)
    for row in finding_id.index[has_entry & finding_id.isna()]:
        problems.append(Problem(name, int(row), "entries typed on a row with no Finding ID"))
    for heading, values in columns.others(tool_headings()).items():
        for row in values.index[values.notna()]:
            problems.append(
                Problem(
                    name,
                    int(row),
                    f"'{values[row]}' typed in column '{heading}', which is not a reviewer "
                    "column (use Manager response or Moderator comment)",
                )
            )
    for row, col, value in sheet.stray:  # far to the right of the table: listed, never dropped
        problems.append(
            Problem(
                name,
                int(row),
                f"'{value}' typed in column {_letters(col)}, far right of the table, which is not "
                "a reviewer column",
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
    for fld in DECISION_FIELDS:
        chosen = long["field"] == fld
        canon = canonical_decision(long.loc[chosen, "raw"])
        for i in canon.index[canon.isna()]:
            problems.append(
                Problem(
                    name,
                    int(long.at[i, "row"]),
                    f"{long.at[i, 'heading']} '{long.at[i, 'raw']}' is not one of: "
                    + "; ".join(MODERATOR_DECISIONS),
                )
            )
        long.loc[canon.index, "value"] = canon
    status = long["field"] == "action_status"
    lookup = {s.casefold(): s for s in ACTION_STATUSES}
    canon = long.loc[status, "value"].str.casefold().map(lookup)
    for i in canon.index[canon.isna()]:
        problems.append(
            Problem(
                name,
                int(long.at[i, "row"]),
                f"Action status '{long.at[i, 'raw']}' is not one of: " + "; ".join(ACTION_STATUSES),
            )
        )
    long.loc[canon.index, "value"] = canon
    for fld, heading in DATE_FIELDS.items():
        due = long["field"] == fld
        parsed, _ = dates(long.loc[due, "raw"])
        for i in parsed.index[parsed.isna()]:
            problems.append(
                Problem(
                    name,
                    int(long.at[i, "row"]),
                    f"{heading} '{long.at[i, 'raw']}' is not a date (type it as dd/mm/yyyy)",
                )
            )
        long.loc[parsed.index, "value"] = parsed.dt.strftime("%Y-%m-%d")
    long = long[long["value"].notna() & (long["value"] != "")]
    rules = columns["Rule"].reindex(long["row"]).to_numpy()
    teams = columns["Team"].reindex(long["row"]).to_numpy()
    entries = long.assign(rule_id=rules, team=teams)[
        ["finding_id", "field", "value", "row", "rule_id", "team"]
    ]
    team = (custom.get(TEAM_PROPERTY) or "") if TEAM_PROPERTY in custom else None  # "": no team
    listed = columns["Team"].dropna().astype(str).str.strip().unique().tolist()
    as_at = custom.get(AS_AT_PROPERTY) or _as_at_in_header(sheet.rows)
    return Return(
        path,
        sha256_of(path),
        sheet.saved_at,
        sheet.saved_by,
        sheet.entries_upto,
        entries.reset_index(drop=True),
        problems,
        kind=kind,
        teams=(str(team),) if team is not None else tuple(sorted(listed)),
        as_at=str(as_at) if as_at else None,
        legacy=legacy,
    )


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
