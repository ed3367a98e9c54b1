"""Corrections, duplicate ids and windows that hide nothing, whatever order the lines are in."""

from __future__ import annotations

import json
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from headrub import journal
from headrub.journal.corrections import fold
from headrub.timeutil import EVERYTHING, Window

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WEEK = Window(NOW - timedelta(days=7), None, "this week")


def made(name: str, started: datetime, **fields: Any) -> dict[str, Any]:
    """An entry of routine ``name`` started at ``started``, with ``logged_at`` an hour later."""
    entry = journal.make_entry(routine=name, started_at=started, ended_at=started, active_s=60, **fields)
    return {**entry, "logged_at": (started + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}


def hand_line(name: str, started: datetime, logged: datetime) -> bytes:
    """A line as a person (or another program) might write it: no bookkeeping."""
    stamp = started.isoformat()
    return (json.dumps({"v": 1, "id": f"hand-{name}", "routine": name, "started_at": stamp, "ended_at": stamp,
                        "active_s": 60, "completed": True, "source": "manual",
                        "logged_at": logged.strftime("%Y-%m-%dT%H:%M:%SZ")}) + "\n").encode()  # fmt: skip


def names(entries: Any) -> list[str]:
    return [entry["routine"] for entry in entries]


def test_sixteen_old_lines_after_this_weeks_sessions_do_not_hide_them(tmp_path: Path) -> None:
    """The issue's case: this week's sessions, then 16 lines with an old logged_at: --week still shows them."""
    path = tmp_path / "journal.jsonl"
    journal.append_lines([made("old", NOW - timedelta(days=300 + i)) for i in range(50)], path)
    journal.append_lines([made("this-week", NOW - timedelta(days=1))], path)
    with path.open("ab") as handle:
        for i in range(16):
            handle.write(hand_line(f"ancient{i}", NOW - timedelta(days=900 + i), NOW - timedelta(days=900)))
    assert names(journal.read_entries(path, WEEK)) == ["this-week"]


def test_a_back_dated_line_deep_in_the_file_is_found(tmp_path: Path) -> None:
    """A hand-made line for this week, followed by a hundred headrub lines for older days."""
    path = tmp_path / "journal.jsonl"
    journal.append_lines([made("old", NOW - timedelta(days=300 + i)) for i in range(20)], path)
    with path.open("ab") as handle:
        handle.write(hand_line("recent-by-hand", NOW - timedelta(days=2), NOW - timedelta(days=400)))
    journal.append_lines([made("older", NOW - timedelta(days=200 - i)) for i in range(100)], path)
    assert names(journal.read_entries(path, WEEK)) == ["recent-by-hand"]


def test_a_hand_concatenated_journal_shows_each_id_once_and_hides_nothing(tmp_path: Path) -> None:
    """cat a b > c: every id once, and a window over c finds the entries of both."""
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    journal.append_lines([made("a-old", NOW - timedelta(days=100)), made("a-new", NOW - timedelta(days=1))], a)
    journal.append_lines([made("b-new", NOW - timedelta(days=2))] + [made("b-old", NOW - timedelta(days=200 + i)) for i in range(30)], b)
    both = tmp_path / "c.jsonl"
    both.write_bytes(a.read_bytes() + b.read_bytes() + a.read_bytes())
    every = journal.read_entries(both)
    assert len(every) == 33 and len({entry["id"] for entry in every}) == 33
    assert sorted(names(journal.read_entries(both, WEEK))) == ["a-new", "b-new"]


def test_entries_read_never_carry_the_bookkeeping(tmp_path: Path) -> None:
    """line_at and latest_start stay in the file: readers (and so --json) show the entry as made."""
    path = tmp_path / "journal.jsonl"
    journal.append_lines([made("x", NOW)], path)
    raw = json.loads(path.read_bytes())
    assert {"line_at", "latest_start"} <= set(raw)
    (entry,) = journal.read_entries(path)
    assert "line_at" not in entry and "latest_start" not in entry


def test_a_line_whose_offset_is_wrong_is_not_believed(tmp_path: Path) -> None:
    """A headrub line moved by one byte (a space put in front of the file) no longer stops a scan."""
    path = tmp_path / "journal.jsonl"
    journal.append_lines([made("recent", NOW - timedelta(days=1))], path)
    with path.open("ab") as handle:
        handle.write(hand_line("x", NOW - timedelta(days=1), NOW))
    journal.append_lines([made("old", NOW - timedelta(days=100))], path)  # trusted, says "latest: recent"
    lines = path.read_bytes().split(b"\n")
    forged = json.loads(lines[2])
    forged["latest_start"] = "1999-01-01T00:00:00+00:00"  # a lie, but at the wrong offset after the edit
    path.write_bytes(b" " + b"\n".join([*lines[:2], json.dumps(forged).encode(), b""]))
    assert sorted(names(journal.read_entries(path, WEEK))) == ["recent", "x"]


# --- corrections ---------------------------------------------------------------------------


def test_fold_applies_edits_in_id_order_and_deletion_is_final() -> None:
    """Two edits of one field: the later (by id) wins, whatever their order in the list; delete removes."""
    first = made("a", NOW)
    other = made("b", NOW)
    early = journal.make_correction(first, "edit", {"tension_after": 5})
    late = journal.make_correction(first, "edit", {"tension_after": 2, "note": "slept"})
    gone = journal.make_correction(other, "delete")
    for order in ([early, late, gone], [late, gone, early], [gone, late, early]):
        (entry,) = fold([first, other], list(order))
        assert (entry["routine"], entry["tension_after"], entry["note"]) == ("a", 2, "slept")


def test_fold_keeps_one_of_two_different_copies_whatever_their_order() -> None:
    """Two lines with one id and different contents (a hand edit on one machine): the same one wins both ways."""
    entry = made("a", NOW)
    edited = {**entry, "note": "changed by hand"}
    assert fold([dict(entry), dict(edited)], []) == fold([dict(edited), dict(entry)], [])


def test_a_correction_of_an_unknown_id_changes_nothing() -> None:
    entry = made("a", NOW)
    stray = journal.make_correction({"id": "nope", "started_at": entry["started_at"]}, "delete")
    assert fold([entry], [stray]) == [entry]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"correction": "rename", "id": "x", "of": "y", "started_at": "2026-11-20T12:00:00+00:00"}, "neither edit nor delete"),
        ({"correction": "edit", "id": "x", "of": "y", "started_at": "2026-11-20T12:00:00+00:00"}, "an edit without set"),
        ({"correction": "edit", "id": "x", "of": "y", "started_at": "2026-11-20T12:00:00+00:00", "set": {"id": "z"}}, "cannot be edited"),
        ({"correction": "edit", "id": "x", "of": "y", "started_at": "2026-11-20T12:00:00+00:00", "set": {"tension_after": 11}}, "tension"),
        ({"correction": "edit", "id": "x", "of": "y", "started_at": "2026-11-20T12:00:00+00:00", "set": {"active_s": -1}}, "seconds"),
        ({"correction": "delete", "id": "x", "started_at": "2026-11-20T12:00:00+00:00"}, "without of"),
        ({"correction": "delete", "id": "x", "of": "y", "started_at": "soon"}, "not a date-time"),
    ],
)  # fmt: skip
def test_a_bad_correction_is_a_warning_with_its_line(tmp_path: Path, line: dict[str, Any], reason: str) -> None:
    path = tmp_path / "journal.jsonl"
    journal.append_lines([made("a", NOW)], path)
    with path.open("ab") as handle:
        handle.write(json.dumps({"v": 1, **line}).encode() + b"\n")
    warnings: list[str] = []
    assert names(journal.read_entries(path, None, warnings.append)) == ["a"]
    assert len(warnings) == 1 and ":2: " in warnings[0] and reason in warnings[0]


def test_a_correction_is_found_by_a_window_that_holds_its_entry(tmp_path: Path) -> None:
    """An edit appended after a hundred older sessions still reaches this week's entry through --week."""
    path = tmp_path / "journal.jsonl"
    entry = made("a", NOW - timedelta(days=1))
    journal.append_lines([entry], path)
    journal.append_lines([made("old", NOW - timedelta(days=300 + i)) for i in range(100)], path)
    journal.append_lines([{**journal.make_correction(entry, "edit", {"tension_after": 1}), "logged_at": "2026-11-20T12:00:00Z"}], path)
    (read,) = journal.read_entries(path, WEEK)
    assert read["tension_after"] == 1


# --- the property: a window is the full read filtered, whatever was appended -----------------

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["session", "session", "session", "backdated", "hand", "copy", "edit", "delete", "junk"]),
        st.integers(0, 3000),  # hours back from NOW for a started_at
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(actions=ACTIONS, days=st.integers(1, 90), block_size=st.sampled_from([64, 4096, journal.BLOCK_SIZE]), seed=st.integers(0, 99))
def test_a_window_equals_the_full_read_filtered(actions: list[tuple[str, int]], days: int, block_size: int, seed: int) -> None:
    """Sessions, back-dated and hand-made lines, copies of earlier lines, edits, deletions and junk,
    in any order: a windowed read is exactly the full read filtered by the window."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        patch.setattr("os.fsync", lambda fd: None)
        path = Path(folder) / "journal.jsonl"
        clock = NOW - timedelta(hours=3000)
        written: list[dict[str, Any]] = []
        for kind, back in actions:
            clock += timedelta(hours=50)
            started = NOW - timedelta(hours=back)
            if kind in ("copy", "edit", "delete") and not written:
                kind = "junk"
            if kind == "session":
                written.append(made("s", min(clock, NOW)))
                journal.append_lines([written[-1]], path)
            elif kind == "backdated":
                written.append(made("b", started))
                journal.append_lines([written[-1]], path)
            elif kind == "hand":
                with path.open("ab") as handle:
                    handle.write(hand_line(f"h{len(written)}", started, clock))
            elif kind == "copy":
                with path.open("ab") as handle:
                    handle.write(json.dumps(rng.choice(written)).encode() + b"\n")
            elif kind in ("edit", "delete"):
                change = {"note": f"n{back}"} if kind == "edit" else None
                line = journal.make_correction(rng.choice(written), kind, change)
                journal.append_lines([{**line, "logged_at": "2026-11-20T12:00:00Z"}], path)
            else:
                with path.open("ab") as handle:
                    handle.write(b'{"v": 1, "id": "torn\n')
        window = Window(NOW - timedelta(days=days), None, "x")
        with time_machine.travel(NOW, tick=False):
            full = [e for e in journal.read_entries(path, EVERYTHING) if window.contains(journal.started_at(e))]
            fast = journal.read_entries(path, window, block_size=block_size)
        assert sorted(fast, key=lambda e: e["id"]) == sorted(full, key=lambda e: e["id"])


# --- the scan index: old journals without bookkeeping -----------------------------------------


def old_style(path: Path, count: int, recent: int) -> None:
    """A journal as an older headrub wrote it (no line_at, no latest_start): old days, then recent ones."""
    with path.open("ab") as handle:
        for i in range(count):
            started = NOW - timedelta(days=2000 - i * 0.3) if i < count - recent else NOW - timedelta(hours=count - i)
            handle.write(hand_line(f"o{i}", started, started + timedelta(hours=1)))


def bytes_read(path: Path, window: Window, patch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    total = [0]
    real = journal.files._open_for_read

    def opener(target: Path) -> Any:
        handle = real(target)
        original = handle.read

        def read(size: int = -1) -> bytes:
            data = original(size)
            total[0] += len(data)
            return data

        handle.read = read  # type: ignore[method-assign]
        return handle

    patch.setattr(journal.files, "_open_for_read", opener)
    found = sorted(names(journal.read_entries(path, window)))
    patch.setattr(journal.files, "_open_for_read", real)
    return total[0], found


def test_an_old_journal_is_read_in_full_once_then_the_index_stops_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without bookkeeping a --week read scans everything and notes checkpoints; the next reads stop early,
    and lines appended afterwards (back-dated ones too) are still found."""
    monkeypatch.setattr(journal.scanindex, "WORTH_IT", 4096)
    monkeypatch.setattr(journal.scanindex, "STEP", 65536)
    path = tmp_path / "journal.jsonl"
    old_style(path, 6000, 5)
    first, found = bytes_read(path, WEEK, monkeypatch)
    assert first >= path.stat().st_size and len(found) == 5
    second, again = bytes_read(path, WEEK, monkeypatch)
    assert again == found and second < first / 4
    with path.open("ab") as handle:
        handle.write(hand_line("late-by-hand", NOW - timedelta(days=1), NOW))
    assert "late-by-hand" in bytes_read(path, WEEK, monkeypatch)[1]
    full = sorted(names(entry for entry in journal.read_entries(path) if WEEK.contains(journal.started_at(entry))))
    assert bytes_read(path, WEEK, monkeypatch)[1] == full


def test_the_index_is_not_believed_for_a_replaced_or_rewritten_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal.scanindex, "WORTH_IT", 4096)
    monkeypatch.setattr(journal.scanindex, "STEP", 2048)
    path = tmp_path / "journal.jsonl"
    old_style(path, 400, 5)
    journal.read_entries(path, WEEK)  # writes the index
    data = path.read_bytes()
    # The same bytes but for one old line that now starts this week (same length), in a new file.
    first = data.split(b"\n", 1)[0]
    changed = json.loads(first)
    changed["started_at"] = (NOW - timedelta(days=2)).isoformat()
    swapped = json.dumps(changed).encode()
    assert len(swapped) <= len(first)
    swapped = swapped[:-1] + b" " * (len(first) - len(swapped)) + b"}"
    fresh = tmp_path / "fresh.jsonl"
    fresh.write_bytes(swapped + data[len(first) :])
    fresh.replace(path)
    assert "o0" in names(journal.read_entries(path, WEEK))
