"""The practice-audit workbook: one row per chosen case with its automated findings, the audit
questions, auditor and moderator grades and the escalation flag; written for auditors and read
back (values only) with every grade checked against Ofsted's scale."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from audits.core.safe_text import inert
from audits.model.grades import GRADES
from audits.output.reviewed import headed_columns, read_sheet

ANSWERS = ("Yes", "No", "Partly", "N/A")
SHEET = "Practice audit"
FIXED = ("Child ID", "Team", "Worker", "Why chosen", "Automated findings")
TAIL = (
    "Auditor",
    "Auditor grade",
    "Auditor comments",
    "Moderator grade",
    "Moderator comments",
    "Unsafe — escalate now",
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
