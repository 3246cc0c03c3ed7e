"""The history store: runs, their inputs' checksums, findings, scores, reviewer entries and
practice audits. SQLite in the working folder by default (`casefile-audit.sqlite`); any
SQLAlchemy URL (for example `postgresql+psycopg://...`) for a shared team server. The tool creates
and migrates the schema itself; only `audit run` creates a store.

Modules: `schema` (tables, migrations), `connect` (finding and opening a store), `runs`,
`entries` (what reviewers typed), `practice` (practice-audit cases and grades) and `aggregates`
(what the board reads of each run), composed into `Store` (`store`).
"""

from audits.history.connect import DEFAULT_DB
from audits.history.entries import CARRIED_DECISION
from audits.history.schema import now
from audits.history.store import Store
from audits.output.written import sha256_of

__all__ = ["CARRIED_DECISION", "DEFAULT_DB", "Store", "now", "sha256_of"]
