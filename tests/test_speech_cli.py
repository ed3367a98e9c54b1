"""The speech features from outside: show --json/--spoken, validate's fit warnings, settings, frames."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from typer.testing import CliRunner

from headrub import paths
from headrub.cli import app
from headrub.clock import FakeClock
from headrub.config import load_config
from headrub.display import lead_in_line, render_frame, render_lead_in
from headrub.errors import ConfigFileError
from headrub.routine import Routine, Stroke
from headrub.session import Session

runner = CliRunner()
BUILT_IN = sorted(p.stem for p in paths.builtin_routines_dir().glob("*.yaml"))
LONG_SAY = "Put both hands flat on the crown of the head and circle them very slowly while breathing out long."


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("name", BUILT_IN)
def test_show_json_gives_every_stroke_its_spoken_line(name: str) -> None:
    """Every built-in stroke has a non-empty ``spoken`` that says more than its area."""
    result = invoke("show", name, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for row in data["strokes"]:
        assert row["spoken"] and row["spoken"].lower() != row["area"].lower() + "."
        if row["cue"]:
            assert len(row["spoken"].split()) > len(row["area"].split()) + 2


def test_show_spoken_prints_a_timed_transcript() -> None:
    """``show --spoken``: mm:ss then a quoted phrase or a bracketed chime; the sleep routine is quiet."""
    result = invoke("show", "scalp-sleep", "--spoken")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "quiet" in lines[0]
    assert lines[1].startswith('-00:05  "Get ready. First: top of the head.')
    assert all(re.match(r'^-?\d\d:\d\d  ("[^"]+"|\[[a-z ,]+\])$', line) for line in lines[1:]), lines
    assert '00:25  "Next: front hairline."' in lines
    assert lines[-1] == "10:00  [end chime, fading]"
    assert not any("Ten seconds" in line or "Halfway" in line for line in lines)


def test_show_spoken_follows_the_config(isolated_dirs: tuple[Path, Path]) -> None:
    """next_warning 0 and lead_in 0 in the config: no "Next:" and no get-ready in the transcript."""
    config = isolated_dirs[0]
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text("next_warning: 0\nlead_in: 0\nquiet: false\nspeech_rate: 200\n")
    result = invoke("show", "scalp-sleep", "--spoken", "--json")
    assert result.exit_code == 0, result.output
    texts = [h["text"] for h in json.loads(result.stdout) if h["text"]]
    assert not any(t.startswith(("Next:", "Get ready")) for t in texts)
    assert "Session complete." in texts and "Halfway." in texts


def test_validate_warns_when_the_spoken_line_outlasts_half_the_stroke(tmp_path: Path) -> None:
    """A say: too long for its stroke is a located warning on stdout, beside the problems; still ok (exit 0)."""
    path = tmp_path / "long-one.yaml"
    path.write_text(f"title: Long\nstrokes:\n  - area: crown\n    duration: 6\n    say: {LONG_SAY}\n")
    result = invoke("validate", str(path))
    assert result.exit_code == 0, result.output
    ok, warning = result.stdout.splitlines()
    assert ok.startswith(f"{path}: ok")
    assert warning.startswith(f"{path}:5:10: warning: strokes[0]: its spoken line takes about")
    assert "shorten its say:" in warning


def test_the_built_in_routines_validate_without_fit_warnings() -> None:
    """Every built-in stroke's spoken line fits in half of it at the default rate."""
    result = invoke("validate", str(paths.builtin_routines_dir()))
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_speech_settings_load_from_the_config(isolated_dirs: tuple[Path, Path]) -> None:
    """speech_rate, speech_voice, volume, next_warning, lead_in and quiet are read and located."""
    config = isolated_dirs[0]
    config.mkdir(parents=True, exist_ok=True)
    path = config / "config.yaml"
    path.write_text("speech_rate: 120\nspeech_voice: en-gb\nvolume: 40\nnext_warning: 0\nlead_in: 10\nquiet: true\n")
    values = {name: s.value for name, s in load_config(path).items()}
    assert (values["speech_rate"], values["speech_voice"], values["volume"]) == (120, "en-gb", 40)
    assert (values["next_warning"], values["lead_in"], values["quiet"]) == (0, 10, True)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("speech_rate: 20", "speech_rate: 20 is out of range: give a whole number from 80 to 450"),
        ("volume: loud", "volume: expected a whole number from 0 to 100"),
        ("lead_in: true", "lead_in: expected a whole number from 0 to 60"),
        ("speech_voice: -w /tmp/x", "speech_voice: use letters, digits"),
        ("quiet: sometimes", "quiet: expected auto, true or false"),
    ],
)
def test_bad_speech_settings_are_located_errors(isolated_dirs: tuple[Path, Path], line: str, message: str) -> None:
    """Each bad value is one located line naming the setting."""
    config = isolated_dirs[0]
    config.mkdir(parents=True, exist_ok=True)
    path = config / "config.yaml"
    path.write_text(line + "\n")
    with pytest.raises(ConfigFileError) as caught:
        load_config(path)
    assert f"{path}:1:" in str(caught.value) and message in str(caught.value)


@pytest.mark.parametrize(
    "args",
    [("--speech-rate", "20"), ("--volume", "101"), ("--lead-in", "-1"), ("--speech-voice", "-w")],
)
def test_bad_speech_flags_are_usage_errors(args: tuple[str, ...]) -> None:
    """Out-of-range or option-like values: one stderr line, exit 2, no session."""
    result = invoke("start", "scalp-sleep", "--no-prompt", "--no-journal", *args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_config_shows_the_speech_settings_with_flags() -> None:
    """``headrub config --json`` lists the voice settings with their sources."""
    result = invoke("config", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["speech_rate"] == {"value": 150, "source": "default"}
    assert data["quiet"]["value"] == "auto" and data["lead_in"]["value"] == 5


ROUTINE = Routine(
    name="demo",
    title="Demo",
    strokes=(
        Stroke(area="temples", duration=30, technique="circles", pressure="light", cue="Slow circles."),
        Stroke(area="crown", duration=30, technique="pressing"),
    ),
)


def draw(text: Text, width: int = 80) -> tuple[str, Text]:
    console = Console(width=width, height=24, color_system=None, record=True, file=io.StringIO())
    console.print(text)
    return console.export_text(), text


def frame_at(seconds: float, routine: Routine = ROUTINE) -> Text:
    clock = FakeClock()
    session = Session(routine, clock, next_warning=5)
    session.start()
    clock.advance(seconds)
    session.tick()
    return render_frame(session.snapshot(), routine, width=80, height=24)


def test_the_next_line_stands_out_in_the_last_seconds() -> None:
    """Five seconds before the change the "next" line turns to a bold, reversed "NEXT"; before that it is dim."""
    early, _ = draw(frame_at(10))
    late, text = draw(frame_at(26))
    assert "next  crown" in early and "NEXT" not in early
    assert "NEXT   crown" in late
    start = text.plain.index("NEXT")
    assert any("reverse" in str(span.style) and span.start <= start < span.end for span in text.spans)


def test_a_quiet_frame_has_no_colour() -> None:
    """In quiet mode every style is dim, bold or reverse: no colour names at all."""
    text = frame_at(10, replace(ROUTINE, quiet=True))
    colours = ("cyan", "magenta", "blue", "yellow", "red", "green")
    styles = [str(span.style) for span in text.spans] + [str(text.style)]
    assert not any(colour in style for style in styles for colour in colours if "bright_black" not in style)


def test_the_lead_in_screen_and_line() -> None:
    """The get-ready screen names the first stroke, its cue and the seconds left; the plain line too."""
    session = Session(ROUTINE, FakeClock())
    shown, _ = draw(render_lead_in(session.steps[0], ROUTINE, 4.2))
    assert "Get ready" in shown and "TEMPLES" in shown and "Slow circles." in shown and "n start now" in shown
    assert lead_in_line(session.steps[0], 5) == "get ready (5 s): temples — circles, light"


def test_the_lead_in_screen_repeats_a_missing_engine_notice() -> None:
    """A notice given before the session (no speech engine) is on the get-ready screen too."""
    session = Session(ROUTINE, FakeClock())
    notice = "No speech engine found (espeak-ng, espeak, spd-say): spoken cues are off, sounds only."
    shown, _ = draw(render_lead_in(session.steps[0], ROUTINE, 3, notices=[notice]))
    assert "No speech engine found" in shown


def test_show_and_validate_read_routines_even_with_a_broken_config(isolated_dirs: tuple[Path, Path]) -> None:
    """A config file that cannot be read is start's to report: show and validate go on with the defaults."""
    config = isolated_dirs[0]
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text("speech_rate: fast\n")
    assert invoke("show", "scalp-sleep", "--spoken").exit_code == 0
    assert invoke("validate", str(paths.builtin_routines_dir() / "scalp-sleep.yaml")).exit_code == 0


def test_the_transcript_sample_in_the_docs_is_what_show_prints() -> None:
    """Every timed line of docs/routines.md's scalp-sleep transcript is in the real output (the docs cannot drift)."""
    docs = Path(__file__).resolve().parent.parent / "docs" / "routines.md"
    if not docs.is_file():
        pytest.skip("not running from a source checkout")
    text = docs.read_text(encoding="utf-8")
    block = text.split("$ headrub show scalp-sleep --spoken\n", 1)[1].split("```", 1)[0]
    sample = [line for line in block.splitlines() if re.match(r"^-?\d\d:\d\d  ", line)]
    printed = invoke("show", "scalp-sleep", "--spoken").stdout.splitlines()
    assert len(sample) >= 6 and all(line in printed for line in sample), [s for s in sample if s not in printed]


def test_the_lead_in_screen_wraps_at_forty_columns_and_cuts_nothing() -> None:
    """At 40 columns the get-ready instruction and a long first stroke wrap at words; no line ends in a cut."""
    long = Routine(name="demo", title="Demo", strokes=(
        Stroke(area="base of the skull and the upper neck", duration=30, technique="circles", pressure="light"),
    ))
    session = Session(long, FakeClock())
    shown, _ = draw(render_lead_in(session.steps[0], long, 4.2, width=40, height=20), width=40)
    rows = [row.strip("│ ") for row in shown.splitlines()]
    assert "…" not in shown
    assert all(len(row) <= 40 for row in shown.splitlines())
    assert "Get ready: close your eyes and place" in rows and "your hands." in rows
    assert "first  BASE OF THE SKULL AND THE" in rows and "UPPER NECK" in rows
