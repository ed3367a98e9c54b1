"""Safe output: CSV a spreadsheet will not run, JSON exact but inert, UTF-8 CSV whatever the locale."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
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
