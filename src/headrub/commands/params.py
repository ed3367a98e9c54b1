"""Option readers for Typer: each carries headrub's check and message (``headrub.values``).

``typer.Option(parser=reads(values.tension, "--before"))`` reads the text the same way in every
command; a bad value is a ``UsageError``, turned into one line and exit 2 by the CLI like any other.
``_given_path`` does the same for a path typed on the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from headrub import values

T = TypeVar("T")


def reads(read: Callable[..., T], option: str, *extra: Any) -> Callable[[str], T]:
    """A Typer ``parser`` calling ``read(text, option, *extra)``."""

    def parse(text: str) -> T:
        return read(str(text), option, *extra)

    parse.__name__ = option.lstrip("-").replace("-", "_")
    return parse


def _given_path(text: str, what: str) -> Path:
    """A path typed on the command line; an empty one is a mistake, never the current folder (``Path("")``)."""
    from headrub.errors import UsageError

    if not text:
        raise UsageError(f"{what}: an empty path; give a file or a folder")
    return Path(text)


# ``--before N`` / ``--after N`` (tension 0–10) as ``journal add`` and ``journal edit`` take them.
BeforeOpt = Annotated[
    int | None,
    typer.Option("--before", metavar="N", help="Tension before, 0–10.", parser=reads(values.tension, "--before")),
]
AfterOpt = Annotated[
    int | None,
    typer.Option("--after", metavar="N", help="Tension after, 0–10.", parser=reads(values.tension, "--after")),
]
