"""Safe output: CSV a spreadsheet will not run, JSON exact but inert, UTF-8 CSV whatever the locale."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from headrub import journal, output
from headrub.cli import app
from headrub.paths import journal_file

NOW = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
FORMULAS = ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "café ok"]
HOSTILE = "\x1b]0;pwned\x07 \x1b]52;c;ZXZpbA==\x07 \x9b31m \u202eevil\u2028x\x7f"


def run(*args: str) -> Any:
    with time_machine.travel(NOW, tick=False):
        return CliRunner().invoke(app, list(args))


def log(routine: str, note: str | None = None, title: str | None = None, hours: int = 1) -> None:
    start = NOW - timedelta(hours=hours)
    with time_machine.travel(NOW, tick=False):
        journal.append(journal.make_entry(routine=routine, title=title, note=note, started_at=start, ended_at=start, active_s=60))


def test_csv_cells_that_start_like_formulas_get_a_quote_and_json_stays_exact() -> None:
    for i, text in enumerate(FORMULAS):
        log(f"r{i}", note=text, title=text, hours=i + 1)
    result = run("journal", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    notes = {row["routine"]: row["note"] for row in rows}
    titles = {row["routine"]: row["title"] for row in rows}
    for i, text in enumerate(FORMULAS):
        expected = text if text[0] not in "=+-@\t\r" else "'" + text
        assert notes[f"r{i}"] == expected == titles[f"r{i}"]
    as_json = {entry["routine"]: entry["note"] for entry in json.loads(run("journal", "--json").stdout)}
    assert as_json == {f"r{i}": text for i, text in enumerate(FORMULAS)}


def test_no_control_sequence_reaches_a_terminal_through_journal_json_csv_or_stats(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal every command's output is free of ESC, C1, BEL and bidi controls; JSON still decodes to the text."""
    log("evil" + HOSTILE, note=HOSTILE, title=HOSTILE)
    monkeypatch.setattr(output, "is_terminal", lambda stream=None: True)
    bad = ("\x1b", "\x07", "\x9b", "\u202e", "\u2028", "\x7f")
    for args in (["journal"], ["journal", "--json"], ["journal", "--csv"], ["stats"], ["stats", "--json"], ["journal", "edit", "last", "--after", "2"]):
        out = run(*args)
        assert out.exit_code == 0, out.stderr
        for char in bad:
            assert char not in out.stdout and char not in out.stderr, (args, char)
    (entry,) = json.loads(run("journal", "--json").stdout)
    assert entry["note"] == HOSTILE


def test_csv_is_utf8_even_when_the_locale_is_not() -> None:
    """PYTHONIOENCODING=latin-1 and LANG=C: --csv still writes UTF-8 bytes, 'café' as c3 a9."""
    log("x", note="café ☕")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "LANG": "C", "LC_ALL": "C"}
    done = subprocess.run(
        [sys.executable, "-c", "from headrub.cli import run; run()", "journal", "--since", "2026-01-01", "--csv"],
        capture_output=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "café ☕".encode() in done.stdout and b"caf\xe9" not in done.stdout


def test_json_never_holds_nan_or_infinity() -> None:
    """An unknown field holding 1e999 (infinite once parsed) comes out as null."""
    journal_file().parent.mkdir(parents=True)
    entry = journal.make_entry(routine="r", started_at=NOW, ended_at=NOW, active_s=60)
    line = json.dumps({**entry, "logged_at": "2026-11-19T20:00:00Z"})[:-1] + ', "extra": 1e999}\n'
    journal_file().write_text(line)
    out = run("journal", "--json").stdout
    assert "Infinity" not in out and "NaN" not in out
    assert json.loads(out)[0]["extra"] is None


# --- streaming exports -----------------------------------------------------------------------

LINE_KINDS = st.lists(
    st.tuples(
        st.sampled_from([
            "session", "session", "backdated", "hand", "junk", "blank", "odd", "copy", "edit", "delete",
            "twice", "spelt", "id twice", "no id", "slashed id", "of twice", "spelt correction", "slashed of",
            "said correction",
        ]),
        st.integers(0, 2000),
    ),
    min_size=0,
    max_size=40,
)


def in_memory(monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    """The command as it runs when the journal needs folding: every entry read, then sorted."""
    with monkeypatch.context() as patch:
        patch.setattr("headrub.journal.exporting.export_batches", lambda path, window, warn, **options: None)
        return run(*args)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kinds=LINE_KINDS,
    since=st.sampled_from([None, "2026-11-01", "2026-01-01"]),
    reorder=st.sampled_from([0, 1, 3, 1024]),
    chunk=st.sampled_from([64, 900, 1 << 18]),
    routine=st.sampled_from([None, None, "r1", "hand"]),
)
def test_a_streamed_export_is_the_in_memory_export(
    kinds: list[tuple[str, int]],
    since: str | None,
    reorder: int,
    chunk: int,
    routine: str | None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Random journals (back-dated and hand-made lines, junk, odd dates): --json and --csv stream out
    byte for byte what the in-memory path prints, with the same warnings, whatever the size of the
    reordering heap (0: every line out of order is put in place from the sorted list) and of the
    chunks read at a time (one line or two: the heap and the ids carried from chunk to chunk)."""
    monkeypatch.setattr("headrub.journal.exporting.REORDER", reorder)
    monkeypatch.setattr("headrub.journal.blocks.CHUNK", chunk)
    monkeypatch.setattr("headrub.journal.ordering.CHUNK", chunk)
    folder = tmp_path / os.urandom(6).hex()
    monkeypatch.setenv("HEADRUB_DATA_DIR", str(folder))
    folder.mkdir()
    path = folder / "journal.jsonl"
    path.write_bytes(b"")
    clock = NOW - timedelta(hours=2000)
    for index, (kind, back) in enumerate(kinds):
        clock += timedelta(hours=40)
        started = NOW - timedelta(hours=back)
        made_so_far = [json.loads(x) for x in path.read_bytes().splitlines() if x.startswith(b'{"v": 1, "id"')]
        edits = ("copy", "edit", "delete", "id twice", "of twice", "spelt correction", "slashed of")
        if kind in edits and made_so_far:
            chosen, other = made_so_far[back % len(made_so_far)], made_so_far[0]
            if kind in ("copy", "id twice"):  # the second: a new entry whose id is written again as chosen's
                extra = json.dumps({k: v for k, v in chosen.items() if k not in ("line_at", "latest_start")})
                if kind == "id twice":
                    extra = extra.replace(chosen["id"], chosen["id"][:-1] + "Z", 1)[:-1] + f', "id": "{chosen["id"]}"}}'
                with path.open("ab") as handle:
                    handle.write(extra.encode() + b"\n")
            else:  # hand-edited corrections: "of" twice (JSON keeps the last), the key or its target spelt with escapes
                fix = json.dumps({**journal.make_correction(chosen, "edit", {"note": f"=n{back}"}), "logged_at": "2026-11-19T19:00:00Z"})
                fix = {
                    "edit": fix,
                    "delete": json.dumps({**journal.make_correction(chosen, "delete", None), "logged_at": "2026-11-19T19:00:00Z"}),
                    "of twice": fix.replace(f'"of": "{chosen["id"]}"', f'"of": "{other["id"]}"', 1)[:-1] + f', "of": "{chosen["id"]}"}}',
                    "spelt correction": fix.replace('"correction"', '"correctio\\u006e"'),
                    "slashed of": fix.replace(f'"of": "{chosen["id"]}"', f'"of": "{chosen["id"][:-1]}\\u00{ord(chosen["id"][-1]):02x}"'),
                }[kind]
                with path.open("ab") as handle:
                    handle.write(fix.encode() + b"\n")
            continue
        if kind in edits:
            continue
        if kind in ("session", "backdated", "said correction"):  # (the last: the word only as a note)
            note = "correction" if kind == "said correction" else "=x" if back % 2 else "é"
            made = journal.make_entry(routine=f"r{index % 3}", note=note, started_at=started if kind == "backdated" else min(clock, NOW), ended_at=started, active_s=60)
            with time_machine.travel(min(clock, NOW), tick=False):
                journal.append(made, path)
        else:
            with time_machine.travel(min(clock, NOW), tick=False):
                fresh = journal.new_id()
            line = {
                "hand": json.dumps({"v": 1, "id": fresh, "routine": "hand", "started_at": started.isoformat(), "active_s": 5, "completed": True, "source": "manual", "logged_at": "2026-01-01T00:00:00Z"}),
                "junk": '{"v": 1, "routine": ',
                "blank": "",
                "odd": json.dumps({"v": 1, "id": fresh, "routine": "odd", "started_at": started.replace(tzinfo=None).isoformat(), "active_s": 5, "completed": False, "source": "manual", "logged_at": "2026-01-01T00:00:00Z"}),
                # hand-edited: a key twice (JSON keeps the last), a key spelt with an escape
                "twice": json.dumps({"v": 1, "id": fresh, "routine": "twice", "started_at": NOW.isoformat(), "active_s": 5, "completed": True, "source": "manual", "logged_at": "2026-01-01T00:00:00Z"})[:-1]
                + f', "started_at": "{started.isoformat()}", "id": "{fresh}x"}}',
                "spelt": json.dumps({"v": 1, "id": fresh, "routine": "spelt", "started_at": NOW.isoformat(), "active_s": 5, "completed": True, "source": "manual", "logged_at": "2026-01-01T00:00:00Z"})[:-1]
                + f', "started\\u005fat": "{started.isoformat()}"}}',
                "no id": json.dumps({"v": 1, "routine": "no-id", "started_at": started.isoformat(), "active_s": 5, "completed": True, "source": "manual", "logged_at": "2026-01-01T00:00:00Z"}),
                "slashed id": json.dumps({"v": 1, "id": fresh, "routine": "slashed", "started_at": started.isoformat(), "active_s": 5, "completed": True, "source": "manual", "logged_at": "2026-01-01T00:00:00Z"}).replace(fresh, fresh[:8] + "\\/" + fresh[8:], 1)
                + "\n" + json.dumps({"v": 1, "id": fresh[:8] + "/" + fresh[8:], "routine": "slashed", "started_at": started.isoformat(), "active_s": 7, "completed": True, "source": "manual", "logged_at": "2026-01-01T00:00:00Z"}),
            }[kind]
            with path.open("ab") as handle:
                handle.write(line.encode() + b"\n")
    window = ["--since", since] if since else ["--since", "1990-01-01"]
    if routine is not None:
        window += ["--routine", routine]
    streams_as_in_memory(monkeypatch, window)


def test_a_copy_of_an_entry_that_names_correction_only_as_a_value_is_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry whose title and note are the word "correction", then a copy of it (its id again):
    streamed, the two are one entry, as in memory (both lines are held and folded)."""
    entry = journal.make_entry(routine="r", title="correction", note="correction", started_at=NOW, ended_at=NOW, active_s=60)
    entry["logged_at"] = "2026-11-01T10:01:00Z"
    copy = {**entry, "title": "t", "note": "copy"}
    journal_file().parent.mkdir(parents=True, exist_ok=True)
    journal_file().write_text(json.dumps(entry) + "\n" + json.dumps(copy) + "\n", encoding="utf-8")
    streams_as_in_memory(monkeypatch, ["--since", "1990-01-01"])
    assert len(json.loads(run("journal", "--since", "1990-01-01", "--json").stdout)) == 1


def test_the_full_pass_takes_what_the_light_pass_proved_of_each_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of the usual lines: the full pass is told each is one JSON object a line (``_Index.objects``)
    for every chunk msgspec read in the light pass, and the export is the in-memory one."""
    from headrub.journal import usual

    lines = []
    for index in range(900):
        started = NOW - timedelta(days=90) + timedelta(hours=2 * index)
        made = journal.make_entry(routine="r", started_at=started, ended_at=started + timedelta(minutes=5), active_s=300)
        made.update(logged_at="2026-01-01T00:00:00Z", line_at=0, latest_start=started.isoformat())
        lines.append(json.dumps(made))
    journal_file().parent.mkdir(parents=True, exist_ok=True)
    journal_file().write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr("headrub.journal.blocks.CHUNK", 20_000)
    monkeypatch.setattr("headrub.journal.ordering.CHUNK", 20_000)
    told: list[bool] = []
    read_usual = usual.read_usual
    monkeypatch.setattr(usual, "read_usual", lambda chunk, count, objects=False: told.append(objects) or read_usual(chunk, count, objects))
    streams_as_in_memory(monkeypatch, ["--since", "1990-01-01"])
    assert len(told) >= 2 * 10 and all(told)  # (two exports of ten chunks and more)


def streams_as_in_memory(monkeypatch: pytest.MonkeyPatch, window: list[str]) -> None:
    """``journal WINDOW --json`` and ``--csv`` print the same bytes and warnings streamed as in memory."""
    for form in ("--json", "--csv"):
        streamed = run("journal", *window, form)
        whole = in_memory(monkeypatch, "journal", *window, form)
        assert streamed.exit_code == whole.exit_code == 0
        assert streamed.stdout_bytes == whole.stdout_bytes
        assert sorted(streamed.stderr.splitlines()) == sorted(whole.stderr.splitlines())


@pytest.mark.parametrize("reorder", [16, 1024])
def test_a_streamed_export_of_many_chunks_of_usual_lines_is_the_in_memory_export(
    reorder: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight chunks of the lines headrub writes (read with msgspec), among them back-dated lines
    put in place from the side, copies and a correction (held and folded), notes with commas,
    quotes and formulas, lines without ``strokes_skipped``, keys in another order and a bad
    line: --json and --csv, of everything and of one routine, are the in-memory export."""
    monkeypatch.setattr("headrub.journal.exporting.REORDER", reorder)
    notes = [None, None, None, "stopped, phone rang", "=1+1", 'she said "ok"', "café", "-x", "a, "]
    lines: list[str] = []
    offset, latest = 0, NOW - timedelta(days=400)
    for index in range(2400):
        started = NOW - timedelta(days=400) + timedelta(minutes=37 * index)
        if index % 53 == 7:
            started -= timedelta(days=3)  # back-dated: far out of order
        entry = journal.make_entry(routine=f"r{index % 3}", started_at=started, ended_at=started + timedelta(minutes=5), active_s=300 - index % 7 / 10, note=notes[index % len(notes)])
        entry["logged_at"] = "2026-01-01T00:00:00Z"
        if index % 11 == 5:
            del entry["strokes_skipped"]
        latest = max(latest, started)
        entry["line_at"], entry["latest_start"] = offset, latest.isoformat()
        if index == 900:
            entry = dict(reversed(entry.items()))
        line = json.dumps(entry, ensure_ascii=False)
        if index in (300, 1700):
            line = lines[index - 200]  # a copy of an earlier line
        if index == 1200:
            line = json.dumps({**journal.make_correction(json.loads(lines[1000]), "edit", {"note": "fixed"}), "logged_at": "2026-01-01T00:00:00Z"})
        if index == 2000:
            line = '{"v": 1, "routine": '
        lines.append(line)
        offset += len(line.encode()) + 1
    journal_file().parent.mkdir(parents=True, exist_ok=True)
    journal_file().write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert journal_file().stat().st_size > 8 * (1 << 17)
    middle = (NOW - timedelta(days=300)).date().isoformat()  # (the passes start from a line inside a chunk)
    for window in (["--since", "1990-01-01"], ["--since", "1990-01-01", "--routine", "r1"], ["--since", middle]):
        streams_as_in_memory(monkeypatch, window)


def test_a_streamed_export_to_a_terminal_or_an_odd_stdout_is_the_in_memory_export(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows that span lines, controls and formulas, on a terminal (cells made safe to draw) and
    to a stdout that is not UTF-8 (JSON items as escaped text): the same bytes either way."""
    for hours, note in enumerate(["two\nlines, \"quoted\"", HOSTILE, "=1+1", "café ☕", None], start=1):
        log("r", note=note, title=note, hours=hours)
    for terminal in (True, False):
        with monkeypatch.context() as patch:
            patch.setattr(output, "is_terminal", lambda stream=None, terminal=terminal: terminal)
            patch.setattr("headrub.commands.journal_output._utf8_stdout", lambda: False)
            for form in ("--json", "--csv"):
                streamed = run("journal", "--since", "2026-01-01", form)
                whole = in_memory(monkeypatch, "journal", "--since", "2026-01-01", form)
                assert streamed.exit_code == whole.exit_code == 0
                assert streamed.stdout_bytes == whole.stdout_bytes


# --- the quick paths of --json and --csv write what the plain ones would ----------------------

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(),
    st.sampled_from(["=1+1", "-x", "@a", "\t", "\r", "", "\x1b[31m", "\u2028", "😌"]),
)  # fmt: skip
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
ENTRIES = st.dictionaries(st.text(max_size=12), VALUES, max_size=20)


@settings(max_examples=300, deadline=None)
@given(entry=ENTRIES)
def test_a_json_item_is_written_as_indent_2_writes_it(entry: dict[str, Any]) -> None:
    """Flat or nested, with NaN, infinities, huge integers, escapes and controls: an entry inside
    --json is exactly ``json.dumps(..., indent=2)`` one level in (non-finite numbers as null)."""
    from headrub.commands.journal_output import _finite, _json_item

    expected = json.dumps(_finite(entry), ensure_ascii=False, indent=2)
    assert _json_item(entry) == "  " + expected.replace("\n", "\n  ")


@settings(max_examples=300, deadline=None)
@given(entry=st.dictionaries(st.sampled_from(["id", "routine", "completed", "note", "active_s", "tension_after", "title"]), VALUES), terminal=st.booleans())
def test_a_csv_row_is_each_cell_as_csv_value_writes_it(entry: dict[str, Any], terminal: bool) -> None:
    """Every cell of a --csv row is what ``_csv_value`` makes of it (true/false, formulas quoted,
    nested values as JSON, None empty), whichever path the row takes."""
    from headrub.commands.csv_output import CSV_FIELDS, _csv_text, _csv_value

    buffer = io.StringIO()
    csv.writer(buffer).writerows([list(CSV_FIELDS), [_csv_value(entry.get(name), terminal) for name in CSV_FIELDS]])
    assert _csv_text([entry], terminal) == buffer.getvalue()


CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6),
    st.sampled_from(["=1+1", "-x", "a,b", 'say "hi"', "two\nlines", "cr\r", "\t", "", "None", "true", "😌"]),
    st.lists(st.integers(), max_size=2),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.dictionaries(st.sampled_from(["id", "routine", "completed", "note", "active_s", "tension_after", "title", "v"]), CELLS),
        min_size=1,
        max_size=8,
    ),
    plain=st.integers(0, 3),
)
def test_csv_rows_made_a_column_at_a_time_are_the_csv_writers(rows: list[dict[str, Any]], plain: int) -> None:
    """Several rows at once (columns of one kind, of mixed kinds, with formulas, quotes, commas
    and line breaks): the same text as csv.writer over ``_csv_value`` of every cell, row by row."""
    from headrub.commands.csv_output import CSV_FIELDS, _csv_text, _csv_value

    usual = {"id": "01J", "routine": "scalp-sleep", "title": None, "completed": True, "active_s": 600, "tension_after": 2}
    entries = [dict(usual) for _ in range(plain)] + rows
    buffer = io.StringIO()
    csv.writer(buffer).writerows([list(CSV_FIELDS), *([_csv_value(entry.get(name)) for name in CSV_FIELDS] for entry in entries)])
    assert _csv_text(entries) == buffer.getvalue()
    assert _csv_text(entries, header=False) == buffer.getvalue().split("\r\n", 1)[1]


@settings(max_examples=300, deadline=None)
@given(entries=st.lists(ENTRIES, min_size=1, max_size=5), tiny=st.floats(min_value=-1e-3, max_value=1e-3))
def test_a_batch_of_json_items_is_each_item_as_indent_2_writes_it(entries: list[dict[str, Any]], tiny: float) -> None:
    """A batch written at once (orjson) is character for character the items written one by one
    with json, whatever the floats (tiny ones, huge ones, NaN), integers and text in it."""
    from headrub.commands.journal_output import (
        ITEM_END,
        ITEM_START,
        _json_item,
        _json_items_utf8,
        _json_shapes,
    )

    with_tiny = [*entries, {"active_s": tiny, "note": "é\u2028\x7f"}]
    for batch in (entries, with_tiny):
        data = _json_items_utf8(batch)
        assert data is None or data.decode("utf-8") == ",\n".join(map(_json_item, batch))
    for batch in (entries, with_tiny):  # an item each, as bytes or text, to be put in order
        for direct in (True, False):
            items = _json_shapes(batch, direct)
            assert len(items) == len(batch)
            whole = [(ITEM_START + item + ITEM_END).decode() if isinstance(item, bytes) else item for item in items]
            assert whole == list(map(_json_item, batch))  # (bytes: the fields' lines, the braces' written around them)


NEAR_ACTED_ON = st.sampled_from(
    [chr(code) for code in (*range(0x7E, 0xA2), *range(0x600, 0x620), *range(0x2000, 0x2080), 0xC2, 0xE2, 0x2100)]
)


@given(
    text=st.text(
        alphabet=st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x2100), NEAR_ACTED_ON, st.just("—")),
        max_size=30,
    )
)
def test_the_bytes_a_terminal_could_act_on_are_what_safe_json_escapes(text: str) -> None:
    """``_acted_on`` finds in UTF-8 exactly the characters ``text.safe_json`` escapes."""
    from headrub.commands.journal_output import _acted_on
    from headrub.text import safe_json

    assert _acted_on(text.encode("utf-8", "surrogatepass")) == (safe_json(text) != text)


@settings(max_examples=200, deadline=None)
@given(notes=st.lists(st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["=1+1", "a,b", 'q"', "two\nlines"])), min_size=1, max_size=12))
def test_csv_rows_from_a_chunks_columns_are_the_rows_of_its_entries(notes: list[str | None]) -> None:
    """The rows made from ``parse_chunk``'s columns (usual entries, read a field at a time) are the
    rows made from the entries themselves."""
    from headrub.commands.csv_output import _csv_rows, _csv_rows_of
    from headrub.journal.blocks import parse_chunk

    made = [
        {**journal.make_entry(routine="r", note=note, started_at=NOW, ended_at=NOW, active_s=60 + i), "logged_at": "2026-11-19T20:00:00Z", "line_at": i, "latest_start": NOW.isoformat()}
        for i, note in enumerate(notes)
    ]
    parsed = parse_chunk(b"".join(json.dumps(entry).encode() + b"\n" for entry in made))
    columns = getattr(parsed, "columns", None)
    assert columns is not None
    assert _csv_rows(columns.__getitem__) == _csv_rows_of([line.entry for line in parsed])  # type: ignore[union-attr]


def test_an_export_widens_a_pipe_on_stdout_and_leaves_anything_else(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``_widen_pipe``: a pipe on stdout holds 1 MiB (where Linux allows it); a file, or a stdout
    with no descriptor, is left as it is, without an error."""
    fcntl = pytest.importorskip("fcntl")
    from headrub.commands.journal_output import _PIPE_SIZE, _widen_pipe

    with (tmp_path / "out").open("w") as plain:
        monkeypatch.setattr(sys, "stdout", plain)
        _widen_pipe()
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    _widen_pipe()
    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        pytest.skip("no pipe sizes on this system")
    read_end, write_end = os.pipe()
    try:
        if fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ) == _PIPE_SIZE:
            pytest.skip("pipes hold 1 MiB already here")
        with os.fdopen(write_end, "w", closefd=False) as stdout:
            monkeypatch.setattr(sys, "stdout", stdout)
            _widen_pipe()
        widened = fcntl.fcntl(write_end, fcntl.F_GETPIPE_SZ)
        try:  # (the kernel may refuse a user over its pipe quota: then headrub carries on as it was)
            allowed = fcntl.fcntl(read_end, fcntl.F_SETPIPE_SZ, _PIPE_SIZE) == _PIPE_SIZE
        except OSError:
            allowed = False
        assert widened == _PIPE_SIZE or not allowed
    finally:
        os.close(read_end)
        os.close(write_end)
