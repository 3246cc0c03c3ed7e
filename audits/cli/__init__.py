"""The `audit` command line: `app` wires each command to the package that does its work;
`options` holds what commands share; `report` turns failures into one paragraph."""

from audits.cli.app import app, main

__all__ = ["app", "main"]
