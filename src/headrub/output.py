"""Consoles and plain output for commands; made inside commands, never at import time."""

from __future__ import annotations

import json
import os
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal(stream: IO[str] | None = None) -> bool:
    """True when ``stream`` (stdout by default) is an interactive terminal."""
    stream = stream if stream is not None else sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def keyboard_attached() -> bool:
    """True when stdin is a terminal, so keys can be read without Enter, whatever stdout is."""
    try:
        return os.isatty(sys.stdin.fileno())
    except (AttributeError, ValueError, OSError):  # closed, or not a real file (a test's buffer)
        return False


def can_redraw(stream: IO[str] | None = None) -> bool:
    """True when ``stream`` is a terminal that moves its cursor: not ``TERM=dumb`` (Emacs shells, some CI)."""
    return is_terminal(stream) and os.environ.get("TERM", "").lower() not in ("dumb", "unknown")


def make_console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A Rich console for stdout (or stderr) that honours NO_COLOR and never guesses at markup."""
    from rich.console import Console

    return Console(
        stderr=stderr,
        width=width,
        markup=False,
        emoji=False,
        highlight=False,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
    )


def print_json(data: Any) -> None:
    """Data as JSON on stdout, exact text kept (non-ASCII as is, escapes only where JSON needs them)."""
    from headrub.text import safe_json

    sys.stdout.write(safe_json(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def warn(message: str) -> None:
    """One warning line on stderr."""
    sys.stderr.write(f"headrub: warning: {message}\n")
