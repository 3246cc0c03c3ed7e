"""Practice audit (DESIGN §3a): choose cases for people to audit, carry the audit and its
moderation, and summarise grades (distribution, agreement, weighted kappa, escalations)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from audits.calendar import add_months
from audits.engine.context import Context
from audits.output.reviewed import headed_columns, read_sheet
from audits.output.safe_text import inert

GRADES = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
ANSWERS = ("Yes", "No", "Partly", "N/A")
SHEET = "Practice audit"
CASE_LISTS = (8, 7, 9, 6, 4)  # a child's team and worker come from the first list they are open on
FIXED = ("Child ID", "Team", "Worker", "Why chosen", "Automated findings")
TAIL = (
    "Auditor",
    "Auditor grade",
    "Auditor comments",
    "Moderator grade",
    "Moderator comments",
    "Unsafe — escalate now",
)


def open_cases(ctx: Context) -> pd.DataFrame:
    """One row per child open to the service: child_id, team, worker."""
    parts = []
    for n in CASE_LISTS:
        table = ctx.export.get(n)
        if table is None or table.frame.empty:
            continue
        f = table.frame
        rows = f.loc[ctx.is_open(table) & f["child_id"].notna()]
        parts.append(
            pd.DataFrame(
                {
                    "child_id": rows["child_id"],
                    "team": rows.get("team", pd.NA),
                    "worker": rows.get("worker", pd.NA),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["child_id", "team", "worker"])
    cases = pd.concat(parts, ignore_index=True).drop_duplicates("child_id")
    cases["team"] = cases["team"].fillna("(no team)").astype(str)
    return cases.sort_values(["team", "child_id"], kind="stable").reset_index(drop=True)


def risk_flags(ctx: Context, findings: pd.DataFrame) -> tuple[pd.DataFrame, set, set, set]:
    """Per child: Error findings, CP plan over 18 months, missing documents, 3+ placements."""
    errors = findings[findings["severity"] == "Error"].groupby("child_id").size().rename("errors")
    flags = pd.DataFrame({"errors": errors})
    cp = ctx.export.get(7)
    long_cp = set()
    if cp is not None and "plan_start" in cp.frame:
        f = cp.frame
        long_cp = set(
            f.loc[ctx.is_open(cp) & (ctx.date >= add_months(f["plan_start"], 18)), "child_id"]
        )
    documents = set(findings.loc[findings["rule_id"] == "CL-06", "child_id"])
    moves = set(findings.loc[findings["rule_id"] == "CLA-06", "child_id"])
    return flags, long_cp, documents, moves


def choose(
    ctx: Context,
    findings: pd.DataFrame,
    *,
    seed: int,
    per_team: int,
    risk_picks: int,
    exclude: set[str],
) -> pd.DataFrame:
    """The month's sample: risk-weighted picks first, then a seeded random sample per team."""
    cases = open_cases(ctx)
    cases = cases[~cases["child_id"].isin(exclude)].reset_index(drop=True)
    flags, long_cp, documents, moves = risk_flags(ctx, findings)
    cases["errors"] = cases["child_id"].map(flags["errors"]).fillna(0).astype(int)
    chosen: dict[str, str] = {}

    def pick(candidates: pd.DataFrame, reason: str, limit: int) -> None:
        taken = 0
        for child in candidates["child_id"]:
            if taken == limit:
                break
            if child not in chosen:
                chosen[child] = reason
                taken += 1

    most = cases[cases["errors"] > 0].sort_values(
        ["errors", "child_id"], ascending=[False, True], kind="stable"
    )
    pick(most, "Most Error findings", risk_picks)
    pick(cases[cases["child_id"].isin(long_cp)], "Child protection plan over 18 months", risk_picks)
    pick(cases[cases["child_id"].isin(documents)], "Care leaver missing key documents", risk_picks)
    pick(cases[cases["child_id"].isin(moves)], "Three or more placements in 12 months", risk_picks)
    rng = np.random.default_rng(seed)
    for team, group in cases.groupby("team", sort=True):
        pool = group[~group["child_id"].isin(chosen)]
        if pool.empty:
            continue
        take = min(per_team, len(pool))
        for child in pool["child_id"].to_numpy()[rng.choice(len(pool), size=take, replace=False)]:
            chosen[child] = f"Random sample ({team})"
    sample = cases[cases["child_id"].isin(chosen)].copy()
    sample["reason"] = sample["child_id"].map(chosen)
    mine = findings[findings["child_id"].isin(chosen)]
    summary = (
        mine.sort_values(["rule_id"])
        .groupby("child_id")["message"]
        .agg(lambda s: "\n".join(f"• {m}" for m in s))  # a few findings per sampled child
    )
    sample["findings"] = sample["child_id"].map(summary).fillna("No automated findings")
    order = {r: i for i, r in enumerate(dict.fromkeys(chosen.values()))}
    sample["_order"] = sample["reason"].map(order).fillna(99)
    return (
        sample.sort_values(["_order", "team", "child_id"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def write_practice_workbook(
    target: Path, sample: pd.DataFrame, questions: tuple[str, ...], month: str
) -> None:
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from audits.output.atomic import atomic_path

    headers = [*FIXED, *questions, *TAIL]
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    header_fill = PatternFill("solid", fgColor="305496")
    auditor_fill = PatternFill("solid", fgColor="375623")
    ws.append(headers)
    for i, cell in enumerate(ws[1], start=1):
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill if i <= len(FIXED) else auditor_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = 45
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)
    for r in sample.itertuples(index=False):
        row = [r.child_id, r.team, "" if pd.isna(r.worker) else r.worker, r.reason, r.findings]
        ws.append(row + [None] * (len(headers) - len(row)))
        n = ws.max_row
        lines = max(str(r.findings).count("\n") + 1, -(-len(str(r.reason)) // 26), 2)
        ws.row_dimensions[n].height = min(15 * lines, 300)  # openpyxl does not size wrapped rows
        for col in range(1, len(headers) + 1):
            cell = ws.cell(n, col)
            cell.alignment = wrap
            if col <= len(FIXED):
                inert(cell)
            else:
                cell.protection = unlocked
    last = max(ws.max_row, 2)
    widths = [12, 20, 18, 26, 60] + [14] * len(questions) + [16, 20, 30, 20, 30, 14]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    first_q = len(FIXED) + 1
    answers = DataValidation(
        type="list", formula1='"' + ",".join(ANSWERS) + '"', allow_blank=True, showErrorMessage=True
    )
    answers.add(
        f"{get_column_letter(first_q)}2:{get_column_letter(first_q + len(questions) - 1)}{last}"
    )
    grades = DataValidation(
        type="list", formula1='"' + ",".join(GRADES) + '"', allow_blank=True, showErrorMessage=True
    )
    auditor_grade = get_column_letter(first_q + len(questions) + 1)
    moderator_grade = get_column_letter(first_q + len(questions) + 3)
    grades.add(f"{auditor_grade}2:{auditor_grade}{last}")
    grades.add(f"{moderator_grade}2:{moderator_grade}{last}")
    unsafe_col = get_column_letter(len(headers))
    unsafe = DataValidation(
        type="list", formula1='"Yes,No"', allow_blank=True, showErrorMessage=True
    )
    unsafe.add(f"{unsafe_col}2:{unsafe_col}{last}")
    for dv in (answers, grades, unsafe):
        ws.add_data_validation(dv)
    red = PatternFill("solid", fgColor="FF7C80")
    ws.conditional_formatting.add(
        f"A2:{unsafe_col}{last}", FormulaRule(formula=[f'${unsafe_col}2="Yes"'], fill=red)
    )
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{unsafe_col}{last}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    guide = wb.create_sheet("Guide")
    for line in (
        [f"Practice audit — {month}"],
        [
            "Answer each question Yes, No, Partly or N/A; grade the case on Ofsted's four-point scale."
        ],
        [
            "Mark 'Unsafe — escalate now' Yes for any child you believe is unsafe today, and tell the team manager at once."
        ],
        ["Grades:", *GRADES],
        ["Questions:", *questions],
    ):
        guide.append(line)
    guide.column_dimensions["A"].width = 100
    with atomic_path(target) as tmp:
        wb.save(tmp)


# --- reading the audit back ----------------------------------------------------------------------
def is_practice_workbook(path: Path) -> bool:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception:
        return False
    try:
        return SHEET in wb.sheetnames
    finally:
        wb.close()


def read_practice(path: Path) -> tuple[pd.DataFrame, str, list[str], str | None]:
    """(grades per case, month, problems, when the workbook was saved) from a filled
    practice-audit workbook (values only)."""
    sheet = read_sheet(path, SHEET, written_by="audit sample")
    guide = read_sheet(path, "Guide", written_by="audit sample").rows[:1]
    month = (
        str(guide[0][0]).rsplit("—", 1)[-1].strip() if guide and guide[0] and guide[0][0] else ""
    )
    columns = headed_columns(
        sheet.rows, ("Child ID", "Team", *TAIL), file=path, sheet=SHEET, written_by="audit sample"
    )

    def col(name: str) -> pd.Series:
        return columns[name]

    frame = pd.DataFrame(
        {
            "row": columns["Child ID"].index,
            "child_id": col("Child ID"),
            "team": col("Team"),
            "auditor": col("Auditor"),
            "auditor_grade": col("Auditor grade"),
            "moderator_grade": col("Moderator grade"),
            "escalate": col("Unsafe — escalate now").str.casefold().isin(["yes", "y"]),
        }
    )
    frame = frame[frame["child_id"].notna()]
    problems = []
    lookup = {g.casefold(): g for g in GRADES}
    for name in ("auditor_grade", "moderator_grade"):
        canon = frame[name].str.casefold().map(lookup)
        bad = frame[name].notna() & canon.isna()
        problems += [
            f"row {r}: {name.replace('_', ' ')} '{v}' is not one of: {'; '.join(GRADES)}"
            for r, v in zip(frame.loc[bad, "row"], frame.loc[bad, name], strict=True)
        ]
        frame[name] = canon
    return frame.reset_index(drop=True), month, problems, sheet.saved_at


def weighted_kappa(
    a: pd.Series, b: pd.Series, categories: tuple[str, ...] = GRADES
) -> float | None:
    """Cohen's kappa with linear weights |i - j| / (k - 1) for ordered grades."""
    pairs = pd.DataFrame({"a": a, "b": b}).dropna()
    if pairs.empty:
        return None
    k = len(categories)
    index = {c: i for i, c in enumerate(categories)}
    observed = np.zeros((k, k))
    for x, y in zip(pairs["a"].map(index), pairs["b"].map(index), strict=True):
        observed[x, y] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    weights = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    disagreement_expected = (weights * expected).sum()
    if disagreement_expected == 0:
        return 1.0
    return float(1 - (weights * observed).sum() / disagreement_expected)


def grade_report(frame: pd.DataFrame) -> dict:
    """Distribution, exact agreement, weighted kappa, direction of changes, per auditor and team."""
    both = frame.dropna(subset=["auditor_grade", "moderator_grade"])
    rank = {g: i for i, g in enumerate(GRADES)}
    moved = both["moderator_grade"].map(rank).astype(float) - both["auditor_grade"].map(
        rank
    ).astype(float)

    def agreement_by(column: str) -> dict:
        out = {}
        for key, group in both.groupby(both[column].fillna("(none)")):
            out[str(key)] = {
                "audits": len(group),
                "exact_agreement_percent": round(
                    100 * float((group["auditor_grade"] == group["moderator_grade"]).mean()), 1
                ),
            }
        return out

    return {
        "audits": len(frame),
        "auditor_grades": {g: int((frame["auditor_grade"] == g).sum()) for g in GRADES},
        "moderated_grades": {g: int((frame["moderator_grade"] == g).sum()) for g in GRADES},
        "moderated": len(both),
        "exact_agreement_percent": round(100 * float((moved == 0).mean()), 1)
        if len(both)
        else None,
        "weighted_kappa": None
        if both.empty
        else round(weighted_kappa(both["auditor_grade"], both["moderator_grade"]), 3),
        "upgraded": int((moved < 0).sum()),
        "downgraded": int((moved > 0).sum()),
        "by_auditor": agreement_by("auditor"),
        "by_team": agreement_by("team"),
        "escalations": frame.loc[frame["escalate"], ["row", "child_id", "team", "auditor"]].to_dict(
            "records"
        ),
        "good_or_better_percent": (
            round(
                100
                * float(
                    frame["moderator_grade"].fillna(frame["auditor_grade"]).isin(GRADES[:2]).mean()
                ),
                1,
            )
            if len(frame)
            else None
        ),
    }


def month_of(as_at: dt.date) -> str:
    return as_at.strftime("%Y-%m")


__all__ = ["choose", "grade_report", "read_practice", "weighted_kappa", "write_practice_workbook"]
