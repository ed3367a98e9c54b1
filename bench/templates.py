"""The little files the benchmark writes: the hello-world Typer apps and the routines it runs."""

from __future__ import annotations

HELLO_TYPER = '''\
import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")


if __name__ == "__main__":
    app()
'''

# The same app ending the way headrub ends (os._exit once the output is flushed), for a
# comparison on equal terms: the interpreter's teardown is not part of either figure.
HELLO_TYPER_OS_EXIT = HELLO_TYPER.replace(
    "    app()\n",
    "    import os, sys\n\n    try:\n        app()\n    except SystemExit as done:\n        code = done.code\n"
    "    else:\n        code = 0\n    sys.stdout.flush()\n    sys.stderr.flush()\n"
    "    os._exit(code if isinstance(code, int) else 1)\n",
)

PULSE_ROUTINE = """\
title: Bench pulse
summary: One stroke with a tempo, so the pulse is drawn all the way through.
strokes:
  - area: crown
    technique: circles
    pressure: light
    duration: {seconds}s
    tempo: 60
    side: both
    cue: Slow circles with the finger pads, one a second.
"""
PULSE_TITLE = "Bench pulse"


# The same stroke without a tempo: no pulse, so the screen changes once a second.
PLAIN_ROUTINE = (
    PULSE_ROUTINE.replace("    tempo: 60\n", "")
    .replace("Bench pulse", "Bench plain")
    .replace("One stroke with a tempo, so the pulse is drawn all the way through.", "One stroke and no tempo, so no pulse.")
)
PLAIN_TITLE = "Bench plain"

# jrnl's settings for a journal at {journal}: plain text, no colours, no editor.
JRNL_CONFIG = """\
colors: {{body: none, date: none, tags: none, title: none}}
default_hour: 9
default_minute: 0
editor: ''
encrypt: false
highlight: false
indent_character: '|'
journals:
  default:
    journal: {journal}
linewrap: 79
tagsymbols: '#@'
template: false
timeformat: '%Y-%m-%d %H:%M'
version: v4.6
"""

# A fake audio player: tells the bench, through a FIFO, the moment headrub starts a chime.
FAKE_PLAYER = """\
#!/bin/sh
printf x > "$BENCH_CUE_FIFO"
"""
