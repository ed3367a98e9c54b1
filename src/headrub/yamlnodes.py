"""Safe YAML to located values: every value keeps the line and column it came from.

The tree is built from libyaml's event stream by a loop, not by recursion, so
depth, alias expansion and tags are all checked here, before anything is
constructed: no file content can crash the loader or make it run away.

Routine files are read by the YAML 1.2 core schema, as editors read them
(``yes`` and ``on`` are text, ``0o17`` is 15, ``1e3`` is 1000.0, ``4:6`` is
text, ``<<`` is an ordinary key, no dates): the resolver is ``resolve_core``.
The config file keeps YAML 1.1 (PyYAML's resolver), where ``yes``/``no`` and
``on``/``off`` are booleans, as docs/config.md promises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from headrub.errors import Problem

MAX_DEPTH = 64
MAX_NODES = 50_000  # counted with aliases expanded: a "billion laughs" stops here

_YAML = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null")} | {"!"}
_COLLECTION_TAGS = {"map": {_YAML + "map", "!"}, "seq": {_YAML + "seq", "!"}}  # a tag must fit its node

try:  # the C parser when PyYAML was built with libyaml (it usually is)
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Loader = yaml.SafeLoader


@dataclass
class Node:
    """A located YAML value. ``kind`` is ``scalar``, ``map`` or ``seq``."""

    kind: str
    line: int
    column: int
    value: Any = None  # the constructed scalar
    items: list[Node] = field(default_factory=list)  # a sequence's items
    pairs: list[tuple[Node, Node]] = field(default_factory=list)  # a mapping's (key, value) pairs
    size: int = 1  # nodes below and including this one, aliases expanded
    plain: str | None = None  # a plain (unquoted, untagged) scalar's text as written


class YamlProblem(Exception):
    """The document cannot be turned into located values; carries the located problem."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message

    def problem(self, path: str) -> Problem:
        """This problem in ``path``."""
        return Problem(path, self.line, self.column, self.message)


def quoted(text: str, limit: int = 40) -> str:
    """``text`` quoted for a one-line message: repr escapes control and bidi characters; long text is cut."""
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def printable(text: str, limit: int = 80) -> str:
    """``text`` for a message without quotes, its non-printable characters escaped (a tag may spell ESC as %1B)."""
    cut = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return cut + ("…" if len(text) > limit else "")


def _position(mark: Any) -> tuple[int, int]:
    if mark is None:
        return 1, 1
    return int(mark.line) + 1, int(mark.column) + 1


class _Builder:
    """Turns events into ``Node`` trees, enforcing the limits."""

    def __init__(self, *, yaml12: bool = False) -> None:
        self.yaml12 = yaml12
        self.stack: list[tuple[Node, list[Node | None]]] = []  # (container, [pending map key])
        self.anchors: dict[str, Node] = {}
        self.total = 0
        self.root: Node | None = None
        self.documents = 0
        self._resolver = yaml.resolver.Resolver()
        self._constructor = yaml.constructor.SafeConstructor()

    def feed(self, event: yaml.Event) -> None:
        line, column = _position(event.start_mark)
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise YamlProblem(line, column, "a routine file holds one YAML document; found a second")
        elif isinstance(event, yaml.ScalarEvent):
            self._add(self._scalar(event, line, column), event.anchor)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            kind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
            self._check_tag(event.tag, line, column, _COLLECTION_TAGS[kind])
            if len(self.stack) >= MAX_DEPTH:
                raise YamlProblem(line, column, f"nested more than {MAX_DEPTH} levels deep")
            self.stack.append((Node(kind, line, column), [None]))
            if event.anchor:
                self.anchors[event.anchor] = self.stack[-1][0]
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            node, _ = self.stack.pop()
            node.size = 1 + sum(i.size for i in node.items) + sum(k.size + v.size for k, v in node.pairs)
            self._add(node, None, counted=True)
        elif isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor or "")
            if target is None or any(target is n for n, _ in self.stack):
                raise YamlProblem(line, column, f"alias *{printable(event.anchor or '')} refers to no finished anchor")
            self._add(target, None)

    def _check_tag(self, tag: str | None, line: int, column: int, allowed: set[str] = _ALLOWED_TAGS) -> None:
        if tag is not None and tag not in allowed:
            raise YamlProblem(line, column, f"the tag {printable(tag)} is not allowed (routines are plain YAML)")

    def _scalar(self, event: yaml.ScalarEvent, line: int, column: int) -> Node:
        tag = event.tag
        self._check_tag(tag, line, column)
        if self.yaml12:
            try:
                if tag is None and event.implicit[0]:  # plain: resolved by the core schema
                    return Node("scalar", line, column, value=resolve_core(event.value), plain=event.value)
                return Node("scalar", line, column, value=construct_core(tag, event.value))
            except ValueError as err:
                name = (tag or "").rsplit(":", 1)[-1] or "int"
                raise YamlProblem(line, column, f"cannot read {event.value[:40]!r} as {name}") from err
        if tag is None or tag == "!":
            implicit = (event.implicit[0], event.implicit[1]) if tag is None else (False, False)
            tag = self._resolver.resolve(yaml.ScalarNode, event.value, implicit)  # type: ignore[no-untyped-call]
        if tag in (_YAML + "timestamp", _YAML + "binary", _YAML + "merge", _YAML + "value", _YAML + "yaml"):
            return Node("scalar", line, column, value=event.value)  # kept as the text written
        try:
            value = self._constructor.construct_object(yaml.ScalarNode(tag, event.value))
        except Exception as err:  # a malformed int or float under an explicit tag
            raise YamlProblem(line, column, f"cannot read {event.value[:40]!r} as {tag.rsplit(':', 1)[-1]}") from err
        return Node("scalar", line, column, value=value)

    def _add(self, node: Node, anchor: str | None, *, counted: bool = False) -> None:
        if anchor:
            self.anchors[anchor] = node
        self.total += 1 if counted else node.size
        if self.total > MAX_NODES:
            raise YamlProblem(node.line, node.column, f"the document expands to more than {MAX_NODES} values (alias bomb?)")
        if not self.stack:
            self.root = node
            return
        parent, pending = self.stack[-1]
        if parent.kind == "seq":
            parent.items.append(node)
        elif pending[0] is None:
            pending[0] = node
        else:
            parent.pairs.append((pending[0], node))
            pending[0] = None


def parse(text: str, *, yaml12: bool = False) -> Node | None:
    """``text`` as a located tree (None for an empty document); raises ``YamlProblem``.

    ``yaml12`` reads it by the YAML 1.2 core schema (routine files); otherwise by YAML 1.1.
    """
    builder = _Builder(yaml12=yaml12)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as err:
        line, column = _position(err.problem_mark or err.context_mark)
        message = " ".join(str(p) for p in (err.context, err.problem) if p) or "YAML syntax error"
        raise YamlProblem(line, column, f"YAML syntax error: {message}") from err
    except yaml.YAMLError as err:
        line, column = _locate_bad_character(text)
        raise YamlProblem(line, column, f"YAML error: {str(err).splitlines()[0] if str(err) else 'unreadable'}") from err
    except UnicodeError as err:  # a lone surrogate in text handed to libyaml, which wants UTF-8
        line, column = _locate_bad_character(text)
        raise YamlProblem(line, column, "YAML error: a character that is not valid Unicode text") from err
    root = builder.root
    if root is not None and root.kind == "scalar" and root.value is None:
        return None
    return root


# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1023-core-schema), tag resolution of plain scalars.
_CORE_NULL = frozenset(("", "~", "null", "Null", "NULL"))
_CORE_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_CORE_INT = re.compile(r"[-+]?[0-9]+", re.ASCII)
_CORE_OCT = re.compile(r"0o[0-7]+", re.ASCII)
_CORE_HEX = re.compile(r"0x[0-9a-fA-F]+", re.ASCII)
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", re.ASCII)
_CORE_INF = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"}
_CORE_NAN = frozenset((".nan", ".NaN", ".NAN"))
_NUMBER_START = frozenset("0123456789+-.")


def resolve_core(text: str) -> Any:
    """A plain scalar's value by the YAML 1.2 core schema: null, bool, int, float, or the text itself.

    Raises ``ValueError`` only for an integer too long to convert (Python refuses past 4300 digits).
    """
    if not text or text[0] not in _NUMBER_START:
        if text in _CORE_NULL:
            return None
        return _CORE_BOOL.get(text, text)
    if _CORE_INT.fullmatch(text):
        return int(text)
    if _CORE_OCT.fullmatch(text):
        return int(text[2:], 8)
    if _CORE_HEX.fullmatch(text):
        return int(text[2:], 16)
    if _CORE_FLOAT.fullmatch(text):
        return float(text)
    if text in _CORE_INF:
        return float("-inf") if text[0] == "-" else float("inf")
    if text in _CORE_NAN:
        return float("nan")
    return text


def construct_core(tag: str | None, text: str) -> Any:
    """A quoted or explicitly tagged scalar by the core schema; raises ``ValueError`` when ``text`` does not fit."""
    if tag in (None, "!", _YAML + "str"):
        return text
    value = resolve_core(text)
    kind = tag.rsplit(":", 1)[-1] if tag else "str"
    if kind == "null" and value is None and text in _CORE_NULL:
        return None
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value) if isinstance(value, float) or value.bit_length() < 1024 else float("inf")
    raise ValueError(text)


def yaml11_reading(node: Node) -> Any:
    """What a YAML 1.1 reader (PyYAML, older tools) made of a plain scalar, when it differs; else ``None``.

    ``yes`` was true, ``4:6`` the number 246, ``1_000`` a thousand: the checker names the
    difference when a field expected that other type.
    """
    if node.plain is None:
        return None
    tag = yaml.resolver.Resolver().resolve(yaml.ScalarNode, node.plain, (True, False))  # type: ignore[no-untyped-call]
    if tag not in (_YAML + "bool", _YAML + "int", _YAML + "float"):
        return None
    try:
        value = yaml.constructor.SafeConstructor().construct_object(yaml.ScalarNode(tag, node.plain))
    except Exception:  # a 1.1 form PyYAML itself cannot construct
        return None
    if type(value) is type(node.value) and (value == node.value or value != value):
        return None
    return value


_BAD_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


def _locate_bad_character(text: str) -> tuple[int, int]:
    """Where the first character YAML refuses stands (libyaml's reader does not say)."""
    match = _BAD_CHARACTER.search(text)
    if match is None:
        return 1, 1
    start = match.start()
    return text.count("\n", 0, start) + 1, start - (text.rfind("\n", 0, start) + 1) + 1


def decode(data: bytes) -> str:
    """File bytes as text: UTF-8 (a BOM is dropped) or UTF-16/32 with a BOM; raises ``YamlProblem``."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        encoding = "utf-16"
        if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # UTF-32's BOMs, LE and BE
            encoding = "utf-32"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as err:
            raise YamlProblem(1, 1, f"not valid {encoding.upper()}: {err.reason}") from err
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        start = err.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise YamlProblem(line, column, f"not valid UTF-8 (byte 0x{data[start]:02x}); save the file as UTF-8") from err
