"""``journal edit``, ``journal delete`` and ``journal merge`` as a person uses them, and their failures."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine
from typer.testing import CliRunner

from headrub import journal
from headrub.cli import app
from headrub.paths import journal_file

NOW = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)


def run(*args: str, at: datetime = NOW) -> Any:
    with time_machine.travel(at, tick=False):
        return CliRunner().invoke(app, list(args))


def add(routine: str, when: str, *extra: str, at: datetime = NOW) -> None:
    journal.ids._ids.reset()  # ids from earlier tests (at a later frozen time) must not carry over
    result = run("journal", "add", routine, "--minutes", "10", "--at", when, *extra, at=at)
    assert result.exit_code == 0, result.stderr


def listed() -> list[dict[str, Any]]:
    result = run("journal", "--since", "2026-01-01", "--json")
    assert result.exit_code == 0, result.stderr
    return list(json.loads(result.stdout))


def three() -> list[dict[str, Any]]:
    """Three sessions logged a minute apart (so their ids differ early)."""
    add("scalp-sleep", "2026-11-16T21:00", "--before", "6", at=NOW - timedelta(minutes=2))
    add("desk-reset", "2026-11-17T12:00", at=NOW - timedelta(minutes=1))
    add("wake-up", "2026-11-18T07:00", "--before", "5", at=NOW)
    return listed()


def test_edit_last_adds_the_morning_rating_and_keeps_the_original_line() -> None:
    """`journal edit last --after 2`: --json shows it corrected; the first line of the file is unchanged."""
    entries = three()
    before = journal_file().read_bytes()
    result = run("journal", "edit", "last", "--after", "2", "--note", "slept well")
    assert result.exit_code == 0, result.stderr
    assert "Corrected" in result.stdout and "wake-up" in result.stdout
    assert journal_file().read_bytes().startswith(before)
    now = {entry["id"]: entry for entry in listed()}
    assert now[entries[2]["id"]]["tension_after"] == 2 and now[entries[2]["id"]]["note"] == "slept well"
    assert now[entries[0]["id"]] == entries[0]


def test_edit_by_the_short_id_the_table_shows() -> None:
    entries = three()
    plain = run("journal", "--month").stdout.splitlines()
    short = plain[0].split()[0]
    assert 7 <= len(short) < 26 and entries[0]["id"].startswith(short)
    assert run("journal", "edit", short.lower(), "--minutes", "25", "--routine", "head-spa").exit_code == 0
    (first,) = [entry for entry in listed() if entry["id"] == entries[0]["id"]]
    assert (first["active_s"], first["routine"]) == (1500, "head-spa")
    assert json.loads(run("stats", "--json").stdout)["routines"][0]["routine"] in {"head-spa", "desk-reset", "wake-up"}


def test_an_ambiguous_prefix_is_a_usage_error_listing_the_candidates() -> None:
    three()
    result = run("journal", "delete", "0")
    assert result.exit_code == 2
    assert "starts 3 ids" in result.stderr and "scalp-sleep" in result.stderr and "Traceback" not in result.stderr
    assert len(listed()) == 3


def test_unknown_ids_and_empty_edits_are_usage_errors_that_write_nothing() -> None:
    three()
    size = journal_file().stat().st_size
    for args, words in (
        (["journal", "edit", "ZZZZ", "--after", "1"], "no entry's id starts with"),
        (["journal", "edit", "last"], "say what to change"),
        (["journal", "edit", "last", "--after", "11"], "--after: tension"),
        (["journal", "edit", "last", "--minutes", "0"], "--minutes"),
        (["journal", "edit", "last", "--routine", " "], "--routine"),
        (["journal", "delete", ""], "ID"),
    ):
        result = run(*args)
        assert result.exit_code == 2 and words in result.stderr, (args, result.stderr)
        assert result.stderr.count("\n") == 1
    assert journal_file().stat().st_size == size


def test_edit_reads_bad_values_in_the_same_words_as_journal_add() -> None:
    """One voice: --minutes, --before and --after say the same thing to ``journal edit`` as to ``journal add``."""
    three()
    for option, value in (("--minutes", "0"), ("--minutes", "soon"), ("--before", "11"), ("--after", "-1")):
        edited = run("journal", "edit", "last", option, value)
        added = run("journal", "add", "scalp-sleep", "--minutes", "5", option, value)
        assert edited.exit_code == added.exit_code == 2
        assert edited.stderr.split(" (see")[0] == added.stderr.split(" (see")[0], (option, value)


def test_delete_hides_the_entry_everywhere_and_a_second_delete_cannot_find_it() -> None:
    entries = three()
    result = run("journal", "delete", entries[1]["id"])
    assert result.exit_code == 0 and "Deleted" in result.stdout
    assert [entry["id"] for entry in listed()] == [entries[0]["id"], entries[2]["id"]]
    assert json.loads(run("stats", "--json").stdout)["sessions"] == 2
    assert run("journal", "delete", entries[1]["id"]).exit_code == 2


def test_edit_with_no_journal_is_a_usage_error() -> None:
    result = run("journal", "edit", "last", "--after", "3")
    assert result.exit_code == 2 and "no entries" in result.stderr
    assert not journal_file().exists()


# --- merge ---------------------------------------------------------------------------------


def machine(name: str, tmp_path: Path, sessions: list[tuple[str, str]], at: datetime) -> Path:
    """A journal made on another machine: its own data folder, its own sessions."""
    folder = tmp_path / name
    old = os.environ["HEADRUB_DATA_DIR"]
    os.environ["HEADRUB_DATA_DIR"] = str(folder)
    try:
        for i, (routine, when) in enumerate(sessions):
            add(routine, when, at=at + timedelta(minutes=i))
    finally:
        os.environ["HEADRUB_DATA_DIR"] = old
    return folder / "journal.jsonl"


def as_set(path: Path) -> list[str]:
    return sorted(json.dumps(entry, sort_keys=True) for entry in journal.read_entries(path))


def test_merging_two_journals_both_ways_gives_the_same_entries_and_again_adds_nothing(tmp_path: Path) -> None:
    """A into B and B into A give the same entries; merging once more adds nothing; nothing is rewritten."""
    a = machine("a", tmp_path, [("scalp-sleep", "2026-11-10T21:00"), ("desk-reset", "2026-11-12T12:00")], NOW - timedelta(hours=5))
    b = machine("b", tmp_path, [("wake-up", "2026-11-11T07:00")], NOW - timedelta(hours=3))
    shared = journal.read_entries(a)[0]
    journal.append_lines([{**shared}], b)  # a session both already have (a synced copy)
    fix = {**journal.make_correction(shared, "edit", {"tension_after": 1}), "logged_at": "2026-11-19T18:00:00Z"}
    journal.append_lines([fix], b)
    a_copy, b_copy = tmp_path / "a2.jsonl", tmp_path / "b2.jsonl"
    a_copy.write_bytes(a.read_bytes())
    b_copy.write_bytes(b.read_bytes())
    os.environ["HEADRUB_DATA_DIR"] = str(a.parent)
    before = a.read_bytes()
    result = run("journal", "merge", str(b_copy))
    assert result.exit_code == 0, result.stderr
    assert "Merged 2 new lines" in result.stdout and "(1 already there)" in result.stdout
    assert a.read_bytes().startswith(before)
    again = run("journal", "merge", str(b_copy), str(a_copy))
    assert "Merged 0 new lines" in again.stdout
    os.environ["HEADRUB_DATA_DIR"] = str(b.parent)
    assert run("journal", "merge", str(a_copy)).exit_code == 0
    assert as_set(a) == as_set(b) and len(as_set(a)) == 3
    (corrected,) = [entry for entry in journal.read_entries(a) if entry["id"] == shared["id"]]
    assert corrected["tension_after"] == 1


def test_merge_takes_back_the_line_a_failed_write_printed(tmp_path: Path) -> None:
    """The stderr line 'headrub: the entry, to keep by hand: {...}' merges as it is, once."""
    made = journal.make_entry(routine="scalp-sleep", started_at=NOW - timedelta(hours=1), ended_at=NOW, active_s=600)
    saved = tmp_path / "kept.txt"
    saved.write_text("headrub: the entry, to keep by hand: " + json.dumps(made, ensure_ascii=True, separators=(",", ":")) + "\n")
    assert "Merged 1 new line " in run("journal", "merge", str(saved)).stdout
    assert "Merged 0 new lines" in run("journal", "merge", str(saved)).stdout
    (entry,) = listed()
    assert entry["id"] == made["id"] and entry["logged_at"] == "2026-11-19T20:00:00Z"


def test_merge_warns_about_lines_it_cannot_take_and_merges_the_rest(tmp_path: Path) -> None:
    good = journal.make_entry(routine="r", started_at=NOW - timedelta(hours=1), ended_at=NOW, active_s=60)
    other = tmp_path / "other.jsonl"
    other.write_text("junk\n" + json.dumps({**good, "logged_at": "2026-11-19T19:00:00Z"}) + "\n{\"active_s\": 1}\n")
    result = run("journal", "merge", str(other))
    assert result.exit_code == 0 and "Merged 1 new line " in result.stdout
    assert f"{other}:1: not merged" in result.stderr and f"{other}:3: not merged" in result.stderr


def test_merge_of_a_file_that_is_no_journal_is_one_line_and_merges_nothing(tmp_path: Path) -> None:
    """A file with lines and not one entry (a password file, a CSV export) is refused in one line, exit 2, even
    beside a good journal; a journal with many bad lines names ten and counts the rest."""
    good = journal.make_entry(routine="r", started_at=NOW - timedelta(hours=1), ended_at=NOW, active_s=60)
    journal_ok = tmp_path / "ok.jsonl"
    journal_ok.write_text(json.dumps({**good, "logged_at": "2026-11-19T19:00:00Z"}) + "\n")
    stranger = tmp_path / "passwd"
    stranger.write_text("".join(f"user{i}:x:{i}:{i}::/home/user{i}:/bin/sh\n" for i in range(24)))
    result = run("journal", "merge", str(journal_ok), str(stranger))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"{stranger} is not a journal" in result.stderr and "line 1" in result.stderr
    assert not journal_file().exists()
    noisy = tmp_path / "noisy.jsonl"
    noisy.write_text(journal_ok.read_text() + "junk\n" * 24)
    result = run("journal", "merge", str(noisy))
    assert result.exit_code == 0 and "Merged 1 new line " in result.stdout
    assert result.stderr.count("\n") == 11 and "14 more lines not merged" in result.stderr


def test_merge_of_a_missing_file_a_folder_or_a_fifo_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path, status in ((tmp_path / "missing.jsonl", 2), (tmp_path, 1), (fifo, 1), ("", 2)):
        result = run("journal", "merge", str(path))
        assert result.exit_code == status, (path, result.stderr)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not journal_file().exists()
