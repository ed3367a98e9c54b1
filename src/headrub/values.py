"""Values typed on the command line, read the same way in every command and refused in headrub's words.

Each reader takes the text as typed and the option's name, and returns the value or raises
``UsageError`` naming the option with an example. The CLI hangs them on its options (see
``commands/params.py``), so ``start --before 11`` and ``journal add --before 11`` say the same thing.
"""

from __future__ import annotations

import math
import re

from headrub.errors import UsageError

MAX_MINUTES = 24 * 60
MAX_DAYS = 36_500  # a century: beyond it the arithmetic, not the user, would fail
TENSION_MAX = 10


def tension(text: str, option: str) -> int:
    """A tension rating: a whole number from 0 to 10."""
    word = text.strip()
    if re.fullmatch(r"[0-9]{1,2}", word) and int(word) <= TENSION_MAX:
        return int(word)
    raise UsageError(f"{option}: tension is a whole number from 0 (none) to {TENSION_MAX} (worst), not {text!r}")


def minutes(text: str, option: str) -> float:
    """A session's length in minutes: more than 0, at most a day, fractions allowed (``7.5``)."""
    problem = f"{option}: give the session's length in minutes, more than 0 and at most {MAX_MINUTES}, e.g. {option} 20"
    try:
        value = float(text.strip())
    except ValueError:
        raise UsageError(f"{problem}, not {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= MAX_MINUTES:
        raise UsageError(f"{problem}, not {text!r}")
    return value


def days(text: str, option: str) -> int:
    """A number of days, 1 to a century."""
    word = text.strip()
    if re.fullmatch(r"[0-9]{1,6}", word) and 1 <= int(word) <= MAX_DAYS:
        return int(word)
    raise UsageError(f"{option}: give a number of days from 1 to {MAX_DAYS}, e.g. {option} 7, not {text!r}")


def choice(text: str, option: str, choices: tuple[str, ...]) -> str:
    """One of ``choices``, exactly as listed (any case)."""
    word = text.strip().lower()
    if word in choices:
        return word
    listed = ", ".join(choices[:-1]) + f" or {choices[-1]}" if len(choices) > 1 else choices[0]
    raise UsageError(f"{option}: choose {listed}, not {text!r}")


def whole_number(text: str, option: str, low: int, high: int, unit: str) -> int:
    """A whole number of ``unit`` from ``low`` to ``high`` (``--lead-in 5``, ``--volume 60``)."""
    word = text.strip()
    if re.fullmatch(r"[0-9]{1,6}", word) and low <= int(word) <= high:
        return int(word)
    raise UsageError(f"{option}: give a whole number of {unit} from {low} to {high}, not {text!r}")
