"""What a person changed in a returned workbook outside the reviewer columns: every such cell is
listed with its file, sheet and row (DESIGN §3: typing over an export column, on a sheet that is
not read back, or in a copied reviewer column is never stored, and never silently dropped).

- Export columns (Child ID, Team, Worker, Due date, Value ...) are compared with the findings of
  the run the workbook shows (the store's `findings` rows, by the workbook's as-at property): a
  correction typed there is listed, since the export itself must be corrected in the case
  system. The same comparison tells which lapse each row was about (its due date and value),
  which the store keeps with the entries (`audits.review.covers`).
- On a sheet that is not read back, a cell beyond what the tool wrote there (the extent each
  sheet's property records) is listed; so is anything on a sheet the tool did not write.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

import pandas as pd

from audits.history import Store
from audits.ingest import values
from audits.ingest.xlsx_cells import column_letters, reach
from audits.output.findings_sheet import human_dates
from audits.output.reviewed import Returned

# export columns compared with the stored finding: heading -> (findings column, how it is shown)
COMPARED = {
    "Rule": "rule_id",
    "Severity": "severity",
    "Child ID": "child_id",
    "Area": "area",
    "List": "list",
    "Team": "team",
    "Worker": "worker",
    "Due date": "due_date",
    "Field": "field",
    "Value": "value",
}


@dataclass(frozen=True)
class Changed:
    """A cell changed outside the reviewer columns: where, and what it says."""

    sheet: str
    row: int
    message: str


def shown_cells(columns, sheet: str) -> pd.DataFrame:
    """The compared export columns of a read-back sheet, as text, with `row` and `finding_id`
    (rows with a Finding ID only)."""
    finding_id = columns["Finding ID"]
    keep = finding_id.notna()
    out = pd.DataFrame({"row": finding_id.index[keep], "finding_id": finding_id[keep].astype(str)})
    out["finding_id"] = out["finding_id"].str.strip()
    out["sheet"] = sheet
    for heading in COMPARED:
        cells = columns.get(heading)
        if cells is not None:
            out[heading] = _text(cells[keep]).to_numpy()
    return out.reset_index(drop=True)


def _text(cells: pd.Series) -> pd.Series:
    """Cells as comparable text: dates as yyyy-mm-dd (a date cell, or dd/mm/yyyy text), whole
    numbers without '.0', spaces collapsed, blank as ''."""
    text = values.text(cells.astype(object)).fillna("").astype(str)
    return text.str.replace(r"^(\d{2})/(\d{2})/(\d{4})$", r"\3-\2-\1", regex=True).str.replace(
        r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", r"\1", regex=True
    )


def _stored_as_shown(stored: pd.DataFrame) -> pd.DataFrame:
    """The stored findings as the writer shows them, then as comparable text."""
    shown = pd.DataFrame({"finding_id": stored["finding_id"].astype(str)})
    for heading, column in COMPARED.items():
        raw = stored[column]
        if column == "list":
            raw = "List " + raw.astype(object).where(raw.notna(), "").astype(str)
        elif column == "value":
            raw = human_dates(raw)
        shown[heading] = _text(raw).to_numpy()
    shown["due_date_stored"] = stored["due_date"].to_numpy()
    shown["value_stored"] = stored["value"].to_numpy()
    shown["run_id"] = stored["run_id"].to_numpy()
    return shown


def typed_over(
    shown: pd.DataFrame, store: Store, *, as_at: str | None, saved_at: str | None
) -> tuple[list[Changed], pd.DataFrame]:
    """(export cells that differ from the finding the workbook showed; the lapse of each row:
    finding_id, due_date, value). Rows whose finding the store does not hold are left to the
    merge, which lists them when they carry entries."""
    lapse = pd.DataFrame(columns=["finding_id", "due_date", "value"])
    if shown.empty:
        return [], lapse
    stored = store.shown_findings(set(shown["finding_id"]), as_at, saved_at)
    if stored.empty:
        return [], lapse
    versions = _stored_as_shown(stored)
    latest = versions.sort_values("run_id").drop_duplicates("finding_id", keep="last")
    latest = latest.set_index("finding_id")
    lapses, changed = [], []
    for _, rows in shown.groupby("sheet", sort=False):
        compared = [h for h in COMPARED if h in rows and rows[h].notna().all()]
        matched = rows[["sheet", "row", "finding_id", *compared]].merge(
            versions, on=["finding_id", *compared], how="left"
        )
        matched = matched.sort_values("run_id").drop_duplicates(["sheet", "row"], keep="last")
        ok = matched["run_id"].notna()
        lapses.append(matched.loc[ok, ["finding_id", "due_date_stored", "value_stored"]])
        _listed(matched[~ok], compared, latest, changed, lapses)
    lapse = pd.concat(lapses, ignore_index=True).rename(
        columns={"due_date_stored": "due_date", "value_stored": "value"}
    )
    return changed, lapse.drop_duplicates("finding_id")


def _listed(unmatched, compared, latest, changed: list[Changed], lapses: list) -> None:
    """Each row whose export cells match no stored version: what differs from the latest."""
    held = unmatched[unmatched["finding_id"].isin(latest.index)]  # the rest: left to the merge
    for row in held.to_dict("records"):
        version = latest.loc[row["finding_id"]]
        differ = [
            f"{h} '{version[h]}' typed over as '{row[h]}'" for h in compared if row[h] != version[h]
        ]
        changed.append(
            Changed(
                row["sheet"],
                int(row["row"]),
                "; ".join(differ)
                + ": the export's columns are not stored (correct the record in the case "
                "system, and the next export will show it)",
            )
        )
        lapses.append(
            pd.DataFrame(
                {
                    "finding_id": [row["finding_id"]],
                    "due_date_stored": [version["due_date_stored"]],
                    "value_stored": [version["value_stored"]],
                }
            )
        )


def beyond_the_tool(book: Returned, read_back: tuple[str, ...]) -> list[Changed]:
    """Cells typed on the sheets that are not read back: beyond the extent the tool recorded for
    the sheet, or anywhere on a sheet it did not write. Workbooks without the extents (written
    before they were recorded) are not checked."""
    if not book.extents:
        return []
    found: list[Changed] = []
    for name in book.sheet_names:
        if name in read_back:
            continue
        rows, columns = book.extents.get(name, (0, 0))
        with zipfile.ZipFile(book.path) as archive:
            last_row, last_column = reach(archive, book.parts[name])
        if last_row <= rows and last_column <= columns:
            continue
        sheet = book.sheet(name)
        wrote = name in book.extents
        for number, row in enumerate(sheet.rows, start=1):
            cells = [
                (c, v) for c, v in enumerate(row) if _filled(v) and (number > rows or c >= columns)
            ]
            if not cells:
                continue
            typed = "; ".join(f"'{v}' in column {column_letters(c)}" for c, v in cells[:3])
            more = f" and {len(cells) - 3} more" if len(cells) > 3 else ""
            where = (
                f"beyond what the tool wrote on the '{name}' sheet, which is not read back"
                if wrote
                else f"on the '{name}' sheet, which the tool did not write and does not read"
            )
            found.append(Changed(name, number, f"{typed}{more} typed {where}"))
        for r, c, v in sheet.stray:
            if _filled(v):
                found.append(
                    Changed(name, r, f"'{v}' typed in column {column_letters(c)}, far to the right")
                )
    return found


def _filled(value: object) -> bool:
    return value is not None and str(value).strip() != ""
