"""The folders headrub reads and writes; one function decides each (CONTRACT section 2)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "headrub"


def config_dir() -> Path:
    """``$HEADRUB_CONFIG_DIR`` if set, else the platform's user config folder."""
    override = os.environ.get("HEADRUB_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """``$HEADRUB_DATA_DIR`` if set, else the platform's user data folder."""
    override = os.environ.get("HEADRUB_DATA_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def cache_dir() -> Path:
    """``$HEADRUB_CACHE_DIR`` if set, else the platform's user cache folder."""
    override = os.environ.get("HEADRUB_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


def unwritable(folder: Path, file: Path | None = None) -> str | None:
    """Why ``file`` in ``folder`` (made when missing) could not be written; None when it could.

    Checked before work that would be lost otherwise (a whole session before its journal line).
    The nearest folder that exists must let a file be made in it; an existing ``file`` must be
    a regular file that is writable.
    """
    probe = folder
    while not os.path.lexists(probe) and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        return f"{probe} is not a folder"
    if not os.access(probe, os.W_OK | os.X_OK):
        return f"{probe} is not writable"
    if file is not None and os.path.lexists(file):
        if file.is_symlink() or not file.is_file():
            return f"{file} is not a regular file"
        if not os.access(file, os.W_OK):
            return f"{file} is not writable"
    return None


def folders() -> dict[str, Path]:
    """The folders headrub keeps things in, by what they hold (``headrub config`` shows them)."""
    return {"routines": user_routines_dir(), "journal": data_dir(), "cache": cache_dir()}


def folder_state(folder: Path) -> tuple[bool, bool, str]:
    """Whether ``folder`` exists, whether headrub can write there (or make it), and that in words."""
    exists = folder.is_dir()
    problem = unwritable(folder)
    if exists:
        return True, problem is None, "exists, writable" if problem is None else f"exists, not writable ({problem})"
    if problem is None:
        return False, True, "not created yet; made when first needed"
    return False, False, f"cannot be created ({problem})"


def user_routines_dir() -> Path:
    """Where the user's own routines live: ``<config>/routines``."""
    return config_dir() / "routines"


def config_file() -> Path:
    """The settings file: ``<config>/config.yaml``."""
    return config_dir() / "config.yaml"


def journal_file() -> Path:
    """The journal: ``<data>/journal.jsonl``."""
    return data_dir() / "journal.jsonl"


def builtin_routines_dir() -> Path:
    """The built-in routines: inside the installed package, or the repository's ``routines/``."""
    here = Path(__file__).resolve().parent
    packaged = here / "routines"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "routines"
