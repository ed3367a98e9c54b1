"""One specification: ``headrub validate`` (the loader) and ``headrub schema`` (with jsonschema) agree.

Documents are written as YAML text for the loader and, separately, as the data
an editor's YAML 1.2 reader makes of that text, for the JSON Schema validator.
The tricky plain scalars carry their YAML 1.2 meaning by hand (``Plain``), so
the loader's reading of them is tested too, not assumed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headrub import loader
from headrub.errors import Problem, RoutineFileError
from headrub.routine import parse_duration
from headrub.routine_spec import ROUTINE_FIELDS, SCHEMA_ID, STROKE_FIELDS, json_schema
from headrub.yamlnodes import Node, parse, resolve_core

PATH = "r.yaml"
VALIDATOR = jsonschema.Draft202012Validator(json_schema())
DRAFT7 = jsonschema.Draft7Validator(json_schema())  # the YAML language server's own validator knows draft 7
BUILTINS = sorted((Path(__file__).resolve().parents[1] / "routines").glob("*.y*ml"))


@dataclass(frozen=True)
class Plain:
    """A plain scalar as written, and what YAML 1.2 (the core schema) reads it as."""

    text: str
    meaning: Any


# Plain scalars whose reading differs between YAML 1.1 and 1.2, or that look like something else.
TRICKY = (
    Plain("yes", "yes"), Plain("no", "no"), Plain("on", "on"), Plain("off", "off"), Plain("Yes", "Yes"),
    Plain("y", "y"), Plain("true", True), Plain("False", False), Plain("~", None), Plain("null", None),
    Plain("0o17", 15), Plain("0x1E", 30), Plain("1e3", 1000.0), Plain("1_000", "1_000"), Plain("4:6", "4:6"),
    Plain("1:30", "1:30"), Plain("012", 12), Plain("+12", 12), Plain("-1", -1), Plain(".5", 0.5),
    Plain("1.", 1.0), Plain(".inf", math.inf), Plain("-.Inf", -math.inf), Plain("0b11", "0b11"),
    Plain("2026-11-20", "2026-11-20"), Plain("circles", "circles"), Plain("breathing", "breathing"),
    Plain("4-6", "4-6"), Plain("45s", "45s"), Plain("2h", "2h"), Plain("0s", "0s"), Plain("1m30s", "1m30s"),
    Plain("90", 90), Plain("30.0", 30.0), Plain("1", 1), Plain("2", 2), Plain("<<", "<<"), Plain("=", "="),
)


def meaning(value: Any) -> Any:
    """What an editor's YAML 1.2 reader sees."""
    if isinstance(value, Plain):
        return value.meaning
    if isinstance(value, dict):
        return {k: meaning(v) for k, v in value.items()}
    if isinstance(value, list):
        return [meaning(v) for v in value]
    return value


def scalar_text(value: Any) -> str:
    """One value as YAML text on a single line: plain for ``Plain``, JSON (a YAML 1.2 subset) otherwise."""
    if isinstance(value, Plain):
        return value.text
    return flow(value)


def flow(value: Any) -> str:
    """``value``'s meaning in flow style: JSON, with YAML's spelling of infinity."""
    value = meaning(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return json.dumps(value, ensure_ascii=False)


def render(doc: dict[str, Any]) -> str:
    """``doc`` as block YAML: top-level keys and strokes in block style, other values on one line."""
    lines: list[str] = []
    for key, value in doc.items():
        if key == "strokes" and isinstance(value, list) and value and all(isinstance(s, dict) and s for s in value):
            lines.append("strokes:")
            for stroke in value:
                for i, (k, v) in enumerate(stroke.items()):
                    lines.append(f"{'  - ' if i == 0 else '    '}{k}: {scalar_text(v)}")
        else:
            lines.append(f"{key}: {scalar_text(value)}")
    return "\n".join(lines) + "\n"


def loader_problems(text: str) -> list[Problem] | None:
    """None when the loader accepts ``text``, else its problems."""
    try:
        loader.load_text(text, PATH)
    except RoutineFileError as err:
        return err.problems
    return None


# The rules JSON Schema cannot state exactly; each one is said in the field's description.
def _text_duration_out_of_range(doc: Any, problem: Problem) -> bool:
    """A text duration whose total is outside 1 s to 1 h (e.g. "0.5s", "61m"): only headrub refuses it."""
    if not problem.message.endswith("out of range; a stroke lasts 1 s to 1 h"):
        return False
    index = int(problem.message.split("[", 1)[1].split("]", 1)[0])
    written = doc["strokes"][index]["duration"]
    return isinstance(written, str) and parse_duration(written) is not None


EXCEPTIONS = (_text_duration_out_of_range,)


def assert_same_verdict(doc: dict[str, Any], text: str | None = None) -> None:
    """The loader and the schema give the same verdict on ``doc``, or the difference is a listed exception."""
    text = render(doc) if text is None else text
    data = meaning(doc)
    by_schema = VALIDATOR.is_valid(data)
    assert DRAFT7.is_valid(data) == by_schema
    problems = loader_problems(text)
    if by_schema and problems:
        unexplained = [p for p in problems if not any(rule(data, p) for rule in EXCEPTIONS)]
        assert not unexplained, f"the schema accepts what headrub refuses:\n{text}{unexplained}"
        return
    if by_schema != (problems is None):
        errors = [e.message for e in VALIDATOR.iter_errors(data)]
        pytest.fail(f"headrub {'accepts' if problems is None else 'refuses'}:\n{text}{problems}\nthe schema: {errors}")


# --- the tricky values, fixed ------------------------------------------------------------------------------

STROKE = {"area": "crown", "duration": 30}


def with_stroke(**fields: Any) -> dict[str, Any]:
    return {"title": "t", "strokes": [{**STROKE, **fields}]}


TRICKY_CASES = [
    pytest.param(with_stroke(duration="90"), True, id="duration text 90"),
    pytest.param(with_stroke(duration=Plain("2h", "2h")), False, id="duration 2h"),
    pytest.param(with_stroke(duration=Plain("0s", "0s")), False, id="duration 0s"),
    pytest.param({"title": Plain("yes", "yes"), "strokes": [STROKE]}, True, id="title yes"),
    pytest.param({"title": "t", "strokes": [{"<<": {"area": "x"}, "duration": 3}]}, False, id="merge key"),
    pytest.param(with_stroke(duration=Plain("1e3", 1000.0)), True, id="duration 1e3"),
    pytest.param(with_stroke(tempo=Plain("0o17", 15)), True, id="tempo 0o17"),
    pytest.param(with_stroke(technique="breathing", breath=Plain("4:6", "4:6")), False, id="breath 4:6"),
    pytest.param({"title": "t", "quiet": Plain("on", "on"), "strokes": [STROKE]}, False, id="quiet on"),
    pytest.param(with_stroke(tempo=Plain("1_000", "1_000")), False, id="tempo 1_000"),
    pytest.param(with_stroke(duration=Plain("1:30", "1:30")), False, id="duration 1:30"),
    pytest.param({"title": Plain("2026-11-20", "2026-11-20"), "strokes": [STROKE]}, True, id="title a date"),
    pytest.param({"format": 2, "title": "t", "strokes": [STROKE]}, False, id="format 2"),
    pytest.param(with_stroke(tempo=Plain("012", 12)), True, id="tempo 012"),
    pytest.param({"format": Plain("1", 1), "title": "t", "strokes": [STROKE]}, True, id="format 1"),
    pytest.param(with_stroke(technique=" circles"), False, id="technique padded"),
    pytest.param(with_stroke(cue="  " + "c" * 280 + "  "), True, id="cue 280 padded"),
    pytest.param(with_stroke(say=" "), False, id="say blank"),
    pytest.param(with_stroke(technique="breathing", breath="30-1"), True, id="breath 30-1"),
    pytest.param(with_stroke(technique="breathing", breath="30.5-1"), False, id="breath 30.5-1"),
    pytest.param(with_stroke(breath="4-6"), False, id="breath without breathing"),
    pytest.param(with_stroke(duration=Plain("1h", "1h")), True, id="duration 1h"),
    pytest.param(with_stroke(duration="1h0m1s"), False, id="duration 1h0m1s"),
    pytest.param({"title": "t", "strokes": []}, False, id="no strokes"),
    pytest.param({"title": "t", "strokes": [STROKE] * 200}, True, id="200 strokes"),
    pytest.param({"title": "t", "strokes": [STROKE] * 201}, False, id="201 strokes"),
]


@pytest.mark.parametrize(("doc", "valid"), TRICKY_CASES)
def test_tricky_values_get_one_verdict(doc: dict[str, Any], valid: bool) -> None:
    """Each tricky value gets the same verdict from headrub validate and the schema, and it is the right one."""
    assert_same_verdict(doc)
    assert (loader_problems(render(doc)) is None) == valid


@pytest.mark.parametrize("written", ["61m", "0.5s", "0.5h31m"])
def test_the_listed_exception_text_duration_range(written: str) -> None:
    """The one rule beyond JSON Schema: the schema accepts these, headrub refuses them, and the description says so."""
    doc = with_stroke(duration=written)
    assert VALIDATOR.is_valid(meaning(doc))
    (problem,) = loader_problems(render(doc)) or []
    assert _text_duration_out_of_range(doc, problem)
    description = json_schema()["properties"]["strokes"]["items"]["properties"]["duration"]["description"]
    assert "headrub validate also refuses other text durations outside 1 s to 1 h" in description


def test_yaml_1_2_reading_of_plain_scalars() -> None:
    """Every tricky plain scalar reads as YAML 1.2's core schema says."""
    for plain in TRICKY:
        got = resolve_core(plain.text)
        assert type(got) is type(plain.meaning) and got == plain.meaning, plain


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("quiet: yes", "YAML 1.2 reads yes as text (older YAML read it as true): write true"),
        ("quiet: off", "write false"),
    ],
)
def test_older_yaml_booleans_are_named(line: str, fragment: str) -> None:
    """A YAML 1.1 boolean where true/false is expected says what it now is and what to write."""
    (problem,) = loader_problems(f"title: t\n{line}\nstrokes: [{{area: x, duration: 3}}]\n") or []
    assert problem.message.startswith("quiet: expected true or false, found the text")
    assert fragment in problem.message


def test_breath_written_with_a_colon_says_how_to_write_it() -> None:
    """``breath: 4:6`` (the number 246 to older YAML) asks for "4-6"."""
    (problem,) = loader_problems("title: t\nstrokes:\n  - {area: x, duration: 3, technique: breathing, breath: 4:6}\n") or []
    assert problem.message == "strokes[0].breath: '4:6' is not a breathing pace; write the breath as \"4-6\" (seconds in, seconds out)"


@pytest.mark.parametrize(("value", "number"), [("1_000", "1000"), ("1:30", "90")])
def test_older_yaml_numbers_are_named(value: str, number: str) -> None:
    """A value older YAML read as a number says so where a number is expected."""
    (problem,) = loader_problems(f"title: t\nstrokes:\n  - area: x\n    duration: {value}\n") or []
    assert f"older YAML read it as the number {number}: write {number}" in problem.message


@pytest.mark.parametrize(("value", "found"), [("0o17", "15"), ("1e3", "1000"), ("0x1F", "31")])
def test_yaml_1_2_numbers_in_text_fields_say_how_they_were_written(value: str, found: str) -> None:
    """``title: 0o17`` is the number 15 to YAML 1.2; the message shows both and says to quote it."""
    (problem,) = loader_problems(f"title: {value}\nstrokes: [{{area: x, duration: 3}}]\n") or []
    assert problem.message == f"title: expected text, found the number {found} (written {value}; quote it to mean text)"


def test_format_newer_than_this_headrub_names_what_it_reads() -> None:
    """A higher format version is one clear line naming the format this headrub reads."""
    (problem,) = loader_problems("format: 2\ntitle: t\nstrokes: [{area: x, duration: 3}]\n") or []
    assert problem.message.startswith("format: format 2 is newer than this headrub reads (it reads format 1")
    assert "upgrade headrub" in problem.message


def test_merge_key_says_yaml_1_2_has_none() -> None:
    """A ``<<`` key is an ordinary, unknown key, and the message says why."""
    found = loader_problems("title: t\nstrokes:\n  - <<: {area: x}\n    duration: 3\n") or []
    assert found[0].message == (
        "strokes[0]: unknown key '<<' (YAML 1.2 has no merge keys: write the keys out, "
        "or repeat a value with an alias such as *name)"
    )


def as_data(node: Node | None) -> Any:
    """A located tree as plain data, the way a YAML 1.2 reader hands it to a JSON Schema validator."""
    if node is None:
        return None
    if node.kind == "map":
        return {as_data(k): as_data(v) for k, v in node.pairs}
    if node.kind == "seq":
        return [as_data(i) for i in node.items]
    return node.value


@pytest.mark.parametrize("path", BUILTINS, ids=[p.stem for p in BUILTINS])
def test_every_builtin_validates_with_both(path: Path) -> None:
    """Each built-in routine loads, and its YAML 1.2 reading is valid under the schema."""
    text = path.read_text(encoding="utf-8")
    assert loader_problems(text) is None
    errors = [e.message for e in VALIDATOR.iter_errors(as_data(parse(text, yaml12=True)))]
    assert errors == []


# --- the schema is the specification -----------------------------------------------------------------------


def test_every_field_is_in_the_schema_with_a_description() -> None:
    """Each field of the specification is a property of the schema, described for editors' hover text."""
    schema = json_schema()
    stroke = schema["properties"]["strokes"]["items"]
    for fields, properties in ((ROUTINE_FIELDS, schema["properties"]), (STROKE_FIELDS, stroke["properties"])):
        assert list(properties) == [f.key for f in fields]
        assert all(properties[f.key]["description"] for f in fields)
    assert "only headrub validate" not in schema["properties"]["title"]["description"]
    assert "headrub validate also refuses" in stroke["properties"]["duration"]["description"]
    assert schema["$id"] == SCHEMA_ID and SCHEMA_ID.startswith("https://") and "format-1" in SCHEMA_ID


# --- generated documents -----------------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs", "S")), max_size=12)
_WORDS = st.text(alphabet=st.characters(categories=("L", "N", "P", "Zs", "S")), min_size=1, max_size=12)  # mostly valid
_NUMBER = st.one_of(st.integers(0, 99).map(str), st.tuples(st.integers(0, 99), st.integers(0, 9)).map(lambda t: f"{t[0]}.{t[1]}"))
_SPACE = st.sampled_from(["", " "])
_TEXT_DURATION = st.one_of(
    st.tuples(
        st.one_of(st.just(""), st.tuples(st.sampled_from(["0", "1", "1.0", "0.5", "2", "0"]), _SPACE).map(lambda t: f"{t[0]}{t[1]}h")),
        st.one_of(st.just(""), st.tuples(_NUMBER, _SPACE).map(lambda t: f"{t[0]}{t[1]}m")),
        st.one_of(st.just(""), st.tuples(_NUMBER, _SPACE).map(lambda t: f"{t[0]}{t[1]}s")),
        _SPACE,
    ).map(lambda t: f"{t[3]}{t[0]}{t[1]}{t[2]}{t[3]}"),
    _NUMBER,
    st.sampled_from(["1m30", "m", "1s2m", "1 h", "٤٥s", "1,5s", "-3s", "+3s"]),
)
_ANY = st.one_of(
    st.sampled_from(TRICKY),
    _TEXT,
    st.integers(-10, 5000),
    st.floats(-10, 5000, allow_nan=False),
    st.booleans(),
    st.none(),
    st.lists(st.one_of(_TEXT, st.integers()), max_size=2),
    st.dictionaries(st.sampled_from(["area", "a"]), _TEXT, max_size=1),
)
_STROKE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "area": st.one_of(_WORDS, st.just("crown")),
    "technique": st.sampled_from([*STROKE_FIELDS[1].choices, "circle", "Circles"]),
    "pressure": st.sampled_from(["light", "medium", "firm", "hard"]),
    "duration": st.one_of(st.integers(0, 4000), st.floats(0, 4000, allow_nan=False), _TEXT_DURATION),
    "tempo": st.one_of(st.integers(-1, 250), st.floats(0, 250, allow_nan=False)),
    "side": st.sampled_from(["left", "right", "both", "each", "top"]),
    "cue": st.one_of(_TEXT, st.integers(270, 290).map(lambda n: " " + "c" * n + " ")),
    "say": st.one_of(_TEXT, st.integers(195, 205).map(lambda n: "s" * n)),
    "breath": st.tuples(_NUMBER, _SPACE, _NUMBER).map(lambda t: f"{t[0]}{t[1]}-{t[1]}{t[2]}"),
}
_ROUTINE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "format": st.sampled_from([1, 1.0, 0, 2, "1"]),
    "title": st.one_of(_WORDS, st.just("Evening")),
    "summary": _TEXT,
    "tags": st.lists(_WORDS, max_size=3),
    "cautions": st.lists(_WORDS, max_size=2),
    "quiet": st.booleans(),
}


@st.composite
def _stroke(draw: st.DrawFn) -> dict[str, Any]:
    stroke = {"area": draw(_STROKE_VALUES["area"]), "duration": draw(_STROKE_VALUES["duration"])}
    for key in draw(st.lists(st.sampled_from([k for k in _STROKE_VALUES if k not in stroke]), max_size=4, unique=True)):
        stroke[key] = draw(_STROKE_VALUES[key])
    if "breath" in stroke and draw(st.booleans()):
        stroke["technique"] = "breathing"
    return stroke


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A routine document, often valid, often with one or more things wrong."""
    doc: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(list(_ROUTINE_VALUES)), max_size=4, unique=True)):
        doc[key] = draw(_ROUTINE_VALUES[key])
    doc["title"] = draw(_ROUTINE_VALUES["title"])
    doc["strokes"] = draw(st.lists(_stroke(), min_size=1, max_size=3))
    for _ in range(draw(st.sampled_from([0, 0, 1, 2]))):  # mutations: none in about half the documents
        kind = draw(st.sampled_from(["value", "drop", "unknown", "strokes"]))
        strokes = [s for s in doc.get("strokes", ()) if isinstance(s, dict)] if isinstance(doc.get("strokes"), list) else []
        target = draw(st.sampled_from([doc, *strokes]))
        if kind == "value" and target:
            target[draw(st.sampled_from(sorted(target)))] = draw(_ANY)
        elif kind == "drop" and target:
            del target[draw(st.sampled_from(sorted(target)))]
        elif kind == "unknown":
            target[draw(st.sampled_from(["titel", "duraton", "<<", "speed", "Title"]))] = draw(_ANY)
        elif kind == "strokes":
            doc["strokes"] = draw(st.sampled_from([[], "none", [[]], [1]]))
    return doc


@settings(max_examples=300, deadline=None)
@given(documents())
def test_validate_and_the_schema_agree_on_generated_documents(doc: dict[str, Any]) -> None:
    """headrub's loader and jsonschema over headrub schema give every generated document one verdict."""
    assert_same_verdict(doc)
