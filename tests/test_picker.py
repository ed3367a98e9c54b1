"""``headrub start`` with no name: the picker's choice as a state machine, and the usage error without a terminal."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from headrub.cli import app
from headrub.picker import Picker, _decode, last_used, ordered

NAMES = ["desk-reset", "head-spa", "scalp-sleep", "wake-up"]


def test_enter_takes_the_first_name() -> None:
    """Enter at once starts the first routine offered (the last one used)."""
    picker = Picker(NAMES)
    picker.press("\r")
    assert (picker.done, picker.chosen) == (True, "desk-reset")


def test_arrows_move_and_stop_at_the_ends() -> None:
    """Down and up move the highlight and never past either end."""
    picker = Picker(NAMES)
    for key in ("\x1b[B", "\x1b[B", "\x1b[B", "\x1b[B", "\x1b[B", "\x1b[A"):
        picker.press(key)
    picker.press("\r")
    assert picker.chosen == "scalp-sleep"


def test_typing_filters_and_backspace_widens() -> None:
    """Typed letters keep the names holding them in order, prefixes first; Backspace un-types."""
    picker = Picker(NAMES)
    for key in "sl":
        picker.press(key)
    assert picker.matches == ["scalp-sleep"]
    picker.press("\x7f")
    assert picker.matches[0] == "scalp-sleep" and "desk-reset" in picker.matches
    picker.press("\r")
    assert picker.chosen == "scalp-sleep"


def test_escape_cancels_and_enter_with_no_match_does_nothing() -> None:
    """No match: Enter waits; Esc cancels with nothing chosen."""
    picker = Picker(NAMES)
    for key in "zzz\r":
        picker.press(key)
    assert not picker.done
    assert picker.lines(5)[-1] == "  (no routine matches)"
    picker.press("\x1b")
    assert (picker.done, picker.chosen) == (True, None)


def test_a_name_holding_the_typed_text_whole_comes_before_scattered_letters() -> None:
    """Typing "sle" offers sleepy (a prefix), scalp-sleep (holds it whole), slow-breathing (begins with s), then
    neck-and-shoulders (s…l…e scattered)."""
    picker = Picker(["neck-and-shoulders", "scalp-sleep", "slow-breathing", "sleepy"])
    for key in "sle":
        picker.press(key)
    assert picker.matches == ["sleepy", "scalp-sleep", "slow-breathing", "neck-and-shoulders"]


def test_what_was_typed_shows_on_a_40_column_terminal() -> None:
    """The filter typed so far is within the first 39 cells of the prompt, where a 40-column terminal cuts it."""
    picker = Picker(NAMES)
    for key in "sle":
        picker.press(key)
    assert "sle" in picker.lines(5)[0][:39]
    assert Picker(NAMES).lines(5)[0].startswith("Start which routine? (")


def test_the_list_scrolls_to_keep_the_highlight_in_view() -> None:
    """With room for two rows, moving to the third name shows the second and third."""
    picker = Picker(NAMES)
    picker.press("\x1b[B")
    picker.press("\x1b[B")
    assert picker.lines(2)[1:] == ["  head-spa", "› scalp-sleep"]


def test_keys_in_one_read_are_split() -> None:
    """An arrow's escape sequence is one key; letters are one each."""
    assert _decode(b"a\x1b[Bb\r") == ["a", "\x1b[B", "b", "\r"]
    assert _decode(b"\x1b") == ["\x1b"]


def test_the_last_used_routine_comes_first(tmp_path: Path) -> None:
    """The last journal line's routine is offered first; a torn last line is skipped."""
    journal = tmp_path / "journal.jsonl"
    lines = [json.dumps({"routine": "wake-up"}), json.dumps({"routine": "head-spa"}), '{"routine": "sca']
    journal.write_text("\n".join(lines), encoding="utf-8")
    assert last_used(journal) == "head-spa"
    assert ordered(NAMES, "head-spa") == ["head-spa", "desk-reset", "scalp-sleep", "wake-up"]
    assert ordered(NAMES, "gone") == NAMES
    assert last_used(tmp_path / "missing.jsonl") is None


def test_the_last_used_is_the_latest_timed_session_of_a_routine_offered(tmp_path: Path) -> None:
    """Not the file's last line: a back-dated or merged older session, a hand-logged one, a correction and a
    name that is no routine are passed over for the timed session that started last."""
    def line(routine: str, started: str, source: str = "timer", **extra: str) -> str:
        return json.dumps({"v": 1, "routine": routine, "started_at": started, "source": source, **extra})

    journal = tmp_path / "journal.jsonl"
    journal.write_text(
        "\n".join([
            line("head-spa", "2026-10-01T07:00:00"),  # naive first: it must not stop the others counting
            line("wake-up", "2026-11-20T07:00:00+01:00"),
            line("scalp-sleep", "2026-11-19T22:00:00+00:00"),  # merged in later, but older
            line("desk-reset", "2026-11-20T09:00:00+00:00", source="manual"),  # newer, logged by hand
            line("salon visit", "2026-11-21T09:00:00+00:00"),  # no routine to offer
            line("head-spa", "2026-11-21T09:00:00+00:00", correction="edit"),
        ]) + "\n",
        encoding="utf-8",
    )
    assert last_used(journal, NAMES) == "wake-up"
    with journal.open("a", encoding="utf-8") as more:  # a hand-made naive time (local) beside aware ones
        more.write(line("desk-reset", "2026-11-01T07:00:00") + "\n")
    assert last_used(journal, NAMES) == "wake-up"
    assert last_used(journal) == "salon visit"  # without the names, any routine name counts


MINE = "title: Picked\nstrokes:\n  - {area: temples, duration: 30}\n"


def test_start_without_a_name_and_no_terminal_lists_the_routines(isolated_dirs: tuple[Path, Path]) -> None:
    """Without a terminal, ``start`` alone is a usage error (exit 2) naming the routines, yours too."""
    (isolated_dirs[0] / "routines").mkdir(parents=True)
    (isolated_dirs[0] / "routines" / "zz-picked.yaml").write_text(MINE, encoding="utf-8")
    result = CliRunner().invoke(app, ["start"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("headrub: give the routine to start, e.g. headrub start ")
    assert "zz-picked" in line


def test_the_picker_on_a_real_terminal(tmp_path: Path) -> None:
    """In a pseudo-terminal: Esc cancels (exit 0, nothing started); typing and Enter start that routine."""
    import os
    import sys

    import pytest

    pexpect = pytest.importorskip("pexpect")
    (tmp_path / "c" / "routines").mkdir(parents=True)
    (tmp_path / "c" / "routines" / "zz-picked.yaml").write_text(MINE, encoding="utf-8")
    env = {**os.environ, "HEADRUB_DATA_DIR": str(tmp_path / "d"), "HEADRUB_CONFIG_DIR": str(tmp_path / "c"), "TERM": "xterm"}
    command = [sys.executable, "-m", "headrub.cli", "start", "--no-journal", "--yes", "--sound", "none"]
    child = pexpect.spawn(command[0], command[1:], env=env, dimensions=(24, 80), encoding="utf-8", timeout=20)
    child.expect("Start which routine")
    child.send("\x1b")
    child.expect("Not started.")
    child.expect(pexpect.EOF)
    child.wait()
    assert child.exitstatus == 0
    child = pexpect.spawn(command[0], command[1:], env=env, dimensions=(24, 80), encoding="utf-8", timeout=20)
    child.expect("Start which routine")
    child.send("zz-p")
    child.expect("› zz-picked")
    child.send("\r")
    child.expect("stroke 1 of")
    child.send("q")
    child.expect("stopped: zz-picked")
    child.expect(pexpect.EOF)
    child.wait()
    assert child.exitstatus == 0
