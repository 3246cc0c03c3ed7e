"""Recognise which list a raw table holds, and where its heading row is.

A table is recognised by its headings (every signature heading of a list present) or, failing
that, by a sheet name such as `List_8`, `List 8` or `list8`, never by file name alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from audits.core.errors import InputError
from audits.ingest.read import HEAD_ROWS, RawTable
from audits.ingest.xlsx_cells import column_letters
from audits.model.spec import ListSpec, header_key

_SHEET_LIST = re.compile(r"^\s*list\s*[_\- ]?\s*(\d{1,2})\b", re.IGNORECASE)


@dataclass
class Recognition:
    spec: ListSpec
    header_index: int  # 0-based index of the heading row in RawTable.rows
    columns: dict[int, str]  # column index -> canonical field name
    headings: dict[str, str]  # canonical field name -> heading as written
    unmatched: list[str] = field(default_factory=list)
    width: int = 0
    by: str = "headings"


@cache
def _key_map(spec: ListSpec) -> dict[str, str]:
    """Heading key -> field name (once per spec: every table of every run asks again)."""
    return {key: f.name for f in spec.fields for key in f.keys}


def _match(row: tuple, spec: ListSpec, row_keys: list[str] | None = None) -> dict[int, str]:
    """Column -> field for the cells of `row` that head a field of `spec`; `row_keys`: the
    cells' heading keys when already known (one row is matched against every spec)."""
    keys = _key_map(spec)
    row_keys = row_keys if row_keys is not None else [header_key(cell) for cell in row]
    return {i: keys[k] for i, k in enumerate(row_keys) if k in keys}


def sheet_list_number(sheet: str | None) -> int | None:
    if not sheet:
        return None
    m = _SHEET_LIST.match(sheet)
    return int(m.group(1)) if m else None


def recognise(table: RawTable, specs: tuple[ListSpec, ...]) -> Recognition | None:
    """The best-matching spec and heading row, or None for a sheet that is not a list."""
    best: tuple[int, int, int, ListSpec, dict[int, str]] | None = None
    named = sheet_list_number(table.sheet)
    for index, row in enumerate(table.rows[:HEAD_ROWS]):
        row_keys = [header_key(cell) for cell in row]
        for spec in specs:
            matched = _match(row, spec, row_keys)
            names = set(matched.values())
            signed = (
                set(spec.signature) <= names
                if spec.match_all
                else bool(set(spec.signature) & names)
            )
            if spec.id_field not in names or not signed:
                continue
            score = (len(names), int(spec.number == named))
            if best is None or score > best[:2]:
                best = (*score, index, spec, matched)
    if best is not None:
        _, _, index, spec, matched = best
        return _build(table, spec, index, matched, by="headings")
    by_name = [s for s in specs if s.number is not None and s.number == named]
    if by_name:
        spec = by_name[0]
        for index, row in enumerate(table.rows[:HEAD_ROWS]):
            matched = _match(row, spec)
            if spec.id_field in matched.values():
                return _build(table, spec, index, matched, by="sheet name")
        raise InputError(
            f"Sheet looks like {spec.display} by its name, but no row in its first "
            f"{HEAD_ROWS} has the list's headings",
            file=str(table.file),
            sheet=table.sheet,
            expected=f"a heading row with '{spec.field(spec.id_field).heading}' and the other "
            f"{spec.display} headings",
            action="Restore the heading row exported by the case system",
        )
    return None


def _build(
    table: RawTable, spec: ListSpec, index: int, matched: dict[int, str], by: str
) -> Recognition:
    row = table.rows[index]
    seen: dict[str, int] = {}
    for col, name in sorted(matched.items()):
        if name in seen:
            raise InputError(
                f"Two columns have the same heading '{row[col]}' (columns {column_letters(seen[name])} and "
                f"{column_letters(col)})",
                file=str(table.file),
                sheet=table.sheet,
                column=str(row[col]).strip(),
                expected="each heading once",
                action="Remove or rename the duplicate column",
            )
        seen[name] = col
    headings = {name: str(row[col]).strip() for col, name in matched.items()}
    unmatched = [
        str(cell).strip() for i, cell in enumerate(row) if i not in matched and header_key(cell)
    ]
    width = max((i + 1 for i, c in enumerate(row) if header_key(c)), default=0)
    return Recognition(spec, index, matched, headings, unmatched, width, by)


column_letter = column_letters
