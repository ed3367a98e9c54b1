"""Shared fixtures: every test gets its own config and data folders, never the real home."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """Point HEADRUB_CONFIG_DIR, HEADRUB_DATA_DIR and HEADRUB_CACHE_DIR at fresh temp folders.

    The umask is 077 while a test runs, so journals written by hand in tests are 0600 as headrub
    would make them (a looser journal is tightened with a notice: tested on its own).
    """
    config = tmp_path / "config"
    data = tmp_path / "data"
    monkeypatch.setenv("HEADRUB_CONFIG_DIR", str(config))
    monkeypatch.setenv("HEADRUB_DATA_DIR", str(data))
    monkeypatch.setenv("HEADRUB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HEADRUB_DEBUG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    # The terminal the suite runs in is not the one a test draws on: widths come from each test.
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    old_umask = os.umask(0o077)
    try:
        yield config, data
    finally:
        os.umask(old_umask)


@pytest.fixture(autouse=True)
def fresh_id_sequence() -> Iterator[None]:
    """Each test starts the journal's id sequence afresh.

    Ids made in one process only ever grow, so ids made earlier in the run (at the real
    time) would otherwise carry over into a test that travels to a fixed instant before it.
    """
    from headrub.journal.ids import _ids

    _ids.reset()
    yield
    _ids.reset()
