"""The words a team manager reads first: the Guide sheet and the short header on Findings.

Written for someone opening the workbook on a Monday morning with no training: what the workbook
is, what to do and by when, what each column and colour means, the four decisions and when to
use each, and how to send it back.
"""

from __future__ import annotations

import datetime as dt

from audits.model.spec import BY_NUMBER
from audits.output.reviewed import MODERATOR_DECISIONS
from audits.output.xlsx import LINE_HEIGHT, Formats, landscape, text_height, write_text

DECISION_USE = (
    "The finding is right: the work is late or missing. Say in Manager response what is being "
    "done; if something needs doing, give an Action owner and an Action due date.",
    "The child's record is right and the finding is wrong (for example the visit happened and "
    "is recorded). Say why in Manager response. The finding is not raised again for this record.",
    "The work was done and recorded, but the export shows it wrongly (a date missing or wrong in "
    "the export). Say what the record shows; the QA team asks for the export to be corrected.",
    "The work has been done since the export was taken (after the as-at date). Give the date it "
    "was done in Manager response.",
)
SEVERITY_MEANING = {
    "Error": "a statutory or local timescale missed, or required recording absent; it counts "
    "against the compliance score",
    "Query": "worth checking: it may be right (for example a care leaver not in touch)",
    "Data": "the export's data cannot be right (a date in the future, a code not in the list, a "
    "child recorded twice); usually a recording or export fix",
}
OVERDUE_AMBER, OVERDUE_RED = 1, 28  # Days overdue colours: 1-28 amber, over 28 red

COLUMN_MEANING = (
    ("Child ID", "The child's id as in the export."),
    ("Finding", "What was found, in plain English, with its due date and days overdue."),
    ("Manager response", "Yours to fill: what you found in the record and what is being done."),
    (
        "Manager decision",
        "Yours to fill: your decision on the finding, one of the four (below), from the list.",
    ),
    ("Action owner", "Who will do what is needed (a name), when something needs doing."),
    ("Action due", "The date the action will be done by (dd/mm/yyyy)."),
    (
        "Action status",
        "Open while the action is being done; Done once it has been done. A done action is never "
        "overdue and stays done next month.",
    ),
    ("Done on", "The date the action was done (dd/mm/yyyy); giving it also marks the action done."),
    (
        "Moderator decision",
        "The QA moderator's decision (headed in purple: leave it to the QA team). Where it "
        "differs from yours both cells are shaded amber and both are kept.",
    ),
    ("Moderator comment", "The QA moderator's comment on the decision."),
    (
        "Days overdue",
        f"Calendar days past the due date at the as-at date (or when completed late). Amber: "
        f"{OVERDUE_AMBER}-{OVERDUE_RED} days; red: more than {OVERDUE_RED} days.",
    ),
    ("Due date", "When the work was due, as the rule works it out (dd/mm/yyyy)."),
    ("Rule", "The check that raised the finding (the Rules sheet of audit.xlsx explains each)."),
    ("Severity", "How serious the finding is: Error, Query or Data (below)."),
    *((f"Severity {k}", f"{v[0].upper()}{v[1:]}.") for k, v in SEVERITY_MEANING.items()),
    ("Area", "The area of practice (Assessment, Child protection, Children in care ...)."),
    ("List", "The Annex A list the record came from (the lists are named below)."),
    ("Team, Worker", "The allocated team and worker in the export."),
    ("Field, Value", "The field of the export the finding is about, and the value found there."),
    (
        "First raised",
        "The date of the audit that first raised the finding (an earlier date: it persists).",
    ),
    (
        "Action overdue",
        "Yes when an action is not done, its due date has passed and the finding is still "
        "raised; the row is shaded red.",
    ),
    (
        "Entered",
        "Who made the entries carried from earlier months, and when (for example 'Response, "
        "decision: Jo Bloggs 05/10/2026. Moderator decision: Sam Moss 07/10/2026'). Carried "
        "entries are pre-filled: change them if they are no longer right.",
    ),
    (
        "Finding ID",
        "The finding's reference: it links your entries to the finding. Do not change it.",
    ),
)


def respond_by_text(respond_by: dt.date, working_days: int) -> str:
    return f"{respond_by:%d/%m/%Y} ({working_days} working days after the as-at date)"


def findings_header_lines(
    scope: str, as_at: dt.date, respond_by: dt.date, working_days: int, n: int
) -> list[str]:
    """The short header above the Findings table."""
    return [
        f"{scope}: {n:,} finding{'s' if n != 1 else ''} as at {as_at:%d/%m/%Y}. "
        f"Respond by {respond_by_text(respond_by, working_days)}.",
        "What to do: for each row, check the child's record, then fill the columns headed in "
        "green: Manager response, Manager decision (from the list) and, if something needs "
        "doing, Action owner and Action due; when it is done, set Action status to Done and "
        "give the date in Done on. Then save and return the workbook (see the Guide sheet). "
        "The columns headed in purple are the QA moderator's.",
        "Decisions: Agree · Disagree — recording is correct · Disagree — data error in export · "
        "Resolved since export.",
        f"Colours: Days overdue amber {OVERDUE_AMBER}-{OVERDUE_RED} days, red over {OVERDUE_RED}; "
        "rows shaded red have an action past its due date and not done; the two decisions are "
        "shaded amber where they differ; columns headed in green are yours to fill.",
    ]


def write_guide(
    wb,
    formats: Formats,
    *,
    scope: str,
    as_at: dt.date,
    respond_by: dt.date,
    working_days: int,
    team_workbook: bool,
) -> None:
    """The Guide sheet: two columns (a heading or term, then its explanation), wrapped."""
    ws = wb.add_worksheet("Guide")
    landscape(ws)
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 110)
    ws.hide_gridlines(2)
    title, heading = formats.title, formats(bold=True, font_size=12, font_color="#305496")
    term = formats.text(wrap=True, bold=True)
    body = formats.text(wrap=True)
    row = 0

    def line(left: str, right: str = "", left_fmt=term) -> None:
        nonlocal row
        height = max(text_height([(left, 30), (right, 110)]), LINE_HEIGHT)
        if height > LINE_HEIGHT:
            ws.set_row(row, height)
        write_text(ws, row, 0, left, left_fmt)
        if right:
            write_text(ws, row, 1, right, body)
        row += 1

    def section(name: str) -> None:
        nonlocal row
        row += 1
        write_text(ws, row, 0, name, heading)
        row += 1

    where = "this team's" if team_workbook else "every team's"
    write_text(ws, row, 0, f"Casefile audit: guide to this workbook ({scope})", title)
    row += 2
    section("What this workbook is")
    line(
        "The audit's findings",
        f"The monthly casefile audit of the Annex A export as at {as_at:%d/%m/%Y}. Each row on "
        f"the Findings sheet is one thing the audit found in {where} children's records: work "
        "late or missing, or a value that cannot be right.",
    )
    section("What to do, and by when")
    for left, right in (
        ("1. Open Findings", "Most overdue work shows red in Days overdue. Filter on any heading."),
        ("2. Check the record", "For each row, look at the child's record on the case system."),
        (
            "3. Fill the green-headed columns",
            "Manager response: what you found and what is being done. Manager decision: choose "
            "one of the four decisions from the list. Action owner and Action due: when "
            "something needs doing. Only the columns headed in green and purple can be typed in; "
            "the purple ones are the QA moderator's.",
        ),
        (
            "4. Close actions when done",
            "When an action has been done, set Action status to Done and give the date in Done "
            "on. A done action is never overdue; an open one past its Action due date is, while "
            "the finding is still raised. Actions agreed in earlier months come pre-filled.",
        ),
        ("5. Respond by", respond_by_text(respond_by, working_days) + "."),
    ):
        line(left, right)
    section("How to return it")
    line(
        "Save and send back",
        "Save the workbook (Excel format, .xlsx) and send it to the QA team as they asked (email "
        "or the shared folder). Keep the sheets and the column headings as they are: the QA "
        "team's tool reads your entries by the headings and the Finding ID. Do not copy rows "
        "into another workbook. Entries carried from earlier months are pre-filled; change them "
        "if they are no longer right.",
    )
    section("Two decisions, two people")
    line(
        "Manager decision",
        "Yours: your decision on the finding, with your response and any action.",
    )
    line(
        "Moderator decision",
        "The QA moderator's, made after your return: they may agree with your decision or "
        "choose another. Both are kept, with who made each and when (Entered); where they "
        "differ both cells are shaded amber, and next month's workbook shows both again.",
    )
    section("The four decisions")
    for decision, use in zip(MODERATOR_DECISIONS, DECISION_USE, strict=True):
        line(decision, use)
    section("Colours")
    for left, right in (
        ("Days overdue, amber", f"{OVERDUE_AMBER} to {OVERDUE_RED} days past the due date."),
        ("Days overdue, red", f"More than {OVERDUE_RED} days past the due date."),
        ("Row shaded red", "An action not yet done is past its Action due date."),
        ("Decisions shaded amber", "The QA moderator's decision differs from the manager's."),
        (
            "Headed in green",
            "Yours to fill: pale yellow cells (the rest is the audit's and is locked).",
        ),
        ("Headed in purple", "The QA moderator's: their decision and comment."),
    ):
        line(left, right)
    section("What each column means")
    for left, right in COLUMN_MEANING:
        line(left, right)
    section("The Annex A lists")
    for number, spec in BY_NUMBER.items():
        line(f"List {number}", spec.title)
