"""The routine commands through CliRunner: list, show, validate, schema, new, edit, --version and --help."""

from __future__ import annotations

import json
import shlex
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer
import typer.main
import yaml
from typer.testing import CliRunner, Result

from headrub import loader
from headrub.cli import app
from headrub.session import Session
from samples import THREE_MISTAKES

GOOD = """\
title: Evening calm
summary: A slow wind-down.
tags: [sleep, scalp]
cautions:
  - Not over cuts or sores.
strokes:
  - area: front hairline
    technique: circles
    pressure: light
    duration: 1m30s
    tempo: 30
    cue: Slow circles with the finger pads.
  - area: base of the skull
    technique: pressing
    side: each
    duration: 30s
  - area: whole head
    technique: breathing
    breath: 4-6
    duration: 1m
"""


ESC, BEL = "\x1b", "\x07"
BIDI = ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f")


def run(*args: str, env: dict[str, str | None] | None = None, color: bool = False) -> Result:
    """``headrub ARGS`` through CliRunner."""
    return CliRunner().invoke(app, list(args), env=env, color=color)


@pytest.fixture
def user_dir(isolated_dirs: tuple[Path, Path]) -> Path:
    """The user routine folder, created."""
    folder = isolated_dirs[0] / "routines"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def without_modeline(content: bytes) -> bytes:
    """A file ``new`` wrote, less its first line (the schema modeline for editors, see test_schema_file.py)."""
    first, _, rest = content.partition(b"\n")
    assert first.startswith(b"# yaml-language-server: $schema="), first
    return rest


def builtin_names() -> list[str]:
    """The built-in routines present right now (the library is still being written)."""
    return [item.name for item in loader.discover() if item.source == "built-in"]


# --- list -------------------------------------------------------------------------------------------------------


def test_list_plain_when_not_a_terminal(user_dir: Path) -> None:
    """Piped, ``list`` prints one plain line per routine with no table borders or escapes."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    result = run("list")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(builtin_names()) + 1
    line = next(line for line in lines if line.startswith("evening-calm "))
    assert "Evening calm" in line and " 3:30 " in line and "3 strokes" in line and "[sleep,scalp]" in line
    assert line.endswith("user")
    assert ESC not in result.stdout
    assert not any(ch in result.stdout for ch in "┃━│─┏")


def test_list_time_is_the_routine_total_as_show_gives_it(user_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 3:40 routine (3.67 minutes in --json) lists as 3:40, piped and on a terminal, as show and validate say."""
    odd = GOOD.replace("duration: 1m30s", "duration: 1m40s")  # 220 s in all
    (user_dir / "odd-length.yaml").write_text(odd, encoding="utf-8")
    line = next(line for line in run("list").stdout.splitlines() if line.startswith("odd-length "))
    assert " 3:40 " in line
    assert run("show", "odd-length").stdout.startswith("Evening calm (odd-length, 3:40, user)")
    monkeypatch.setattr("headrub.output.is_terminal", lambda stream=None: True)
    for columns in ("40", "200"):  # the stacked layout and the table
        shown = run("list", env={"COLUMNS": columns}).stdout
        assert "3:40" in shown and "3:41" not in shown, shown


def test_list_json_shape_and_shadowing(user_dir: Path) -> None:
    """``list --json`` gives every routine with its source; a user file of a built-in's name shadows it."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    shadowed = builtin_names()[0] if builtin_names() else None
    if shadowed:
        (user_dir / f"{shadowed}.yaml").write_text(GOOD, encoding="utf-8")
    result = run("list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    by_name = {r["name"]: r for r in rows}
    mine = by_name["evening-calm"]
    assert set(mine) >= {"name", "title", "minutes", "strokes", "tags", "source", "shadows_builtin", "path"}
    assert mine == {
        "name": "evening-calm",
        "title": "Evening calm",
        "minutes": 3.5,
        "strokes": 3,
        "tags": ["sleep", "scalp"],
        "source": "user",
        "shadows_builtin": False,
        "path": str(user_dir / "evening-calm.yaml"),
    }
    for row in rows:
        assert row["source"] in ("built-in", "user")
    if shadowed:
        assert by_name[shadowed]["source"] == "user"
        assert by_name[shadowed]["shadows_builtin"] is True
        assert by_name[shadowed]["title"] == "Evening calm"
        plain = run("list").stdout
        assert next(line for line in plain.splitlines() if line.startswith(f"{shadowed} ")).endswith(
            "user (shadows built-in)"
        )


def test_list_warns_about_a_broken_user_file_and_lists_the_rest(user_dir: Path) -> None:
    """A broken user routine is a warning on stderr with its location; the others still list, exit 0."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    (user_dir / "broken.yaml").write_text("title: [x]\nstrokes: []\n", encoding="utf-8")
    result = run("list", "--json")
    assert result.exit_code == 0
    names = [r["name"] for r in json.loads(result.stdout)]
    assert "evening-calm" in names and "broken" not in names
    assert f"headrub: warning: broken is skipped: {user_dir / 'broken.yaml'}:1:8: title: expected text" in result.stderr
    assert "broken" not in run("list").stdout


def test_list_rich_table_on_a_terminal(user_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal ``list`` draws a table with every routine."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr("headrub.output.is_terminal", lambda stream=None: True)
    result = run("list", env={"COLUMNS": "200"})  # wide enough that no name wraps
    assert result.exit_code == 0, result.output
    assert "evening-calm" in result.stdout and "Evening calm" in result.stdout
    for name in builtin_names():
        assert name in result.stdout


def test_list_with_no_routines(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With no built-ins and no user files, ``list`` says so and exits 0; ``--json`` prints []."""
    monkeypatch.setattr("headrub.paths.builtin_routines_dir", lambda: tmp_path / "none")
    result = run("list")
    assert (result.exit_code, result.stdout) == (0, "No routines found.\n")
    assert json.loads(run("list", "--json").stdout) == []


# --- show -------------------------------------------------------------------------------------------------------


def test_show_name_plain(user_dir: Path) -> None:
    """``show NAME`` prints the cautions first, then the strokes in order with start times, how, durations and cues."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    result = run("show", "evening-calm")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Evening calm (evening-calm, 3:30, user)"
    assert lines[1] == "A slow wind-down."
    assert lines[2] == "Caution: Not over cuts or sores."
    assert lines[3] == "  1.   0:00  front hairline — circles, light, 30/min, 1:30"
    assert lines[4] == "       Slow circles with the finger pads."
    assert lines[5] == "  2.   1:30  base of the skull — pressing, each, 0:30 per side"
    assert lines[6] == "  3.   2:30  whole head — breathing, breathe 4-6, 1:00"


SET_UP_STEP = """\
title: Set-up step
cautions:
  - A caution long enough to wrap at forty columns, so its second line shows where it is indented.
strokes:
  - {area: lying down, duration: 30s, cue: Lie on your back.}
  - {area: crown, technique: circles, duration: 1m}
"""


def test_show_a_stroke_without_technique(user_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A set-up step (no technique) reads "lying down — 0:30" piped, and takes no empty line on a terminal."""
    (user_dir / "set-up.yaml").write_text(SET_UP_STEP, encoding="utf-8")
    plain = run("show", "set-up").stdout.splitlines()
    assert "  1.   0:00  lying down — 0:30" in plain
    assert "  2.   0:30  crown — circles, 1:00" in plain
    monkeypatch.setattr("headrub.output.is_terminal", lambda stream=None: True)
    lines = run("show", "set-up", env={"COLUMNS": "40"}).stdout.splitlines()
    first = lines.index(next(line for line in lines if "lying down" in line))
    assert lines[first + 1].strip() == "Lie on your back."
    bullet = next(i for i, line in enumerate(lines) if "•" in line)
    # The caution's wrapped lines start under its text, not at the left edge.
    assert lines[bullet + 1].startswith(" " * (lines[bullet].index("•") + 2)) and lines[bullet + 1].strip()


def test_show_names_the_pace_of_a_breathing_stroke_without_breath(user_dir: Path) -> None:
    """A breathing stroke with no breath: is paced at the default in a session, and show says which pace."""
    (user_dir / "paced.yaml").write_text(
        "title: Paced\nstrokes:\n  - {area: belly, technique: breathing, duration: 1m}\n", encoding="utf-8"
    )
    step = Session(loader.find_routine("paced")).steps[0]
    assert step.breath is not None
    pace = f"breathe {step.breath[0]:g}-{step.breath[1]:g}"  # what the session's pacer draws
    assert f"  1.   0:00  belly — breathing, {pace}, 1:00" in run("show", "paced").stdout.splitlines()


def test_show_path(tmp_path: Path) -> None:
    """``show PATH`` loads a file outside the routine folders."""
    path = tmp_path / "elsewhere.yaml"
    path.write_text(GOOD, encoding="utf-8")
    result = run("show", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Evening calm (elsewhere, 3:30, user)")


def test_show_json_has_strokes_running_total_and_cautions(user_dir: Path) -> None:
    """``show --json`` carries each stroke, its start (running total) and the cautions."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    result = run("show", "evening-calm", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["name"], data["title"], data["source"], data["total_s"]) == ("evening-calm", "Evening calm", "user", 210.0)
    assert data["cautions"] == ["Not over cuts or sores."]
    assert data["tags"] == ["sleep", "scalp"]
    assert [s["starts_at_s"] for s in data["strokes"]] == [0.0, 90.0, 150.0]
    assert [s["total_s"] for s in data["strokes"]] == [90.0, 60.0, 60.0]
    first, second, third = data["strokes"]
    assert first == {
        "number": 1,
        "area": "front hairline",
        "technique": "circles",
        "pressure": "light",
        "side": None,
        "tempo": 30,
        "breath": None,
        "duration_s": 90.0,
        "total_s": 90.0,
        "starts_at_s": 0.0,
        "cue": "Slow circles with the finger pads.",
        "say": None,
        "spoken": "Front hairline. Slow circles, light pressure. 1 minute 30 seconds. Slow circles with the finger pads.",
    }
    assert (second["side"], second["duration_s"]) == ("each", 30.0)
    assert third["breath"] == "4-6"


def test_show_every_builtin_as_json() -> None:
    """Every built-in shows as JSON whose running total adds up to its total."""
    for name in builtin_names():
        result = run("show", name, "--json")
        assert result.exit_code == 0, (name, result.output)
        data = json.loads(result.stdout)
        assert data["source"] == "built-in"
        assert data["cautions"], f"{name} shows no cautions"
        last = data["strokes"][-1]
        assert last["starts_at_s"] + last["total_s"] == pytest.approx(data["total_s"])


def test_show_rich_on_a_terminal(user_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal ``show`` draws a table with the strokes, the total and the cautions."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr("headrub.output.is_terminal", lambda stream=None: True)
    result = run("show", "evening-calm", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for text in ("Evening calm", "front hairline", "base of the skull", "Total 3:30", "Cautions", "Not over cuts"):
        assert text in result.stdout


def test_show_unknown_name_exits_2_naming_close_ones(user_dir: Path) -> None:
    """An unknown routine exits 2 with one stderr line naming the closest routines."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    (user_dir / "evening-walk.yaml").write_text(GOOD, encoding="utf-8")
    result = run("show", "evening-clam")
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("headrub: unknown routine 'evening-clam' — did you mean evening-calm")
    assert "evening-walk" in line


def test_show_unknown_builtin_misspelling() -> None:
    """A misspelt built-in name (REQUIRES the library: scalp-sleep) is answered with the right name."""
    if "scalp-sleep" not in builtin_names():
        pytest.skip("scalp-sleep is not in routines/ yet")
    result = run("show", "scalp-sleeep")
    assert result.exit_code == 2
    assert "scalp-sleep" in result.stderr


@pytest.mark.parametrize("name", ["Bad Name", "UPPER", "_under", "a" * 65])
def test_show_invalid_name_exits_2(name: str) -> None:
    """A name that cannot be a routine exits 2 and says how to give a path."""
    result = run("show", name)
    assert result.exit_code == 2
    assert "is not a routine name" in result.stderr


def test_show_broken_file_exits_2_with_located_lines(tmp_path: Path) -> None:
    """``show`` on a broken file prints its located problems and exits 2."""
    path = tmp_path / "three.yaml"
    path.write_text(THREE_MISTAKES, encoding="utf-8")
    result = run("show", str(path))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 3
    assert all(line.startswith(f"{path}:") for line in result.stderr.splitlines())


def test_show_missing_path_exits_2(tmp_path: Path) -> None:
    """``show`` on a path that does not exist is a located error, exit 2."""
    result = run("show", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}:1:1: no such file\n"


# --- validate ---------------------------------------------------------------------------------------------------


def test_one_stroke_is_counted_in_the_singular(tmp_path: Path, user_dir: Path) -> None:
    """validate and the piped list say "1 stroke", never "1 strokes"; the list's columns stay aligned."""
    path = user_dir / "one.yaml"
    path.write_text("title: One\nstrokes:\n  - {area: crown, duration: 10s}\n", encoding="utf-8")
    assert run("validate", str(path)).stdout == f"{path}: ok (1 stroke, 0:10)\n"
    lines = run("list").stdout.splitlines()
    (one,) = [line for line in lines if line.startswith("one ")]
    assert "  1 stroke   One" in one and "1 strokes" not in one
    (other,) = [line for line in lines if line.startswith("scalp-sleep ")]
    assert one.index(" stroke   ") == other.index(" strokes  ")  # the titles start in one column


def test_list_says_which_files_in_the_user_folder_it_does_not_list(user_dir: Path) -> None:
    """A file whose name is no routine name, and NAME.yml beside NAME.yaml, each get one warning from list;
    the listing itself is unchanged and the exit status 0."""
    (user_dir / "Bad Name.yaml").write_text(GOOD, encoding="utf-8")
    (user_dir / "my-rub.yaml").write_text(GOOD, encoding="utf-8")
    (user_dir / "my-rub.yml").write_text(GOOD, encoding="utf-8")
    (user_dir / "notes.txt").write_text("not a routine", encoding="utf-8")
    result = run("list")
    assert result.exit_code == 0
    warnings = result.stderr.splitlines()
    assert len(warnings) == 2
    assert "Bad Name.yaml is not listed: its file name is no routine name" in warnings[0]
    assert "my-rub.yml is not listed: my-rub.yaml has the same name" in warnings[1]
    assert [line.split()[0] for line in result.stdout.splitlines()].count("my-rub") == 1


def test_validate_ok(tmp_path: Path) -> None:
    """A valid file prints an ok line on stdout and exits 0."""
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"{path}: ok (3 strokes, 3:30)\n"
    assert result.stderr == ""


def test_validate_three_mistakes_three_lines(tmp_path: Path) -> None:
    """Three mistakes print exactly three PATH:LINE:COL lines on stdout, a count on stderr, and exit 2."""
    path = tmp_path / "three.yaml"
    path.write_text(THREE_MISTAKES, encoding="utf-8")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stderr == "headrub: 3 problems in 1 file\n"
    assert result.stdout.splitlines() == [
        f"{path}:4:5: strokes[0]: unknown key 'duraton' — did you mean 'duration'?",
        f"{path}:6:15: strokes[1].duration: 0 s is out of range; a stroke lasts 1 s to 1 h",
        f"{path}:9:15: strokes[2].pressure: unknown value 'hard' (expected one of: light, medium, firm)",
    ]


def test_validate_prints_a_file_s_problems_in_file_order(tmp_path: Path) -> None:
    """Problems come out by line and column, as in the file, whatever order the fields are checked in."""
    path = tmp_path / "jumbled.yaml"
    path.write_text(
        "title: Jumbled\nstrokes:\n  - area: crown\n    techniqe: circles\n    duration: 2x\n    pressure: loud\n"
        "  - area: temples\n    tempo: 500\n    duration: 0\n",
        encoding="utf-8",
    )
    result = run("validate", str(path))
    assert result.exit_code == 2
    places = [tuple(int(n) for n in line.split(":")[1:3]) for line in result.stdout.splitlines()]
    assert len(places) == 5 and places == sorted(places)


def test_validate_folder_and_several_files(tmp_path: Path) -> None:
    """A folder is checked file by file: ok lines for good ones, problems for bad ones, exit 2 if any."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a-good.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "b-bad.yml").write_text("title: t\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not yaml", encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(GOOD, encoding="utf-8")
    result = run("validate", str(folder), str(other))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{folder / 'a-good.yaml'}: ok (3 strokes, 3:30)",
        f"{folder / 'b-bad.yml'}:1:1: strokes: is required",
        f"{other}: ok (3 strokes, 3:30)",
    ]
    assert result.stderr == "headrub: 1 problem in 1 file\n"


def test_validate_a_folder_with_no_routine_files_says_so(tmp_path: Path) -> None:
    """A folder with no .yaml or .yml file is not passed in silence: a warning names it (exit 0, like ruff)."""
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "notes.txt").write_text("title: not a routine file\n", encoding="utf-8")
    result = run("validate", str(folder))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("headrub: warning: ") and str(folder) in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_validate_builtin_folder() -> None:
    """Every built-in routine file validates."""
    folder = Path(__file__).resolve().parents[1] / "routines"
    if not any(folder.glob("*.yaml")):
        pytest.skip("no built-in routines yet")
    result = run("validate", str(folder))
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(list(folder.glob("*.yaml")))


def test_validate_missing_file(tmp_path: Path) -> None:
    """A missing file is a located problem and exit 2."""
    path = tmp_path / "nope.yaml"
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout == f"{path}:1:1: no such file\n"


def test_validate_needs_an_argument() -> None:
    """``validate`` with no file is a usage error, exit 2."""
    assert run("validate").exit_code == 2


# --- schema -----------------------------------------------------------------------------------------------------


def schema_validator() -> jsonschema.protocols.Validator:
    """A validator for ``headrub schema``'s output, after checking it is a valid JSON Schema."""
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_schema_is_valid_json_schema() -> None:
    """``schema`` prints a valid JSON Schema (draft 2020-12) describing the routine."""
    result = run("schema")
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {"title", "strokes"}
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_builtin_routine_validates_against_the_schema() -> None:
    """Every file in routines/ validates against ``headrub schema`` with the jsonschema library."""
    validator = schema_validator()
    files = sorted((Path(__file__).resolve().parents[1] / "routines").glob("*.y*ml"))
    if not files:
        pytest.skip("no built-in routines yet")
    for path in files:
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
        assert errors == [], f"{path.name}: {errors}"


def test_builtin_library_is_complete() -> None:
    """The named built-in routines (issues 2 and 13) exist and load; tests/test_library.py checks each one."""
    required = {
        "scalp-sleep",
        "tension-headache",
        "head-spa",
        "desk-reset",
        "neck-and-shoulders",
        "back-tennis-ball",
        "gentle-holds",
        "wake-up",
        "jaw-release",
        "quick-desk",
        "quick-bed",
        "tired-eyes",
        "partner-back",
        "partner-head",
        "daily-scalp",
        "warm-towel-neck",
        "slow-breathing",
        "pregnancy-seated",
        "lower-back",
    }
    missing = required - set(builtin_names())
    assert not missing, f"built-in routines not written yet: {sorted(missing)}"
    for name in required:
        assert loader.find_routine(name).source == "built-in"


def test_hand_made_routines_against_the_schema() -> None:
    """A hand-made valid routine passes the schema; misspelt keys and bad values fail it."""
    validator = schema_validator()
    assert list(validator.iter_errors(yaml.safe_load(GOOD))) == []
    for broken in (THREE_MISTAKES, "title: t\nstrokes: []\n", "title: t\nstrokes: [{area: x, duration: 0}]\n"):
        assert list(validator.iter_errors(yaml.safe_load(broken))) != []


# --- new --------------------------------------------------------------------------------------------------------


def test_new_writes_a_template_that_validates(user_dir: Path) -> None:
    """``new NAME`` writes a commented template, prints its path, and the template validates."""
    result = run("new", "my-evening")
    path = user_dir / "my-evening.yaml"
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}\n"
    assert without_modeline(path.read_bytes()).startswith(b"# A headrub routine.")
    assert run("validate", str(path)).exit_code == 0
    assert loader.find_routine("my-evening").title == "My evening"


def test_the_template_teaches_a_safe_press_and_a_say_line(user_dir: Path) -> None:
    """The template validates with no fit warning, shows say:, and its press under the skull keeps the head level.

    Issue 13 took "lean your head back onto the thumbs" out of the library as unsafe; a template
    people copy must not teach it again.
    """
    run("new", "my-evening")
    path = user_dir / "my-evening.yaml"
    checked = run("validate", str(path))
    assert checked.exit_code == 0 and "warning" not in checked.stdout
    routine = loader.find_routine("my-evening")
    assert any(stroke.say for stroke in routine.strokes)
    skull = next(stroke for stroke in routine.strokes if "skull" in stroke.area)
    assert "back into" not in (skull.cue or "") and "level" in (skull.cue or "")


def test_new_from_a_routine_copies_it(user_dir: Path) -> None:
    """``new NAME --from ROUTINE`` copies that routine's file."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    result = run("new", "evening-copy", "--from", "evening-calm")
    assert result.exit_code == 0, result.output
    assert without_modeline((user_dir / "evening-copy.yaml").read_bytes()) == GOOD.encode("utf-8")


def test_new_from_a_builtin(user_dir: Path) -> None:
    """``new NAME --from BUILTIN`` copies the built-in file into the user folder."""
    names = builtin_names()
    if not names:
        pytest.skip("no built-in routines yet")
    result = run("new", "my-copy", "--from", names[0])
    assert result.exit_code == 0, result.output
    original = next(i.path for i in loader.discover() if i.name == names[0])
    assert without_modeline((user_dir / "my-copy.yaml").read_bytes()) == original.read_bytes()


def test_new_from_unknown_exits_2(user_dir: Path) -> None:
    """``--from`` an unknown routine exits 2 and writes nothing."""
    result = run("new", "mine", "--from", "no-such-routine")
    assert result.exit_code == 2
    assert "unknown routine 'no-such-routine'" in result.stderr
    assert not (user_dir / "mine.yaml").exists()


def test_new_from_a_file_by_path_copies_it(user_dir: Path, tmp_path: Path) -> None:
    """``--from`` takes a routine file's path too (a friend's file), as ``start`` does; its bytes are copied."""
    shared = tmp_path / "from a friend.yaml"
    shared.write_text(GOOD, encoding="utf-8")
    result = run("new", "friends", "--from", str(shared))
    assert result.exit_code == 0, result.output
    assert without_modeline((user_dir / "friends.yaml").read_bytes()) == GOOD.encode("utf-8")
    assert shared.read_text(encoding="utf-8") == GOOD  # the original is left as it was


@pytest.mark.parametrize("content", [None, "title: x\nstrokes: [\n", "folder"])
def test_new_from_a_path_that_is_not_a_routine_exits_2(user_dir: Path, tmp_path: Path, content: str | None) -> None:
    """A missing file, a YAML mistake or a folder given to ``--from`` is refused with a located line; nothing is
    written."""
    source = tmp_path / "source.yaml"
    if content == "folder":
        source.mkdir()
    elif content is not None:
        source.write_text(content, encoding="utf-8")
    result = run("new", "mine", "--from", str(source))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{source}:") and len(result.stderr.strip().splitlines()) == 1
    assert not (user_dir / "mine.yaml").exists()


def test_new_refuses_to_overwrite_without_force(user_dir: Path) -> None:
    """An existing routine is kept and the command exits 2 unless --force is given."""
    path = user_dir / "mine.yaml"
    path.write_text(GOOD, encoding="utf-8")
    result = run("new", "mine")
    assert result.exit_code == 2
    assert "already exists; use --force" in result.stderr
    assert path.read_text(encoding="utf-8") == GOOD
    forced = run("new", "mine", "--force")
    assert forced.exit_code == 0
    assert without_modeline(path.read_bytes()).startswith(b"# A headrub routine.")


def test_new_refuses_a_builtin_name_without_force(user_dir: Path) -> None:
    """``new`` with a built-in's name exits 2 saying it would shadow it; --force writes it."""
    name = builtin_names()[0]
    result = run("new", name)
    assert result.exit_code == 2
    assert f"{name} is a built-in routine and a new one would shadow it" in result.stderr
    assert list(user_dir.iterdir()) == []
    forced = run("new", name, "--force")
    assert forced.exit_code == 0, forced.output
    assert (user_dir / f"{name}.yaml").exists()


def test_new_refuses_an_existing_yml(user_dir: Path) -> None:
    """A NAME.yml counts as existing too."""
    (user_dir / "mine.yml").write_text(GOOD, encoding="utf-8")
    assert run("new", "mine").exit_code == 2


@pytest.mark.parametrize("name", ["Bad Name", "../escape", "UPPER", "a/b"])
def test_new_invalid_name_exits_2(user_dir: Path, name: str) -> None:
    """An invalid name exits 2 and writes nothing anywhere."""
    result = run("new", name)
    assert result.exit_code == 2
    assert "is not a routine name" in result.stderr
    assert list(user_dir.iterdir()) == []


def test_new_unwritable_folder_exits_1(isolated_dirs: tuple[Path, Path]) -> None:
    """When the user folder cannot be made (a file stands in its way), ``new`` exits 1 with one line."""
    config, _ = isolated_dirs
    config.mkdir(parents=True)
    (config / "routines").write_text("a file, not a folder", encoding="utf-8")
    result = run("new", "mine")
    assert result.exit_code == 1
    assert result.stderr.startswith("headrub: cannot write")
    assert len(result.stderr.splitlines()) == 1


# --- edit -------------------------------------------------------------------------------------------------------


def fake_editor(tmp_path: Path, body: str) -> str:
    """An editor command (for $VISUAL) running a Python script that gets the file path as argv[1]."""
    script = tmp_path / "editor.py"
    script.write_text("import sys\npath = sys.argv[1]\n" + body, encoding="utf-8")
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def test_edit_validates_after_the_editor_and_keeps_a_broken_file(user_dir: Path, tmp_path: Path) -> None:
    """An editor that appends a broken line: exit 2 with the located problem, and the edited file kept."""
    path = user_dir / "evening-calm.yaml"
    path.write_text(GOOD, encoding="utf-8")
    editor = fake_editor(tmp_path, "open(path, 'a').write('bogus: 1\\n')\n")
    result = run("edit", "evening-calm", env={"VISUAL": editor, "EDITOR": None})
    assert result.exit_code == 2
    last_line = len(GOOD.splitlines()) + 1
    assert result.stderr.startswith(f"{path}:{last_line}:1: unknown key 'bogus' (expected one of: ")
    assert len(result.stderr.splitlines()) == 1
    assert path.read_text(encoding="utf-8") == GOOD + "bogus: 1\n"


def test_edit_success(user_dir: Path, tmp_path: Path) -> None:
    """An editor that exits 0 leaving a valid file: an ok line, exit 0."""
    path = user_dir / "evening-calm.yaml"
    path.write_text(GOOD, encoding="utf-8")
    editor = fake_editor(tmp_path, "open(path, 'a').write('# edited\\n')\n")
    result = run("edit", "evening-calm", env={"VISUAL": editor})
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: ok (3 strokes, 3:30)\n"
    assert path.read_text(encoding="utf-8").endswith("# edited\n")


def test_edit_uses_editor_when_visual_is_unset(user_dir: Path, tmp_path: Path) -> None:
    """$EDITOR is used when $VISUAL is not set."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    marker = tmp_path / "ran"
    editor = fake_editor(tmp_path, f"open({str(marker)!r}, 'w').write(path)\n")
    result = run("edit", "evening-calm", env={"VISUAL": None, "EDITOR": editor})
    assert result.exit_code == 0, result.output
    assert marker.read_text(encoding="utf-8") == str(user_dir / "evening-calm.yaml")


def test_edit_copies_a_builtin_first(user_dir: Path, tmp_path: Path) -> None:
    """Editing a built-in copies it to the user folder, edits the copy and leaves the built-in alone."""
    names = builtin_names()
    if not names:
        pytest.skip("no built-in routines yet")
    name = names[0]
    original = next(i.path for i in loader.discover() if i.name == name)
    before = original.read_bytes()
    editor = fake_editor(tmp_path, "open(path, 'a').write('# mine now\\n')\n")
    result = run("edit", name, env={"VISUAL": editor})
    assert result.exit_code == 0, result.output
    copy = user_dir / f"{name}.yaml"
    assert f"Copied the built-in {name} to {copy}" in result.stderr
    assert without_modeline(copy.read_bytes()) == before + b"# mine now\n"
    assert original.read_bytes() == before
    found = {i.name: i for i in loader.discover()}[name]
    assert (found.source, found.shadows) == ("user", True)


def test_edit_of_a_builtin_left_unchanged_keeps_no_copy(user_dir: Path, tmp_path: Path) -> None:
    """Opening a built-in and closing the editor without a change leaves no copy behind."""
    name = builtin_names()[0]
    result = run("edit", name, env={"VISUAL": fake_editor(tmp_path, "pass\n")})
    assert result.exit_code == 0, result.output
    assert "No changes: no copy kept" in result.stderr
    assert list(user_dir.iterdir()) == []
    assert {i.name: i for i in loader.discover()}[name].source == "built-in"


def test_edit_of_a_builtin_when_the_editor_fails_keeps_no_copy(user_dir: Path, tmp_path: Path) -> None:
    """An editor failing on an untouched copy of a built-in: exit 1, and no copy left behind."""
    name = builtin_names()[0]
    result = run("edit", name, env={"VISUAL": fake_editor(tmp_path, "sys.exit(3)\n")})
    assert result.exit_code == 1
    assert list(user_dir.iterdir()) == []


def test_edit_falls_back_like_git_when_no_editor_is_set(user_dir: Path, tmp_path: Path) -> None:
    """With neither $VISUAL nor $EDITOR (or both empty), the first of editor, sensible-editor, nano, vi on PATH opens."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    marker = tmp_path / "ran"
    nano = bin_dir / "nano"
    nano.write_text(f"#!/bin/sh\necho \"$1\" > {shlex.quote(str(marker))}\n", encoding="utf-8")
    nano.chmod(0o755)
    result = run("edit", "evening-calm", env={"VISUAL": "", "EDITOR": None, "PATH": str(bin_dir)})
    assert result.exit_code == 0, result.output
    assert marker.read_text(encoding="utf-8").strip() == str(user_dir / "evening-calm.yaml")


def test_edit_without_any_editor_exits_1(user_dir: Path, tmp_path: Path) -> None:
    """No variable set and no usual editor on PATH: exit 1 with one line naming the file."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("edit", "evening-calm", env={"VISUAL": None, "EDITOR": None, "PATH": str(empty)})
    assert result.exit_code == 1
    assert result.stderr == (
        "headrub: no editor found: set $VISUAL or $EDITOR, or install nano or vi "
        f"(the routine is at {user_dir / 'evening-calm.yaml'})\n"
    )


def test_edit_offers_to_reopen_after_an_invalid_edit(
    user_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal, an invalid edit shows the problem and reopens the file when the answer is yes."""
    from headrub.commands import authoring_cmd

    path = user_dir / "evening-calm.yaml"
    path.write_text(GOOD, encoding="utf-8")
    count = tmp_path / "count"
    body = (
        f"import os\nc = {str(count)!r}\nn = int(open(c).read()) if os.path.exists(c) else 0\n"
        "open(c, 'w').write(str(n + 1))\n"
        "text = open(path).read()\n"
        "open(path, 'w').write(text + 'bogus: 1\\n' if n == 0 else text.replace('bogus: 1\\n', ''))\n"
    )
    monkeypatch.setattr(authoring_cmd, "_can_ask", lambda: True)
    result = CliRunner().invoke(app, ["edit", "evening-calm"], env={"VISUAL": fake_editor(tmp_path, body)}, input="\n")
    assert result.exit_code == 0, result.output
    assert "unknown key 'bogus'" in result.stderr
    assert count.read_text() == "2"
    assert path.read_text(encoding="utf-8") == GOOD


def test_edit_declining_to_reopen_keeps_the_file_and_exits_2(
    user_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answering no after an invalid edit keeps what was written and exits 2."""
    from headrub.commands import authoring_cmd

    path = user_dir / "evening-calm.yaml"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.setattr(authoring_cmd, "_can_ask", lambda: True)
    editor = fake_editor(tmp_path, "open(path, 'a').write('bogus: 1\\n')\n")
    result = CliRunner().invoke(app, ["edit", "evening-calm"], env={"VISUAL": editor}, input="n\n")
    assert result.exit_code == 2
    assert path.read_text(encoding="utf-8") == GOOD + "bogus: 1\n"


def test_edit_with_a_missing_editor_exits_1(user_dir: Path, tmp_path: Path) -> None:
    """An editor that cannot be started exits 1 with one line."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    result = run("edit", "evening-calm", env={"VISUAL": str(tmp_path / "no-such-editor")})
    assert result.exit_code == 1
    assert result.stderr.startswith("headrub: cannot start the editor")
    assert len(result.stderr.splitlines()) == 1


def test_edit_with_unbalanced_quotes_in_editor_exits_1(user_dir: Path) -> None:
    """An $EDITOR that is not a valid shell word list exits 1, not a traceback."""
    (user_dir / "evening-calm.yaml").write_text(GOOD, encoding="utf-8")
    result = run("edit", "evening-calm", env={"VISUAL": "vim 'unclosed"})
    assert result.exit_code == 1
    assert result.stderr.startswith("headrub: cannot start the editor")


def test_edit_when_the_editor_fails_exits_1(user_dir: Path, tmp_path: Path) -> None:
    """An editor exiting non-zero exits 1 and leaves the file as it is."""
    path = user_dir / "evening-calm.yaml"
    path.write_text(GOOD, encoding="utf-8")
    result = run("edit", "evening-calm", env={"VISUAL": fake_editor(tmp_path, "sys.exit(3)\n")})
    assert result.exit_code == 1
    assert "exited with status 3" in result.stderr
    assert path.read_text(encoding="utf-8") == GOOD


def test_edit_unknown_routine_exits_2(user_dir: Path) -> None:
    """Editing a routine that does not exist exits 2 and points at ``headrub new``."""
    result = run("edit", "no-such-routine", env={"VISUAL": "true"})
    assert result.exit_code == 2
    assert "'headrub new no-such-routine' makes a new one" in result.stderr


def test_edit_invalid_name_exits_2() -> None:
    """Editing an invalid name exits 2."""
    result = run("edit", "Bad Name", env={"VISUAL": "true"})
    assert result.exit_code == 2
    assert "is not a routine name" in result.stderr


# --- version and help -----------------------------------------------------------------------------------------------


def test_version_reads_the_installed_metadata() -> None:
    """``--version`` prints the version from importlib.metadata."""
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"headrub {version('headrub')}\n"


def command_paths() -> list[tuple[str, ...]]:
    """Every command path of the app, groups included (``journal``, ``journal add``, ...)."""
    paths: list[tuple[str, ...]] = [()]

    def walk(command: Any, prefix: tuple[str, ...]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            paths.append((*prefix, name))
            walk(sub, (*prefix, name))

    walk(typer.main.get_command(app), ())
    return paths


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "headrub")
def test_help_on_every_command(path: tuple[str, ...]) -> None:
    """``--help`` works on every command and names it in the usage line."""
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    usage = result.stdout.splitlines()[0].split()
    assert usage[1 : 2 + len(path)] == ["headrub", *path]  # the first line is the usage, naming the command


def test_routine_commands_are_registered() -> None:
    """list, show, validate, schema, new and edit are all commands of the app."""
    names = {p[0] for p in command_paths() if len(p) == 1}
    assert {"list", "show", "validate", "schema", "new", "edit"} <= names


# --- terminal injection (issue 7 item 5) -------------------------------------------------------------------------------

HOSTILE: dict[str, Any] = {
    "title": "Evil \x1b]0;title\x07 [red]x[/red] \u202egnp.exe\u202c",
    "summary": "clear \x1b[2J now [link=http://x]y[/link]",
    "tags": ["\x1b[31mred", "[bold]b[/bold]", "\u2067iso\u2069"],
    "cautions": ["stop \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ \u202eright-to-left", "\x9b2J c1 csi"],
    "strokes": [
        {
            "area": "crown \x1b[2J\x1b[H [red]x[/red]",
            "technique": "circles",
            "duration": 30,
            "cue": "[link=http://x]y[/link] \x1b]0;title\x07 \u200f\u202e",
        }
    ],
}


@pytest.fixture
def hostile_routine(user_dir: Path) -> Path:
    """A user routine whose every text field carries escapes, Rich markup and bidi controls."""
    path = user_dir / "evil.yaml"
    path.write_text(yaml.safe_dump(HOSTILE), encoding="utf-8")
    return path


def assert_inert(output: str) -> None:
    """No ESC, BEL, C1 CSI or bidi control reached the output."""
    assert ESC not in output
    assert BEL not in output
    assert "\x9b" not in output
    for ch in BIDI:
        assert ch not in output, f"bidi control U+{ord(ch):04X} in output"


@pytest.mark.parametrize("terminal", [False, True], ids=["plain", "rich"])
@pytest.mark.parametrize("command", [["list"], ["show", "evil"]], ids=["list", "show"])
def test_injection_is_shown_inert(
    hostile_routine: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool, command: list[str]
) -> None:
    """list and show print no escape, BEL or bidi characters, and Rich markup literally (plain and Rich)."""
    if terminal:
        monkeypatch.setattr("headrub.output.is_terminal", lambda stream=None: True)
    # color=True stops the runner from stripping ANSI itself, so only headrub's own sanitising is tested.
    result = run(*command, color=True, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert_inert(result.stdout)
    assert "[red]x[/red]" in result.stdout
    if command[0] == "show":
        assert "[link=http://x]y[/link]" in result.stdout


@pytest.mark.parametrize("command", [["list", "--json"], ["show", "evil", "--json"]], ids=["list", "show"])
def test_injection_json_carries_exact_text(hostile_routine: Path, command: list[str]) -> None:
    """``--json`` carries the exact text, escapes and all (JSON-escaped, so still inert on a terminal)."""
    result = run(*command, color=True)
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout and BEL not in result.stdout
    data = json.loads(result.stdout)
    routine = next(r for r in data if r["name"] == "evil") if isinstance(data, list) else data
    assert routine["title"] == HOSTILE["title"]
    assert routine["tags"] == HOSTILE["tags"]
    if "strokes" in routine and isinstance(routine["strokes"], list):
        assert routine["summary"] == HOSTILE["summary"]
        assert routine["cautions"] == HOSTILE["cautions"]
        assert routine["strokes"][0]["area"] == HOSTILE["strokes"][0]["area"]
        assert routine["strokes"][0]["cue"] == HOSTILE["strokes"][0]["cue"]


def test_injection_in_problem_messages_is_inert(tmp_path: Path) -> None:
    """Escapes in unknown keys and values are quoted in validate's messages, never sent raw."""
    path = tmp_path / "evil.yaml"
    path.write_text(
        'title: t\n"\\e]0;pwn\\a\\u202e": 1\nstrokes:\n  - area: x\n    duration: 3\n    technique: "\\e[2J"\n',
        encoding="utf-8",
    )
    result = run("validate", str(path), color=True)
    assert result.exit_code == 2
    assert len(result.stdout.splitlines()) == 2
    assert_inert(result.stdout)


# --- found in review --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["yes", "on", "null", "123", "0x1f"])
def test_new_with_a_yaml_word_for_a_name_writes_a_valid_routine(name: str) -> None:
    """`new yes` (or on, null, 123) quotes the title so the template still validates."""
    result = run("new", name)
    assert result.exit_code == 0, result.stderr
    assert run("validate", result.stdout.strip()).exit_code == 0


def test_new_from_a_utf16_routine_copies_its_bytes(isolated_dirs: tuple[Path, Path]) -> None:
    """`new --from` a routine saved as UTF-16 copies it byte for byte, no traceback."""
    folder = isolated_dirs[0] / "routines"
    folder.mkdir(parents=True)
    source = folder / "wide.yaml"
    source.write_bytes("title: Wide\nstrokes:\n  - {area: temples, duration: 5}\n".encode("utf-16"))
    result = run("new", "copy-of-wide", "--from", "wide")
    assert result.exit_code == 0, result.stderr
    assert Path(result.stdout.strip()).read_bytes() == source.read_bytes()


def test_validate_reports_a_file_name_that_is_not_a_routine_name(tmp_path: Path) -> None:
    """A valid routine in My_Evening.yaml is a located problem: list and start could never find it by name."""
    path = tmp_path / "My_Evening.yaml"
    path.write_text("title: Evening\nstrokes:\n  - {area: temples, duration: 5}\n")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert result.stdout.startswith(f"{path}:1:1: the file name 'My_Evening' is not a routine name")


def test_validate_an_unreadable_folder_is_a_located_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that cannot be listed is PATH:1:1 with the reason and exit 2, not an output error."""
    folder = tmp_path / "locked"
    folder.mkdir()
    real = Path.iterdir

    def refuse(self: Path) -> Any:
        if self == folder:
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    result = run("validate", str(folder))
    assert result.exit_code == 2
    assert result.stdout.strip() == f"{folder}:1:1: cannot read this folder: Permission denied"


def test_validate_sanitizes_file_names(tmp_path: Path) -> None:
    """A file name holding an OSC sequence is printed without its escape characters."""
    path = tmp_path / "\x1b]2;pwned\x07x.yaml"
    path.write_text("title: [unclosed\n")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
