"""Usage mistakes Typer itself catches are one line on stderr with exit 2, never a usage block."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from headrub.cli import app


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["start"], "Missing argument 'NAME|PATH'"),
        (["start", "desk-reset", "--before", "11"], "--before"),
        (["start", "desk-reset", "--minutes", "0"], "--minutes"),
        (["start", "desk-reset", "--sound", "gong"], "--sound"),
        (["bogus"], "No such command 'bogus'"),
        (["list", "--jsn"], "--jsn"),
        (["journal", "add"], "Missing argument 'ROUTINE'"),
    ],
)
def test_usage_errors_are_one_line(args: list[str], needle: str) -> None:
    """Each mistake: exit 2, exactly one stderr line starting 'headrub:' and naming the problem."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("headrub: ") and needle in lines[0]
    assert result.stdout == ""


def test_no_arguments_shows_the_help() -> None:
    """Plain `headrub` prints the help on stdout and exits 0."""
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 0
    assert "Usage: headrub" in result.stdout and "start" in result.stdout
