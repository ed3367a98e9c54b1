"""``headrub sound-check``: play each chime and say one sentence, with the settings a session would use."""

from __future__ import annotations

import typer

from headrub import values
from headrub.commands.params import reads
from headrub.commands.start_cmd import Sound

CHIMES = (
    ("change", "a stroke begins"),
    ("side", "switch sides"),
    ("warn", "ten seconds left in a long stroke"),
    ("end", "the session is complete"),
    ("stop", "the session was stopped early"),
)


def sound_check(
    quiet: bool = typer.Option(False, "--quiet", help="Check quiet mode's softer chimes and fading end."),
    speech_rate: int = typer.Option(
        None, "--speech-rate", parser=reads(values.whole_number, "--speech-rate", 80, 450, "words a minute"), metavar="WPM", help="Speech rate in words a minute."
    ),
    speech_voice: str = typer.Option(None, "--speech-voice", metavar="NAME", help="A voice or language for the engine."),
    volume: int = typer.Option(None, "--volume", metavar="PERCENT", parser=reads(values.whole_number, "--volume", 0, 100, "percent"), help="Chime volume, 0 to 100."),
) -> None:
    """Play each chime and say a sample sentence; name the player and speech engine used."""
    from headrub.commands.start_cmd import _cues, _settings
    from headrub.config import voice_flag
    from headrub.errors import HeadrubError
    from headrub.text import sanitize

    voice_name = voice_flag(speech_voice)
    settings = _settings(
        Sound.chime, True, False, True, speech_rate=speech_rate, speech_voice=voice_name, volume=volume
    )
    cues, _ = _cues(settings, False, quiet=quiet)
    with cues:
        player, engine = cues.player, cues.engine
        if player is not None:
            typer.echo(f"player: {player}, volume {settings['volume']}{' (quiet: half of it)' if quiet else ''}")
            for name, meaning in CHIMES:
                typer.echo(f"  {name:<6} {meaning}{'' if cues.play_now(name) else '  (did not play)'}")
        voice = settings["speech_voice"] or "its default voice"
        if engine is not None:
            rate = settings["speech_rate"]
            sample = f"This is headrub at {rate} words a minute. Temples. Slow circles, light pressure."
            typer.echo(f"speech: {engine}, {rate} words a minute, {voice}")
            said, complaint = cues.say_now(sample)
            typer.echo(f'  "{sample}"' + ("" if said else "  (the engine failed)"))
            if complaint:
                # espeak-ng exits cleanly even when no sound device would open: say what it reported.
                typer.echo(f"  {engine} reported: {sanitize(complaint)[:120]}")
                if said:
                    typer.echo("  if you did not hear it: is a sound device connected, on and not muted?")
    if player is None and engine is None:
        raise HeadrubError("found no audio player and no speech engine: sessions can only ring the terminal bell")
