"""The wheel carries every built-in routine and py.typed; the version comes from the installed metadata."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tarfile
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


def build(kind: str, out: Path) -> Path:
    """Build the ``wheel`` or ``sdist`` of the repository into ``out``."""
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    command = [sys.executable, "-m", "build", f"--{kind}", "--outdir", str(out), str(ROOT)]
    # Without network access an isolated build cannot fetch hatchling; use the installed one when present.
    if importlib.util.find_spec("hatchling") is not None:
        command.insert(4, "--no-isolation")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (built,) = out.glob("headrub-*.whl" if kind == "wheel" else "headrub-*.tar.gz")
    return built


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from the repository into a temporary folder."""
    return build("wheel", tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist built from the repository into a temporary folder."""
    return build("sdist", tmp_path_factory.mktemp("sdist"))


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


@pytest.mark.slow
def test_license_ships_in_the_wheel_and_the_sdist(wheel: Path, sdist: Path) -> None:
    """LICENSE is in both artefacts, and the wheel's metadata names it (license-files)."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-File: LICENSE" in metadata and "License-Expression: MIT" in metadata
    with tarfile.open(sdist) as archive:
        assert any(n.endswith("/LICENSE") for n in archive.getnames())


@pytest.mark.slow
def test_twine_check_strict_passes_on_both_artefacts(wheel: Path, sdist: Path) -> None:
    """The metadata and README render as a package index would show them (twine check --strict)."""
    if importlib.util.find_spec("twine") is None:
        pytest.skip("twine is not installed")
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_the_sdist_is_self_contained_and_its_tests_run(sdist: Path, tmp_path: Path) -> None:
    """A packager unpacks the sdist and runs its tests: everything they read is inside."""
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (top,) = tmp_path.iterdir()
    for needed in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "scripts/gen_cli_docs.py",
                   "routines/scalp-sleep.yaml", "tests/conftest.py", "docs/cli.md", "src/headrub/cli.py"):
        assert (top / needed).is_file(), f"{needed} is missing from the sdist"
    tests = ["tests/test_clock.py", "tests/test_docs.py", "tests/test_routine_cli.py::test_help_on_every_command"]
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
                          cwd=top, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]


def test_python_dash_m_headrub_runs_the_program() -> None:
    """``python -m headrub --version`` works like the ``headrub`` command."""
    done = subprocess.run([sys.executable, "-m", "headrub", "--version"], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"headrub {version('headrub')}\n"


def test_readme_links_work_on_a_package_index_page() -> None:
    """README links and images are absolute: a package index shows the README without the repository around it."""
    if not (ROOT / "README.md").is_file():
        pytest.skip("not running from a source checkout")
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    relative = [t for t in targets if not t.startswith(("https://", "http://", "#"))]
    assert targets and not relative, f"relative links in README.md: {relative}"
