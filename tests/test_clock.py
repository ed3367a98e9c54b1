"""The clocks: the real monotonic one and the fake one tests drive."""

from __future__ import annotations

import pytest

from headrub.clock import Clock, FakeClock, MonotonicClock


def test_monotonic_clock_never_goes_back() -> None:
    """MonotonicClock readings do not decrease."""
    clock = MonotonicClock()
    readings = [clock.now() for _ in range(100)]
    assert readings == sorted(readings)


def test_both_clocks_satisfy_the_protocol() -> None:
    """MonotonicClock and FakeClock are both a Clock."""
    assert isinstance(MonotonicClock(), Clock)
    assert isinstance(FakeClock(), Clock)


def test_fake_clock_starts_where_told_and_moves_only_when_told() -> None:
    """FakeClock reads its start, then exactly what advance() and set() make it."""
    clock = FakeClock(start=100.0)
    assert clock.now() == 100.0
    assert clock.now() == 100.0
    clock.advance(2.5)
    assert clock.now() == 102.5
    clock.set(200.0)
    assert clock.now() == 200.0


def test_fake_clock_defaults_to_zero() -> None:
    """FakeClock() starts at 0."""
    assert FakeClock().now() == 0.0


def test_fake_clock_refuses_to_go_back() -> None:
    """A negative advance or an earlier set() is refused: the fake is monotonic like the real one."""
    clock = FakeClock(start=10.0)
    with pytest.raises(ValueError):
        clock.advance(-1.0)
    with pytest.raises(ValueError):
        clock.set(9.0)
    assert clock.now() == 10.0
