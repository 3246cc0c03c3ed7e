"""A synthetic council as its Standard Safeguarding Dataset holds it (council, planted, tables),
the same council as an Annex A export (annex), and the writers (write)."""
