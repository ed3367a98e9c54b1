"""Privacy: no network at all, and nothing written outside headrub's two folders."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headrub.cli import app

ROUTINE = "title: Tiny\nstrokes:\n  - {area: temples, technique: circles, duration: 1, tempo: 120}\n"


def test_a_session_makes_no_network_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With every socket constructor and DNS lookup patched to raise, a whole session still runs and journals."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("headrub tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    routine = tmp_path / "tiny.yaml"
    routine.write_text(ROUTINE)
    result = CliRunner().invoke(app, ["start", str(routine), "--no-prompt", "--sound", "none"])
    assert result.exit_code == 0, result.output
    assert "done: tiny" in result.output
    for command in (["journal", "--json"], ["stats", "--json"], ["list"], ["show", "scalp-sleep"]):
        assert CliRunner().invoke(app, command).exit_code == 0


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_nothing_is_written_outside_the_two_folders(tmp_path: Path) -> None:
    """A session with chimes, a journal add, new and stats leave files only in the config and data folders."""
    home, tmp, cwd = tmp_path / "home", tmp_path / "tmp", tmp_path / "cwd"
    config, data = tmp_path / "config", tmp_path / "data"
    for folder in (home, tmp, cwd):
        folder.mkdir()
    routine = tmp_path / "tiny.yaml"
    routine.write_text(ROUTINE)
    env = {
        **os.environ, "HOME": str(home), "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(home / ".cache"),
        "HEADRUB_CONFIG_DIR": str(config), "HEADRUB_DATA_DIR": str(data), "PYTHONDONTWRITEBYTECODE": "1",
        "HEADRUB_CACHE_DIR": str(tmp_path / "cache"),
    }
    commands = [
        ["start", str(routine), "--no-prompt", "--sound", "chime"],
        ["journal", "add", "salon-head-spa", "--minutes", "30"],
        ["new", "my-evening"],
        ["stats"],
        ["journal"],
    ]
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "headrub.cli", *command], cwd=cwd, env=env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
        )
        assert done.returncode == 0, (command, done.stderr)
    assert _files_under(home) == set()
    assert _files_under(tmp) == set()
    assert _files_under(cwd) == set()
    assert _files_under(data) == {data / "journal.jsonl"}
    assert tmp_path / "cache" / "stats-cache.json" in _files_under(tmp_path / "cache")
    # new writes the schema its routine's first line points editors at
    assert _files_under(config) == {config / "routines" / "my-evening.yaml", config / "schemas" / "routine-format-1.json"}
