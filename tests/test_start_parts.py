"""The parts of `start` around the session: answers to questions, and scaling to --minutes."""

from __future__ import annotations

import io

import pytest

from headrub.commands.start_cmd import ask_tension
from headrub.routine import Routine, Stroke


def test_tension_ignores_unicode_digits_and_asks_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """'²' and '١' look like digits to str.isdigit but are not answers; the question comes again."""
    monkeypatch.setattr("sys.stdin", io.StringIO("²\n١\n11\n7\n"))
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert ask_tension("Tension now") == 7


ROUTINE = Routine("r", "R", (Stroke("a", 5), Stroke("b", 595), Stroke("c", 10, side="each")))


@pytest.mark.parametrize("minutes", [0.1, 0.5, 1, 10, 60])
def test_scaling_hits_the_total_even_when_steps_are_held_at_one_second(minutes: float) -> None:
    """--minutes N gives exactly N minutes; steps that would be under 1 s are held at 1 s and the rest make up for it."""
    scaled = ROUTINE.scaled(minutes)
    assert scaled.total_seconds == pytest.approx(minutes * 60)
    assert all(s.duration >= 1 for s in scaled.strokes)


def test_scaling_below_one_second_a_step_is_refused() -> None:
    """A routine of four timed steps cannot last under four seconds."""
    assert ROUTINE.shortest_seconds == 4
    with pytest.raises(ValueError, match="at least 4 s"):
        ROUTINE.scaled(3 / 60)
