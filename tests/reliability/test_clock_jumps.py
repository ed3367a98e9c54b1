"""A session is timed by the monotonic clock: a wall-clock jump mid-session changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headrub import timeutil
from headrub.cli import app

ROUTINE = "title: Jump\nstrokes:\n  - {area: temples, duration: 1}\n  - {area: crown, duration: 1}\n"


def test_a_wall_clock_jump_does_not_change_the_session(
    tmp_path: Path, isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every wall-clock reading an hour later than the one before: the entry still lasts the planned 2 s."""
    base = datetime(2026, 3, 29, 1, 59, 30, tzinfo=timezone(timedelta(hours=1)))

    def jumping() -> Iterator[datetime]:
        moment = base
        while True:
            yield moment
            moment += timedelta(hours=1)

    readings = jumping()
    monkeypatch.setattr(timeutil, "now_local", lambda: next(readings))
    routine = tmp_path / "jump.yaml"
    routine.write_text(ROUTINE)
    result = CliRunner().invoke(app, ["start", str(routine), "--no-prompt", "--sound", "none"])
    assert result.exit_code == 0, result.output
    entry = json.loads((isolated_dirs[1] / "journal.jsonl").read_text().splitlines()[-1])
    started = datetime.fromisoformat(entry["started_at"])
    ended = datetime.fromisoformat(entry["ended_at"])
    assert started == base
    assert (ended - started).total_seconds() == pytest.approx(2.0, abs=0.3)
    assert entry["active_s"] == pytest.approx(2.0, abs=0.3)
