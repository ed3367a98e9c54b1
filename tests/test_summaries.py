"""``list`` keeps what it shows of each routine in the cache folder and parses only files that changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headrub import paths
from headrub.cli import app
from headrub.summaries import CACHE_NAME
from samples import count_parses, write_user_routine

MINE = "title: My evening\ntags: [calm]\nstrokes:\n  - {area: temples, technique: circles, duration: 90}\n"


def listing() -> str:
    result = CliRunner().invoke(app, ["list"])
    assert result.exit_code == 0, result.output
    return result.output


def write_mine(config: Path, text: str = MINE) -> Path:
    return write_user_routine(config, text)


def test_a_second_list_parses_nothing_and_shows_the_same(
    isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_mine(isolated_dirs[0])
    first = listing()
    assert (paths.cache_dir() / CACHE_NAME).is_file()
    parsed = count_parses(monkeypatch)
    assert listing() == first
    assert parsed == []


def test_an_edited_routine_is_parsed_again(isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_mine(isolated_dirs[0])
    listing()
    write_mine(isolated_dirs[0], MINE.replace("My evening", "My late evening").replace("90", "150"))
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # a later time, however coarse the file system's clock
    os.utime(path, ns=(stamp, stamp))
    parsed = count_parses(monkeypatch)
    out = listing()
    assert "My late evening" in out and "My evening " not in out
    assert parsed == ["my-evening.yaml"]


def test_a_broken_routine_warns_at_every_run_and_is_never_recorded(isolated_dirs: tuple[Path, Path]) -> None:
    write_mine(isolated_dirs[0], "title: Broken\nstrokes: []\n")
    for _ in range(2):
        result = CliRunner().invoke(app, ["list"])
        assert result.exit_code == 0
        assert "my-evening is skipped" in result.stderr
    record = json.loads((paths.cache_dir() / CACHE_NAME).read_text(encoding="utf-8"))
    assert not any(key.endswith("my-evening.yaml") for key in record["files"])


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 1, "rules": [], "files": {"x": 1}}', b"[1, 2]"])
def test_a_damaged_record_is_ignored_and_made_again(isolated_dirs: tuple[Path, Path], damage: bytes) -> None:
    first = listing()
    record = paths.cache_dir() / CACHE_NAME
    record.write_bytes(damage)
    assert listing() == first
    assert json.loads(record.read_text(encoding="utf-8"))["format"] == 1


def test_a_record_made_by_other_checking_rules_is_not_trusted(
    isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = listing()
    record = paths.cache_dir() / CACHE_NAME
    data = json.loads(record.read_text(encoding="utf-8"))
    data["rules"] = [[0, 0, 0]] * 3  # as if loader.py, routine.py and yamlnodes.py had been other files
    for entry in data["files"].values():
        entry["title"] = "Stale title"
    record.write_text(json.dumps(data), encoding="utf-8")
    assert listing() == first


def test_an_unwritable_cache_folder_still_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = listing()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("HEADRUB_CACHE_DIR", str(blocker))
    assert listing() == first
