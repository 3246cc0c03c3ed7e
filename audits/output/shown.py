"""A finding's export columns as the writers show them, as comparable text, and a digest of them.

A returned workbook's export cells are compared with the findings of the run it shows
(`audits.review.return_checks`): a cell typed over is listed. Both sides are made comparable
text first (a date cell and dd/mm/yyyy text alike as yyyy-mm-dd, whole numbers without '.0',
spaces collapsed), since a workbook re-saved by Excel or LibreOffice keeps what it shows, not
always how the tool wrote it.

Each finding's row of comparable text, its Finding ID included, also gets a 64-bit digest
(`shown_digest`), recorded with the run (`findings.shown_digest`, store v9). An import compares
the digest of each returned row with the run's digests: a row whose digest is the run's is as
the tool wrote it, and only the other rows are compared cell by cell with the findings read from
the store. Reading and making comparable a whole run of 80,000 findings for every import is what
this saves. A digest that does not match (a cell typed over, a run recorded before v9, a later
version showing a cell differently) only sends the row to that comparison, which decides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from audits.ingest import values

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
DIGESTED = ["finding_id", *COMPARED]  # what a digest covers, in this order


def human_dates(values: pd.Series) -> pd.Series:
    """ISO dates in a text column shown as dd/mm/yyyy, as the workbooks show the Value column
    (findings.csv keeps ISO)."""
    text = values.astype(object).where(values.notna(), "").astype(str)
    return text.str.replace(r"^(\d{4})-(\d{2})-(\d{2})$", r"\3/\2/\1", regex=True)


@values.by_unique
def _text(cells: pd.Series) -> pd.Series:
    """Cells as comparable text: dates as yyyy-mm-dd (a date cell, or dd/mm/yyyy text), whole
    numbers without '.0', spaces collapsed, blank as ''."""
    text = values.text(cells).fillna("").astype(str)
    return text.str.replace(r"^(\d{2})/(\d{2})/(\d{4})$", r"\3-\2-\1", regex=True).str.replace(
        r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", r"\1", regex=True
    )


def comparable(cells: pd.Series) -> pd.Series:
    """`_text`, with a blank cell (missing) as ''."""
    return _text(cells).fillna("")


def stored_as_shown(stored: pd.DataFrame) -> pd.DataFrame:
    """Stored findings (the `findings` table's columns, values as the database gives them) as
    the writers show them, as comparable text: `finding_id` and a column per COMPARED heading;
    with `due_date_stored`, `value_stored` and `run_id` when `stored` has them."""
    shown = pd.DataFrame({"finding_id": stored["finding_id"].astype(str)})
    for heading, column in COMPARED.items():
        raw = stored[column]
        if column == "list":
            raw = "List " + raw.astype(object).where(raw.notna(), "").astype(str)
        elif column == "value":
            raw = human_dates(raw)
        shown[heading] = comparable(raw).array
    shown["due_date_stored"] = stored["due_date"].to_numpy()
    shown["value_stored"] = stored["value"].to_numpy()
    if "run_id" in stored:
        shown["run_id"] = stored["run_id"].to_numpy()
    return shown


def shown_digest(shown: pd.DataFrame, columns: list[str] = DIGESTED) -> np.ndarray:
    """A 64-bit digest (int64) of each row's comparable text (the DIGESTED columns of
    `stored_as_shown`, or of a returned sheet's cells made comparable; or the `columns`
    named): equal rows, equal digests, whichever side they come from. Each column's distinct
    values are hashed once (pandas' SipHash of their UTF-8, with its fixed key), and a row's
    hashes combined in column order."""
    digest = np.zeros(len(shown), dtype=np.uint64)
    for column in columns:
        codes, distinct = pd.factorize(shown[column].astype("str"), use_na_sentinel=False)
        hashed = pd.util.hash_array(np.asarray(distinct, dtype=object), categorize=False)
        digest = digest * _MIX ^ hashed[codes]  # wraps modulo 2**64
    return digest.view(np.int64)


_MIX = np.uint64(0x100000001B3)  # the FNV-1 prime: mixes the columns' hashes in order
