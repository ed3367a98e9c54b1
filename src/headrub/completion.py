"""Shell completion of routine names (built-in and yours), and of routine files where a path is taken.

Imported by the command modules at start-up, so it imports nothing heavy itself: the loader is
read only when the shell actually asks for completions.
"""

from __future__ import annotations

import os
from pathlib import Path


def routine_names() -> list[str]:
    """Every routine name headrub can find, sorted; nothing when the folders cannot be read."""
    try:
        from headrub.finding import discover

        return [item.name for item in discover()]
    except Exception:  # completion must never print a traceback into someone's prompt
        return []


def complete_routine(incomplete: str) -> list[str]:
    """Routine names starting with what was typed."""
    return [name for name in routine_names() if name.startswith(incomplete)]


def complete_tag(incomplete: str) -> list[str]:
    """The tags in use across every routine, for ``list --tag``."""
    try:
        from headrub.loader import discover, load_file

        tags: set[str] = set()
        for item in discover():
            try:
                tags.update(load_file(item.path, name=item.name, source=item.source).tags)
            except Exception:  # a broken file has no tags to offer; the others still do
                continue
    except Exception:
        return []
    return sorted(tag for tag in tags if tag.startswith(incomplete))


def _routine_files(incomplete: str) -> list[str]:
    """Folders and ``.yaml``/``.yml`` files under what was typed as a path."""
    from headrub.finding import SUFFIXES

    head, _, tail = incomplete.rpartition("/")
    folder = Path(os.path.expanduser(head or "/")) if incomplete.startswith("/") or head else Path(".")
    prefix = f"{head}/" if head or incomplete.startswith("/") else ""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.name.startswith(tail) or (entry.name.startswith(".") and not tail.startswith(".")):
            continue
        try:
            if entry.is_dir():
                found.append(f"{prefix}{entry.name}/")
            elif entry.suffix in SUFFIXES:
                found.append(f"{prefix}{entry.name}")
        except OSError:
            continue
    return found


def complete_routine_or_path(incomplete: str) -> list[str]:
    """For ``start`` and ``show``: a routine name, or a routine file once the word looks like a path."""
    if "/" in incomplete or incomplete.startswith((".", "~")):
        return _routine_files(incomplete)
    return complete_routine(incomplete)


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
_FLAGS = ("--show-completion", "--install-completion")


def named_shell_request(args: list[str]) -> tuple[str, str] | None:
    """``--show-completion zsh`` (or ``=zsh``) as ``("--show-completion", "zsh")``; None otherwise.

    Typer's own options are flags that detect the running shell and would take ``zsh`` for a
    command name; a shell named after them is handled here instead.
    """
    if not args:
        return None
    first, rest = args[0], args[1:]
    flag, _, value = first.partition("=")
    if flag not in _FLAGS:
        return None
    if not value and rest and not rest[0].startswith("-"):
        value = rest[0]  # Typer would ignore it and print the running shell's script
    return (flag, value) if value else None


def completion_script(shell: str, prog_name: str = "headrub") -> str:
    """The script that makes ``shell`` complete ``prog_name`` through headrub's completion protocol."""
    from typer._completion_shared import get_completion_script

    complete_var = "_{}_COMPLETE".format(prog_name.replace("-", "_").upper())
    return get_completion_script(prog_name=prog_name, complete_var=complete_var, shell=shell)
