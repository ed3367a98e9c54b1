"""The journal and the stats on a narrow terminal: each session (or routine) as a short stacked block.

Used by ``journal_cmd`` and ``stats_cmd`` when their tables would cut a column (``headrub.layout.print_fitting``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import RenderableType

    from headrub.journal import Entry
    from headrub.timeutil import Window


def stacked_sessions(entries: list[Entry], window: Window) -> list[RenderableType]:
    """``Mon 2026-11-30 21:30  scalp-sleep``, then its length, result, tension and note beneath; a total."""
    from rich.text import Text

    from headrub.commands.journal_output import _clean
    from headrub.commands.journal_view import _clock, _minutes, _result, _short_ids, _tension
    from headrub.journal import started_at
    from headrub.layout import stacked_block

    blocks: list[RenderableType] = [Text(f"Sessions {window.label}", style="italic")]
    short = _short_ids(entries)  # the id to type for journal edit/delete, last in each block
    for entry in entries:
        moment = started_at(entry)
        head = Text.assemble(f"{moment:%a %Y-%m-%d %H:%M}  ", (_clean(entry.get("routine")), "bold"))
        tension = f"tension {_tension(entry)}" if _tension(entry) else ""
        facts = " · ".join(part for part in (_clock(_minutes(entry)), _result(entry), tension) if part)
        rest: list[RenderableType] = [Text(facts)]
        if entry.get("note"):
            rest.append(Text(_clean(entry.get("note")), style="dim"))
        rest.append(Text(f"id {short.get(str(entry.get('id')), '')}", style="dim"))
        blocks.append(stacked_block(head, *rest))
    count = len(entries)
    total = _clock(sum(map(_minutes, entries)))
    blocks.append(Text(f"total: {count} session{'s' if count != 1 else ''}, {total}", style="bold"))
    return blocks


def stacked_routines(result: dict[str, Any]) -> list[RenderableType]:
    """Per routine, best first: its name, then sessions, average length and tension change beneath."""
    from rich.text import Text

    from headrub.commands.journal_output import _clean
    from headrub.commands.journal_view import _clock
    from headrub.commands.stats_view import _change
    from headrub.layout import stacked_block

    blocks: list[RenderableType] = [Text("What works for you", style="italic")]
    for row in result["routines"]:
        sessions = f"{row['sessions']} session{'s' if row['sessions'] != 1 else ''}"
        facts = f"{sessions} · {_clock(row['avg_minutes'])} on average · tension {_change(row['avg_tension_change'])}"
        blocks.append(stacked_block(Text(_clean(row["routine"]), style="bold"), Text(facts)))
    return blocks
