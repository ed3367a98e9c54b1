"""headrub's light coercion of option values reads every value as Typer's own pydantic path does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from headrub import coercion
from headrub.cli import app

SHAPE = coercion.shape_problem()
needs_shape = pytest.mark.skipif(SHAPE is not None, reason=f"Typer's internals are not the shape headrub knows: {SHAPE}")


def typer_reads(annotation: Any) -> Callable[[Any], Any]:
    """Typer's own reader of one value of ``annotation`` (its pydantic adapter)."""
    from typer._adapters import build_adapter
    from typer.models import OptionInfo

    return build_adapter(annotation, OptionInfo()).validate_python


def agrees(light: Callable[[Any], Any], own: Callable[[Any], Any], value: Any) -> None:
    """The light reader leaves ``value`` to Typer, or returns what Typer's adapter returns, of the same type."""
    try:
        mine = light(value)
    except coercion.Unsure:
        return
    theirs = own(value)
    assert (type(mine), repr(mine)) == (type(theirs), repr(theirs)), value


NUMBERS = st.from_regex(r"\A[+-]?[0-9]{0,20}(\.[0-9]{0,17})?([eE][+-]?[0-9]{1,3})?\Z")
WORDS = st.one_of(NUMBERS, st.text(max_size=12), st.sampled_from([" 5", "5 ", "1_000", "007", "-0", "+0.", ".5", "٣", "inf", "nan"]))


@settings(max_examples=300, deadline=None)
@given(WORDS)
def test_a_light_int_is_typer_s_int(text: str) -> None:
    """Any text the light int reader takes, Typer's adapter reads as the same int."""
    agrees(coercion.read_int, typer_reads(int), text)


@settings(max_examples=300, deadline=None)
@given(WORDS)
def test_a_light_float_is_typer_s_float(text: str) -> None:
    """Any text the light float reader takes, Typer's adapter reads as the same float (to the last bit, and -0.0)."""
    agrees(coercion.read_float, typer_reads(float), text)


@given(st.one_of(st.text(), st.binary(max_size=8), st.integers(), st.booleans(), st.none()))
def test_light_str_int_float_bool_agree_on_any_value(value: Any) -> None:
    """Whatever the value (text with lone surrogates, bytes, numbers, None), each light reader agrees or leaves it."""
    for annotation, light in ((str, coercion.read_str), (int, coercion.read_int), (float, coercion.read_float)):
        try:
            own = typer_reads(annotation)(value)
        except Exception:
            with pytest.raises(coercion.Unsure):
                light(value)
            continue
        agrees(light, typer_reads(annotation), value)
        del own


def test_what_the_light_path_reads_and_what_it_leaves() -> None:
    """Plain annotations, lists of them and parsers get a light reader; paths, choices, ranges and tuples do not."""
    from enum import Enum

    from typer.models import OptionInfo

    class Colour(Enum):
        RED = "red"

    plain = OptionInfo()
    assert coercion.value_reader(str, plain) is coercion.read_str
    assert coercion.value_reader(list[str], plain)(("a", "b")) == ["a", "b"]  # type: ignore[misc]
    assert coercion.value_reader(list[int], plain)("7") == [7]  # type: ignore[misc]
    parsed = OptionInfo(parser=lambda text: f"<{text}>")
    assert coercion.value_reader(Colour, parsed)("x") == "<x>"  # type: ignore[misc]  # the parser first, as Typer
    assert coercion.value_reader(list[Colour], parsed)(["x", "y"]) == ["<x>", "<y>"]  # type: ignore[misc]
    for annotation, info in ((Path, plain), (Colour, plain), (int, OptionInfo(min=1)), (float, OptionInfo(max=2.0)),
                             (int, OptionInfo(min=0)), (float, OptionInfo(max=0.0)), (int, OptionInfo(clamp=True)),
                             (tuple[int, int], plain), (list[Path], plain), (list[list[str]], plain)):
        assert coercion.value_reader(annotation, info) is None, annotation


def outcome(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


SAME_EITHER_WAY = [
    ["list", "--tag", "sleep", "--tag", "scalp"],
    ["list", "--json", "--tag", "quick"],
    ["list", "--tag"],
    ["show", "scalp-sleep"],
    ["show"],
    ["show", "no-such-routine"],
    ["start"],
    ["start", "desk-reset", "--before", "x"],
    ["start", "desk-reset", "--before", "1", "--before", "11"],
    ["start", "desk-reset", "--minutes", "1e400"],
    ["start", "desk-reset", "--volume", "loud"],
    ["start", "desk-reset", "--sound", "gong"],
    ["start", "desk-reset", "--lead-in", "-1"],
    ["start", "desk-reset", "--speech-rate", ""],
    ["journal", "--week"],
    ["journal", "--days", "x"],
    ["journal", "--days", "3", "--days", "4"],
    ["journal", "--since", "yesterday", "--until", "today", "--routine", "desk-reset"],
    ["journal", "add"],
    ["journal", "add", "desk-reset"],
    ["journal", "add", "desk-reset", "--minutes", "five"],
    ["journal", "edit", "nope", "--before", "x"],
    ["journal", "edit", "nope", "--before", "1.5"],
    ["journal", "edit", "nope", "--before", " 5"],
    ["journal", "edit", "nope", "--before", "1_0", "--minutes", "1e1"],
    ["journal", "edit", "nope", "--minutes", "x"],
    ["journal", "edit", "nope", "--minutes", "2.5", "--before", "3", "--note", "n", "--routine", "r"],
    ["journal", "merge"],
    ["journal", "merge", "/no/such/file.jsonl"],
    ["stats"],
    ["stats", "--days", "0"],
    ["stats", "--days", "7", "--routine", "desk-reset", "--json"],
    ["validate", "desk-reset", "scalp-sleep"],
    ["validate"],
    ["config", "--lead-in", "x"],
    ["config", "--volume", "200"],
    ["sound-check", "--volume", "-3"],
    ["schema", "--output"],
    ["new"],
    *([name, "--help"] for name in ("start", "list", "show", "journal", "stats", "validate", "new", "edit", "schema",
                                      "config", "sound-check")),
    ["journal", "add", "--help"],
    ["journal", "edit", "--help"],
    ["--help"],
    ["--version"],
]


@needs_shape
@pytest.mark.parametrize("args", SAME_EITHER_WAY, ids=" ".join)
def test_every_command_reads_the_same_with_and_without_the_light_path(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Values, repeats, missing arguments, bad numbers and parser complaints, help: the same output and status
    through the light path as through Typer's own pydantic coercion."""
    from typer import _coercion, core

    coercion.install()
    light = outcome(args)
    with monkeypatch.context() as patch:
        patch.setattr(coercion, "install", lambda: None)
        patch.setattr(core, "build_runtime_param", _coercion.build_runtime_param)
        own = outcome(args)
    assert light == own


@needs_shape
def test_a_newer_typer_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """When Typer no longer builds a parameter's coercion the way headrub knows, install says why, changes nothing,
    and commands work as before (through Typer's own path)."""
    from typer import _coercion, core

    builder = _coercion.build_runtime_param  # the way a newer Typer might reach it: not by the name headrub sets

    def get_runtime_param(self: Any) -> Any:
        return builder(self.type_descriptor)

    monkeypatch.setattr(core, "build_runtime_param", _coercion.build_runtime_param)
    monkeypatch.setattr(core._TyperParameter, "get_runtime_param", get_runtime_param)
    problem = coercion.install()
    assert problem is not None and "get_runtime_param" in problem
    assert core.build_runtime_param is _coercion.build_runtime_param
    code, out, err = outcome(["list", "--tag", "sleep"])
    assert (code, err) == (0, "") and "scalp-sleep" in out
    assert outcome(["journal", "--days", "x"])[0] == 2


@needs_shape
def test_installing_twice_changes_nothing() -> None:
    """``install`` is called at every command: once is enough, and the second time it is the same."""
    from typer import core

    assert coercion.install() is None
    first = core.build_runtime_param
    assert coercion.install() is None
    assert core.build_runtime_param is first is coercion.light_runtime_param


@needs_shape
def test_a_runtime_param_that_is_not_frozen_or_has_more_abstract_methods_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A newer RuntimeParam that is not frozen, or asks subclasses for another method, could not be extended:
    install says why instead of every command failing."""
    from typer import _coercion

    class Params:
        frozen = False

    monkeypatch.setattr(_coercion.RuntimeParam, "__dataclass_params__", Params())
    assert "frozen" in (coercion.shape_problem() or "")
    monkeypatch.undo()
    monkeypatch.setattr(_coercion.RuntimeParam, "__abstractmethods__", frozenset({"_coerce_value", "describe"}))
    assert "abstract" in (coercion.shape_problem() or "")


@needs_shape
def test_a_light_param_that_cannot_be_made_falls_back_to_typer_s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """If making the light coercion fails at run time, the parameter gets Typer's own: the command still runs."""
    from typer import _coercion

    tried: list[int] = []

    def broken() -> Any:
        tried.append(1)
        raise TypeError("cannot subclass")

    monkeypatch.setattr(coercion, "_light_class", broken)
    assert coercion.install() is None
    code, out, err = outcome(["list", "--tag", "sleep"])
    assert (code, err) == (0, "") and "scalp-sleep" in out
    assert tried and _coercion.build_runtime_param is not coercion.light_runtime_param
