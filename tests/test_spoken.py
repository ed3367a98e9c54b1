"""What the voice says: every stroke's instruction, the short forms, "Next:", quiet mode and the transcript."""

from __future__ import annotations

from dataclasses import replace

import pytest

from headrub import paths
from headrub.clock import FakeClock
from headrub.heard import heard_for, step_phrase
from headrub.loader import load_file
from headrub.routine import Routine, Stroke
from headrub.session import Event, EventKind, Session, Step, expand_steps
from headrub.spoken import (
    header,
    lead_in_line,
    next_line,
    shortest_clause,
    speech_seconds,
    stroke_line,
    transcript,
    words_per_second,
)

BUILT_IN = sorted(p.stem for p in paths.builtin_routines_dir().glob("*.yaml"))
LONG_CUE = (
    "Pads of three fingers just inside the hairline. Circle slowly, one every two seconds, so the skin "
    "slides over the skull. After a few circles move back a finger-width."
)


def builtin(name: str) -> Routine:
    return load_file(paths.builtin_routines_dir() / f"{name}.yaml")


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize("minutes", [None, 5])
def test_every_built_in_stroke_speaks_an_instruction(name: str, minutes: int | None) -> None:
    """At normal length and at --minutes 5, each step with a cue or say is given more than its header."""
    routine = builtin(name)
    if minutes is not None:
        routine = routine.scaled(minutes)
    for step in expand_steps(routine):
        said = step_phrase(step)
        stroke = step.stroke
        if stroke.say and minutes is None:
            assert stroke.say.rstrip(".") in said
        elif stroke.say:
            # Whole when it ends a second before the stroke; else shortened to fit, never to nothing.
            whole = stroke.say.rstrip(".") in said
            assert whole or speech_seconds(said) <= step.duration - 1, (name, step.index, said)
            assert len(said.split()) >= 3, (name, step.index, said)
        elif stroke.cue:
            assert shortest_clause(stroke.cue).rstrip(".") in said, (name, step.index, said)
        assert said != header(stroke, step.side, step.duration)


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize("minutes", [None, 5])
def test_without_say_every_built_in_cue_still_gives_an_instruction(name: str, minutes: int | None) -> None:
    """The built-in strokes with their say: taken away: the line made from the cue always carries part of it."""
    routine = builtin(name)
    routine = replace(routine, strokes=tuple(replace(s, say=None) for s in routine.strokes))
    if minutes is not None:
        routine = routine.scaled(minutes)
    for step in expand_steps(routine):
        if step.stroke.cue:
            said = step_phrase(step)
            assert shortest_clause(step.stroke.cue).rstrip(".") in said, (name, step.index, said)


def test_the_cue_is_shortened_sentence_by_sentence_to_fit_half_the_stroke() -> None:
    """Whole cue when it fits; then the area with the cue; then fewer sentences; then the first clause."""
    stroke = Stroke(area="front hairline", duration=120, technique="circles", pressure="light", cue=LONG_CUE)
    assert stroke_line(stroke, None, 120).startswith("Front hairline. Circles, light pressure. 2 minutes. Pads")
    assert stroke_line(stroke, None, 120).endswith("move back a finger-width.")
    assert stroke_line(stroke, None, 30) == "Front hairline. " + LONG_CUE
    assert stroke_line(stroke, None, 24) == (
        "Front hairline. Pads of three fingers just inside the hairline. Circle slowly, one every two seconds, "
        "so the skin slides over the skull."
    )
    assert stroke_line(stroke, None, 20) == (
        "Front hairline. Circles, light pressure. 20 seconds. Pads of three fingers just inside the hairline."
    )
    assert stroke_line(stroke, None, 16) == "Front hairline. Pads of three fingers just inside the hairline."
    assert stroke_line(stroke, None, 2) == "Front hairline. Pads of three fingers just inside the hairline."
    for seconds in (16, 20, 24, 30, 120):
        assert speech_seconds(stroke_line(stroke, None, seconds)) <= seconds / 2


def test_say_is_spoken_as_written_and_the_left_side_is_named() -> None:
    """A stroke's say: replaces the derived line; a side: each stroke's first side starts with "Left side."."""
    said = Stroke(area="temples", duration=30, cue=LONG_CUE, say="Fingers on the temples, slow circles")
    assert stroke_line(said, None, 30) == "Fingers on the temples, slow circles."
    each = Stroke(area="temples", duration=30, side="each", say="Fingers on the temple.")
    assert step_phrase(Step(0, 0, each, "left", 30)) == "Left side. Fingers on the temple."
    assert step_phrase(Step(1, 0, each, "right", 30)) == "Right side. Fingers on the temple."


def test_a_stroke_without_instruction_gets_its_header() -> None:
    """No cue and no say: the header is all there is to say."""
    bare = Stroke(area="crown", duration=60, technique="pressing", pressure="firm")
    assert stroke_line(bare, None, 60) == "Crown. Pressing, firm pressure. 1 minute."


def test_next_and_lead_in_lines() -> None:
    """ "Next: temples." names the area, or the side before a switch; the lead-in names the first stroke."""
    temples = Stroke(area="temples.", duration=60, cue=LONG_CUE)
    assert next_line(temples, None, False) == "Next: temples."
    assert next_line(temples, "right", True) == "Next: right side."
    assert lead_in_line(temples, None, 5) == "Get ready. First: temples."  # the cue would outlast the lead-in
    assert lead_in_line(temples, None, 15).startswith("Get ready. First: temples. Pads of three fingers")
    short = Stroke(area="crown", duration=60, say="Palms on the crown.")
    assert lead_in_line(short, None, 8) == "Get ready. First: crown. Palms on the crown."


def test_the_speech_rate_scales_the_measured_figure() -> None:
    """Twice the words a minute, twice the words a second."""
    assert words_per_second(300) == pytest.approx(2 * words_per_second(150))


def routine_of(*strokes: Stroke, quiet: bool = False) -> Routine:
    return Routine(name="t", title="T", strokes=strokes, quiet=quiet)


def test_next_soon_comes_before_each_change_and_not_before_the_end() -> None:
    """With next_warning 5, NEXT_SOON (carrying the coming step) fires 5 s before each change; none before the end."""
    routine = routine_of(Stroke("temples", 30), Stroke("ears", 20, side="each"), Stroke("crown", 8))
    clock = FakeClock()
    session = Session(routine, clock, next_warning=5)
    events = session.start()
    while not session.finished:
        clock.advance(0.25)
        events += session.tick()
    nexts = [(e.at, e.step.index) for e in events if e.kind is EventKind.NEXT_SOON and e.step is not None]
    assert nexts == [(25.0, 1), (45.0, 2), (65.0, 3)]  # the 8 s crown is too short to be warned within


def test_the_snapshot_says_next_soon_for_the_last_seconds() -> None:
    """next_soon is true only within next_warning of a change; off entirely with 0."""
    routine = routine_of(Stroke("temples", 30), Stroke("crown", 30))
    clock = FakeClock()
    session = Session(routine, clock, next_warning=5)
    session.start()
    clock.set(24.0)
    session.tick()
    assert session.snapshot().next_soon is False
    clock.set(25.5)
    session.tick()
    assert session.snapshot().next_soon is True
    off = Session(routine, FakeClock(), next_warning=0)
    off.start()
    off.clock.set(29.0)  # type: ignore[attr-defined]
    assert EventKind.NEXT_SOON not in [e.kind for e in off.tick()]
    assert off.snapshot().next_soon is False


def test_quiet_mode_drops_news_and_end_speech() -> None:
    """Quiet: no ten-seconds or halfway, the end chime without "Session complete."; "Next" still comes."""
    step = Step(0, 0, Stroke("crown", 120), None, 120)
    for kind in (EventKind.TEN_SECONDS_LEFT, EventKind.HALFWAY):
        assert heard_for(Event(kind, 0, step), quiet=True).text is None
        assert heard_for(Event(kind, 0, step), quiet=True).sound is None
        assert heard_for(Event(kind, 0, step)).text is not None
    finished = heard_for(Event(EventKind.FINISHED, 0, None), quiet=True)
    assert (finished.sound, finished.text) == ("end", None)
    assert heard_for(Event(EventKind.NEXT_SOON, 0, step), quiet=True).text == "Next: crown."


def test_the_transcript_lists_chimes_and_phrases_in_time_order() -> None:
    """Each step's chime and line, "Next:" before changes unless an instruction is still being said, and the end."""
    routine = routine_of(
        Stroke("temples", 60, technique="circles", cue="Slow circles."),
        Stroke("crown", 12, cue=LONG_CUE),
        Stroke("forehead", 30, cue="Glide outward."),
    )
    heard = list(transcript(routine, next_warning=5, lead_in=5))
    timeline = [(h.at, h.sound or h.text) for h in heard]
    assert timeline[0] == (-5, "Get ready. First: temples. Slow circles.")
    assert (0.0, "change") in timeline
    assert (0.0, "Temples. Circles. 1 minute. Slow circles.") in timeline
    assert (55.0, "Next: crown.") in timeline
    assert (60.0, "Crown. Pads of three fingers just inside the hairline.") in timeline
    assert (67.0, "Next: forehead.") in timeline
    assert (102.0, "end") in timeline and (102.0, "Session complete.") in timeline
    assert [h.at for h in heard] == sorted(h.at for h in heard)


def test_news_gives_way_to_an_instruction_still_being_spoken() -> None:
    """A "Next:" due while the stroke's own line is still being said is left out of the transcript."""
    long_say = "Fingers on the crown, " + "slowly " * 20 + "circling."
    routine = routine_of(Stroke("crown", 12, say=long_say), Stroke("ears", 30))
    texts = [h.text for h in transcript(routine, next_warning=5) if h.text]
    assert "Next: ears." not in texts


def test_the_sleep_routines_are_quiet_and_their_transcript_has_no_countdown() -> None:
    """scalp-sleep and gentle-holds set quiet: their transcript never says ten seconds, halfway or complete."""
    for name in ("scalp-sleep", "gentle-holds"):
        routine = builtin(name)
        assert routine.quiet
        texts = " ".join(h.text for h in transcript(routine) if h.text)
        for word in ("Ten seconds", "Halfway", "Session complete", "Switch sides"):
            assert word not in texts


def _samples(data: bytes) -> list[int]:
    import io
    import wave
    from array import array

    with wave.open(io.BytesIO(data), "rb") as audio:
        return list(array("h", audio.readframes(audio.getnframes())))


def test_quiet_chimes_are_softer_and_the_quiet_end_fades_out() -> None:
    """volume scales a chime's peak; fade leaves the end's last quarter far quieter than the plain end's."""
    from headrub import wav

    loud, soft = _samples(wav.sound("end")), _samples(wav.sound("end", volume=0.5))
    assert max(map(abs, soft)) == pytest.approx(max(map(abs, loud)) / 2, rel=0.01)
    faded = _samples(wav.sound("end", volume=0.5, fade=True))
    tail = slice(3 * len(faded) // 4, None)
    assert max(map(abs, faded[tail])) < max(map(abs, soft[tail])) / 4


def test_next_wins_over_halfway_when_both_fall_together() -> None:
    """Halfway due at the very instant of "Next: ..." (a 25 s and a 15 s stroke): "Next" is said, and the
    halfway note gives way; with the eyes closed, where the hands go next matters more."""
    routine = Routine("r", "R", (Stroke("temples", 25, technique="circles"), Stroke("crown", 15, technique="circles")))
    clock = FakeClock(0.0)
    session = Session(routine, clock, next_warning=5)
    session.start()
    clock.set(20.0)
    kinds = [event.kind for event in session.tick()]
    assert kinds.index(EventKind.NEXT_SOON) < kinds.index(EventKind.HALFWAY)
    said = [(h.at, h.text) for h in transcript(routine, next_warning=5) if h.text]
    assert (20.0, "Next: crown.") in said
    assert not any(text == "Halfway." for _, text in said)


def test_ten_seconds_is_not_said_when_next_follows_within_them() -> None:
    """A long stroke with a "Next:" in its last ten seconds keeps only the soft note; the last stroke, or no
    next warning at all, still says "Ten seconds."."""
    routine = routine_of(Stroke("temples", 60), Stroke("crown", 60))
    heard = [(h.at, h.sound or h.text) for h in transcript(routine, next_warning=5)]
    assert (50.0, "warn") in heard and (55.0, "Next: crown.") in heard
    assert (50.0, "Ten seconds.") not in heard
    assert (110.0, "warn") in heard and (110.0, "Ten seconds.") in heard  # nothing comes after the last stroke
    off = [(h.at, h.text) for h in transcript(routine, next_warning=0) if h.text]
    assert (50.0, "Ten seconds.") in off and (110.0, "Ten seconds.") in off
    early = [(h.at, h.text) for h in transcript(routine, next_warning=15) if h.text]
    assert (45.0, "Next: crown.") in early and (50.0, "Ten seconds.") in early  # "Next:" came first: the time still helps


def test_a_say_line_longer_than_its_stroke_is_shortened_and_keeps_its_warnings() -> None:
    """Under --minutes a say line that would run past its stroke keeps its opening and its warning sentences,
    drops the rest, and is said whole again when the stroke leaves it room."""
    say = "Head up. Cup the back of your neck in one hand. Squeeze, release, and move down a little. Nothing on the throat."
    stroke = Stroke("back of the neck", 60, say=say)
    assert stroke_line(stroke, None, 60) == say
    short = stroke_line(stroke, None, 9)
    assert short == "Head up. Cup the back of your neck in one hand. Nothing on the throat."
    assert speech_seconds(short) <= 8
    shorter = stroke_line(stroke, None, 5)
    assert "Head up" not in shorter and shorter.startswith("Cup the back of your neck")  # a short opening is never all


def test_a_say_line_is_whole_while_it_ends_before_its_stroke() -> None:
    """A say longer than half its stroke but shorter than the stroke is said as written (validate warns of it)."""
    say = "Fingertips under the bony ridge at the back of the head. Small circles from the centre out to the ears."
    seconds = speech_seconds(say)
    assert stroke_line(Stroke("base of the skull", seconds + 1.5, say=say), None, seconds + 1.5) == say


def test_next_names_the_technique_when_the_hands_stay_on_the_same_area() -> None:
    """Two steps on the same area: "Next: same place, holding." rather than naming where the hands already are;
    a side switch still says "Next: right side."."""
    routine = routine_of(
        Stroke("hollows under the skull", 30, technique="pressing"),
        Stroke("Hollows under the skull ", 30, technique="holding"),
        Stroke("jaw muscle", 30, technique="pressing", side="each"),
    )
    nexts = [h.text for h in transcript(routine, next_warning=5) if h.text and h.text.startswith("Next")]
    assert nexts == ["Next: same place, holding.", "Next: jaw muscle.", "Next: right side."]
    assert next_line(Stroke("jaw", 10, technique="pressing", side="each"), "left", False, same_area=True) == (
        "Next: same place, pressing, left side."
    )


def test_a_shortened_say_keeps_a_warning_sentence_whole_and_its_opening_when_there_is_room() -> None:
    """Review cases: a warning inside the instruction sentence is never cut off by the first-clause form; a
    warning that says what to do outlives the sentence before it; a short opening stays when it fits."""
    brow = "Eyes closed. Thumbs under the inner ends of the eyebrows, on the bone, not the eye. Press gently, then move outward."
    assert stroke_line(Stroke("brow bone", 8, say=brow), None, 8) == (
        "Thumbs under the inner ends of the eyebrows, on the bone, not the eye."
    )
    knuckle = "One knuckle on the most tender spot beside the spine. Press to six out of ten, never past seven."
    assert stroke_line(Stroke("lower back", 6.8, say=knuckle), None, 6.8) == "Press to six out of ten, never past seven."
    stretch = "Head up slowly. Now tip your right ear toward your right shoulder, and reach your left hand toward the floor."
    assert stroke_line(Stroke("neck", 8.5, say=stretch), None, 8.5) == (
        "Head up slowly. Now tip your right ear toward your right shoulder."
    )
    rise = "Arms at your sides, breathe slowly and let the floor hold you. Roll to your side before you get up."
    assert "Roll to your side before you get up." in stroke_line(Stroke("whole body", 7, say=rise), None, 7)
    curly = "Circle the temples slowly with two fingers. Keep the jaw loose and breathe out. Don\u2019t press on the eyes."
    assert stroke_line(Stroke("temples", 8, say=curly), None, 8) == (
        "Circle the temples slowly with two fingers. Don\u2019t press on the eyes."
    )


def test_same_place_is_said_only_when_the_side_stays_too() -> None:
    """Right shoulder then left shoulder is a move: "Next: top of the shoulder.", not "same place"."""
    routine = routine_of(
        Stroke("top of the shoulder", 30, technique="kneading", side="right"),
        Stroke("top of the shoulder", 30, technique="pressing", side="left"),
        Stroke("top of the shoulder", 30, technique="holding", side="left"),
    )
    nexts = [h.text for h in transcript(routine, next_warning=5) if h.text and h.text.startswith("Next")]
    assert nexts == ["Next: top of the shoulder.", "Next: same place, holding, left side."]
