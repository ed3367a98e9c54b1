"""The core never imports Typer or Rich, and the CLI imports Rich and YAML only when a command needs them."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

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
