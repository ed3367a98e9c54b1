"""Sounds are made once and kept in the cache folder: keyed on what shapes them, written atomically."""

from __future__ import annotations

import os
import wave
from pathlib import Path

import pytest

from headrub import paths, wav
from headrub.cues import Cues

SHORT = (wav.Note(880.0, 0.0, 0.05),)  # a tiny sound keeps these tests fast


def wav_frames(path: Path) -> int:
    with wave.open(str(path), "rb") as w:
        return w.getnframes()


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADRUB_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert paths.cache_dir() == tmp_path / "elsewhere"
    monkeypatch.delenv("HEADRUB_CACHE_DIR")
    assert paths.cache_dir().name == "headrub"


def test_a_sound_is_made_once_then_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = wav.sound_file("blip", tmp_path, SHORT)
    assert wav_frames(first) == round(0.05 * wav.RATE)

    def no_synthesis(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("synthesised again")

    monkeypatch.setattr(wav, "synth_tone", no_synthesis)
    assert wav.sound_file("blip", tmp_path, SHORT) == first


def test_the_key_changes_with_anything_that_shapes_the_sound(tmp_path: Path) -> None:
    base = wav.sound_file("blip", tmp_path, SHORT)
    louder = wav.sound_file("blip", tmp_path, (wav.Note(880.0, 0.0, 0.05, gain=0.9),))
    other_rate = wav.sound_file("blip", tmp_path, SHORT, rate=8000)
    assert len({base, louder, other_rate}) == 3
    assert base.read_bytes() != louder.read_bytes()
    assert wav_frames(other_rate) == round(0.05 * 8000)


@pytest.mark.parametrize("damage", ["truncate", "empty", "delete"])
def test_a_damaged_or_missing_file_is_simply_made_again(tmp_path: Path, damage: str) -> None:
    path = wav.sound_file("blip", tmp_path, SHORT)
    good = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
    assert wav.sound_file("blip", tmp_path, SHORT) == path
    assert path.read_bytes() == good


def test_an_interrupted_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        wav.sound_file("blip", tmp_path, SHORT)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_cues_fall_back_to_a_temp_folder_when_the_cache_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("HEADRUB_CACHE_DIR", str(blocker))
    notices: list[str] = []
    player = tmp_path / "paplay"
    player.write_text("#!/bin/sh\n")
    player.chmod(0o755)
    cues = Cues(sound="chime", bell=lambda: None, notify=notices.append,
                which=lambda name: str(player) if name == "paplay" else None, platform="linux")
    try:
        assert cues.sound == "chime" and notices == []
        made = cues._files["change"]  # the file the player will be given
        assert Path(made).is_file() and not Path(made).is_relative_to(blocker)
    finally:
        cues.close()
    assert not Path(made).exists()  # the session's own temp folder goes with it


def test_volume_and_the_quiet_fade_are_part_of_the_key(tmp_path: Path) -> None:
    plain = wav.sound_file("end", tmp_path)
    softer = wav.sound_file("end", tmp_path, volume=0.5)
    faded = wav.sound_file("end", tmp_path, fade=True)
    assert len({plain, softer, faded}) == 3
    assert softer.read_bytes() == wav.sound("end", volume=0.5)
    assert faded.read_bytes() == wav.sound("end", fade=True)
