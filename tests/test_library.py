"""The built-in routine library: complete, safe to follow with eyes closed, and documented.

Each built-in loads, has a summary, tags and cautions, speaks an instruction on
every stroke that fits in half the stroke, names sides and breaths the way its
fields say, carries the cautions its kind of work needs, and is listed with its
minutes in docs/routines.md, described in docs/evidence.md and named in the README.
Also ``list --tag`` and ``show`` printing the cautions first.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from headrub import loader
from headrub.cli import app
from headrub.routine import DEFAULT_BREATH, MAX_SAY_CHARS, Routine, Stroke

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "routines").glob("*.yaml"))
NAMES = [path.stem for path in FILES]

# espeak-ng at 150 words a minute speaks about 2.4 words a second; a say line must fit
# in half its stroke, so at most 1.2 words per second of stroke. ``each`` strokes are
# prefixed "Left side." / "Right side." by the engine: two more words.
WORDS_PER_STROKE_SECOND = 1.2
SIDE_PREFIX_WORDS = 2
MAX_SAY_WORDS = 22  # "about 20 words at most"
NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}

EXPECTED = {
    "back-tennis-ball", "daily-scalp", "desk-reset", "gentle-holds", "head-spa", "jaw-release",
    "lower-back", "neck-and-shoulders", "partner-back", "partner-head", "pregnancy-seated", "quick-bed",
    "quick-desk", "scalp-sleep", "slow-breathing", "tension-headache", "tired-eyes", "wake-up",
    "warm-towel-neck",
}


def run(*args: str) -> Result:
    """``headrub ARGS`` through CliRunner."""
    return CliRunner().invoke(app, list(args))


@cache
def builtin(name: str) -> Routine:
    """The built-in routine ``name``, loaded from routines/ once (routines are frozen)."""
    return loader.load_file(ROOT / "routines" / f"{name}.yaml", name=name, source="built-in")


def words(text: str) -> int:
    """How many words a speech engine reads in ``text``."""
    return len(text.split())


def caution_text(routine: Routine) -> str:
    """Every caution of ``routine`` as one lower-case text."""
    return " ".join(routine.cautions).lower()


# --- the library as a whole --------------------------------------------------------------------------------------


def test_the_library_holds_every_routine_of_the_issue() -> None:
    """The nine first built-ins and the ten added with the review are all in routines/."""
    assert set(NAMES) >= EXPECTED
    assert len(NAMES) >= 17
    assert {item.name for item in loader.discover() if item.source == "built-in"} == set(NAMES)


def test_two_quick_routines_of_three_to_four_minutes() -> None:
    """The quick desk and bed routines last three to four minutes; the daily scalp four to five."""
    for name in ("quick-desk", "quick-bed"):
        assert 180 <= builtin(name).total_seconds <= 240, name
    assert 240 <= builtin("daily-scalp").total_seconds <= 300
    assert builtin("slow-breathing").total_seconds == 15 * 60


# --- each routine ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_routine_has_summary_tags_and_cautions(name: str) -> None:
    """Every built-in loads with a summary, tags and at least three cautions."""
    routine = builtin(name)
    assert routine.summary and len(routine.summary) > 40
    assert routine.tags
    assert len(routine.cautions) >= 3
    assert all(tag == tag.lower() and " " not in tag for tag in routine.tags)


@pytest.mark.parametrize("name", NAMES)
def test_every_stroke_speaks_an_instruction_that_fits_half_the_stroke(name: str) -> None:
    """Each stroke has a say line of at most about 20 words that fits in half the stroke at 2.4 words a second."""
    for number, stroke in enumerate(builtin(name).strokes, 1):
        assert stroke.say, f"{name} stroke {number} has no say line"
        assert len(stroke.say) <= MAX_SAY_CHARS
        spoken = words(stroke.say) + (SIDE_PREFIX_WORDS if stroke.side == "each" else 0)
        assert words(stroke.say) <= MAX_SAY_WORDS, f"{name} stroke {number}: {words(stroke.say)} words"
        assert spoken <= WORDS_PER_STROKE_SECOND * stroke.duration, f"{name} stroke {number} does not fit"


def _names_side(stroke: Stroke, side: str) -> bool:
    return re.search(rf"\b{side}\b", (stroke.say or "").lower()) is not None


@pytest.mark.parametrize("name", NAMES)
def test_sides_spoken_match_the_side_field(name: str) -> None:
    """An ``each`` stroke's line is heard on both sides, so it names neither; a one-sided stretch names its side."""
    for number, stroke in enumerate(builtin(name).strokes, 1):
        if stroke.side == "each":
            assert not _names_side(stroke, "left") and not _names_side(stroke, "right"), f"{name} stroke {number}"
        if stroke.side in ("left", "right") and stroke.technique == "stretching":
            assert _names_side(stroke, stroke.side), f"{name} stroke {number} does not say {stroke.side}"


@pytest.mark.parametrize("name", NAMES)
def test_spoken_breaths_and_pressures_match_the_fields(name: str) -> None:
    """'In for four, out for six' matches the stroke's breath; pressure words match ``pressure``."""
    for number, stroke in enumerate(builtin(name).strokes, 1):
        text = (stroke.say or "").lower()
        match = re.search(r"in for (\w+).*?out for (\w+)", text)
        if match and stroke.technique == "breathing":
            said = (NUMBERS[match.group(1)], NUMBERS[match.group(2)])
            assert said == (stroke.breath or DEFAULT_BREATH), f"{name} stroke {number} says {said}"
        if "firm" in text:
            assert stroke.pressure == "firm", f"{name} stroke {number} says firm"
        if "medium pressure" in text:
            assert stroke.pressure == "medium", f"{name} stroke {number} says medium"
        if re.search(r"\blight(ly)?\b", text) and stroke.technique not in ("breathing", None):
            assert stroke.pressure == "light", f"{name} stroke {number} says light"


@pytest.mark.parametrize("name", NAMES)
def test_calming_circles_are_medium_and_holds_light(name: str) -> None:
    """Scalp circles in a relaxation or sleep routine are medium pressure; still holds are light."""
    routine = builtin(name)
    calming = {"sleep", "relaxation"} & set(routine.tags)
    for stroke in routine.strokes:
        scalp = any(word in stroke.area for word in ("scalp", "hairline", "crown", "back of the head"))
        # the shampoo and serum steps of the head spa are light on purpose: washing, not massage
        washing = stroke.say is not None and any(w in stroke.say.lower() for w in ("shampoo", "serum", "scrub"))
        if calming and stroke.technique == "circles" and scalp and not washing:
            assert stroke.pressure == "medium", f"{name}: {stroke.area}"
        if stroke.technique == "holding" and "relaxation" in routine.tags:
            assert stroke.pressure == "light", f"{name}: {stroke.area}"


@pytest.mark.parametrize("name", NAMES)
def test_sleep_routines_are_quiet(name: str) -> None:
    """A routine tagged ``sleep`` is a quiet routine: no halfway speech, no questions after."""
    routine = builtin(name)
    assert routine.quiet == ("sleep" in routine.tags)


@pytest.mark.parametrize("name", NAMES)
def test_set_up_and_rinse_steps_are_not_announced_as_rest(name: str) -> None:
    """``rest`` is kept for real rest: a set-up, a rinse or moving somewhere has no technique."""
    for stroke in builtin(name).strokes:
        if stroke.technique == "rest":
            assert not any(w in (stroke.say or "").lower() for w in ("rinse", "set out", "soak", "step out"))


# --- the cautions each kind of work needs --------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_cautions_cover_the_work_done(name: str) -> None:
    """Neck work stops on dizziness; neck stretches warn of an unstable neck; back work has its red flags;
    point pressure warns about blood thinners; work below the collarbone about pacemakers and ports."""
    routine = builtin(name)
    cautions = caution_text(routine)
    strokes = routine.strokes
    if any(s.technique == "stretching" and "neck" in s.area for s in strokes):
        assert "unstable" in cautions and "dizzy" in cautions, name
    if any("skull" in s.area and s.technique == "pressing" for s in strokes):
        assert "dizzy" in cautions and "vision blurs" in cautions, name
    if "back" in routine.tags:
        assert "passing water" in cautions and "groin" in cautions and "night" in cautions, name
    if any(s.technique == "pressing" and s.pressure in ("medium", "firm") for s in strokes):
        assert "blood thinners" in cautions, name
    if any("collarbone" in s.area for s in strokes):
        assert "pacemaker" in cautions and "port" in cautions, name


@pytest.mark.parametrize("name", ["tension-headache", "jaw-release", "tired-eyes", "partner-head"])
def test_giant_cell_arteritis_is_named_where_temples_or_jaw_are_worked(name: str) -> None:
    """Over 50 with tender temples or scalp, or jaw pain on chewing: a doctor the same day."""
    cautions = caution_text(builtin(name))
    assert "giant cell arteritis" in cautions and "50" in cautions and "same day" in cautions


def test_the_safety_fixes_of_the_review() -> None:
    """The skull hold is supported at about 5/10; the ball stays off the spine; the head spa sits for the towel."""
    headache = builtin("tension-headache")
    hold = [s for s in headache.strokes if "under the skull" in s.area and s.technique == "holding"]
    assert hold and all("7 out of 10" not in (s.cue or "") for s in hold)
    assert any("lie" in (s.say or "").lower() for s in headache.strokes)
    assert "vision blurs" in caution_text(headache)
    ball = builtin("back-tennis-ball")
    assert not any("thumb-width" in (s.cue or "") for s in ball.strokes)
    assert [s.side for s in ball.strokes if s.side in ("left", "right")] == ["left"] * 5 + ["right"] * 5
    assert any("step off the wall" in (s.say or "").lower() for s in ball.strokes)
    spa = builtin("head-spa")
    towel = next(s for s in spa.strokes if "towel" in s.area and s.technique == "rest")
    assert "sit" in (towel.say or "").lower()
    scrub = [s for s in spa.strokes if "scrub" in (s.say or "").lower() and s.technique == "circles"]
    assert scrub and sum(s.total_seconds for s in scrub) <= 120


# --- documentation -------------------------------------------------------------------------------------------------


def _documented_minutes() -> dict[str, float]:
    table = (ROOT / "docs" / "routines.md").read_text(encoding="utf-8").split("## The built-in routines", 1)[1]
    fractions = {"": 0.0, "¼": 0.25, "½": 0.5, "¾": 0.75}
    found = {}
    for match in re.finditer(r"^\| `([a-z0-9-]+)` \| (\d+)([¼½¾]?) \|", table, re.M):
        found[match.group(1)] = int(match.group(2)) + fractions[match.group(3)]
    return found


def test_docs_list_every_builtin_with_its_minutes() -> None:
    """docs/routines.md lists each built-in with its length to the nearest quarter minute."""
    documented = _documented_minutes()
    assert set(documented) == set(NAMES)
    for name, minutes in documented.items():
        assert minutes == pytest.approx(round(builtin(name).total_seconds / 15) / 4), name


def test_evidence_and_readme_cover_every_builtin() -> None:
    """docs/evidence.md has a section per built-in; the README names each one."""
    evidence = (ROOT / "docs" / "evidence.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"### `{name}`" in evidence, name
        assert f"`{name}`" in readme, name


# --- list --tag and show -----------------------------------------------------------------------------------------


def test_list_tag_keeps_routines_with_every_tag_given(isolated_dirs: tuple[Path, Path]) -> None:
    """``--tag`` is repeatable and a routine must carry all the tags given; case does not matter."""
    tagged = {n for n in NAMES if "quick" in builtin(n).tags}
    rows = json.loads(run("list", "--json", "--tag", "QUICK").stdout)
    assert {r["name"] for r in rows} == tagged
    both = {n for n in tagged if "desk" in builtin(n).tags}
    result = run("list", "--tag", "quick", "--tag", "desk")
    assert result.exit_code == 0
    assert {line.split()[0] for line in result.stdout.splitlines()} == both
    assert all("[" in line and "desk" in line for line in result.stdout.splitlines())


def test_list_tag_with_no_match_says_so_and_names_the_tags(isolated_dirs: tuple[Path, Path]) -> None:
    """No routine with the tag: one plain line naming the tags in use, exit 0; ``--json`` prints []."""
    result = run("list", "--tag", "nosuchtag")
    assert result.exit_code == 0
    assert result.stdout.startswith("No routine is tagged nosuchtag. Tags in use: ")
    assert "sleep" in result.stdout
    assert json.loads(run("list", "--json", "--tag", "nosuchtag").stdout) == []


def test_show_prints_the_cautions_before_the_strokes(isolated_dirs: tuple[Path, Path]) -> None:
    """Plain ``show`` gives every caution before the first stroke."""
    routine = builtin("tension-headache")
    lines = run("show", "tension-headache").stdout.splitlines()
    cautions = [i for i, line in enumerate(lines) if line.startswith("Caution: ")]
    first_stroke = next(i for i, line in enumerate(lines) if line.startswith("  1. "))
    assert len(cautions) == len(routine.cautions)
    assert max(cautions) < first_stroke


def test_show_on_a_terminal_prints_the_cautions_first(
    isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Rich view of ``show`` puts its Cautions heading above the table."""
    monkeypatch.setattr("headrub.output.is_terminal", lambda stream=None: True)
    result = CliRunner().invoke(app, ["show", "jaw-release"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.stdout.index("Cautions") < result.stdout.index("jaw muscle")
