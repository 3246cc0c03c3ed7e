"""Which adapter reads an export: decided by its content, never by its file name.

A database URL is the Standard Safeguarding Dataset (with --schema); a CIN census is an XML
`Message` whose `Collection` is CIN; an SSDA903 return is a folder (or a file) of CSVs with the
DfE's 903 headings; a folder of CSV dumps whose headings are ssd_ field names is the SSD;
anything else is read as Annex A. One run audits one export of one kind. Every adapter returns
the same `Export` of canonical lists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from audits.core.config import Config
from audits.core.errors import InputError
from audits.ingest.annex_a.load import load_annex_a, load_local_tables
from audits.ingest.cin_census.load import load_cin_census, looks_like_xml
from audits.ingest.export import KEY_COLUMNS, Export
from audits.ingest.ssd.load import load_ssd
from audits.ingest.ssd.source import is_database_url, open_source, redact
from audits.ingest.ssda903.load import load_ssda903, recognise_folder
from audits.model.spec import ALL_SPECS, LOCAL_TABLES, ListSpec


def describe(path: Path | str) -> str:
    """The export as it may be shown: a database URL without its password."""
    return redact(str(path)) if is_database_url(path) else str(path)


def load_export(
    path: Path | str,
    specs: tuple[ListSpec, ...] = ALL_SPECS,
    *,
    schema: str | None = None,
    as_at: dt.date | None = None,
    config: Config | None = None,
) -> Export:
    """Read the export with the adapter its content calls for; raise InputError if unusable.

    `schema`, `as_at` and `config` concern the SSD, whose lists are built as at a date."""
    if schema is not None and not is_database_url(path):
        raise InputError(
            "--schema names the database schema of the SSD, but the export is not a database URL",
            file=str(path),
            expected="a URL such as postgresql+psycopg://user@host/db with --schema, or no "
            "--schema for files",
        )
    source = open_source(path, schema)
    if source is not None:
        export = load_ssd(source, as_at, config)
        if not is_database_url(path):
            _add_local_tables(export, Path(path))
    else:
        path = Path(path)
        if path.is_file() and looks_like_xml(path):
            export = load_cin_census(path)
        elif tables := recognise_folder(path):
            export = load_ssda903(path, tables)
        else:
            export = load_annex_a(path, specs)
    for key in KEY_COLUMNS:
        export.keys(key)  # hashed once here, shared by the cross-list rules
    return export


def _add_local_tables(export: Export, folder: Path) -> None:
    """The council's local tables (care leaver documents, management oversight, workers) given
    as CSV files beside the SSD dumps, recognised by their headings as for Annex A; a workers
    file there replaces the one built from ssd_professionals."""
    others = [folder / name for name in export.skipped if (folder / name).is_file()]
    if not others:
        return
    found, unreadable = load_local_tables(others, LOCAL_TABLES)
    for key, table in found.items():
        export.tables[key] = table
        export.absent.pop(key, None)
        export.files.append(table.file)
        if table.file.name in export.skipped:
            export.skipped.remove(table.file.name)
    if not unreadable.empty:
        export.unreadable = pd.concat([export.unreadable, unreadable], ignore_index=True)
