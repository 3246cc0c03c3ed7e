"""What the statutory-return adapters (CIN census, SSDA903) share.

Each adapter reads its format into plain columns named after the canonical fields; `canonical()`
turns them into the same list frames the Annex A loader produces (same dtypes, `_row` = the line
in the source file) and reports every value it cannot read (DQ-04), so the rules never know the
format. Histories the returns hold and Annex A does not (every CP review, every looked-after
review) are extra tables in `Export.tables`, linked to their list row by `_plan`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from audits.core.errors import InputError
from audits.ingest import values
from audits.ingest.export import UNREADABLE_COLUMNS, Export, ListTable
from audits.model import codes
from audits.model.spec import CHILD_ID, Field, ListSpec

CIN_CENSUS = "CIN census XML"
SSDA903 = "SSDA903 return"


@dataclass
class ReturnExport(Export):
    """An export read from a statutory return: its kind and the date it is as at."""

    kind: str = ""
    reference_date: dt.date | None = None
    reference_note: str = ""  # where the reference date comes from
    # why the reference date cannot be the as-at date (a start date in the future): raised by
    # `default_as_at` only, so --as-at still audits the return
    reference_problem: InputError | None = None

    def summary(self, given: dt.date | None) -> dict:
        """What summary.json says about the input (its kind, dates and histories)."""
        return {
            "statutory_return": {
                "kind": self.kind,
                "reference_date": self.reference_date,
                "as_at_from": "--as-at" if given else self.reference_note,
                "histories": {key: len(t.frame) for key, t in self.tables.items()},
            }
        }

    def warnings(self) -> list[dict]:
        """What the reading found that a reader of the findings must know (Summary, CLI)."""
        return []


@dataclass
class ReturnTable(ListTable):
    """A canonical list built from a return; `layout` names the return, so a rule whose column
    the return does not carry is reported as e.g. "List 7 (CIN census XML) has no column ..."."""

    origin: str = ""

    @property
    def layout(self) -> str | None:
        return self.origin


def history_spec(name: str, title: str, area: str, date: Field) -> ListSpec:
    """A history table: one row per dated event, `_plan` = the row of its record in the list."""
    return ListSpec(None, title, area, (CHILD_ID, date), signature=(), name=name)


CP_REVIEWS = history_spec(
    "cp_reviews",
    "Child protection review conferences (history)",
    "Child protection",
    Field("review_date", "Date of review conference", "date"),
)
CLA_REVIEWS = history_spec(
    "cla_reviews",
    "Looked-after statutory reviews (history)",
    "Children in care",
    Field("review_date", "Date of statutory review", "date"),
)

OC2 = ListSpec(
    None,
    "OC2: children looked after for 12 months",
    "Children in care",
    (
        CHILD_ID,
        Field("health_check", "HEALTH_CHECK", "code", codes.YES_NO),
        Field("teeth_check", "TEETH_CHECK", "code", codes.YES_NO),
    ),
    signature=(),
    name="oc2",
)

_EXPECTED = {
    "date": "a date (yyyy-mm-dd in the CIN census, dd/mm/yyyy in the SSDA903)",
    "number": "a whole number",
}


def canonical(
    spec: ListSpec,
    cells: dict[str, pd.Series],
    rows: np.ndarray,
    *,
    file: Path,
    origin: str,
    sources: dict[str, str],
    extra: dict[str, np.ndarray] | None = None,
    reported_elsewhere: frozenset[str] = frozenset(),
) -> tuple[ReturnTable, pd.DataFrame]:
    """A canonical list from raw columns (text) or derived ones (datetime64 / float64 already).

    `rows` are source line numbers; `sources` names each field's element or column in the
    return (shown with unreadable values); `extra` adds hidden columns such as `_plan`.
    `reported_elsewhere`: fields copied from another table (SSDA903 header values on List 8
    rows), whose unreadable values that table reports with its own file and line.
    """
    out = pd.DataFrame({"_row": np.asarray(rows, dtype="int64")})
    masks: dict[str, pd.Series] = {}
    raw_text: dict[str, pd.Series] = {}
    for name, column in cells.items():
        f = spec.field(name)
        column = column.reset_index(drop=True)
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.astype("datetime64[us]")
        elif pd.api.types.is_float_dtype(column):
            out[name] = column.astype("float64")
        elif f.kind == "id":
            out[name] = values.identifier(column)
        elif f.kind == "date":
            out[name], masks[name] = values.dates(column)
        elif f.kind == "number":
            out[name], masks[name] = values.numbers(column)
        elif f.kind == "code" and f.domain is not None:
            out[name], masks[name] = values.coded(column, f.domain)
        else:
            out[name] = values.text(column)
        if name in reported_elsewhere:
            masks.pop(name, None)
        if name in masks:
            raw_text[name] = column
    for name, column in (extra or {}).items():
        out[name] = column
    headings = {name: sources.get(name, spec.field(name).heading) for name in cells}
    table = ReturnTable(spec, out, file, None, origin, headings, [], origin=origin)
    return table, _unreadable(spec, out, masks, raw_text, file, sources)


def _unreadable(spec, out, masks, raw_text, file, sources) -> pd.DataFrame:
    parts = []
    for name, mask in masks.items():
        at = np.flatnonzero(mask.to_numpy())
        if not len(at):
            continue
        f = spec.field(name)
        expected = (
            f"one of: {f.domain.describe()}" if f.kind == "code" and f.domain else _EXPECTED[f.kind]
        )
        parts.append(
            pd.DataFrame(
                {
                    "list": spec.label,
                    "file": file.name,
                    "sheet": "",
                    "row": out["_row"].to_numpy()[at],
                    "column": sources.get(name, name),
                    "heading": sources.get(name, name),
                    "field": name,
                    "child_id": out["child_id"].to_numpy()[at] if "child_id" in out else None,
                    "team": None,
                    "worker": None,
                    "value": raw_text[name].astype(object).to_numpy()[at],
                    "expected": expected,
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=UNREADABLE_COLUMNS)
    return pd.concat(parts, ignore_index=True)


def gather_unreadable(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=UNREADABLE_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def unreadable_column(
    spec: ListSpec,
    name: str,
    raw: pd.Series,
    mask: pd.Series,
    child_id: pd.Series,
    *,
    file: Path,
    source: str,
    expected: str | None = None,
) -> pd.DataFrame:
    """Unreadable values of a source column that feeds a derived field (e.g. DECOM -> start);
    `raw` is indexed by line in the file."""
    at = np.flatnonzero(mask.to_numpy())
    if not len(at):
        return pd.DataFrame(columns=UNREADABLE_COLUMNS)
    return pd.DataFrame(
        {
            "list": spec.label,
            "file": file.name,
            "sheet": "",
            "row": raw.index.to_numpy()[at],
            "column": source,
            "heading": source,
            "field": name,
            "child_id": child_id.to_numpy()[at],
            "team": None,
            "worker": None,
            "value": raw.astype(object).to_numpy()[at],
            "expected": expected or _EXPECTED[spec.field(name).kind],
        }
    )


def default_as_at(export: Export) -> dt.date:
    """The as-at date when none is given: a return's reference date, else today. A reference
    date the return cannot be trusted for (see `ReturnExport.reference_problem`) is refused."""
    if isinstance(export, ReturnExport) and export.reference_problem is not None:
        raise export.reference_problem
    if isinstance(export, ReturnExport) and export.reference_date is not None:
        return export.reference_date
    return dt.date.today()


def return_summary(export: Export, given: dt.date | None) -> dict:
    """What summary.json says about a statutory return or the SSD (nothing for Annex A)."""
    if not isinstance(export, ReturnExport):
        return {}
    return export.summary(given)


def input_warnings(export: Export) -> list[dict]:
    """The input's own warnings (a stale SSD, events after the as-at date ...)."""
    return export.warnings() if isinstance(export, ReturnExport) else []
