"""``headrub journal edit``, ``journal delete`` and ``journal merge``: corrections without rewriting.

Each appends lines that readers fold in (``headrub.journal.corrections``); the journal is never
rewritten. Top-level imports stay stdlib + Typer so that start-up is quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from headrub import values
from headrub.commands.params import AfterOpt, BeforeOpt, reads

if TYPE_CHECKING:
    from headrub.journal import Entry

IdArg = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="The entry's id, or the start of it as `journal` shows it; `last` is the newest session.",
    ),
]


def find_entry(wanted: str, entries: list[Entry]) -> Entry:
    """The entry ``wanted`` names: ``last``, a whole id, or a prefix of exactly one id (any case)."""
    from headrub.errors import UsageError
    from headrub.journal import started_at
    from headrub.journal.ids import short_ids
    from headrub.text import sanitize

    text = wanted.strip()
    if not entries:
        raise UsageError("the journal has no entries to change")
    if text.lower() == "last":
        return max(entries, key=lambda entry: (started_at(entry), str(entry.get("id"))))
    if not text:
        raise UsageError("ID: give an entry's id as `headrub journal` shows it, or `last`")
    by_id = {str(entry.get("id")): entry for entry in entries}
    if text in by_id:
        return by_id[text]
    matches = [entry for key, entry in by_id.items() if key.upper().startswith(text.upper())]
    if len(matches) == 1:
        return matches[0]
    shown = sanitize(text)
    if not matches:
        raise UsageError(f"ID: no entry's id starts with {shown!r} (`headrub journal --since DATE` shows ids)")
    short = short_ids(list(by_id))
    listed = ", ".join(
        f"{short[str(entry.get('id'))]} ({started_at(entry):%Y-%m-%d %H:%M} {sanitize(str(entry.get('routine')))})"
        for entry in sorted(matches, key=started_at)[:10]
    )
    more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
    raise UsageError(f"ID: {shown!r} starts {len(matches)} ids: {listed}{more}; type more of it")


FIELD_WORDS = {
    "active_s": "minutes",
    "tension_before": "tension before",
    "tension_after": "tension after",
    "note": "note",
    "routine": "routine",
}


def _describe(entry: Entry, entries: list[Entry]) -> str:
    """``01JD3AB (scalp-sleep, 2026-11-20 22:14)``: the id as the listing shows it among ``entries``."""
    from headrub.journal import started_at
    from headrub.journal.ids import short_ids
    from headrub.text import sanitize

    short = short_ids([str(other.get("id")) for other in entries])[str(entry.get("id"))]
    return f"{short} ({sanitize(str(entry.get('routine')))}, {started_at(entry):%Y-%m-%d %H:%M})"


def _correct(line: dict[str, Any]) -> None:
    """Append one correction line; a failed write is reported as ``journal_add_cmd.save`` reports it."""
    from headrub.commands.journal_add_cmd import save

    if not save(line):
        raise typer.Exit(1)


def _all_entries() -> list[Entry]:
    from headrub import journal as store
    from headrub.output import warn

    return store.read_entries(None, None, warn)


def edit(
    entry_id: IdArg,
    minutes: Annotated[
        float | None,
        typer.Option(
            "--minutes", metavar="N", help="How long it was, in minutes (fractions allowed).",
            parser=reads(values.minutes, "--minutes"),
        ),
    ] = None,
    before: BeforeOpt = None,
    after: AfterOpt = None,
    note: Annotated[str | None, typer.Option("--note", metavar="TEXT", help="A new note (\"\" removes it).")] = None,
    routine: Annotated[str | None, typer.Option("--routine", metavar="NAME", help="The routine it was.")] = None,
) -> None:
    """Correct a session: the change is appended and shown from now on; the original line stays."""
    from headrub import journal as store
    from headrub.commands.journal_add_cmd import MAX_NAME_CHARS, _known_title
    from headrub.commands.journal_output import _emit
    from headrub.errors import UsageError
    from headrub.journal.entries import _seconds, _valid_text

    changes: dict[str, Any] = {}
    if minutes is not None:  # read and checked by values.minutes, as journal add and start read it
        changes["active_s"] = _seconds(minutes * 60)
    if before is not None:
        changes["tension_before"] = before
    if after is not None:
        changes["tension_after"] = after
    if note is not None:
        changes["note"] = _valid_text(note) if note else None
    if routine is not None:
        name = routine.strip()
        if not name or len(name) > MAX_NAME_CHARS:
            raise UsageError(f"--routine: give the routine's name (1 to {MAX_NAME_CHARS} characters)")
        changes["routine"] = _valid_text(name)
        changes["title"] = _known_title(name)
    if not changes:
        raise UsageError("say what to change: --minutes, --before, --after, --note or --routine")
    entries = _all_entries()
    target = find_entry(entry_id, entries)
    _correct(store.make_correction(target, "edit", changes))
    what = ", ".join(FIELD_WORDS[name] for name in FIELD_WORDS if name in changes)
    _emit(f"Corrected {_describe(target, entries)}: {what}.\n")


def delete(entry_id: IdArg) -> None:
    """Remove a session from everything headrub shows; the original line stays in the file."""
    from headrub import journal as store
    from headrub.commands.journal_output import _emit

    entries = _all_entries()
    target = find_entry(entry_id, entries)
    _correct(store.make_correction(target, "delete"))
    _emit(f"Deleted {_describe(target, entries)}.\n")


def merge(
    names: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="Journals to bring in (another machine's, a synced copy), or a saved line a failed write printed.",
        ),
    ],
) -> None:
    """Bring other journals into yours: every entry once, nothing rewritten; merging again adds nothing."""
    from headrub.commands.journal_output import _emit
    from headrub.commands.params import _given_path
    from headrub.journal.merging import merge as merge_files
    from headrub.output import warn

    files = [_given_path(name, "FILE") for name in names]  # '' is a mistake, never the current folder
    added, known = merge_files(files, None, warn)
    lines = "line" if added == 1 else "lines"
    _emit(f"Merged {added} new {lines} into your journal ({known} already there).\n")
