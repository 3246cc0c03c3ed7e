"""Recognise a workbook that reviewers have already written in (it must never be overwritten)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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


def _keys(row: tuple) -> set[str]:
    from audits.spec import header_key

    return {header_key(v) for v in row if isinstance(v, str)}


def headed_columns(
    rows: list[tuple], required: tuple[str, ...], *, file: Path, sheet: str, written_by: str
) -> dict[str, pd.Series]:
    """The `required` columns of a reviewed sheet, found by heading wherever they now stand.

    Values are as saved (values only); blanks become None; the index is the Excel row number.
    A missing or renamed heading is refused before anything is stored.
    """
    from audits.errors import InputError
    from audits.spec import header_key

    first = header_key(required[0])
    at = next((i for i, r in enumerate(rows[:30]) if first in _keys(r)), 0)  # guidance above
    header = [str(h).strip() if h is not None else "" for h in (rows[at] if rows else [])]
    keys = {header_key(h): i for i, h in enumerate(header) if h}
    missing = [h for h in required if header_key(h) not in keys]
    if missing:
        raise InputError(
            f"The {sheet} sheet is missing column(s) "
            + ", ".join(f"'{m}'" for m in missing)
            + "; nothing was stored",
            file=str(file),
            sheet=sheet,
            expected=f"the columns as `{written_by}` wrote them: " + ", ".join(required),
            action="Restore the column heading(s) (renamed or deleted columns cannot be matched)",
        )
    body = pd.DataFrame(
        [(*r, *[None] * len(header))[: len(header)] for r in rows[at + 1 :]],
        columns=range(len(header)),
        dtype=object,
    )
    body.index = pd.RangeIndex(at + 2, at + 2 + len(body))
    columns = {}
    for name in required:
        values = body[keys[header_key(name)]]
        text = values.astype(str).str.strip()
        columns[name] = text.astype(object).where(values.notna() & (text != ""), None)
    return columns
