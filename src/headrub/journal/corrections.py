"""Corrections: ``journal edit`` and ``journal delete`` append lines that readers fold in.

A correction line names the entry it corrects (``of``) and carries that entry's ``started_at``,
so a window that holds the entry also reaches the correction::

    {"v": 1, "id": "01JD…", "correction": "edit", "of": "01JC…", "started_at": "…",
     "set": {"tension_after": 2}, "logged_at": "…"}

Folding is the same whatever order the lines are in: entries with one id are one entry (the
least of their canonical texts when copies differ), corrections apply in the order of their own
ids (time order), the later one winning a field, and a deletion is final.
"""

from __future__ import annotations

import json
from typing import Any

from headrub.journal.entries import Entry, _is_number
from headrub.journal.ids import new_id

KINDS = ("edit", "delete")
BOOKKEEPING = ("line_at", "latest_start")  # where a line was written and what came before it
# The fields an edit may set: name -> (kind of value, may be null).
EDITABLE: dict[str, tuple[str, bool]] = {
    "active_s": ("a number of seconds", False),
    "tension_before": ("a tension from 0 to 10", True),
    "tension_after": ("a tension from 0 to 10", True),
    "note": ("a string", True),
    "routine": ("a routine name", False),
    "title": ("a string", True),
}


def make_correction(target: Entry, kind: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A correction of ``target`` (an entry as read), without ``logged_at``: ``append`` adds that."""
    if kind not in KINDS:
        raise ValueError(f"a correction is one of {KINDS}, not {kind!r}")
    line: dict[str, Any] = {
        "v": 1,
        "id": new_id(),
        "correction": kind,
        "of": target["id"],
        "started_at": target["started_at"],
    }
    if kind == "edit":
        line["set"] = dict(changes or {})
    return line


def is_correction(value: dict[str, Any]) -> bool:
    """Whether a JSON object of the journal is a correction (rather than an entry)."""
    return "correction" in value


def correction_problem(value: dict[str, Any]) -> str | None:
    """Why a correction line is not one, or None."""
    version = value.get("v", 1)
    if type(version) is not int or not 1 <= version <= 1000:
        return "v is not a format version"
    if value.get("correction") not in KINDS:
        return "correction is neither edit nor delete"
    for name in ("id", "of", "started_at"):
        if type(value.get(name)) is not str or not value[name]:
            return f"a correction without {name}"
    if value["correction"] == "delete":
        return None
    changes = value.get("set")
    if not isinstance(changes, dict) or not changes:
        return "an edit without set"
    for name, item in changes.items():
        if name not in EDITABLE:
            return f"an edit of {name}, which cannot be edited"
        kind, nullable = EDITABLE[name]
        if item is None and nullable:
            continue
        if not _fits(name, item):
            return f"set.{name} is not {kind}"
    return None


def _fits(name: str, item: Any) -> bool:
    if name == "active_s":
        return _is_number(item)
    if name.startswith("tension_"):
        return type(item) is int and 0 <= item <= 10
    if name == "routine":
        return type(item) is str and bool(item)
    return type(item) is str


def canonical(value: dict[str, Any]) -> str:
    """A line's content as one text, bookkeeping and ``logged_at`` left out: equal texts are one line."""
    kept = {key: item for key, item in value.items() if key not in BOOKKEEPING and key != "logged_at"}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False)


def _rank(value: dict[str, Any]) -> tuple[str, str]:
    """Which of two lines with one id a reader keeps: the lesser content, then the earlier ``logged_at``."""
    logged = value.get("logged_at")
    return canonical(value), logged if type(logged) is str else ""


def strip(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` without the bookkeeping fields (in place; returned for convenience)."""
    for key in BOOKKEEPING:
        value.pop(key, None)
    return value


def fold(entries: list[Entry], corrections: list[dict[str, Any]]) -> list[Entry]:
    """The entries as corrected: one per id, edits applied, deleted ones gone; in first-seen order."""
    chosen: dict[Any, Entry] = {}
    for entry in entries:
        key = entry.get("id")
        if type(key) is not str:
            key = id(entry)  # a newer format without an id: never merged with another
        held = chosen.get(key)
        if held is None:
            chosen[key] = entry
        elif _rank(entry) < _rank(held):
            chosen[key] = {**entry}  # keeps ``held``'s place (first seen), takes the lesser content
    if corrections:
        _apply(chosen, corrections)
    return [strip(entry) for entry in chosen.values() if entry is not _DELETED]


_DELETED: Entry = {}


def _apply(chosen: dict[Any, Entry], corrections: list[dict[str, Any]]) -> None:
    unique: dict[str, dict[str, Any]] = {}
    for line in corrections:
        held = unique.get(line["id"])
        if held is None or _rank(line) < _rank(held):
            unique[line["id"]] = line
    for line in sorted(unique.values(), key=lambda item: (item["id"], _rank(item))):
        target = chosen.get(line["of"])
        if target is None or target is _DELETED:
            continue
        if line["correction"] == "delete":
            chosen[line["of"]] = _DELETED
        else:
            chosen[line["of"]] = {**target, **line["set"]}
