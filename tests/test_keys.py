"""Keys read without Enter: what each burst of input means."""

from __future__ import annotations

import pytest

from headrub.keys import decode_keys, split_keys


@pytest.mark.parametrize(
    ("data", "actions"),
    [
        (" ", ["pause"]),
        ("pP", ["pause", "pause"]),
        ("n\x1b[C", ["next", "next"]),
        ("b\x1b[D\x1bOD", ["back", "back", "back"]),
        ("q", ["quit"]),
        ("x\x1b[1;5Aq", ["quit"]),  # an unknown sequence (Ctrl-Up) is skipped whole
        ("\x1bOQ", []),  # F2 is not q
        ("?", ["keys"]),  # show or hide the list of keys
    ],
)
def test_bursts_decode_to_actions(data: str, actions: list[str]) -> None:
    """Each key and arrow sequence is one action; unknown sequences are skipped whole."""
    assert decode_keys(data) == actions


@pytest.mark.parametrize(("first", "second"), [("\x1bO", "Q"), ("\x1b[", "B"), ("\x1b", "[C"), ("\x1b[1;", "5A")])
def test_a_sequence_split_across_reads_is_joined(first: str, second: str) -> None:
    """The first half of an escape sequence waits for the second: F2 split as ESC O | Q does not quit."""
    actions, rest = split_keys(first)
    assert actions == [] and rest == first
    joined, rest = split_keys(rest + second)
    assert rest == ""
    assert joined == (["next"] if second == "[C" else [])
