"""The Ofsted Annex A export: lists recognised by headings or sheet names, values normalised."""
