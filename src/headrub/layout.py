"""Tables that fit the terminal, or a stacked layout when they cannot (40 columns and up).

Widths are Rich's own measure in terminal cells, so wide (CJK), emoji and zero-width characters
count as they are drawn. A table is used when its narrowest layout — every column at its longest
word, the columns marked ``no_wrap`` (the names people type) whole — fits; otherwise each row is
printed as a short block of lines, which never cuts a name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table


def table_fits(console: Console, table: Table) -> bool:
    """True when ``table`` can be drawn at the console's width without cutting a word."""
    from rich.measure import Measurement
    from rich.segment import Segment

    # Measured with room to spare: at the console's own width Rich would report the squeezed table.
    roomy = console.options.update_width(10_000)
    if Measurement.get(console, roomy, table).minimum > console.width:
        return False
    # Columns with a minimum width can still come out wider than the console, which Rich then crops:
    # draw it (uncropped) and look.
    segments = console.render(table, console.options)
    return all(Segment.get_line_length(line) <= console.width for line in Segment.split_lines(segments))


def print_fitting(console: Console, table: Table, stacked: Iterable[RenderableType]) -> None:
    """``table`` when it fits, else the ``stacked`` renderables one after another."""
    if table_fits(console, table):
        console.print(table)
        return
    for block in stacked:
        console.print(block)


def stacked_block(head: RenderableType, *rest: RenderableType, indent: int = 2) -> RenderableType:
    """One row of a stacked layout: ``head`` on its own line, the ``rest`` indented beneath it.

    Long lines wrap at words and stay indented; a word longer than the line folds, never cut.
    """
    from rich.console import Group
    from rich.padding import Padding

    return Group(head, *(Padding(part, (0, 0, 0, indent)) for part in rest))
