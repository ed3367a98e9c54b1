"""Shared fixtures: every test gets its own config and data folders, never the real home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """Point HEADRUB_CONFIG_DIR and HEADRUB_DATA_DIR at fresh temp folders."""
    config = tmp_path / "config"
    data = tmp_path / "data"
    monkeypatch.setenv("HEADRUB_CONFIG_DIR", str(config))
    monkeypatch.setenv("HEADRUB_DATA_DIR", str(data))
    monkeypatch.delenv("HEADRUB_DEBUG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    yield config, data


@pytest.fixture(autouse=True)
def fresh_id_sequence() -> Iterator[None]:
    """Each test starts the journal's id sequence afresh.

    Ids made in one process only ever grow, so ids made earlier in the run (at the real
    time) would otherwise carry over into a test that travels to a fixed instant before it.
    """
    from headrub import journal

    journal._ids.reset()
    yield
    journal._ids.reset()
