"""Making untrusted text (routine files, notes, names) safe to put on a terminal."""

from __future__ import annotations

import re

# C0 controls but tab/newline, DEL, C1 controls, the line/paragraph separators, and the bidi
# overrides and isolates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
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


# Characters a terminal may act on that JSON leaves as they are: DEL, C1 controls, bidi controls
# and the line/paragraph separators. Inside a JSON string, ``\\uXXXX`` is the same text.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe_json(text: str) -> str:
    """JSON text with every character a terminal might act on written as a ``\\uXXXX`` escape.

    The JSON means exactly the same; only its spelling changes (C0 controls are escaped by
    ``json.dumps`` already, and these characters can only occur inside strings).
    """
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# A cell that a spreadsheet would run as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A CSV cell that no spreadsheet evaluates: a leading ``'`` when it starts like a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
