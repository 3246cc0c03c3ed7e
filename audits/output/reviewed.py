"""Recognise a workbook that reviewers have already written in (it must never be overwritten)."""

from __future__ import annotations

from pathlib import Path

REVIEWER_HEADINGS = (
    "Manager response",
    "Moderator decision",
    "Moderator comment",
    "Action owner",
    "Action due",
)


def holds_reviewer_entries(path: Path) -> bool:
    """True when the workbook's Findings sheet has any value in a reviewer column.

    A file that cannot be read as a workbook is treated as holding entries (it is kept).
    """
    if not path.exists():
        return False
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        return True
    try:
        if "Findings" not in wb.sheetnames:
            return True
        rows = wb["Findings"].iter_rows(values_only=True)
        header = next(rows, ())
        columns = [i for i, h in enumerate(header) if h in REVIEWER_HEADINGS]
        return any(any(i < len(row) and row[i] not in (None, "") for i in columns) for row in rows)
    finally:
        wb.close()
