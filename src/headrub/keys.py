"""Keys read without Enter, and a terminal that is always put back as it was found."""

from __future__ import annotations

import contextlib
import os
import sys
from types import TracebackType
from typing import Any

# What each key means to a session; anything else is ignored.
KEYMAP = {
    " ": "pause",
    "p": "pause",
    "P": "pause",
    "n": "next",
    "N": "next",
    "\x1b[C": "next",  # right arrow
    "\x1bOC": "next",
    "b": "back",
    "B": "back",
    "\x1b[D": "back",  # left arrow
    "\x1bOD": "back",
    "q": "quit",
    "Q": "quit",
    "?": "keys",  # show or hide the list of keys
}


def decode_keys(data: str) -> list[str]:
    """The actions in a burst of input: arrow escape sequences count as one key each."""
    return split_keys(data)[0]


def split_keys(data: str) -> tuple[list[str], str]:
    """The actions in ``data``, and an escape sequence cut off at its end, to join the next read.

    A sequence split across two reads (``ESC O`` then ``Q``, the F2 key) must not be read as the
    plain key ``Q`` (quit) when its second half arrives.
    """
    actions: list[str] = []
    i = 0
    while i < len(data):
        if data[i] == "\x1b":
            sequence = data[i : i + 3]
            if sequence in KEYMAP:
                actions.append(KEYMAP[sequence])
                i += 3
                continue
            # An unknown escape sequence: skip ESC, '[' or 'O', parameters and the final byte.
            j = i + 1
            if j == len(data):
                return actions, data[i:]  # a lone ESC so far: wait for what follows
            if data[j] in "[O":
                j += 1
                while j < len(data) and not ("@" <= data[j] <= "~"):
                    j += 1
                if j >= len(data):
                    return actions, data[i:]  # the final byte has not arrived yet
                j += 1
            i = j
            continue
        action = KEYMAP.get(data[i])
        if action:
            actions.append(action)
        i += 1
    return actions, ""


class RawKeys:
    """Puts a terminal in cbreak mode (no echo, no line buffering) and always restores it.

    Signals still work (Ctrl-C, Ctrl-Z). ``suspend()``/``restore_raw()`` bracket a
    job-control stop so the shell gets a sane terminal while headrub is stopped.
    """

    def __init__(self, fd: int | None = None) -> None:
        self.fd = sys.stdin.fileno() if fd is None else fd
        self._saved: list[Any] | None = None
        self._partial = ""  # an escape sequence whose end has not been read yet

    def __enter__(self) -> RawKeys:
        import termios

        self._saved = termios.tcgetattr(self.fd)
        self.restore_raw()
        return self

    def restore_raw(self) -> None:
        """(Re-)enter cbreak mode without echo."""
        import termios

        if self._saved is None:
            return
        mode = termios.tcgetattr(self.fd)
        mode[3] &= ~(termios.ECHO | termios.ICANON)  # lflags
        mode[6][termios.VMIN] = 1
        mode[6][termios.VTIME] = 0
        termios.tcsetattr(self.fd, termios.TCSANOW, mode)

    def suspend(self) -> None:
        """Give the terminal back as it was found (before a stop, and at the end)."""
        import termios

        if self._saved is not None:
            # The terminal may be gone (SIGHUP): then there is nothing left to restore.
            with contextlib.suppress(termios.error, OSError):
                termios.tcsetattr(self.fd, termios.TCSANOW, self._saved)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.suspend()

    def read(self) -> list[str]:
        """The actions waiting on the terminal (call when select says it is readable)."""
        try:
            data = os.read(self.fd, 256)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError:
            return ["hangup"]  # the terminal went away
        if not data:
            return ["hangup"]
        actions, self._partial = split_keys(self._partial + data.decode("utf-8", "replace"))
        return actions
