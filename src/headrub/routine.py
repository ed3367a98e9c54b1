"""What a routine is: frozen ``Routine`` and ``Stroke``, durations, and the format's vocabulary."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

TECHNIQUES = (
    "circles",
    "kneading",
    "gliding",
    "tapping",
    "pressing",
    "holding",
    "combing",
    "stretching",
    "breathing",
    "rest",
)
PRESSURES = ("light", "medium", "firm")
# ``each`` runs the stroke once per side, left then right, its duration per side.
SIDES = ("left", "right", "both", "each")

NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MIN_DURATION_S = 1.0
MAX_DURATION_S = 3600.0
MAX_STROKES = 200
MAX_CUE_CHARS = 280
# ``say``: the line spoken as a stroke starts, written for the ear (about 20 words).
MAX_SAY_CHARS = 200
# The routine format this headrub reads; a file may say ``format: 1``.
FORMAT_VERSION = 1
MIN_TEMPO, MAX_TEMPO = 1, 240
MAX_FILE_BYTES = 256 * 1024
# Breath pacing for ``breathing`` strokes: seconds in and out, e.g. "4-6".
DEFAULT_BREATH = (5.0, 5.0)
MIN_BREATH_S, MAX_BREATH_S = 1.0, 30.0

_DURATION_RE = re.compile(
    r"^\s*(?:(?P<h>[0-9]+(?:\.[0-9]+)?)\s*h)?\s*(?:(?P<m>[0-9]+(?:\.[0-9]+)?)\s*m)?"
    r"\s*(?:(?P<s>[0-9]+(?:\.[0-9]+)?)\s*s)?\s*$"
)  # ASCII digits, as the JSON Schema's patterns say (Python's \d would take other scripts' digits too)
_BARE_SECONDS_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*$")
_BREATH_RE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*-\s*([0-9]+(?:\.[0-9]+)?)\s*$")


def is_valid_name(name: str) -> bool:
    """True when ``name`` is a legal routine name (CONTRACT section 3)."""
    return NAME_RE.fullmatch(name) is not None


def parse_duration(text: str) -> float | None:
    """``"45s"``, ``"2m"``, ``"1m30s"``, ``"1h"`` or a bare number as seconds; None if malformed."""
    match = _DURATION_RE.match(text)
    if match is None or not any(match.group(k) for k in "hms"):
        bare = _BARE_SECONDS_RE.match(text)
        return float(bare.group(1)) if bare else None
    hours, minutes, seconds = (float(match.group(k) or 0) for k in "hms")
    return hours * 3600 + minutes * 60 + seconds


def parse_breath(text: str) -> tuple[float, float] | None:
    """``"4-6"`` as (4.0, 6.0) seconds in and out; None if malformed."""
    match = _BREATH_RE.match(text)
    if match is None:
        return None
    return float(match.group(1)), float(match.group(2))


def format_clock(seconds: float) -> str:
    """Seconds as ``m:ss`` (or ``h:mm:ss``), rounded up so a countdown never shows 0:00 early."""
    whole = int(-(-seconds // 1)) if seconds > 0 else 0
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_elapsed(seconds: float) -> str:
    """Elapsed seconds as ``m:ss``, rounded down (a second counts once it has passed)."""
    whole = max(0, int(seconds + 1e-6))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_duration_words(seconds: float) -> str:
    """Seconds as words for speech: ``"1 minute 30 seconds"``."""
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if secs or not parts:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}")
    return " ".join(parts)


@dataclass(frozen=True)
class Stroke:
    """One step of a routine: where the hands go, how, and for how long (seconds)."""

    area: str
    duration: float
    technique: str | None = None
    pressure: str | None = None
    tempo: int | None = None
    side: str | None = None
    cue: str | None = None
    breath: tuple[float, float] | None = None
    say: str | None = None

    @property
    def sides(self) -> int:
        """How many times the stroke runs: twice for ``side: each``."""
        return 2 if self.side == "each" else 1

    @property
    def total_seconds(self) -> float:
        """The stroke's whole time, both sides counted."""
        return self.duration * self.sides

    def describe(self) -> str:
        """``circles, light`` — technique and pressure as one phrase (empty when neither is set)."""
        return ", ".join(p for p in (self.technique, self.pressure) if p)


@dataclass(frozen=True)
class Routine:
    """A named, ordered list of strokes with its title and cautions."""

    name: str
    title: str
    strokes: tuple[Stroke, ...]
    summary: str | None = None
    tags: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    quiet: bool = False  # a sleep routine: no halfway or ten-seconds speech, a fading end, no questions after
    format: int = FORMAT_VERSION
    source: str = "built-in"  # "built-in" or "user"
    path: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def total_seconds(self) -> float:
        """The planned length of the whole routine."""
        return sum(s.total_seconds for s in self.strokes)

    @property
    def shortest_seconds(self) -> float:
        """The least a scaled routine can last: one second for every timed step."""
        return float(sum(s.sides for s in self.strokes)) * MIN_DURATION_S

    def scaled(self, minutes: float) -> Routine:
        """The same routine scaled so the total is ``minutes`` exactly, each step at least 1 s.

        Steps that would fall under a second are held at one and the rest share what is left,
        so the total still comes out right. Raises ``ValueError`` below ``shortest_seconds``.
        """
        target = minutes * 60.0
        if target < self.shortest_seconds - 1e-9:
            raise ValueError(f"at least {self.shortest_seconds:g} s: one second for each of its steps")
        held: set[int] = set()
        while True:
            held_total = sum(self.strokes[i].sides * MIN_DURATION_S for i in held)
            free_total = sum(s.total_seconds for i, s in enumerate(self.strokes) if i not in held)
            factor = (target - held_total) / free_total if free_total > 0 else 0.0
            short = {i for i, s in enumerate(self.strokes) if i not in held and s.duration * factor < MIN_DURATION_S}
            if not short:
                break
            held |= short
        strokes = tuple(
            replace(s, duration=MIN_DURATION_S if i in held else s.duration * factor)
            for i, s in enumerate(self.strokes)
        )
        return replace(self, strokes=strokes)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the routine format (``headrub schema``), made from ``routine_spec``."""
    from headrub.routine_spec import json_schema as from_spec

    return from_spec()
