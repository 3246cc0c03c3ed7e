"""Inputs: read an export into the canonical lists, whatever its format.

`dispatch.load_export` decides by content which adapter reads it: `annex_a` (workbooks and CSVs),
`cin_census` (the DfE XML) or `ssda903` (the looked-after return's CSVs). Beside them: the raw
readers (`read`, `xlsx_cells`), value parsing (`values`), shared key codes (`keys`), what the
returns share (`returns`), the result type (`export`) and the pandera schemas guarding the
boundary with the rules (`schemas`)."""
