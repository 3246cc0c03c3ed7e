"""Data quality of the export itself: duplicates, impossible dates, inconsistent dates of birth
and unreadable values. These keep bad data visible instead of letting it pass or vanish."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audits.engine.context import Context, frame_hits, hits
from audits.engine.hits import RuleHits
from audits.engine.registry import rule
from audits.ingest.export import ListTable
from audits.ingest.keys import by_appearance, first_seen
from audits.model.spec import BY_LABEL, LOCAL_TABLES

NAT = np.datetime64("NaT").astype(np.int64)
DATA_LISTS = tuple(range(1, 11))  # the child-level lists (List 11 holds adopters)
DUPLICATE_LISTS = (7, 8, 9)
LABELS = {str(n) for n in DATA_LISTS} | {spec.label for spec in LOCAL_TABLES}


def record_of(table: ListTable) -> str:
    """How a DQ finding names the record it is about: 'List 8 (Children in care)'."""
    return f"List {table.spec.number} ({table.spec.title})"


SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def file_and_part(file: str, part: object) -> str:
    """'annex.xlsx, sheet List_8', or 'dump_2.csv, table ssd_cp_visits' where the part of the
    file is a database table (a CSV dump or a database holds tables, not sheets)."""
    if not isinstance(part, str) or not part:
        return file
    kind = "sheet" if file.lower().endswith(SPREADSHEETS) else "table"
    return f"{file}, {kind} {part}"


def place_in(table: ListTable, rows: pd.Series) -> pd.Series:
    """Where each row is in the export, as a DQ message ends: ' In the export: annex.xlsx,
    sheet List_8, row 18.'"""
    return (
        f" In the export: {file_and_part(table.file.name, table.sheet)}, row "
        + rows.astype(str)
        + "."
    )


def _child_tables(ctx: Context, numbers=DATA_LISTS) -> list[ListTable]:
    return [t for n in numbers if (t := ctx.table(f"list{n}")) is not None]


@rule(
    "DQ-01",
    area="Data quality",
    severity="Data",
    title="Duplicate open record",
    basis="Annex A guidance: one open record per child on Lists 7, 8 and 9",
    condition="the same child twice or more among the open rows of List 7, 8 or 9 "
    "(one finding per child and list)",
    needs={f"list{n}": ("child_id",) for n in DUPLICATE_LISTS},
    needs_any=True,
)
def duplicate_open_record(ctx: Context) -> RuleHits:
    parts = []
    for table in _child_tables(ctx, DUPLICATE_LISTS):
        codes = ctx.codes(table)
        at = np.flatnonzero(ctx.is_open(table).to_numpy() & (codes >= 0))
        local = by_appearance(codes[at])
        counts = np.bincount(local)[local]
        reported = first_seen(local) & (counts > 1)
        if not reported.any():
            continue
        mask = np.zeros(len(codes), dtype=bool)
        mask[at[reported]] = True
        twice = counts > 1  # the rows of the children reported, to name them all
        source = table.frame["_row"].to_numpy()[at[twice]].astype(str).astype(object)
        rows_of = pd.Series(source).groupby(local[twice]).agg(", ".join)
        message = pd.Series(  # for the reported rows only
            "This child has "
            + counts[reported].astype(str).astype(object)
            + f" open records on {record_of(table)}: one should be closed or removed. In the "
            + f"export: {file_and_part(table.file.name, table.sheet)}, rows "
            + rows_of.reindex(local[reported]).to_numpy().astype(object)
            + ".",
            index=table.frame.index[at[reported]],
        )
        parts.append(
            hits(
                table,
                pd.Series(mask, index=table.frame.index),
                field="child_id",
                message=message,
                item="duplicate",
                area="Data quality",
            )
        )
    return parts


@rule(
    "DQ-02",
    area="Data quality",
    severity="Data",
    title="Impossible date",
    basis="A recorded date cannot be after the export's as-at date or before the child's birth",
    condition="any date on Lists 1 to 10 after D, or (other than the date of birth) before the "
    "date of birth; one finding per row and date column",
    needs={f"list{n}": ("child_id",) for n in DATA_LISTS},
    needs_any=True,
)
def impossible_date(ctx: Context) -> RuleHits:
    parts = []
    today = np.datetime64(ctx.date, "us").astype(np.int64)
    for table in _child_tables(ctx):
        f = table.frame
        dob = f["dob"] if "dob" in f else pd.Series(pd.NaT, index=f.index, dtype="datetime64[us]")
        born = dob.to_numpy("datetime64[us]").view(np.int64)  # NaT is the smallest integer
        for fld in table.spec.fields_of_kind("date"):
            if fld.name not in f:
                continue
            when = f[fld.name]
            day = when.to_numpy("datetime64[us]").view(np.int64)
            future = day > today  # a blank (NaT) is never after
            before_birth = (day < born) & (day != NAT) & (fld.name != "dob")  # blank dob: never
            found = future | before_birth
            if not found.any():
                continue
            mask = pd.Series(found, index=f.index)
            future = pd.Series(future, index=f.index)
            hit = mask[mask].index  # format dates only for the rows that need a message
            shown = when[hit].dt.strftime("%d/%m/%Y")
            after = (
                fld.heading
                + " "
                + shown
                + " is after the audit date "
                + ctx.date.strftime("%d/%m/%Y")
            )
            before = (
                fld.heading
                + " "
                + shown
                + " is before the date of birth "
                + dob[hit].dt.strftime("%d/%m/%Y")
            )
            message = (
                f"{record_of(table)} record: "
                + after.where(future[hit], before)
                + "."
                + place_in(table, f.loc[hit, "_row"])
            )
            parts.append(
                hits(
                    table,
                    mask,
                    field=fld.name,
                    message=message,
                    item=fld.name,
                    area="Data quality",
                )
            )
    return parts


@rule(
    "DQ-03",
    area="Data quality",
    severity="Data",
    title="Inconsistent date of birth",
    basis="One child has one date of birth across the export",
    condition="one child with two or more different dates of birth across Lists 1 to 10 "
    "(one finding per child)",
    needs={f"list{n}": ("child_id", "dob") for n in DATA_LISTS},
    needs_any=True,
)
def inconsistent_dob(ctx: Context) -> RuleHits:
    tables = [t for t in _child_tables(ctx) if "dob" in t.frame]
    if not tables:
        return pd.DataFrame()
    # Children with two dates of birth, on integer codes. First a quick sieve over every row:
    # keep any one date per child (blanks included), then mark children with a row that
    # differs. Then the exact test on the few rows of those children, blanks left out.
    size = ctx.export.keys("child_id").size
    one_dob = np.empty(size + 1, dtype=np.int64)  # only read where written; [-1]: no child
    columns = [
        (ctx.codes(t), t.frame["dob"].to_numpy("datetime64[us]").view(np.int64)) for t in tables
    ]
    for codes, dob in columns:
        one_dob[codes] = dob
    sieved = np.zeros(size + 1, dtype=bool)
    for codes, dob in columns:
        sieved[codes[dob != one_dob[codes]]] = True
    sieved[-1] = False
    if not sieved.any():
        return pd.DataFrame()
    candidates = []
    for codes, dob in columns:
        at = np.flatnonzero(sieved[codes])
        candidates.append(at[dob[at] != NAT])
    for (codes, dob), at in zip(columns, candidates, strict=True):
        one_dob[codes[at]] = dob[at]
    clash = np.zeros(size + 1, dtype=bool)
    for (codes, dob), at in zip(columns, candidates, strict=True):
        clash[codes[at][dob[at] != one_dob[codes[at]]]] = True
    frames = []
    for table, (codes, _), at in zip(tables, columns, candidates, strict=True):
        rows = at[clash[codes[at]]]
        if not len(rows):
            continue
        shown = [c for c in ("child_id", "dob", "_row", "team", "worker") if c in table.frame]
        part = table.frame[shown].iloc[rows]
        frames.append(
            part.reindex(columns=[*shown[:3], "team", "worker"]).assign(list=table.spec.number)
        )
    if not frames:
        return pd.DataFrame()
    rows = pd.concat(frames, ignore_index=True).sort_values(
        ["child_id", "list", "_row"], kind="stable"
    )
    if rows.empty:
        return pd.DataFrame()
    rows["shown"] = rows["dob"].dt.strftime("%d/%m/%Y") + " (List " + rows["list"].astype(str) + ")"
    place = {t.spec.number: file_and_part(t.file.name, t.sheet) for t in tables}
    rows["place"] = (
        "List "
        + rows["list"].astype(str)
        + " at "
        + rows["list"].map(place)
        + ", row "
        + rows["_row"].astype(str)
    )
    pairs = rows.drop_duplicates(["child_id", "dob", "list"])
    summary = pairs.groupby("child_id", sort=True).agg(
        value=("shown", "; ".join), source_row=("_row", "first")
    )
    summary["where"] = rows.groupby("child_id", sort=True)["place"].agg("; ".join)
    on_lists = pairs.drop_duplicates(["child_id", "list"]).astype({"list": "str"})
    summary["lists"] = on_lists.groupby("child_id", sort=True)["list"].agg(", ".join)
    firsts = rows.drop_duplicates("child_id").set_index("child_id")
    return frame_hits(
        area="Data quality",
        lists=summary["lists"],
        child_id=pd.Series(summary.index, index=summary.index),
        team=firsts["team"].reindex(summary.index),
        worker=firsts["worker"].reindex(summary.index),
        field="Date of Birth",
        value=summary["value"],
        message="This child's records give different dates of birth: "
        + summary["value"]
        + ". In the export: "
        + summary["where"]
        + ".",
        identity="DOB",
        item="",
        source_row=summary["source_row"],
    )


@rule(
    "DQ-04",
    area="Data quality",
    severity="Data",
    title="Unreadable value",
    basis="Every value the audit relies on is readable; the row is kept and the value reported",
    condition="a date, number or code that cannot be parsed, or a value in a column with no "
    "heading, on Lists 1 to 10 or the local tables (one finding per cell)",
    needs={f"list{n}": ("child_id",) for n in DATA_LISTS},
    needs_any=True,
)
def unreadable_value(ctx: Context) -> RuleHits:
    bad = ctx.export.unreadable
    bad = bad[bad["list"].astype(str).isin(LABELS)]
    if bad.empty:
        return pd.DataFrame()
    field_key = bad["list"].astype(str) + "\x00" + bad["field"].fillna("").astype(str)
    heading = field_key.map(  # looked up once per list and field, not once per value
        {
            k: BY_LABEL[n].field(name).heading if name else ""
            for k in field_key.unique()
            for n, name in [k.split("\x00", 1)]
        }
    )
    numbered = bad["list"].astype(str)
    record = numbered.map(
        {
            n: f"List {n} ({BY_LABEL[n].title})" if n.isdigit() else f"{BY_LABEL[n].title} table"
            for n in numbered.unique()
        }
    )
    key = bad["file"].astype(str) + "\x00" + bad["sheet"].fillna("").astype(str)
    named = {k: file_and_part(*k.split("\x00", 1)) for k in key.unique()}
    where = (
        " In the export: "
        + key.map(named)
        + ", row "
        + bad["row"].astype(str)
        + ", column "
        + bad["column"].astype(str)
        + "."
    )
    message = (
        record
        + " record: "
        + heading.where(heading != "", "a value under no heading")
        + " reads '"
        + bad["value"].astype(str)
        + "', which cannot be read; expected "
        + bad["expected"].astype(str)
        + "."
        + where
    )
    return frame_hits(
        area="Data quality",
        lists=bad["list"].astype(str),
        child_id=bad["child_id"],
        team=bad["team"],
        worker=bad["worker"],
        field=heading.where(heading != "", "Column " + bad["column"].astype(str)),
        value=bad["value"].astype(str),
        message=message,
        identity="L" + bad["list"].astype(str),
        item=bad["field"].astype(str)
        + "|"
        + bad["column"].astype(str)
        + "|"
        + bad["value"].astype(str),
        source_row=bad["row"],
    )
