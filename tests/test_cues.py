"""Sounds and speech at session events: the WAV data, the players, the speech engines, the fallbacks.

Fake ``paplay``, ``espeak-ng`` (and kin) are small Python scripts that append their argv to a
record file; tests wait on that file with a deadline, never a fixed sleep.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import time
import wave
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from headrub import wav
from headrub.clock import FakeClock
from headrub.cues import Cues, speakable
from headrub.heard import step_phrase, stroke_phrase
from headrub.routine import Routine, Stroke
from headrub.session import Event, EventKind, Session, Step

FAKE = """#!{python}
import json, os, signal, sys, time
def record(what):
    with open({record!r}, "a", encoding="utf-8") as f:
        f.write(json.dumps([os.path.basename(sys.argv[0]), what, sys.argv[1:], os.environ.get("HEADRUB_SPEECH")]) + "\\n")
def on_term(*_):
    record("terminated")
    sys.exit(143)
signal.signal(signal.SIGTERM, on_term)
record("start")
time.sleep({sleep})
record("done")
"""


class Recorder:
    """A folder of fake executables and the record they append to."""

    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        self.record = root / "record.jsonl"
        self.record.touch()

    def fake(self, name: str, sleep: float = 0.0) -> None:
        """Write an executable ``name`` that records its arguments, then sleeps ``sleep`` seconds."""
        path = self.bin / name
        path.write_text(FAKE.format(python=sys.executable, record=str(self.record), sleep=sleep))
        path.chmod(0o755)

    def which(self, name: str) -> str | None:
        """Find ``name`` among the fakes only, whatever the machine has installed."""
        return shutil.which(name, path=str(self.bin))

    def lines(self) -> list[list[Any]]:
        """Every record so far: [program, "start"|"done"|"terminated", argv, HEADRUB_SPEECH]."""
        return [json.loads(line) for line in self.record.read_text(encoding="utf-8").splitlines()]

    def starts(self) -> list[list[Any]]:
        """The records of programs starting, in order."""
        return [line for line in self.lines() if line[1] == "start"]

    def wait_for(self, count: int, what: str = "start", timeout: float = 5.0) -> list[list[Any]]:
        """The records once ``count`` of kind ``what`` are there (fails after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            if sum(1 for line in lines if line[1] == what) >= count:
                return lines
            assert time.monotonic() < deadline, f"waited for {count} {what!r} records, have {lines}"
            time.sleep(0.005)


class Calls:
    """Counts bells and keeps notices."""

    def __init__(self) -> None:
        self.bells = 0
        self.notices: list[str] = []

    def bell(self) -> None:
        """Count a terminal bell."""
        self.bells += 1


@pytest.fixture
def rec(tmp_path: Path) -> Recorder:
    """A recorder with fake paplay and espeak-ng."""
    recorder = Recorder(tmp_path)
    recorder.fake("paplay")
    recorder.fake("espeak-ng")
    return recorder


@pytest.fixture
def calls() -> Calls:
    """A fresh bell counter and notice list."""
    return Calls()


def make_cues(calls: Calls, which: Callable[[str], str | None], **kwargs: Any) -> Cues:
    """Cues wired to ``calls`` and ``which``."""
    return Cues(bell=calls.bell, notify=calls.notices.append, which=which, **kwargs)


def nowhere(name: str) -> str | None:
    """A PATH on which nothing is installed."""
    return None


@pytest.fixture
def cleanup() -> Iterator[list[Cues]]:
    """Cues a test registers here are closed even when it fails."""
    made: list[Cues] = []
    yield made
    for cues in made:
        cues.close()


TEMPLES = Stroke(
    area="temples", duration=90, technique="circles", pressure="light", tempo=30, cue="Small slow circles."
)
EARS = Stroke(area="behind the ears", duration=30, technique="kneading", pressure="medium", side="each")
CROWN = Stroke(area="crown", duration=15, technique="pressing", pressure="firm")
ROUTINE = Routine(name="short", title="Short", strokes=(TEMPLES, EARS, CROWN))


def session_events() -> list[Event]:
    """Every event of ROUTINE run straight through by the real engine on a fake clock."""
    clock = FakeClock()
    session = Session(ROUTINE, clock)
    events = session.start()
    while not session.finished:
        clock.advance(0.5)
        events += session.tick()
    return events


def event(
    kind: EventKind, stroke: Stroke = TEMPLES, side: str | None = None, duration: float | None = None
) -> Event:
    """One hand-made event for a one-step stroke."""
    step = Step(0, 0, stroke, side, stroke.duration if duration is None else duration)
    return Event(kind, 0.0, step)


# -- the WAV data -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(wav.SOUNDS))
def test_each_sound_is_valid_wav_of_the_right_shape(name: str) -> None:
    """The wave module reads every sound back: 22050 Hz, mono, 16-bit, as long as its notes, silent at both ends."""
    with wave.open(io.BytesIO(wav.sound(name)), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (22050, 1, 2)
        assert w.getnframes() == round(wav.duration_of(name) * 22050)
        samples = array("h", w.readframes(w.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    assert samples[0] == 0 and samples[-1] == 0  # soft attack, faded end: no click
    assert 0.1 * 32767 < max(abs(s) for s in samples) <= 0.81 * 32767


def test_synth_tone_honours_rate_and_length() -> None:
    """synth_tone lasts until its last note ends, at the rate asked for."""
    data = wav.synth_tone([wav.Note(440, 0.0, 0.5), wav.Note(660, 0.25, 0.5)], rate=8000)
    with wave.open(io.BytesIO(data), "rb") as w:
        assert (w.getframerate(), w.getnframes()) == (8000, 6000)


def test_the_sounds_differ_and_the_end_is_the_longest() -> None:
    """Every event has its own sound; the end one lasts 2 s or more and longer than any other."""
    assert len({wav.sound(n) for n in wav.SOUNDS}) == len(wav.SOUNDS)
    assert wav.duration_of("end") >= 2.0
    assert all(wav.duration_of(n) < wav.duration_of("end") for n in wav.SOUNDS if n != "end")


# -- a whole session through fake programs ------------------------------------------------


def test_a_session_sounds_once_per_event_in_order_and_speaks_every_area(
    rec: Recorder, calls: Calls, cleanup: list[Cues]
) -> None:
    """With fake paplay and espeak-ng first on PATH, the record holds each event's sound in order and every step spoken."""
    cues = make_cues(calls, rec.which, sound="chime", voice=True)
    cleanup.append(cues)
    for ev in session_events():
        cues.handle(ev)
        rec.wait_for(cues.started)  # one event's programs at a time, so the record is in event order
        if cues.speaking is not None:  # and each said in full, as real seconds between events allow
            cues.speaking.wait(5.0)
    cues.close(linger=5.0)
    lines = rec.starts()
    sounds = [Path(line[2][-1]).stem for line in lines if line[0] == "paplay"]
    assert sounds == ["change", "warn", "change", "side", "change", "end"]
    spoken = [line[2][-1] for line in lines if line[0] == "espeak-ng"]
    assert spoken == [
        "Temples. Slow circles, light pressure. 1 minute 30 seconds. Small slow circles.",
        "Ten seconds.",
        "Halfway.",
        "Behind the ears. Left side. Kneading, medium pressure. 30 seconds.",
        "Right side. Kneading, medium pressure.",
        "Crown. Pressing, firm pressure. 15 seconds.",
        "Session complete.",
    ]
    assert calls.bells == 0 and calls.notices == []


def test_players_get_a_wav_file_that_close_removes(rec: Recorder, calls: Calls) -> None:
    """The player is given a real WAV file in a private temp folder; close() removes the folder."""
    cues = make_cues(calls, rec.which, sound="chime")
    cues.handle(event(EventKind.STROKE_STARTED))
    path = Path(rec.wait_for(1)[0][2][-1])
    with wave.open(str(path), "rb") as w:
        assert w.getnframes() == round(wav.duration_of("change") * 22050)
    assert path.parent.stat().st_mode & 0o077 == 0  # private to the user
    cues.close(linger=5.0)
    assert not path.parent.exists()


# -- timing is never hostage to sound ------------------------------------------------------


def test_a_slow_engine_never_delays_handle_and_the_next_cue_cuts_it_off(tmp_path: Path, calls: Calls) -> None:
    """With an engine that takes 5 s, handle() returns at once; the next cue terminates it, close(linger=0) the last."""
    rec = Recorder(tmp_path)
    rec.fake("espeak-ng", sleep=5.0)
    cues = make_cues(calls, rec.which, sound="none", voice=True)
    try:
        began = time.monotonic()
        cues.handle(event(EventKind.STROKE_STARTED))
        assert time.monotonic() - began < 1.0
        first = cues.speaking
        rec.wait_for(1)  # its SIGTERM handler is in place
        began = time.monotonic()
        cues.handle(Event(EventKind.FINISHED, 0.0, None))
        assert time.monotonic() - began < 1.0
        lines = rec.wait_for(1, "terminated")
        assert first is not None and first.wait(5.0) == 143
        assert [line[2][-1] for line in lines if line[1] == "terminated"] == [
            "Temples. Slow circles, light pressure. 1 minute 30 seconds. Small slow circles."
        ]
        rec.wait_for(2)
    finally:
        began = time.monotonic()
        cues.close(linger=0)
    assert time.monotonic() - began < 2.0
    assert len(rec.wait_for(2, "terminated")) == 4


def test_halfway_never_cuts_off_a_cue_being_spoken(tmp_path: Path, calls: Calls) -> None:
    """ "Halfway." is news, not an instruction: it is dropped while a stroke's cue is still being spoken."""
    rec = Recorder(tmp_path)
    rec.fake("espeak-ng", sleep=5.0)
    cues = make_cues(calls, rec.which, sound="none", voice=True)
    try:
        cues.handle(event(EventKind.STROKE_STARTED))
        rec.wait_for(1)
        cues.handle(event(EventKind.HALFWAY))
        assert cues.started == 1
        assert [line[1] for line in rec.lines()] == ["start"]  # neither cut off nor joined
    finally:
        cues.close()


@pytest.mark.parametrize(("last", "heard_out"), [(EventKind.FINISHED, True), (EventKind.STOPPED, False)])
def test_close_lets_the_end_chime_ring_out_but_cuts_a_stop(
    tmp_path: Path, calls: Calls, last: EventKind, heard_out: bool
) -> None:
    """A plain close() after FINISHED waits for the end chime and words to finish; after STOPPED it cuts them."""
    rec = Recorder(tmp_path)
    rec.fake("paplay", sleep=0.3)
    rec.fake("espeak-ng", sleep=0.3)
    cues = make_cues(calls, rec.which, sound="chime", voice=True)
    cues.handle(Event(last, 0.0, None))
    rec.wait_for(2)
    began = time.monotonic()
    cues.close()
    assert time.monotonic() - began < 2.0
    outcome = sorted(line[1] for line in rec.lines() if line[1] != "start")
    assert outcome == (["done", "done"] if heard_out else ["terminated", "terminated"])


def test_a_long_close_linger_lets_the_cues_finish(rec: Recorder, calls: Calls) -> None:
    """close(linger=...) waits for running sounds and speech to end on their own instead of cutting them."""
    cues = make_cues(calls, rec.which, sound="chime", voice=True)
    cues.handle(Event(EventKind.FINISHED, 0.0, None))
    cues.close(linger=5.0)
    assert sorted((line[0], line[1]) for line in rec.lines()) == [
        ("espeak-ng", "done"),
        ("espeak-ng", "start"),
        ("paplay", "done"),
        ("paplay", "start"),
    ]


# -- fallbacks and silence ---------------------------------------------------------------------


ALL_KINDS = [event(kind) for kind in EventKind]


def test_a_missing_player_falls_back_to_the_bell_with_one_notice(calls: Calls) -> None:
    """chime with no player on PATH rings the bell for each sounding event and says so exactly once."""
    cues = make_cues(calls, nowhere, sound="chime")
    for ev in ALL_KINDS * 2:
        cues.handle(ev)
    cues.close()
    # change, side, restarted (its start sound), warn (90 s step), end, stop — twice.
    assert calls.bells == 12
    assert len(calls.notices) == 1 and "paplay" in calls.notices[0] and "bell" in calls.notices[0]
    assert cues.sound == "bell"


def test_a_player_that_cannot_start_falls_back_to_the_bell_with_one_notice(
    tmp_path: Path, calls: Calls
) -> None:
    """A player found on PATH that fails to run becomes the bell from then on, with one notice, never an error."""
    broken = tmp_path / "paplay"
    broken.write_text("not a program")  # not executable
    cues = make_cues(calls, lambda name: str(broken) if name == "paplay" else None, sound="chime")
    for ev in ALL_KINDS:
        cues.handle(ev)
    cues.close()
    assert calls.bells == 6
    assert len(calls.notices) == 1 and "failed" in calls.notices[0]


def test_a_missing_speech_engine_gives_one_notice_then_sounds_only(calls: Calls) -> None:
    """voice with no engine on PATH: one notice naming the engines tried; the bell still rings."""
    cues = make_cues(calls, nowhere, sound="bell", voice=True)
    assert not cues.voice
    for ev in ALL_KINDS * 2:
        cues.handle(ev)
    cues.close()
    assert len(calls.notices) == 1 and "espeak-ng" in calls.notices[0]
    assert cues.notices == tuple(calls.notices)  # kept, for the get-ready screen to show again
    assert calls.bells == 12


def test_none_and_no_voice_is_silence(calls: Calls) -> None:
    """sound=none, voice off: no bell, no notice, no program even looked for — tick included."""

    def which(name: str) -> str | None:
        raise AssertionError(f"looked for {name}")

    cues = make_cues(calls, which, sound="none", tick=True)
    for ev in ALL_KINDS:
        cues.handle(ev)
    cues.beat()
    cues.close()
    assert calls.bells == 0 and calls.notices == []


def test_ten_seconds_left_sounds_only_for_steps_of_a_minute_or_more(calls: Calls) -> None:
    """The warning is for long steps: a 59 s step stays quiet, a 60 s step gets it."""
    cues = make_cues(calls, nowhere, sound="bell")
    cues.handle(event(EventKind.TEN_SECONDS_LEFT, duration=59.0))
    assert calls.bells == 0
    cues.handle(event(EventKind.TEN_SECONDS_LEFT, duration=60.0))
    assert calls.bells == 1
    cues.close()


# -- the tick --------------------------------------------------------------------------------------


def test_beat_ticks_through_the_player_only_when_asked(
    rec: Recorder, calls: Calls, cleanup: list[Cues]
) -> None:
    """beat() plays the soft tick when tick is on (even with the bell for events); off, it does nothing."""
    quiet = make_cues(calls, rec.which, sound="chime")
    ticking = make_cues(calls, rec.which, sound="bell", tick=True)
    cleanup += [quiet, ticking]
    quiet.beat()
    ticking.beat()
    ticking.beat()
    quiet.close(linger=5.0)
    ticking.close(linger=5.0)
    assert [Path(line[2][-1]).name for line in rec.starts()] == ["tick.wav", "tick.wav"]
    assert calls.bells == 0


def test_tick_without_a_player_is_off_with_one_notice(calls: Calls) -> None:
    """With no player the tick cannot play: one notice, and beat() never rings the bell instead."""
    cues = make_cues(calls, nowhere, sound="bell", tick=True)
    cues.beat()
    cues.close()
    assert calls.bells == 0
    assert len(calls.notices) == 1 and "tick" in calls.notices[0]


# -- what is spoken, and how safely ----------------------------------------------------------------


def test_the_stroke_phrase_reads_naturally() -> None:
    """Area, side, paced technique, pressure and duration, in sentences, then the cue when it fits."""
    temples = Stroke(area="temples", duration=120, technique="circles", pressure="light", tempo=30)
    assert stroke_phrase(temples, None, 120) == "Temples. Slow circles, light pressure. 2 minutes."
    both = Stroke(area="scalp", duration=45, technique="tapping", tempo=120, side="both")
    assert stroke_phrase(both, "both", 45) == "Scalp. Quick tapping. 45 seconds."
    talky = Stroke(
        area="crown", duration=8, cue="Press and hold the very top of the head, breathing out slowly."
    )
    assert stroke_phrase(talky, None, 8) == "Crown. Press and hold the very top of the head."
    assert stroke_phrase(talky, None, 60) == (
        "Crown. 1 minute. Press and hold the very top of the head, breathing out slowly."
    )


def test_the_second_side_says_which_side_and_a_short_instruction() -> None:
    """A side: each stroke's right side is "Right side." and the instruction, never just "Switch sides."."""
    ears = Stroke(area="ears", duration=60, technique="kneading", side="each", cue="Knead gently.")
    assert step_phrase(Step(0, 0, ears, "left", 60)) == "Ears. Left side. Kneading. 1 minute. Knead gently."
    assert step_phrase(Step(1, 0, ears, "right", 60)) == "Right side. Knead gently."
    bare = Stroke(area="ears", duration=60, technique="kneading", pressure="firm", side="each")
    assert step_phrase(Step(1, 0, bare, "right", 60)) == "Right side. Kneading, firm pressure."


@pytest.mark.parametrize(
    ("raw", "spoken"),
    [
        ("\x1b]0;owned\x07\x1b[31mred\x1b[0m", "red"),
        ("-w /tmp/out.wav", "w /tmp/out.wav"),
        ("  --help me\ttoday\n", "help me today"),
        ("bell\x07 nul\x00 del\x7f", "bell nul del"),
    ],
)
def test_speakable_strips_controls_and_leading_hyphens(raw: str, spoken: str) -> None:
    """speakable() leaves no escape sequence, control character or leading hyphen."""
    assert speakable(raw) == spoken


def test_hostile_cue_text_never_reaches_the_engine_as_an_option_or_control(
    rec: Recorder, calls: Calls
) -> None:
    """A routine's escape sequences and leading "-" arrive at espeak-ng after "--", cleaned, as one argument."""
    hostile = Stroke(
        area="-w /tmp/pwned.wav \x1b]2;title\x07",
        duration=600,
        cue="--stdin\x1b[2J \x9b31m now\r\nrelax",
    )
    cues = make_cues(calls, rec.which, sound="none", voice=True)
    cues.handle(event(EventKind.STROKE_STARTED, hostile))
    cues.close(linger=5.0)
    (line,) = rec.starts()
    assert line[2] == ["-s", "150", "--", "W /tmp/pwned.wav. 10 minutes. Stdin now relax."]
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in line[2][-1])


def test_spd_say_gets_its_percent_signs_doubled(tmp_path: Path, calls: Calls) -> None:
    """spd-say formats its text printf-style: a "%" from a routine is doubled, the text follows "--"."""
    rec = Recorder(tmp_path)
    rec.fake("spd-say")
    stroke = Stroke(area="neck %s%n", duration=600)
    cues = make_cues(calls, rec.which, sound="none", voice=True)
    cues.handle(event(EventKind.STROKE_STARTED, stroke))
    cues.close(linger=5.0)
    assert rec.starts()[0][2] == ["--wait", "-r", "-5", "--", "Neck %%s%%n. 10 minutes."]


def test_windows_speech_takes_the_text_from_the_environment_not_the_command(
    tmp_path: Path, calls: Calls
) -> None:
    """On Windows the text reaches PowerShell in HEADRUB_SPEECH; the command line is fixed, so it cannot inject code."""
    rec = Recorder(tmp_path)
    rec.fake("powershell")
    cues = make_cues(calls, rec.which, sound="none", voice=True, platform="win32")
    cues.handle(event(EventKind.STROKE_STARTED, Stroke(area="'; Remove-Item -Recurse ~; '", duration=600)))
    cues.close(linger=5.0)
    (line,) = rec.starts()
    assert "Remove-Item" not in " ".join(line[2])
    assert line[2][:3] == ["-NoProfile", "-NonInteractive", "-Command"]
    assert line[3] == "'; Remove-Item -Recurse ~; '. 10 minutes."


def test_macos_uses_afplay_and_say(tmp_path: Path, calls: Calls) -> None:
    """On macOS the chime plays through afplay and the voice is say."""
    rec = Recorder(tmp_path)
    rec.fake("afplay")
    rec.fake("say")
    rec.fake("paplay")  # present but not a macOS player
    cues = make_cues(calls, rec.which, sound="chime", voice=True, platform="darwin")
    cues.handle(event(EventKind.SIDE_SWITCH, side="right"))
    cues.close(linger=5.0)
    assert sorted((line[0], Path(line[2][-1]).name) for line in rec.starts()) == [
        ("afplay", "side.wav"),
        ("say", "Right side. Small slow circles."),
    ]


def test_an_unknown_sound_mode_is_refused(calls: Calls) -> None:
    """Only bell, chime and none are sound modes."""
    with pytest.raises(ValueError, match="bell, chime, none"):
        make_cues(calls, nowhere, sound="gong")


def test_cues_import_neither_typer_nor_rich() -> None:
    """The cue layer is core: importing it in a fresh interpreter loads neither Typer nor Rich."""
    import subprocess

    code = "import sys, headrub.cues; print(sorted(m for m in ('typer', 'rich') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ.copy()
    )
    assert out.stdout.strip() == "[]"
