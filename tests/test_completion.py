"""Shell completion through the shells' own protocol (the ``_HEADRUB_COMPLETE`` variable), run as a
separate process as a shell would, and through a real bash where one is installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MINE = "title: Mine\nstrokes:\n  - {area: temples, duration: 30}\n"


@pytest.fixture
def env(isolated_dirs: tuple[Path, Path], tmp_path: Path) -> dict[str, str]:
    """An environment with one user routine (zz-mine) and a ``headrub`` command on PATH."""
    folder = isolated_dirs[0] / "routines"
    folder.mkdir(parents=True)
    (folder / "zz-mine.yaml").write_text(MINE, encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "headrub"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m headrub.cli "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def headrub(env: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["headrub", *args], env={**env, **extra}, capture_output=True, text=True, timeout=60, check=False
    )


def bash_complete(env: dict[str, str], line: str) -> list[str]:
    """What the bash protocol offers for the last word of ``line``."""
    words = line.split(" ")
    done = headrub(env, _HEADRUB_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(len(words) - 1))
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize(
    "line",
    ["headrub start zz", "headrub show zz", "headrub edit zz", "headrub new copy --from zz", "headrub journal --routine zz",
     "headrub stats --routine zz"],
)
def test_routine_names_complete_for_every_command_that_takes_one(env: dict[str, str], line: str) -> None:
    """A user routine's name completes wherever a routine name is taken."""
    assert bash_complete(env, line) == ["zz-mine"]


def test_builtin_names_complete_too(env: dict[str, str]) -> None:
    """With nothing typed, the built-ins are offered beside the user's routines."""
    offered = bash_complete(env, "headrub start ")
    assert "zz-mine" in offered and len(offered) > 1


def test_a_path_completes_to_routine_files(env: dict[str, str], tmp_path: Path) -> None:
    """Once the word looks like a path, folders and .yaml files are offered, other files not."""
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "a.yaml").write_text(MINE, encoding="utf-8")
    (tmp_path / "here" / "notes.txt").write_text("x", encoding="utf-8")
    assert bash_complete(env, f"headrub start {tmp_path}/here/") == [f"{tmp_path}/here/a.yaml"]


def test_tags_complete(env: dict[str, str], isolated_dirs: tuple[Path, Path]) -> None:
    """``list --tag`` offers the tags in use, a user routine's too."""
    (isolated_dirs[0] / "routines" / "zz-tagged.yaml").write_text(
        "title: Tagged\ntags: [zzz-mine]\nstrokes:\n  - {area: temples, duration: 30}\n", encoding="utf-8"
    )
    assert bash_complete(env, "headrub list --tag zz") == ["zzz-mine"]


def test_sounds_complete(env: dict[str, str]) -> None:
    """``--sound`` offers its three values."""
    assert bash_complete(env, "headrub start zz-mine --sound ") == ["bell", "chime", "none"]


def test_zsh_and_fish_protocols_offer_names(env: dict[str, str]) -> None:
    """The zsh and fish protocols offer the same name."""
    zsh = headrub(env, _HEADRUB_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="headrub start zz")
    assert "zz-mine" in zsh.stdout
    fish = headrub(
        env, _HEADRUB_COMPLETE="complete_fish", _TYPER_COMPLETE_FISH_ACTION="get-args", _TYPER_COMPLETE_ARGS="headrub start zz"
    )
    assert fish.stdout.split() == ["zz-mine"]


@pytest.mark.parametrize(("shell", "marker"), [("bash", "complete_bash"), ("zsh", "complete_zsh"), ("fish", "complete_fish")])
def test_show_completion_prints_the_named_shell_s_script(env: dict[str, str], shell: str, marker: str) -> None:
    """``--show-completion SHELL`` prints that shell's script, whatever shell is running."""
    for args in (["--show-completion", shell], [f"--show-completion={shell}"]):
        done = headrub(env, *args, SHELL="/bin/bash")
        assert done.returncode == 0, done.stderr
        assert marker in done.stdout
        others = {"complete_bash", "complete_zsh", "complete_fish"} - {marker}
        assert not any(other in done.stdout for other in others)
        if shutil.which(shell):  # the script is valid in that shell
            check = ["fish", "--no-execute"] if shell == "fish" else [shell, "-n"]
            parsed = subprocess.run([*check], input=done.stdout, capture_output=True, text=True, check=False)
            assert parsed.returncode == 0, parsed.stderr


def test_an_unknown_shell_is_one_line(env: dict[str, str]) -> None:
    """A shell headrub has no script for: one line, exit 2."""
    for args in (["--show-completion", "tcsh"], ["--show-completion=tcsh"]):
        done = headrub(env, *args)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr.startswith("headrub: --show-completion: 'tcsh' is not a shell headrub completes")


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_a_real_bash_completes_a_routine_name(env: dict[str, str]) -> None:
    """bash itself, with the script from --show-completion loaded, completes ``headrub start zz``."""
    script = headrub(env, "--show-completion", "bash").stdout
    program = script + '\nCOMP_WORDS=(headrub start zz); COMP_CWORD=2; _headrub_completion headrub; printf "%s\\n" "${COMPREPLY[@]}"\n'
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", program], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["zz-mine"]


def test_dash_h_is_help_everywhere(env: dict[str, str]) -> None:
    """``-h`` is ``--help`` on the app, a command and a sub-command."""
    from typer.testing import CliRunner

    from headrub.cli import app

    for args in (["-h"], ["start", "-h"], ["journal", "-h"], ["journal", "add", "-h"], ["config", "-h"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, args
        assert result.stdout.startswith("Usage: "), args


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_a_real_zsh_completes_a_routine_name(env: dict[str, str]) -> None:
    """An interactive zsh with the --show-completion script loaded turns ``headrub show zz<TAB>`` into zz-mine."""
    pexpect = pytest.importorskip("pexpect")
    script = Path(env["PATH"].split(os.pathsep)[0]).parent / "headrub.zsh"
    script.write_text(headrub(env, "--show-completion", "zsh").stdout, encoding="utf-8")
    shell = pexpect.spawn("zsh", ["-f", "-i"], env={**env, "TERM": "xterm"}, encoding="utf-8", timeout=30, dimensions=(24, 200))
    try:
        shell.sendline(f"PS1='READY> '; autoload -U compinit && compinit -u && source {script}")
        shell.expect("READY> ")
        shell.send("headrub show zz\t")
        shell.expect("zz-mine")
        shell.send("\r")  # run what was completed: the routine is shown
        shell.expect("temples")
        shell.sendline("exit")
        shell.expect(pexpect.EOF)
    finally:
        shell.close(force=True)
