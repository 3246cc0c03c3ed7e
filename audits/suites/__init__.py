"""Great Expectations suites (DQ-05): `preload` starts importing Great Expectations in the helper
process (standard library only, so it can start first), `apply` finds, checks and validates the
suites in `expectations/`."""
