"""Which adapter reads an export: decided by its content, never by its file name.

A database URL is the Standard Safeguarding Dataset (with --schema), and so is a folder of CSV
dumps whose headings are ssd_ field names; a CIN census is an XML `Message` whose `Collection` is
CIN; an SSDA903 return is a folder (or a file) of CSVs with the DfE's 903 headings; anything else
is read as Annex A. One run audits one export of one kind (DESIGN §1a): every file of a folder is
classified first, and a folder that holds two kinds (SSDA903 tables beside an Annex A workbook, a
CIN census beside either) is refused, naming the files of each, rather than one kind audited and
the other silently left out. Every adapter returns the same `Export` of canonical lists.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from audits.core.config import Config
from audits.core.errors import InputError
from audits.ingest.annex_a.load import load_annex_a, load_local_tables
from audits.ingest.annex_a.recognise import recognise
from audits.ingest.cin_census.load import is_cin_census, load_cin_census, looks_like_xml
from audits.ingest.export import KEY_COLUMNS, Export, folder_files
from audits.ingest.read import SPREADSHEET_SUFFIXES, read_tables
from audits.ingest.ssd.load import load_ssd
from audits.ingest.ssd.source import is_database_url, open_source, redact
from audits.ingest.ssda903.load import load_ssda903, recognise_folder, table_of
from audits.model.spec import ALL_SPECS, LOCAL_TABLES, ListSpec

CIN = "a CIN census"
SSDA903 = "SSDA903 tables"
ANNEX_A = "Annex A lists"


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
        else:
            kinds = kinds_of(path, specs)
            if CIN in kinds:
                export = load_cin_census(kinds[CIN][0])
            elif SSDA903 in kinds:
                export = load_ssda903(path, recognise_folder(path))
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
    lists = tuple(spec for spec in ALL_SPECS if spec.number is not None)
    annex_a = [f for f in others if _holds_annex_a(f, lists)]
    if annex_a:
        raise InputError(
            "The folder holds more than one kind of export: SSD tables and "
            f"{ANNEX_A} ({', '.join(f.name for f in annex_a)}). One run audits one export of one "
            "kind, so nothing was audited",
            file=str(folder),
            expected="a folder holding one export: the SSD's CSV dumps (with the council's local "
            "tables beside them), or an Annex A workbook or lists",
            action="Move the other files to their own folder and audit each folder on its own",
        )
    found, unreadable = load_local_tables(others, LOCAL_TABLES)
    for key, table in found.items():
        export.tables[key] = table
        export.absent.pop(key, None)
        export.files.append(table.file)
        if table.file.name in export.skipped:
            export.skipped.remove(table.file.name)
    if not unreadable.empty:
        export.unreadable = pd.concat([export.unreadable, unreadable], ignore_index=True)


def kinds_of(path: Path, specs: tuple[ListSpec, ...] = ALL_SPECS) -> dict[str, list[Path]]:
    """The export's files by kind (CIN census, SSDA903 tables, Annex A lists); a folder holding
    more than one kind, or two CIN census files, is refused here. A spreadsheet or CSV beside
    another kind counts as Annex A only when it holds an Annex A list (else it is listed as not
    read, as before)."""
    if path.is_file():
        return {SSDA903: [path]} if table_of(path) else {ANNEX_A: [path]}
    cin, tables, others = [], [], []
    for file in folder_files(path):
        if file.suffix.lower() not in SPREADSHEET_SUFFIXES or looks_like_xml(file):
            if is_cin_census(file):
                cin.append(file)
        elif table_of(file):
            tables.append(file)
        else:
            others.append(file)
    found: dict[str, list[Path]] = {}
    if cin:
        found[CIN] = cin
    if tables:
        found[SSDA903] = tables
    if others and found:
        others = [f for f in others if _holds_annex_a(f, specs)]
    if others:
        found[ANNEX_A] = others
    if len(found) > 1:
        raise InputError(
            "The folder holds more than one kind of export: "
            + "; ".join(
                f"{kind} ({', '.join(f.name for f in files)})" for kind, files in found.items()
            )
            + ". One run audits one export of one kind, so nothing was audited",
            file=str(path),
            expected="a folder holding one export: an Annex A workbook or lists, the SSDA903 "
            "tables of one return, or one CIN census",
            action="Move the other files to their own folder and audit each folder on its own",
        )
    if len(cin) > 1:
        raise InputError(
            "The folder holds more than one CIN census: " + ", ".join(f.name for f in cin),
            file=str(path),
            expected="one CIN census per run",
            action="Audit each CIN census file on its own (name the file instead of the folder)",
        )
    return found


def _holds_annex_a(file: Path, specs: tuple[ListSpec, ...]) -> bool:
    """True when a spreadsheet or CSV holds a recognisable Annex A list (or local table)."""
    try:
        return any(recognise(raw, specs) is not None for raw in read_tables(file))
    except InputError:
        return False
