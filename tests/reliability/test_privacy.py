"""Privacy: no network at all, and nothing written outside headrub's three folders."""

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


def test_nothing_is_written_outside_the_three_folders(tmp_path: Path) -> None:
    """A session with chimes, a journal add, new and stats leave files only in the config, data and cache folders."""
    home, tmp, cwd, bin_dir = tmp_path / "home", tmp_path / "tmp", tmp_path / "cwd", tmp_path / "bin"
    config, data, cache = tmp_path / "config", tmp_path / "data", tmp_path / "cache"
    for folder in (home, tmp, cwd, bin_dir):
        folder.mkdir()
    player = bin_dir / "paplay"  # a player that plays nothing, so the chimes are really made and kept
    player.write_text("#!/bin/sh\nexit 0\n")
    player.chmod(0o755)
    routine = tmp_path / "tiny.yaml"
    routine.write_text(ROUTINE)
    env = {
        **os.environ, "HOME": str(home), "TMPDIR": str(tmp), "XDG_CACHE_HOME": str(home / ".cache"),
        "HEADRUB_CONFIG_DIR": str(config), "HEADRUB_DATA_DIR": str(data), "HEADRUB_CACHE_DIR": str(cache),
        "PYTHONDONTWRITEBYTECODE": "1", "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
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
    # new writes the schema its routine's first line points editors at
    assert _files_under(config) == {config / "routines" / "my-evening.yaml", config / "schemas" / "routine-format-1.json"}
    kept = _files_under(cache)
    assert cache / "stats-cache.json" in kept
    records = {p for p in kept if p.parent == cache / "routines"}  # the started routine, kept checked
    assert [p.name[:len("user-tiny-")] for p in records] == ["user-tiny-"]
    chimes = kept - {cache / "stats-cache.json"} - records
    assert {p.name for p in chimes} == {"change.wav", "side.wav", "warn.wav", "end.wav", "stop.wav"}
    assert all(p.parent.parent == cache / "sounds" for p in chimes)
