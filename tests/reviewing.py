"""Typing into our workbooks as a reviewer's Excel would save them (a test helper).

The Findings table is found by its heading row (guidance may stand above it), so these helpers do
not depend on the writer's layout.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl

from audits.output.reviewed import heading_row


def findings_table(ws) -> tuple[int, dict[str, int]]:
    """(Excel row of the headings, heading -> column number) of a Findings sheet."""
    rows = list(ws.iter_rows(values_only=True, max_row=60))
    at = heading_row(rows, ("Finding ID",))
    assert at is not None, "no Finding ID heading on the Findings sheet"
    return at + 1, {str(v).strip(): i + 1 for i, v in enumerate(rows[at]) if v is not None}


def read_findings(path: Path) -> list[dict]:
    """Every row of the Findings table as {heading: value}."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    out = []
    for r in range(head + 1, ws.max_row + 1):
        row = {h: ws.cell(r, c).value for h, c in columns.items()}
        if row.get("Finding ID"):
            out.append(row | {"_row": r})
    return out


def type_into(
    workbook: Path,
    entries: dict[str, dict[str, object]],
    *,
    target: Path | None = None,
    by: str = "Reviewer",
    key: str = "Child ID",
    saved_at: dt.datetime | None = None,
) -> Path:
    """Copy `workbook` to `target` (or edit it in place) and type `entries`: {key value:
    {heading: value}} on every Findings row whose `key` column matches. Saved by `by`, and at
    `saved_at` (UTC) when given, as the workbook's own modified time."""
    target = target or workbook
    if target != workbook:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(workbook, target)
    wb = openpyxl.load_workbook(target)
    ws = wb["Findings"]
    head, columns = findings_table(ws)
    for r in range(head + 1, ws.max_row + 1):
        typed = entries.get(ws.cell(r, columns[key]).value)
        for heading, value in (typed or {}).items():
            ws.cell(r, columns[heading]).value = value
    wb.properties.lastModifiedBy = by
    wb.save(target)
    if saved_at is not None:
        set_saved_at(target, saved_at)
    return target


def set_saved_at(path: Path, when: dt.datetime) -> None:
    """Rewrite the workbook's dcterms:modified (openpyxl always stamps 'now' on save)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    tmp = path.with_suffix(".tmp.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rf"\g<1>{stamp}\g<2>",
                    text,
                )
                data = text.encode("utf-8")
            dst.writestr(item, data)
    tmp.replace(path)


def serial_in_a_1904_workbook(path: Path, child: str, heading: str, serial: int) -> None:
    """Make `path` a Mac Excel (1904 date system) workbook and type the plain number `serial`
    (General format) in `heading` on the Findings row of `child`."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.load_workbook(path)
    wb.epoch = CALENDAR_MAC_1904
    ws = wb["Findings"]
    _, columns = findings_table(ws)
    row = next(r["_row"] for r in read_findings(path) if r["Child ID"] == child)
    ws.cell(row, columns[heading]).value = serial
    wb.save(path)
