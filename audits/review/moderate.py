"""`audit moderate`: the returns named (workbooks or folders of them) read back into the store,
reviewer returns and practice audits each to their own reader, with what was stored, what was
listed instead and the agreement reported through `echo` (`echo(text)`, `echo(text, err=True)`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from audits.core.errors import InputError
from audits.history import Store, sha256_of
from audits.review.beside import held_beside, read_beside
from audits.review.moderation import Outcome, agreement, check_against_store, merge
from audits.review.practice.grades import grade_report
from audits.review.practice.workbook import (
    is_practice_workbook,
    read_practice,
    typed_over_cases,
)
from audits.review.returned import Return, problem_order, read_returns

Echo = Callable[..., None]


def moderate(workbooks: list[Path], store: Store, echo: Echo) -> bool:
    """Store every return's entries and grades (the workbooks `audits.review.workbooks.returned_workbooks` found); True
    when nothing typed was left out."""
    practice = [p for p in workbooks if is_practice_workbook(p)]
    reviews = [p for p in workbooks if p not in practice]
    complete = True
    if reviews:
        complete &= moderate_returns(reviews, store, echo)
    for workbook in practice:
        complete &= moderate_practice(workbook, store, echo)
    return complete


def moderate_practice(workbook: Path, store: Store, echo: Echo) -> bool:
    """Store a practice audit's answers, comments, grades and flags; True when everything typed
    was stored. Escalations are said first, even when something typed stops the import."""
    typed = read_practice(workbook)
    grades, month = typed.grades, typed.month
    report = grade_report(grades)
    if report["escalations"]:
        echo("ESCALATIONS — unsafe, escalate now:")
        for e in report["escalations"]:
            echo(
                f"  row {e['row']}: child {e['child_id']} ({e['team']}), auditor {e['auditor'] or '-'}"
            )
    typed.problems += typed_over_cases(grades, store.practice_cases(month), month)
    if typed.problems:
        raise InputError(
            "Some values typed in the practice audit are not ones it can store (a dropdown "
            "holds only its own choices); nothing from this workbook was stored:\n  "
            + "\n  ".join(typed.problems),
            file=str(workbook),
            expected="grades: Outstanding; Good; Requires improvement to be good; Inadequate. "
            "Answers: Yes; No; Partly; N/A. Unsafe — escalate now: Yes or No",
            action="Correct the cells listed and import the workbook again",
        )
    digest = sha256_of(workbook)
    counts = store.record_grades(month, grades, digest, typed.saved_at)
    store.record_practice_items(
        month, typed.items, workbook, digest, typed.saved_at, typed.saved_by
    )
    echo(
        f"{workbook.name}: {counts['stored']} case(s) stored, {counts['unchanged']} unchanged"
        + (
            f", {counts['older']} not stored because the store holds grades from a copy saved later"
            if counts["older"]
            else ""
        )
        + "."
    )
    echo(f"Practice audit {month}: {report['audits']} case(s), {report['moderated']} moderated.")
    echo(
        "  Auditor grades:   " + ", ".join(f"{g}: {n}" for g, n in report["auditor_grades"].items())
    )
    echo(
        "  Moderated grades: "
        + ", ".join(f"{g}: {n}" for g, n in report["moderated_grades"].items())
    )
    if report["moderated"]:
        echo(
            f"  Exact agreement {report['exact_agreement_percent']:g}%, weighted kappa "
            f"{report['weighted_kappa']:.3f} (linear weights); {report['upgraded']} upgraded, "
            f"{report['downgraded']} downgraded by moderation."
        )
    for label, key in (("auditor", "by_auditor"), ("team", "by_team")):
        for name, item in report[key].items():
            echo(
                f"  {label} {name}: {item['exact_agreement_percent']:g}% exact agreement over {item['audits']}"
            )
    return counts["older"] == 0


def moderate_returns(workbooks: list[Path], store: Store, echo: Echo) -> bool:
    """Store the reviewer entries of audit/team workbooks; True when nothing was left out."""
    returns = read_returns(workbooks)  # on both cores when they are large; then the helper
    beside = read_beside(returns, store)  # reads what the store holds of their findings
    lapses = check_against_store(returns, store)  # while this process compares their cells
    held = held_beside(beside, returns, store)
    outcome = merge(returns, store, held, lapses)  # and what each decision covers
    stored = outcome.stored
    echo(
        f"Stored {len(stored)} entr{'y' if len(stored) == 1 else 'ies'} on "
        f"{stored['finding_id'].nunique() if len(stored) else 0} finding(s) from "
        f"{len(returns)} workbook(s); {outcome.unchanged} already held"
        + (
            f"; {outcome.older} kept as history (typed in a copy saved before the latest entry)"
            if outcome.older
            else ""
        )
        + "."
    )
    for line in returns_by_team(returns, outcome, store):
        echo(line)
    decisions = outcome.decisions
    overridden = int(decisions["agreed"].eq(False).sum())
    if overridden:
        echo(
            f"{overridden} finding(s) where the QA moderator's decision differs from the team "
            "manager's (both are kept and shown next month)."
        )
    for by, label in (("rule_id", "rule"), ("team", "team")):
        table = agreement(decisions, by)
        if table.empty:
            continue
        echo(f"Manager–QA agreement per {label} (QA moderator chose the manager's decision):")
        for row in table.itertuples(index=False):
            echo(
                f"  {getattr(row, by):<28} {row.agree}/{row.decisions} agree ({row.agree_percent:g}%)"
            )
    if outcome.problems:
        echo(
            f"{len(outcome.problems)} entr{'y was' if len(outcome.problems) == 1 else 'ies were'} "
            "not stored (correct them in the workbook and import it again):",
            err=True,
        )
        for problem in sorted(outcome.problems, key=problem_order):
            echo(f"  {problem}", err=True)
    return not outcome.problems


def returns_by_team(returns: list[Return], outcome: Outcome, store: Store) -> list[str]:
    """For each run the returns answer (its as-at date), per team of that run: returned (entries
    stored / listed), returned with nothing typed, or not returned, counting the returns of
    earlier imports (`returns_imported`); and the whole-council workbooks of this import."""
    dates = sorted({r.as_at for r in returns if r.as_at}) or [store.latest_as_at()]
    shas = {r.sha256 for r in returns}

    def this(frame):  # the rows of this import (an earlier one may share its second)
        return frame["workbook_sha256"].isin(shas) & (frame["imported_at"] == outcome.imported_at)

    lines: list[str] = []
    for as_at in [d for d in dates if d]:
        summary = store.summary_as_at(as_at) or {}
        expected = list(summary.get("team_workbooks") or {})
        log = store.returns_for(as_at)
        teams = log[log["kind"] == "team"]
        latest = teams.drop_duplicates("team", keep="last").set_index("team")
        named = sorted({*expected, *latest.index}, key=lambda t: (t == "", t))
        if expected:
            returned = [t for t in expected if t in latest.index]
            lines.append(
                f"Team returns for the run as at {dt.date.fromisoformat(as_at):%d/%m/%Y}: "
                f"{len(returned)} of {len(expected)} teams returned."
            )
        for team in named:
            name = team or "No team"
            if team not in latest.index:
                lines.append(f"  {name}: not returned")
                continue
            now = teams[(teams["team"] == team) & this(teams)]
            for row in (now if len(now) else latest.loc[[team]].reset_index()).itertuples():
                earlier = "" if len(now) else f" (imported {_day(row.imported_at)})"
                lines.append(f"  {name}: {row.file}{earlier}: {_what(row, not earlier)}")
        council = log[(log["kind"] == "council") & this(log)]
        lines += [f"  {row.file} (all teams): {_what(row)}" for row in council.itertuples()]
    return lines


def _day(stamp: str) -> str:
    return f"{dt.datetime.fromisoformat(stamp):%d/%m/%Y}"


def _what(row, now: bool = True) -> str:
    """What became of one return's entries (in this import, or an earlier one)."""
    if row.stored or row.listed:
        return f"{row.stored} entr{'y' if row.stored == 1 else 'ies'} stored" + (
            f", {row.listed} listed {'below' if now else 'then'}" if row.listed else ""
        )
    if row.typed:
        return "returned, nothing new typed (pre-filled entries as they were)"
    return "returned with nothing typed"
