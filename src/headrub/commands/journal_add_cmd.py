"""``headrub journal add``: log a session done without the timer; and ``save``, the one place an entry is written.

Top-level imports stay stdlib + Typer so that start-up is quick.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from headrub import values
from headrub.commands.params import AfterOpt, BeforeOpt, reads

MAX_MINUTES = 24 * 60
MAX_NAME_CHARS = 200


def add(
    routine: Annotated[str, typer.Argument(metavar="ROUTINE", help="The routine's name (any name will do).")],
    minutes: Annotated[
        float,
        typer.Option(
            "--minutes", metavar="N", help="How long the session was, in minutes (fractions allowed).",
            parser=reads(values.minutes, "--minutes"),
        ),
    ],
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            metavar="WHEN",
            help="When it started, local time: 21:30, 'yesterday 21:30', 'monday 8:00' or 2026-11-20T21:30 (default: it just ended).",
        ),
    ] = None,
    before: BeforeOpt = None,
    after: AfterOpt = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A note.")] = None,
) -> None:
    """Log a session done without the timer (a salon head spa, a partner's massage)."""
    import math
    from datetime import timedelta

    from headrub import journal as store
    from headrub.commands.journal_output import _clean, _emit
    from headrub.commands.journal_view import _clock
    from headrub.errors import UsageError
    from headrub.timeutil import now_local, parse_at

    name = routine.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise UsageError(f"ROUTINE: give the routine's name (1 to {MAX_NAME_CHARS} characters)")
    if not math.isfinite(minutes) or not 0 < minutes <= MAX_MINUTES:
        raise UsageError(
            f"--minutes: give the session's length, more than 0 and at most {MAX_MINUTES}, e.g. --minutes 20"
        )
    store.check_tension(before, "--before")
    store.check_tension(after, "--after")
    now = now_local()
    lasting = timedelta(minutes=minutes)
    started = parse_at(at, now=now, lasting=lasting) if at is not None else now - lasting
    seconds = minutes * 60
    title = _known_title(name)
    entry = store.make_entry(
        routine=name,
        title=title,
        started_at=started,
        ended_at=started + timedelta(seconds=seconds),
        planned_s=seconds,
        active_s=seconds,
        completed=True,
        tension_before=before,
        tension_after=after,
        note=note,
        source="manual",
    )
    if not save(entry):
        raise typer.Exit(1)
    named = f"{_clean(name)} ({_clean(title)})" if title else _clean(name)
    _emit(f"Logged {_clock(minutes)} of {named}, started {store.started_at(entry):%Y-%m-%d %H:%M}.\n")
    if title is None:
        _mention_close_routine(name)


def _mention_close_routine(name: str) -> None:
    """A name that is no routine but looks like one (``partner-hed``): say so once logged; any name may be logged."""
    import difflib

    from headrub.commands.journal_output import _clean
    from headrub.errors import HeadrubError
    from headrub.finding import discover
    from headrub.output import warn

    try:
        names = [found.name for found in discover()]
    except HeadrubError:  # an unreadable routines folder: the hint is decoration
        return
    close = difflib.get_close_matches(name.lower(), names, n=2, cutoff=0.8)
    if close:
        warn(
            f"{_clean(name)!r} is no routine headrub knows; did you mean {' or '.join(close)}? It is logged as given: "
            f"'headrub journal edit last --routine {close[0]}' corrects it"
        )


def save(entry: dict[str, Any]) -> bool:
    """Append ``entry``; when the journal cannot take it, say why and print the entry to keep.

    The one place a failed write is reported (CONTRACT §5 and issue 4): one line naming the
    journal and the reason, then the entry as JSON on stderr, so nothing the person gave is lost.
    """
    from headrub import journal as store
    from headrub.errors import JournalError
    from headrub.output import warn

    try:
        store.append(entry, None, warn)
    except JournalError as err:
        typer.echo(f"headrub: {err}", err=True)
        # ASCII-escaped: the line goes to a terminal, and a note may hold bidi or C1 characters.
        kept = json.dumps(entry, ensure_ascii=True, separators=(",", ":"))
        typer.echo("headrub: the entry, to keep by hand: " + kept, err=True)
        return False
    return True


def _known_title(name: str) -> str | None:
    """The title of the routine called ``name``, if there is one; any name may be logged."""
    from headrub.errors import HeadrubError
    from headrub.loader import find_routine
    from headrub.routine import is_valid_name

    if not is_valid_name(name):
        return None
    try:  # the title is decoration: a broken routine file must not stop the log
        return find_routine(name).title
    except HeadrubError:
        return None
