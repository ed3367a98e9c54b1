"""The routine format, written once.

Every key of a routine file is one ``Field`` here: its kind, limits and
description. The located checker (``loader``) checks a file field by field
from these, and ``json_schema()`` (``headrub schema``) is generated from the
same fields, so adding a field means adding one line below. Where JSON Schema
cannot say a rule exactly, the field's ``caveat`` says so in its description.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from headrub.routine import (
    FORMAT_VERSION,
    MAX_BREATH_S,
    MAX_CUE_CHARS,
    MAX_DURATION_S,
    MAX_SAY_CHARS,
    MAX_STROKES,
    MAX_TEMPO,
    MIN_BREATH_S,
    MIN_DURATION_S,
    MIN_TEMPO,
    PRESSURES,
    SIDES,
    TECHNIQUES,
)

# Where the schema says it is: a URL-shaped identifier naming the format version (it need not be fetched;
# ``headrub schema --output`` writes the same document to a file that editors read).
SCHEMA_ID = f"https://headrub.github.io/schema/routine-format-{FORMAT_VERSION}.json"

KINDS = ("text", "texts", "choice", "duration", "whole", "breath", "flag", "version", "strokes")


@dataclass(frozen=True)
class Field:
    """One key of a routine file (or of a stroke) and the values it takes."""

    key: str
    kind: str  # one of KINDS
    description: str
    required: bool = False
    empty_ok: bool = False  # text that may be empty (stripped)
    limit: int | None = None  # the most characters of text (stripped)
    choices: tuple[str, ...] = ()
    low: float = 0.0
    high: float = 0.0
    only_with: tuple[str, str] | None = None  # (key, value) the field needs beside it in the same mapping
    caveat: str = ""  # what the JSON Schema cannot check exactly; headrub validate does
    label: str = ""  # the value's name in a message ("a breathing pace")


STROKE_FIELDS: tuple[Field, ...] = (
    Field("area", "text", "Where the hands go, e.g. temples, base of the skull.", required=True),
    Field("technique", "choice", "What the hands do.", choices=TECHNIQUES),
    Field("pressure", "choice", "How firmly.", choices=PRESSURES),
    Field(
        "duration", "duration",
        'How long the stroke lasts (per side with side: each): seconds as a number (1 to 3600), '
        'or text such as "45s", "2m", "1m30s", "1h".',
        required=True, low=MIN_DURATION_S, high=MAX_DURATION_S,
        caveat="The schema refuses a text duration of 0 or of more than one hour written in hours; "
        "headrub validate also refuses other text durations outside 1 s to 1 h (such as \"0.5s\" or \"61m\").",
    ),
    Field("tempo", "whole", "Strokes a minute, drawn as a pulse.", low=MIN_TEMPO, high=MAX_TEMPO),
    Field("side", "choice", "left, right, both, or each (once per side, left then right; duration per side).",
          choices=SIDES),
    Field("cue", "text", "The instruction shown during the stroke.", empty_ok=True, limit=MAX_CUE_CHARS),
    Field("say", "text", "The instruction spoken as the stroke starts, written for the ear (about 20 words).",
          limit=MAX_SAY_CHARS),
    Field(
        "breath", "breath",
        'Breathing pace for a breathing stroke: seconds in, seconds out, each 1 to 30, e.g. "4-6" (default "5-5").',
        low=MIN_BREATH_S, high=MAX_BREATH_S, only_with=("technique", "breathing"), label="breathing pace",
    ),
)

ROUTINE_FIELDS: tuple[Field, ...] = (  # title first: "keys are words such as 'title'", "expected one of: title, …"
    Field("title", "text", "The routine's display name.", required=True),
    Field("summary", "text", "A sentence or two on what the routine is for.", empty_ok=True),
    Field("tags", "texts", "Words for grouping routines (sleep, neck, quick)."),
    Field("cautions", "texts", "Shown before the session starts, to confirm."),
    Field("strokes", "strokes", f"The steps, in order: 1 to {MAX_STROKES}.", required=True, low=1, high=MAX_STROKES),
    Field("quiet", "flag", "A sleep routine: no halfway or ten-seconds speech, a fading end, no questions after."),
    Field("format", "version", f"The routine format version (optional; this headrub reads format {FORMAT_VERSION}).",
          low=1, high=FORMAT_VERSION),
)

ROUTINE_KEYS = tuple(f.key for f in ROUTINE_FIELDS)
STROKE_KEYS = tuple(f.key for f in STROKE_FIELDS)

# Text as the checker reads it: surrounding white space does not count. The patterns say the same.
_NUMBER = r"[0-9]+(\.[0-9]+)?"
# A text duration: hours, minutes, seconds in that order, or bare seconds. Not zero; in hours, exactly
# one hour, or less than one followed by minutes and seconds.
_DURATION_PATTERN = (
    r"^(?=[^1-9]*[1-9])\s*("
    r"0*1(\.0+)?\s*h(\s*0+(\.0+)?\s*m)?(\s*0+(\.0+)?\s*s)?"
    rf"|(0+(\.[0-9]+)?\s*h)?(\s*{_NUMBER}\s*m)?(\s*{_NUMBER}\s*s)?"
    rf"|{_NUMBER}"
    r")\s*$"
)
# One half of a breath, 1 to 30 seconds exactly: 1..29 with any fraction, or 30 itself.
_BREATH_HALF = r"0*([1-9]|[12][0-9])(\.[0-9]+)?|0*30(\.0+)?"
_BREATH_PATTERN = rf"^\s*({_BREATH_HALF})\s*-\s*({_BREATH_HALF})\s*$"


# Editors built on the VS Code JSON language service (the YAML language server among them) show this
# instead of the raw pattern; other validators ignore the keyword.
_PATTERN_MESSAGE = "patternErrorMessage"
_DURATION_MESSAGE = 'Seconds (90), or text in the order h, m, s such as "45s", "2m", "1m30s", "1h"; 1 s to 1 h.'


def _text_pattern(field: Field) -> str | None:
    if field.limit is None:
        return None if field.empty_ok else r"\S"
    if field.empty_ok:
        return rf"^\s*[\s\S]{{0,{field.limit}}}\s*$"
    return rf"^\s*\S[\s\S]{{0,{field.limit - 1}}}\s*$"


def _text_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    pattern = _text_pattern(field)
    if pattern:
        schema["pattern"] = pattern
        words = [] if field.empty_ok else ["not empty"]
        words += [] if field.limit is None else [f"at most {field.limit} characters"]
        schema[_PATTERN_MESSAGE] = f"Text, {' and '.join(words)}."
    return schema


def field_schema(field: Field) -> dict[str, Any]:
    """The JSON Schema of one field's value."""
    kind = field.kind
    schema: dict[str, Any]
    if kind == "text":
        schema = _text_schema(field)
    elif kind == "texts":
        schema = {"type": "array", "items": _text_schema(field)}
    elif kind == "choice":
        schema = {"enum": list(field.choices)}
    elif kind == "duration":
        schema = {
            "anyOf": [  # text first: an editor reports the text's mistake, not "expected a number"
                {"type": "string", "pattern": _DURATION_PATTERN, _PATTERN_MESSAGE: _DURATION_MESSAGE},
                {"type": "number", "minimum": field.low, "maximum": field.high},
            ]
        }
    elif kind == "whole":
        schema = {"type": "integer", "minimum": field.low, "maximum": field.high}
    elif kind == "breath":
        schema = {"type": "string", "pattern": _BREATH_PATTERN,
                  _PATTERN_MESSAGE: 'Seconds in and out, each 1 to 30, written with a hyphen: "4-6".'}
    elif kind == "flag":
        schema = {"type": "boolean"}
    elif kind == "version":
        schema = {"type": "integer", "minimum": field.low, "maximum": field.high}
    elif kind == "strokes":
        schema = {
            "type": "array",
            "minItems": int(field.low),
            "maxItems": int(field.high),
            "items": _object_schema(STROKE_FIELDS),
        }
    else:  # pragma: no cover - a new kind must be described here and in the checker
        raise ValueError(f"unknown field kind {kind!r}")
    schema["description"] = f"{field.description} {field.caveat}".strip()
    return schema


def _object_schema(fields: tuple[Field, ...]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": [f.key for f in fields if f.required],
        "properties": {f.key: field_schema(f) for f in fields},
    }
    rules = [
        {
            "if": {"required": [f.key]},
            "then": {"required": [f.only_with[0]], "properties": {f.only_with[0]: {"const": f.only_with[1]}}},
        }
        for f in fields
        if f.only_with
    ]
    if rules:
        schema["allOf"] = rules
    return schema


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the routine format: ``headrub schema``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"headrub routine (format {FORMAT_VERSION})",
        "description": "A headrub routine file. Read as YAML 1.2 (yes and on are text). "
        "Check it with: headrub validate FILE.",
        **_object_schema(ROUTINE_FIELDS),
    }
