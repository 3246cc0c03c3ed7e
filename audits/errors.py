"""Errors that reach the user as one clear paragraph (exit code 1), never as a traceback."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: says which file, sheet and column, what was expected and what to do."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        column: str | None = None,
        row: int | None = None,
        expected: str | None = None,
        action: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.sheet = sheet
        self.column = column
        self.row = row
        self.expected = expected
        self.action = action
        super().__init__(self.paragraph())

    def paragraph(self) -> str:
        where = []
        if self.file:
            where.append(f"file '{self.file}'")
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        text = self.problem.rstrip(".")
        if where:
            text = f"{text} (in {', '.join(where)})"
        text += "."
        if self.expected:
            text += f" Expected: {self.expected.rstrip('.')}."
        if self.action:
            text += f" {self.action.rstrip('.')}."
        return text


class UsageError(Exception):
    """Wrong use of the command line (exit code 2)."""
