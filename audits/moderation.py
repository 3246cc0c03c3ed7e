"""Read moderators' decisions back from a reviewed audit workbook (values only; never rewritten)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from audits.errors import InputError
from audits.ingest.values import dates
from audits.output.reviewed import REVIEWER_HEADINGS, headed_columns
from audits.output.workbook import MODERATOR_DECISIONS

REQUIRED = ("Finding ID", "Rule", "Team", *REVIEWER_HEADINGS)
_DASHES = str.maketrans({"-": "—", "–": "—", "‒": "—", "―": "—"})


@dataclass
class Reviewed:
    decisions: pd.DataFrame  # one row per finding with any reviewer entry
    invalid: list[str] = field(default_factory=list)  # rows whose decision is not one of the four
    reviewed_by: str | None = None
    reviewed_at: str | None = None


def _canonical_decision(text: pd.Series) -> pd.Series:
    """Match typed variants (hyphens for the dash, case, spaces) to the four decisions."""
    lookup = {" ".join(d.translate(_DASHES).casefold().split()): d for d in MODERATOR_DECISIONS}
    keys = (
        text.fillna("").astype(str).str.translate(_DASHES).str.casefold().str.split().str.join(" ")
    )
    return keys.map(lookup)


def read_reviewed(path: Path) -> Reviewed:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(
            f"The reviewed workbook cannot be opened ({type(exc).__name__}: {exc})",
            file=str(path),
            expected="an audit.xlsx written by `audit run`",
        ) from None
    try:
        if "Findings" not in wb.sheetnames:
            raise InputError(
                "The workbook has no 'Findings' sheet",
                file=str(path),
                expected="the audit workbook written by `audit run`, with its sheets as they were",
            )
        rows = list(wb["Findings"].iter_rows(values_only=True))
        props = wb.properties
        reviewed_by = props.lastModifiedBy or props.creator
        reviewed_at = (
            props.modified.isoformat() if isinstance(props.modified, dt.datetime) else None
        )
    finally:
        wb.close()
    columns = headed_columns(rows, REQUIRED, file=path, sheet="Findings", written_by="audit run")
    index = columns["Finding ID"].index

    def column(name: str) -> pd.Series:
        return columns[name]

    frame = pd.DataFrame(
        {
            "row": index,
            "finding_id": column("Finding ID"),
            "rule_id": column("Rule"),
            "team": column("Team"),
            "decision_text": column("Moderator decision"),
            "manager_response": column("Manager response"),
            "moderator_comment": column("Moderator comment"),
            "action_owner": column("Action owner"),
            "action_due_raw": column("Action due"),
        },
        index=index,
    )
    reviewer = [
        "decision_text",
        "manager_response",
        "moderator_comment",
        "action_owner",
        "action_due_raw",
    ]
    frame = frame[frame[reviewer].notna().any(axis=1) & frame["finding_id"].notna()]
    frame["decision"] = _canonical_decision(frame["decision_text"])
    bad = frame["decision_text"].notna() & frame["decision"].isna()
    invalid = [
        f"row {r}: '{v}' is not one of: " + "; ".join(MODERATOR_DECISIONS)
        for r, v in zip(frame.loc[bad, "row"], frame.loc[bad, "decision_text"], strict=True)
    ]
    due, _ = dates(frame["action_due_raw"])
    frame["action_due"] = due.dt.strftime("%Y-%m-%d")
    frame["reviewed_by"] = reviewed_by
    frame["reviewed_at"] = reviewed_at
    keep = [
        "finding_id",
        "row",
        "rule_id",
        "team",
        "decision",
        "manager_response",
        "moderator_comment",
        "action_owner",
        "action_due",
        "reviewed_by",
        "reviewed_at",
    ]
    return Reviewed(frame.loc[~bad, keep].reset_index(drop=True), invalid, reviewed_by, reviewed_at)


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
