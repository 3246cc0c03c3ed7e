"""What people type, one stored field each (DESIGN §3 "Decisions and actions"): the team
manager's response, decision, action and its status, and the QA moderator's decision and
comment. The reviewer columns of the workbooks (`audits.output.reviewed.REVIEWER_HEADINGS`) are
these fields, in this order."""

MANAGER_FIELDS = (
    "manager_response",
    "manager_decision",
    "action_owner",
    "action_due",
    "action_status",
    "action_done_on",
)
MODERATOR_FIELDS = ("moderator_decision", "moderator_comment")
ENTRY_FIELDS = (*MANAGER_FIELDS, *MODERATOR_FIELDS)
# How many overdue actions a summary lists (summary.json and audit.xlsx's Summary), the longest
# overdue first: every one is also listed in its team's workbook (Overdue actions).
OVERDUE_LISTED = 1000
