"""Option and argument values read without pydantic: a light stand-in for Typer's own coercion.

Typer 0.29 coerces every value of a parameter that is not a bool flag through a pydantic
``TypeAdapter`` (``typer._coercion.build_runtime_param``), so any command given an option or an
argument imports pydantic: about 35 ms of a start-up that is meant to be instant, and most of the
10 MiB between a bare Typer and a hello-world Typer app. headrub's parameters are plain: ``str``,
``int``, ``float``, lists of them, and readers of its own given as ``parser=``
(``commands.params.reads``). For those, ``install`` gives each parameter a coercion that returns
what Typer's adapter returns for the values it is sure of, and hands every other value (a bad
number, a reader's ``ValueError``, bytes, a number written in a form pydantic reads its own way)
to Typer's own coercion, so a mistake reads exactly as Typer words it, pydantic and all.

This leans on Typer's private names, so ``install`` first checks that they have the shape it
knows (``shape_problem``); when they do not (a newer Typer), it leaves Typer alone: headrub then
works as before, only slower to start. Only the CLI imports this module (it touches Typer).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

Reader = Callable[[Any], Any]

_INT = re.compile(r"[+-]?[0-9]{1,18}")  # what pydantic and int() read alike (no "1_0", " 1", "1.0")
_FLOAT = re.compile(r"[+-]?(?:[0-9]{1,15}(?:\.[0-9]{0,15})?|\.[0-9]{1,15})")  # no exponent, inf or nan


class Unsure(Exception):
    """A value the light reader does not take on itself: Typer's own coercion decides."""


def read_str(value: Any) -> str:
    if type(value) is not str:  # bytes, or a subclass: Typer's ``_parse_cli_str`` knows them
        raise Unsure
    return value


def read_int(value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is str and _INT.fullmatch(value):
        return int(value)
    raise Unsure


def read_float(value: Any) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    if type(value) is str and _FLOAT.fullmatch(value):
        return float(value)
    raise Unsure


def read_bool(value: Any) -> bool:
    if type(value) is not bool:
        raise Unsure
    return value


_PLAIN: dict[Any, Reader] = {str: read_str, int: read_int, float: read_float, bool: read_bool}


def reader_for(annotation: Any, parameter_info: Any) -> Reader | None:
    """The light reader of one value of a parameter (an item, for a list), or None: Typer's own path.

    As Typer's ``build_leaf_adapter``: a ``parser`` comes first, whatever the annotation.
    """
    parser = getattr(parameter_info, "parser", None)
    if parser is not None:
        return parser  # type: ignore[no-any-return]
    if not isinstance(annotation, type):
        return None
    ranged = getattr(parameter_info, "min", None) is not None or getattr(parameter_info, "max", None) is not None
    if annotation in (int, float) and (ranged or getattr(parameter_info, "clamp", False)):
        return None  # a range (min=0 is one): Typer's wording of it
    return _PLAIN.get(annotation)


def value_reader(annotation: Any, parameter_info: Any) -> Reader | None:
    """The light reader of a parameter's whole value (a list of items for ``list[X]``), or None."""
    from typing import get_args, get_origin

    if get_origin(annotation) is list:
        items = get_args(annotation)
        read = reader_for(items[0], parameter_info) if len(items) == 1 else None
        if read is None or get_origin(items[0]) is not None:
            return None

        def read_list(value: Any) -> list[Any]:
            return [read(item) for item in (value if isinstance(value, (list, tuple)) else [value])]

        return read_list
    if get_origin(annotation) is not None:
        return None
    return reader_for(annotation, parameter_info)


def _arguments(owner: Any, name: str) -> list[str] | None:
    """The names of the arguments of ``owner.name``, or None if it has none to read."""
    import inspect

    try:
        return list(inspect.signature(getattr(owner, name)).parameters)
    except (AttributeError, TypeError, ValueError):
        return None


def shape_problem() -> str | None:
    """Why Typer's internals are not the shape ``install`` knows, or None when they are."""
    try:
        import dataclasses

        from typer import _coercion, core
    except ImportError as err:
        return f"Typer has no {err.name}"
    base = getattr(_coercion, "RuntimeParam", None)
    owner = getattr(core, "_TyperParameter", None)
    if not isinstance(base, type) or owner is None or not callable(getattr(core, "build_runtime_param", None)):
        return "Typer has no RuntimeParam, _TyperParameter or build_runtime_param"
    getter = getattr(owner, "get_runtime_param", None)
    if "build_runtime_param" not in getattr(getattr(getter, "__code__", None), "co_names", ()):
        return "Typer's get_runtime_param does not call build_runtime_param"
    coerce, value = _arguments(base, "coerce"), _arguments(base, "_coerce_value")
    if coerce != ["self", "value", "param", "ctx"] or value != coerce:
        return "Typer's RuntimeParam.coerce or _coerce_value is missing or takes other arguments"
    if not dataclasses.is_dataclass(base) or {f.name for f in dataclasses.fields(base)} != {"parameter_info", "annotation"}:
        return "Typer's RuntimeParam is not a dataclass of parameter_info and annotation"
    params = getattr(base, "__dataclass_params__", None)
    if params is None or not getattr(params, "frozen", False):
        return "Typer's RuntimeParam is not a frozen dataclass"  # a frozen subclass of it could not be made
    if set(getattr(base, "__abstractmethods__", ())) != {"_coerce_value"}:
        return "Typer's RuntimeParam has abstract methods other than _coerce_value"
    return None


@cache
def _light_class() -> Any:
    """A ``RuntimeParam`` of Typer's (its ``coerce`` keeps Typer's handling of None and lists)
    whose values come from a light reader, falling back to Typer's own for anything else."""
    import dataclasses

    from typer._coercion import RuntimeParam, build_runtime_param

    @dataclasses.dataclass(frozen=True)
    class LightRuntimeParam(RuntimeParam):
        read: Reader
        descriptor: Any

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return self.read(value)
            except Exception:  # Unsure, or the reader's own complaint: said in Typer's words as before
                own = build_runtime_param(self.descriptor)
                return own._coerce_value(value, param=param, ctx=ctx)

    return LightRuntimeParam


def light_runtime_param(descriptor: Any) -> Any:
    """Typer's ``build_runtime_param`` with a light reader where one fits, else Typer's own."""
    from typer._coercion import build_runtime_param

    read = None
    if getattr(descriptor, "file_annotation", None) is None:
        read = value_reader(descriptor.annotation, descriptor.parameter_info)
    if read is None:  # a path, a choice, a range, a date, a file: Typer's own coercion
        return build_runtime_param(descriptor)
    try:
        return _light_class()(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, read=read, descriptor=descriptor
        )
    except Exception:  # a Typer whose RuntimeParam cannot be extended this way: its own coercion, never a crash
        return build_runtime_param(descriptor)


def install() -> str | None:
    """Let every Typer parameter built from now on read its values with a light reader where one fits.

    Returns None, or why Typer was left alone (its internals are not the shape this knows).
    Typer's ``_TyperParameter.get_runtime_param`` builds a parameter's coercion, once, by calling
    ``build_runtime_param`` from ``typer.core``'s namespace: that name is pointed at
    ``light_runtime_param``. Installing twice changes nothing.
    """
    problem = shape_problem()
    if problem is not None:
        return problem
    from typer import core

    setattr(core, "build_runtime_param", light_runtime_param)  # noqa: B010  (a private name mypy cannot see)
    return None
