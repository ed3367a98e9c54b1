"""Soft tones synthesised by headrub itself: decaying sines written as 16-bit mono PCM WAV data.

No audio file comes from elsewhere. Each note rises over a few milliseconds (a hard start
clicks), then decays exponentially, and is faded to exact silence at its end so a cut-off
never clicks either. ``sound(name)`` gives the named sounds of a session, built once each.
"""

from __future__ import annotations

import io
import math
import wave
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

RATE = 22050
SAMPLE_WIDTH = 2  # bytes: 16-bit PCM
CHANNELS = 1
# Loud enough to hear over hands in hair, well short of clipping when notes overlap.
PEAK = 0.8
_FADE_OUT_S = 0.012


@dataclass(frozen=True)
class Note:
    """One decaying sine: pitch (Hz), start and length (s), peak gain (0..1), attack (s)."""

    freq: float
    start: float
    length: float
    gain: float = 0.5
    attack: float = 0.008
    # A faint octave above gives the sine a bell's warmth without turning it into a beep.
    overtone: float = 0.15


def synth_tone(notes: Sequence[Note], *, rate: int = RATE, volume: float = 1.0, fade: bool = False) -> bytes:
    """The notes mixed into one WAV (16-bit mono PCM at ``rate`` Hz), as bytes.

    The sound lasts until the last note has rung out; overlapping notes are summed and the
    mix is scaled down only if it would pass ``PEAK``. ``volume`` (0..1) scales the whole
    sound; ``fade`` lets it die away evenly to silence over its length (quiet mode's end).
    """
    if not notes:
        raise ValueError("a tone needs at least one note")
    total = max(round((n.start + n.length) * rate) for n in notes)
    mix = [0.0] * total
    for note in notes:
        _add_note(mix, note, rate)
    peak = max((abs(x) for x in mix), default=0.0)
    scale = 32767 * (PEAK / peak if peak > PEAK else 1.0) * max(0.0, min(1.0, volume))
    if fade:
        mix = [x * (1 - i / total) ** 2 for i, x in enumerate(mix)]
    samples = array("h", (round(x * scale) for x in mix))  # native order: wave swaps to little-endian
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(CHANNELS)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def _add_note(mix: list[float], note: Note, rate: int) -> None:
    """Add one note into ``mix`` in place."""
    first = round(note.start * rate)
    count = min(round(note.length * rate), len(mix) - first)
    attack = max(1, round(note.attack * rate))
    fade = max(1, round(_FADE_OUT_S * rate))
    # Decay to about -45 dB over the note's length: it has faded, not stopped, when cut.
    decay = math.exp(-5.2 / max(count, 1))
    step = 2 * math.pi * note.freq / rate
    level = note.gain
    for i in range(count):
        envelope = level
        if i < attack:  # half a raised cosine: no click at the start
            envelope *= 0.5 - 0.5 * math.cos(math.pi * i / attack)
        remaining = count - 1 - i
        if remaining < fade:  # a short ramp to exact zero at the last sample: no click at the end
            envelope *= remaining / fade
        phase = step * i
        mix[first + i] += envelope * (math.sin(phase) + note.overtone * math.sin(2 * phase))
        level *= decay


# The session's sounds. Pitches from one C-major chord, so any two sounding together still agree.
_C5, _E5, _G5, _A4, _C6 = 523.25, 659.25, 783.99, 440.0, 1046.50
SOUNDS: dict[str, tuple[Note, ...]] = {
    # A stroke begins: one clear, bowl-like note.
    "change": (Note(_G5, 0.0, 1.3, gain=0.55),),
    # Switch sides: two short rising notes, "over there".
    "side": (Note(_E5, 0.0, 0.45, gain=0.5), Note(_C6, 0.2, 0.6, gain=0.5)),
    # Ten seconds left in a long stroke: low and soft, a nudge rather than a signal.
    "warn": (Note(_A4, 0.0, 0.7, gain=0.3, attack=0.02),),
    # The end: three descending notes that ring on into a chord; about 2.3 s, unlike any other.
    "end": (
        Note(_C6, 0.0, 2.3, gain=0.45),
        Note(_G5, 0.4, 1.9, gain=0.45),
        Note(_C5, 0.8, 1.5, gain=0.55, overtone=0.25),
    ),
    # Stopped early: the end's last two notes, shorter; it closes without claiming "complete".
    "stop": (Note(_G5, 0.0, 1.0, gain=0.45), Note(_C5, 0.3, 0.9, gain=0.5)),
    # A pacing tick: very short and quiet, so it can repeat for minutes without grating.
    "tick": (Note(1318.5, 0.0, 0.05, gain=0.18, attack=0.002, overtone=0.0),),
}


@cache
def sound(name: str, volume: float = 1.0, fade: bool = False) -> bytes:
    """The named session sound (a key of ``SOUNDS``) as WAV bytes, synthesised once per process and settings."""
    return synth_tone(SOUNDS[name], volume=volume, fade=fade)


def duration_of(name: str) -> float:
    """How long the named sound lasts, in seconds."""
    return max(n.start + n.length for n in SOUNDS[name])
