"""A run builds only the command it names (``cli.app_for``), and answers exactly as the whole app does."""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

from headrub import cli


def built(args: list[str]) -> list[str]:
    """The commands Typer builds for a run with ``args``."""
    return list(typer.main.get_command(cli.app_for(args)).commands)  # type: ignore[attr-defined]


def test_a_run_builds_only_the_command_it_names() -> None:
    """``list`` builds ``list``, ``journal add`` the journal group (all of it), ``sound-check`` itself, and
    ``--version`` alone none."""
    assert built(["--version"]) == []
    assert built(["list", "--tag", "sleep"]) == ["list"]
    assert built(["sound-check"]) == ["sound-check"]
    assert built(["journal", "add", "x"]) == ["journal"]
    assert list(typer.main.get_command(cli.app_for(["journal"])).commands["journal"].commands) == [  # type: ignore[attr-defined]
        "add", "edit", "delete", "merge"]


@pytest.mark.parametrize("args", [[], ["--help"], ["-h", "list"], ["--version", "list"], ["strat"], ["lists"],
                                  ["--show-completion", "bash"], ["--", "list"]])
def test_without_a_command_word_first_the_whole_app_runs(args: list[str]) -> None:
    """No command first (help, version, a typo that needs every name for its suggestion): every command."""
    assert cli.app_for(args) is cli.app


def test_shell_completion_gets_every_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """While the shell asks for completions, every command is there to be listed."""
    monkeypatch.setenv("_HEADRUB_COMPLETE", "complete_bash")
    assert cli.app_for(["li"]) is cli.app and cli.app_for(["list"]) is cli.app


ONE_COMMAND = [
    ["list"],
    ["list", "--help"],
    ["list", "-h"],
    ["list", "--jsn"],
    ["list", "--version"],
    ["show"],
    ["show", "scalp-sleep", "--json"],
    ["start"],
    ["start", "--help"],
    ["start", "desk-reset", "--before", "x"],
    ["journal"],
    ["journal", "--help"],
    ["journal", "bogus"],
    ["journal", "add"],
    ["journal", "add", "--help"],
    ["journal", "edit", "nope", "--before", "x"],
    ["journal", "merge", "--help"],
    ["stats", "--days", "x"],
    ["stats", "--help"],
    ["validate", "desk-reset"],
    ["new", "--help"],
    ["edit", "--help"],
    ["schema", "--help"],
    ["config", "--help"],
    ["sound-check", "--help"],
    ["sound-check", "--volume", "x"],
    ["--version"],
]


@pytest.mark.parametrize("args", ONE_COMMAND, ids=" ".join)
def test_one_command_answers_as_the_whole_app(args: list[str]) -> None:
    """The same status, stdout and stderr from the app of one command as from the whole app."""
    assert cli.app_for(args) is not cli.app
    one = CliRunner().invoke(cli.app_for(args), args)
    whole = CliRunner().invoke(cli.app, args)
    assert (one.exit_code, one.stdout, one.stderr) == (whole.exit_code, whole.stdout, whole.stderr)
