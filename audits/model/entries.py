"""What people type, one stored field each (DESIGN §3 "Decisions and actions"): the team
manager's response, decision, action and its status, and the QA moderator's decision and
comment. The reviewer columns of the workbooks (`audits.output.reviewed.REVIEWER_HEADINGS`) are
these fields, in this order, each headed as these mappings say."""

MANAGER_COLUMNS = {  # field -> the heading of its column
    "manager_response": "Manager response",
    "manager_decision": "Manager decision",
    "action_owner": "Action owner",
    "action_due": "Action due",
    "action_status": "Action status",
    "action_done_on": "Done on",
}
MODERATOR_COLUMNS = {
    "moderator_decision": "Moderator decision",
    "moderator_comment": "Moderator comment",
}
MANAGER_FIELDS = tuple(MANAGER_COLUMNS)
MODERATOR_FIELDS = tuple(MODERATOR_COLUMNS)
ENTRY_FIELDS = (*MANAGER_FIELDS, *MODERATOR_FIELDS)
DECISION_FIELDS = ("manager_decision", "moderator_decision")  # the team manager's; the QA's
# How many overdue actions a summary lists (summary.json and audit.xlsx's Summary), the longest
# overdue first: every one is also listed in its team's workbook (Overdue actions).
OVERDUE_LISTED = 1000
