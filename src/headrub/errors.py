"""The error classes headrub raises; the CLI turns each into one stderr line and an exit status."""

from __future__ import annotations

from dataclasses import dataclass


class HeadrubError(Exception):
    """A failure a user can cause or fix; never shown as a traceback.

    ``exit_code`` follows CONTRACT section 6: 1 for a runtime failure,
    2 for a usage or validation error.
    """

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(HeadrubError):
    """The command line asked for something that cannot be (exit 2)."""

    exit_code = 2


class RoutineNotFound(UsageError):
    """No built-in or user routine has this name."""


@dataclass(frozen=True)
class Problem:
    """One located problem in a file: ``PATH:LINE:COL: message`` (line and column count from 1)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        from headrub.text import sanitize  # a file name may hold escape sequences too

        return f"{sanitize(self.path)}:{self.line}:{self.column}: {self.message}"


class InvalidFileError(UsageError):
    """A routine or config file with one or more located problems (exit 2)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class RoutineFileError(InvalidFileError):
    """A routine file that does not load."""


class ConfigFileError(InvalidFileError):
    """A config file that does not load."""


class JournalError(HeadrubError):
    """The journal could not be written or read (exit 1)."""


class EditorError(HeadrubError):
    """No editor could be started (exit 1)."""
