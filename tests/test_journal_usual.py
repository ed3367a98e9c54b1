"""Usual entries read by msgspec (``journal.usual``) give exactly what reading each line alone
gives, and their CSV rows and JSON items are the ordinary ones, byte for byte."""

from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec import UNSET

from headrub.commands.csv_output import CsvShape, _usual_rows
from headrub.commands.journal_output import ITEM_END, ITEM_START, _json_shapes, _JsonShape
from headrub.journal import blocks, linekeys, usual
from headrub.journal.checks import Line, _parse
from headrub.text import safe_json
from test_journal_blocks import BASE, LINES, ODD_VALUES, _line

TEXTS = [
    "", "x", "a,b", "a, ", "=1+1", "-x", "+x", "@x", "\tx", "\rx", 'q"uote', "back\\slash", "two\nlines", "\u202e",
    "\x85", "\x7f", "😌", "null", "correction", "],[", ",null", "[=", "wake-up", "e-5", "3e-5", "ü" * 60,
]  # fmt: skip
SECONDS = [0, 1, 2.5, 0.1, 1e-05, 0.0001, 100.0, 10**6, 123456.789, -0.0, 1.5e-07]
TEXT_FIELDS = ["id", "routine", "title", "note", "source"]


def _usual_line(minute: int, texts: list[tuple[str, str]], seconds: list[tuple[str, Any]], skipped: bool, shuffle: int) -> bytes:
    """A usual entry with text and seconds of every kind, its keys in headrub's order or shuffled."""
    changes: list[tuple[str, Any]] = [*texts, *seconds]
    raw = _line(changes, [] if skipped else ["strokes_skipped"], minute)
    if not shuffle:
        return raw
    entry = json.loads(raw)
    keys = list(entry)
    random.Random(shuffle).shuffle(keys)
    return json.dumps({key: entry[key] for key in keys}, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"


USUAL_LINES = st.lists(
    st.builds(
        _usual_line,
        st.integers(0, 3000),
        st.lists(st.tuples(st.sampled_from(TEXT_FIELDS), st.sampled_from(TEXTS)), max_size=3),
        st.lists(st.tuples(st.sampled_from(["active_s", "planned_s"]), st.sampled_from(SECONDS)), max_size=2),
        st.booleans(),
        st.sampled_from([0, 0, 0, 1, 2]),
    ),
    min_size=1,
    max_size=25,
)


def _entry(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__struct_fields__ if getattr(record, name) is not UNSET}


def _shown(raw: bytes) -> dict[str, Any]:
    """The entry of a line as an export shows it (its bookkeeping stripped)."""
    parsed = _parse(raw)
    assert isinstance(parsed, Line)
    entry = dict(parsed.entry)
    entry.pop("line_at", None)
    entry.pop("latest_start", None)
    return entry


def _agrees(chunk: bytes) -> usual.UsualChunk | None:
    """``read_usual`` of ``chunk``, checked against each line read alone."""
    found = usual.read_usual(chunk, chunk.count(b"\n"))
    if found is not None:
        lines = blocks.split(chunk)
        assert len(found.records) == len(lines) == len(found.started)
        for record, started, raw in zip(found.records, found.started, lines, strict=True):
            parsed = _parse(raw)
            assert isinstance(parsed, Line) and not parsed.is_correction
            assert _entry(record) == parsed.entry
            assert started == parsed.started
    return found


@settings(max_examples=300, deadline=None)
@given(lines=LINES, torn=st.booleans())
def test_records_are_only_what_each_line_alone_reads_as_the_usual_entry(lines: list[bytes], torn: bool) -> None:
    """Junk, two objects on a line, an object across lines, odd values, missing or unknown fields,
    corrections: whenever msgspec takes a chunk, each record is its line's entry, value for value."""
    if torn and lines:
        lines[-1] = lines[-1].rstrip(b"\n") or b"x"
    chunk = b"".join(lines)
    if chunk:
        _agrees(chunk)


@settings(max_examples=300, deadline=None)
@given(lines=USUAL_LINES, keep=st.lists(st.integers(0, 30), max_size=8), direct=st.booleans())
def test_rows_and_items_of_records_are_the_ordinary_ones(lines: list[bytes], keep: list[int], direct: bool) -> None:
    """Text with commas, quotes, escapes, formulas and controls, floats json spells its own way,
    keys in another order: the CSV rows and JSON items made of records are the ordinary ones (or
    none are made, and the chunk is read the ordinary way)."""
    chunk = b"".join(lines)
    found = _agrees(chunk)
    if found is None:
        return
    chosen = sorted({i for i in keep if i < len(lines)}) or None
    entries = [_shown(raw) for raw in blocks.split(chunk)]
    if chosen is not None:
        entries = [entries[i] for i in chosen]
    rows = _usual_rows(found, chosen)
    if rows is not None:
        assert rows == [row.encode() for row in CsvShape(False)(entries)]
    items = _JsonShape(direct).of_usual(found, chosen)
    if items is not None:
        assert _as_written(items) == _as_written(_json_shapes(entries, direct))


def _as_written(items: list[bytes | str]) -> list[str]:
    """JSON items as ``_export`` writes them: text made inert by ``safe_json``; bytes only come
    when it has nothing to do, and are written as they are."""
    written = [safe_json(item) if isinstance(item, str) else (ITEM_START + item + ITEM_END).decode() for item in items]
    assert all(safe_json(item.decode()) == item.decode() for item in items if isinstance(item, bytes))
    return written


def test_the_usual_entry_as_headrub_writes_it_is_taken_whole() -> None:
    """The quick way is taken for what headrub writes (with and without strokes_skipped, text
    that needs quoting in a row among them), and gives the ordinary rows and items."""
    lines = [_line([], [] if minute % 2 else ["strokes_skipped"], minute) for minute in range(40)]
    lines[7] = _usual_line(7, [("note", "stopped, phone rang"), ("title", "=SUM(A1)")], [("active_s", 88.9)], True, 0)
    chunk = b"".join(lines)
    found = _agrees(chunk)
    assert found is not None and found.canonical()
    entries = [_shown(raw) for raw in lines]
    rows = _usual_rows(found, None)
    assert rows == [row.encode() for row in CsvShape(False)(entries)]
    assert _as_written(_JsonShape(True).of_usual(found, None) or []) == _as_written(_json_shapes(entries, True))


def test_keys_in_another_order_are_never_written_in_the_records_order() -> None:
    """A hand-made line with its keys shuffled: its JSON item keeps the line's own order."""
    lines = [_usual_line(minute, [], [], True, 3 if minute == 2 else 0) for minute in range(5)]
    found = usual.read_usual(b"".join(lines), len(lines))
    assert found is not None and not found.canonical()
    assert _JsonShape(True).of_usual(found, None) is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.one_of(LINES, USUAL_LINES), odd=st.sampled_from(ODD_VALUES))
def test_ids_and_starts_read_by_msgspec_are_what_the_expressions_find(lines: list[bytes], odd: Any, monkeypatch: Any) -> None:
    """``linekeys._ids_and_moments`` gives the same answer with msgspec reading the ids and starts
    as with its regular expressions alone (an id of any length, text of any kind among them);
    where the expressions refuse the chunk for the word "correction" as a value, the answer is
    each line's, read alone."""
    lines = [*lines, _line([("id", odd)], [], 5)]
    chunk = b"".join(lines)
    quick = _ids_and_starts(chunk)
    with monkeypatch.context() as patch:
        patch.setattr(linekeys, "_read_keys", lambda chunk, count: None)
        by_expressions = _ids_and_starts(chunk)
    if by_expressions is None and quick is not None:
        assert b'"correction"' in chunk
        alone = blocks.split(chunk)
        ids = [found.group(1) for found in map(linekeys._ID.search, alone) if found is not None]
        by_expressions = (ids, [linekeys._started(raw) for raw in alone])
    assert quick == by_expressions


def _ids_and_starts(chunk: bytes) -> tuple[list[bytes], list[Any]] | None:
    """What ``linekeys._ids_and_moments`` reads of ``chunk``, not how."""
    found = linekeys._ids_and_moments(chunk)
    return None if found is None else (found.ids, found.moments)


def test_a_correction_is_never_read_by_msgspec_in_the_light_pass() -> None:
    """A correction among usual lines: the chunk is read line by line (its target is a suspect)."""
    lines = [_line([], [], minute) for minute in range(4)]
    lines[2] = json.dumps({"v": 1, "id": "01K", "correction": True, "of": "01J", "started_at": "2026-11-19T20:00:00+00:00"}).encode() + b"\n"
    assert linekeys._ids_and_moments(b"".join(lines)) is None
    lines[2] = _usual_line(2, [("note", "correction")], [], True, 0)
    assert linekeys._ids_and_moments(b"".join(lines)) is not None


def test_ids_of_every_length_the_expressions_take() -> None:
    for size in (1, 50, 51, 200, 201):
        lines = [_line([("id", "A" * size)], [], 1), _line([], [], 2)]
        chunk = b"".join(lines)
        found = linekeys._ids_and_moments(chunk)
        assert found is not None if size <= 200 else found is None
        assert found is None or found[0][0] == b"A" * size


def test_base_is_a_usual_entry() -> None:
    assert usual.read_usual(json.dumps(BASE).encode() + b"\n", 1) is not None


def test_msgspec_spells_every_character_as_json_does() -> None:
    """Text in the JSON items is written by msgspec: every character comes out as ``json.dumps``
    (``ensure_ascii=False``) writes it, escapes included."""
    import msgspec

    text = "".join(chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)
    assert msgspec.json.encode(text) == json.dumps(text, ensure_ascii=False).encode()
    for code in range(0x800):  # (and each alone: escapes are per character)
        assert msgspec.json.encode(chr(code)) == json.dumps(chr(code), ensure_ascii=False).encode()


@given(st.floats(min_value=1e-4, max_value=10**6, allow_nan=False, allow_infinity=False))
def test_msgspec_and_orjson_spell_seconds_as_json_and_str_do(seconds: float) -> None:
    """Seconds from 1e-4 up (``usual.no_small_float``) are written alike by msgspec (JSON items),
    orjson (CSV cells), ``json.dumps`` and ``str``."""
    import msgspec
    import orjson

    spelt = json.dumps(seconds).encode()
    assert msgspec.json.encode(seconds) == spelt == orjson.dumps(seconds) == str(seconds).encode()


def test_text_that_is_not_utf8_is_left_to_the_ordinary_way(monkeypatch: Any) -> None:
    """A byte that is not UTF-8 inside an id or a note: no record is made (whatever error the
    installed msgspec raises for it), and the light pass answers as its expressions do."""
    for field in ("id", "note"):
        lines = [_line([], [], minute) for minute in range(5)]
        lines[2] = lines[2].replace(b'"note": null', b'"note": "a\xffb"') if field == "note" else lines[2].replace(b'"id": "', b'"id": "\xff', 1)
        chunk = b"".join(lines)
        assert usual.read_usual(chunk, len(lines)) is None
        quick = _ids_and_starts(chunk)
        with monkeypatch.context() as patch:
            patch.setattr(linekeys, "_read_keys", lambda chunk, count: None)
            assert quick == _ids_and_starts(chunk)


def test_the_records_have_the_fields_the_field_check_knows_in_their_order() -> None:
    """``usual.Usual`` and ``blocks._plain_all`` describe one entry: the same fields, in headrub's order."""
    assert usual.Usual.__struct_fields__ == blocks._FIELDS
