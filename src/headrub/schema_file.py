"""The routine schema as a file editors read: where it lives, writing it, and the modeline pointing at it.

``headrub schema --output PATH`` writes it anywhere; ``headrub new`` keeps the
standard copy, ``<config>/schemas/routine-format-N.json``, up to date and points
the new routine's first line at it, so the YAML language server (VS Code,
Neovim) completes and checks the file with no setup.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from headrub import paths
from headrub.errors import HeadrubError, UsageError
from headrub.routine import FORMAT_VERSION

FILE_NAME = f"routine-format-{FORMAT_VERSION}.json"
MODELINE_PREFIX = b"# yaml-language-server: $schema="


def default_path() -> Path:
    """The standard place: ``<config>/schemas/routine-format-1.json`` (one file a format version)."""
    return paths.config_dir() / "schemas" / FILE_NAME


def text() -> str:
    """The schema as the JSON text ``headrub schema`` prints."""
    from headrub.routine_spec import json_schema

    return json.dumps(json_schema(), indent=2) + "\n"


def write(target: Path | None = None) -> Path:
    """Write the schema to ``target`` (a file, or a folder to put ``FILE_NAME`` in; default ``default_path()``).

    Left alone when it already holds exactly this schema; otherwise replaced whole
    (a temporary file renamed over it), so an editor never reads half a schema.
    Raises ``HeadrubError`` naming the path when it cannot be written.
    """
    path = default_path() if target is None else target.expanduser()
    if path.is_dir():
        path = path / FILE_NAME
    content = text().encode("utf-8")
    try:
        if path.is_file():
            old = path.read_bytes()
            if old == content:
                return path
            if not _is_our_schema(old):
                raise UsageError(f"{path} exists and is not a headrub schema; it is left as it is (choose another path)")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise HeadrubError(f"cannot write the schema to {path}: {err.strerror or err}") from None
    return path


def _is_our_schema(data: bytes) -> bool:
    """True for a schema headrub wrote (any format version), which may be replaced by this one."""
    from headrub.routine_spec import SCHEMA_ID

    try:
        found = json.loads(data)
    except ValueError:
        return False
    return isinstance(found, dict) and str(found.get("$id", "")).startswith(SCHEMA_ID.rsplit("/", 1)[0] + "/")


def modeline(schema: Path) -> bytes:
    """The first line that points the YAML language server at ``schema`` (an absolute path)."""
    return MODELINE_PREFIX + schema.resolve().as_posix().encode("utf-8") + b"\n"


def with_modeline(content: bytes, schema: Path) -> bytes:
    """``content`` with the modeline as its first line (replacing an old one); UTF-16/32 text is left as it is."""
    bom = b"\xef\xbb\xbf" if content.startswith(b"\xef\xbb\xbf") else b""
    body = content[len(bom):]
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return content  # not UTF-8 (a copy of a UTF-16 routine): copied untouched
    if body.startswith(MODELINE_PREFIX):
        body = body.split(b"\n", 1)[1] if b"\n" in body else b""
    return bom + modeline(schema) + body
