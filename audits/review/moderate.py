"""`audit moderate`: the returns named (workbooks or folders of them) read back into the store,
reviewer returns and practice audits each to their own reader, with what was stored, what was
listed instead and the agreement reported through `echo` (`echo(text)`, `echo(text, err=True)`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from audits.core.errors import InputError
from audits.history import Store, sha256_of
from audits.review.moderation import (
    agreement,
    check_against_store,
    merge,
    problem_order,
    read_return,
)
from audits.review.practice.grades import grade_report
from audits.review.practice.workbook import (
    is_practice_workbook,
    read_practice,
    typed_over_cases,
)

Echo = Callable[..., None]


def returned_workbooks(paths: list[Path]) -> list[Path]:
    """The workbooks named, and the .xlsx files directly in any folder named (Excel's `~$` lock
    files and hidden files aside), each once, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() == ".xlsx"
                and not p.name.startswith(("~$", "."))
                and p.is_file()
            )
            if not inside:
                raise InputError("The folder holds no .xlsx workbooks", file=str(path))
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            raise InputError("The reviewed workbook was not found", file=str(path))
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return [Path(p) for p in unique]


def moderate(workbooks: list[Path], store: Store, echo: Echo) -> bool:
    """Store every return's entries and grades (the workbooks `returned_workbooks` found); True
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
    returns = [read_return(w) for w in workbooks]
    store.store_lapses(check_against_store(returns, store))  # what each decision covers
    outcome = merge(returns, store)
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
    decisions = store.latest_decisions()
    decisions = decisions[decisions["finding_id"].isin(outcome.findings)]
    for by, label in (("rule_id", "rule"), ("team", "team")):
        table = agreement(decisions, by)
        if table.empty:
            continue
        echo(f"Agreement per {label}:")
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
