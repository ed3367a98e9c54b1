"""The config file (``<config>/config.yaml``), its precedence under flags, and ``headrub config``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from headrub import config, output
from headrub.cli import app
from headrub.commands import start_cmd
from headrub.commands.start_cmd import Sound
from headrub.config import Setting, effective, load_config, week_start_index, with_flags
from headrub.errors import ConfigFileError

runner = CliRunner()

# The voice and sound settings (issue 12), at their defaults.
SPEECH_DEFAULTS: dict[str, object] = {
    "speech_rate": 150, "speech_voice": "", "volume": 100, "next_warning": 5, "lead_in": 5, "quiet": "auto",
}

LOCATED = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<message>.+)$")


@pytest.fixture
def config_file(isolated_dirs: tuple[Path, Path]) -> Path:
    """Where the config file goes (its folder exists; the file does not yet)."""
    folder = isolated_dirs[0]
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "config.yaml"


def write(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 and return the path."""
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str) -> Any:
    """Run ``headrub ARGS`` in-process."""
    return runner.invoke(app, list(args))


def problems_of(stderr: str) -> list[re.Match[str]]:
    """Every stderr line as a located problem; fails if any line is not one."""
    lines = stderr.splitlines()
    matches = [LOCATED.match(line) for line in lines]
    assert lines and all(matches), stderr
    return [m for m in matches if m is not None]


# --- defaults and the file ----------------------------------------------------------------------


def test_defaults_without_a_file(config_file: Path) -> None:
    """No config file: every setting at its default, sourced "default"."""
    assert not config_file.exists()
    settings = load_config()
    assert {k: s.value for k, s in settings.items()} == {
        "sound": "bell",
        "voice": False,
        "tick": False,
        "prompts": True,
        "week_start": "monday",
        **SPEECH_DEFAULTS,
    }
    assert {s.source for s in settings.values()} == {"default"}
    assert effective() == settings


def test_no_config_folder_at_all(isolated_dirs: tuple[Path, Path]) -> None:
    """A config folder that does not exist yet is no error either."""
    assert not isolated_dirs[0].exists()
    assert load_config() == config.defaults()


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file_is_all_defaults(config_file: Path, text: str) -> None:
    """An empty (or comment-only, or null) file gives the defaults."""
    write(config_file, text)
    assert load_config() == config.defaults()


def test_each_setting_from_the_file_with_its_line(config_file: Path) -> None:
    """Every setting can be set, and its source names the file and the line."""
    write(config_file, "# mine\nsound: chime\nvoice: true\ntick: yes\nprompts: false\nweek_start: sunday\n")
    settings = load_config()
    assert {k: s.value for k, s in settings.items()} == {
        "sound": "chime",
        "voice": True,
        "tick": True,
        "prompts": False,
        "week_start": "sunday",
        **SPEECH_DEFAULTS,
    }
    for line, name in enumerate(("sound", "voice", "tick", "prompts", "week_start"), start=2):
        assert settings[name].source == f"config file ({config_file}:{line})"


def test_partial_file_keeps_other_defaults(config_file: Path) -> None:
    """Settings the file leaves out stay at their defaults."""
    write(config_file, "sound: none\n")
    settings = load_config()
    assert settings["sound"] == Setting("sound", "none", f"config file ({config_file}:1)")
    assert settings["voice"] == Setting("voice", False, "default")


def test_choices_ignore_letter_case(config_file: Path) -> None:
    """``Sunday`` and ``CHIME`` read as ``sunday`` and ``chime``."""
    write(config_file, "week_start: Sunday\nsound: CHIME\n")
    settings = load_config()
    assert settings["week_start"].value == "sunday"
    assert settings["sound"].value == "chime"


def test_explicit_path(tmp_path: Path) -> None:
    """``load_config(path)`` reads that file instead of the default one."""
    other = write(tmp_path / "elsewhere.yaml", "tick: true\n")
    assert load_config(other)["tick"].value is True
    assert load_config(tmp_path / "missing.yaml") == config.defaults()


@pytest.mark.parametrize(
    ("day", "index"), [("monday", 0), ("tuesday", 1), ("wednesday", 2), ("saturday", 5), ("sunday", 6)]
)
def test_week_start_index(config_file: Path, day: str, index: int) -> None:
    """``week_start_index`` numbers the first day like ``date.weekday()`` (0 is Monday)."""
    write(config_file, f"week_start: {day}\n")
    assert week_start_index(load_config()) == index


def test_week_start_index_default() -> None:
    """Without a week_start setting, the week starts on Monday."""
    assert week_start_index(config.defaults()) == 0
    assert week_start_index({}) == 0


def test_with_flags_marks_flag_sources() -> None:
    """A given flag wins with source "flag"; a flag left out (None) changes nothing."""
    merged = with_flags(config.defaults(), sound="none", voice=None, tick=True)
    assert merged["sound"] == Setting("sound", "none", "flag")
    assert merged["voice"] == Setting("voice", False, "default")
    assert merged["tick"] == Setting("tick", True, "flag")


# --- precedence through start ------------------------------------------------------------------


def test_start_settings_flag_over_file_over_default(config_file: Path) -> None:
    """``start``'s settings: a flag beats the file, the file beats the default."""
    write(config_file, "sound: chime\nvoice: true\ntick: true\n")
    from_file = start_cmd._settings(None, None, None, False)
    assert (from_file["sound"], from_file["voice"], from_file["tick"]) == ("chime", True, True)
    assert from_file["no_prompt"] is False

    flagged = start_cmd._settings(Sound.none, False, None, False)
    assert (flagged["sound"], flagged["voice"], flagged["tick"]) == ("none", False, True)


def test_start_settings_defaults_without_file(config_file: Path) -> None:
    """Without a file, ``start`` uses the defaults (bell, no voice, no tick, questions on)."""
    settings = start_cmd._settings(None, None, None, False)
    assert (settings["sound"], settings["voice"], settings["tick"], settings["no_prompt"]) == (
        "bell",
        False,
        False,
        False,
    )


def test_prompts_false_in_file_means_no_prompt(config_file: Path) -> None:
    """``prompts: false`` asks no questions, as ``--no-prompt`` does; the flag alone does too."""
    write(config_file, "prompts: false\n")
    assert start_cmd._settings(None, None, None, False)["no_prompt"] is True
    write(config_file, "prompts: true\n")
    assert start_cmd._settings(None, None, None, False)["no_prompt"] is False
    assert start_cmd._settings(None, None, None, True)["no_prompt"] is True


# --- headrub config ------------------------------------------------------------------------------


def test_config_command_plain_defaults(config_file: Path) -> None:
    """Piped, ``headrub config`` prints ``name = value  (source)`` lines and the file's state."""
    result = invoke("config")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "sound = bell  (default)",
        "voice = false  (default)",
        "tick = false  (default)",
        "prompts = true  (default)",
        "week_start = monday  (default)",
    ]
    assert lines[5:11] == [
        "speech_rate = 150  (default)",
        'speech_voice = ""  (default)',
        "volume = 100  (default)",
        "next_warning = 5  (default)",
        "lead_in = 5  (default)",
        "quiet = auto  (default)",
    ]
    assert lines[11] == f"config file: {config_file} (not created yet; the defaults apply)"
    assert lines[12] == f"routines folder: {config_file.parent / 'routines'} (not created yet; made when first needed)"
    assert "\x1b[" not in result.stdout


def test_config_command_shows_file_and_flag_sources(config_file: Path) -> None:
    """``headrub config`` names the file line each value came from, and a flag over it."""
    write(config_file, "sound: chime\nvoice: true\n")
    result = invoke("config", "--no-voice", "--tick")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"sound = chime  (config file ({config_file}:1))" in lines
    assert "voice = false  (flag)" in lines
    assert "tick = true  (flag)" in lines
    assert "prompts = true  (default)" in lines
    assert f"config file: {config_file} (exists)" in lines


def test_config_command_sound_flag_beats_file(config_file: Path) -> None:
    """``--sound`` and ``--no-prompt`` on ``headrub config`` show what ``start`` would use."""
    write(config_file, "sound: chime\nprompts: true\n")
    data = json.loads(invoke("config", "--json", "--sound", "none", "--no-prompt").stdout)
    assert data["sound"] == {"value": "none", "source": "flag"}
    assert data["prompts"] == {"value": False, "source": "flag"}


def test_config_json(config_file: Path) -> None:
    """``--json``: each setting's value and source, plus the file's path, on stdout only."""
    write(config_file, "week_start: saturday\n")
    result = invoke("config", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["path"] == str(config_file)
    assert data["exists"] is True
    assert data["week_start"] == {"value": "saturday", "source": f"config file ({config_file}:1)"}
    assert data["sound"] == {"value": "bell", "source": "default"}
    assert data["voice"] == {"value": False, "source": "default"}
    assert set(data) == {*config.SETTINGS, "path", "exists", "folders"}


def test_config_path(config_file: Path) -> None:
    """``--path`` prints only the config file's path."""
    result = invoke("config", "--path")
    assert result.exit_code == 0
    assert result.stdout == f"{config_file}\n"


def test_config_path_works_with_a_broken_file(config_file: Path) -> None:
    """``--path`` still answers when the file is invalid: that is when it is needed."""
    write(config_file, "sound: gong\n")
    result = invoke("config", "--path")
    assert result.exit_code == 0
    assert result.stdout == f"{config_file}\n"


def test_config_table_on_a_terminal(config_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal ``headrub config`` draws a table with the same values, sources and path."""
    monkeypatch.setattr(output, "is_terminal", lambda stream=None: True)
    write(config_file, "tick: true\n")
    result = invoke("config")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "setting" in text and "value" in text and "from" in text
    tick_row = next(line for line in text.splitlines() if "tick" in line)
    assert "true" in tick_row and "config file" in tick_row
    assert "exists" in text
    assert " = " not in text  # not the plain form


# --- invalid files -------------------------------------------------------------------------------

INVALID: list[tuple[str, bytes, list[tuple[int, int, str]]]] = [
    ("unknown key", b"sond: bell\n", [(1, 1, "unknown key 'sond' — did you mean 'sound'?")]),
    ("unknown key, no match", b"colour: red\n", [(1, 1, "unknown key 'colour' (expected one of: sound,")]),
    ("wrong type", b"voice: loud\n", [(1, 8, "voice: expected true or false, found the text 'loud'")]),
    ("number for a switch", b"tick: 1\n", [(1, 7, "tick: expected true or false, found the number 1")]),
    (
        "bad value",
        b"sound: gong\n",
        [(1, 8, "sound: unknown value 'gong' (expected one of: bell, chime, none)")],
    ),
    ("misspelt value", b"sound: chim\n", [(1, 8, "sound: unknown value 'chim' — did you mean 'chime'?")]),
    (
        "bad weekday",
        b"week_start: sundy\n",
        [(1, 13, "week_start: unknown value 'sundy' — did you mean 'sunday'?")],
    ),
    ("list for a choice", b"sound: [bell]\n", [(1, 8, "sound: expected text, found a list")]),
    ("null value", b"sound:\n", [(1, 7, "sound: expected text, found nothing (null)")]),
    ("duplicate key", b"tick: true\ntick: false\n", [(2, 1, "tick: appears twice")]),
    ("yaml syntax", b"sound: [bell\n", [(2, 1, "YAML syntax error")]),
    ("tab indentation", b"sound: bell\n\tvoice: true\n", [(2, 1, "YAML syntax error")]),
    (
        "non-mapping list",
        b"- sound\n- bell\n",
        [(1, 1, "expected a mapping of keys to values, found a list")],
    ),
    ("non-mapping text", b"loud\n", [(1, 1, "expected a mapping of keys to values, found the text 'loud'")]),
    ("bad utf-8", b"sound: bell\nvoice: \xff\n", [(2, 8, "not valid UTF-8 (byte 0xff)")]),
    ("over 64 KiB", b"# " + b"x" * (64 * 1024) + b"\n", [(1, 1, "the file is over 64 KiB")]),
    (
        "python tag",
        b"sound: !!python/name:os.system bell\n",
        [(1, 8, "the tag tag:yaml.org,2002:python/name:os.system is not allowed (the config is plain YAML)")],
    ),
    ("two documents", b"sound: bell\n---\ntick: true\n", [(2, 1, "a config file holds one YAML document")]),
    ("sound off", b"sound: off\n", [(1, 8, "sound: for no sound write 'sound: none'")]),
    ("sound 'off' quoted", b"sound: 'Off'\n", [(1, 8, "sound: for no sound write 'sound: none'")]),
    ("sound no", b"sound: no\n", [(1, 8, "sound: for no sound write 'sound: none'")]),
    (
        "several problems, in file order",
        b"voice: loud\nsond: bell\nsound: gong\n",
        [(1, 8, "voice: expected true"), (2, 1, "unknown key 'sond'"), (3, 8, "sound: unknown value 'gong'")],
    ),
]


@pytest.mark.parametrize(
    ("content", "expected"), [(c, e) for _, c, e in INVALID], ids=[i for i, _, _ in INVALID]
)
def test_invalid_config_is_a_located_error(
    config_file: Path, content: bytes, expected: list[tuple[int, int, str]]
) -> None:
    """Each kind of invalid config raises ``ConfigFileError`` with one located problem per fault."""
    config_file.write_bytes(content)
    with pytest.raises(ConfigFileError) as caught:
        load_config()
    found = caught.value.problems
    assert [(p.line, p.column) for p in found] == [(line, col) for line, col, _ in expected]
    for problem, (_, _, message) in zip(found, expected, strict=True):
        assert problem.path == str(config_file)
        assert problem.message.startswith(message), problem.message
        assert "\n" not in problem.message


@pytest.mark.parametrize(
    ("content", "expected"), [(c, e) for _, c, e in INVALID], ids=[i for i, _, _ in INVALID]
)
def test_invalid_config_through_headrub_config(
    config_file: Path, content: bytes, expected: list[tuple[int, int, str]]
) -> None:
    """``headrub config`` with an invalid file: exit 2, one bare ``PATH:LINE:COL: message`` per problem."""
    config_file.write_bytes(content)
    result = invoke("config")
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    matches = problems_of(result.stderr)
    assert len(matches) == len(expected)
    for match, (line, col, message) in zip(matches, expected, strict=True):
        assert match["path"] == str(config_file)
        assert (int(match["line"]), int(match["col"])) == (line, col)
        assert match["message"].startswith(message)
    assert "Traceback" not in result.output


def test_config_folder_instead_of_file(config_file: Path) -> None:
    """A folder where the config file should be is a located error, not a crash."""
    config_file.mkdir()
    result = invoke("config")
    assert result.exit_code == 2
    assert result.stderr == f"{config_file}:1:1: is a folder, not a config file\n"


def test_start_with_a_broken_config_fails_before_the_session(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``start`` with an invalid config exits 2 with the located line; no session begins."""

    def no_session(*args: Any, **kwargs: Any) -> int:
        raise AssertionError("a session began despite a broken config")

    monkeypatch.setattr(start_cmd, "_run", no_session)
    write(config_file, "sound: gong\n")
    result = invoke("start", "desk-reset", "--no-prompt", "--no-journal")
    assert result.exit_code == 2, result.output
    assert (
        result.stderr
        == f"{config_file}:1:8: sound: unknown value 'gong' (expected one of: bell, chime, none)\n"
    )
    assert result.stdout == ""


def test_start_with_a_broken_config_even_with_every_flag(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flags for every setting do not hide an invalid file: it is still exit 2."""
    monkeypatch.setattr(start_cmd, "_run", lambda *a, **k: pytest.fail("a session began"))
    write(config_file, "voice: loud\n")
    result = invoke(
        "start", "desk-reset", "--no-prompt", "--no-journal", "--sound", "none", "--no-voice", "--no-tick"
    )
    assert result.exit_code == 2, result.output
    assert [m["message"] for m in problems_of(result.stderr)] == [
        "voice: expected true or false, found the text 'loud'"
    ]


def test_a_fifo_in_place_of_the_config_does_not_hang(isolated_dirs: tuple[Path, Path]) -> None:
    """config.yaml being a FIFO with no writer reads as empty (the defaults) instead of blocking."""
    import os

    isolated_dirs[0].mkdir(parents=True, exist_ok=True)
    os.mkfifo(isolated_dirs[0] / "config.yaml")
    from headrub.config import load_config

    assert load_config()["sound"].value == "bell"


# --- the folders ------------------------------------------------------------------------------------


def test_config_shows_the_three_folders_and_their_state(
    isolated_dirs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Routines, journal and cache folders: where each is, whether it exists and can be written."""
    config_dir, data_dir = isolated_dirs
    (config_dir / "routines").mkdir(parents=True)
    cache_parent = tmp_path / "blocked"
    cache_parent.write_text("a file where a folder should be", encoding="utf-8")
    monkeypatch.setenv("HEADRUB_CACHE_DIR", str(cache_parent / "cache"))
    lines = invoke("config").stdout.splitlines()
    assert f"routines folder: {config_dir / 'routines'} (exists, writable)" in lines
    assert f"journal folder: {data_dir} (not created yet; made when first needed)" in lines
    assert f"cache folder: {cache_parent / 'cache'} (cannot be created ({cache_parent} is not a folder))" in lines
    folders = json.loads(invoke("config", "--json").stdout)["folders"]
    assert folders["routines"] == {"path": str(config_dir / "routines"), "exists": True, "writable": True}
    assert folders["journal"] == {"path": str(data_dir), "exists": False, "writable": True}
    assert folders["cache"] == {"path": str(cache_parent / "cache"), "exists": False, "writable": False}


def test_the_cache_folder_defaults_to_the_platform_s(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without $HEADRUB_CACHE_DIR the cache is platformdirs' user cache folder."""
    import platformdirs

    from headrub import paths

    monkeypatch.delenv("HEADRUB_CACHE_DIR", raising=False)
    assert paths.cache_dir() == Path(platformdirs.user_cache_dir("headrub"))


def test_config_folders_on_a_narrow_terminal(isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """At 40 columns the folders are stacked, each path whole on its own line."""
    monkeypatch.setattr(output, "is_terminal", lambda stream=None: True)
    monkeypatch.setenv("HEADRUB_CACHE_DIR", "/c")
    result = CliRunner().invoke(app, ["config"], env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    assert "  /c" in [line.rstrip() for line in result.stdout.splitlines()]
    assert all(len(line.rstrip()) <= 40 for line in result.stdout.splitlines())
