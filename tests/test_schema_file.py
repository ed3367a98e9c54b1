"""``headrub schema --output`` and the schema modeline ``headrub new`` writes, so editors find the schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml
from typer.testing import CliRunner, Result

from headrub import schema_file
from headrub.cli import app
from headrub.routine_spec import SCHEMA_ID, json_schema


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def modeline_target(routine: Path) -> Path:
    """The schema path the first line of ``routine`` points the YAML language server at."""
    first = routine.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first.startswith(prefix), first
    return Path(first[len(prefix):])


def test_schema_prints_the_specification_with_a_versioned_id() -> None:
    """Without --output the schema goes to stdout; its $id is URL-shaped and names the format version."""
    result = run("schema")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    assert printed == json_schema()
    assert printed["$id"] == SCHEMA_ID
    assert SCHEMA_ID.startswith("https://") and SCHEMA_ID.endswith("routine-format-1.json")
    assert "invalid" not in SCHEMA_ID
    jsonschema.Draft202012Validator.check_schema(printed)
    jsonschema.Draft7Validator.check_schema(printed)  # editors whose YAML server knows draft 7 only


def test_schema_output_writes_a_file_and_prints_its_path(tmp_path: Path) -> None:
    """``--output PATH`` writes the same document to PATH (folders made) and prints the path."""
    target = tmp_path / "deep" / "schema.json"
    result = run("schema", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{target}\n"
    assert json.loads(target.read_text(encoding="utf-8")) == json_schema()


def test_schema_output_dash_is_stdout() -> None:
    """``--output -`` prints, as with no option."""
    result = run("schema", "--output", "-")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json_schema()


def test_schema_output_to_a_folder_names_the_file_by_format(tmp_path: Path) -> None:
    """``--output FOLDER`` writes FOLDER/routine-format-1.json."""
    result = run("schema", "-o", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{tmp_path / 'routine-format-1.json'}\n"
    assert (tmp_path / "routine-format-1.json").is_file()


def test_schema_output_replaces_an_older_schema_but_never_another_file(tmp_path: Path) -> None:
    """An older headrub schema is replaced; any other file at PATH is kept and the command exits 2."""
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"$id": SCHEMA_ID, "title": "older"}), encoding="utf-8")
    assert run("schema", "-o", str(old)).exit_code == 0
    assert json.loads(old.read_text(encoding="utf-8")) == json_schema()
    mine = tmp_path / "mine.yaml"
    mine.write_text("title: mine\n", encoding="utf-8")
    result = run("schema", "-o", str(mine))
    assert result.exit_code == 2
    assert result.stderr == f"headrub: {mine} exists and is not a headrub schema; it is left as it is (choose another path)\n"
    assert mine.read_text(encoding="utf-8") == "title: mine\n"


def test_schema_output_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    """A path under a file cannot be written: one line naming it, exit 1."""
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = run("schema", "-o", str(blocker / "schema.json"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"headrub: cannot write the schema to {blocker / 'schema.json'}: ")
    assert len(result.stderr.splitlines()) == 1


def test_new_points_the_routine_at_the_written_schema(isolated_dirs: tuple[Path, Path]) -> None:
    """``new`` writes the standard schema file first; the routine's first line resolves to it."""
    config, _ = isolated_dirs
    result = run("new", "demo")
    assert result.exit_code == 0, result.stderr
    routine = Path(result.stdout.strip())
    target = modeline_target(routine)
    assert target == (config / "schemas" / "routine-format-1.json").resolve() == schema_file.default_path().resolve()
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert schema == json_schema()
    data = yaml.safe_load(routine.read_text(encoding="utf-8"))  # the template holds no YAML 1.1/1.2 differences
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["format"] == 1
    assert run("validate", str(routine)).exit_code == 0


def test_new_from_a_routine_with_a_modeline_keeps_one(isolated_dirs: tuple[Path, Path]) -> None:
    """Copying a routine that already has a modeline replaces it rather than stacking two."""
    assert run("new", "first").exit_code == 0
    result = run("new", "second", "--from", "first")
    assert result.exit_code == 0, result.stderr
    text = Path(result.stdout.strip()).read_text(encoding="utf-8")
    assert text.count("yaml-language-server") == 1
    assert text.startswith("# yaml-language-server: $schema=")


def test_modeline_goes_after_a_bom_and_leaves_utf16_alone(tmp_path: Path) -> None:
    """A UTF-8 BOM stays first; UTF-16 text is copied untouched (a comment in UTF-8 would break it)."""
    schema = tmp_path / "s.json"
    marked = schema_file.with_modeline(b"\xef\xbb\xbftitle: x\n", schema)
    assert marked.startswith(b"\xef\xbb\xbf# yaml-language-server: $schema=")
    assert marked.endswith(b"\ntitle: x\n")
    wide = "title: x\n".encode("utf-16")
    assert schema_file.with_modeline(wide, schema) == wide


def test_new_without_a_writable_schema_folder_still_writes_the_routine(isolated_dirs: tuple[Path, Path]) -> None:
    """A file where the schemas folder should be: the routine is written with no modeline, and a warning says why."""
    config, _ = isolated_dirs
    config.mkdir(parents=True)
    (config / "schemas").write_text("in the way", encoding="utf-8")
    result = run("new", "demo")
    assert result.exit_code == 0, result.stderr
    routine = Path(result.stdout.strip())
    assert routine.read_text(encoding="utf-8").startswith("# A headrub routine.")
    assert result.stderr.startswith("headrub: warning: cannot write the schema to ")
    assert result.stderr.endswith("; the routine is written without the line that points editors at it\n")
    assert run("validate", str(routine)).exit_code == 0
