"""Journal ids: ULID-style, 26 Crockford base32 characters that sort by time."""

from __future__ import annotations

import os
import re
import threading

from headrub import timeutil

_OTHER_SURROGATES = re.compile("[\ud800-\udc7f\udd00-\udfff]")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RANDOM_BITS = 80
_TIME_MASK = (1 << 48) - 1


class _IdState:
    """The last id's time and random part, so ids made in one process only ever grow."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last_ms = -1
        self.last_random = 0

    def reset(self) -> None:
        """Forget the last id (a forked child must not continue its parent's sequence)."""
        self.last_ms = -1
        self.last_random = 0


_ids = _IdState()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_ids.reset)


def _base32(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id() -> str:
    """A ULID-style id: 26 Crockford base32 characters, 48 bits of milliseconds then 80 random bits.

    Ids sort by time; within one process each id is greater than the last, even in the same
    millisecond or when the clock steps back.
    """
    with _ids.lock:
        ms = max(0, timeutil.epoch_ms()) & _TIME_MASK
        if ms <= _ids.last_ms:
            ms = _ids.last_ms
            random_part = _ids.last_random + 1
            if random_part >> _RANDOM_BITS:
                ms += 1
                random_part = int.from_bytes(os.urandom(10), "big") >> 1
        else:
            # One bit short of the full 80 leaves room to count up within a millisecond.
            random_part = int.from_bytes(os.urandom(10), "big") >> 1
        _ids.last_ms, _ids.last_random = ms, random_part
    return _base32(ms, 10) + _base32(random_part, 16)




SHORT_ID_CHARS = 7  # enough to tell apart sessions more than a second or so apart


def short_ids(ids: list[str], minimum: int = SHORT_ID_CHARS) -> dict[str, str]:
    """For each id, its shortest prefix (at least ``minimum`` characters) that no other id here shares."""
    ordered = sorted(set(ids))
    result: dict[str, str] = {}
    for index, full in enumerate(ordered):
        length = minimum
        for neighbour in ordered[max(0, index - 1) : index] + ordered[index + 1 : index + 2]:
            length = max(length, _common(full, neighbour) + 1)
        result[full] = full[:length]
    return result


def _common(first: str, second: str) -> int:
    count = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        count += 1
    return count
