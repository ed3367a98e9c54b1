"""The quick ways of reading a big journal (many lines at once) give what reading each line alone gives."""

from __future__ import annotations

import heapq
import json
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from headrub.journal import blocks, linekeys, ordering
from headrub.journal.checks import _parse
from headrub.journal.files import reading

BASE: dict[str, Any] = {
    "v": 1, "id": "01JD000000000000000000000A", "routine": "scalp-sleep", "title": "Scalp massage for sleep",
    "started_at": "2026-11-20T07:31:00+01:00", "ended_at": "2026-11-20T07:41:00+01:00", "planned_s": 600,
    "active_s": 598.4, "completed": True, "strokes_done": 9, "strokes_total": 9, "strokes_skipped": 0,
    "tension_before": 6, "tension_after": 3, "note": None, "source": "timer", "logged_at": "2026-11-20T06:41:02Z",
    "line_at": 0, "latest_start": "2026-11-20T06:31:00+00:00",
}  # fmt: skip
ODD_VALUES = [
    None, True, False, 0, -1, 11, 10, 1e-05, 2.5, 10**6, 10**6 + 1, 2**70, "", "x", "=1+1", "a},{b", 'q"uote',
    "back\\slash", "two\nlines", "\u202e", "😌", [1], {"a": 1}, "2026-13-01T00:00:00", "2026-11-20T07:31:00",
    "1899-12-31T23:00:00+00:00", "9001-01-01T00:00:00+00:00", "2026-11-20T07:31:00+25:00", "started_at", "id",
]  # fmt: skip
FIELDS = [*BASE, "correction", "of", "set", "extra"]


def _line(changes: list[tuple[str, Any]], drop: list[str], minute: int) -> bytes:
    entry = dict(BASE)
    entry["id"] = f"01JD{minute:022d}"
    entry["started_at"] = (datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minute)).isoformat()
    for name in drop:
        entry.pop(name, None)
    for name, value in changes:
        entry[name] = value
    return json.dumps(entry, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"


RAW = st.sampled_from([
    b"\n", b"   \n", b"garbage\n", b'{"v": 1, "routine": \n', b'{"a": 1}, {"b": 2}\n', b'[{"a": 1}\n', b'{"b": 2}]\n',
    b'{"k": "x}\n', b'{y", "z": 2}\n', b"[]\n", b"1\n", b'"s"\n', b"\xff\xfe\n", b'{"v": 1}\r\n',
    b'{"id": "\\u0041", "started_at": "2026-11-01T00:00:00+00:00"}\n', b'{"v": 1, "id": "a", "id": "b"}\n',
    b'{"v": 1, "id": "01JD", "routine": "r", "started_at": "2026-11-01T00:00:00+00:00", '
    b'"started_at": "2020-01-01T00:00:00+00:00", "active_s": 5, "completed": true, "source": "manual", '
    b'"logged_at": "2026-11-01T00:00:00Z"}\n',
])  # fmt: skip
LINES = st.lists(
    st.one_of(
        st.builds(
            _line,
            st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from(ODD_VALUES)), max_size=2),
            st.lists(st.sampled_from(list(BASE)), max_size=2),
            st.integers(0, 3000),
        ),
        st.builds(_line, st.just([]), st.just([]), st.integers(0, 3000)),
        RAW,
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(lines=LINES, torn=st.booleans())
def test_a_chunk_parses_as_its_lines_do_one_by_one(lines: list[bytes], torn: bool) -> None:
    """Entries of every shape, bad values, junk, two objects on a line, objects across lines, CRLF:
    ``parse_chunk`` gives each line exactly what ``checks._parse`` gives it alone."""
    if torn and lines:
        lines[-1] = lines[-1].rstrip(b"\n") or b"x"
    chunk = b"".join(lines)
    if chunk:
        assert blocks.parse_chunk(chunk) == [_parse(raw) for raw in blocks.split(chunk)]


@settings(max_examples=400, deadline=None)
@given(
    lines=st.lists(
        st.builds(
            _line,
            st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from(ODD_VALUES)), max_size=1),
            st.lists(st.sampled_from(["strokes_skipped", "note", "ended_at"]), max_size=1),
            st.integers(0, 3000),
        ),
        min_size=1,
        max_size=12,
    ),
    usual=st.integers(0, 30),
)
def test_a_chunk_of_usual_entries_checked_a_field_at_a_time_is_each_checked_alone(lines: list[bytes], usual: int) -> None:
    """Usual entries (with or without strokes_skipped) among which one has one odd value, or one
    field fewer: ``parse_chunk`` checking whole columns gives each line what ``checks._parse`` gives it."""
    plain = [_line([], ["strokes_skipped"] if usual % 2 else [], minute) for minute in range(usual)]
    chunk = b"".join(plain + lines)
    assert blocks.parse_chunk(chunk) == [_parse(raw) for raw in blocks.split(chunk)]
    only_usual = b"".join(plain)
    if only_usual:
        assert blocks._plain_all(json.loads(b"[" + only_usual.rstrip(b"\n").replace(b"\n", b",") + b"]")) is not None


def test_chunks_are_whole_lines_whatever_their_length(tmp_path: Path) -> None:
    """Lines longer than a chunk, and a last line without a newline, come out whole and in order."""
    lines = [b"a" * (blocks.CHUNK * 2 + 5) + b"\n", b"b\n", b"c" * blocks.CHUNK + b"\n", b"torn"]
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b"".join(lines))
    with reading(path) as handle:
        found = [line for chunk in blocks.chunks(handle) for line in blocks.split(chunk)]
    assert found == lines


def _one_by_one(path: Path, reorder: int) -> tuple[list[tuple[int, int, int, int]], set[bytes]]:
    """``ordering.scan`` with every line read by itself."""
    state = ordering._Index(reorder)
    offset = 0
    for number, raw in enumerate(path.read_bytes().splitlines(keepends=True), start=1):
        state.line(raw, number, offset)
        offset += len(raw)
    side = state.side
    return list(zip(side.keys, side.offsets, side.lengths, side.numbers, strict=True)), state.suspects


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=LINES, reorder=st.sampled_from([0, 1, 3, 1024]), since=st.integers(0, 3000))
def test_the_light_passes_agree_with_reading_each_line(
    lines: list[bytes], reorder: int, since: int, tmp_path: Path
) -> None:
    """The index (lines out of order, suspect ids) and where a window's lines begin are what reading
    each line by itself finds; the quick way may only add suspects, never miss one."""
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b"".join(lines) * 9)  # several chunks' worth of small ones, repeated ids among them
    expected_side, expected_suspects = _one_by_one(path, reorder)
    with reading(path) as handle:
        scanned = ordering.scan(handle, 0, reorder)
        side, suspects = scanned.side, scanned.suspects
        assert list(zip(side.keys, side.offsets, side.lengths, side.numbers, strict=True)) == expected_side
        assert expected_suspects <= suspects
        assert expected_suspects <= ordering.suspect_scan(handle).suspects
        moment = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=since)
        assert ordering.stop_offset(handle, moment) == _stop_one_by_one(path, moment)


def _stop_one_by_one(path: Path, since: datetime) -> int:
    """``ordering.stop_offset`` with every line read by itself, from the last."""
    data = path.read_bytes()
    starts, at = [], 0
    for raw in data.split(b"\n"):
        starts.append((at, raw))
        at += len(raw) + 1
    if starts and starts[-1][1] == b"":
        starts.pop()
    for start, raw in reversed(starts):
        started = linekeys._started_quickly(raw)
        if started is not None and started >= since:
            continue
        parsed = _parse(raw)
        if parsed is not None and not isinstance(parsed, str) and parsed.started < since:
            bound = ordering.trusted_bound(parsed, start)
            if bound is not None and bound < since:
                return start + len(raw) + 1
    return 0


def _kept_journal(minutes: list[int], odd: list[int]) -> bytes:
    """Entries as headrub writes them (where each line is, the latest start so far), junk between."""
    data, latest = b"", None
    for index, minute in enumerate(minutes):
        if index in odd:
            data += b"junk\n"
        started = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minute)
        latest = started if latest is None or started > latest else latest
        entry = {
            **BASE,
            "id": f"01JD{index:022d}",
            "started_at": started.isoformat(),
            "line_at": len(data),
            "latest_start": latest.isoformat(),
        }
        data += json.dumps(entry).encode() + b"\n"
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=st.lists(st.integers(0, 3000), max_size=80),
    odd=st.lists(st.integers(0, 80), max_size=3),
    since=st.integers(-10, 3010),
    reorder=st.sampled_from([0, 3, 1024]),
    torn=st.booleans(),
    ordered=st.booleans(),
)
def test_one_pass_from_the_start_finds_where_the_window_begins(
    minutes: list[int], odd: list[int], since: int, reorder: int, torn: bool, ordered: bool, tmp_path: Path
) -> None:
    """``window_scan``, forward from the start, gives the backward scan's start and the index
    from there, on journals with and without the bookkeeping that lets a scan stop early."""
    path = tmp_path / "journal.jsonl"
    data = _kept_journal(sorted(minutes) if ordered else minutes, odd)
    path.write_bytes(data[:-1] if torn and data else data)
    moment = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=since)
    with reading(path) as handle:
        stop = ordering.stop_offset(handle, moment)
        scanned = ordering.scan(handle, stop, reorder)
        side, suspects = scanned.side, scanned.suspects
        start, found = ordering._index(handle, 0, reorder, moment)
        found_side, found_suspects = found.side, found.suspects
        assert start == stop
        assert list(zip(found_side.keys, found_side.offsets, found_side.numbers, strict=True)) == list(
            zip(side.keys, side.offsets, side.numbers, strict=True)
        )
        assert found_suspects == suspects
        assert ordering.window_scan(handle, moment, reorder)[0] == stop


MOMENTS = st.lists(st.integers(0, 400), max_size=120).map(
    lambda minutes: [datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=minute) for minute in minutes]
)


@settings(max_examples=400, deadline=None)
@given(moments=MOMENTS, reorder=st.sampled_from([0, 1, 2, 5, 30]), cuts=st.lists(st.integers(0, 120), max_size=6))
def test_the_heap_worked_out_a_chunk_at_once_is_the_heap_line_by_line(
    moments: list[datetime], reorder: int, cuts: list[int]
) -> None:
    """Lines a little and far out of order, ties, chunks of any size: ``_Index.moments`` puts
    the same lines on the side as ``place`` one line at a time, leaves the same heap behind, and
    ``through`` gives out what ``heappushpop`` gives out whenever it finds no line too late."""
    one, many = ordering._Index(reorder), ordering._Index(reorder)
    expected = [i for i, moment in enumerate(moments) if not one.place(moment, i + 1)]
    found: list[int] = []
    bounds = sorted({0, len(moments), *(cut for cut in cuts if cut <= len(moments))})
    for start, end in pairwise(bounds):
        found += [start + i for i in many.moments(moments[start:end], start + 1)]
        assert sorted(many.nearby) == sorted(one_prefix(moments[:end], reorder).nearby)
        assert many.last == one_prefix(moments[:end], reorder).last
    assert found == expected

    nearby: list[tuple[datetime, int]] = []
    items = [(moment, number) for number, moment in enumerate(moments)]
    given, left, failing = ordering.through(nearby, items, reorder, None)
    heap: list[tuple[datetime, int]] = []
    out = []
    for item in items:
        if len(heap) < reorder:
            heapq.heappush(heap, item)
        else:
            out.append(heapq.heappushpop(heap, item))
    if not failing:
        assert given == out and sorted(left) == sorted(heap)
    else:
        assert out != sorted(out) or given != out


def one_prefix(moments: list[datetime], reorder: int) -> ordering._Index:
    state = ordering._Index(reorder)
    for i, moment in enumerate(moments):
        state.place(moment, i + 1)
    return state


EDGE_MOMENTS = st.builds(
    lambda year, day, minutes, offset: datetime(year, 1, 1) + timedelta(days=day, minutes=minutes) if offset is None
    else (datetime(year, 1, 1) + timedelta(days=day, minutes=minutes)).replace(tzinfo=timezone(timedelta(minutes=offset))),
    st.sampled_from([1900, 1901, 2026, 8999, 9000, 9001]),
    st.sampled_from([-1, 0, 1, 2, 360, 363, 364, 365]),
    st.integers(0, 24 * 60 - 1),
    st.one_of(st.none(), st.integers(-(24 * 60 - 1), 24 * 60 - 1)),
)


@given(st.lists(EDGE_MOMENTS, max_size=6))
@example([datetime(1899, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1)))])  # (1900-01-01 00:30 UTC)
@example([datetime(1900, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))])  # (1899-12-31 23:30 UTC)
@example([datetime(9000, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1)))])
@example([datetime(9001, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))])
@example([datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1)])
def test_moments_in_range_are_decided_as_each_ones_year_decides(moments: list[datetime]) -> None:
    """``entries.aware_in_range`` (least and greatest instants first) answers as each moment's own
    offset and year do, offsets of nearly a day either way at both ends of the range among them."""
    from headrub.journal.entries import MAX_YEAR, MIN_YEAR, aware_in_range

    expected = all(moment.tzinfo is not None and MIN_YEAR <= moment.year <= MAX_YEAR for moment in moments)
    assert aware_in_range(moments) == expected
