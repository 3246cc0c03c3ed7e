"""Ingest: read files, recognise Annex A lists and local tables, normalise to canonical frames."""

from audits.ingest.load import Export, ListTable, load_export

__all__ = ["Export", "ListTable", "load_export"]
