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

