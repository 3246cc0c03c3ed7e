"""The practice-audit workbook: one row per chosen case with its automated findings, the audit
questions, auditor and moderator grades and the escalation flag; written for auditors and read
back (values only) with every grade checked against Ofsted's scale."""

from __future__ import annotations

import datetime as dt
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
UNSAFE = "Unsafe — escalate now"
TAIL = (
    "Auditor",
    "Auditor grade",
    "Auditor comments",
    "Moderator grade",
    "Moderator comments",
    UNSAFE,
)
FIXED_WIDTHS = (12, 18, 16, 24, 44)
# the fillable columns, in order: the flag first (never off to the right), the auditor, the
# questions, the grades and comments
AUDITOR = ("Auditor",)
AFTER_QUESTIONS = ("Auditor grade", "Auditor comments", "Moderator grade", "Moderator comments")
WIDTHS = {
    UNSAFE: 12,
    "Auditor": 14,
    "Auditor grade": 18,
    "Auditor comments": 30,
    "Moderator grade": 18,
    "Moderator comments": 30,
}
NAVY, GREEN, PURPLE, RED, YELLOW = "305496", "375623", "5B3A7A", "9C0006", "FFF9E5"


def write_practice_workbook(
    target: Path,
    sample: pd.DataFrame,
    questions: tuple[str, ...],
    month: str,
    due: dt.date | None = None,
) -> None:
    """The month's practice-audit workbook: a Guide first (what to do, by when, how to return
    it), then one row per case. The cells to fill are unlocked and shaded, as on a team
    workbook's Findings sheet; rows are as tall as their text; printed A4 landscape with the
    headings on every page."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from audits.output.atomic import atomic_path
    from audits.output.xlsx import text_height

    headers = [*FIXED, UNSAFE, *AUDITOR, *questions, *AFTER_QUESTIONS]
    widths = [*FIXED_WIDTHS, *(WIDTHS.get(h, 14) for h in headers[len(FIXED) :])]
    wb = Workbook()
    guide = wb.active
    guide.title = "Guide"
    _guide(guide, month, questions, due)
    ws = wb.create_sheet(SHEET)
    ws.append(headers)
    fills = {
        "fixed": PatternFill("solid", fgColor=NAVY),
        "auditor": PatternFill("solid", fgColor=GREEN),
        "moderator": PatternFill("solid", fgColor=PURPLE),
        "unsafe": PatternFill("solid", fgColor=RED),
    }
    for i, cell in enumerate(ws[1], start=1):
        heading = headers[i - 1]
        kind = (
            "fixed"
            if i <= len(FIXED)
            else "unsafe"
            if heading == UNSAFE
            else "moderator"
            if heading.startswith("Moderator")
            else "auditor"
        )
        cell.font = Font(name="Calibri", bold=True, color="FFFFFF")
        cell.fill = fills[kind]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = max(
        text_height([(h, w) for h, w in zip(headers, widths, strict=True)]), 30
    )
    wrap = Alignment(wrap_text=True, vertical="top")
    unlocked = Protection(locked=False)
    shade = PatternFill("solid", fgColor=YELLOW)
    edge = Side(style="thin", color="BFBFBF")
    box = Border(left=edge, right=edge, top=edge, bottom=edge)
    for r in sample.itertuples(index=False):
        row = [r.child_id, r.team, "" if pd.isna(r.worker) else r.worker, r.reason, r.findings]
        ws.append(row + [None] * (len(headers) - len(row)))
        n = ws.max_row
        cells = [(str(v), w) for v, w in zip(row, FIXED_WIDTHS, strict=True)]
        ws.row_dimensions[n].height = max(text_height(cells), 30)  # openpyxl does not size rows
        for col in range(1, len(headers) + 1):
            cell = ws.cell(n, col)
            cell.alignment = wrap
            if col <= len(FIXED):
                inert(cell)
            else:
                cell.protection = unlocked
                cell.fill = shade
                cell.border = box
    last = max(ws.max_row, 2)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    column = {h: get_column_letter(i) for i, h in enumerate(headers, start=1)}
    first_q, last_q = len(FIXED) + 3, len(FIXED) + 2 + len(questions)
    answers = DataValidation(
        type="list", formula1='"' + ",".join(ANSWERS) + '"', allow_blank=True, showErrorMessage=True
    )
    if questions:
        answers.add(f"{get_column_letter(first_q)}2:{get_column_letter(last_q)}{last}")
    grades = DataValidation(
        type="list", formula1='"' + ",".join(GRADES) + '"', allow_blank=True, showErrorMessage=True
    )
    grades.add(f"{column['Auditor grade']}2:{column['Auditor grade']}{last}")
    grades.add(f"{column['Moderator grade']}2:{column['Moderator grade']}{last}")
    unsafe_col = column[UNSAFE]
    unsafe = DataValidation(
        type="list",
        formula1='"Yes,No"',
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        promptTitle="Unsafe — escalate now",
        prompt="Yes if you believe the child is unsafe today: tell the team manager at once.",
    )
    unsafe.add(f"{unsafe_col}2:{unsafe_col}{last}")
    for dv in (answers, grades, unsafe):
        ws.add_data_validation(dv)
    red = PatternFill("solid", fgColor="FF7C80")
    end = get_column_letter(len(headers))
    ws.conditional_formatting.add(
        f"A2:{end}{last}", FormulaRule(formula=[f'${unsafe_col}2="Yes"'], fill=red)
    )
    ws.freeze_panes = "C2"  # the child and the team stay in view
    ws.auto_filter.ref = f"A1:{end}{last}"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.page_margins.left = ws.page_margins.right = 0.4
    wb.active = 0
    with atomic_path(target) as tmp:
        wb.save(tmp)


def _guide(ws, month: str, questions: tuple[str, ...], due: dt.date | None) -> None:
    """What to do, by when and how to return it; the grades and the questions. Its first cell
    names the month (`read_practice` reads it back)."""
    from openpyxl.styles import Alignment, Font

    from audits.output.xlsx import text_height

    by_when = f"Return it by {due:%d/%m/%Y}." if due else "Return it when the audits are done."
    lines = [
        (f"Practice audit — {month}", None),
        (
            "What to do",
            "For each case on the Practice audit sheet, read the child's file, answer "
            "each question Yes, No, Partly or N/A, grade the case on Ofsted's four-point scale and "
            "say why in Auditor comments. Fill only the shaded cells.",
        ),
        (
            "Unsafe — escalate now",
            "Mark it Yes for any child you believe is unsafe today, and "
            "tell the team manager at once: do not wait for the return. The row turns red.",
        ),
        ("By when", by_when),
        (
            "How to return it",
            "Save the workbook (Excel format, .xlsx) and send it to the QA team "
            "as they asked (email or the shared folder); keep the sheets and headings as they are. "
            "The QA moderator then adds the moderator grade and comments, and the QA team imports it "
            "with `audit moderate`.",
        ),
        ("Grades", "; ".join(GRADES)),
        ("Questions", "; ".join(questions)),
    ]
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 100
    for row, (left, right) in enumerate(lines, start=1):
        ws.cell(row, 1).value = left
        ws.cell(row, 1).font = Font(name="Calibri", bold=True, size=14 if row == 1 else 11)
        ws.cell(row, 1).alignment = Alignment(wrap_text=row > 1, vertical="top")
        if right:
            ws.cell(row, 2).value = right
            ws.cell(row, 2).alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[row].height = text_height([(left, 26), (right, 100)])
    ws.page_setup.orientation = "landscape"
    ws.sheet_view.showGridLines = False


# --- reading the audit back ----------------------------------------------------------------------
def is_practice_workbook(path: Path) -> bool:
    try:  # the package's small parts only: no sheet is read
        return SHEET in open_return(path, written_by="audit sample").sheet_names
    except Exception:
        return False


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
        sheet.rows,
        ("Child ID", "Team", *TAIL),
        file=path,
        sheet=SHEET,
        written_by="audit sample",
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
    """The audit questions the workbook was written with: the Guide's `Questions` line (one
    question a cell, or all in one cell joined by '; ' as the Guide writes them now), else every
    heading between the fixed columns and the auditor's (the default layout)."""
    known = {*FIXED, *TAIL}
    for row in guide:
        if row and isinstance(row[0], str) and row[0].strip().rstrip(":").casefold() == "questions":
            cells = [str(q).strip() for q in row[1:] if q is not None and str(q).strip()]
            if len(cells) != 1:
                return cells
            joined = f"; {cells[0]}; "  # a question may hold '; ' itself: match the headings
            found = [h for h in columns.headings if h and h not in known and f"; {h}; " in joined]
            return found or [q.strip() for q in cells[0].split("; ") if q.strip()]
    return [h for h in columns.headings if h and h not in known]
