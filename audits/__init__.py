"""casefile-audit: recording audit and data quality for children's social care (Ofsted Annex A)."""

__version__ = "0.1.0"
