"""``schema``: the JSON Schema of the routine format, printed or written for editors."""

from __future__ import annotations

import sys

import typer

from headrub.commands.params import _given_path


def schema(
    output: str = typer.Option(
        None, "--output", "-o", metavar="PATH",
        help="Write the schema to PATH (a file, or a folder to put routine-format-1.json in; - for stdout) "
        "and print where.",
    ),
) -> None:
    """Print the JSON Schema of the routine format (for editors: see docs/routines.md)."""
    from headrub import schema_file

    if output == "-" or output is None:
        sys.stdout.write(schema_file.text())
        return
    typer.echo(str(schema_file.write(_given_path(output, "--output"))))
