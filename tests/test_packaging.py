"""The wheel carries every built-in routine and py.typed; the version comes from the installed metadata."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from headrub.cli import app

ROOT = Path(__file__).resolve().parents[1]


def pyproject_version() -> str:
    """The version written in pyproject.toml."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        project_version: str = tomllib.load(handle)["project"]["version"]
    return project_version


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the repository into a temporary folder."""
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    out = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)]
    # Without network access an isolated build cannot fetch hatchling; use the installed one when present.
    if importlib.util.find_spec("hatchling") is not None:
        command.insert(4, "--no-isolation")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (built,) = out.glob("headrub-*.whl")
    return built


@pytest.mark.slow
def test_wheel_holds_every_builtin_routine(wheel: Path) -> None:
    """Every routines/*.yaml file is in the wheel as headrub/routines/NAME.yaml, byte for byte."""
    routines = sorted((ROOT / "routines").glob("*.yaml"))
    assert routines, "no built-in routines in routines/"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for path in routines:
            member = f"headrub/routines/{path.name}"
            assert member in names, f"{member} is missing from {wheel.name}"
            assert archive.read(member) == path.read_bytes()


@pytest.mark.slow
def test_wheel_is_typed_and_has_the_entry_point(wheel: Path) -> None:
    """The wheel has headrub/py.typed and the ``headrub`` console script, with pyproject's version."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "headrub/py.typed" in names
        assert "headrub/cli.py" in names
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        assert dist_info == f"headrub-{pyproject_version()}.dist-info"
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
        assert "headrub = headrub.cli:run" in entry_points


def test_version_matches_pyproject() -> None:
    """``headrub --version`` prints the installed metadata's version, which is pyproject's."""
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"headrub {version('headrub')}\n"
    assert version("headrub") == pyproject_version()
