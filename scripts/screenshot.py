"""Draw a real frame of a session mid-way and save it as docs/session.svg for the README.

Run: python scripts/screenshot.py  (it uses the engine on a fake clock, so it takes no time)
"""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from headrub.clock import FakeClock
from headrub.display import render_frame
from headrub.loader import find_routine
from headrub.session import Session

OUT = Path(__file__).resolve().parents[1] / "docs" / "session.svg"


def main() -> None:
    """Run scalp-sleep to 3 min 20 s on a fake clock, then export that frame."""
    routine = find_routine("scalp-sleep")
    clock = FakeClock()
    session = Session(routine, clock)
    session.start()
    clock.advance(200.4)
    session.tick()
    console = Console(record=True, width=80, height=24, force_terminal=True, color_system="truecolor", file=io.StringIO())
    console.print(render_frame(session.snapshot(), routine, width=80, height=24))
    OUT.write_text(console.export_svg(title="headrub start scalp-sleep"), encoding="utf-8")
    print(OUT)


if __name__ == "__main__":
    main()
