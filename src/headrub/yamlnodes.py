"""Safe YAML to located values: every value keeps the line and column it came from.

The tree is built from libyaml's event stream by a loop, not by recursion, so
depth, alias expansion and tags are all checked here, before anything is
constructed: no file content can crash the loader or make it run away.
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

    def __init__(self) -> None:
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


def parse(text: str) -> Node | None:
    """``text`` as a located tree (None for an empty document); raises ``YamlProblem``."""
    builder = _Builder()
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
