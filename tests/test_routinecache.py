"""``show`` and ``start`` keep each routine they load by name checked in the cache folder, and parse only files that changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headrub import loader, paths, routinecache
from headrub.cli import app
from headrub.errors import RoutineFileError, UsageError
from headrub.finding import discover, locate
from samples import count_parses, write_user_routine

MINE = (
    "title: My evening\nsummary: Slow.\ntags: [calm]\ncautions: [Gently.]\nquiet: true\nstrokes:\n"
    "  - {area: temples, technique: circles, pressure: light, side: each, duration: 90, cue: Slow circles., say: Now.}\n"
    "  - {area: chest, technique: breathing, breath: 4-6, duration: 60}\n"
)


def write_mine(config: Path, text: str = MINE) -> Path:
    return write_user_routine(config, text)


def later(path: Path) -> None:
    stamp = path.stat().st_mtime_ns + 1_000_000_000  # a later time, however coarse the file system's clock
    os.utime(path, ns=(stamp, stamp))


def test_every_builtin_comes_back_from_its_record_equal_to_the_loaded_routine(monkeypatch: pytest.MonkeyPatch) -> None:
    """For each built-in, the routine rebuilt from its record equals the one the loader makes, field by field."""
    for item in discover():
        loaded = loader.load_file(item.path, name=item.name, source=item.source)
        assert routinecache.load_found(item) == loaded
    parsed = count_parses(monkeypatch)
    for item in discover():
        again = routinecache.load_found(item)
        loaded = loader.load_file(item.path, name=item.name, source=item.source)
        assert again == loaded and again.extra == loaded.extra and repr(again) == repr(loaded)
    assert len(parsed) == len(discover())  # only the comparison's own loads: the records answered


def test_a_users_routine_with_every_field_comes_back_the_same(isolated_dirs: tuple[Path, Path]) -> None:
    """Breath pairs, sides, cautions and quiet survive the record."""
    write_mine(isolated_dirs[0])
    first = routinecache.resolve("my-evening")
    assert [p.name[:16] for p in (paths.cache_dir() / "routines").iterdir()] == ["user-my-evening-"]
    assert routinecache.resolve("my-evening") == first == loader.resolve("my-evening")


def test_a_second_show_parses_nothing_and_prints_the_same(
    isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``show NAME`` twice prints the same, and the second time nothing is parsed."""
    write_mine(isolated_dirs[0])
    first = CliRunner().invoke(app, ["show", "my-evening", "--json"])
    assert first.exit_code == 0, first.output
    parsed = count_parses(monkeypatch)
    second = CliRunner().invoke(app, ["show", "my-evening", "--json"])
    assert second.output == first.output
    assert parsed == []


def test_an_edited_routine_is_parsed_again(isolated_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose stamp changed is read again, and the new content is what is shown."""
    path = write_mine(isolated_dirs[0])
    routinecache.resolve("my-evening")
    write_mine(isolated_dirs[0], MINE.replace("My evening", "My late evening"))
    later(path)
    parsed = count_parses(monkeypatch)
    assert routinecache.resolve("my-evening").title == "My late evening"
    assert parsed == ["my-evening.yaml"]


def test_a_broken_file_is_never_recorded_and_fails_every_time(isolated_dirs: tuple[Path, Path]) -> None:
    """A routine that became invalid raises its problems, not the last good record."""
    path = write_mine(isolated_dirs[0])
    routinecache.resolve("my-evening")
    write_mine(isolated_dirs[0], MINE.replace("duration: 90", "duration: -3"))
    later(path)
    for _ in range(2):
        with pytest.raises(RoutineFileError):
            routinecache.resolve("my-evening")


@pytest.mark.parametrize("damage", ["{not json", '{"format": 1}', "[]", '{"format": 1, "stamp": 0, "path": 1, "routine": {}}'])
def test_a_damaged_record_is_ignored_and_made_again(isolated_dirs: tuple[Path, Path], damage: str) -> None:
    """Whatever the record holds, the routine comes from the file, and a good record replaces it."""
    write_mine(isolated_dirs[0])
    first = routinecache.resolve("my-evening")
    (record,) = (paths.cache_dir() / "routines").iterdir()
    record.write_text(damage, encoding="utf-8")
    assert routinecache.resolve("my-evening") == first
    assert json.loads(record.read_text(encoding="utf-8"))["format"] == routinecache.FORMAT


def test_a_record_of_a_moved_file_is_not_used(isolated_dirs: tuple[Path, Path]) -> None:
    """The record names its file: a built-in shadowed by a user file of the same name is the user's."""
    name = discover()[0].name
    routinecache.resolve(name)
    (isolated_dirs[0] / "routines").mkdir(parents=True, exist_ok=True)
    (isolated_dirs[0] / "routines" / f"{name}.yaml").write_text(MINE, encoding="utf-8")
    assert routinecache.resolve(name).title == "My evening"
    assert routinecache.resolve(name).source == "user" == locate(name).source


def test_an_unwritable_cache_only_means_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder that cannot be made still gives the routine."""
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("HEADRUB_CACHE_DIR", str(blocker / "cache"))
    name = discover()[0].name
    assert routinecache.resolve(name) == loader.resolve(name)


def test_a_routine_by_path_is_kept_too_and_never_mixed_with_another_of_its_name(
    isolated_dirs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files of one name in two folders each come back as themselves; a relative path keeps its own spelling."""
    one, two = tmp_path / "one" / "mine.yaml", tmp_path / "two" / "mine.yaml"
    for path, title in ((one, "One"), (two, "Two")):
        path.parent.mkdir()
        path.write_text(MINE.replace("My evening", title), encoding="utf-8")
    first = [routinecache.resolve(str(p)) for p in (one, two)]
    parsed = count_parses(monkeypatch)
    assert [routinecache.resolve(str(p)) for p in (one, two)] == first == [loader.resolve(str(p)) for p in (one, two)]
    assert [r.title for r in first] == ["One", "Two"]
    monkeypatch.chdir(tmp_path / "one")
    assert routinecache.resolve("./mine.yaml") == loader.resolve("./mine.yaml")
    assert routinecache.resolve("./mine.yaml").path == "mine.yaml" == loader.resolve("./mine.yaml").path
    assert parsed.count("mine.yaml") == 5  # the loader's own four, and one for the new spelling


def test_a_fifo_is_never_recorded(tmp_path: Path) -> None:
    """A routine path that is not a regular file goes to the loader every time (its error, never a record)."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(RoutineFileError) as ours:
        routinecache.resolve(str(fifo))
    with pytest.raises(RoutineFileError) as theirs:
        loader.resolve(str(fifo))
    assert str(ours.value) == str(theirs.value)
    assert not (paths.cache_dir() / "routines").exists()


def test_a_bad_name_is_the_loaders_usage_error() -> None:
    """A routine argument that is neither a name nor a path fails as ``loader.resolve`` does."""
    with pytest.raises(UsageError):
        routinecache.resolve("Not A Name")
