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
    """``$HEADRUB_CACHE_DIR`` if set, else the platform's user cache folder (what can be made again)."""
    override = os.environ.get("HEADRUB_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME))


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
