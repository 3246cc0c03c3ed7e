"""Errors that reach the user as one clear paragraph (exit code 1), never as a traceback."""

from __future__ import annotations

import errno


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


class EnvironmentProblem(InputError):
    """The machine, not the export: a full disk, a read-only or locked folder, a damaged or
    locked history store. Same one-paragraph form and exit code as bad input."""


_OS_CAUSES = {
    errno.ENOSPC: ("the disk is full", "Free some space on that disk (or use --out elsewhere)"),
    errno.EDQUOT: ("the disk quota is used up", "Free some space or use --out elsewhere"),
    errno.EROFS: ("the folder is on a read-only disk", "Use a folder you can write to"),
    errno.EACCES: ("permission was refused", "Use a folder you can write to, or ask IT for access"),
    errno.EPERM: ("the operation is not permitted", "Use a folder you can write to"),
    errno.ENOTDIR: (
        "a name in the path is a file, not a folder",
        "Name a folder (or a new name) instead",
    ),
    errno.EISDIR: ("a folder stands where a file was expected", "Name a file instead"),
    errno.ENAMETOOLONG: ("the name is too long", "Use a shorter path"),
    errno.EMFILE: ("too many files are open", "Close other programs and run it again"),
    errno.EIO: ("the disk reported a read or write error", "Check the disk, then run it again"),
}


def environment_problem(exc: OSError, doing: str = "reading or writing a file") -> InputError:
    """A clear paragraph for an operating-system error: what failed, why, and what to do."""
    cause, action = _OS_CAUSES.get(
        exc.errno or 0, (exc.strerror or type(exc).__name__, "Check the path and run it again")
    )
    return EnvironmentProblem(
        f"The audit could not finish {doing}: {cause}",
        file=str(exc.filename) if exc.filename else None,
        action=action,
    )
