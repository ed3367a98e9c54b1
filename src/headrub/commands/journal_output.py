"""What the journal commands write: text safe to draw on a terminal, and stdout that takes any text.

``--json`` and ``--csv`` carry user text exactly, yet inert (no terminal controls, no spreadsheet
formulas) and encodable whatever the locale; they stream in about constant memory. Everything
else drawn is sanitized by ``_clean``. The CSV rows themselves are made in ``csv_output``.
"""

from __future__ import annotations

import sys
from functools import cache
from itertools import groupby, repeat
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import json

    from headrub.journal import Entry
    from headrub.journal.usual import UsualChunk
    from headrub.timeutil import Window


def _clean(text: Any) -> str:
    """Any stored value as text that is safe to draw on a terminal."""
    from headrub.text import sanitize

    if text is None:
        return ""
    value = text if isinstance(text, str) else str(text)
    return sanitize(value).encode("utf-8", "replace").decode("utf-8")


def _emit(text: str) -> None:
    """Write ``text`` to stdout; what the stream cannot encode is replaced rather than a traceback."""
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        sys.stdout.write(text.encode(encoding, "replace").decode(encoding))


def _emit_json(data: Any) -> None:
    """``data`` as JSON on stdout, text exact: \\u-escaped only where the stream cannot carry it, or
    where a terminal could act on it (``text.safe_json``). A number that is not finite (a hand-made
    unknown field) is null: never NaN or Infinity."""
    import json

    from headrub.text import safe_json

    try:
        text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(data), ensure_ascii=False, indent=2)
    text = safe_json(text) + "\n"
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except UnicodeEncodeError:
        text = json.dumps(json.loads(text), ensure_ascii=True, indent=2) + "\n"
    sys.stdout.write(text)


def _finite(data: Any) -> Any:
    """``data`` with every float that is NaN or infinite made None."""
    import math

    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_finite(value) for value in data]
    return data


def _export(window: Window, routine: str | None, as_json: bool) -> bool:
    """Stream ``--json``/``--csv`` in about constant memory (``journal.exporting``); the output is
    byte for byte the in-memory path's. False when there is no stream (then the caller reads all).

    Each entry is made into its JSON item or CSV row as soon as it is read (``_JsonShape``,
    ``csv_output.CsvShape``); those are what wait to be put in order and are written.
    """
    from headrub.journal.exporting import export_batches
    from headrub.output import is_terminal, warn

    _widen_pipe()
    if as_json:
        direct = _utf8_stdout()
        stream = export_batches(None, window, warn, routine=routine, shape=_JsonShape(direct))
        if stream is None:
            return False
        first = True
        for batch in stream:
            for kind, group in groupby(batch, key=type):
                if kind is bytes:  # an item's fields, written as they are (``_shown_items``)
                    _emit_bytes((b"[\n" if first else b",\n") + ITEM_START)
                    _emit_bytes(BETWEEN_ITEMS.join(group))
                    _emit_bytes(ITEM_END)
                else:
                    _emit_json_text(("[\n" if first else ",\n") + ",\n".join(group))
                first = False
        _emit_json_text("[]\n" if first else "\n]\n")
    else:
        from headrub.commands.csv_output import CsvShape, _csv_text

        terminal = is_terminal()
        stream = export_batches(None, window, warn, routine=routine, shape=CsvShape(terminal))
        if stream is None:
            return False
        _emit_utf8(_csv_text([], terminal))
        for batch in stream:
            if batch:
                _emit_rows(batch)
    return True


def _widen_pipe() -> None:
    """On Linux, let a pipe on stdout hold 1 MiB rather than 64 KiB: an export writes hundreds
    of megabytes, and the reader then wakes the writer a sixteenth as often. A pipe that holds
    as much already, a system without pipe sizes (or one that refuses), or a stdout that is no
    pipe: nothing changes."""
    if not sys.platform.startswith("linux"):
        return
    import fcntl
    import os
    import stat

    try:
        descriptor = sys.stdout.fileno()
        if stat.S_ISFIFO(os.fstat(descriptor).st_mode) and fcntl.fcntl(descriptor, fcntl.F_GETPIPE_SZ) < _PIPE_SIZE:
            fcntl.fcntl(descriptor, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    except (OSError, ValueError, AttributeError):  # (io.UnsupportedOperation is an OSError)
        pass


_PIPE_SIZE = 1 << 20  # Linux's default most an unprivileged process may ask


def _emit_rows(rows: list[str | bytes]) -> None:
    """CSV rows on stdout in UTF-8, each ending with CRLF (rows of usual records come as UTF-8 already)."""
    if bytes not in set(map(type, rows)):
        _emit_utf8("\r\n".join(rows) + "\r\n")  # type: ignore[arg-type]
        return
    _emit_utf8(b"\r\n".join([row if isinstance(row, bytes) else row.encode("utf-8", "replace") for row in rows]) + b"\r\n")


class _JsonShape:
    """Each entry as its JSON item (``_json_shapes``), and the items of usual records (``of_usual``)."""

    def __init__(self, direct: bool) -> None:
        self.direct = direct

    def __call__(self, entries: list[Entry]) -> list[bytes | str]:
        return _json_shapes(entries, self.direct)

    def of_usual(self, usual: UsualChunk, keep: list[int] | None) -> list[bytes | str] | None:
        """The items of the usual records (those at ``keep``, if given), as ``_json_shapes`` makes
        them of their entries; None unless each line holds its record's own text."""
        from headrub.journal.usual import no_small_float

        records = usual.records if keep is None else [usual.records[i] for i in keep]
        if not records:
            return []
        if not (no_small_float(records) and usual.canonical()):
            return None
        items = _usual_items(usual, keep)
        if items is None:
            return None
        return _shown_items(usual.chunk, items, self.direct)  # (the lines hold the items' characters)


def _usual_items(usual: UsualChunk, keep: list[int] | None) -> list[bytes] | None:
    """The items (their fields' lines: see ``_json_shapes``) of the usual records (those at
    ``keep``, if given) without the bookkeeping, when the lines hold the records' own text
    (``UsualChunk.canonical``) and no seconds are below 1e-4 (``usual.no_small_float``).

    The records are laid out by ``msgspec.json.format``: a flat object's last line is its ``}``
    and no string holds a line break, so the items are split where one ends and the next
    begins; each one's last two fields, from the line that starts ``"line_at"``, are the
    bookkeeping, left out.
    """
    import msgspec

    data = msgspec.json.format(usual.encoded(), indent=2)
    pieces = data.split(BETWEEN_ITEMS)
    if not pieces[0].startswith(_LIST_START):
        return None  # (a guard, as below)
    pieces[0] = pieces[0][len(_LIST_START) :]
    cuts = list(map(bytes.rfind, pieces, repeat(_BOOKKEEPING)))
    if len(cuts) != len(usual.records) or -1 in cuts:
        return None  # (a guard: every record is flat and has them, last)
    if keep is not None:
        pieces, cuts = [pieces[i] for i in keep], [cuts[i] for i in keep]
    return list(map(bytes.__getitem__, pieces, map(slice, cuts)))


# A JSON item in UTF-8 is its fields' lines alone; ``_export`` writes these around them.
ITEM_START, BETWEEN_ITEMS, ITEM_END = b"  {\n", b"\n  },\n  {\n", b"\n  }"
_LIST_START = b"[\n" + ITEM_START
_BOOKKEEPING = b',\n    "line_at": '


def _json_shapes(entries: list[Entry], direct: bool) -> list[bytes | str]:
    """Each entry as it appears inside ``json.dumps(entries, indent=2)``: in UTF-8 when it can go
    to stdout as it is (``direct``, and nothing in it a terminal could act on), else as text.

    An item in UTF-8 is only its fields' lines: ``_export`` writes the lines of the braces
    around it (``ITEM_START``, ``BETWEEN_ITEMS``, ``ITEM_END``), rather than each item
    being copied once more to hold them.
    """
    data = _json_items_utf8(entries)
    if data is not None:
        items = _split_items(data, len(entries))
        if items is not None:
            return _shown_items(data, items, direct)
    return list(map(_json_item, entries))


def _shown_items(data: bytes, items: list[bytes], direct: bool) -> list[bytes | str]:
    """JSON items in UTF-8, their fields' lines alone (``data``: text holding every character
    of theirs), as they go to stdout: as they are when they can (``direct``, and nothing in
    them a terminal could act on), else whole, as text for ``_emit_json_text``."""
    if direct and not _acted_on(data):
        return items  # type: ignore[return-value]
    start, end = ITEM_START.decode(), ITEM_END.decode()
    return [start + item.decode("utf-8") + end for item in items]


def _split_items(data: bytes, count: int) -> list[bytes] | None:
    """The ``count`` items of ``_json_items_utf8`` one by one, their fields' lines alone (see
    ``_json_shapes``); None unless there are that many.

    Items are split where one ends and the next begins at the outer indent: a line break never
    occurs inside a JSON string, and a nested value is indented further.
    """
    pieces = data.split(BETWEEN_ITEMS)
    if len(pieces) != count or not pieces[0].startswith(ITEM_START) or not pieces[-1].endswith(ITEM_END):
        return None
    pieces[0] = pieces[0][len(ITEM_START) :]
    pieces[-1] = pieces[-1][: -len(ITEM_END)]
    return pieces


def _json_items_utf8(entries: list[Entry]) -> bytes | None:
    """``entries`` as they appear inside ``json.dumps(entries, indent=2)``, joined by ``,\\n``, in
    UTF-8, when orjson writes them so; else None (then each is written by ``_json_item``).

    orjson writes a whole batch in one call, several times json's speed, and its indented text
    is json's, character for character, but for floats below 1e-4 (json writes ``1e-05``,
    orjson ``0.00001``); a batch holding one, or anything orjson will not write (integers past
    64 bits, lone surrogates), gives None.
    """
    try:
        from orjson import OPT_INDENT_2, dumps

        data = dumps(entries, option=OPT_INDENT_2)
    except (ImportError, TypeError):  # (orjson is a dependency; json alone gives the same text)
        return None
    return data[2:-2] if _no_small_float(data) else None  # without the list's own "[\n" and "\n]"


# The UTF-8 of what ``text.safe_json`` escapes besides DEL: a lead byte, and the bytes after it.
_ACTED_ON: dict[int, tuple[frozenset[bytes], int]] = {
    0xC2: (frozenset(bytes([code]) for code in range(0x80, 0xA0)), 1),  # C1 controls
    0xD8: (frozenset({b"\x9c"}), 1),  # U+061C
    0xE2: (
        frozenset(
            [b"\x80" + bytes([code]) for code in (0x8E, 0x8F, *range(0xA8, 0xAF))]  # U+200E/F, U+2028/9, U+202A–E
            + [b"\x81" + bytes([code]) for code in range(0xA6, 0xAA)]  # U+2066–9
        ),
        2,
    ),
}


def _acted_on(data: bytes) -> bool:
    """Whether UTF-8 JSON ``data`` holds a character ``text.safe_json`` escapes (a terminal could act on it).

    Each lead byte is found with one quick search (a two-byte search is several times slower),
    and only the few places it occurs are looked at.
    """
    if b"\x7f" in data:
        return True
    if data.isascii():
        return False
    for lead, (follows, size) in _ACTED_ON.items():
        at = data.find(lead)
        while at >= 0:
            if data[at + 1 : at + 1 + size] in follows:
                return True
            at = data.find(lead, at + 1)
    return False


def _utf8_stdout() -> bool:
    """Whether stdout takes UTF-8 bytes as they are: its encoding, a buffer, no newline translation."""
    import codecs

    encoding = getattr(sys.stdout, "encoding", None)
    try:
        utf8 = encoding is not None and codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False
    return utf8 and hasattr(sys.stdout, "buffer") and sys.platform != "win32"


def _emit_bytes(data: bytes) -> None:
    """Bytes on stdout after whatever text was written before them."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)


def _no_small_float(data: bytes) -> bool:
    """Whether orjson's ``data`` holds no float it writes otherwise than json: ``0.0000…``, or an
    exponent such as ``e-6`` (json: ``e-06``). Text that only looks like one counts too."""
    if b"0.0000" in data:
        return False
    at = data.find(b"e-")
    while at >= 0:  # ("e-" is common in text: "wake-up")
        if data[at + 2 : at + 3].isdigit() and data[at - 1 : at].isdigit():
            return False
        at = data.find(b"e-", at + 2)
    return True


def _json_item(entry: Entry) -> str:
    """One entry as it appears inside ``json.dumps(entries, indent=2)``: indented two more spaces.

    A flat entry (the usual one) is written by json's C encoder with the indented layout as its
    item separator, several times faster than ``indent=2``, which json writes in Python; nested
    values and numbers that are not finite take ``indent=2`` itself.
    """
    import json

    kinds = set(map(type, entry.values()))
    if dict not in kinds and list not in kinds:
        try:
            text = _flat_encoder().encode(entry)
        except ValueError:  # NaN or infinite: made null below
            pass
        else:
            return "  {}" if text == "{}" else "  {\n    " + text[1:-1] + "\n  }"
    try:
        text = json.dumps(entry, ensure_ascii=False, indent=2, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(entry), ensure_ascii=False, indent=2)
    return "  " + text.replace("\n", "\n  ")


@cache
def _flat_encoder() -> json.JSONEncoder:
    """A one-level dict as ``indent=2`` writes it one level in, without the outer braces' lines."""
    import json

    return json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",\n    ", ": "))


def _emit_json_text(text: str) -> None:
    """A piece of JSON output, made inert and encodable as ``_emit_json`` does."""
    from headrub.text import safe_json

    text = safe_json(text)
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except UnicodeEncodeError:
        text = "".join(char if ord(char) < 128 else _ascii_escape(char) for char in text)
    sys.stdout.write(text)


def _ascii_escape(char: str) -> str:
    """``char`` as JSON \\u escapes (a surrogate pair beyond the BMP)."""
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _emit_utf8(text: str | bytes) -> None:
    """``text`` (or UTF-8 bytes) on stdout as UTF-8 whatever the locale says (CSV files are UTF-8)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()
