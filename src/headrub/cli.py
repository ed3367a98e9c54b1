"""The command line: thin Typer wrappers that turn headrub's errors into one line and an exit status."""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Sequence
from functools import cache
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

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        words = {  # Typer's own help says "for the current shell"; a shell may be named too (cli._named_shell)
            "--show-completion": "Print the completion script for SHELL (bash, zsh or fish; default: this shell).",
            "--install-completion": "Install completion for SHELL (bash, zsh or fish; default: this shell).",
        }
        for param in params:
            for opt in getattr(param, "opts", []):
                if opt in words:
                    param.help = words[opt]
                    param.metavar = "[SHELL]"
        return params

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

        from headrub import coercion

        coercion.install()  # values read without pydantic where Typer's internals allow (else as before)
        if not standalone_mode:
            return run_typer(False)
        from typer.exceptions import TyperException

        _named_shell(list(sys.argv[1:] if args is None else args), prog_name or "headrub")

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
            typer.echo(f"headrub: {_in_our_words(err)}{hint}", err=True)
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
            if os.environ.get("HEADRUB_DEBUG"):  # a traceback as well, never a different exit status
                import traceback

                traceback.print_exc()
            for line in str(err).splitlines() or [type(err).__name__]:
                typer.echo(line if isinstance(err, _Located) else f"headrub: {line}", err=True)
            raise typer.Exit(err.exit_code) from None


CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}  # inherited by every command

SETTINGS: dict[str, Any] = {
    "cls": HeadrubGroup,
    "name": "headrub",
    "help": "A terminal guide for head and scalp self-massage.",
    "no_args_is_help": True,
    "add_completion": True,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
    "context_settings": CONTEXT_SETTINGS,
}

# Every command: its name, then the module of headrub.commands and the function (or, for the
# journal group, the Typer app) that runs it, in the order they were registered (Typer lists
# plain commands before groups). Only the module of the command a run names is imported.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("start", "start_cmd", "start"),
    ("list", "routines_cmd", "list_routines"),
    ("show", "routines_cmd", "show"),
    ("journal", "journal_cmd", "journal_app"),
    ("stats", "stats_cmd", "stats"),
    ("validate", "validate_cmd", "validate"),
    ("new", "authoring_cmd", "new"),
    ("edit", "authoring_cmd", "edit"),
    ("schema", "schema_cmd", "schema"),
    ("config", "config_cmd", "config"),
    ("sound-check", "sound_cmd", "sound_check"),
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"headrub {version('headrub')}")
        except PackageNotFoundError:
            typer.echo("headrub (not installed)")
        raise typer.Exit()


def main(
    version: bool = typer.Option(
        False, "--version", help="Show the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """A terminal guide for head and scalp self-massage."""


def _journal_group(journal_app: typer.Typer) -> typer.Typer:
    """The journal group with its commands, registered once however many apps include it."""
    if not journal_app.registered_commands:
        from headrub.commands import journal_add_cmd, journal_fix_cmd

        journal_app.command("add")(journal_add_cmd.add)
        journal_app.command("edit")(journal_fix_cmd.edit)
        journal_app.command("delete")(journal_fix_cmd.delete)
        journal_app.command("merge")(journal_fix_cmd.merge)
    return journal_app


def typer_app(names: Collection[str]) -> typer.Typer:
    """headrub's Typer app with the commands named (all of ``COMMANDS`` for the whole app)."""
    import importlib

    made = typer.Typer(**SETTINGS)
    made.callback()(main)
    for name, module, attribute in COMMANDS:
        if name in names:
            runs = getattr(importlib.import_module(f"headrub.commands.{module}"), attribute)
            if name == "journal":
                made.add_typer(_journal_group(runs), name=name)
            else:
                made.command(name)(runs)
    return made


@cache
def whole_app() -> typer.Typer:
    """Every command: for help, completion, suggestions, tests and the generated docs."""
    return typer_app([name for name, _, _ in COMMANDS])


app: typer.Typer  # the whole app, made on first use (``__getattr__``): a run makes only its own command


def __getattr__(name: str) -> Any:
    if name == "app":
        return whole_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _in_our_words(err: Exception) -> str:
    """A usage mistake Typer caught itself, said the way headrub says its own (``OPTION: problem``)."""
    message = str(err.format_message()) if hasattr(err, "format_message") else str(err)
    try:
        return _translated(err, message)
    except Exception:  # a library change must cost the wording, never the one-line message
        return message


def _translated(err: Exception, message: str) -> str:
    import difflib
    import re

    from typer._click import exceptions as click_errors

    if isinstance(err, click_errors.MissingParameter):
        param = err.param
        if param is not None and getattr(param, "param_type_name", "") == "argument":
            return f"{getattr(param, 'metavar', None) or str(param.name).upper()} is missing"
        if param is not None:
            names = "/".join(getattr(param, "opts", [])) or str(param.name)
            return f"{names} is required"
        return message
    if isinstance(err, click_errors.NoSuchOption):
        close = sorted(err.possibilities or [])
        hint = f" — did you mean {' or '.join(close)}?" if close else ""
        return f"unknown option {err.option_name}{hint}"
    if isinstance(err, click_errors.BadOptionUsage) and message.endswith("requires an argument."):
        return f"{err.option_name} needs a value"
    if isinstance(err, click_errors.BadParameter) and err.param is not None:
        return f"{'/'.join(getattr(err.param, 'opts', [])) or err.param.name}: {err.message}"
    unknown = re.match(r"No such command '(.*?)'\.", message)
    context = getattr(err, "ctx", None)
    if unknown and context is not None:
        commands = list(getattr(context.command, "commands", {}))
        close = difflib.get_close_matches(unknown.group(1), commands, n=2, cutoff=0.5)
        hint = f" — did you mean {' or '.join(close)}?" if close else ""
        return f"unknown command {unknown.group(1)!r}{hint}"
    return message


def _named_shell(args: list[str], prog_name: str) -> None:
    """``--show-completion SHELL`` / ``--install-completion SHELL``: that shell's script, not the running one's."""
    from headrub.completion import SHELLS, completion_script, named_shell_request

    request = named_shell_request(args)
    if request is None:
        return
    flag, shell = request
    if shell not in SHELLS:
        typer.echo(f"headrub: {flag}: {shell!r} is not a shell headrub completes; use {', '.join(SHELLS)}", err=True)
        sys.exit(2)
    if flag == "--show-completion":
        typer.echo(completion_script(shell, prog_name))
        sys.exit(0)
    from typer._completion_shared import install

    where = install(shell=shell, prog_name=prog_name)[1]
    typer.echo(f"{shell} completion installed in {where}; it takes effect in a new terminal")
    sys.exit(0)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the final flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def app_for(args: Sequence[str]) -> typer.Typer:
    """The app with only the command ``args`` name, or the whole ``app`` when they name none.

    Typer builds every registered command's parameters at each run (about 8 ms for headrub's
    sixteen, more than the command itself often takes), and registering a command imports its
    module; a run needs only its own. Only a command word that comes first counts: with an
    option before it (``--help list`` shows every command), with no command word, with a word
    that is no command (``strat``: the suggestions need every name), or during shell completion,
    the whole app runs. The command is registered as in the whole app, so its help, errors and
    values are the same.
    """
    if list(args) == ["--version"] and "_HEADRUB_COMPLETE" not in os.environ:
        return typer_app([])  # the version is the main callback's eager option: no command is needed
    named = bool(args) and args[0] in {name for name, _, _ in COMMANDS}
    if not named or "_HEADRUB_COMPLETE" in os.environ:
        return whole_app()
    return typer_app([args[0]])


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
        app_for(sys.argv[1:])(prog_name="headrub")
        code = 0
    except BrokenPipeError:
        code = 0  # the reader stopped early (`headrub journal --csv | head`): not our failure
        _silence_stdout()
    except OSError as err:
        if os.environ.get("HEADRUB_DEBUG"):  # a traceback as well, never a different exit status
            import traceback

            traceback.print_exc()
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
