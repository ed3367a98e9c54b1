"""Which editor to open, found the way git finds one: ``$VISUAL``, ``$EDITOR``, then the usual ones."""

from __future__ import annotations

import os
import shlex
import shutil

from headrub.errors import EditorError

# After the variables: Debian's chosen editor, then the two found almost everywhere.
FALLBACKS = ("editor", "sensible-editor", "nano", "vi")


def editor_command(where: str) -> list[str]:
    """The editor as an argument list; ``where`` (the file's path) is named when there is none.

    A variable that is set but empty counts as unset, as in git.
    """
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if not value:
            continue
        try:
            words = shlex.split(value)
        except ValueError as err:
            raise EditorError(f"cannot start the editor {value!r} from ${variable}: {err}") from None
        if not words:
            continue
        return words
    for name in FALLBACKS:
        found = shutil.which(name)
        if found:
            return [found]
    raise EditorError(
        f"no editor found: set $VISUAL or $EDITOR, or install nano or vi (the routine is at {where})"
    )
