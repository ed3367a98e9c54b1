"""Making untrusted text (routine files, notes, names) safe to put on a terminal."""

from __future__ import annotations

import re

# C0 controls but tab/newline, DEL, C1 controls, and the bidi overrides and isolates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# A whole escape sequence (CSI, OSC, or a two-byte escape) is removed, not just its ESC.
_ESCAPE_SEQ = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)


def sanitize(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with escape sequences and control/bidi characters removed.

    What is left is printed literally; newlines become spaces unless ``keep_newlines``.
    """
    cleaned = _ESCAPE_SEQ.sub("", text)
    if keep_newlines:
        return _UNSAFE.sub("", cleaned)
    return _UNSAFE.sub("", cleaned.replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
