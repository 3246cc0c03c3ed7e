"""Outputs: findings.csv, summary.json and the audit workbook, each written atomically."""
