"""``headrub config``: the effective settings, where each came from, and the config file's path."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from headrub import values
from headrub.commands.params import reads
from headrub.commands.start_cmd import SOUND_READER, Sound, complete_sound

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


def _shown(value: object) -> str:
    """A setting's value as it is written in the config file."""
    if value == "":
        return '""'
    return str(value).lower() if isinstance(value, bool) else str(value)


def config(
    json_out: bool = typer.Option(False, "--json", help="Print the settings as JSON."),
    path_only: bool = typer.Option(
        False, "--path", help="Print only the config file's path, e.g. for $EDITOR $(headrub config --path)."
    ),
    sound: Sound = typer.Option(
        None, "--sound", metavar="[bell|chime|none]", help="Show the settings as 'start' would use them with this flag.",
        parser=SOUND_READER, autocompletion=complete_sound,
    ),
    voice: bool = typer.Option(None, "--voice/--no-voice", help="Likewise, for 'start --voice/--no-voice'."),
    tick: bool = typer.Option(None, "--tick/--no-tick", help="Likewise, for 'start --tick/--no-tick'."),
    no_prompt: bool = typer.Option(False, "--no-prompt", help="Likewise, for 'start --no-prompt'."),
    quiet: bool = typer.Option(None, "--quiet/--no-quiet", help="Likewise, for 'start --quiet/--no-quiet'."),
    lead_in: int = typer.Option(None, "--lead-in", parser=reads(values.whole_number, "--lead-in", 0, 60, "seconds"), metavar="SECONDS", help="Likewise, for 'start --lead-in'."),
    next_warning: int = typer.Option(
        None, "--next-warning", parser=reads(values.whole_number, "--next-warning", 0, 60, "seconds"), metavar="SECONDS", help="Likewise, for 'start --next-warning'."
    ),
    speech_rate: int = typer.Option(
        None, "--speech-rate", parser=reads(values.whole_number, "--speech-rate", 80, 450, "words a minute"), metavar="WPM", help="Likewise, for 'start --speech-rate'."
    ),
    speech_voice: str = typer.Option(None, "--speech-voice", metavar="NAME", help="Likewise, for 'start --speech-voice'."),
    volume: int = typer.Option(None, "--volume", metavar="PERCENT", parser=reads(values.whole_number, "--volume", 0, 100, "percent"), help="Likewise, for 'start --volume'."),
) -> None:
    """Show the effective settings (config file, then flags) and where each came from."""
    from headrub import paths

    path = paths.config_file()
    if path_only:  # works even when the file is broken: that is when it is wanted
        typer.echo(str(path))
        return
    from headrub.config import effective, voice_flag, with_flags

    settings = with_flags(
        effective(),
        sound=sound.value if sound is not None else None,
        voice=voice,
        tick=tick,
        prompts=False if no_prompt else None,
        quiet=quiet,
        lead_in=lead_in,
        next_warning=next_warning,
        speech_rate=speech_rate,
        speech_voice=voice_flag(speech_voice),
        volume=volume,
    )
    exists = path.is_file()
    if json_out:
        from headrub.output import print_json

        data: dict[str, object] = {
            name: {"value": s.value, "source": s.source} for name, s in settings.items()
        }
        data["path"] = str(path)
        data["exists"] = exists
        data["folders"] = {
            role: {"path": str(folder), "exists": state[0], "writable": state[1]}
            for role, folder in paths.folders().items()
            for state in [paths.folder_state(folder)]
        }
        print_json(data)
        return

    from headrub.output import is_terminal, make_console
    from headrub.text import sanitize

    where = sanitize(str(path))
    state = "exists" if exists else "not created yet; the defaults apply"
    if not is_terminal(sys.stdout):
        for name, setting in settings.items():
            typer.echo(f"{name} = {_shown(setting.value)}  ({sanitize(setting.source)})")
        typer.echo(f"config file: {where} ({state})")
        for role, folder in paths.folders().items():
            typer.echo(f"{role} folder: {sanitize(str(folder))} ({paths.folder_state(folder)[2]})")
        return

    from rich.table import Table
    from rich.text import Text

    table = Table(title="headrub settings", title_justify="left")
    table.add_column("setting", style="bold")
    table.add_column("value")
    table.add_column("from", style="dim")
    for name, setting in settings.items():
        table.add_row(Text(name), Text(_shown(setting.value)), Text(sanitize(setting.source)))
    console = make_console()
    console.print(table)
    console.print(Text(f"Config file: {where} ({state})"))
    _print_folders(console)
    if not exists:
        console.print(Text("Create it to change a default; 'headrub config --path' prints its path."))


def _print_folders(console: Console) -> None:
    """The three folders, whether each exists and whether headrub can write there."""
    from rich.table import Table
    from rich.text import Text

    from headrub import paths
    from headrub.layout import print_fitting, stacked_block
    from headrub.text import sanitize

    table = Table(title="Folders", title_justify="left")
    table.add_column("for", style="bold", no_wrap=True)
    table.add_column("path", no_wrap=True)
    table.add_column("state", min_width=20)
    stacked: list[RenderableType] = [Text("Folders", style="italic")]
    for role, folder in paths.folders().items():
        _, writable, words = paths.folder_state(folder)
        state = Text(words, style="" if writable else "yellow")
        table.add_row(Text(role), Text(sanitize(str(folder))), state)
        stacked.append(stacked_block(Text.assemble((role, "bold"), ": ", state), Text(sanitize(str(folder)), overflow="fold")))
    print_fitting(console, table, stacked)
