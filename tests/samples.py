"""Routine texts, and helpers around routine files, that more than one test file uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from headrub import loader


def write_user_routine(config: Path, text: str, name: str = "my-evening") -> Path:
    """``text`` as the user's routine ``NAME.yaml`` in the config folder."""
    path = config / "routines" / f"{name}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files ``loader.load_file`` parses from now on, in order."""
    parsed: list[str] = []
    real = loader.load_file

    def counting(path: Path, **kwargs: object) -> object:
        parsed.append(Path(path).name)
        return real(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "load_file", counting)
    return parsed

# A routine with exactly three mistakes: a misspelt key, a zero duration, an unknown pressure.
THREE_MISTAKES = """\
title: Three mistakes
strokes:
  - area: crown
    duraton: 30
  - area: temples
    duration: 0
  - area: nape
    duration: 10
    pressure: hard
"""
