"""``headrub start``: cautions and questions, the guided session, then the journal entry."""

from __future__ import annotations

import math
import re
import signal
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

from headrub import values
from headrub.commands.params import reads
from headrub.completion import complete_routine_or_path

if TYPE_CHECKING:
    from headrub.cues import Cues
    from headrub.painter import Screen
    from headrub.routine import Routine
    from headrub.session import Session


class Sound(StrEnum):
    """What marks each stroke change and the end."""

    bell = "bell"
    chime = "chime"
    none = "none"


def read_sound(text: str, option: str) -> Sound:
    """``--sound``: one of the sounds, in headrub's words when it is not."""
    return Sound(values.choice(text, option, tuple(Sound)))


SOUND_READER = reads(read_sound, "--sound")


def complete_sound(incomplete: str) -> list[str]:
    """The sounds, for shell completion."""
    return [sound.value for sound in Sound if sound.value.startswith(incomplete)]


def _ask(question: str) -> str | None:
    """One line from the person, or None at end of input."""
    try:
        sys.stderr.write(question)
        sys.stderr.flush()
        line = sys.stdin.readline()
    except (OSError, ValueError):
        return None
    return line.rstrip("\r\n") if line else None


def ask_tension(label: str) -> int | None:
    """"Tension before/after, 0–10" until a whole number in range or Enter (None)."""
    while True:
        answer = _ask(f"{label} (0–10, Enter skips): ")
        if answer is None or not answer.strip():
            return None
        word = answer.strip()
        if re.fullmatch(r"[0-9]{1,2}", word) and int(word) <= 10:
            return int(word)
        sys.stderr.write("Please answer with a whole number from 0 (none) to 10 (worst), or press Enter.\n")


def confirm_cautions(routine: Routine, ask: bool) -> bool:
    """Show the cautions; when ``ask``, the person confirms (Enter or y) or declines."""
    from headrub.text import sanitize

    if not routine.cautions:
        return True
    import shutil
    import textwrap

    width = max(30, min(shutil.get_terminal_size((80, 24)).columns, 100) - 1)
    sys.stderr.write(f"Before {sanitize(routine.title)}:\n")
    for caution in routine.cautions:
        sys.stderr.write(textwrap.fill(sanitize(caution), width, initial_indent="  • ", subsequent_indent="    ") + "\n")
    if not ask:
        return True
    while True:
        answer = _ask("Go ahead? [Y/n] ")
        if answer is None:
            return True
        word = answer.strip().lower()
        if word in ("", "y", "yes"):
            return True
        if word in ("n", "no", "q"):
            return False


def _journal(session: Session, routine: Routine, answers: dict[str, Any], started_wall: Any) -> int:
    """Write the entry; on failure print it to stderr as JSON and return 1."""
    from datetime import timedelta

    from headrub import journal
    from headrub.commands.journal_add_cmd import save

    started_mono = session.started_at or 0.0
    ended_mono = session.ended_at if session.ended_at is not None else session.clock.now()
    ended_wall = started_wall + timedelta(seconds=max(0.0, ended_mono - started_mono))
    entry = journal.make_entry(
        routine=routine.name,
        title=routine.title,
        started_at=started_wall,
        ended_at=ended_wall,
        planned_s=session.planned_seconds,
        active_s=session.active_seconds,
        completed=session.completed and not session.strokes_skipped,
        strokes_done=session.strokes_done,
        strokes_skipped=session.strokes_skipped,
        strokes_total=session.strokes_total,
        tension_before=answers.get("before"),
        tension_after=answers.get("after"),
        note=answers.get("note"),
        source="timer",
    )
    return 0 if save(entry) else 1


def start(
    routine_name: str = typer.Argument(
        None, metavar="NAME|PATH", help="A routine name, or a path to a routine file (on a terminal, none offers a choice).",
        autocompletion=complete_routine_or_path, show_default=False,
    ),
    minutes: float = typer.Option(
        None, "--minutes", metavar="N", help="Scale the routine to N minutes (fractions allowed).",
        parser=reads(values.minutes, "--minutes"),
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Skip the cautions confirmation."),
    no_prompt: bool = typer.Option(False, "--no-prompt", help="Ask no questions."),
    before: int = typer.Option(
        None, "--before", metavar="N", help="Tension before, 0–10.", parser=reads(values.tension, "--before")
    ),
    after: int = typer.Option(
        None, "--after", metavar="N", help="Tension after, 0–10.", parser=reads(values.tension, "--after")
    ),
    note: str = typer.Option(None, "--note", metavar="TEXT", help="A note for the journal."),
    no_journal: bool = typer.Option(False, "--no-journal", help="Write nothing to the journal."),
    sound: Sound = typer.Option(
        None, "--sound", metavar="[bell|chime|none]", help="bell (default), chime or none.",
        parser=SOUND_READER, autocompletion=complete_sound,
    ),
    voice: bool = typer.Option(None, "--voice/--no-voice", help="Speak each cue (espeak-ng, say, …)."),
    tick: bool = typer.Option(None, "--tick/--no-tick", help="A soft tick on each beat of a stroke's tempo."),
    quiet: bool = typer.Option(
        None, "--quiet/--no-quiet",
        help="Quiet mode for sleep: no countdown speech, soft chimes, a fading end, no questions after.",
    ),
    lead_in: int = typer.Option(
        None, "--lead-in", parser=reads(values.whole_number, "--lead-in", 0, 60, "seconds"), metavar="SECONDS",
        help="Seconds to get ready before the first stroke (default 5 on a terminal, none when piped; 0 skips).",
    ),
    next_warning: int = typer.Option(
        None, "--next-warning", parser=reads(values.whole_number, "--next-warning", 0, 60, "seconds"), metavar="SECONDS",
        help='Say "Next: ..." this many seconds before each change (default 5; 0 is off).',
    ),
    speech_rate: int = typer.Option(
        None, "--speech-rate", parser=reads(values.whole_number, "--speech-rate", 80, 450, "words a minute"), metavar="WPM", help="Speech rate in words a minute (default 150)."
    ),
    speech_voice: str = typer.Option(
        None, "--speech-voice", metavar="NAME", help="A voice or language for the engine (espeak-ng -v, say -v)."
    ),
    volume: int = typer.Option(None, "--volume", metavar="PERCENT", parser=reads(values.whole_number, "--volume", 0, 100, "percent"), help="Chime volume, 0 to 100 (default 100)."),
) -> None:
    """Run a guided session, then write it to the journal."""
    from headrub.errors import HeadrubError, UsageError
    from headrub.output import can_redraw, is_terminal, keyboard_attached
    from headrub.routinecache import resolve  # an unchanged routine is not parsed again

    if sys.platform == "win32":  # the loop waits on the terminal and a signal pipe with select()
        raise HeadrubError("sessions need Linux or macOS for now (on Windows, run headrub under WSL)")
    if not no_journal:  # before anything is chosen or started: the entry must have somewhere to go
        _check_journal_folder()
    if routine_name is None:
        routine_name = _choose_routine()
    routine = resolve(routine_name)
    if minutes is not None:
        try:
            routine = routine.scaled(minutes)
        except ValueError as err:
            # The least that will do, in the flag's own unit, rounded up so that it is enough.
            least = math.ceil(routine.shortest_seconds / 60 * 100 - 1e-9) / 100
            raise UsageError(
                f"--minutes {minutes:g} is too short for {routine.name}: it needs {err}; give --minutes {least:g} or more"
            ) from None
    from headrub.config import voice_flag

    voice_name = voice_flag(speech_voice)
    settings = _settings(
        sound, voice, tick, no_prompt, quiet=quiet, next_warning=next_warning,
        speech_rate=speech_rate, speech_voice=voice_name, volume=volume,
    )
    routine = with_quiet(routine, settings["quiet"])
    can_ask = not settings["no_prompt"] and is_terminal(sys.stdin)
    # Keys whenever stdin is a terminal; the live screen only where the cursor can be moved too.
    keyboard = keyboard_attached()
    live = keyboard and can_redraw(sys.stdout) and is_terminal(sys.stdin)
    # On a terminal the configured lead-in; piped, only the one the flag asks for.
    settings["lead_in"] = lead_in if lead_in is not None else (settings["lead_in"] if live else 0)
    # The cues come first: a missing player or speech engine is said now, before anything is asked.
    cues, console = _cues(settings, live, quiet=routine.quiet)
    try:
        if not confirm_cautions(routine, ask=can_ask and not yes):
            typer.echo("Not started.", err=True)
            return
        interactive = can_ask and not no_journal  # answers that would not be kept are not asked for
        answers: dict[str, Any] = {"before": before, "after": after, "note": note}
        if interactive and before is None:
            answers["before"] = ask_tension("Tension before")
        code = _run(
            routine, settings, answers, interactive, journal_it=not no_journal, cues=cues, console=console,
            keyboard=keyboard,
        )
    finally:
        cues.close()
    raise typer.Exit(code)


def with_quiet(routine: Routine, quiet: object) -> Routine:
    """The routine in quiet mode or not: ``auto`` (or anything not a bool) leaves the routine's own ``quiet``."""
    from dataclasses import replace

    return replace(routine, quiet=quiet) if isinstance(quiet, bool) else routine


def _choose_routine() -> str:
    """No NAME: on a terminal the person picks one; otherwise a usage error listing them."""
    from headrub.completion import routine_names
    from headrub.errors import UsageError
    from headrub.output import is_terminal, keyboard_attached

    names = routine_names()
    if names and keyboard_attached() and is_terminal(sys.stderr):
        from headrub.picker import pick_routine

        chosen = pick_routine(names)
        if chosen is None:
            typer.echo("Not started.", err=True)
            raise typer.Exit(0)
        return chosen
    listed = ", ".join(names) if names else "none found"
    raise UsageError(f"give the routine to start, e.g. headrub start {names[0] if names else 'NAME'}; the routines: {listed}")


def _check_journal_folder() -> None:
    """Refuse to start a session whose entry could not be written: one line, exit 1, before it begins."""
    from headrub import paths
    from headrub.errors import JournalError

    problem = paths.unwritable(paths.data_dir(), paths.journal_file())
    if problem is None:
        # Permission bits do not tell everything (root, or a file system like /sys that refuses new
        # folders): make the journal's folder now, as the entry would make it after the session.
        from headrub.journal.files import _ensure_folder, _reason

        try:
            _ensure_folder(paths.data_dir())
        except OSError as err:
            problem = f"cannot make {paths.data_dir()}: {_reason(err)}"
    if problem is not None:
        raise JournalError(
            f"cannot write the journal: {problem}; nothing was started (--no-journal runs without it)"
        )


def _settings(
    sound: Sound | None, voice: bool | None, tick: bool | None, no_prompt: bool, **more: Any
) -> dict[str, Any]:
    """Flags over the config file over the defaults; ``more`` are further flags (None when not given)."""
    from headrub.config import effective

    base = {key: setting.value for key, setting in effective().items()}
    flags = {"sound": sound.value if sound else None, "voice": voice, "tick": tick, **more}
    settings = {**base, **{k: v for k, v in flags.items() if v is not None}}
    settings["no_prompt"] = no_prompt or not base.get("prompts", True)
    return settings


def _cues(settings: dict[str, Any], live: bool, *, quiet: bool) -> tuple[Cues, Screen | None]:
    """The session's sounds and speech, and the screen when the session will be drawn live."""
    from headrub.cues import Cues
    from headrub.output import is_terminal, warn
    from headrub.painter import Screen

    console = Screen() if live else None  # no Rich Console: the first bell rings sooner

    def bell() -> None:
        try:
            if console is not None:
                console.bell()
            elif is_terminal(sys.stderr):
                sys.stderr.write("\a")
                sys.stderr.flush()
        except (OSError, ValueError):
            pass  # the terminal is gone: the session still ends and is journalled

    cues = Cues(
        sound=settings["sound"], voice=bool(settings["voice"]), tick=bool(settings["tick"]), bell=bell, notify=warn,
        quiet=quiet, volume=int(settings["volume"]),
        rate=int(settings["speech_rate"]), speech_voice=str(settings["speech_voice"]),
    )
    return cues, console


class _Interrupted(Exception):
    """A signal arrived while a question was waiting for its answer."""


class _Deferred:
    """From just before the session to the journal entry: ending signals are noted, not obeyed.

    A Ctrl-C, SIGTERM, SIGHUP or SIGQUIT while the end chime fades or the entry is written is
    recorded and decides the exit status afterwards; during a question it cuts the question
    short. Either way the entry is written first (the session's own loop handles signals itself
    while it runs).
    """

    def __init__(self) -> None:
        from headrub.runner import EXIT_STATUS

        self.exit_status = EXIT_STATUS
        self.signum: int | None = None
        self.asking = False
        for signum in EXIT_STATUS:
            signal.signal(signum, self._note)

    def _note(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
        if self.asking:
            raise _Interrupted

    @property
    def exit_code(self) -> int:
        """The status the noted signal asks for (0 when none came)."""
        return self.exit_status.get(signal.Signals(self.signum), 1) if self.signum is not None else 0

    def ask(self, answers: dict[str, Any]) -> None:
        """The after-session questions, cut short by a signal."""
        self.asking = True
        try:
            if answers["after"] is None and self.signum is None:
                answers["after"] = ask_tension("Tension after")
            if answers["note"] is None and self.signum is None:
                answers["note"] = _ask("A note (Enter skips): ") or None
        except (_Interrupted, KeyboardInterrupt):
            _say(sys.stderr, "")
        finally:
            self.asking = False


def _say(stream: Any, line: str) -> None:
    """A line that may fail to print (a closed terminal, a full disk) without costing anything else."""
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _fit_terminal(line: str) -> str:
    """On a terminal, ``line`` broken between words to its width (its own wrap splits words); a pipe gets one line."""
    from headrub.output import is_terminal

    if not is_terminal(sys.stdout):
        return line
    import shutil

    from headrub.display import wrap_words

    return "\n".join(wrap_words(line, shutil.get_terminal_size().columns))


def _run(
    routine: Routine, settings: dict[str, Any], answers: dict[str, Any], interactive: bool, *,
    journal_it: bool, cues: Cues, console: Screen | None, keyboard: bool,
) -> int:
    from datetime import timedelta

    from headrub.runner import Outcome, Runner
    from headrub.session import Session
    from headrub.timeutil import now_local

    deferred = _Deferred()
    session = Session(routine, next_warning=float(settings["next_warning"]))
    started_wall, started_mono = now_local(), session.clock.now()
    try:
        if deferred.signum is not None:  # a signal came before the session could begin
            outcome = Outcome(False, deferred.exit_code, "signal")
        else:
            from headrub.keys import RawKeys

            keys = RawKeys() if keyboard else None
            outcome = Runner(
                routine, session, on_event=cues.handle, on_beat=cues.beat, console=console, keys=keys,
                lead_in=float(settings["lead_in"]), on_lead_in=cues.lead_in, notices=cues.notices,
            ).run()
            if session.started_at is not None:  # the lead-in before the first stroke is not session time
                started_wall += timedelta(seconds=max(0.0, session.started_at - started_mono))
    finally:
        cues.close()  # lets the end chime finish; a signal meanwhile is only noted
    if outcome.error is not None:
        _say(sys.stderr, f"headrub: the session stopped on an internal error: {type(outcome.error).__name__}: {outcome.error}")
    # Quiet mode asks nothing after: the entry is written at once, and the person may be asleep.
    if interactive and not routine.quiet and outcome.reason != "signal" and session.started_at is not None:
        deferred.ask(answers)
    if session.started_at is not None:  # after the questions, so it can show the change
        from headrub.display import summary_line  # here: Rich's text need not come before the first bell

        _say(sys.stdout, _fit_terminal(summary_line(session, routine, answers.get("before"), answers.get("after"))))
    elif journal_it:  # ended in the get-ready: say why nothing lands in the journal, the answers given too
        _say(sys.stderr, "Not started: ended before the first stroke, so nothing was written to the journal.")
    else:
        _say(sys.stderr, "Not started: ended before the first stroke.")
    status = 0
    if journal_it and session.started_at is not None:
        status = _journal(session, routine, answers, started_wall)
        if status == 0 and interactive:
            _say(sys.stderr, "Saved to your journal ('headrub journal' shows this week).")
    return deferred.exit_code or outcome.exit_code or status
