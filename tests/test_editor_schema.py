"""An editor's view: yaml-language-server opens routines that point at the written schema.

Skipped unless ``yaml-language-server`` is on PATH (``npm install -g
yaml-language-server``): headrub does not need it, but this is the check that
``headrub new`` gives an editor completion and errors with no setup.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from headrub.cli import app
from test_routine_spec import TRICKY_CASES, render
from yamlls import YamlLanguageServer

SERVER = shutil.which("yaml-language-server")
pytestmark = pytest.mark.skipif(SERVER is None, reason="yaml-language-server is not installed")


@pytest.fixture(scope="module")
def server() -> Iterator[YamlLanguageServer]:
    assert SERVER is not None
    started = YamlLanguageServer(SERVER)
    yield started
    started.close()


def new_routine(name: str) -> Path:
    result = CliRunner().invoke(app, ["new", name])
    assert result.exit_code == 0, result.stderr
    return Path(result.stdout.strip())


def test_new_routine_gets_completion_hover_and_no_errors(server: YamlLanguageServer) -> None:
    """``headrub new demo``: no diagnostics, techniques complete, hover shows the field's description."""
    routine = new_routine("demo")
    assert server.open(routine) == []
    lines = routine.read_text(encoding="utf-8").splitlines()
    technique = next(i for i, line in enumerate(lines) if line.strip().startswith("technique:"))
    offered = server.completion(routine, technique, lines[technique].index(":") + 2)
    assert {"circles", "kneading", "breathing", "rest"} <= set(offered)
    duration = next(i for i, line in enumerate(lines) if line.strip().startswith("duration:"))
    assert "How long the stroke lasts" in server.hover(routine, duration, lines[duration].index("d") + 2)


def test_a_mistake_is_marked_in_the_editor(server: YamlLanguageServer) -> None:
    """A misspelt technique in a new routine is an error in the editor, as it is for headrub validate."""
    routine = new_routine("broken")
    text = routine.read_text(encoding="utf-8")
    routine.write_text(text.replace("technique: circles ", "technique: circle  ", 1), encoding="utf-8")
    messages = [d["message"] for d in server.open(routine)]
    assert len(messages) == 1 and "circles" in messages[0]


# The language server applies YAML 1.1 merge keys; headrub reads << as YAML 1.2 does (docs/routines.md).
READER_DIFFERENCES = {"merge key"}


@pytest.mark.parametrize(
    ("doc", "valid"), [c for c in TRICKY_CASES if c.id not in READER_DIFFERENCES]
)
def test_tricky_values_in_the_editor(server: YamlLanguageServer, doc: dict[str, Any], valid: bool, tmp_path: Path) -> None:
    """Each tricky value gets the editor's verdict that headrub validate gives."""
    schema = CliRunner().invoke(app, ["schema", "--output", str(tmp_path)]).stdout.strip()
    path = tmp_path / "case.yaml"
    path.write_text(f"# yaml-language-server: $schema={schema}\n{render(doc)}", encoding="utf-8")
    assert (server.open(path) == []) == valid, path.read_text(encoding="utf-8")
