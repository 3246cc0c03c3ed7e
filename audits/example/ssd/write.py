"""`audit example-ssd`: the synthetic council written as a council would hold it — CSV dumps of
its SSD tables (with its local tables beside them), the same tables in a SQLite database and,
given a URL, in PostgreSQL (or any database SQLAlchemy reaches), the same council as an Annex A
workbook, and `manifest.csv`: the findings its planted records must cause, with the inputs that
can see each (`both`, or `ssd` where only the SSD's histories show it)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pandas as pd

from audits.example import people
from audits.example.ssd.annex import annex_a_rows
from audits.example.ssd.council import Council, Scale
from audits.example.ssd.planted import plant_defects
from audits.example.ssd.tables import local_tables, ssd_tables
from audits.ingest.ssd.tables import TABLES
from audits.model.spec import BY_LABEL, BY_NUMBER


def scale_for(children: int, years: int = 2) -> Scale:
    """Record counts for a council of about `children` children per kind of record."""
    n = max(children, 1)
    return Scale(
        cin=n,
        cp=max(1, n * 5 // 8),
        cla=max(1, n * 5 // 8),
        leavers=max(1, n // 2),
        contacts=n,
        assessments=max(1, n * 3 // 4),
        s47=max(1, n // 2),
        early_help=max(1, n // 4),
        years=years,
    )


def build_council(
    as_at: dt.date, *, seed: int = 7, scale: Scale | None = None, plant: bool = True
) -> Council:
    council = Council(as_at, random.Random(seed))
    council.build(scale or scale_for(40))
    if plant:
        plant_defects(council)
    council.oversee()
    return council


def write_ssd_example(
    out: Path,
    as_at: dt.date,
    *,
    seed: int = 7,
    children: int = 40,
    database: str | None = None,
    schema: str | None = None,
    sqlite: bool = True,
    annex_a: bool = True,
    council: Council | None = None,
) -> dict[str, object]:
    """Write the example into `out`; return where each part went."""
    council = council or build_council(as_at, seed=seed, scale=scale_for(children))
    out.mkdir(parents=True, exist_ok=True)
    tables = ssd_tables(council)
    written: dict[str, object] = {"ssd": write_csv(tables, out / "ssd", local_tables(council))}
    if sqlite:
        path = out / "ssd.sqlite"
        path.unlink(missing_ok=True)
        load_database(f"sqlite:///{path}", tables, None)
        written["sqlite"] = path
    if database:
        load_database(database, tables, schema)
        written["database"] = (database, schema)
    if annex_a:
        written["annex_a"] = write_annex_a(council, out / f"annex_a_{as_at:%Y-%m}.xlsx")
    written["manifest"] = write_manifest(council, out / "manifest.csv")
    return written


def write_csv(tables: dict[str, pd.DataFrame], folder: Path, local: dict[str, pd.DataFrame]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    for name, frame in local.items():
        frame.to_csv(folder / f"{name}.csv", index=False, date_format="%d/%m/%Y")
    return folder


def _types(name: str, frame: pd.DataFrame):
    import sqlalchemy as sa

    kinds = TABLES[name].fields if name in TABLES else {}
    out = {}
    for column in frame.columns:
        kind = kinds.get(column)
        if kind == "date" or pd.api.types.is_datetime64_any_dtype(frame[column]):
            out[column] = sa.DateTime()
        elif kind == "number" or pd.api.types.is_float_dtype(frame[column]):
            out[column] = sa.Float()
        else:
            out[column] = sa.String(255) if "json" not in column else sa.Text()
    return out


def load_database(url: str, tables: dict[str, pd.DataFrame], schema: str | None) -> None:
    """Create the SSD tables in the database (replacing them) and load the rows: PostgreSQL by
    COPY, others by batched inserts."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            if schema and engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        meta = sa.MetaData(schema=schema if engine.dialect.name != "sqlite" else None)
        made = {}
        for name, frame in tables.items():
            types = _types(name, frame)
            key = TABLES[name].key if name in TABLES else None
            columns = [sa.Column(c, types[c], primary_key=(c == key)) for c in frame.columns]
            made[name] = sa.Table(name, meta, *columns)
        meta.drop_all(engine)
        meta.create_all(engine)
        for name, frame in tables.items():
            _insert(engine, made[name], frame)
    finally:
        engine.dispose()


def _insert(engine, table, frame: pd.DataFrame) -> None:
    rows = frame.astype(object).where(frame.notna(), None)
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        qualified = f'"{table.schema}"."{table.name}"' if table.schema else f'"{table.name}"'
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cur, cur.copy(f"COPY {qualified} ({columns}) FROM STDIN") as cp:
                for row in rows.itertuples(index=False, name=None):
                    cp.write_row(row)
            raw.commit()
        finally:
            raw.close()
        return
    records = rows.to_dict("records")
    with engine.begin() as conn:
        for start in range(0, len(records), 5000):
            conn.execute(table.insert(), records[start : start + 5000])


def write_annex_a(council: Council, path: Path) -> Path:
    """The council as one Annex A workbook (Lists 1 to 9 and the local tables as sheets)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    lists, local = annex_a_rows(council)
    wb = Workbook(write_only=True)
    front = wb.create_sheet("Front_Sheet")
    front.append(
        ["Annex A - built from the synthetic SSD of the same council (every record is invented)"]
    )

    def cell(ws, value):
        if isinstance(value, dt.date):
            dated = WriteOnlyCell(ws, value=value)
            dated.number_format = "dd/mm/yyyy"
            return dated
        return value

    for number, rows in lists.items():
        spec = BY_NUMBER[number]
        ws = wb.create_sheet(f"List_{number}")
        ws.append([f.heading for f in spec.fields])
        for row in rows:
            ws.append([cell(ws, row.get(f.name)) for f in spec.fields])
    spec = BY_LABEL["workers"]
    ws = wb.create_sheet("Workers")
    ws.append([f.heading for f in spec.fields])
    for row in local["workers"]:
        ws.append([row.get(f.name) for f in spec.fields])
    for name, frame in local_tables(council).items():
        ws = wb.create_sheet(BY_LABEL[name].title)
        ws.append(list(frame.columns))
        for row in frame.itertuples(index=False, name=None):
            ws.append([cell(ws, v) for v in row])
    wb.save(path)
    return path


def write_manifest(council: Council, path: Path) -> Path:
    """The planted findings, with the inputs that can see each (both, ssd or annex_a)."""
    return people.write_manifest(
        council.expected,
        path,
        order=lambda e: (e.rule_id, e.child_id, str(e.due_date)),
        extra=("inputs",),
    )
