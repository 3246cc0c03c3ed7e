"""The practice-audit workbook: one row per chosen case with its automated findings, the audit
questions, auditor and moderator grades and the escalation flag; written for auditors and read
back (values only) with every grade checked against Ofsted's scale."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from audits.core.safe_text import inert
from audits.ingest.values import not_a_value
from audits.model.grades import GRADES
from audits.output.reviewed import headed_columns, open_return
from audits.review.dropdowns import ANSWER, FLAG, GRADE, shown_text

ANSWERS = ANSWER.options  # Yes, No, Partly, N/A
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


@dataclass
class PracticeReturn:
    """A filled practice-audit workbook as read: grades per case, every item typed (answers,
    comments, auditor, grades, flag), the month, what cannot be stored, and who saved it when."""

    grades: pd.DataFrame  # row, child_id, team, auditor, auditor_grade, moderator_grade, escalate
    items: pd.DataFrame  # row, child_id, team, kind, item, value
    month: str
    problems: list[str]
    saved_at: str | None
    saved_by: str | None


def read_practice(path: Path) -> PracticeReturn:
    """Read a filled practice-audit workbook back (by headings, wherever the columns stand).
    Every dropdown cell is read by the one validator (`audits.review.dropdowns`): a grade typed
    `2` or an answer typed `maybe` is listed with its row, a flag typed TRUE is Yes."""
    book = open_return(path, written_by="audit sample")
    sheet = book.sheet(SHEET)
    guide = book.sheet("Guide").rows  # its title names the month: a workbook without it is refused
    title = guide[0][0] if guide and guide[0] and guide[0][0] else ""
    month = str(title).rsplit("—", 1)[-1].strip()
    columns = headed_columns(
        sheet.rows, ("Child ID", "Team", *TAIL), file=path, sheet=SHEET, written_by="audit sample"
    )
    questions = _questions(guide, columns)
    child = columns["Child ID"]
    cases = child.notna()
    problems: list[str] = []
    chosen: dict[str, pd.Series] = {}
    for heading, dropdown in {
        "Auditor grade": GRADE,
        "Moderator grade": GRADE,
        "Unsafe — escalate now": FLAG,
        **dict.fromkeys(questions, ANSWER),
    }.items():
        cells = columns.get(heading)
        if cells is None:
            continue
        value, outside = dropdown.read(cells)
        for row in cells.index[outside & cases]:
            problems.append(
                f"row {row}: {heading} '{shown_text(cells[row])}' is not one of: "
                f"{dropdown.describe()}"
            )
        chosen[heading] = value
    for heading in ("Auditor", "Auditor comments", "Moderator comments"):
        cells = columns.get(heading)
        if cells is not None:
            chosen[heading] = cells.map(shown_text, na_action="ignore").astype(object)
    for heading, values in columns.others({*FIXED, *TAIL, *questions}).items():
        for row in values.index[values.notna()]:
            problems.append(
                f"row {row}: '{shown_text(values[row])}' typed in column '{heading}', which is "
                "not a question, grade, comment or flag column"
            )
    for heading, values in chosen.items():
        formula = values.notna() & not_a_value(values.astype("str")).to_numpy()
        for row in values.index[formula & cases]:
            problems.append(
                f"row {row}: {heading} holds '{values[row]}', which is no value (a formula saved "
                "without its result, or an error value)"
            )
            values[row] = None
    for row in child.index[~cases]:
        typed = [h for h, v in chosen.items() if v.get(row) is not None]
        if typed:
            problems.append(f"row {row}: {', '.join(typed)} typed on a row with no Child ID")
    empty = pd.Series(None, index=child.index, dtype=object)
    escalate = chosen.get("Unsafe — escalate now", empty)
    grades = pd.DataFrame(
        {
            "row": child.index,
            "child_id": child.map(shown_text, na_action="ignore"),
            "team": columns["Team"],
            "auditor": chosen.get("Auditor", empty),
            "auditor_grade": chosen.get("Auditor grade", empty),
            "moderator_grade": chosen.get("Moderator grade", empty),
            "escalate": escalate.eq("Yes").fillna(False).astype(bool),
        }
    )[cases]
    kinds = {"Auditor": "auditor", "Auditor comments": "comment", "Moderator comments": "comment"}
    kinds |= {"Auditor grade": "grade", "Moderator grade": "grade"}
    kinds |= {"Unsafe — escalate now": "flag", **{q: "answer" for q in questions}}
    items = [
        pd.DataFrame(
            {
                "row": values.index,
                "child_id": grades["child_id"].reindex(values.index).to_numpy(),
                "team": grades["team"].reindex(values.index).to_numpy(),
                "kind": kinds[heading],
                "item": heading,
                "value": values.to_numpy(),
            }
        )
        for heading, values in chosen.items()
    ]
    typed = pd.concat(items, ignore_index=True) if items else pd.DataFrame()
    if not typed.empty:
        typed = typed[typed["value"].notna() & typed["child_id"].notna()].reset_index(drop=True)
    return PracticeReturn(
        grades.reset_index(drop=True), typed, month, problems, sheet.saved_at, sheet.saved_by
    )


def typed_over_cases(grades: pd.DataFrame, chosen: pd.DataFrame, month: str) -> list[str]:
    """Rows whose Child ID or Team is not what `audit sample` wrote (the cases it recorded for
    the month): typing over those columns is listed, never stored as another child's audit."""
    if chosen.empty:
        return []
    team_of = dict(zip(chosen["child_id"].astype(str), chosen["team"], strict=True))
    problems = []
    for row, child, team in zip(grades["row"], grades["child_id"], grades["team"], strict=True):
        if str(child) not in team_of:
            problems.append(
                f"row {row}: Child ID '{child}' is not one of the cases chosen for {month} (was "
                "it typed over?)"
            )
        elif (team or None) != (team_of[str(child)] or None) and team is not None:
            problems.append(
                f"row {row}: Team '{team_of[str(child)]}' typed over as '{team}' (the export's "
                "columns are not stored)"
            )
    return problems


def _questions(guide: list[tuple], columns) -> list[str]:
    """The audit questions the workbook was written with: the Guide's `Questions:` line, else
    every heading between the fixed columns and the auditor's (the default layout)."""
    for row in guide:
        if row and isinstance(row[0], str) and row[0].strip().rstrip(":").casefold() == "questions":
            return [str(q).strip() for q in row[1:] if q is not None and str(q).strip()]
    known = {*FIXED, *TAIL}
    return [h for h in columns.headings if h and h not in known]
