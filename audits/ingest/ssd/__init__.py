"""The Standard Safeguarding Dataset adapter (docs/ssd.md): `source` (a database URL with its
schema, or CSV dumps), `tables` (what is read), `parse` (SSD values), `extract`, `people`,
`front`, `cases`, `care` (the lists and histories), `load` (all of it, as an `SsdExport`)."""
