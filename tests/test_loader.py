"""The loader: YAML routine files to ``Routine`` values, every problem located as PATH:LINE:COL: field: message."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headrub import loader
from headrub.errors import Problem, RoutineFileError, RoutineNotFound, UsageError
from headrub.routine import MAX_FILE_BYTES, Routine, parse_duration
from headrub.yamlnodes import resolve_core
from samples import THREE_MISTAKES

PATH = "routines/r.yaml"

# Line 4 is the last line of this valid routine; stroke fields are appended as line 5.
VALID = """\
title: Test routine
strokes:
  - area: crown
    duration: 30
"""


def problems(text: str, path: str = PATH) -> list[Problem]:
    """The problems ``load_text`` reports for ``text`` (fails if it loads)."""
    with pytest.raises(RoutineFileError) as info:
        loader.load_text(text, path)
    return info.value.problems


def only_problem(text: str) -> Problem:
    """The single problem ``text`` has."""
    found = problems(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def with_stroke_line(line: str) -> str:
    """VALID with ``line`` added to its one stroke (as line 5)."""
    return VALID + f"    {line}\n"


# --- the valid file ---------------------------------------------------------------------------------


def test_valid_routine_loads_with_every_field() -> None:
    """A routine using every field loads into the values written."""
    text = """\
title: "  Evening  "
summary: Wind down.
tags: [sleep, scalp]
cautions:
  - Not over cuts.
strokes:
  - area: front hairline
    technique: circles
    pressure: light
    duration: 1m30s
    tempo: 30
    side: both
    cue: Slow circles.
  - area: whole head
    technique: breathing
    breath: 4-6
    duration: 60
"""
    routine = loader.load_text(text, PATH)
    assert routine.name == "r"
    assert routine.title == "Evening"
    assert routine.summary == "Wind down."
    assert routine.tags == ("sleep", "scalp")
    assert routine.cautions == ("Not over cuts.",)
    first, second = routine.strokes
    assert (first.area, first.technique, first.pressure, first.duration) == ("front hairline", "circles", "light", 90.0)
    assert (first.tempo, first.side, first.cue) == (30, "both", "Slow circles.")
    assert second.breath == (4.0, 6.0)
    assert routine.total_seconds == 150.0
    assert routine.path == PATH


def test_name_and_source_can_be_given() -> None:
    """``name`` and ``source`` override the file stem and the default ``user``."""
    routine = loader.load_text(VALID, "x/other.yaml", name="mine", source="built-in")
    assert (routine.name, routine.source) == ("mine", "built-in")


# --- every field: wrong type, out of range, missing, misspelt ------------------------------------------

FIELD_CASES: list[tuple[str, str, int, int, str, str]] = [
    # (case id, yaml text, line, column, field prefix, message fragment)
    ("title missing", "strokes:\n  - area: crown\n    duration: 30\n", 1, 1, "title: ", "is required"),
    ("title a list", "title: [a]\n" + VALID.split("\n", 1)[1], 1, 8, "title: ", "expected text, found a list"),
    ("title a number", "title: 12\n" + VALID.split("\n", 1)[1], 1, 8, "title: ", "found the number 12"),
    ("title empty", "title: ''\n" + VALID.split("\n", 1)[1], 1, 8, "title: ", "must not be empty"),
    ("title null", "title:\n" + VALID.split("\n", 1)[1], 1, 7, "title: ", "found nothing (null)"),
    ("summary a list", VALID + "summary: [a, b]\n", 5, 10, "summary: ", "expected text, found a list"),
    ("tags not a list", VALID + "tags: sleep\n", 5, 7, "tags: ", "expected a list of text"),
    ("tags item a mapping", VALID + "tags:\n  - ok\n  - {a: 1}\n", 7, 5, "tags[1]: ", "expected text, found a mapping"),
    ("tags item a bool", VALID + "tags: [true]\n", 5, 8, "tags[0]: ", "true (quote it to mean text)"),
    ("cautions a mapping", VALID + "cautions: {a: 1}\n", 5, 11, "cautions: ", "expected a list of text"),
    ("cautions item a number", VALID + "cautions:\n  - 3\n", 6, 5, "cautions[0]: ", "found the number 3"),
    ("strokes missing", "title: t\n", 1, 1, "strokes: ", "is required"),
    ("strokes a mapping", "title: t\nstrokes: {area: x}\n", 2, 10, "strokes: ", "expected a list of strokes"),
    ("strokes empty", "title: t\nstrokes: []\n", 2, 10, "strokes: ", "has 0 strokes; a routine has 1 to 200"),
    ("stroke a text", "title: t\nstrokes:\n  - crown\n", 3, 5, "strokes[0]: ", "expected a mapping"),
    ("area missing", "title: t\nstrokes:\n  - duration: 30\n", 3, 5, "strokes[0].area: ", "is required"),
    ("area a list", "title: t\nstrokes:\n  - area: [a]\n    duration: 3\n", 3, 11, "strokes[0].area: ", "found a list"),
    ("area empty", "title: t\nstrokes:\n  - area: ' '\n    duration: 3\n", 3, 11, "strokes[0].area: ", "must not be empty"),
    ("duration missing", "title: t\nstrokes:\n  - area: crown\n", 3, 5, "strokes[0].duration: ", "is required"),
    ("duration 0", "title: t\nstrokes:\n  - area: x\n    duration: 0\n", 4, 15, "strokes[0].duration: ", "out of range"),
    ("duration 3601", "title: t\nstrokes:\n  - area: x\n    duration: 3601\n", 4, 15, "strokes[0].duration: ", "3601 s is out of range"),
    ("duration 0s", "title: t\nstrokes:\n  - area: x\n    duration: 0s\n", 4, 15, "strokes[0].duration: ", "out of range"),
    ("duration 61m", "title: t\nstrokes:\n  - area: x\n    duration: 61m\n", 4, 15, "strokes[0].duration: ", "3660 s is out of range"),
    ("duration negative", "title: t\nstrokes:\n  - area: x\n    duration: -5\n", 4, 15, "strokes[0].duration: ", "out of range"),
    ("duration .nan", "title: t\nstrokes:\n  - area: x\n    duration: .nan\n", 4, 15, "strokes[0].duration: ", "out of range"),
    ("duration .inf", "title: t\nstrokes:\n  - area: x\n    duration: .inf\n", 4, 15, "strokes[0].duration: ", "out of range"),
    ("duration words", "title: t\nstrokes:\n  - area: x\n    duration: a while\n", 4, 15, "strokes[0].duration: ", "'a while' is not a duration"),
    ("duration a bool", "title: t\nstrokes:\n  - area: x\n    duration: true\n", 4, 15, "strokes[0].duration: ", 'such as "1m30s", found true'),
    ("duration a list", "title: t\nstrokes:\n  - area: x\n    duration: [1]\n", 4, 15, "strokes[0].duration: ", "found a list"),
    ("duration null", "title: t\nstrokes:\n  - area: x\n    duration:\n", 4, 14, "strokes[0].duration: ", "found nothing (null)"),
    ("technique a number", with_stroke_line("technique: 3"), 5, 16, "strokes[0].technique: ", "expected text, found the number 3"),
    ("technique unknown", with_stroke_line("technique: circle"), 5, 16, "strokes[0].technique: ", "unknown value 'circle' — did you mean 'circles'?"),
    ("technique far off", with_stroke_line("technique: zzz"), 5, 16, "strokes[0].technique: ", "(expected one of: circles, kneading"),
    ("pressure unknown", with_stroke_line("pressure: hard"), 5, 15, "strokes[0].pressure: ", "unknown value 'hard'"),
    ("pressure close", with_stroke_line("pressure: meduim"), 5, 15, "strokes[0].pressure: ", "did you mean 'medium'?"),
    ("tempo 0", with_stroke_line("tempo: 0"), 5, 12, "strokes[0].tempo: ", "0 is out of range; tempo is 1 to 240"),
    ("tempo 241", with_stroke_line("tempo: 241"), 5, 12, "strokes[0].tempo: ", "241 is out of range"),
    ("tempo fractional", with_stroke_line("tempo: 1.5"), 5, 12, "strokes[0].tempo: ", "expected a whole number"),
    ("tempo text", with_stroke_line("tempo: fast"), 5, 12, "strokes[0].tempo: ", "expected a whole number"),
    ("tempo a bool", with_stroke_line("tempo: false"), 5, 12, "strokes[0].tempo: ", "false (quote it to mean text)"),
    ("tempo .nan", with_stroke_line("tempo: .nan"), 5, 12, "strokes[0].tempo: ", "expected a whole number"),
    ("tempo .inf", with_stroke_line("tempo: .inf"), 5, 12, "strokes[0].tempo: ", "expected a whole number"),
    ("tempo huge", with_stroke_line("tempo: 0x" + "f" * 300), 5, 12, "strokes[0].tempo: ", "a very large number is out of range"),
    ("side unknown", with_stroke_line("side: top"), 5, 11, "strokes[0].side: ", "unknown value 'top'"),
    ("side close", with_stroke_line("side: lefft"), 5, 11, "strokes[0].side: ", "did you mean 'left'?"),
    ("cue a mapping", with_stroke_line("cue: {a: b}"), 5, 10, "strokes[0].cue: ", "expected text, found a mapping"),
    ("cue 281 characters", with_stroke_line("cue: " + "c" * 281), 5, 10, "strokes[0].cue: ", "is 281 characters; at most 280"),
    ("breath malformed", with_stroke_line("technique: breathing") + "    breath: slow\n", 6, 13, "strokes[0].breath: ", "'slow' is not a breathing pace"),
    ("breath out of range", with_stroke_line("technique: breathing") + "    breath: 4-31\n", 6, 13, "strokes[0].breath: ", "each half of a breath lasts 1 to 30 s"),
    ("breath without technique", with_stroke_line("breath: 4-6"), 5, 13, "strokes[0].breath: ", "only a stroke with technique: breathing"),
    ("unknown top key", VALID + "author: me\n", 5, 1, "", "unknown key 'author' (expected one of: title, summary"),
    ("unknown stroke key", with_stroke_line("speed: 3"), 5, 5, "strokes[0]: ", "unknown key 'speed' (expected one of: area"),
]

MISSPELT_CASES: list[tuple[str, str, int, int, str, str]] = [
    ("titel", "titel: t\n" + VALID.split("\n", 1)[1], 1, 1, "", "unknown key 'titel' — did you mean 'title'?"),
    ("sumary", VALID + "sumary: s\n", 5, 1, "", "unknown key 'sumary' — did you mean 'summary'?"),
    ("tag", VALID + "tag: [a]\n", 5, 1, "", "unknown key 'tag' — did you mean 'tags'?"),
    ("caution", VALID + "caution: [a]\n", 5, 1, "", "unknown key 'caution' — did you mean 'cautions'?"),
    ("stroke", "title: t\nstroke:\n  - area: x\n    duration: 3\n", 2, 1, "", "unknown key 'stroke' — did you mean 'strokes'?"),
    ("aera", "title: t\nstrokes:\n  - aera: x\n    duration: 3\n", 3, 5, "strokes[0]: ", "unknown key 'aera' — did you mean 'area'?"),
    ("duraton", "title: t\nstrokes:\n  - area: x\n    duraton: 3\n", 4, 5, "strokes[0]: ", "unknown key 'duraton' — did you mean 'duration'?"),
    ("tecnique", with_stroke_line("tecnique: circles"), 5, 5, "strokes[0]: ", "unknown key 'tecnique' — did you mean 'technique'?"),
    ("presure", with_stroke_line("presure: light"), 5, 5, "strokes[0]: ", "unknown key 'presure' — did you mean 'pressure'?"),
    ("tempp", with_stroke_line("tempp: 30"), 5, 5, "strokes[0]: ", "unknown key 'tempp' — did you mean 'tempo'?"),
    ("sde", with_stroke_line("sde: left"), 5, 5, "strokes[0]: ", "unknown key 'sde' — did you mean 'side'?"),
    ("cues", with_stroke_line("cues: hi"), 5, 5, "strokes[0]: ", "unknown key 'cues' — did you mean 'cue'?"),
    ("breathe", with_stroke_line("breathe: 4-6"), 5, 5, "strokes[0]: ", "unknown key 'breathe' — did you mean 'breath'?"),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "field", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in FIELD_CASES + MISSPELT_CASES],
)
def test_each_field_problem_is_located(text: str, line: int, column: int, field: str, fragment: str) -> None:
    """Each wrong type, out-of-range value, missing or misspelt key is one PATH:LINE:COL: field: message line."""
    problem = only_problem(text)
    assert (problem.line, problem.column) == (line, column), str(problem)
    assert problem.path == PATH
    assert problem.message.startswith(field), str(problem)
    assert fragment in problem.message, str(problem)
    assert str(problem) == f"{PATH}:{line}:{column}: {problem.message}"


def test_misspelt_required_key_is_not_also_reported_missing() -> None:
    """A misspelt ``duration`` gives one "did you mean" line, not a second "is required" line."""
    found = problems("title: t\nstrokes:\n  - area: x\n    duraton: 3\n")
    assert [p.message for p in found] == ["strokes[0]: unknown key 'duraton' — did you mean 'duration'?"]




def test_three_mistakes_give_exactly_three_located_lines() -> None:
    """A file with three mistakes yields exactly three problems, in file order, each at its node."""
    found = problems(THREE_MISTAKES)
    assert [(p.line, p.column) for p in found] == [(4, 5), (6, 15), (9, 15)]
    assert [p.message.split(":")[0] for p in found] == ["strokes[0]", "strokes[1].duration", "strokes[2].pressure"]


def test_three_mistakes_through_validate_command(tmp_path: Path) -> None:
    """``headrub validate`` prints the three located lines on stdout (like a linter) and exits 2."""
    from typer.testing import CliRunner

    from headrub.cli import app

    target = tmp_path / "three.yaml"
    target.write_text(THREE_MISTAKES, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(target)])
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 3, result.stdout
    assert lines[0].startswith(f"{target}:4:5: strokes[0]: unknown key 'duraton'")
    assert lines[1].startswith(f"{target}:6:15: strokes[1].duration: ")
    assert lines[2].startswith(f"{target}:9:15: strokes[2].pressure: ")
    assert result.stderr == "headrub: 3 problems in 1 file\n"


# --- durations and sides ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ('"45s"', 45.0),
        ("45s", 45.0),
        ("2m", 120.0),
        ("1m30s", 90.0),
        ("90", 90.0),
        ("1.5", 1.5),
        ("1", 1.0),
        ("3600", 3600.0),
        ("1h", 3600.0),
        ("60m", 3600.0),
        ('"90"', 90.0),
        ("0.5m", 30.0),
    ],
)
def test_duration_forms(written: str, seconds: float) -> None:
    """Durations are seconds as a number or text like "45s", "2m", "1m30s", from 1 s to 1 h inclusive."""
    routine = loader.load_text(f"title: t\nstrokes:\n  - area: x\n    duration: {written}\n", PATH)
    assert routine.strokes[0].duration == seconds


@pytest.mark.parametrize("written", ["0", "3601", "0.5", "0s", "1h1s", "61m", "-1"])
def test_duration_out_of_range(written: str) -> None:
    """A duration under 1 s or over 1 h is refused at the value's position."""
    problem = only_problem(f"title: t\nstrokes:\n  - area: x\n    duration: {written}\n")
    assert (problem.line, problem.column) == (4, 15)
    assert "out of range" in problem.message


def test_side_each_runs_the_stroke_per_side() -> None:
    """``side: each`` is accepted and counts the stroke's duration once per side."""
    routine = loader.load_text(with_stroke_line("side: each"), PATH)
    stroke = routine.strokes[0]
    assert stroke.side == "each"
    assert stroke.total_seconds == 60.0
    assert routine.total_seconds == 60.0


@pytest.mark.parametrize("side", ["left", "right", "both"])
def test_other_sides(side: str) -> None:
    """``left``, ``right`` and ``both`` run the stroke once."""
    routine = loader.load_text(with_stroke_line(f"side: {side}"), PATH)
    assert (routine.strokes[0].side, routine.strokes[0].total_seconds) == (side, 30.0)


def test_breath_on_a_breathing_stroke() -> None:
    """``breath`` is allowed on a breathing stroke and is read as seconds in and out."""
    routine = loader.load_text(with_stroke_line("technique: breathing") + "    breath: 4.5 - 6\n", PATH)
    assert routine.strokes[0].breath == (4.5, 6.0)


def test_breath_on_another_technique_is_refused() -> None:
    """``breath`` on a circles stroke is a located error at the breath value."""
    problem = only_problem(with_stroke_line("technique: circles") + "    breath: 4-6\n")
    assert (problem.line, problem.column) == (6, 13)
    assert problem.message == "strokes[0].breath: only a stroke with technique: breathing has a breathing pace"


def test_breath_with_an_unknown_technique_is_reported_once() -> None:
    """An unknown technique is the problem; the breath beside it is not blamed too."""
    found = problems(with_stroke_line("technique: breathin") + "    breath: 4-6\n")
    assert len(found) == 1
    assert found[0].message.startswith("strokes[0].technique: unknown value 'breathin' — did you mean 'breathing'?")


# --- document shapes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# just a comment\n", "---\n", "---\n...\n", "~\n", "null\n"])
def test_empty_file(text: str) -> None:
    """An empty document is one problem at 1:1."""
    problem = only_problem(text)
    assert (problem.line, problem.column) == (1, 1)
    assert "empty" in problem.message


def test_list_document() -> None:
    """A document that is a list is refused where the list starts."""
    problem = only_problem("# a list\n- title: t\n")
    assert (problem.line, problem.column) == (2, 1)
    assert "expected a mapping of keys to values, found a list" in problem.message


@pytest.mark.parametrize(("text", "found"), [("hello\n", "the text 'hello'"), ("42\n", "the number 42"), ("true\n", "true")])
def test_scalar_document(text: str, found: str) -> None:
    """A document that is a single scalar is refused with what it is."""
    problem = only_problem(text)
    assert (problem.line, problem.column) == (1, 1)
    assert f"expected a mapping of keys to values, found {found}" in problem.message


def test_two_documents() -> None:
    """A second document is refused where it starts."""
    problem = only_problem(VALID + "---\n" + VALID)
    assert (problem.line, problem.column) == (5, 1)
    assert "one YAML document" in problem.message


def test_duplicate_top_level_key() -> None:
    """A key given twice is refused at its second occurrence."""
    problem = only_problem(VALID + "title: again\n")
    assert (problem.line, problem.column) == (5, 1)
    assert problem.message == "title: appears twice in the same mapping"


def test_duplicate_stroke_key() -> None:
    """A stroke key given twice is refused at its second occurrence, named with its stroke."""
    problem = only_problem(with_stroke_line("duration: 40"))
    assert (problem.line, problem.column) == (5, 5)
    assert problem.message == "strokes[0].duration: appears twice in the same mapping"


@pytest.mark.parametrize(
    ("key_text", "found"),
    [("1", "the number 1"), ("1.5", "the number 1.5"), ("true", "true"), ("~", "nothing (null)"), ("[a, b]", "a list"), ("{a: b}", "a mapping")],
)
def test_non_string_keys(key_text: str, found: str) -> None:
    """A key that is not text is refused at the key."""
    problem = only_problem(VALID + f"? {key_text}\n: value\n")
    assert (problem.line, problem.column) == (5, 3)
    assert f"keys are words such as 'title', found {found}" in problem.message


def test_200_strokes_load_and_201_do_not() -> None:
    """200 strokes is the most a routine holds; 201 is refused at the strokes list."""
    many = "title: t\nstrokes:\n" + "  - {area: x, duration: 1}\n" * 200
    assert len(loader.load_text(many, PATH).strokes) == 200
    problem = only_problem(many + "  - {area: x, duration: 1}\n")
    assert (problem.line, problem.column) == (3, 3)
    assert problem.message == "strokes: has 201 strokes; a routine has 1 to 200"


def test_cue_of_280_characters_loads() -> None:
    """A 280-character cue is at the limit and loads."""
    routine = loader.load_text(with_stroke_line("cue: " + "c" * 280), PATH)
    assert routine.strokes[0].cue == "c" * 280


def test_every_problem_is_reported_not_just_the_first() -> None:
    """Problems in several strokes and top-level fields are all reported, in order."""
    text = "title: [x]\ntags: 3\nstrokes:\n  - area: x\n    duration: 0\n  - area: y\n    duration: 1\n    tempo: 999\n"
    found = problems(text)
    assert [(p.line, p.column) for p in found] == [(1, 8), (2, 7), (5, 15), (8, 12)]


def test_yaml_syntax_error_is_located() -> None:
    """A YAML syntax error names the line and column where the parser stopped."""
    problem = only_problem("title: t\nstrokes:\n  - area: [unclosed\n    duration: 3\n")
    assert problem.message.startswith("YAML syntax error")
    assert problem.line >= 3
    assert problem.column >= 1


def test_tab_indentation_is_a_located_syntax_error() -> None:
    """A tab used for indentation is a located YAML error, not a crash."""
    problem = only_problem("title: t\nstrokes:\n\t- area: x\n")
    assert problem.line == 3
    assert "YAML" in problem.message


def test_columns_count_characters_not_bytes() -> None:
    """Columns count characters, so non-ASCII text before a mistake does not shift the column."""
    problem = only_problem("title: t\nstrokes: [{area: épaule 😀, duration: -1}]\n")
    assert (problem.line, problem.column) == (2, 38)  # 42 if bytes were counted


def test_anchors_and_aliases_load() -> None:
    """Plain anchors and aliases are YAML, and are allowed."""
    text = "title: &t Calm\nsummary: *t\nstrokes:\n  - &s {area: x, duration: 3}\n  - *s\n"
    routine = loader.load_text(text, PATH)
    assert routine.summary == "Calm"
    assert len(routine.strokes) == 2


def test_merge_key_is_an_unknown_key() -> None:
    """A ``<<`` merge key is not part of the format and is reported, not crashed on."""
    found = problems("title: t\nstrokes:\n  - <<: {area: x}\n    duration: 3\n")
    assert found[0].message.startswith("strokes[0]: unknown key '<<'")


def test_timestamp_looking_title_is_kept_as_written() -> None:
    """A value YAML would read as a date stays the text that was written."""
    routine = loader.load_text("title: 2026-11-20\nstrokes: [{area: x, duration: 3}]\n", PATH)
    assert routine.title == "2026-11-20"


@pytest.mark.parametrize(
    "value",
    ["!!int abc", "!!float abc", "!!bool maybe", "!!str {a: 1}", "!!float [1]", "!!map x"],
)
def test_malformed_explicit_tags_are_located(value: str) -> None:
    """A standard tag on a value it cannot describe is a located problem."""
    problem = only_problem(f"title: {value}\nstrokes: [{{area: x, duration: 3}}]\n")
    assert (problem.line, problem.column) == (1, 8)


def test_huge_integer_title_is_described_without_spelling_it_out() -> None:
    """An integer too long to print is described, not converted (Python refuses str() past 4300 digits)."""
    problem = only_problem("title: !!int 0x" + "f" * 5000 + "\nstrokes: [{area: x, duration: 3}]\n")
    assert problem.message == "title: expected text, found a very large number"


def test_huge_integer_duration_is_out_of_range() -> None:
    """A duration too large for a float is out of range, not an OverflowError."""
    problem = only_problem("title: t\nstrokes: [{area: x, duration: 0x" + "f" * 300 + "}]\n")
    assert problem.message.startswith("strokes[0].duration: ") and "out of range" in problem.message


def test_lone_surrogate_in_text_is_located() -> None:
    """Text holding a lone surrogate (not encodable) is a located error, not a UnicodeEncodeError."""
    problem = only_problem("title: a\ud800\nstrokes: [{area: x, duration: 3}]\n")
    assert (problem.line, problem.column) == (1, 9)


# --- files ---------------------------------------------------------------------------------------------------


def test_load_file_reads_and_names_by_stem(tmp_path: Path) -> None:
    """``load_file`` names the routine after the file and reports problems with the path as given."""
    good = tmp_path / "good-one.yaml"
    good.write_text(VALID, encoding="utf-8")
    assert loader.load_file(good).name == "good-one"
    bad = tmp_path / "bad.yml"
    bad.write_text("title: t\n", encoding="utf-8")
    with pytest.raises(RoutineFileError) as info:
        loader.load_file(bad)
    assert str(info.value) == f"{bad}:1:1: strokes: is required"


def test_load_file_refuses_a_file_over_256_kib(tmp_path: Path) -> None:
    """A file one byte over 256 KiB is refused by size; one at the limit is read."""
    at_limit = tmp_path / "at.yaml"
    at_limit.write_text(VALID + "#" * (MAX_FILE_BYTES - len(VALID)), encoding="utf-8")
    assert loader.load_file(at_limit).title == "Test routine"
    over = tmp_path / "over.yaml"
    over.write_text(VALID + "#" * (MAX_FILE_BYTES - len(VALID) + 1), encoding="utf-8")
    with pytest.raises(RoutineFileError) as info:
        loader.load_file(over)
    assert str(info.value) == f"{over}:1:1: the file is over 256 KiB; a routine file is at most that"


@pytest.mark.parametrize("what", ["missing", "folder"])
def test_load_file_missing_or_folder(tmp_path: Path, what: str) -> None:
    """A missing path or a folder is a located problem, not an OSError."""
    target = tmp_path / "r.yaml"
    if what == "folder":
        target.mkdir()
    with pytest.raises(RoutineFileError) as info:
        loader.load_file(target)
    (problem,) = info.value.problems
    assert (problem.path, problem.line, problem.column) == (str(target), 1, 1)


# --- finding routines ------------------------------------------------------------------------------------------


def write_user(config: Path, filename: str, text: str = VALID) -> Path:
    """A user routine file in ``<config>/routines``."""
    folder = config / "routines"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path


def test_discover_lists_builtins_and_user_routines(isolated_dirs: tuple[Path, Path]) -> None:
    """User routines join the built-ins, sorted by name; a user file of a built-in's name shadows it."""
    config, _ = isolated_dirs
    builtins = loader.discover()
    assert all(item.source == "built-in" for item in builtins)
    write_user(config, "zz-mine.yaml")
    names = {item.name: item for item in loader.discover()}
    assert names["zz-mine"].source == "user" and not names["zz-mine"].shadows
    if builtins:
        shadowed = builtins[0].name
        path = write_user(config, f"{shadowed}.yaml")
        item = {i.name: i for i in loader.discover()}[shadowed]
        assert (item.source, item.shadows, item.path) == ("user", True, path)
    assert [i.name for i in loader.discover()] == sorted(i.name for i in loader.discover())


def test_discover_skips_bad_names_and_prefers_yaml_over_yml(isolated_dirs: tuple[Path, Path]) -> None:
    """Files whose stem is not a routine name are ignored; NAME.yaml wins over NAME.yml."""
    config, _ = isolated_dirs
    write_user(config, "Bad Name.yaml")
    write_user(config, "notes.txt")
    yml = write_user(config, "twin.yml")
    yaml_file = write_user(config, "twin.yaml")
    found = {i.name: i for i in loader.discover() if i.source == "user"}
    assert set(found) == {"twin"}
    assert found["twin"].path == yaml_file != yml


def test_locate_unknown_names_close_matches(isolated_dirs: tuple[Path, Path]) -> None:
    """An unknown name raises RoutineNotFound (exit 2) naming the closest routines."""
    config, _ = isolated_dirs
    write_user(config, "evening-calm.yaml")
    with pytest.raises(RoutineNotFound) as info:
        loader.locate("evening-clam")
    assert "evening-calm" in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    ("stem", "name"),
    [("My_Test", "my-test"), ("Odd Name", "odd-name"), ("Été 2", "ete-2"), ("--x--", "x"), ("日本", "custom"), ("A" * 80, "a" * 64)],
)
def test_a_file_run_by_path_is_named_after_its_file(stem: str, name: str) -> None:
    """A routine file run by path is journalled under a name made from its file name, not one shared bucket."""
    assert loader.name_from_file(stem) == name


def test_find_routine_and_resolve(isolated_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    """``resolve`` takes a name, or a path when the argument has '/' or ends in .yaml/.yml."""
    config, _ = isolated_dirs
    write_user(config, "mine.yaml")
    assert loader.find_routine("mine").source == "user"
    assert loader.resolve("mine").name == "mine"
    elsewhere = tmp_path / "Odd Name.yaml"
    elsewhere.write_text(VALID, encoding="utf-8")
    assert loader.resolve(str(elsewhere)).name == "odd-name"
    with pytest.raises(UsageError):
        loader.resolve("Not A Name")
    with pytest.raises(RoutineFileError):
        loader.resolve("missing.yaml")


@pytest.mark.parametrize(
    ("argument", "is_path"),
    [("scalp-sleep", False), ("./scalp-sleep", True), ("x.yaml", True), ("x.yml", True), ("dir/x", True), ("x-yaml", False)],
)
def test_is_path_argument(argument: str, is_path: bool) -> None:
    """CONTRACT §3: an argument is a path when it contains '/' or ends in .yaml/.yml."""
    assert loader.is_path_argument(argument) is is_path


# --- generated documents (hypothesis) ---------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30
).map(str.strip).filter(bool)
_DURATION = st.one_of(
    st.integers(1, 3600),
    st.floats(1.0, 3600.0, allow_nan=False),
    st.integers(1, 3600).map(lambda s: f"{s}s"),
    st.integers(1, 60).map(lambda m: f"{m}m"),
    st.tuples(st.integers(0, 59), st.integers(1, 59)).map(lambda ms: f"{ms[0]}m{ms[1]}s"),
)
_STROKE = st.fixed_dictionaries(
    {"area": _TEXT, "duration": _DURATION},
    optional={
        "technique": st.sampled_from(["circles", "kneading", "gliding", "tapping", "pressing", "holding", "combing", "stretching", "rest"]),
        "pressure": st.sampled_from(["light", "medium", "firm"]),
        "tempo": st.integers(1, 240),
        "side": st.sampled_from(["left", "right", "both", "each"]),
        "cue": st.text(max_size=280).map(str.strip),
    },
)
_BREATHING = st.fixed_dictionaries(
    {"area": _TEXT, "duration": _DURATION, "technique": st.just("breathing")},
    optional={"breath": st.tuples(st.integers(1, 30), st.integers(1, 30)).map(lambda b: f"{b[0]}-{b[1]}")},
)
VALID_ROUTINES = st.fixed_dictionaries(
    {"title": _TEXT, "strokes": st.lists(st.one_of(_STROKE, _BREATHING), min_size=1, max_size=6)},
    optional={"summary": _TEXT, "tags": st.lists(_TEXT, max_size=4), "cautions": st.lists(_TEXT, max_size=3)},
)


class _Dumper(yaml.SafeDumper):
    """PyYAML's dumper, quoting text that YAML 1.2 would read as something else (it writes 0o17 plain)."""


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if not isinstance(resolve_core(value), str) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_text)


def _dump(data: dict[str, Any], *, allow_unicode: bool = True) -> str:
    # PyYAML's emitter folds a NEL (U+0085) in a plain scalar into a space when allow_unicode is on,
    # so exact round trips dump with escapes; the mutation tests want raw UTF-8 and do not compare values.
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=allow_unicode, sort_keys=False)


def assert_routine_or_located(outcome: Any, path: str) -> None:
    """``outcome`` is a Routine, or a RoutineFileError whose every problem is located in ``path``."""
    if isinstance(outcome, Routine):
        return
    assert isinstance(outcome, RoutineFileError), repr(outcome)
    assert outcome.problems
    for problem in outcome.problems:
        assert problem.path == path
        assert problem.line >= 1 and problem.column >= 1, problem
        assert problem.message


def outcome_of_text(text: str, path: str = PATH) -> Routine | RoutineFileError:
    """What ``load_text`` gives; any exception other than RoutineFileError propagates and fails the test."""
    try:
        return loader.load_text(text, path)
    except RoutineFileError as err:
        return err


@settings(max_examples=150, deadline=None)
@given(VALID_ROUTINES)
def test_generated_valid_routines_load_as_written(data: dict[str, Any]) -> None:
    """Any valid routine rendered by yaml.safe_dump loads, with the values it was given."""
    routine = loader.load_text(_dump(data, allow_unicode=False), PATH)
    assert routine.title == data["title"]
    assert routine.summary == data.get("summary")
    assert routine.tags == tuple(data.get("tags", ()))
    assert routine.cautions == tuple(data.get("cautions", ()))
    assert len(routine.strokes) == len(data["strokes"])
    for stroke, given_stroke in zip(routine.strokes, data["strokes"], strict=True):
        assert stroke.area == given_stroke["area"]
        assert stroke.technique == given_stroke.get("technique")
        assert stroke.side == given_stroke.get("side")
        assert stroke.cue == (given_stroke.get("cue") or None)
        assert stroke.tempo == given_stroke.get("tempo")
        written = given_stroke["duration"]
        assert stroke.duration == (parse_duration(written) if isinstance(written, str) else float(written))


def _mutate(text: str, data: st.DataObject) -> str:
    """One random damage to ``text``: a deleted character, inserted junk, a renamed key or swapped values."""
    kind = data.draw(st.sampled_from(["delete", "insert", "rename", "swap"]))
    if kind == "delete" and text:
        at = data.draw(st.integers(0, len(text) - 1))
        return text[:at] + text[at + 1 :]
    if kind == "insert":
        at = data.draw(st.integers(0, len(text)))
        junk = data.draw(st.binary(min_size=1, max_size=8)).decode("latin-1")
        return text[:at] + junk + text[at:]
    lines = text.splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if ":" in line]
    if kind == "rename" and keyed:
        i = data.draw(st.sampled_from(keyed))
        new_key = data.draw(st.text(alphabet=string.ascii_letters + "_- <>!&*", min_size=1, max_size=10))
        key, _, rest = lines[i].partition(":")
        indent = key[: len(key) - len(key.lstrip(" -"))]
        lines[i] = f"{indent}{new_key}:{rest}"
        return "".join(lines)
    if kind == "swap" and len(keyed) >= 2:
        i, j = data.draw(st.lists(st.sampled_from(keyed), min_size=2, max_size=2, unique=True))
        key_i, _, value_i = lines[i].partition(":")
        key_j, _, value_j = lines[j].partition(":")
        lines[i], lines[j] = f"{key_i}:{value_j}", f"{key_j}:{value_i}"
        return "".join(lines)
    return text + data.draw(st.sampled_from(["-", ":", "[", "{", "&a", "*a", "!!python/none", "? ", "%"]))


@settings(max_examples=300, deadline=None)
@given(VALID_ROUTINES, st.data())
def test_generated_broken_routines_through_load_text(data: dict[str, Any], draw: st.DataObject) -> None:
    """Mutated routines through ``load_text`` give a Routine or located problems, and nothing else."""
    text = _dump(data)
    for _ in range(draw.draw(st.integers(1, 3))):
        text = _mutate(text, draw)
    assert_routine_or_located(outcome_of_text(text), PATH)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(VALID_ROUTINES, st.data())
def test_generated_broken_routines_through_load_file(
    tmp_path: Path, data: dict[str, Any], draw: st.DataObject
) -> None:
    """Mutated routine bytes written to a file give a Routine or located problems from ``load_file``."""
    raw = bytearray(_dump(data).encode("utf-8"))
    for _ in range(draw.draw(st.integers(1, 3))):
        at = draw.draw(st.integers(0, len(raw)))
        if draw.draw(st.booleans()) and at < len(raw):
            del raw[at]
        else:
            raw[at:at] = draw.draw(st.binary(min_size=1, max_size=6))
    target = tmp_path / "fuzzed.yaml"
    target.write_bytes(bytes(raw))
    try:
        outcome: Routine | RoutineFileError = loader.load_file(target)
    except RoutineFileError as err:
        outcome = err
        assert not any("cannot load this file" in p.message for p in err.problems), str(err)
    assert_routine_or_located(outcome, str(target))
