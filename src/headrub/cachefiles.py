"""Writing files in the cache folder: whole or not at all."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed into place.

    Readers see the old file or the whole new one; an interruption (an exception, Ctrl-C) removes
    the temporary file. Only a hard kill between the write and the rename can leave one behind.
    The folder is made (0700) if need be. Raises ``OSError`` when it cannot be written.
    """
    import tempfile  # here, not at the top: a cache that is only read (every start) never needs it

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
