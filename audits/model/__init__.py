"""The canonical model: each Annex A list and local table, its fields, their kinds, the headings
that name them (`spec`), the code lists (`codes`), Ofsted's grade scale (`grades`) and how
names are compared (`names`). Every input adapter produces it; every rule reads it."""
