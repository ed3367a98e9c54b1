"""The core never imports Typer or Rich, and the CLI imports Rich and YAML only when a command needs them."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

CORE = ("headrub.routine", "headrub.loader", "headrub.session", "headrub.journal", "headrub.stats", "headrub.clock", "headrub.cues", "headrub.spoken", "headrub.heard")


def loaded_after(modules: list[str], watched: tuple[str, ...]) -> dict[str, list[str]]:
    """Which of ``watched`` (top-level packages) a fresh interpreter has loaded after importing ``modules``,
    with, for each, the headrub modules that were loaded by then (to point at the culprit)."""
    code = f"""
import json, sys
for name in {modules!r}:
    __import__(name)
found = sorted({{m.split(".")[0] for m in sys.modules}} & set({watched!r}))
print(json.dumps({{w: sorted(m for m in sys.modules if m.startswith("headrub")) for w in found}}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, list[str]] = json.loads(result.stdout)
    return loaded


def present(name: str) -> bool:
    """True when ``name`` is a module of the installed headrub."""
    return importlib.util.find_spec(name) is not None


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_neither_typer_nor_rich(module: str) -> None:
    """Importing this core module in a fresh interpreter loads neither typer (nor its click) nor rich."""
    if not present(module):
        pytest.skip(f"{module} does not exist yet")
    loaded = loaded_after([module], ("typer", "click", "rich"))
    assert loaded == {}, f"{module} pulled in {sorted(loaded)} (headrub modules loaded: {next(iter(loaded.values()))})"


def test_routine_and_loader_together_import_neither_typer_nor_rich() -> None:
    """``import headrub.routine, headrub.loader`` in a fresh interpreter loads neither typer nor rich."""
    assert loaded_after(["headrub.routine", "headrub.loader"], ("typer", "click", "rich")) == {}


def test_cli_imports_neither_rich_nor_yaml() -> None:
    """``import headrub.cli`` loads neither rich nor yaml: start-up pays only for what a command uses."""
    loaded = loaded_after(["headrub.cli"], ("rich", "yaml"))
    assert loaded == {}, f"headrub.cli pulled in {sorted(loaded)}; headrub modules loaded by then: {loaded}"


def test_settings_without_a_config_file_load_no_yaml() -> None:
    """With no config.yaml, the settings are the defaults and the YAML reader is never loaded (journal, stats)."""
    code = "import sys; from headrub.config import effective; effective(); print('yaml' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def loaded_by_command(args: list[str], watched: tuple[str, ...]) -> list[str]:
    """Which of ``watched`` (module names, or packages with a trailing dot) a fresh interpreter has loaded
    after running ``headrub ARGS`` through the app, as the console script does (stdout to a pipe)."""
    code = f"""
import json, sys
from headrub.cli import app
try:
    app({args!r}, prog_name="headrub")
except SystemExit:
    pass
sys.stdout.flush()
watched = {watched!r}
print(json.dumps(sorted(m for m in sys.modules if m in watched or m.startswith(tuple(w for w in watched if w.endswith("."))))), file=sys.stderr)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.stdout, result.stderr
    found: list[str] = json.loads(result.stderr.strip().splitlines()[-1])
    return found


def test_list_with_its_summaries_cached_loads_neither_yaml_nor_the_loader() -> None:
    """Once ``list`` has cached the routines' summaries, ``list`` finds the files without the loader or PyYAML."""
    watched = ("yaml", "yaml.", "headrub.loader", "headrub.yamlnodes", "headrub.routine_spec")
    loaded_by_command(["list"], watched)  # the first run reads every file and records its summary
    assert loaded_by_command(["list"], watched) == []


def test_show_and_start_of_an_unchanged_routine_load_no_yaml(isolated_dirs: tuple[Path, Path]) -> None:
    """Once a routine has been read, ``show`` and a plain ``start`` of it (by name or path) rebuild it from the cache:
    neither loads PyYAML, the loader or its field rules (nor does ``--speech-voice`` with a good voice)."""
    mine = isolated_dirs[0] / "routines" / "one-second.yaml"
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text("title: One second\nstrokes:\n  - {area: temples, technique: circles, duration: 1}\n", encoding="utf-8")
    watched = ("yaml", "yaml.", "headrub.loader", "headrub.yamlnodes", "headrub.routine_spec")
    loaded_by_command(["show", "one-second"], watched)  # the first read records the routine
    assert loaded_by_command(["show", "one-second"], watched) == []
    empty = isolated_dirs[0] / "other-journal.jsonl"
    empty.write_bytes(b"")
    start = ["start", "one-second", "--no-prompt", "--yes", "--no-journal", "--lead-in", "0", "--sound", "none",
             "--no-voice", "--speech-voice", "en"]
    assert loaded_by_command(start, watched) == []
    by_path = [str(mine) if word == "one-second" else word for word in start]  # as the bench runs it
    assert loaded_by_command(by_path, watched) == []


def test_everyday_commands_load_no_pydantic(isolated_dirs: tuple[Path, Path]) -> None:
    """``list``, ``show``, ``start`` (by name and by path), ``journal --week`` and ``stats`` read their options
    without pydantic (``headrub.coercion``): it is most of a hello-world Typer app's start-up and memory."""
    from headrub.coercion import shape_problem

    problem = shape_problem()
    if problem is not None:
        pytest.skip(f"Typer's internals are not the shape headrub.coercion knows, so Typer reads the values: {problem}")
    mine = isolated_dirs[0] / "routines" / "one-second.yaml"
    mine.parent.mkdir(parents=True, exist_ok=True)
    mine.write_text("title: One second\nstrokes:\n  - {area: temples, technique: circles, duration: 1}\n", encoding="utf-8")
    empty = isolated_dirs[0] / "other-journal.jsonl"
    empty.write_bytes(b"")
    start = ["start", "one-second", "--no-prompt", "--yes", "--no-journal", "--lead-in", "0", "--sound", "none",
             "--no-voice", "--before", "3", "--note", "n"]
    watched = ("pydantic", "pydantic.", "pydantic_core", "typer._adapters")
    for args in (["list"], ["list", "--tag", "sleep", "--tag", "scalp"], ["show", "scalp-sleep"], ["show", str(mine)],
                 start, [str(mine) if word == "one-second" else word for word in start],
                 ["journal", "--week"], ["journal", "--days", "3"], ["stats"], ["stats", "--days", "7"],
                 ["journal", "merge", str(empty)]):
        assert loaded_by_command(args, watched) == [], args


def test_only_exports_load_msgspec(isolated_dirs: tuple[Path, Path]) -> None:
    """msgspec reads whole journals for ``--json``/``--csv``; everyday commands never import it."""
    for args in (["list"], ["show", "scalp-sleep"], ["journal", "--week"], ["stats"]):
        assert loaded_by_command(args, ("msgspec",)) == [], args


def test_a_run_imports_only_its_own_command_module() -> None:
    """``headrub list`` (as the console script runs it) imports the module of ``list`` and none of the other commands'."""
    code = """
import sys
sys.argv = ["headrub", "list"]
from headrub.cli import app_for
try:
    app_for(sys.argv[1:])(prog_name="headrub")
except SystemExit:
    pass
sys.stdout.flush()
print(sorted(m for m in sys.modules if m.startswith("headrub.commands.") and m.endswith("_cmd")), file=sys.stderr)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "scalp-sleep" in result.stdout, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "['headrub.commands.routines_cmd']"


def test_the_first_bell_comes_before_rich_is_imported() -> None:
    """Everything a session needs up to the first stroke's bell (the screen, the painter taking the alternate
    screen, the cues, the runner) loads no Rich: Rich comes with the first frame, drawn just after that bell."""
    code = """
import io, json, sys
import headrub.cli, headrub.commands.start_cmd, headrub.cues, headrub.runner, headrub.session
from headrub.painter import Painter, Screen
screen = Screen(io.StringIO(), environ={"TERM": "xterm-256color"})
Painter(screen).start()
screen.bell()
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "rich")))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
