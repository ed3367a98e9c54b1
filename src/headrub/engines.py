"""The programs behind the sounds and the voice: which player or speech engine there is, the
command that speaks a line, and starting and stopping them detached from the terminal.

``headrub.cues`` decides what plays at each event; this module only knows programs. Nothing
here raises at a session: a program that cannot start is ``(None, why)``.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable
from typing import Any

from headrub.spoken import DEFAULT_RATE_WPM

# Engines are not interactive and must not share the terminal's process group: a Ctrl-C at the
# keyboard is headrub's to handle, not the speech engine's.
if os.name == "nt":
    _DETACH: dict[str, Any] = {
        "creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        | getattr(subprocess, "CREATE_NO_WINDOW", 0)
    }
else:
    _DETACH = {"start_new_session": True}

_UNIX_PLAYERS: tuple[tuple[str, ...], ...] = (("paplay",), ("pw-play",), ("aplay", "-q"))
_MAC_PLAYERS: tuple[tuple[str, ...], ...] = (("afplay",),)
_UNIX_ENGINES = ("espeak-ng", "espeak", "spd-say")
# The text reaches PowerShell through the environment, never inside the command: nothing in a
# routine file can become PowerShell code.
_POWERSHELL_SPEAK = (
    "Add-Type -AssemblyName System.Speech; "
    "$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; "
    "$s.Speak($env:HEADRUB_SPEECH)"
)


def _engine_names(platform: str) -> tuple[str, ...]:
    """The speech engines tried on ``platform``, in order."""
    if platform == "darwin":
        return ("say",)
    if platform == "win32":
        return ("powershell",)
    return _UNIX_ENGINES


def _find_engine(which: Callable[[str], str | None], platform: str) -> tuple[str, str] | None:
    """The first speech engine found on PATH, as (name, path)."""
    for name in _engine_names(platform):
        path = which(name)
        if path is not None:
            return name, path
    return None


def _speech_command(
    engine: tuple[str, str], text: str, *, rate: int = DEFAULT_RATE_WPM, voice: str = ""
) -> tuple[list[str], dict[str, str] | None]:
    """The argument list (and environment, if it needs its own) that speaks ``text``.

    ``text`` and ``voice`` are already ``speakable``: no control characters and no leading
    hyphen. ``--`` ends the options too, for the engines that read it (espeak-ng, espeak,
    spd-say). ``rate`` is words a minute; ``voice`` a voice or language the engine knows.
    """
    name, path = engine
    if name in ("espeak-ng", "espeak"):
        return [path, "-s", str(rate), *(["-v", voice] if voice else []), "--", text], None
    if name == "spd-say":
        # spd-say passes its text to a printf-style function: a bare % must be doubled.
        # --wait keeps the process alive while it speaks, so it can be cut off and reaped.
        # Its rate is -100..100 around its own default (about 160 words a minute).
        relative = max(-100, min(100, round((rate - 160) / 2)))
        options = ["-r", str(relative), *(["-l", voice] if voice else [])]
        return [path, "--wait", *options, "--", text.replace("%", "%%")], None
    if name == "powershell":
        env = {**os.environ, "HEADRUB_SPEECH": text}
        return [path, "-NoProfile", "-NonInteractive", "-Command", _POWERSHELL_SPEAK], env
    return [path, "-r", str(rate), *(["-v", voice] if voice else []), text], None  # macOS say


def _spawn(argv: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen[bytes] | None, str]:
    """Start ``argv`` detached, with no stdio and no shell; (None, why) if it cannot start."""
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            env=env,
            **_DETACH,
        )
    except (OSError, ValueError) as exc:
        return None, str(getattr(exc, "strerror", None) or exc)
    return proc, ""


def _finished(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait for ``proc``; True when it ended well within ``timeout`` seconds (else it is stopped)."""
    try:
        return proc.wait(timeout) == 0
    except subprocess.TimeoutExpired:
        _stop(proc)
        return False


def _stop(proc: subprocess.Popen[bytes], *, force: bool = False) -> None:
    """Terminate (or with ``force`` kill) a running child and anything it started in its own session."""
    if proc.poll() is not None:
        return
    try:
        if os.name == "nt":
            proc.kill() if force else proc.terminate()
        else:
            # The child leads its own process group (start_new_session), so this reaches its helpers too.
            os.killpg(proc.pid, signal.SIGKILL if force else signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
