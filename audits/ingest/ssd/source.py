"""Where the SSD tables are read from: the council's database (a SQLAlchemy URL and a schema,
opened read-only) or a folder of CSV dumps. Either way only the fields the audit needs are read
(`SELECT` of named columns, never `*`), streamed in chunks, each table ordered by its key.

Credentials never leave this module: the URL is described with its password (and any password
in its query string) removed, and every database message is scrubbed of the password before it
is shown. A driver that is not installed, a server that cannot be reached, a schema with no SSD
tables: each is one paragraph naming what to do, never a traceback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from audits.core.errors import InputError
from audits.ingest.export import export_files
from audits.ingest.ssd.tables import TABLES, SsdTable, recognise

CHUNK_ROWS = 50_000
URL_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_SECRET_KEYS = re.compile(r"(?i)^(password|passwd|pwd|secret|token|access_?token)$")
_SECRET_IN_TEXT = re.compile(r"(?i)\b(pwd|password|passwd)\s*=\s*[^;&\s]*")

# Python packages behind SQLAlchemy's dialects, for the message when one is not installed.
DRIVERS = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "pyodbc": "pyodbc (and Microsoft's ODBC Driver for SQL Server)",
    "pymssql": "pymssql",
    "oracledb": "oracledb",
    "cx_oracle": "cx_Oracle",
    "pymysql": "pymysql",
    "mysqldb": "mysqlclient",
}


def is_database_url(text: object) -> bool:
    return isinstance(text, str) and bool(URL_PATTERN.match(text.strip()))


def redact(url: str) -> str:
    """The URL as it may be shown and stored: no password, no secret in its query string."""
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
    except Exception:  # noqa: BLE001 - an unparseable URL is shown only by its scheme
        return url.split("://", 1)[0] + "://(the rest is not shown)"
    query = {}
    for key, value in parsed.query.items():
        if _SECRET_KEYS.match(key):
            continue
        values = value if isinstance(value, tuple) else (value,)
        query[key] = tuple(_SECRET_IN_TEXT.sub(r"\1=***", v) for v in values)
    clean = sa.engine.URL.create(  # `URL.set(password=None)` would keep the password
        parsed.drivername,
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query={k: v[0] if len(v) == 1 else v for k, v in query.items()},
    )
    return clean.render_as_string(hide_password=False)


@dataclass
class Source:
    """What an SSD source holds: its tables and their columns (lower case), and how to read
    one table's named columns."""

    description: str  # shown and stored: a folder, or a URL without its password
    schema: str | None = None
    files: list[Path] = field(default_factory=list)  # files read (their checksums are stored)
    columns: dict[str, set[str]] = field(default_factory=dict)  # table -> columns present
    not_read: list[str] = field(default_factory=list)  # files or tables that are not SSD tables

    def has(self, table: str) -> bool:
        return table in self.columns

    def place(self, table: str) -> str:
        """How a table is named in messages: its file, or schema.table."""
        raise NotImplementedError

    def read(self, table: SsdTable, columns: list[str]) -> pd.DataFrame:
        """The named columns (present ones only), ordered by the key, plus `_row`."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what the source holds open."""


# --- CSV dumps ------------------------------------------------------------------------------


def _headings(path: Path) -> list[str]:
    with path.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        text = head.decode("utf-8-sig", errors="replace")
    line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    return [h.strip().strip('"').strip() for h in line.split(delimiter)]


def recognise_csv_folder(path: Path) -> dict[str, Path]:
    """SSD tables by name, for a folder of CSV dumps (or one CSV); {} when none is an SSD table.

    Cheap: only each file's first line is read."""
    if not path.exists():
        return {}
    if path.is_file():
        candidates = [path] if path.suffix.lower() in (".csv", ".txt", ".tsv") else []
    elif path.is_dir():
        candidates = [
            p
            for p in sorted(path.iterdir())
            if p.is_file()
            and p.suffix.lower() in (".csv", ".txt", ".tsv")
            and not p.name.startswith((".", "~$"))
        ]
    else:
        return {}
    found: dict[str, Path] = {}
    for file in candidates:
        table = recognise(_headings(file))
        if table is None:
            continue
        if table.name in found:
            raise InputError(
                f"The SSD table {table.name} appears twice: in {found[table.name].name} and "
                f"{file.name}",
                file=str(file),
                expected="each ssd_ table once in the folder",
                action="Remove the older dump, or audit the two extracts separately",
            )
        found[table.name] = file
    return found


class CsvSource(Source):
    def __init__(self, path: Path, tables: dict[str, Path]) -> None:
        super().__init__(description=str(path))
        self.path = path
        self.tables = tables
        for name, file in tables.items():
            self.columns[name] = {h.lower() for h in _headings(file) if h}
            self.files.append(file)
        if path.is_dir():
            used = set(tables.values())
            self.not_read = [f.name for f in export_files(path) if f not in used]

    def place(self, table: str) -> str:
        return self.tables[table].name

    def read(self, table: SsdTable, columns: list[str]) -> pd.DataFrame:
        import pyarrow as pa
        from pyarrow import csv

        file = self.tables[table.name]
        headings = _headings(file)
        by_lower = {h.lower(): h for h in headings}
        wanted = [by_lower[c] for c in columns if c in by_lower]
        with file.open("rb") as fh:
            head = fh.read(4)
        encoding = "utf8"
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = "utf-16"
        delimiter = "\t" if headings and len(headings) > 1 and "\t" in _first_line(file) else ","
        options = dict(
            read_options=csv.ReadOptions(encoding=encoding, block_size=1 << 22),
            parse_options=csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
            convert_options=csv.ConvertOptions(
                include_columns=wanted,
                column_types={c: pa.string() for c in wanted},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        try:
            data = csv.read_csv(file, **options)
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc) and "utf8" not in str(exc).lower():
                raise InputError(
                    f"The CSV dump cannot be read as a table ({exc})",
                    file=str(file),
                    expected="a CSV file with one heading row of ssd_ field names",
                ) from None
            options["read_options"] = csv.ReadOptions(encoding="cp1252", block_size=1 << 22)
            data = csv.read_csv(file, **options)
        frame = data.to_pandas(types_mapper=pd.ArrowDtype)
        frame.columns = [c.lower() for c in frame.columns]
        for c in frame.columns:
            frame[c] = frame[c].astype("str")
        frame["_row"] = pd.RangeIndex(2, len(frame) + 2)  # the heading is row 1
        return frame


def _first_line(file: Path) -> str:
    with file.open("rb") as fh:
        return fh.readline().decode("utf-8", errors="replace")


# --- a database -----------------------------------------------------------------------------


class DatabaseSource(Source):
    """A read-only connection: PostgreSQL and Oracle sessions are set READ ONLY, SQLite is
    opened read-only; every statement is a SELECT of named columns."""

    def __init__(self, url: str, schema: str | None) -> None:
        super().__init__(description=redact(url), schema=schema)
        self._password = _password_of(url)
        self.engine = _engine(url, self._password, self.description)
        self._names: dict[str, str] = {}  # ssd table -> its name in the database
        try:
            import sqlalchemy as sa

            inspector = sa.inspect(self.engine)
            if schema is not None and self.engine.dialect.name != "sqlite":
                schemas = inspector.get_schema_names()
                if schema not in schemas and schema.lower() not in {s.lower() for s in schemas}:
                    raise InputError(
                        f"The database has no schema '{schema}'",
                        file=self.description,
                        expected="the schema holding the ssd_ tables (--schema), one of: "
                        + ", ".join(sorted(schemas)[:20]),
                    )
            names = inspector.get_table_names(schema=self._schema_name())
            for name in names:
                if name.lower() in TABLES:
                    self._names[name.lower()] = name
            for table, actual in self._names.items():
                found = inspector.get_columns(actual, schema=self._schema_name())
                self.columns[table] = {c["name"].lower() for c in found}
        except InputError:
            self.close()
            raise
        except Exception as exc:  # noqa: BLE001 - every database failure becomes one paragraph
            self.close()
            raise self.problem(exc, "reading the list of tables") from None

    def _schema_name(self) -> str | None:
        if self.engine.dialect.name == "sqlite":
            return None
        return self.schema

    def place(self, table: str) -> str:
        actual = self._names.get(table, table)
        return f"{self.schema}.{actual}" if self._schema_name() else actual

    def read(self, table: SsdTable, columns: list[str]) -> pd.DataFrame:
        import sqlalchemy as sa

        present = self.columns[table.name]
        wanted = [c for c in columns if c in present]
        actual = self._names[table.name]
        try:
            reflected = sa.Table(
                actual, sa.MetaData(), schema=self._schema_name(), autoload_with=self.engine
            )
            by_lower = {c.name.lower(): c for c in reflected.columns}
            selected = [by_lower[c] for c in wanted]
            query = sa.select(*selected)
            if table.key in by_lower:
                query = query.order_by(by_lower[table.key])
            if self.engine.dialect.name == "postgresql" and self.engine.dialect.driver == "psycopg":
                frame = self._copy_out(query, wanted)
                frame["_row"] = pd.RangeIndex(1, len(frame) + 1)
                return frame
            chunks = []
            with self.engine.connect() as conn:
                _read_only(conn)
                result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(
                    query
                )
                for rows in result.partitions(CHUNK_ROWS):
                    chunks.append(
                        pd.DataFrame.from_records(rows, columns=wanted, coerce_float=False)
                    )
        except Exception as exc:  # noqa: BLE001
            raise self.problem(exc, f"reading {self.place(table.name)}") from None
        frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=wanted)
        frame["_row"] = pd.RangeIndex(1, len(frame) + 1)  # position in the key order
        return frame

    def _copy_out(self, query, wanted: list[str]) -> pd.DataFrame:
        """PostgreSQL: the SELECT's rows streamed as CSV text (`COPY (SELECT ...) TO STDOUT`,
        a read) and parsed by Arrow, as the CSV dumps are: several times faster than fetching
        row objects, and the values arrive as the same text."""
        import io

        import pyarrow as pa
        from pyarrow import csv

        sql = str(query.compile(dialect=self.engine.dialect))
        buffer = io.BytesIO()
        raw = self.engine.raw_connection()
        try:
            with raw.cursor() as cur:
                cur.execute("SET TRANSACTION READ ONLY")
                with cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
                    for chunk in copy:
                        buffer.write(chunk)
            raw.rollback()
        finally:
            raw.close()
        buffer.seek(0)
        if not buffer.getbuffer().nbytes:
            return pd.DataFrame(columns=wanted)
        data = csv.read_csv(
            buffer,
            parse_options=csv.ParseOptions(newlines_in_values=True),
            convert_options=csv.ConvertOptions(
                column_types={c: pa.string() for c in wanted},
                null_values=[""],
                strings_can_be_null=True,
            ),
        )
        frame = data.to_pandas(types_mapper=pd.ArrowDtype)
        frame.columns = wanted
        for c in frame.columns:
            frame[c] = frame[c].astype("str")
        return frame

    def problem(self, exc: BaseException, doing: str) -> InputError:
        """A database failure as one paragraph, the password scrubbed from its text."""
        text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        detail = scrub(text[0] if text else type(exc).__name__, self._password)
        return InputError(
            f"The SSD database could not be read ({doing}): {detail}",
            file=self.description,
            expected="a database the account may read, holding the ssd_ tables in the schema "
            "given with --schema",
            action="Check the URL, the schema and that the account has SELECT on the ssd_ tables",
        )

    def close(self) -> None:
        engine = getattr(self, "engine", None)
        if engine is not None:
            engine.dispose()


def _password_of(url: str) -> str | None:
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).password
    except Exception:  # noqa: BLE001
        return None


def scrub(text: str, password: str | None) -> str:
    if password:
        text = text.replace(str(password), "***")
    return _SECRET_IN_TEXT.sub(r"\1=***", text)


def _engine(url: str, password: str | None, shown: str):
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise InputError(
            "The database URL cannot be understood",
            file=shown,
            expected="a SQLAlchemy URL such as postgresql+psycopg://user@host/dbname, "
            "mssql+pyodbc://user@dsn or sqlite:///path/to/ssd.sqlite",
        ) from None
    options: dict = {"pool_pre_ping": False}
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        path = parsed.database
        if not path or path == ":memory:":
            raise InputError(
                "A SQLite URL must name the database file",
                file=shown,
                expected="sqlite:///path/to/ssd.sqlite",
            )
        if not Path(path).is_file():
            raise InputError(
                "The SQLite database file was not found", file=shown, expected="an existing file"
            )
        import sqlite3

        def read_only():
            return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)

        options["creator"] = read_only
    elif backend == "postgresql" and parsed.get_driver_name() in ("psycopg", "psycopg2"):
        options["connect_args"] = {"options": "-c default_transaction_read_only=on"}
    try:
        engine = sa.create_engine(parsed, **options)
        with engine.connect() as conn:
            _read_only(conn)
    except (ImportError, sa.exc.NoSuchModuleError) as exc:
        raise _no_driver(parsed, exc, shown) from None
    except sa.exc.SQLAlchemyError as exc:
        text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise InputError(
            "The SSD database could not be opened: "
            + scrub(text[0] if text else type(exc).__name__, password),
            file=shown,
            expected="a database server that is running and an account that may connect",
            action="Check the URL (host, port, database, user) and the password "
            "(PGPASSWORD or ~/.pgpass for PostgreSQL keeps it off the command line)",
        ) from None
    return engine


def _read_only(conn) -> None:
    """Make the session read-only where the database can say so."""
    name = conn.dialect.name
    if name == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = ON")
    elif name in ("postgresql", "oracle", "mysql", "mariadb"):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def _no_driver(parsed, exc: BaseException, shown: str) -> InputError:
    missing = getattr(exc, "name", None) or ""
    driver = parsed.get_driver_name() or ""
    package = DRIVERS.get((missing or driver).lower().split(".")[0], missing or driver)
    return InputError(
        f"The database driver for {parsed.drivername} is not installed here (the Python package "
        f"{package}), so the SSD cannot be read from this database",
        file=shown,
        expected="the driver installed into the tool's environment",
        action=f"Install it (.venv/bin/pip install {package.split(' ')[0]}) and run again, or "
        "export the ssd_ tables as CSV files into a folder and name that folder instead",
    )


def open_source(path: Path | str, schema: str | None) -> Source | None:
    """The SSD source at `path` (a database URL, or a folder or file of CSV dumps), or None when
    it holds no SSD table (another adapter's input)."""
    if is_database_url(path):
        return DatabaseSource(str(path).strip(), schema)
    folder = Path(path)
    tables = recognise_csv_folder(folder)
    if not tables:
        return None
    if schema is not None:
        raise InputError(
            "--schema names a database schema, but the SSD was given as CSV files",
            file=str(folder),
            expected="--schema only with a database URL",
            action="Leave out --schema",
        )
    return CsvSource(folder, tables)
