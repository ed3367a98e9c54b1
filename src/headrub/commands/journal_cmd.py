"""``headrub journal`` and ``headrub stats`` (placeholder until the journal issue lands)."""

from __future__ import annotations

import typer

journal_app = typer.Typer(help="The sessions in a window, with totals and a per-day chart.")


def stats() -> None:
    """Sessions, minutes, streaks and what works for you."""
