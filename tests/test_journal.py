"""The journal store: ids, entries, appending, and reading (skipping bad lines, backward window scans)."""

from __future__ import annotations

import json
import os
import string
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headrub import journal
from headrub.errors import JournalError, UsageError
from headrub.paths import journal_file
from headrub.timeutil import EVERYTHING, Window, make_window

CONTRACT_KEYS = [
    "v", "id", "routine", "title", "started_at", "ended_at", "planned_s", "active_s", "completed",
    "strokes_done", "strokes_total", "strokes_skipped", "tension_before", "tension_after", "note", "source",
]  # fmt: skip
T0 = datetime(2026, 11, 22, 21, 14, 3, tzinfo=UTC)


def entry(
    note: str | None = None, *, routine: str = "scalp-sleep", started: datetime = T0, **fields: Any
) -> dict[str, Any]:
    """A ten-minute timer entry started at ``started``."""
    values: dict[str, Any] = {
        "routine": routine,
        "title": "Scalp massage for sleep",
        "started_at": started,
        "ended_at": started + timedelta(minutes=10),
        "planned_s": 600,
        "active_s": 598.44,
        "completed": True,
        "strokes_done": 8,
        "strokes_total": 8,
        "tension_before": 6,
        "tension_after": 2,
        "note": note,
    }
    values.update(fields)
    return journal.make_entry(**values)


def lines_of(path: Path) -> list[bytes]:
    """The file's lines, split on newlines only."""
    return path.read_bytes().split(b"\n")


class Warnings(list[str]):
    """Collects warnings; callable, so it can be passed as ``warn``."""

    def __call__(self, message: str) -> None:
        self.append(message)


@pytest.fixture
def path() -> Path:
    """The journal file in the test's own data folder."""
    return journal_file()


@pytest.fixture
def berlin() -> Iterator[None]:
    """Europe/Berlin as the local zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


# --- ids -------------------------------------------------------------------------------------


def test_ids_are_26_crockford_characters_and_unique() -> None:
    """new_id gives 26 characters of Crockford base32 and never repeats."""
    ids = [journal.new_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 26 and set(i) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for i in ids)


def test_ids_grow_within_a_millisecond_and_when_the_clock_steps_back() -> None:
    """With the clock frozen, and after it jumps back a day, each id still sorts after the last."""
    made = []
    with time_machine.travel(T0, tick=False):
        made += [journal.new_id() for _ in range(500)]
    with time_machine.travel(T0 - timedelta(days=1), tick=False):
        made += [journal.new_id() for _ in range(10)]
    assert made == sorted(made) and len(set(made)) == len(made)


def test_ids_sort_by_time() -> None:
    """An id made later (by the clock) sorts after one made earlier, and its first 10 characters encode the time."""
    with time_machine.travel(T0, tick=False):
        first = journal.new_id()
    with time_machine.travel(T0 + timedelta(days=400), tick=False):
        later = journal.new_id()
    assert first < later
    assert first[:10] == journal.ids._base32(int(T0.timestamp() * 1000), 10)


# --- entries ---------------------------------------------------------------------------------


def test_make_entry_builds_the_contract_fields_in_order(berlin: None) -> None:
    """make_entry gives the CONTRACT section 5 keys, local times with offset, seconds to 0.1."""
    made = entry(
        "fell asleep after", started=datetime(2026, 11, 22, 22, 14, 3, tzinfo=ZoneInfo("Europe/Berlin"))
    )
    assert list(made) == CONTRACT_KEYS
    assert made["v"] == 1 and made["source"] == "timer" and len(made["id"]) == 26
    assert made["started_at"] == "2026-11-22T22:14:03+01:00"
    assert made["ended_at"] == "2026-11-22T22:24:03+01:00"
    assert made["planned_s"] == 600 and isinstance(made["planned_s"], int)
    assert made["active_s"] == 598.4


def test_make_entry_converts_times_to_local_and_takes_naive_as_local(berlin: None) -> None:
    """An aware UTC time is stored in local time; a naive one is taken as local."""
    assert entry(started=datetime(2026, 7, 1, 10, 0, tzinfo=UTC))["started_at"] == "2026-07-01T12:00:00+02:00"
    assert entry(started=datetime(2026, 1, 1, 10, 0))["started_at"] == "2026-01-01T10:00:00+01:00"


def test_make_entry_drops_an_empty_note_and_checks_tension() -> None:
    """An empty note is no note; tension outside 0–10 (or not an int) is a UsageError."""
    assert entry("")["note"] is None
    assert entry(tension_before=None, tension_after=0)["tension_after"] == 0
    for bad in (-1, 11, 2.5, True):
        with pytest.raises(UsageError):
            entry(tension_before=bad)


def test_make_entry_replaces_lone_surrogates_so_the_line_is_utf8() -> None:
    """Undecodable argv bytes (lone surrogates) become U+FFFD rather than an unwritable line."""
    made = entry("caf\udce9 \ud800")
    assert made["note"] == "caf\ufffd \ufffd"
    made["note"].encode("utf-8")


def test_entry_json_is_one_line_that_parses_back() -> None:
    """entry_json gives one line of JSON equal to the entry, for printing when a write failed."""
    made = entry('line one\nline "two"\r\n\u2028\x1b[2J')
    text = journal.entry_json(made)
    assert "\n" not in text and json.loads(text) == made


# --- appending -------------------------------------------------------------------------------


def test_append_adds_logged_at_and_writes_one_line(path: Path) -> None:
    """append stamps logged_at in UTC (``...Z``), returns the stored entry, and writes it as one line."""
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        stored = journal.append(entry("hi"))
    assert stored["logged_at"] == "2026-11-22T21:24:03Z"
    assert list(stored)[-1] == "logged_at"
    assert path.read_bytes().count(b"\n") == 1
    written = json.loads(path.read_bytes())
    assert (written.pop("line_at"), written.pop("latest_start")) == (0, "2026-11-22T21:14:03+00:00")
    assert written == stored


def test_append_replaces_a_logged_at_given_by_the_caller(path: Path) -> None:
    """logged_at is always when the line was written, whatever the entry held."""
    with time_machine.travel(T0, tick=False):
        stored = journal.append({**entry(), "logged_at": "1999-01-01T00:00:00Z"})
    assert stored["logged_at"] == "2026-11-22T21:14:03Z"


def test_append_to_an_explicit_path_creates_its_folders(tmp_path: Path) -> None:
    """append(path=...) writes there, creating the missing folders."""
    target = tmp_path / "a" / "b" / "journal.jsonl"
    journal.append(entry(), target)
    assert len(journal.read_entries(target)) == 1


def test_append_keeps_earlier_lines_and_order(path: Path) -> None:
    """Each append adds a line at the end; earlier bytes are untouched."""
    journal.append(entry("one"))
    before = path.read_bytes()
    journal.append(entry("two"))
    assert path.read_bytes().startswith(before)
    assert [e["note"] for e in journal.read_entries()] == ["one", "two"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    note=st.one_of(
        st.none(), st.text(), st.text(alphabet=string.printable + "\x00\x1b\x7f\x85\u2028\u2029\ufeff")
    ),
    routine=st.text(min_size=1),
    title=st.one_of(st.none(), st.text()),
)
def test_entries_round_trip_through_the_file(note: str | None, routine: str, title: str | None) -> None:
    """Any Unicode (control characters, newlines, U+2028, NUL, BOM) in note, routine and title reads back exactly."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "journal.jsonl"
        stored = journal.append(entry(note, routine=routine, title=title), target)
        warnings = Warnings()
        assert journal.read_entries(target, None, warnings) == [stored]
        assert journal.read_entries(target, Window(T0 - timedelta(days=1), None, "x"), warnings) == [stored]
        assert warnings == []
        assert target.read_bytes().count(b"\n") == 1


def test_a_note_with_surrogates_in_a_stored_entry_is_escaped_not_lost(path: Path) -> None:
    """An entry dict holding lone surrogates (not via make_entry) is written \\u-escaped and reads back equal."""
    raw = {**entry(), "note": "\udcff odd"}
    stored = journal.append(raw)
    assert journal.read_entries() == [stored]


# --- reading ---------------------------------------------------------------------------------


def test_reading_a_missing_journal_is_empty_and_creates_nothing(isolated_dirs: tuple[Path, Path]) -> None:
    """No journal means no entries, and reading does not create the data folder."""
    _, data = isolated_dirs
    assert journal.read_entries() == []
    assert journal.read_entries(None, make_window(week=True)) == []
    assert not data.exists()


def test_reading_never_modifies_the_file(path: Path) -> None:
    """Reading a journal with bad lines leaves its bytes and modification time as they were."""
    journal.append(entry())
    with path.open("ab") as handle:
        handle.write(b'garbage\n{"v": 1, "id": "tor')
    before, stat = path.read_bytes(), path.stat()
    for window in (None, make_window(week=True, now=T0), make_window(since="2000-01-01")):
        journal.read_entries(None, window, Warnings())
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stat.st_mtime_ns


def test_unknown_fields_are_kept(path: Path) -> None:
    """A field this version does not know survives reading (and so --json)."""
    journal.append({**entry(), "mood": {"calm": True}})
    (read,) = journal.read_entries()
    assert read["mood"] == {"calm": True}


def test_a_newer_format_is_read_as_far_as_understood_with_one_warning(path: Path) -> None:
    """v2 lines are read (even with fields this version would refuse), with a single warning."""
    journal.append(entry("v1"))
    for note in ("a", "b"):
        journal.append({**entry(note), "v": 2, "active_s": "PT10M", "tension_before": "calm"})
    warnings = Warnings()
    read = journal.read_entries(None, None, warnings)
    assert [e["note"] for e in read] == ["v1", "a", "b"]
    assert len(warnings) == 1 and "newer headrub (format v2)" in warnings[0]
    assert journal.active_seconds(read[1]) == 0.0 and journal.tension_change(read[1]) is None


BAD_LINES = [
    (b"garbage", "not valid JSON"),
    (b'{"v": 1, "routine": "x", "started_at": "2026-11-22T10:00:00+00:00", "active_s": 1', "not valid JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'"text"', "not a JSON object"),
    (b"null", "not a JSON object"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b'{"v": 1, "started_at": "2026-11-22T10:00:00+00:00"}', "no routine"),
    (b'{"v": 1, "routine": "x"}', "no started_at"),
    (b'{"v": 1, "routine": "x", "started_at": "yesterday"}', "started_at is not a date-time"),
    (b'{"v": "1", "routine": "x", "started_at": "2026-11-22T10:00:00+00:00"}', "v is not"),
    (
        b'{"v": 1, "routine": "x", "started_at": "2026-11-22T10:00:00+00:00", "tension_after": 11}',
        "tension_after",
    ),
    (
        b'{"v": 1, "routine": "x", "started_at": "2026-11-22T10:00:00+00:00", "active_s": NaN}',
        "not valid JSON",
    ),
    (b'{"v": 1, "routine": "x", "started_at": "2026-11-22T10:00:00+00:00", "completed": 1}', "completed"),
    (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_LINES)
def test_a_bad_line_is_skipped_with_one_warning_naming_its_line(path: Path, bad: bytes, reason: str) -> None:
    """Between two good entries, a line that is not an entry gives one warning with its line number."""
    journal.append(entry("first"))
    with path.open("ab") as handle:
        handle.write(bad + b"\n")
    journal.append(entry("third"))
    for window in (None, Window(T0 - timedelta(days=2), None, "x")):
        warnings = Warnings()
        assert [e["note"] for e in journal.read_entries(None, window, warnings)] == ["first", "third"]
        assert len(warnings) == 1
        assert warnings[0].startswith(f"{path}:2: skipped") and reason in warnings[0]


def test_blank_lines_are_skipped_silently(path: Path) -> None:
    """Empty or whitespace-only lines (a hand edit) are no entry and no warning."""
    journal.append(entry("a"))
    with path.open("ab") as handle:
        handle.write(b"\n   \r\n")
    journal.append(entry("b"))
    warnings = Warnings()
    assert len(journal.read_entries(None, None, warnings)) == 2 and warnings == []


def test_a_truncated_final_line_is_reported_and_the_rest_read(path: Path) -> None:
    """A crash mid-write leaves a torn last line: it is warned about by number, every earlier entry shows."""
    for note in "abc":
        journal.append(entry(note))
    whole = journal.entries._line_bytes(entry("torn"))
    with path.open("ab") as handle:
        handle.write(whole[: len(whole) // 2])
    for window in (None, Window(T0 - timedelta(days=1), None, "x")):
        warnings = Warnings()
        assert [e["note"] for e in journal.read_entries(None, window, warnings)] == ["a", "b", "c"]
        assert len(warnings) == 1 and f"{path}:4:" in warnings[0]


def test_a_final_line_without_newline_that_is_whole_still_counts(path: Path) -> None:
    """A complete entry missing only its newline is read."""
    path.parent.mkdir(parents=True)
    path.write_bytes(journal.entries._line_bytes({**entry("x"), "logged_at": "2026-11-22T21:24:03Z"}).rstrip(b"\n"))
    assert [e["note"] for e in journal.read_entries()] == ["x"]
    assert [e["note"] for e in journal.read_entries(None, Window(T0, None, "x"))] == ["x"]


def test_append_after_a_torn_tail_starts_a_fresh_line(path: Path) -> None:
    """After a torn tail, the next append begins with a newline: the new entry and all earlier ones parse."""
    journal.append(entry("a"))
    with path.open("ab") as handle:
        handle.write(b'{"v": 1, "id": "01J')
    stored = journal.append(entry("b"))
    lines = lines_of(path)
    assert lines[-1] == b"" and lines[1] == b'{"v": 1, "id": "01J'
    assert journal.strip(json.loads(lines[2])) == stored
    warnings = Warnings()
    assert [e["note"] for e in journal.read_entries(None, None, warnings)] == ["a", "b"]
    assert len(warnings) == 1 and ":2:" in warnings[0]


def test_reading_a_journal_that_is_a_folder_is_a_journal_error(path: Path) -> None:
    """If the journal path is a folder, reading fails with a one-line JournalError naming it."""
    path.mkdir(parents=True)
    with pytest.raises(JournalError) as caught:
        journal.read_entries()
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_entry_accessors_tolerate_odd_values() -> None:
    """active_seconds and tension_change give 0 and None for values that are not what they should be."""
    assert journal.active_seconds({"active_s": "x"}) == 0.0
    assert journal.active_seconds({"active_s": True}) == 0.0
    assert journal.tension_change({"tension_before": 6, "tension_after": 2}) == -4
    assert journal.tension_change({"tension_before": 6}) is None
    with pytest.raises(ValueError):
        journal.started_at({})


# --- the backward scan -----------------------------------------------------------------------


def write_history(path: Path, start: datetime, days: int, per_day: int = 2) -> None:
    """A journal of ``per_day`` sessions a day for ``days`` days, logged as they happened (fast, no fsync)."""
    lines = []
    for i in range(days * per_day):
        moment = start + timedelta(hours=24 * i / per_day)
        lines.append({**entry(f"n{i}", started=moment), "logged_at": journal.entries._utc_stamp(moment + timedelta(minutes=10))})
    journal.append_lines(lines, path)


class CountingReader:
    """Wraps a binary file, adding up the bytes read."""

    total = 0

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def __enter__(self) -> CountingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def __iter__(self) -> Iterator[bytes]:
        for line in self.handle:
            CountingReader.total += len(line)
            yield line

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        CountingReader.total += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell()


def bytes_read_for_week(path: Path, monkeypatch: pytest.MonkeyPatch, now: datetime) -> int:
    """How many bytes read_entries reads for --week at ``now``."""
    opener = journal.files._open_for_read
    monkeypatch.setattr(journal.files, "_open_for_read", lambda p: CountingReader(opener(p)))
    CountingReader.total = 0
    journal.read_entries(None, make_window(week=True, now=now))
    monkeypatch.setattr(journal.files, "_open_for_read", opener)
    return CountingReader.total


def test_week_reads_the_same_amount_whatever_the_journal_age(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--week on three years of history reads no more bytes than on three months (it stops at the window)."""
    now = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
    write_history(path, now - timedelta(days=90), 90)
    young = bytes_read_for_week(path, monkeypatch, now)
    path.unlink()
    write_history(path, now - timedelta(days=3 * 365), 3 * 365)
    old = bytes_read_for_week(path, monkeypatch, now)
    assert old == young
    assert old <= 2 * journal.BLOCK_SIZE < path.stat().st_size


def test_lines_backward_handles_lines_longer_than_a_block(path: Path) -> None:
    """With a block far smaller than a line, the backward reader still yields every line with its offset."""
    path.parent.mkdir(parents=True)
    data = b"first\n" + b"x" * 1000 + b"\n\nlast"
    path.write_bytes(data)
    with path.open("rb") as handle:
        got = list(journal.reader._lines_backward(handle, 7))
    assert got == [(b"last", 1008), (b"", 1007), (b"x" * 1000, 6), (b"first", 0)]
    with path.open("rb") as handle:
        assert list(journal.reader._lines_backward(handle, 7))[::-1] == list(
            zip(data.split(b"\n"), [0, 6, 1007, 1008], strict=True)
        )


GAP_MINUTES = st.one_of(st.integers(0, 18 * 60), st.integers(0, 5 * 24 * 60))
BACKDATE_MINUTES = st.one_of(st.just(0), st.integers(0, 60 * 24 * 40))
JUNK = [b"garbage", b'{"v": 1, "id": "01J', b"", b"[]", b'{"v": 1, "routine": "x", "started_at": "soon"}']


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    plan=st.integers(3, 80).flatmap(
        lambda n: st.lists(
            st.tuples(GAP_MINUTES, BACKDATE_MINUTES, st.sampled_from([None, None, None, None, *JUNK])),
            min_size=n,
            max_size=n,
        )
    ),
    window_kind=st.sampled_from(["today", "week", "month", "days", "since", "since-old", "since-until"]),
    days=st.integers(1, 60),
    block_size=st.sampled_from([16, 256, 4096, journal.BLOCK_SIZE]),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
)
def test_backward_window_scan_matches_a_full_scan(
    plan: list[tuple[int, int, bytes | None]], window_kind: str, days: int, block_size: int, zone: str
) -> None:
    """On random journals with back-dated entries and junk lines, a windowed (backward) read equals a full scan filtered."""
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = zone
    time.tzset()
    try:
        with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
            patch.setattr(os, "fsync", lambda fd: None)  # durability is tested elsewhere; keep this fast
            target = Path(folder) / "journal.jsonl"
            clock = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
            for gap, backdate, junk in plan:
                clock += timedelta(minutes=gap)
                if junk is not None:
                    with target.open("ab") as handle:
                        handle.write(junk + b"\n")
                    continue
                with time_machine.travel(clock, tick=False):  # a `journal add --at` of `backdate` minutes ago
                    journal.append(
                        entry(started=clock - timedelta(minutes=backdate), source="manual"), target
                    )
            now = clock + timedelta(hours=5)
            window = {
                "today": lambda: make_window(today=True, now=now),
                "week": lambda: make_window(week=True, now=now),
                "month": lambda: make_window(month=True, now=now),
                "days": lambda: make_window(days=days, now=now),
                "since": lambda: Window(now - timedelta(days=days), None, "x"),
                "since-old": lambda: make_window(since="2000-01-01", now=now),
                "since-until": lambda: Window(
                    now - timedelta(days=2 * days), now - timedelta(days=days), "x"
                ),
            }[window_kind]()
            fast_warnings, full_warnings = Warnings(), Warnings()
            fast = journal.read_entries(target, window, fast_warnings, block_size=block_size)
            full = [
                e
                for e in journal.read_entries(target, EVERYTHING, full_warnings)
                if window.contains(journal.started_at(e))
            ]
            assert fast == full
            assert set(fast_warnings) <= set(full_warnings)
            if window_kind == "since-old":
                assert fast_warnings == full_warnings
    finally:
        if old_tz is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old_tz
        time.tzset()


@settings(max_examples=80, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(["good", "bad", "blank"]), min_size=1, max_size=40),
    block_size=st.sampled_from([8, 64, 512]),
    trailing_newline=st.booleans(),
)
def test_backward_scan_reports_the_same_line_numbers_as_a_forward_scan(
    kinds: list[str], block_size: int, trailing_newline: bool
) -> None:
    """Warnings from a backward scan that reaches the start name exactly the lines a forward scan names."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "journal.jsonl"
        good = journal.entries._line_bytes({**entry("g"), "logged_at": "2026-11-22T21:24:03Z"}).rstrip(b"\n")
        lines = [good if k == "good" else b"oops" if k == "bad" else b"" for k in kinds]
        target.write_bytes(b"\n".join(lines) + (b"\n" if trailing_newline else b""))
        forward, backward = Warnings(), Warnings()
        journal.read_entries(target, None, forward)
        journal.read_entries(
            target, Window(T0 - timedelta(days=30), None, "x"), backward, block_size=block_size
        )
        assert backward == forward
        assert [w.split(":")[1] for w in forward] == [str(i + 1) for i, k in enumerate(kinds) if k == "bad"]


def test_backward_scan_line_numbers_when_it_stops_early(path: Path) -> None:
    """A bad line after the stop point is numbered by counting the unread prefix: the right number."""
    write_history(path, T0 - timedelta(days=100), 100)  # 200 lines
    with path.open("ab") as handle:
        handle.write(b"oops\n")
    write_history(path, T0, 1)
    warnings = Warnings()
    read = journal.read_entries(None, Window(T0 - timedelta(hours=1), None, "x"), warnings, block_size=256)
    assert len(read) == 2 and warnings == [
        f"{path}:201: skipped a line that is not a journal entry (not valid JSON; cut short by a crash, or edited by hand)"
    ]


def test_the_core_modules_import_neither_typer_nor_rich() -> None:
    """journal, stats and timeutil load in a fresh interpreter without Typer, Click or Rich."""
    import subprocess
    import sys

    code = (
        "import sys, headrub.journal, headrub.stats, headrub.timeutil; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'rich')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_one_line_logged_long_ago_does_not_hide_the_entries_above_it(tmp_path: Path) -> None:
    """A line with a wrong-clock logged_at (1970) amid recent ones: a week's backward scan still finds all the recent ones."""
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

    def line(name: str, moment: datetime) -> str:
        stamp = moment.isoformat()
        return json.dumps({"v": 1, "id": name, "routine": name, "started_at": stamp, "ended_at": stamp,
                           "active_s": 60, "completed": True, "source": "manual",
                           "logged_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})

    old = [line(f"old{i}", now - timedelta(days=400 + i)) for i in range(40, 0, -1)]
    recent = [line("a", now - timedelta(hours=3)), line("b", now - timedelta(hours=2)),
              line("clock-was-wrong", datetime(1970, 1, 1, tzinfo=UTC)), line("d", now - timedelta(hours=1))]
    path = tmp_path / "journal.jsonl"
    path.write_text("\n".join(old + recent) + "\n")
    week = Window(now - timedelta(days=7), None, "week")
    found = [entry["routine"] for entry in journal.read_entries(path, week)]
    assert found == ["a", "b", "d"]


# --- orjson reads lines only where json would read them the same ------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
ODD_LINES = [
    b'{"v": 1, "id": "a", "routine": "r", "started_at": "2026-11-19T20:00:00+00:00", "active_s": 123456789012345678901234567890}',
    b'{"v": 1, "id": "a", "routine": "r", "started_at": "2026-11-19T20:00:00+00:00", "x": 1e400}',
    b'{"v": 1, "id": "a", "routine": "\\ud800", "started_at": "2026-11-19T20:00:00+00:00"}',
    b'{"v": 1, "routine": "r", "routine": "s", "started_at": "2026-11-19T20:00:00Z"}',
    b'\xef\xbb\xbf{"v": 1}', b'{"v": NaN}', b'{"v": 1, "note": "\xff"}', b"123456789012345678901234567890",
    b"[1, 2]", b"null", b'{"v": 1e16, "w": -0.0}', b'{"v": 1', b"  ", b"",
]  # fmt: skip


def _both_ways(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    from headrub.journal import checks

    quick = checks.parse(raw)
    with monkeypatch.context() as patch:
        patch.setattr(checks, "_fast_loads", None)
        plain = checks.parse(raw)
    return quick, plain


@pytest.mark.parametrize("raw", ODD_LINES)
def test_a_line_reads_the_same_with_orjson_and_without(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """Huge integers, lone surrogates, a BOM, NaN, bad UTF-8, infinities: the line is the same
    entry, or skipped for the same reason, whether orjson is there or not."""
    quick, plain = _both_ways(raw, monkeypatch)
    assert repr(quick) == repr(plain)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=6), ascii_only=st.booleans())
def test_random_lines_read_the_same_with_orjson_and_without(
    extra: dict[str, Any], ascii_only: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries with random extra fields (nested, huge, non-finite, any text) parse alike both ways."""
    base = {"v": 1, "id": "01JD", "routine": "r", "started_at": "2026-11-19T20:00:00+01:00", "active_s": 60,
            "completed": True, "source": "timer", "logged_at": "2026-11-19T20:00:00Z"}  # fmt: skip
    raw = json.dumps({**base, **extra}, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    quick, plain = _both_ways(raw, monkeypatch)
    assert repr(quick) == repr(plain)
