"""The practice audit (DESIGN §3a): choosing cases (`sample`), the audit workbook written and
read back (`workbook`), and the grades summarised (`grades`)."""
