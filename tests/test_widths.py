"""Every routine command readable at 40 and at 200 columns: names never cut, tables stacked when they
would not fit, widths counted in terminal cells."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from headrub.cli import app
from headrub.loader import discover

LONG = "a-routine-with-a-long-name-to-type"
MINE = """\
title: 頭皮マッサージ for a long evening 🌙
tags: [sleep, 頭皮]
strokes:
  - {area: こめかみ and the temples, technique: circles, duration: 30, cue: ゆっくりと円を描くように指の腹で頭皮を動かします。}
"""


@pytest.fixture
def on_a_terminal(isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """stdout counts as a terminal, and the user has a routine with a long name and wide text."""
    monkeypatch.setattr("headrub.output.is_terminal", lambda stream=None: True)
    folder = isolated_dirs[0] / "routines"
    folder.mkdir(parents=True)
    (folder / f"{LONG}.yaml").write_text(MINE, encoding="utf-8")
    return folder


def run(width: int, *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("width", [40, 80, 200])
def test_list_never_cuts_a_name(on_a_terminal: Path, width: int) -> None:
    """Every routine name appears whole on a line of its own width, and no line is wider than the terminal."""
    out = run(width, "list")
    lines = out.splitlines()
    assert all(cell_len(line.rstrip()) <= width for line in lines), out
    for item in discover():
        assert any(item.name in line for line in lines), item.name
    assert "…" not in "".join(line for line in lines if any(item.name[:6] in line for item in discover()))


def test_list_is_stacked_at_40_columns_and_a_table_at_200(on_a_terminal: Path) -> None:
    """At 40 columns each routine is a block starting with its name; at 200 it is a table."""
    narrow = run(40, "list").splitlines()
    assert any(line.startswith(LONG) for line in narrow)
    assert not any("┃" in line or "│" in line for line in narrow)
    wide = run(200, "list")
    assert "│" in wide or "┃" in wide


def test_list_times_read_like_clocks(on_a_terminal: Path) -> None:
    """A routine's length reads 0:30 (the one duration format), never in decimal minutes."""
    out = run(40, "list")
    assert "0:30" in out and not re.search(r"\d min\b", out)


@pytest.mark.parametrize("width", [40, 200])
def test_show_fits_and_keeps_every_cue_word(on_a_terminal: Path, width: int) -> None:
    """``show`` at 40 and 200 columns: no line wider than the terminal, and no word of a cue cut."""
    out = run(width, "show", "scalp-sleep")
    assert all(cell_len(line.rstrip()) <= width for line in out.splitlines()), out
    assert "…" not in out
    out = run(width, "show", LONG)
    assert "こめかみ" in out
    assert all(cell_len(line.rstrip()) <= width for line in out.splitlines()), out


def test_journal_and_stats_at_40_columns(on_a_terminal: Path) -> None:
    """At 40 columns the journal lists each session stacked with its routine whole, the total, and a chart
    that fits; stats lists each routine stacked; every length reads as a clock."""
    add = ["journal", "add", "neck-and-shoulders", "--minutes", "12.5", "--before", "7", "--after", "3", "--note", "felt good"]
    assert CliRunner().invoke(app, add).exit_code == 0
    out = run(40, "journal")
    lines = [line.rstrip() for line in out.splitlines()]
    assert all(cell_len(line) <= 40 for line in lines), out
    assert any(line.endswith("neck-and-shoulders") for line in lines)
    assert "  12:30 · completed · tension 7 → 3" in lines
    assert "total: 1 session, 12:30" in lines
    stats = [line.rstrip() for line in run(40, "stats").splitlines()]
    assert all(cell_len(line) <= 40 for line in stats)
    assert "neck-and-shoulders" in stats
    wide = run(200, "journal")
    assert "│" in wide and "12:30" in wide


@pytest.mark.parametrize("width", [40, 80, 103, 200])
def test_no_table_is_ever_cropped(on_a_terminal: Path, width: int) -> None:
    """Whatever the width, a table either fits whole (every border row closed) or the stacked layout is used."""
    for args in [["list"], ["config"], *(["show", item.name] for item in discover())]:
        out = run(width, *args)
        for line in out.splitlines():
            assert cell_len(line.rstrip()) <= width, (args, line)
            if line.startswith(("┏", "┃", "│", "┡", "└")):
                assert line.rstrip().endswith(("┓", "┃", "│", "┩", "┘")), (args, width, line)
