"""``headrub journal``, ``journal add`` and ``stats`` through CliRunner: every success and failure path."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from typer.testing import CliRunner

from headrub import journal, output
from headrub.cli import app
from headrub.commands.csv_output import CSV_FIELDS
from headrub.paths import journal_file

NOW = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)  # Thursday; the week began Monday 16th
NASTY = 'comma, "quotes"\nnewline\r\nand \x1b]0;title\x07 \x1b[2J [red]markup[/red] \u202eevil'


def run(*args: str) -> Any:
    """Invoke headrub with ``args`` at the frozen NOW."""
    with time_machine.travel(NOW, tick=False):
        return CliRunner().invoke(app, list(args))


def add(*args: str, at_time: datetime = NOW) -> Any:
    """``headrub journal add ...`` at ``at_time``; the command must succeed."""
    with time_machine.travel(at_time, tick=False):
        result = CliRunner().invoke(app, ["journal", "add", *args])
    assert result.exit_code == 0, result.stderr
    return result


def stored() -> list[dict[str, Any]]:
    """Every line of the journal, parsed."""
    return [journal.strip(json.loads(line)) for line in journal_file().read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the commands believe stdout is a terminal (Rich output, still colourless under NO_COLOR)."""
    monkeypatch.setattr(output, "is_terminal", lambda stream=None: True)
    monkeypatch.setenv("COLUMNS", "160")


@pytest.fixture
def week_of_sessions() -> None:
    """Four sessions: last week, Monday, Tuesday (stopped early), and today."""
    add("scalp-sleep", "--minutes", "10", "--at", "2026-11-12T21:00")
    add("scalp-sleep", "--minutes", "12", "--at", "2026-11-16T21:00", "--before", "6", "--after", "2")
    with time_machine.travel(datetime(2026, 11, 17, 22, 0, tzinfo=UTC), tick=False):
        journal.append(
            journal.make_entry(
                routine="wake-up",
                title="Wake up",
                started_at=datetime(2026, 11, 17, 7, 0, tzinfo=UTC),
                ended_at=datetime(2026, 11, 17, 7, 3, tzinfo=UTC),
                planned_s=300,
                active_s=183.2,
                completed=False,
                strokes_done=3,
                strokes_total=7,
                note=NASTY,
            )
        )
    add("desk-reset", "--minutes", "5", "--at", "2026-11-19T12:30", "--before", "4", "--after", "4")


# --- journal: listing ------------------------------------------------------------------------


def test_an_empty_journal_is_a_friendly_line_not_an_error(isolated_dirs: tuple[Path, Path]) -> None:
    """With no journal at all, `journal` and `stats` say so kindly, exit 0, and create nothing."""
    for args in (["journal"], ["stats"], ["journal", "--month"]):
        result = run(*args)
        assert result.exit_code == 0 and "journal is empty" in result.stdout and result.stderr == ""
    assert not isolated_dirs[1].exists()


def test_empty_json_and_csv_are_well_formed() -> None:
    """An empty listing is `[]` as JSON, and just the header as CSV."""
    assert json.loads(run("journal", "--json").stdout) == []
    rows = list(csv.reader(io.StringIO(run("journal", "--csv").stdout, newline="")))
    assert rows == [list(CSV_FIELDS)]


def test_a_window_with_nothing_in_it_names_the_window(week_of_sessions: None) -> None:
    """When the journal has sessions but not in the window, the line says which window."""
    result = run("journal", "--since", "2026-01-01", "--until", "2026-01-31")
    assert result.exit_code == 0 and result.stdout == "No sessions from 2026-01-01 to 2026-01-31.\n"
    assert run("journal", "--routine", "nope").stdout == "No nope sessions this week.\n"


def test_journal_defaults_to_this_week_in_plain_text(week_of_sessions: None) -> None:
    """Not on a terminal: one plain line a session (by start time), totals, minutes per day; no ANSI."""
    result = run("journal")
    assert result.exit_code == 0 and result.stderr == ""
    out = result.stdout
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    lines = out.splitlines()
    # Each line starts with the id to type: the shortest unique start of it (long here: the clock
    # was frozen, so the ids share their millisecond and differ only at the end).
    ids = [entry["id"] for entry in sorted(stored(), key=lambda e: e["started_at"])[1:]]
    for k in range(3):
        short, lines[k] = lines[k].split("  ", 1)
        assert len(short) >= 7 and ids[k].startswith(short)
        assert all(not other.startswith(short) for other in ids if other != ids[k])
    assert lines[0] == "2026-11-16 Mon 21:00  scalp-sleep  12:00  completed  tension 6 → 2"
    assert lines[1].startswith(
        '2026-11-17 Tue 07:00  wake-up  3:03  stopped at 3/7  comma, "quotes" newline'
    )
    assert "[red]markup[/red]" in lines[1]  # shown literally
    assert lines[2] == "2026-11-19 Thu 12:30  desk-reset  5:00  completed  tension 4 → 4"
    assert lines[3] == "total: 3 sessions, 20:03 this week"
    assert lines[4] == "time per day:"
    assert lines[5] == "  2026-11-16 Mon   12:00  ##############################"
    assert lines[6].startswith("  2026-11-17 Tue    3:03  ########")
    assert lines[7] == "  2026-11-18 Wed    0:00"
    assert lines[8].startswith("  2026-11-19 Thu    5:00  ")
    assert len(lines) == 9


def test_journal_on_a_terminal_draws_a_table_with_totals_and_a_chart(
    week_of_sessions: None, terminal: None
) -> None:
    """On a terminal: a table with every column and a totals row, then a bar chart of minutes per day."""
    result = run("journal", "--week")
    out = result.stdout
    assert result.exit_code == 0
    for heading in (
        "day",
        "time",
        "routine",
        "length",
        "result",
        "tension",
        "note",
        "Sessions this week",
        "time per day",
    ):
        assert heading in out
    assert (
        "stopped at 3/7" in out
        and "6 → 2" in out
        and "total" in out
        and "3 sessions" in out
        and "20:03" in out
    )
    assert "█" * 40 in out  # the longest day fills the bar
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "[red]markup[/red]" in out


def test_journal_json_prints_the_entries_exactly_as_stored(week_of_sessions: None) -> None:
    """--json is an array of the window's entries, byte-for-byte the stored objects (the note's escapes too)."""
    result = run("journal", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == stored()[1:]
    assert json.loads(result.stdout)[1]["note"] == NASTY


def test_journal_csv_round_trips_through_the_csv_module(week_of_sessions: None) -> None:
    """--csv: a header and one row an entry; notes with commas, quotes and newlines survive csv.reader."""
    result = run("journal", "--csv", "--days", "30")
    text = result.stdout_bytes.decode("utf-8")  # Result.stdout folds CRLF; the real bytes keep it
    assert text.startswith("id,routine,") and text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 4
    assert rows[2]["note"] == NASTY and rows[2]["completed"] == "false" and rows[2]["strokes_done"] == "3"
    assert rows[1]["tension_before"] == "6" and rows[1]["note"] == "" and rows[1]["source"] == "manual"
    assert [r["id"] for r in rows] == [e["id"] for e in stored()]


def test_routine_filter(week_of_sessions: None) -> None:
    """--routine NAME keeps only that routine's sessions."""
    out = json.loads(run("journal", "--days", "30", "--routine", "scalp-sleep", "--json").stdout)
    assert [e["started_at"][:10] for e in out] == ["2026-11-12", "2026-11-16"]


def test_each_named_window(week_of_sessions: None) -> None:
    """--today, --week, --month, --days, --since and --until pick the sessions by started_at."""

    def days(*args: str) -> list[str]:
        return [e["started_at"][:10] for e in json.loads(run("journal", *args, "--json").stdout)]

    assert days("--today") == ["2026-11-19"]
    assert days("--week") == days() == ["2026-11-16", "2026-11-17", "2026-11-19"]
    assert days("--month") == ["2026-11-12", "2026-11-16", "2026-11-17", "2026-11-19"]
    assert days("--days", "3") == ["2026-11-16", "2026-11-17", "2026-11-19"]  # since Monday 20:00
    assert days("--days", "2") == ["2026-11-19"]  # since Tuesday 20:00
    assert days("--since", "2026-11-16 22:00") == ["2026-11-17", "2026-11-19"]
    assert days("--until", "2026-11-16") == ["2026-11-12", "2026-11-16"]
    assert days("--since", "2026-11-13", "--until", "2026-11-17") == ["2026-11-16", "2026-11-17"]


def test_back_dated_entries_are_listed_in_start_order(week_of_sessions: None) -> None:
    """An entry added later for an earlier day sorts by when it started, not when it was logged."""
    add("head-spa", "--minutes", "45", "--at", "2026-11-18T10:00")
    out = json.loads(run("journal", "--json").stdout)
    assert [e["routine"] for e in out] == ["scalp-sleep", "wake-up", "head-spa", "desk-reset"]


@pytest.mark.parametrize(
    "args",
    [
        ["--today", "--week"],
        ["--week", "--month"],
        ["--days", "3", "--month"],
        ["--today", "--since", "2026-11-01"],
        ["--days", "2", "--until", "2026-11-01"],
        ["--json", "--csv"],
        ["--days", "0"],
        ["--days", "-4"],
        ["--since", "someday"],
        ["--since", "2026-11-31"],
        ["--until", "11/20/2026"],
        ["--since", "2026-11-10", "--until", "2026-11-01"],
    ],
)
def test_bad_windows_and_dates_are_one_line_usage_errors(args: list[str]) -> None:
    """Unknown combinations and wrong dates exit 2 with one line on stderr (dates with an example)."""
    for command in (["journal"], ["stats"]) if "--csv" not in args else (["journal"],):
        result = run(*command, *args)
        assert result.exit_code == 2, result.stdout
        assert (
            result.stdout == "" and result.stderr.count("\n") == 1 and result.stderr.startswith("headrub: ")
        )
        if "--since" in args[:1] or "--until" in args[:1]:
            assert "2026-11-20T21:30" in result.stderr or "after --until" in result.stderr


def test_a_non_number_for_days_is_a_usage_error() -> None:
    """--days with a word is refused by the parser with exit 2, no traceback."""
    result = run("journal", "--days", "week")
    assert result.exit_code == 2 and "Traceback" not in result.stderr + result.stdout


def test_bad_lines_are_warned_on_stderr_with_line_numbers(week_of_sessions: None) -> None:
    """A corrupt line and a torn tail each give one warning with its line number; every entry still shows."""
    with journal_file().open("ab") as handle:
        handle.write(b"not json\n")
    add("scalp-sleep", "--minutes", "3")
    with journal_file().open("ab") as handle:
        handle.write(b'{"v": 1, "rou')
    result = run("journal", "--json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 4
    warnings = result.stderr.splitlines()
    assert len(warnings) == 2
    assert warnings[0].startswith(f"headrub: warning: {journal_file()}:5: skipped")
    assert warnings[1].startswith(f"headrub: warning: {journal_file()}:7: skipped")
    assert run("stats", "--json").stderr.splitlines() == warnings


def test_an_unreadable_journal_is_a_one_line_error_exit_1() -> None:
    """If the journal path is a folder, `journal` and `stats` exit 1 with one line naming it."""
    journal_file().mkdir(parents=True)
    for command in ("journal", "stats"):
        result = run(command)
        assert (
            result.exit_code == 1 and result.stderr.count("\n") == 1 and str(journal_file()) in result.stderr
        )


def test_journal_week_is_right_across_dst_on_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """In Berlin on the Sunday clocks go back, --week includes Monday 00:30 CEST and not Sunday 23:30 before."""
    berlin = ZoneInfo("Europe/Berlin")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        for at in ("2026-10-18T23:30", "2026-10-19T00:30"):
            add(
                "scalp-sleep",
                "--minutes",
                "10",
                "--at",
                at,
                at_time=datetime(2026, 10, 25, 12, 0, tzinfo=berlin),
            )
        with time_machine.travel(datetime(2026, 10, 25, 12, 0, tzinfo=berlin), tick=False):
            out = json.loads(CliRunner().invoke(app, ["journal", "--json"]).stdout)
        assert [e["started_at"] for e in out] == ["2026-10-19T00:30:00+02:00"]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


# --- journal add -----------------------------------------------------------------------------


def test_add_logs_a_manual_session_with_the_routine_title() -> None:
    """`journal add` of a known routine stores source manual, its title, the minutes, and confirms in one line."""
    result = add("scalp-sleep", "--minutes", "20", "--before", "7", "--after", "3", "--note", "salon")
    (entry,) = stored()
    assert entry["source"] == "manual" and entry["title"] == "Scalp massage for sleep"
    assert entry["active_s"] == entry["planned_s"] == 1200 and entry["completed"] is True
    assert (
        entry["ended_at"] == "2026-11-19T20:00:00+00:00"
        and entry["started_at"] == "2026-11-19T19:40:00+00:00"
    )
    assert (entry["tension_before"], entry["tension_after"], entry["note"]) == (7, 3, "salon")
    assert entry["logged_at"] == "2026-11-19T20:00:00Z" and entry["strokes_done"] is None
    assert (
        result.stdout == "Logged 20:00 of scalp-sleep (Scalp massage for sleep), started 2026-11-19 19:40.\n"
    )


def test_add_accepts_any_name_and_fractional_minutes() -> None:
    """An unknown name is logged with no title; minutes may be fractional."""
    result = add("partner's massage", "--minutes", "7.5", "--at", "2026-11-18 21:30")
    (entry,) = stored()
    assert entry["routine"] == "partner's massage" and entry["title"] is None
    assert entry["active_s"] == 450 and entry["started_at"] == "2026-11-18T21:30:00+00:00"
    assert result.stdout == "Logged 7:30 of partner's massage, started 2026-11-18 21:30.\n"


def test_add_of_a_name_close_to_a_routine_logs_it_and_names_the_routine() -> None:
    """A typo ('partner-hed') is logged as typed, exit 0, with one warning naming partner-head and the fix;
    a name like no routine ('yoga') gets no warning."""
    result = add("partner-hed", "--minutes", "20")
    assert result.exit_code == 0 and stored()[-1]["routine"] == "partner-hed"
    assert result.stderr.count("\n") == 1 and "partner-head" in result.stderr
    assert "journal edit last --routine partner-head" in result.stderr
    assert add("yoga", "--minutes", "30").stderr == ""


def test_add_sanitizes_what_it_echoes_but_stores_the_exact_text() -> None:
    """Escape sequences in the name and note are stripped from the confirmation and kept in the file."""
    result = add("x\x1b[2Jy", "--minutes", "1", "--note", NASTY)
    assert "\x1b" not in result.stdout and "xy" in result.stdout
    assert stored()[0]["routine"] == "x\x1b[2Jy" and stored()[0]["note"] == NASTY


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--minutes", "0"], "--minutes"),
        (["--minutes", "-3"], "--minutes"),
        (["--minutes", "nan"], "--minutes"),
        (["--minutes", "inf"], "--minutes"),
        (["--minutes", "1441"], "--minutes"),
        (["--minutes", "5", "--before", "11"], "--before"),
        (["--minutes", "5", "--after", "-1"], "--after"),
        (["--minutes", "5", "--at", "2026-11-19T20:01"], "in the future"),
        (["--minutes", "5", "--at", "2027-01-01T00:00"], "in the future"),
        (["--minutes", "5", "--at", "2026-11-18"], "time of day"),
        (["--minutes", "5", "--at", "last night"], "2026-11-20T21:30"),
    ],
)
def test_add_refuses_bad_values_with_exit_2_and_writes_nothing(args: list[str], needle: str) -> None:
    """Minutes not > 0, tension outside 0–10, a future or unreadable --at: exit 2, one line, no journal."""
    result = run("journal", "add", "scalp-sleep", *args)
    assert result.exit_code == 2 and needle in result.stderr and result.stderr.count("\n") == 1
    assert not journal_file().exists()


@pytest.mark.parametrize(
    "args", [[], ["--minutes"], ["--minutes", "ten"], ["--before", "x", "--minutes", "3"]]
)
def test_add_with_missing_or_unparseable_options_is_exit_2(args: list[str]) -> None:
    """Missing ROUTINE/--minutes or non-numbers are parser errors: exit 2, no traceback."""
    result = run("journal", "add", *(["scalp-sleep"] if args else []), *args)
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert not journal_file().exists()


def test_add_with_an_empty_name_is_exit_2() -> None:
    """A blank ROUTINE is refused."""
    assert run("journal", "add", "  ", "--minutes", "3").exit_code == 2


def test_add_with_an_unwritable_journal_exits_1_and_prints_the_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the write fails: exit 1, one error line naming the journal, and the entry as JSON on stderr."""
    add("scalp-sleep", "--minutes", "3")
    before = journal_file().read_bytes()
    real_open = os.open

    def refuse(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if str(path) == str(journal_file()):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", refuse)
        result = run("journal", "add", "wake-up", "--minutes", "4", "--note", "keep me")
    assert result.exit_code == 1
    error, kept = result.stderr.splitlines()
    assert error == f"headrub: cannot write to the journal {journal_file()}: permission denied"
    prefix = "headrub: the entry, to keep by hand: "
    assert kept.startswith(prefix) and json.loads(kept[len(prefix) :])["note"] == "keep me"
    assert journal_file().read_bytes() == before and result.stdout == ""


def test_add_works_when_the_routine_file_is_broken(isolated_dirs: tuple[Path, Path]) -> None:
    """A user routine of that name that does not load: the session is still logged, without a title."""
    folder = isolated_dirs[0] / "routines"
    folder.mkdir(parents=True)
    (folder / "scalp-sleep.yaml").write_text("title: [unclosed\n")
    add("scalp-sleep", "--minutes", "3")
    assert stored()[0]["title"] is None


# --- stats -----------------------------------------------------------------------------------


def test_stats_json_has_exactly_the_contract_keys(week_of_sessions: None) -> None:
    """stats --json over everything: the CONTRACT keys with the right numbers, best routine first."""
    result = run("stats", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0
    calendar, weeks = data.pop("calendar"), data.pop("tension_by_week")
    assert calendar["days"][-1] == {"date": "2026-11-19", "minutes": 5.0, "sessions": 1}
    assert weeks[-1]["before"] == 5.0 and weeks[-1]["after"] == 3.0
    for row in data["routines"]:
        assert row.pop("verdict") == "too few to tell"
        for key in ("rated_sessions", "change_sd", "change_range"):
            row.pop(key)
    assert data == {
        "sessions": 4,
        "completed_sessions": 3,
        "strokes_skipped": 0,
        "minutes": 30.1,
        "days_this_week": 3,
        "days_this_month": 4,
        "current_streak_days": 1,
        "longest_streak_days": 2,
        "routines": [
            {"routine": "scalp-sleep", "sessions": 2, "avg_minutes": 11.0, "avg_tension_change": -4.0},
            {"routine": "desk-reset", "sessions": 1, "avg_minutes": 5.0, "avg_tension_change": 0.0},
            {"routine": "wake-up", "sessions": 1, "avg_minutes": 3.1, "avg_tension_change": None},
        ],
    }


def test_stats_takes_a_window(week_of_sessions: None) -> None:
    """stats --today counts only today's sessions."""
    data = json.loads(run("stats", "--today", "--json").stdout)
    assert data["sessions"] == 1 and data["routines"][0]["routine"] == "desk-reset"


def test_stats_plain_text(week_of_sessions: None) -> None:
    """Not on a terminal: one plain line a figure, then per routine, no ANSI."""
    out = run("stats").stdout
    assert "\x1b" not in out
    assert out.splitlines()[:6] == [
        "sessions so far: 4 (3 completed)",
        "time: 30:06",
        "days this week: 3",
        "days this month: 4",
        "current streak: 1 day",
        "longest streak: 2 days",
    ]
    assert "  scalp-sleep  2 sessions  11:00 on average  tension −4" in out
    assert "  wake-up  1 session  3:06 on average  tension no ratings" in out


def test_stats_on_a_terminal_shows_what_works(week_of_sessions: None, terminal: None) -> None:
    """On a terminal: a summary and a "What works for you" table, best first."""
    out = run("stats").stdout
    assert (
        "4 sessions so far" in out
        and "What works for you" in out
        and "current streak 1 day · longest 2 days" in out
    )
    assert out.index("scalp-sleep") < out.index("desk-reset") < out.index("wake-up")
    assert "−4" in out and "no ratings" in out


def test_stats_in_an_empty_window_is_friendly(week_of_sessions: None) -> None:
    """stats for a window without sessions says so; --json still gives the zeroed object."""
    assert run("stats", "--since", "2020-01-01", "--until", "2020-02-01").stdout.startswith("No sessions")
    assert (
        json.loads(run("stats", "--since", "2020-01-01", "--until", "2020-02-01", "--json").stdout)[
            "sessions"
        ]
        == 0
    )


def test_help_for_every_command() -> None:
    """--help works for journal, journal add and stats."""
    for args in (["journal", "--help"], ["journal", "add", "--help"], ["stats", "--help"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_the_command_modules_import_only_stdlib_and_typer(tmp_path: Path) -> None:
    """Importing the journal, journal add and stats command modules loads neither Rich nor the store nor the stats."""
    import subprocess

    code = (
        "import sys, headrub.commands.journal_cmd, headrub.commands.journal_add_cmd, headrub.commands.stats_cmd; "
        "print(sorted(m for m in ('rich', 'headrub.journal', 'headrub.stats') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_an_entry_back_dated_to_monday_is_in_this_week() -> None:
    """An entry added on Thursday for Monday 00:01 (logged days later) is in --week, not in the last two days."""
    add("scalp-sleep", "--minutes", "5", "--at", "2026-11-16T00:01")
    assert len(json.loads(run("journal", "--week", "--json").stdout)) == 1
    assert json.loads(run("journal", "--since", str((NOW - timedelta(days=2)).date()), "--json").stdout) == []


def test_week_start_from_the_config_moves_the_week(isolated_dirs: tuple[Path, Path]) -> None:
    """With week_start: sunday in config.yaml, --week reaches back to Sunday the 15th; by default it starts Monday."""
    add("sunday-rub", "--minutes", "5", "--at", "2026-11-15 12:00")
    assert "sunday-rub" not in run("journal", "--week", "--json").stdout
    isolated_dirs[0].mkdir(parents=True, exist_ok=True)
    (isolated_dirs[0] / "config.yaml").write_text("week_start: sunday\n")
    assert "sunday-rub" in run("journal", "--week", "--json").stdout
    assert json.loads(run("stats", "--json").stdout)["days_this_week"] == 1


def test_a_session_skipped_through_shows_as_skipped_not_completed(isolated_dirs: tuple[Path, Path]) -> None:
    """An entry that reached its end by skipping reads "0/3 done, 3 skipped"; one stopped with skips says both."""
    moment = datetime(2026, 11, 19, 7, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        for done, skipped in ((0, 3), (1, 1)):
            journal.append(
                journal.make_entry(
                    routine="wake-up", started_at=moment, ended_at=moment, active_s=2, completed=False,
                    strokes_done=done, strokes_total=3, strokes_skipped=skipped,
                )
            )  # fmt: skip
    out = run("journal").stdout
    assert "0/3 done, 3 skipped" in out and "stopped at 1/3, 1 skipped" in out
    assert "completed" not in out
    data = json.loads(run("stats", "--json").stdout)
    assert (data["completed_sessions"], data["strokes_skipped"]) == (0, 4)


def test_stats_for_one_routine_and_the_plain_calendar(week_of_sessions: None) -> None:
    """stats --routine NAME counts only that routine; the plain output draws the calendar in ASCII."""
    data = json.loads(run("stats", "--routine", "scalp-sleep", "--json").stdout)
    assert data["sessions"] == 2 and [row["routine"] for row in data["routines"]] == ["scalp-sleep"]
    assert run("stats", "--routine", "nope").stdout == "No nope sessions so far.\n"
    out = run("stats").stdout
    assert "minutes a day, last 12 weeks" in out and "tension by week" in out
    thursday = [line for line in out.splitlines() if line.startswith("  Thu ")]
    assert len(thursday) == 1 and thursday[0].endswith("#:")  # 10 min last Thursday, 5 today (most: 12)
    assert "1 rated: too few to tell" in out


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC for the test."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_journal_add_takes_dates_as_people_type_them(utc: None) -> None:
    """``--at 'yesterday 21:30'`` and ``--at monday 8:00`` log at those local times; the clock is frozen."""
    assert add("head-spa", "--minutes", "30", "--at", "yesterday 21:30").exit_code == 0
    assert add("wake-up", "--minutes", "10", "--at", "monday 8:00").exit_code == 0
    starts = [e["started_at"] for e in json.loads(run("journal", "--json").stdout)]
    assert starts == ["2026-11-16T08:00:00+00:00", "2026-11-18T21:30:00+00:00"]


def test_journal_add_refuses_a_session_that_would_end_in_the_future(utc: None) -> None:
    """At 20:00, ``--at 19:45 --minutes 30`` would end at 20:15: exit 2, one line, nothing logged."""
    with time_machine.travel(NOW, tick=False):
        result = CliRunner().invoke(app, ["journal", "add", "head-spa", "--minutes", "30", "--at", "19:45"])
    assert result.exit_code == 2
    assert result.stderr == (
        "headrub: --at: a session from 19:45 would end at 20:15, in the future; give the time it started\n"
    )
    assert add("head-spa", "--minutes", "15", "--at", "19:45").exit_code == 0
