"""Usage mistakes Typer itself catches are one line on stderr with exit 2, never a usage block."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headrub.cli import app
from headrub.loader import find_routine


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["start"], "give the routine to start"),
        (["start", "desk-reset", "--before", "11"], "--before"),
        (["start", "desk-reset", "--minutes", "0"], "--minutes"),
        (["start", "desk-reset", "--sound", "gong"], "--sound"),
        (["bogus"], "unknown command 'bogus'"),
        (["strat"], "unknown command 'strat' — did you mean"),
        (["list", "--jsn"], "--jsn"),
        (["journal", "add"], "ROUTINE is missing"),
        (["journal", "add", "x"], "--minutes is required"),
        (["list", "--jsn"], "unknown option --jsn — did you mean --json?"),
        (["start", "desk-reset", "--before"], "--before needs a value"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], needle: str) -> None:
    """Each mistake: exit 2, exactly one stderr line starting 'headrub:' and naming the problem."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("headrub: ") and needle in lines[0]
    assert result.stdout == ""


LIBRARY_WORDS = ("Input should", "Value error", "unable to parse", "Invalid value for", "is not one of", "x<=")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--before", "11", "headrub: --before: tension is a whole number from 0 (none) to 10 (worst), not '11'"),
        ("--after", "x", "headrub: --after: tension is a whole number from 0 (none) to 10 (worst), not 'x'"),
        ("--minutes", "x", "headrub: --minutes: give the session's length in minutes, more than 0 and at most 1440, e.g. --minutes 20, not 'x'"),
        ("--minutes", "-1", "headrub: --minutes: give the session's length in minutes, more than 0 and at most 1440, e.g. --minutes 20, not '-1'"),
        ("--minutes", "nan", "headrub: --minutes: give the session's length in minutes, more than 0 and at most 1440, e.g. --minutes 20, not 'nan'"),
    ],
)
def test_the_same_mistake_reads_the_same_in_start_and_journal_add(option: str, value: str, message: str) -> None:
    """A bad tension or length: the same one line, in headrub's words, from ``start`` and ``journal add``."""
    extra = [] if option == "--minutes" else ["--minutes", "5"]
    for args in (["start", "desk-reset", *extra], ["journal", "add", "desk-reset", *extra]):
        result = CliRunner().invoke(app, [*args, option, value])
        assert result.exit_code == 2
        assert result.stderr == message + "\n", args


@pytest.mark.parametrize(
    "args",
    [
        ["start", "desk-reset", "--sound", "loud"],
        ["config", "--sound", "loud"],
        ["journal", "--days", "x"],
        ["stats", "--days", "0"],
        ["journal", "add", "x", "--minutes", "5", "--before", "1.5"],
        ["start", "desk-reset", "--before", "-1"],
        ["start", "desk-reset", "--speech-voice", "x y;rm"],
        ["config", "--speech-voice", "-w"],
        ["sound-check", "--speech-voice", "v" * 200],
    ],
)
def test_bad_values_never_leak_a_library_s_wording(args: list[str]) -> None:
    """Every bad value is one headrub line naming the option, with none of Typer's or Click's phrases."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"headrub: {args[-2]}: ")
    assert not any(words in line for words in LIBRARY_WORDS)


def test_no_arguments_shows_the_help() -> None:
    """Plain `headrub` prints the help on stdout and exits 0."""
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split()[1] == "headrub"
    assert all(name in result.stdout for name in ("start", "journal", "stats", "list"))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_on_stdout_is_one_line() -> None:
    """Output that cannot be written (stdout on a full disk) is one line and exit 1, not a traceback."""
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "headrub.cli", "list"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=30, check=False)
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["headrub: cannot write the output: No space left on device"]


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    """A pipe closed by its reader (`| head`) ends quietly with status 0."""
    child = subprocess.Popen([sys.executable, "-m", "headrub.cli", "schema"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    child.stdout.read(5)
    child.stdout.close()
    assert child.wait(timeout=30) == 0
    assert child.stderr.read() == b""


def test_a_reader_that_closes_at_once_is_not_an_error() -> None:
    """`headrub list | true`: the pipe is closed before anything is written; status 0, nothing on stderr."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    done = subprocess.run([sys.executable, "-m", "headrub.cli", "list"], stdout=write_end,
                          stderr=subprocess.PIPE, timeout=30, check=False)
    os.close(write_end)
    assert done.returncode == 0
    assert done.stderr == b""


def test_a_closed_stdout_is_not_a_traceback() -> None:
    """Started with stdout closed (`headrub list >&-`): no traceback."""
    done = subprocess.run(["sh", "-c", f"exec >&-; {sys.executable} -m headrub.cli list"],
                          stderr=subprocess.PIPE, text=True, timeout=30, check=False)
    assert "Traceback" not in done.stderr
    assert done.returncode == 0


def test_too_few_minutes_names_the_least_that_will_do() -> None:
    """--minutes below a second a step is refused in the flag's own unit: the least --minutes that will run."""
    result = CliRunner().invoke(app, ["start", "quick-desk", "--minutes", "0.1", "--no-prompt"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    least = line.rsplit("give --minutes ", 1)[1].split()[0]
    routine = find_routine("quick-desk")
    assert float(least) * 60 >= routine.shortest_seconds > (float(least) - 0.01) * 60
    routine.scaled(float(least))  # enough: no ValueError


@pytest.mark.parametrize("args", [["list", "--tag", ""], ["list", "--tag", "sleep", "--tag", " "]])
def test_an_empty_tag_is_a_usage_error(args: list[str]) -> None:
    """An empty --tag is one line and exit 2, not "No routine is tagged ." with exit 0."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("headrub: --tag: ")


@pytest.mark.parametrize("args", [["schema", "--output", ""], ["validate", ""], ["validate", "routines", ""]])
def test_an_empty_path_is_a_usage_error_not_the_current_folder(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty path (an unset shell variable, "$OUT") is one line and exit 2; nothing is written or checked in '.'."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("headrub: ") and "empty path" in line
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []
