"""Which adapter reads an export: decided by its content, never by its file name.

A CIN census is an XML `Message` whose `Collection` is CIN; an SSDA903 return is a folder (or a
file) of CSVs with the DfE's 903 headings; anything else is read as Annex A. One run audits one
export of one kind. Every adapter returns the same `Export` of canonical lists.
"""

from __future__ import annotations

from pathlib import Path

from audits.ingest.annex_a.load import load_annex_a
from audits.ingest.cin_census.load import load_cin_census, looks_like_xml
from audits.ingest.export import KEY_COLUMNS, Export
from audits.ingest.ssda903.load import load_ssda903, recognise_folder
from audits.model.spec import ALL_SPECS, ListSpec


def load_export(path: Path | str, specs: tuple[ListSpec, ...] = ALL_SPECS) -> Export:
    """Read the export with the adapter its content calls for; raise InputError if unusable."""
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
