"""Reviewed workbooks back into the store: every typed entry stored, or listed with file and row.

The returns of an import, as read (`audits.review.returned`), are decided field by field:

- a blank cell is never an entry (an emptier copy erases nothing);
- a value the store already holds from this very workbook, or the value the tool itself carried
  into the workbook when it wrote it, or the value that is already the latest, changes nothing
  (re-importing a return, or returning a pre-filled row untouched, is idempotent);
- a value given differently for the same finding by two returns of this import is a conflict:
  both rows are listed with their files and neither is stored;
- anything else is stored, stamped with the time its workbook was saved. An entry from a copy
  saved before the latest stored entry is kept as history but does not replace it.

A row whose Finding ID the store does not know, and typing over an export column (compared with
the run the workbook shows, `audits.review.return_checks`), are listed with the return's other
problems. The import is stored in one transaction: all of it, or none of it. Only the stored
entries of the findings in the returns are read, whatever the size of the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from audits.history import Store, now
from audits.history.entries import decisions_from, latest_of, resolved
from audits.ingest.keys import arrow_text, member, rows_in
from audits.model.entries import DECISION_FIELDS
from audits.review.return_checks import LAPSE, Shown, lapse_values, typed_over
from audits.review.returned import Problem, Return


@dataclass
class Outcome:
    stored: pd.DataFrame  # the entries added to the store
    unchanged: int  # entries the store already held (or that the tool had carried in)
    older: int  # stored as history: saved before the latest entry, which stands
    problems: list[Problem]
    findings: set[str]  # every finding the returns hold entries for
    imported_at: str = ""  # this import's time, as recorded with each return (`returns_imported`)
    # their decisions, once stored (as `Store.decisions_of` reads them): the agreement report
    decisions: pd.DataFrame = field(default_factory=pd.DataFrame)


def check_against_store(returns: list[Return], store: Store) -> pd.DataFrame:
    """Compare each return's export columns with the findings its workbook showed (typing over
    them is listed, added to the return's problems) and give the lapse of every finding it
    holds entries for: finding_id, workbook_sha256, due_date, value (`audits.review.covers`),
    or the run to read them from (`read_from`: `return_checks.lapse_values`)."""
    shown = [Shown(r.shown, r.as_at, r.saved_at) for r in returns]
    with_entries = findings_in(returns)
    lapses = []
    for r, (changed, lapse) in zip(returns, typed_over(shown, store, with_entries), strict=True):
        r.problems += [Problem(r.path.name, c.row, c.message, c.sheet) for c in changed]
        lapse = lapse[member(lapse["finding_id"], r.entries["finding_id"])]
        lapses.append(lapse.assign(workbook_sha256=r.sha256))
    if not lapses:
        return pd.DataFrame(columns=["finding_id", "workbook_sha256", *LAPSE])
    return pd.concat(lapses, ignore_index=True)


@dataclass(frozen=True)
class Held:
    """What the store holds of the returns' findings, read before deciding (`held_for`)."""

    known: set[str]  # those of the findings some stored run raised
    history: pd.DataFrame  # their stored entries (`HISTORY_COLUMNS`)
    lapses: pd.DataFrame | None = None  # the lapses held of them (`Store.lapses`)
    # the fields holding entries from the returns themselves: finding_id, field, workbook_sha256
    from_these: pd.DataFrame = field(default_factory=pd.DataFrame)

    def as_text(self) -> Held:
        """The same, the entries' text as Arrow strings (which cross between processes at a
        fraction of the cost of Python objects)."""
        text = [c for c in self.history if c not in ("entry_id", "migrated_from")]
        history = self.history.astype(dict.fromkeys(text, "str"))
        return Held(self.known, history, self.lapses, self.from_these)


# what is compared; the rule and team of a decision, for the agreement report
HISTORY_COLUMNS = ["field", "value", "entered_at", "rule_id", "team"]


def held_of(returns: list[Return], store: Store) -> Held:
    """Which of the returns' findings the store knows, and their stored entries and lapses:
    only these are read, whatever the size of the store."""
    return held_for(store, findings_in(returns), [r.sha256 for r in returns])


def findings_in(returns: list[Return]) -> list[str]:
    """The findings the returns hold entries for, each once."""
    entered = [r.entries["finding_id"] for r in returns if len(r.entries)]
    return _each_once(pd.concat(entered)) if entered else []


def _each_once(ids: pd.Series) -> list[str]:
    return pc.unique(arrow_text(ids)).to_pylist()


def held_for(store: Store, findings: list[str], workbooks: list[str]) -> Held:
    """`held_of` the findings named, and which of their fields hold entries from the
    `workbooks` named (the returns' checksums)."""
    if not findings:
        return Held(set(), pd.DataFrame())
    return Held(*store.held_of_findings(findings, HISTORY_COLUMNS, workbooks))


def merge(
    returns: list[Return],
    store: Store,
    held: Held | None = None,
    lapses: pd.DataFrame | None = None,
) -> Outcome:
    """Decide, field by field, what each return adds (`decide`) and store it, with every
    problem of theirs listed, and the lapses their findings showed (`lapses`, from
    `check_against_store`) where an entry is stored, in the same transaction. `held`: what the
    store holds of their findings, when read already (`held_of`, or beside this process:
    `audits.review.beside`)."""
    problems = [p for r in returns for p in r.problems]
    stamp = now()
    incoming = incoming_of(returns)
    if held is None and not incoming.empty:
        held = held_of(returns, store)
    decided = decide(incoming, held or Held(set(), pd.DataFrame()))
    problems += decided.problems
    stored = decided.stored
    recorded = None
    if lapses is not None:  # those of the entries stored: what `covers` looks an entry up by
        lapses = lapse_values(
            lapses[rows_in(lapses, stored, ["finding_id", "workbook_sha256"])], store
        )
        recorded = store.lapses_to_record(lapses, held.lapses if held is not None else None)
    store.store_entries(stored, _log(returns, stored, problems, stamp), recorded)
    decisions = _decisions_after(decided.decisions, stored)
    return Outcome(
        stored, decided.unchanged, decided.older, problems, decided.findings, stamp, decisions
    )


def _decisions_after(before: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """The returns' findings' decisions once `stored` is stored (`Store.decisions_of` of them,
    from what is in hand): the latest decision entries held before, and the new entries, whose
    ids the store gives after every entry it held."""
    new = stored[stored["field"].isin(DECISION_FIELDS)] if len(stored) else stored
    if new.empty:
        return decisions_from(before)
    first = int(before["entry_id"].max()) + 1 if len(before) else 1
    new = new.assign(entry_id=range(first, first + len(new)))
    both = pd.concat([before, new.reindex(columns=before.columns) if len(before) else new])
    return decisions_from(latest_of(both))


@dataclass
class Decided:
    """What the returns' entries add to the store, decided field by field (`decide`)."""

    stored: pd.DataFrame  # the entries to store
    unchanged: int  # entries the store already held (or that the tool had carried in)
    older: int  # to be stored as history: saved before the latest entry, which stands
    problems: list[Problem]  # entries not stored: an unknown Finding ID, returns that differ
    findings: set[str]  # every finding the returns hold entries for
    decisions: pd.DataFrame  # the latest decision entries held of them (`latest_of`)


STORED_COLUMNS = [
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


def decide(incoming: pd.DataFrame, held: Held) -> Decided:
    """Decide, field by field, what the returns' entries (`incoming_of`) add to what the store
    holds of their findings (`held_of`)."""
    problems: list[Problem] = []
    if incoming.empty:
        return Decided(pd.DataFrame(), 0, 0, problems, set(), pd.DataFrame())
    findings = set(_each_once(incoming["finding_id"]))
    unknown = ~member(incoming["finding_id"], held.known)
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

    history = held.history
    key = ["finding_id", "field"]
    same_workbook = rows_in(incoming, held.from_these, [*key, "workbook_sha256"])
    latest = latest_of(resolved(history))
    is_latest = rows_in(incoming, latest, [*key, "value"])
    carried = _carried_in(incoming, history, latest, is_latest)
    settled = same_workbook | is_latest | carried
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
    stored = fresh[STORED_COLUMNS].reset_index(drop=True)
    decisions = latest[latest["field"].isin(DECISION_FIELDS)] if len(latest) else latest
    return Decided(stored, unchanged, older, problems, findings, decisions)


def incoming_of(returns: list[Return]) -> pd.DataFrame:
    """Every return's entries, each row with its workbook's path, file name, checksum, saved-at
    (the entry's time), saved-by, the last entry it was pre-filled from (-1: not recorded) and
    whether it was written before v5."""
    frames = [r.entries for r in returns]
    if not frames:
        return pd.DataFrame()
    incoming = pd.concat(frames, ignore_index=True)
    rows = [len(frame) for frame in frames]
    of_each = {
        "workbook": [str(r.path.resolve()) for r in returns],
        "file": [r.path.name for r in returns],
        "workbook_sha256": [r.sha256 for r in returns],
        "entered_at": [r.saved_at for r in returns],
        "entered_by": [r.saved_by for r in returns],
        "entries_upto": [-1 if r.entries_upto is None else r.entries_upto for r in returns],
        "legacy": [r.legacy for r in returns],
    }
    for name, values in of_each.items():
        incoming[name] = np.repeat(np.array(values, dtype=object), rows)
    incoming["entries_upto"] = incoming["entries_upto"].astype("int64")
    incoming["legacy"] = incoming["legacy"].astype(bool)
    return incoming


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


def _carried_in(
    incoming: pd.DataFrame, history: pd.DataFrame, latest: pd.DataFrame, is_latest: np.ndarray
) -> np.ndarray:
    """True where the value is what the tool pre-filled: the latest entry among those the store
    held when the workbook was written (its ENTRIES_PROPERTY). For a workbook without that
    property, any value stored for the field before counts as carried.

    A workbook written since v5 was pre-filled from the entries as read since (`resolved`); one
    written before, from the entries as they were then: an original decision stands as itself
    and its migrated copy as the entry it was copied from. `latest`: `latest_of(resolved(
    history))`, what a workbook written since v5 was pre-filled from when the store holds no
    entry newer than it (the usual case: nothing imported since the run), and `is_latest`:
    which incoming values are those."""
    out = np.zeros(len(incoming), dtype=bool)
    if history.empty:
        return out
    newest = int(history["entry_id"].max())

    def as_then(legacy: bool) -> pd.DataFrame:  # the entries a workbook was pre-filled from
        if not legacy:
            return resolved(history)
        origin = history.get("migrated_from")  # a copy stood as the entry it was copied from
        if origin is None:
            return history
        return history.assign(entry_id=origin.fillna(history["entry_id"]).astype("int64"))

    at = pd.Series(np.arange(len(incoming)), index=incoming.index)
    for (upto, legacy), group in incoming.groupby(["entries_upto", "legacy"], sort=False):
        rows = at[group.index].to_numpy()
        if not legacy and upto >= newest:  # every entry held was held when it was written
            out[rows] = is_latest[rows]
            continue
        held = as_then(bool(legacy))
        if upto < 0:
            pairs = held[["finding_id", "field", "value"]].drop_duplicates()
        else:
            known = held[held["entry_id"] <= upto]
            pairs = known.sort_values(["entered_at", "entry_id"]).drop_duplicates(
                ["finding_id", "field"], keep="last"
            )[["finding_id", "field", "value"]]
        out[rows] = rows_in(group, pairs, ["finding_id", "field", "value"])
    return out


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
