"""``journal --csv``: each entry as a row, RFC 4180, whatever the text in it.

A cell is the text as it is, never a formula (``text.safe_cell``), quoted where it must be; on a
terminal, without controls. Rows are made a column at a time (``_csv_rows``), from the entries or
from the columns ``journal.blocks`` already read (``CsvShape.of_columns``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, partial
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from headrub.text import FORMULA_STARTS

if TYPE_CHECKING:
    import re

    from headrub.journal import Entry
    from headrub.journal.usual import UsualChunk

CSV_FIELDS = (
    "id",
    "routine",
    "title",
    "started_at",
    "ended_at",
    "planned_s",
    "active_s",
    "completed",
    "strokes_done",
    "strokes_total",
    "strokes_skipped",
    "tension_before",
    "tension_after",
    "note",
    "source",
    "logged_at",
)


class CsvShape:
    """Each entry as its CSV row, without the line break (``_csv_text``); off a terminal, also the
    rows of entries given a field at a time (``of_columns``: ``blocks.Parsed.columns``) and of
    usual records (``of_usual``: ``journal.usual``), those in UTF-8."""

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self.of_columns: Callable[[dict[str, Sequence[Any]]], list[str]] | None = None
        self.of_usual: Callable[[UsualChunk, list[int] | None], list[bytes] | None] | None = None
        if not terminal:
            self.of_columns = lambda columns: _csv_rows(columns.__getitem__)
            self.of_usual = _usual_rows

    def __call__(self, entries: list[Entry]) -> list[str]:
        if self.terminal:
            return [_csv_text([entry], True, header=False)[:-2] for entry in entries]
        return _csv_rows_of(entries)


def _csv_value(value: Any, terminal: bool = False) -> str:
    """One cell: text as it is but never a formula (``text.safe_cell``); on a terminal, no controls."""
    import json

    from headrub.text import safe_cell, sanitize

    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return safe_cell(sanitize(text, keep_newlines=True) if terminal else text)


def _csv_cell_rows(entries: Iterable[Entry], terminal: bool = False) -> Iterator[list[Any]]:
    """The header, then one row an entry.

    Text, whole numbers, floats and None go to the csv writer as they are (it writes None as an
    empty cell and a number as ``str`` does); only what it would write differently (true and
    false, text that starts like a formula, anything on a terminal) goes through ``_csv_value``.
    """
    from headrub.text import FORMULA_STARTS

    yield list(CSV_FIELDS)
    fields = CSV_FIELDS
    for entry in entries:
        row: list[Any] = list(map(entry.get, fields))
        for i, value in enumerate(row):
            kind = type(value)
            if kind is str:
                if terminal or value.startswith(FORMULA_STARTS):
                    row[i] = _csv_value(value, terminal)
            elif not (kind is int or kind is float or value is None):
                row[i] = _csv_value(value, terminal)
        yield row


def _csv_text(entries: list[Entry], terminal: bool = False, *, header: bool = True) -> str:
    """A header and one row an entry (RFC 4180: CRLF, fields quoted where needed)."""
    import csv
    import io

    if not terminal:
        text = _csv_block(entries)
        return ",".join(CSV_FIELDS) + "\r\n" + text if header else text
    buffer = io.StringIO()
    rows = _csv_cell_rows(entries, terminal)
    if not header:
        next(rows)
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


_NONE = type(None)
_TEXT, _NUMBERS, _WHOLE = frozenset({str, _NONE}), frozenset({int, float, _NONE}), frozenset({int, _NONE})
_SMALL: dict[Any, str] = {None: "", **{number: str(number) for number in range(1000)}}  # (ints alone: 1.0 == 1)


def _csv_block(entries: list[Entry]) -> str:
    """``_csv_rows_of`` as text, each row ending with a line break."""
    return "\r\n".join(_csv_rows_of(entries)) + "\r\n" if entries else ""


def _csv_rows_of(entries: list[Entry]) -> list[str]:
    """The rows of ``entries`` as ``csv.writer`` writes ``_csv_value`` of each cell, not on a terminal."""
    return _csv_rows(partial(_column, entries)) if entries else []


def _csv_rows(column_of: Callable[[str], Sequence[Any]]) -> list[str]:
    """The rows whose fields ``column_of`` gives a field at a time, not on a terminal.

    Made a column at a time: a column of one kind (text, numbers, true/false, the usual case) is
    turned into cells in one go, and only a column holding a formula, a character that needs
    quoting or anything else takes the cell-by-cell way.
    """
    columns: list[Sequence[str]] = []
    for column in map(column_of, CSV_FIELDS):
        kinds = set(map(type, column))
        if kinds <= _TEXT:
            if _NONE in kinds:
                column = ["" if value is None else value for value in column]
            columns.append(_csv_texts(column))
        elif kinds <= _WHOLE:
            cells: list[Any] = list(map(_SMALL.get, column))  # small counts and ratings, and None, as cells
            columns.append(cells if None not in cells else ["" if value is None else str(value) for value in column])
        elif kinds <= _NUMBERS:
            columns.append(["" if value is None else str(value) for value in column] if _NONE in kinds else list(map(str, column)))
        elif kinds == {bool}:
            columns.append(["true" if value else "false" for value in column])
        else:  # each cell as ``_csv_value`` makes it (formulas already made inert), then quoted
            columns.append(_csv_texts([_csv_value(value) for value in column], formulas=False))
    return list(map(",".join, zip(*columns, strict=True)))


def _column(entries: list[Entry], name: str) -> list[Any]:
    """The field ``name`` of each entry (None where it has none)."""
    try:
        return list(map(_getter(name), entries))
    except KeyError:
        return list(map(dict.get, entries, repeat(name)))


@cache
def _getter(name: str) -> Any:
    from operator import itemgetter

    return itemgetter(name)


def _csv_texts(cells: Sequence[str], *, formulas: bool = True) -> Sequence[str]:
    """Text cells as ``csv.writer`` writes ``text.safe_cell`` of each (of each as it is, without
    ``formulas``): a formula made inert, and a cell quoted (its quotes doubled) when it holds a
    comma, a quote or a line break."""
    from headrub.text import safe_cell

    joined = "\n" + "\n".join(cells)  # a newline before each cell
    if formulas and _formula_cell().search(joined) is not None:
        cells = list(map(safe_cell, cells))
        joined = "\n" + "\n".join(cells)
    if "," in joined or '"' in joined or "\r" in joined or joined.count("\n") != len(cells):
        cells = list(map(_quoted, cells))
    return cells


@cache
def _formula_cell() -> re.Pattern[str]:
    """A cell that starts like a formula, after the newline put before each cell."""
    import re

    from headrub.text import FORMULA_STARTS

    return re.compile("\n[" + re.escape("".join(FORMULA_STARTS)) + "]")


def _quoted(cell: str) -> str:
    if "," in cell or '"' in cell or "\r" in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _usual_rows(usual: UsualChunk, keep: list[int] | None) -> list[bytes] | None:
    """The rows of the usual records (those at ``keep``, if given) in UTF-8, as ``_csv_rows_of``
    makes them; None when orjson does not write their cells as the CSV has them.

    Each record's cells are written by orjson as a JSON array: with no backslash in it (no text
    that needs escaping, nor quoting in a CSV cell) and no float orjson spells otherwise than
    ``str``, an array is its row once its nulls are made empty and its quotes taken out. A row
    whose text holds a comma (to be quoted) or starts like a formula is made the ordinary way.
    """
    from orjson import JSONEncodeError, dumps

    from headrub.journal.usual import no_small_float

    records = usual.records if keep is None else [usual.records[i] for i in keep]
    if not records:
        return []
    if not no_small_float(records):
        return None
    try:
        data = dumps(list(map(_CSV_CELLS, records)), default=_EMPTY.get)  # (UNSET, a field not there: null)
    except JSONEncodeError:  # (an integer past 64 bits)
        return None
    if b"\\" in data:
        return None
    rows = data[2:-2].replace(b",null", b",").replace(b'"', b"").split(b"],[")
    if len(rows) != len(records):
        return None  # (a cell held "],[")
    separators = len(CSV_FIELDS) - 1
    commas = list(map(bytes.count, rows, repeat(b",")))
    odd = [] if commas.count(separators) == len(rows) else [i for i, count in enumerate(commas) if count != separators]
    odd += _formula_rows(records)
    if odd:
        from msgspec import UNSET

        odd = sorted(set(odd))
        cells = [dict(zip(CSV_FIELDS, _CSV_CELLS(records[i]), strict=True)) for i in odd]
        made = _csv_rows_of([{name: None if value is UNSET else value for name, value in row.items()} for row in cells])
        for i, row in zip(odd, made, strict=True):
            rows[i] = row.encode()
    return rows


_TEXT_FIELDS = ("routine", "title", "note", "source")  # (and "id": the text cells; the date-times start with a digit)


def _formula_rows(records: list[Any]) -> list[int]:
    """Where the records are that have a text cell starting like a formula (``text.safe_cell``)."""
    ids = list(map(_ID, records))
    suspect = not (min(ids)[:1] > "-" and max(ids)[:1] < "=")  # (no formula starts between: ids of digits)
    names = [name for name in _TEXT_FIELDS if any(map(_starts_formula, set(map(attrgetter(name), records))))]
    if suspect:
        names.append("id")
    if not names:
        return []
    return [i for i, record in enumerate(records) if any(_starts_formula(getattr(record, name)) for name in names)]


def _starts_formula(text: str | None) -> bool:
    return text is not None and text.startswith(FORMULA_STARTS)


_CSV_CELLS, _ID = attrgetter(*CSV_FIELDS), attrgetter("id")
# orjson's ``default``: what it cannot write (only msgspec's UNSET here: a field the line has not)
# is null. A dict's ``get`` is called without a Python frame (a lambda would cost one a record).
_EMPTY: dict[Any, None] = {}


