"""Sounds and speech at session events, so a session can be followed with the eyes closed.

``Cues.handle(event)`` turns one engine event into a sound and, with ``voice``, a spoken
phrase. It only ever *starts* a process (a player or a speech engine) and returns: timing is
never hostage to sound. What plays, per event (decided in ``headrub.heard``):

==================  =================================  ===============================
event               sound (``chime``; ``bell`` = \\a)    spoken (``voice``)
==================  =================================  ===============================
STROKE_STARTED      change: one bowl-like note          the stroke's instruction
                                                        (``spoken.stroke_line``)
SIDE_SWITCH         side: two short rising notes        "Right side. <short instruction>"
STROKE_RESTARTED    the step's own start sound          the step's line again
NEXT_SOON           nothing                             "Next: temples." (news)
TEN_SECONDS_LEFT    warn: one low soft note — only when the step is 60 s or longer;
                                                        "Ten seconds." (news), unless
                                                        a "Next: …" is still to come
HALFWAY             nothing                             "Halfway." (news)
FINISHED            end: three descending notes         "Session complete."
                    ringing into a chord, 2.3 s
STOPPED             stop: two descending notes, 1.2 s   "Session stopped."
PAUSED / RESUMED    nothing (quiet is better)           "Paused." / "Resumed."
SESSION_STARTED,    nothing (the first STROKE_STARTED   nothing
STROKE_SKIPPED      or FINISHED follows at once)
==================  =================================  ===============================

News gives way: it is not said while a stroke's instruction is still being spoken, so an
instruction is never cut off by it. Quiet mode (``quiet``, for sleep routines) says no "Ten
seconds." or "Halfway." and plays no warn note, plays every chime at half the volume, says
nothing at the end, and lets the end chime fade out. ``volume`` (0 to 100) scales every chime;
``rate`` (words a minute) and ``speech_voice`` go to the engine (espeak-ng ``-s``/``-v``, macOS
``say -r``/``-v``).

The first stroke gets its change sound too: with the eyes closed it is the "begin".
``beat()`` plays a very short soft tick for tempo pacing, through the player only (a
terminal bell per beat would grate), and only when ``tick`` is on and ``sound`` is not
``none``.

Players: ``paplay``, ``pw-play``, ``aplay`` (Linux and other Unixes), ``afplay`` (macOS),
``winsound`` (Windows). Each sound is synthesised once (``headrub.wav``) and kept in the cache
folder (``<cache>/sounds``), so later sessions start without making it again; players get its
path. When the cache folder cannot be written, the sounds go to a private ``tempfile.mkdtemp()``
folder that ``close()`` removes.
Speech: ``espeak-ng``, ``espeak``, ``spd-say``; ``say`` on macOS; Windows PowerShell's
System.Speech. A missing player falls back to the bell, a missing engine to sounds only,
each with exactly one notice through ``notify``; nothing here ever raises at a session.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from types import ModuleType, TracebackType

from headrub import wav
from headrub.engines import (  # the programs themselves: finding, commanding, starting, stopping
    _MAC_PLAYERS,
    _UNIX_PLAYERS,
    _engine_names,
    _find_engine,
    _finished,
    _spawn,
    _speech_command,
    _stop,
)
from headrub.heard import SOUND_FOR, heard_for
from headrub.session import Event, EventKind, Step
from headrub.spoken import DEFAULT_RATE_WPM, lead_in_line, speakable

SOUND_MODES = ("bell", "chime", "none")
# Quiet mode plays every chime at this share of the volume.
QUIET_VOLUME = 0.5
DEFAULT_VOLUME = 100
# How long close() waits, at most, for the end chime and "Session complete." to finish.
END_LINGER_S = wav.duration_of("end") + 0.7

class Cues:
    """The sounds and speech of one session; see the module docstring for what plays when.

    ``sound`` is ``bell``, ``chime`` or ``none``; ``bell`` rings the terminal bell through the
    caller's ``bell`` callable (the live screen owns the terminal); ``notify`` shows the one-line
    notices (a missing player or engine). ``which`` and ``platform`` are injectable for tests.
    Close it (or use it as a context manager) to stop what still plays and remove its temp folder.
    """

    def __init__(
        self,
        sound: str = "bell",
        voice: bool = False,
        tick: bool = False,
        *,
        bell: Callable[[], None],
        notify: Callable[[str], None],
        which: Callable[[str], str | None] = shutil.which,
        platform: str = sys.platform,
        quiet: bool = False,
        volume: int = DEFAULT_VOLUME,
        rate: int = DEFAULT_RATE_WPM,
        speech_voice: str = "",
    ) -> None:
        """Find the player and speech engine now, and prepare the sounds, so events only start processes."""
        if sound not in SOUND_MODES:
            raise ValueError(f"sound must be one of {', '.join(SOUND_MODES)}, not {sound!r}")
        self._sound = sound
        self.quiet = quiet
        self._volume = max(0, min(100, volume)) / 100 * (QUIET_VOLUME if quiet else 1.0)
        self._rate = rate
        self._speech_voice = speakable(speech_voice)
        self._tick = tick and sound != "none"
        self._bell = bell
        self._notify = notify
        self._notices: dict[str, str] = {}
        self._children: list[subprocess.Popen[bytes]] = []
        self._speaking: subprocess.Popen[bytes] | None = None
        self._started = 0
        self._ring_until: float | None = None
        self._closed = False
        self._player: tuple[str, ...] | None = None
        self._winsound: ModuleType | None = None
        self._tmpdir: str | None = None
        self._files: dict[str, str] = {}
        self._engine: tuple[str, str] | None = None  # (engine name, its path)
        self._platform = platform
        if sound == "chime" or self._tick:
            self._setup_player(which, platform)
        if voice:
            self._engine = _find_engine(which, platform)
            if self._engine is None:
                names = ", ".join(_engine_names(platform))
                self._notice("engine", f"No speech engine found ({names}): spoken cues are off, sounds only.")

    # -- the caller's side ---------------------------------------------------------------

    def handle(self, event: Event) -> None:
        """Fire the sound and speech for one engine event; only starts processes, never waits."""
        if self._closed:
            return
        self._reap()
        plan = heard_for(event, quiet=self.quiet, rate_wpm=self._rate)
        if plan.sound is not None:
            self._play(plan.sound)
        if event.kind is EventKind.FINISHED:
            self._ring_until = time.monotonic() + END_LINGER_S
        if plan.text is None:
            return
        if plan.gives_way and self._speaking is not None and self._speaking.poll() is None:
            return  # only news: a stroke's instruction still being spoken is never cut off for it
        self._say(plan.text)

    def lead_in(self, step: Step, seconds: float) -> None:
        """Say the get-ready line before the first stroke: what it is and where the hands go."""
        if not self._closed:
            self._say(lead_in_line(step.stroke, step.side, seconds, self._rate))

    def beat(self) -> None:
        """A soft tick for tempo pacing, when ``tick`` is on and a player was found."""
        if self._closed or not self._tick:
            return
        self._reap()
        self._play_file("tick")

    def close(self, linger: float | None = None) -> None:
        """Stop what still plays or speaks and remove the temp folder; safe to call twice.

        The sounds and speech still running are first given ``linger`` seconds to finish on their
        own. By default that is what is left of the end chime and "Session complete." after
        FINISHED (a missed end bell is the one thing users do not forgive), at most
        ``END_LINGER_S``, and nothing otherwise: after a stop or a signal they are cut at once.
        Only running processes are waited for, so a close with nothing playing returns at once.
        """
        if self._closed:
            return
        self._closed = True
        now = time.monotonic()
        if linger is None:
            linger = self._ring_until - now if self._ring_until is not None else 0.0
        deadline = now + max(0.0, linger)
        for proc in self._children:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(remaining)
        for proc in self._children:
            _stop(proc)
        for proc in self._children:
            try:
                proc.wait(1.0)
            except subprocess.TimeoutExpired:
                _stop(proc, force=True)
                proc.wait()
        self._children.clear()
        self._speaking = None
        if self._winsound is not None and deadline <= time.monotonic():
            with contextlib.suppress(Exception):
                self._winsound.PlaySound(None, 0)  # stops an asynchronous sound
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> Cues:
        """The cues themselves; ``close()`` on leaving the block."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop everything and clean up."""
        self.close()

    @property
    def sound(self) -> str:
        """The sound mode in force: ``chime`` becomes ``bell`` when no player was found."""
        return self._sound

    @property
    def voice(self) -> bool:
        """True when a speech engine was found and will speak."""
        return self._engine is not None

    @property
    def notices(self) -> tuple[str, ...]:
        """The notices given so far (a missing player or engine), for a screen that would hide them."""
        return tuple(self._notices.values())

    @property
    def player(self) -> str | None:
        """The audio player in use (``paplay``, ``afplay``, ``winsound``...), or None."""
        if self._winsound is not None:
            return "winsound"
        return os.path.basename(self._player[0]) if self._player is not None else None

    @property
    def engine(self) -> str | None:
        """The speech engine in use (``espeak-ng``, ``say``...), or None."""
        return self._engine[0] if self._engine is not None else None

    def play_now(self, name: str) -> bool:
        """Play one chime and wait for it to end (``sound-check``); False when it could not be played."""
        before = self._started
        self._play_file(name)
        if self._winsound is not None and self._player is None:
            time.sleep(wav.duration_of(name))
            return name in self._files
        if self._started == before:
            return False
        return _finished(self._children[-1], wav.duration_of(name) + 5.0)

    def say_now(self, text: str, timeout: float = 30.0) -> tuple[bool, str]:
        """Say ``text`` and wait until it has been said (``sound-check``): (said, complaint).

        ``said`` is False when the engine could not start, failed or timed out. ``complaint`` is the
        first line the engine wrote on stderr, if any: espeak-ng exits 0 when it cannot open the
        sound device and only says so there, so a clean exit alone does not prove it was heard.
        """
        if self._engine is None or not speakable(text):
            return False, ""
        argv, env = _speech_command(self._engine, speakable(text), rate=self._rate, voice=self._speech_voice)
        try:
            done = subprocess.run(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                env=env, timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired:
            return False, ""
        except (OSError, ValueError) as exc:
            return False, str(getattr(exc, "strerror", None) or exc)
        self._started += 1
        lines = [line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
        return done.returncode == 0, lines[0] if lines else ""

    @property
    def started(self) -> int:
        """How many player and speech processes have been started so far."""
        return self._started

    @property
    def speaking(self) -> subprocess.Popen[bytes] | None:
        """The speech process of the latest cue, if one was started (it may have finished)."""
        return self._speaking

    # -- sounds --------------------------------------------------------------------------

    def _setup_player(self, which: Callable[[str], str | None], platform: str) -> None:
        """Find a player and write the sounds it will need; without one, fall back to the bell."""
        if platform == "win32":
            with contextlib.suppress(ImportError):
                self._winsound = importlib.import_module("winsound")
        else:
            for command in _MAC_PLAYERS if platform == "darwin" else _UNIX_PLAYERS:
                path = which(command[0])
                if path is not None:
                    self._player = (path, *command[1:])
                    break
        if self._player is None and self._winsound is None:
            self._no_player()
            return
        names = [*SOUND_FOR.values()] if self._sound == "chime" else []
        names += ["tick"] if self._tick else []
        try:  # made once, then kept in the cache folder: no synthesis at each start
            from headrub.paths import cache_dir

            folder = cache_dir() / "sounds"
            for name in names:
                fade = self.quiet and name == "end"
                self._files[name] = str(wav.sound_file(name, folder, volume=self._volume, fade=fade))
            return
        except OSError:
            pass  # a read-only or full cache folder: this session's own temp folder will do
        try:
            import tempfile  # only when the cache folder cannot be written

            self._tmpdir = tempfile.mkdtemp(prefix="headrub-sounds-")
            for name in names:
                path = os.path.join(self._tmpdir, f"{name}.wav")
                fade = self.quiet and name == "end"
                with open(path, "wb") as out:
                    out.write(wav.sound(name, volume=self._volume, fade=fade))
                self._files[name] = path
        except OSError as exc:
            self._no_player(f"Cannot write the chimes to a temp folder ({exc.strerror or exc})")

    def _no_player(self, why: str | None = None) -> None:
        """Chimes become the bell and ticks stop, with one notice saying so."""
        if why is None:
            names = {"darwin": "afplay", "win32": "winsound"}.get(self._platform, "paplay, pw-play or aplay")
            why = f"No audio player found ({names})"
        outcome = []
        if self._sound == "chime":
            outcome.append("chimes fall back to the terminal bell")
            self._sound = "bell"
        if self._tick:
            outcome.append("the pacing tick is off")
            self._tick = False
        self._player = None
        self._winsound = None
        self._notice("player", f"{why}: {' and '.join(outcome)}.")

    def _play(self, name: str) -> None:
        """One event sound: the chime through the player, or the terminal bell."""
        if self._sound == "bell":
            self._bell()
        elif self._sound == "chime":
            self._play_file(name)

    def _play_file(self, name: str) -> None:
        """Start the player on a prepared sound; a player that cannot start becomes the bell."""
        path = self._files.get(name)
        if path is None:
            return
        if self._winsound is not None:
            flags = self._winsound.SND_FILENAME | self._winsound.SND_ASYNC | self._winsound.SND_NODEFAULT
            try:
                self._winsound.PlaySound(path, flags)
            except RuntimeError as exc:
                self._player_failed(name, str(exc))
            return
        if self._player is None:
            return
        proc, error = _spawn([*self._player, path])
        if proc is None:
            self._player_failed(name, error)
        else:
            self._started += 1
            self._children.append(proc)

    def _player_failed(self, name: str, error: str) -> None:
        """The player broke mid-session: bell from now on, one notice."""
        self._no_player(f"The audio player failed ({error})")
        if name != "tick":
            self._play(name)

    # -- speech --------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        """Speak ``text`` in the background, cutting off a cue still being spoken."""
        if self._engine is None:
            return
        text = speakable(text)
        if not text:
            return
        if self._speaking is not None and self._speaking.poll() is None:
            _stop(self._speaking)
        argv, env = _speech_command(self._engine, text, rate=self._rate, voice=self._speech_voice)
        proc, error = _spawn(argv, env)
        if proc is None:
            self._notice("engine", f"The speech engine failed ({error}): spoken cues are off, sounds only.")
            self._engine = None
            return
        self._speaking = proc
        self._started += 1
        self._children.append(proc)

    # -- processes -----------------------------------------------------------------------

    def _reap(self) -> None:
        """Collect children that have finished, so none is left a zombie."""
        self._children = [p for p in self._children if p.poll() is None]

    def _notice(self, key: str, message: str) -> None:
        """Tell the caller once per kind of trouble."""
        if key not in self._notices:
            self._notices[key] = message
            self._notify(message)
