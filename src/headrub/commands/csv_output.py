"""``journal --csv``: each entry as a row, RFC 4180, whatever the text in it.

A cell is the text as it is, never a formula (``text.safe_cell``), quoted where it must be; on a
terminal, without controls. Rows are made a column at a time (``_csv_rows``), from the entries or
from the columns ``journal.blocks`` already read (``CsvShape.of_columns``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, partial
from itertools import repeat
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import re

    from headrub.journal import Entry

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
    rows of entries given a field at a time (``of_columns``: ``blocks.Parsed.columns``)."""

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self.of_columns: Callable[[dict[str, Sequence[Any]]], list[str]] | None = None
        if not terminal:
            self.of_columns = lambda columns: _csv_rows(columns.__getitem__)

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
