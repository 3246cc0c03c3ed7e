"""The example written as a council would export it: one Annex A workbook (messy in the ways real
ones are) and `manifest.csv`, the findings its planted records must cause."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from audits.example.builder import Builder
from audits.example.people import write_manifest
from audits.model.spec import BY_LABEL, BY_NUMBER


def _cell(value: object, text_dates: bool):
    if isinstance(value, dt.date) and text_dates:
        return value.strftime("%d/%m/%Y")
    return value


def write_example(
    out: Path, as_at: dt.date, *, seed: int = 7, children: int | dict[int, int] = 40
) -> tuple[Path, Path]:
    """Write `annex_a_<yyyy-mm>.xlsx` and `manifest.csv` into `out`."""
    builder = Builder(as_at, random.Random(seed))
    builder.build(children)
    return save_month(out, builder)


def save_month(out: Path, builder: Builder) -> tuple[Path, Path]:
    """Write the builder's month as `annex_a_<yyyy-mm>.xlsx` and `manifest.csv` into `out`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    as_at = builder.as_at
    out.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    front = wb.create_sheet("Front_Sheet")
    front.append(["Annex A - Child level data (synthetic example; every record is invented)"])

    def cell(ws, value):
        if isinstance(value, dt.date):
            dated = WriteOnlyCell(ws, value=value)
            dated.number_format = "dd/mm/yyyy"
            return dated
        return value

    for number, rows in builder.rows.items():
        spec = BY_NUMBER[number]
        ws = wb.create_sheet(f"List {number}" if number in (3, 9) else f"List_{number}")
        if number not in (3, 9):
            ws.append([f"List {number}: {spec.title}"])
        ws.append([f.heading for f in spec.fields])
        text_dates = number in (6, 9)
        for row in rows:
            ws.append([cell(ws, _cell(row.get(f.name), text_dates)) for f in spec.fields])
    for key, rows in builder.local.items():
        spec = BY_LABEL[key]
        ws = wb.create_sheet(spec.title)
        ws.append([f.heading for f in spec.fields])
        for row in rows:
            ws.append([cell(ws, row.get(f.name)) for f in spec.fields])
    workbook = out / f"annex_a_{as_at:%Y-%m}.xlsx"
    wb.save(workbook)
    manifest = write_manifest(
        builder.expected, out / "manifest.csv", order=lambda e: (e.rule_id, e.child_id)
    )
    return workbook, manifest
