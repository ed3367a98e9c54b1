"""Issue 7 item 4: hostile routine files are refused or loaded, never executed, never a crash or a runaway."""

from __future__ import annotations

import os
import subprocess
import threading
import tracemalloc
from pathlib import Path
from typing import Any, NoReturn

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from headrub import loader, yamlnodes
from headrub.cli import app
from headrub.errors import RoutineFileError
from headrub.routine import Routine

VALID = """\
title: Calm
strokes:
  - area: crown
    technique: circles
    duration: 30
"""


def refused(path: Path) -> RoutineFileError:
    """The RoutineFileError ``load_file`` raises for ``path``, after checking every problem is located there."""
    with pytest.raises(RoutineFileError) as info:
        loader.load_file(path)
    for problem in info.value.problems:
        assert problem.path == str(path)
        assert problem.line >= 1 and problem.column >= 1
    return info.value


def write(tmp_path: Path, data: bytes | str, name: str = "hostile.yaml") -> Path:
    """A routine file holding ``data``."""
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.fixture
def no_execution(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """os.system, os.popen, os.exec* and subprocess.Popen recorded and refused, so nothing can run."""
    calls: list[Any] = []

    def forbidden(*args: Any, **kwargs: Any) -> NoReturn:
        calls.append(args)
        raise AssertionError(f"the loader tried to run something: {args!r}")

    for name in ("system", "popen", "execv", "execve", "execvp"):
        monkeypatch.setattr(os, name, forbidden)
    monkeypatch.setattr(subprocess, "Popen", forbidden)
    return calls


# --- tags ----------------------------------------------------------------------------------------------------

PYTHON_TAGS = [
    '!!python/object/apply:os.system ["touch PWNED"]',
    '!!python/object/apply:os.system\n  args: ["touch PWNED"]',
    "!!python/object/new:os.system [touch PWNED]",
    "!!python/object/new:subprocess.Popen [[touch, PWNED]]",
    "!!python/object:os._wrap_close {}",
    "!!python/name:os.system",
    "!!python/name:os.system ''",
    "!!python/module:os",
    "!!python/module:os ''",
    "!!python/tuple [1, 2]",
    "!!python/str x",
    "!!python/unicode x",
    "!!python/bytes eA==",
    "!!python/int 1",
    "!!python/long 1",
    "!!python/float 1.0",
    "!!python/complex 1+2j",
    "!!python/list [1]",
    "!!python/dict {a: 1}",
    "!!python/none ''",
    "!!python/bool true",
    "!<tag:yaml.org,2002:python/object/apply:os.system> [touch PWNED]",
    "!!binary aGVsbG8=",
    "!!timestamp 2001-12-14",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!!pairs [a: 1]",
    "!!merge <<",
    "!!value =",
    "!custom x",
    "!<tag:example.com,2000:app/foo> x",
]


@pytest.mark.parametrize("tagged", PYTHON_TAGS)
def test_python_and_other_tags_are_refused(tmp_path: Path, no_execution: list[Any], tagged: str) -> None:
    """A Python (or any non-plain) tag on a value is refused at the tag, and nothing is executed."""
    path = write(tmp_path, f"title: t\nsummary: {tagged}\nstrokes: [{{area: x, duration: 3}}]\n")
    (problem,) = refused(path).problems
    assert (problem.line, problem.column) == (2, 10)
    assert "is not allowed" in problem.message
    assert no_execution == []
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system [touch PWNED]\n",
        "--- !!python/object/apply:os.system [touch PWNED]\n",
        "%TAG !p! tag:yaml.org,2002:python/\n---\ntitle: !p!object/apply:os.system [touch PWNED]\n",
        "title: t\n!!python/name:os.system : x\nstrokes: [{area: x, duration: 3}]\n",
        "title: t\nstrokes: !!python/object/new:list [[]]\n",
        "title: t\nstrokes:\n  - !!python/object/apply:os.system {args: [touch PWNED]}\n",
        "title: t\nstrokes:\n  - area: !!python/name:os.system\n    duration: 3\n",
        "title: t\nstrokes: [{area: x, duration: !!python/object/apply:time.sleep [100]}]\n",
    ],
)
def test_python_tags_anywhere_are_refused(tmp_path: Path, no_execution: list[Any], text: str) -> None:
    """Python tags on the document, on a key, on a list, through %TAG shorthands: all refused, none run."""
    error = refused(write(tmp_path, text))
    assert any("is not allowed" in p.message for p in error.problems), str(error)
    assert no_execution == []
    assert not (tmp_path / "PWNED").exists()


def test_validate_command_refuses_python_tag_without_traceback(tmp_path: Path, no_execution: list[Any]) -> None:
    """``headrub validate`` on a python/object/apply file exits 2 with one located line."""
    path = write(tmp_path, "title: !!python/object/apply:os.system [touch PWNED]\nstrokes: []\n")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f"{path}:1:8: the tag tag:yaml.org,2002:python/object/apply:os.system is not allowed (routines are plain YAML)"
    ]
    assert "Traceback" not in result.output
    assert no_execution == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("title: !<%1B%5B2J%07> x\n", "the tag \\x1b[2J\\x07 is not allowed"),
        ("title: !<%E2%80%AEevil> x\n", "the tag \\u202eevil is not allowed"),
        ('title: t\n"\\e]0;pwn\\a": 1\n', "unknown key '\\x1b]0;pwn\\x07'"),
        ('title: t\nstrokes: [{area: x, duration: 3, side: "\\u202eleft"}]\n', "unknown value '\\u202eleft'"),
    ],
    ids=["tag-csi", "tag-bidi", "key-osc", "value-bidi"],
)
def test_escapes_in_messages_are_spelt_out(text: str, shown: str) -> None:
    """Escapes and bidi controls from a file (even %-encoded in a tag) appear in messages as visible escapes."""
    with pytest.raises(RoutineFileError) as info:
        loader.load_text(text, "evil.yaml")
    message = str(info.value)
    assert shown in message
    assert not any(ch in message for ch in "\x1b\x07\u202e")


def test_long_values_are_cut_in_messages() -> None:
    """A 200 KB unknown value is quoted in a few dozen characters, not echoed whole."""
    with pytest.raises(RoutineFileError) as info:
        loader.load_text("title: t\nstrokes: [{area: x, duration: 3, technique: " + "z" * 200_000 + "}]\n", "long.yaml")
    (problem,) = info.value.problems
    assert len(problem.message) < 300
    assert "'zzzz" in problem.message and "…" in problem.message


# --- alias bombs and nesting -------------------------------------------------------------------------------------


def billion_laughs(levels: int = 10, width: int = 10) -> str:
    """The classic alias bomb: each level is ``width`` aliases of the one before."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        refs = ",".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text",
    [
        billion_laughs(),
        billion_laughs(levels=30, width=2),
        "title: t\ntags: &t [" + ", ".join(["lol"] * 100) + "]\nstrokes:\n" + "  - *t\n" * 600,
        "a: &a {x: 1, y: 2}\nb: &b {" + ", ".join(f"k{i}: *a" for i in range(10)) + "}\n"
        + "".join(f"c{j}: &c{j} [" + ", ".join([f"*{'b' if j == 0 else f'c{j - 1}'}"] * 10) + "]\n" for j in range(8)),
    ],
    ids=["billion-laughs", "binary-doubling", "many-aliases", "nested-maps"],
)
def test_alias_bomb_is_refused_with_bounded_memory(tmp_path: Path, text: str) -> None:
    """An alias bomb is refused as too large, peak traced memory staying far under 50 MB."""
    path = write(tmp_path, text)
    tracemalloc.start()
    try:
        error = refused(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert any("expands to more than" in p.message for p in error.problems), str(error)
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "[" * 100_000 + "]" * 100_000,
        "{a: " * 100_000,
        "{a: " * 100_000 + "1" + "}" * 100_000,
        "- " * 100_000 + "x\n",
        "title: t\nstrokes: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "".join("  " * i + "a:\n" for i in range(1_000)),
        "".join(" " * i + "- \n" for i in range(1_000)),
    ],
    ids=["open-lists", "closed-lists", "open-maps", "closed-maps", "block-dashes", "in-strokes", "block-maps", "block-lists"],
)
def test_deep_nesting_is_refused(text: str) -> None:
    """Nesting 100,000 levels deep (or 1,000 in block style) is one located error, not a RecursionError.

    headrub refuses past MAX_DEPTH itself; libyaml may refuse deep flow nesting first, in its
    own words. Either way the user gets one located line and memory stays small, so the test
    checks that, not whose wording it is.
    """
    tracemalloc.start()
    try:
        with pytest.raises(RoutineFileError) as info:
            loader.load_text(text, "deep.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (problem,) = info.value.problems
    assert problem.message and "\n" not in problem.message
    assert problem.path == "deep.yaml" and problem.line >= 1 and problem.column >= 1
    assert peak < 50 * 1024 * 1024


def test_block_nesting_past_the_limit_is_refused_in_headrubs_words() -> None:
    """One level past MAX_DEPTH in block style (which reaches headrub's builder) names the limit."""
    depth = yamlnodes.MAX_DEPTH + 1
    text = "".join("  " * i + "a:\n" for i in range(depth)) + "  " * depth + "1\n"
    with pytest.raises(RoutineFileError) as info:
        loader.load_text(text, "deep.yaml")
    (problem,) = info.value.problems
    assert str(yamlnodes.MAX_DEPTH) in problem.message and problem.line == depth


def test_nesting_at_the_limit_is_not_refused_for_depth() -> None:
    """64 levels is allowed (it is then a non-routine, reported for its content, not its depth)."""
    text = "[" * yamlnodes.MAX_DEPTH + "]" * yamlnodes.MAX_DEPTH
    with pytest.raises(RoutineFileError) as info:
        loader.load_text(text, "deep.yaml")
    assert "nested" not in str(info.value)


def test_self_referencing_alias_is_refused() -> None:
    """An alias to an anchor that is still open (a cycle) is a located error."""
    with pytest.raises(RoutineFileError) as info:
        loader.load_text("a: &x [1, *x]\n", "cycle.yaml")
    assert info.value.problems[0].message == "alias *x refers to no finished anchor"


# --- size ----------------------------------------------------------------------------------------------------------


def test_100_mb_file_is_refused_by_size_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 100 MB (sparse) file is refused by size: the parser never runs and memory stays small."""
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.write(VALID.encode())
    os.truncate(path, 100 * 1024 * 1024)

    def no_parse(text: str) -> NoReturn:
        raise AssertionError("the parser ran on an oversized file")

    monkeypatch.setattr(loader, "parse", no_parse)
    tracemalloc.start()
    try:
        (problem,) = refused(path).problems
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (problem.line, problem.column) == (1, 1)
    assert "over 256 KiB" in problem.message
    assert peak < 5 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB: the file was read whole"


def test_fifo_without_a_writer_does_not_hang(tmp_path: Path) -> None:
    """A FIFO named as a routine reads as empty instead of blocking forever waiting for a writer."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []
    worker = threading.Thread(target=lambda: outcome.append(refused(fifo)), daemon=True)
    worker.start()
    worker.join(timeout=60)  # a hang guard, not a timing threshold: the load returns at once or never
    assert not worker.is_alive(), "load_file blocked on a FIFO with no writer"
    (error,) = outcome
    assert isinstance(error, RoutineFileError)
    assert "empty" in str(error)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_endless_device_is_refused_by_size() -> None:
    """An endless character device (/dev/zero) is read only up to the limit, then refused."""
    (problem,) = refused(Path("/dev/zero")).problems
    assert "over 256 KiB" in problem.message


# --- encodings and odd bytes --------------------------------------------------------------------------------


def test_nul_byte_is_a_located_error(tmp_path: Path) -> None:
    """A NUL byte is refused where it stands."""
    path = write(tmp_path, b"title: Calm\nstrokes:\n  - area: cr\x00own\n    duration: 30\n")
    (problem,) = refused(path).problems
    assert (problem.line, problem.column) == (3, 13)


def test_nul_bytes_everywhere(tmp_path: Path) -> None:
    """A file of NUL bytes is a located error."""
    (problem,) = refused(write(tmp_path, b"\x00" * 4096)).problems
    assert (problem.line, problem.column) == (1, 1)


def test_invalid_utf8_is_located_at_the_bad_byte(tmp_path: Path) -> None:
    """A byte that is not UTF-8 is refused at its line and column."""
    path = write(tmp_path, b"title: Calm\nsummary: caf\xe9 au lait\nstrokes: [{area: x, duration: 3}]\n")
    (problem,) = refused(path).problems
    assert (problem.line, problem.column) == (2, 13)
    assert "not valid UTF-8 (byte 0xe9)" in problem.message


def test_utf8_bom_loads(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark is dropped and the file loads."""
    routine = loader.load_file(write(tmp_path, b"\xef\xbb\xbf" + VALID.encode()))
    assert routine.title == "Calm"


def test_utf8_bom_does_not_shift_columns(tmp_path: Path) -> None:
    """After a BOM, problems on line 1 are still counted from column 1."""
    (problem,) = refused(write(tmp_path, b"\xef\xbb\xbftitle: [x]\nstrokes: [{area: x, duration: 3}]\n")).problems
    assert (problem.line, problem.column) == (1, 8)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_bom_load(tmp_path: Path, encoding: str) -> None:
    """UTF-16 and UTF-32 files with a byte-order mark load (both byte orders)."""
    text = VALID.replace("Calm", "Calme épaule")
    data = text.encode(encoding)
    if encoding[-3:] in ("-le", "-be"):  # the plain codecs write a BOM; the explicit ones need it added
        data = ("\ufeff" + text).encode(encoding)
    routine = loader.load_file(write(tmp_path, data))
    assert routine.title == "Calme épaule"


def test_utf16_without_bom_is_a_located_error(tmp_path: Path) -> None:
    """UTF-16 without a BOM reads as UTF-8 full of NULs: a located error, not a crash."""
    (problem,) = refused(write(tmp_path, VALID.encode("utf-16-le"))).problems
    assert problem.line >= 1 and problem.column >= 1


def test_truncated_utf16_is_a_located_error(tmp_path: Path) -> None:
    """A UTF-16 file cut mid-character is a located error."""
    data = VALID.encode("utf-16")[:-1]
    (problem,) = refused(write(tmp_path, data)).problems
    assert "UTF-16" in problem.message


def test_crlf_line_ends_load(tmp_path: Path) -> None:
    """CRLF line ends load the same routine as LF."""
    routine = loader.load_file(write(tmp_path, VALID.replace("\n", "\r\n").encode()))
    assert routine == loader.load_text(VALID, str(tmp_path / "hostile.yaml"))


def test_crlf_errors_keep_their_lines(tmp_path: Path) -> None:
    """With CRLF line ends a problem is still on its line and column."""
    text = VALID.replace("duration: 30", "duration: 0").replace("\n", "\r\n")
    (problem,) = refused(write(tmp_path, text.encode())).problems
    assert (problem.line, problem.column) == (5, 15)


def test_bare_cr_line_ends_load(tmp_path: Path) -> None:
    """Old Mac CR-only line ends are YAML line breaks and load."""
    assert loader.load_file(write(tmp_path, VALID.replace("\n", "\r").encode())).title == "Calm"


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe\x00", b"\xfe\xff", b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf" + VALID.encode(), b"\x1b[2J\x07", b"\x85\x85"],
    ids=["utf16-odd", "bom-only-16", "bom-only-8", "two-boms", "escapes", "c1"],
)
def test_odd_bytes_are_located_or_load(tmp_path: Path, data: bytes) -> None:
    """Odd byte strings give a located error (or load), never an exception of another kind."""
    path = write(tmp_path, data)
    try:
        loader.load_file(path)
    except RoutineFileError as err:
        assert all(p.line >= 1 and p.column >= 1 and p.path == str(path) for p in err.problems)


def test_validate_command_on_binary_junk_has_no_traceback(tmp_path: Path) -> None:
    """``headrub validate`` on random binary exits 2 with located lines and no traceback."""
    path = write(tmp_path, bytes(range(256)) * 8)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert all(line.startswith(f"{path}:") for line in result.stdout.splitlines())
    assert result.stderr.startswith("headrub: ") and len(result.stderr.splitlines()) == 1


# --- fuzz ----------------------------------------------------------------------------------------------------------

_TOKENS = [
    "title", "strokes", "area", "duration", "technique", "tempo", "side", "cue", "breath", "tags", "cautions",
    ":", ": ", "- ", "-", "[", "]", "{", "}", ",", "?", "? ", "&a ", "*a", "&b", "*b", "!!str ", "!!int ", "!!float ",
    "!!python/object/apply:os.system ", "!x ", "!", "|", ">", "'", '"', "#", "%YAML 1.1", "%TAG ! x", "---", "...",
    "\n", "\n  ", "\n    ", "  ", "\t", "\r\n", "\x00", "\ufeff", "\x85", "\u2028", "\ud800", "é", "😀",
    "1m30s", "45s", "0", "3601", "1e400", ".nan", ".inf", "0x" + "f" * 40, "~", "null", "yes", "no",
    "<<", "=", "\\", "\\x1b", "\x1b[2J", "\x1b]0;t\x07", "[red]x[/red]", "\u202e",
]
_YAMLISH = st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join)
_RANDOM_BYTES = st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
_RANDOM_TEXT = st.text(max_size=120)


@st.composite
def _mutated_valid(draw: st.DrawFn) -> str:
    text = VALID
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        choice = draw(st.integers(0, 2))
        if choice == 0:
            text = text[:at] + text[at + 1 :]
        elif choice == 1:
            text = text[:at] + draw(st.sampled_from(_TOKENS)) + text[at:]
        else:
            text = text[:at] + draw(_RANDOM_BYTES.filter(bool)) + text[at:]
    return text


FUZZ_INPUTS = st.one_of(_RANDOM_BYTES, _RANDOM_TEXT, _YAMLISH, _mutated_valid())


@pytest.mark.slow
@settings(
    max_examples=10_000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(FUZZ_INPUTS)
def test_fuzz_loader_10000_inputs(text: str) -> None:
    """10,000 random inputs (bytes, YAML-ish tokens, mutated routines): a Routine or located problems, nothing else."""
    try:
        outcome = loader.load_text(text, "fuzz.yaml")
    except RoutineFileError as err:
        assert err.problems
        assert all(p.path == "fuzz.yaml" and p.line >= 1 and p.column >= 1 and p.message for p in err.problems)
        return
    assert isinstance(outcome, Routine)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.binary(max_size=300))
def test_fuzz_decode_then_load(data: bytes) -> None:
    """Random bytes through the file path's decoding and parsing give a Routine or located problems."""
    try:
        loader.load_text(yamlnodes.decode(data), "fuzz.yaml")
    except yamlnodes.YamlProblem as problem:
        assert problem.line >= 1 and problem.column >= 1
    except RoutineFileError as err:
        assert all(p.line >= 1 and p.column >= 1 for p in err.problems)
