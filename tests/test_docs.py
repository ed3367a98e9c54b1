"""docs/cli.md is generated from the app and cannot drift: a stale file or a missing command fails here."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
import typer
import typer.main

from headrub.cli import app

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "gen_cli_docs.py"
DOCS = ROOT / "docs" / "cli.md"


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    """scripts/gen_cli_docs.py, imported as a module."""
    spec = importlib.util.spec_from_file_location("gen_cli_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rendered(generator: ModuleType) -> str:
    """What the generator would write now."""
    text: str = generator.render()
    return text


def all_command_names() -> list[str]:
    """``headrub``, ``headrub list``, ..., ``headrub journal add``: every command, walked from the app."""
    names: list[str] = []

    def walk(command: typer.core.TyperGroup | typer.core.TyperCommand, path: tuple[str, ...]) -> None:
        names.append(" ".join(("headrub", *path)))
        for name, sub in getattr(command, "commands", {}).items():
            if not getattr(sub, "hidden", False):
                walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return names


def test_cli_reference_is_current(rendered: str) -> None:
    """docs/cli.md is exactly what scripts/gen_cli_docs.py writes from the app today."""
    current = DOCS.read_text(encoding="utf-8") if DOCS.is_file() else ""
    recorded = re.search(r"Rendered with Typer (\S+)\.", current)
    if recorded and recorded.group(1) != typer.__version__:
        # Typer's help layout changes between releases; the command list is still checked below.
        pytest.skip(f"docs/cli.md was rendered with Typer {recorded.group(1)}, this is {typer.__version__}")
    assert current == rendered, "docs/cli.md is stale: run python scripts/gen_cli_docs.py"


def test_every_command_is_documented() -> None:
    """Every command and sub-command has its own heading in docs/cli.md."""
    text = DOCS.read_text(encoding="utf-8")
    headings = {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}
    missing = [name for name in all_command_names() if name not in headings]
    assert not missing, f"docs/cli.md is stale: run python scripts/gen_cli_docs.py (missing: {missing})"


def test_every_option_is_documented_whatever_the_typer_version() -> None:
    """Each command's options and arguments appear in its section of docs/cli.md.

    This holds on any Typer release, so the reference cannot drift even where the exact
    layout check above skips because another Typer lays out --help differently.
    """
    text = DOCS.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^#+ (headrub[^\n]*)\n(.*?)(?=^#+ headrub|\Z)", text, flags=re.M | re.S))

    def walk(command: typer.core.TyperGroup | typer.core.TyperCommand, path: tuple[str, ...]) -> None:
        name = " ".join(("headrub", *path))
        body = sections.get(name, "")
        for param in command.params:
            if getattr(param, "hidden", False):
                continue
            words = [o for o in param.opts if o.startswith("-")]
            if words:
                assert any(w in body for w in words), f"{name}: {words[0]} is not in docs/cli.md"
            else:  # an argument, by its metavar or name: releases spell it NAME, name or {name}
                spelt = [str(w).lower() for w in (param.name, getattr(param, "metavar", None)) if w]
                assert any(w in body.lower() for w in spelt), f"{name}: argument {param.name} is not in docs/cli.md"
        for sub_name, sub in getattr(command, "commands", {}).items():
            if not getattr(sub, "hidden", False):
                walk(sub, (*path, sub_name))

    walk(typer.main.get_command(app), ())


def test_rendering_is_deterministic(generator: ModuleType, rendered: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reference does not depend on the terminal: a narrow COLUMNS or an unset NO_COLOR change nothing."""
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert generator.render() == rendered
    assert "\x1b" not in rendered


def test_check_mode_exit_status(generator: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--check`` exits 0 when the file is current and 1, saying how to fix it, when it is stale or absent."""
    target = tmp_path / "cli.md"
    assert generator.main(["--check", "--output", str(target)]) == 1
    assert generator.main(["--output", str(target)]) == 0
    assert generator.main(["--check", "--output", str(target)]) == 0
    target.write_text(target.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert generator.main(["--check", "--output", str(target)]) == 1
    assert "is stale: run python scripts/gen_cli_docs.py" in capsys.readouterr().err


def test_every_value_in_the_help_is_named_by_headrub() -> None:
    """Every option value and argument has a metavar of ours (NAME, TEXT, PERCENT), the same word for the
    same thing in every command, so no help shows a type name such as --note <str>."""
    named: dict[str, set[str]] = {}

    def walk(command: typer.core.TyperGroup | typer.core.TyperCommand, path: tuple[str, ...]) -> None:
        for param in command.params:
            if getattr(param, "hidden", False) or getattr(param, "is_flag", False):
                continue
            where = " ".join(("headrub", *path, param.name or ""))
            metavar = getattr(param, "metavar", None)
            ours = bool(metavar) and (metavar == metavar.upper() or metavar.startswith("["))  # [bell|chime|none]
            assert ours, f"{where} has no metavar of ours (in capitals, or the choices): {metavar!r}"
            named.setdefault(str(param.name), set()).add(metavar)
        for sub_name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, sub_name))

    walk(typer.main.get_command(app), ())
    for name in ("note", "volume", "before", "minutes", "speech_rate"):
        assert len(named[name]) == 1, f"{name} is named {sorted(named[name])} in different commands"


def test_the_quiet_mode_docs_name_every_quiet_built_in() -> None:
    """docs/config.md's quiet-mode paragraph names each built-in routine that sets quiet: true, and no other."""
    from headrub.loader import load_file

    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    paragraph = text[text.index("**Quiet mode**"):].split("\n\n", 1)[0]
    named = set(re.findall(r"`([a-z0-9-]+)`", paragraph.split("quiet: true")[0]))
    quiet = {path.stem for path in (ROOT / "routines").glob("*.yaml") if load_file(path).quiet}
    assert named == quiet
