"""Option readers for Typer: each carries headrub's check and message (``headrub.values``).

``typer.Option(parser=reads(values.tension, "--before"))`` reads the text the same way in every
command; a bad value is a ``UsageError``, turned into one line and exit 2 by the CLI like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def reads(read: Callable[..., T], option: str, *extra: Any) -> Callable[[str], T]:
    """A Typer ``parser`` calling ``read(text, option, *extra)``."""

    def parse(text: str) -> T:
        return read(str(text), option, *extra)

    parse.__name__ = option.lstrip("-").replace("-", "_")
    return parse
