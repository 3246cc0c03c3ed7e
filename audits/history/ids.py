"""Many finding ids at once: a temporary table to join with, rather than `IN (...)` lists.

A run asks about its ~80,000 findings; an `IN` list of that many ids costs SQLAlchemy more to
prepare than the database takes to answer, and must be cut into pieces. The ids go into a
temporary table of the connection (SQLite and PostgreSQL alike; it vanishes with the
connection's transaction) and the query asks `finding_id IN (SELECT finding_id FROM ...)`, which
looks each id up by the table's index (a join may instead scan the large table). Many rows
written at once are handed over as plain values built a column at a time (`plain_values`).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable, Iterator

import pandas as pd
import sqlalchemy as sa


@contextlib.contextmanager
def wanted_ids(conn: sa.Connection, finding_ids: Iterable[str]) -> Iterator[sa.Table]:
    """A temporary one-column table (`finding_id`, primary key) holding `finding_ids`."""
    table = sa.Table(
        f"wanted_{uuid.uuid4().hex[:12]}",
        sa.MetaData(),
        sa.Column("finding_id", sa.String(40), primary_key=True),
        prefixes=["TEMPORARY"],
    )
    table.create(conn)
    if isinstance(finding_ids, pd.Series | pd.Index):  # Arrow strings: one conversion, not one
        finding_ids = finding_ids.to_numpy(dtype=object)  # Python object per element
    rows = [(f,) for f in sorted({str(i) for i in finding_ids})]
    if rows:  # by the driver itself: SQLAlchemy's own handling costs ~6 µs a row
        execute_many(conn, f"INSERT INTO {table.name} (finding_id) VALUES ({{}})", rows)
    try:
        yield table
    finally:
        table.drop(conn)


def execute_many(conn: sa.Connection, sql: str, rows: list[tuple]) -> None:
    """`sql` (its `{}` replaced by the driver's placeholders, one per value of a row) for every
    row, by the driver's own executemany."""
    width = len(rows[0])
    style = conn.dialect.paramstyle
    if style == "qmark":
        marks = ", ".join("?" * width)
    elif style == "numeric":
        marks = ", ".join(f":{i + 1}" for i in range(width))
    elif style == "named":
        marks = ", ".join(f":p{i}" for i in range(width))
        rows = [{f"p{i}": v for i, v in enumerate(row)} for row in rows]
    else:  # format, pyformat (psycopg)
        marks = ", ".join(["%s"] * width)
    conn.exec_driver_sql(sql.format(marks), rows)


def insert_frame(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert the rows of `frame` (its columns named as the table's) by the driver's own
    executemany (`plain_values`): SQLAlchemy's own handling of many rows costs ~6 µs a row."""
    rows = list(zip(*plain_values(frame), strict=True))
    if rows:
        names = ", ".join(f'"{c}"' for c in frame.columns)
        execute_many(conn, f"INSERT INTO {table.name} ({names}) VALUES ({{}})", rows)
    return len(rows)


def read_frame(conn: sa.Connection, query: sa.Select) -> pd.DataFrame:
    """The rows of `query` as a frame, fetched by the driver's own cursor in the connection's
    transaction (pandas' `read_sql` goes through SQLAlchemy's row objects: seconds for a few
    hundred thousand rows)."""
    names = [c.name for c in query.selected_columns]
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pd.DataFrame(
        {name: pd.Series(values, dtype=object) for name, values in zip(names, columns, strict=True)}
    )


def plain_values(frame: pd.DataFrame) -> list[list]:
    """Each column's values as plain Python values, None for missing, as a database is handed
    them and gives them back; built a column at a time (`to_dict("records")` boxes every value
    one by one: seconds for 80,000 findings)."""
    return [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns]


def records_of(frame: pd.DataFrame) -> list[dict]:
    """The frame's rows as dicts of plain Python values (`plain_values`)."""
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*plain_values(frame), strict=True)]
