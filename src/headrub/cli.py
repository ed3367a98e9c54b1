"""The command line: thin Typer wrappers that turn headrub's errors into one line and an exit status."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from headrub.errors import HeadrubError
from headrub.errors import InvalidFileError as _Located  # located errors print bare: PATH:LINE:COL: ...


class HeadrubGroup(TyperGroup):
    """Turns any error into one stderr line and the contract's exit status.

    ``HeadrubError`` from a command, and Typer's own usage errors (a bad option
    value, a missing argument), which it would otherwise print over three lines.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        def run_typer(standalone: bool) -> Any:
            return super(HeadrubGroup, self).main(
                args, prog_name, complete_var, standalone, windows_expand_args, **extra
            )

        if not standalone_mode:
            return run_typer(False)
        from typer.exceptions import TyperException

        try:
            result = run_typer(False)
        except TyperException as err:
            if type(err).__name__ == "NoArgsIsHelpError":  # plain `headrub`: the help, as asked
                typer.echo(err.format_message())
                sys.exit(0)
            hint = ""
            context = getattr(err, "ctx", None)
            if context is not None:
                hint = f" (see '{context.command_path} --help')"
            typer.echo(f"headrub: {err.format_message()}{hint}", err=True)
            sys.exit(err.exit_code)
        except typer.Abort:
            typer.echo("headrub: aborted", err=True)
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the reader stopped early (`headrub list | head -1`)
            _silence_stdout()
            raise typer.Exit(0) from None
        except HeadrubError as err:
            if os.environ.get("HEADRUB_DEBUG"):
                raise
            for line in str(err).splitlines() or [type(err).__name__]:
                typer.echo(line if isinstance(err, _Located) else f"headrub: {line}", err=True)
            raise typer.Exit(err.exit_code) from None


app = typer.Typer(
    cls=HeadrubGroup,
    name="headrub",
    help="A terminal guide for head and scalp self-massage.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"headrub {version('headrub')}")
        except PackageNotFoundError:
            typer.echo("headrub (not installed)")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", help="Show the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """A terminal guide for head and scalp self-massage."""


from headrub.commands import (  # noqa: E402
    config_cmd,
    journal_cmd,
    journal_fix_cmd,
    routines_cmd,
    sound_cmd,
    start_cmd,
)

app.command("start")(start_cmd.start)
app.command("list")(routines_cmd.list_routines)
app.command("show")(routines_cmd.show)

app.add_typer(journal_cmd.journal_app, name="journal")
journal_cmd.journal_app.command("edit")(journal_fix_cmd.edit)
journal_cmd.journal_app.command("delete")(journal_fix_cmd.delete)
journal_cmd.journal_app.command("merge")(journal_fix_cmd.merge)
app.command("stats")(journal_cmd.stats)
app.command("validate")(routines_cmd.validate)
app.command("new")(routines_cmd.new)
app.command("edit")(routines_cmd.edit)
app.command("schema")(routines_cmd.schema)
app.command("config")(config_cmd.config)
app.command("sound-check")(sound_cmd.sound_check)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the final flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run() -> None:
    """The console-script entry point.

    Once the command has finished — output written, any journal line fsynced,
    the terminal restored — the process ends with ``os._exit`` after flushing
    stdout and stderr, skipping the interpreter's teardown of every loaded
    module (about 30 ms a command, which start-up budgets care about).
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:  # started with the stream closed (`headrub list >&-`)
            setattr(sys, name, open(os.devnull, "w"))  # noqa: SIM115  (lives until os._exit)
        elif hasattr(stream, "reconfigure"):
            # A path with bytes that are not UTF-8, or a lone surrogate: shown escaped, never a crash.
            stream.reconfigure(errors="backslashreplace")
    try:
        app(prog_name="headrub")
        code = 0
    except BrokenPipeError:
        code = 0  # the reader stopped early (`headrub journal --csv | head`): not our failure
        _silence_stdout()
    except OSError as err:
        if os.environ.get("HEADRUB_DEBUG"):
            raise
        _silence_stdout()
        sys.stderr.write(f"headrub: cannot write the output: {err.strerror or err}\n")
        code = 1
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:
            sys.stderr.write(f"{done.code}\n")
            code = 1
    if os.environ.get("HEADRUB_DEBUG"):
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            pass  # the reader stopped early (a pipe into head): what it wanted, it has
        except (OSError, ValueError):
            code = code or 1  # the output could not be written (a full disk): not a success
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
