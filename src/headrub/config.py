"""Defaults a person sets once: ``<config>/config.yaml``, checked like a routine file.

Every setting has a default; the file may set any of them; a command-line flag wins over
both. An invalid file is a ``ConfigFileError`` with one located line per problem
(``PATH:LINE:COL: message``, exit 2), never a traceback, whatever the file holds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from headrub import paths
from headrub.errors import ConfigFileError, Problem

if TYPE_CHECKING:  # the YAML reader and checker load only when there is a file to read
    from headrub.loader import Checker
    from headrub.yamlnodes import Node, YamlProblem

SOUNDS = ("bell", "chime", "none")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_CONFIG_BYTES = 64 * 1024

Value = str | bool | int

#: Every setting and its default, in the order they are shown.
DEFAULTS: dict[str, Value] = {
    "sound": "bell",  # bell | chime | none: what marks each stroke change and the end
    "voice": False,  # speak each cue
    "tick": False,  # a soft tick on each beat of a stroke's tempo
    "prompts": True,  # ask the before/after questions
    "week_start": "monday",  # where `journal --week` and `days_this_week` start
    "speech_rate": 150,  # words a minute for the voice
    "speech_voice": "",  # a voice or language for the engine (espeak-ng -v, say -v); "" is its own default
    "volume": 100,  # chime volume, 0 to 100
    "next_warning": 5,  # seconds before each change that "Next: temples" comes; 0 is off
    "lead_in": 5,  # seconds to get ready before the first stroke on a terminal; 0 skips
    "quiet": "auto",  # auto (the routine decides), true or false: quiet mode for sleep
}
SETTINGS = tuple(DEFAULTS)
_CHOICES: dict[str, tuple[str, ...]] = {"sound": SOUNDS, "week_start": WEEKDAYS}
#: Whole-number settings and their ranges.
NUMBERS: dict[str, tuple[int, int]] = {
    "speech_rate": (80, 450),
    "volume": (0, 100),
    "next_warning": (0, 60),
    "lead_in": (0, 60),
}
MAX_VOICE_CHARS = 40
_VOICE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_+./ ")

DEFAULT_SOURCE = "default"
FLAG_SOURCE = "flag"


@dataclass(frozen=True)
class Setting:
    """One effective setting: its value and where it came from.

    ``source`` is ``"default"``, ``"config file (PATH:LINE)"`` or ``"flag"``.
    """

    name: str
    value: Value
    source: str


def defaults() -> dict[str, Setting]:
    """Every setting at its default."""
    return {name: Setting(name, value, DEFAULT_SOURCE) for name, value in DEFAULTS.items()}


def _choice(checker: Checker, node: Node, field: str, choices: tuple[str, ...]) -> str | None:
    """One of ``choices``, any letter case (``Monday`` is ``monday``)."""
    from headrub.loader import suggest

    quiet_words = ("off", "no", "false")
    if field == "sound" and node.kind == "scalar" and (node.value is False or str(node.value).strip().lower() in quiet_words):
        # `sound: off` reads as a YAML boolean, and quoted it is no sound headrub knows: it means `none`.
        checker.fail(node, field, "for no sound write 'sound: none'")
        return None
    text = checker.text(node, field)
    if text is None:
        return None
    if text.lower() in choices:
        return text.lower()
    checker.fail(node, field, f"unknown value {text[:40]!r}{suggest(text.lower(), choices)}")
    return None


def _switch(checker: Checker, node: Node, field: str) -> bool | None:
    """A YAML boolean (``true``/``false``, also ``yes``/``no``, ``on``/``off``)."""
    from headrub.loader import type_name

    if node.kind == "scalar" and isinstance(node.value, bool):
        return node.value
    checker.fail(node, field, f"expected true or false, found {type_name(node)}")
    return None


def _number(checker: Checker, node: Node, field: str) -> int | None:
    """A whole number within the setting's range."""
    from headrub.loader import type_name

    low, high = NUMBERS[field]
    value = node.value if node.kind == "scalar" else None
    if not isinstance(value, int) or isinstance(value, bool):
        checker.fail(node, field, f"expected a whole number from {low} to {high}, found {type_name(node)}")
        return None
    if not low <= value <= high:
        checker.fail(node, field, f"{value} is out of range: give a whole number from {low} to {high}")
        return None
    return value


def voice_problem(text: str) -> str | None:
    """Why ``text`` cannot be a voice name (None when it can): short, plain, not an option."""
    if len(text) > MAX_VOICE_CHARS:
        return f"is {len(text)} characters; at most {MAX_VOICE_CHARS}"
    if text.startswith("-") or not set(text) <= _VOICE_CHARS:
        return "use letters, digits and - _ + . / only (e.g. en-gb, en+f3, Samantha)"
    return None


def voice_flag(text: str | None) -> str | None:
    """``--speech-voice``'s value, checked like the setting; raises ``UsageError`` when it cannot be a voice."""
    if text is None:
        return None
    problem = voice_problem(text.strip())
    if problem is not None:
        from headrub.errors import UsageError
        from headrub.yamlnodes import quoted  # only to word the error: a good voice never loads PyYAML

        # "--option: problem", as every other bad value reads
        said = problem if problem.startswith("is ") else f"is not a voice name; {problem}"
        raise UsageError(f"--speech-voice: {quoted(text)} {said}")
    return text.strip()


def _voice(checker: Checker, node: Node, field: str) -> str | None:
    text = checker.text(node, field, required=False)
    if text is None:
        return None
    problem = voice_problem(text)
    if problem is not None:
        checker.fail(node, field, problem)
        return None
    return text


def _quiet(checker: Checker, node: Node, field: str) -> Value | None:
    """``auto``, or a YAML boolean."""
    from headrub.loader import type_name

    if node.kind == "scalar" and isinstance(node.value, bool):
        return node.value
    if node.kind == "scalar" and isinstance(node.value, str) and node.value.strip().lower() == "auto":
        return "auto"
    checker.fail(node, field, f"expected auto, true or false, found {type_name(node)}")
    return None


def _value(checker: Checker, node: Node, name: str) -> Value | None:
    """One setting's value from its node, checked."""
    choices = _CHOICES.get(name)
    if choices:
        return _choice(checker, node, name, choices)
    if name in NUMBERS:
        return _number(checker, node, name)
    if name == "speech_voice":
        return _voice(checker, node, name)
    if name == "quiet":
        return _quiet(checker, node, name)
    return _switch(checker, node, name)


# The YAML reader is shared with routine files; a few of its words are about routines.
_REWORDED = (("a routine file", "a config file"), ("(routines are plain YAML)", "(the config is plain YAML)"))


def _located(problem: YamlProblem, path: str) -> Problem:
    """``problem`` in ``path``, worded for a config file."""
    located = problem.problem(path)
    message = located.message
    for routine_words, config_words in _REWORDED:
        message = message.replace(routine_words, config_words)
    return Problem(located.path, located.line, located.column, message)


def load_text(text: str, path: str) -> dict[str, Setting]:
    """The settings from config YAML ``text`` over the defaults; raises ``ConfigFileError``."""
    from headrub.loader import Checker
    from headrub.yamlnodes import YamlProblem, parse

    try:
        root = parse(text)
    except YamlProblem as problem:
        raise ConfigFileError([_located(problem, path)]) from None
    settings = defaults()
    if root is None:  # an empty file, or only comments
        return settings
    checker = Checker(path)
    found = checker.mapping(root, "", SETTINGS)
    for name, node in (found or {}).items():
        value = _value(checker, node, name)
        if value is not None:
            settings[name] = Setting(name, value, f"config file ({path}:{node.line})")
    if checker.problems:
        raise ConfigFileError(sorted(checker.problems, key=lambda p: (p.line, p.column)))
    return settings


def _read(path: Path) -> bytes | None:
    """The file's bytes (None when there is no file), refused by size before reading.

    Read as routines are (``loader.read_limited``): without blocking on a FIFO, size first.
    """
    from headrub.loader import read_limited

    if not os.path.lexists(path):
        return None
    return read_limited(path, MAX_CONFIG_BYTES, "config")


def load_config(path: Path | None = None) -> dict[str, Setting]:
    """The settings from ``path`` (default ``<config>/config.yaml``) over the defaults.

    A missing or empty file gives the defaults. Raises ``ConfigFileError`` for anything else
    that is not a valid config, and never another exception for what the file holds.
    """
    file = path if path is not None else paths.config_file()
    if not os.path.lexists(file):  # the usual case: the defaults, without loading the YAML reader
        return defaults()
    from headrub.yamlnodes import YamlProblem, decode

    shown = str(file)
    try:
        data = _read(file)
        if data is None:
            return defaults()
        text = decode(data)
    except YamlProblem as problem:
        raise ConfigFileError([_located(problem, shown)]) from None
    try:
        return load_text(text, shown)
    except ConfigFileError:
        raise
    except RecursionError:
        raise ConfigFileError([Problem(shown, 1, 1, "the document is nested too deeply")]) from None
    except Exception as err:  # the last guard: whatever the file holds, never a traceback
        raise ConfigFileError(
            [Problem(shown, 1, 1, f"cannot load this file ({type(err).__name__})")]
        ) from None


def effective() -> dict[str, Setting]:
    """The settings in force before any flag: the config file over the defaults."""
    return load_config()


def with_flags(settings: Mapping[str, Setting], **flags: Value | None) -> dict[str, Setting]:
    """``settings`` with every flag that was given (not None) winning, its source ``"flag"``."""
    merged = dict(settings)
    for name, value in flags.items():
        if name not in DEFAULTS:
            raise KeyError(f"no setting called {name!r}")
        if value is not None:
            merged[name] = Setting(name, value, FLAG_SOURCE)
    return merged


def week_start_index(settings: Mapping[str, Setting]) -> int:
    """The first day of the week as a weekday number: 0 is Monday, 6 is Sunday."""
    setting = settings.get("week_start")
    value = setting.value if setting is not None else DEFAULTS["week_start"]
    return WEEKDAYS.index(value) if isinstance(value, str) and value in WEEKDAYS else 0
