"""Finding routine files by name: the built-in and user folders, shadowing, close-match hints.

Kept apart from ``headrub.loader`` so that ``list``, which reads cached summaries, and
completion never import PyYAML or the checker just to see which files exist.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from headrub import paths
from headrub.errors import RoutineNotFound, UsageError
from headrub.routine import is_valid_name

if TYPE_CHECKING:
    from headrub.routine import Routine

SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Found:
    """A routine file found by name: where it is, whose it is, and whether it shadows a built-in."""

    name: str
    path: Path
    source: str  # "built-in" or "user"
    shadows: bool = False


def _files(folder: Path) -> Iterator[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.suffix in SUFFIXES and is_valid_name(entry.stem) and entry.is_file():
            yield entry


def discover() -> list[Found]:
    """Every routine by name, user files shadowing built-ins, sorted by name."""
    found: dict[str, Found] = {}
    for path in _files(paths.builtin_routines_dir()):
        found.setdefault(path.stem, Found(path.stem, path, "built-in"))
    for path in _files(paths.user_routines_dir()):
        if path.stem in found and found[path.stem].source == "user":
            continue  # NAME.yaml wins over NAME.yml
        shadows = path.stem in found
        found[path.stem] = Found(path.stem, path, "user", shadows)
    return [found[name] for name in sorted(found)]


def unlisted() -> list[tuple[Path, str]]:
    """Files in the user folder that look like routines but are not found by name, each with the reason.

    ``discover`` passes them over on purpose (a routine's name is its file name); ``list`` says so,
    so a file made by hand does not vanish without a word.
    """
    folder = paths.user_routines_dir()
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    skipped: list[tuple[Path, str]] = []
    for entry in entries:
        if entry.suffix not in SUFFIXES or entry.name.startswith("."):
            continue
        if not is_valid_name(entry.stem):
            skipped.append((entry, "its file name is no routine name (lower-case letters, digits and '-'; e.g. my-rub.yaml)"))
        elif entry.suffix == ".yml" and (folder / f"{entry.stem}.yaml").is_file():
            skipped.append((entry, f"{entry.stem}.yaml has the same name and is the one used"))
    return skipped


def locate(name: str) -> Found:
    """The file behind a routine name; raises ``RoutineNotFound`` naming the close matches."""
    known = discover()
    for item in known:
        if item.name == name:
            return item
    names = [item.name for item in known]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    close += [n for n in names if name and (n.startswith(name) or name in n) and n not in close][:3]
    hint = f" — did you mean {', '.join(close[:3])}?" if close else ""
    raise RoutineNotFound(f"unknown routine {name!r}{hint} ('headrub list' shows them all)")


def is_path_argument(argument: str) -> bool:
    """CONTRACT §3: a path when it contains ``/`` or ends in ``.yaml``/``.yml``."""
    return "/" in argument or argument.endswith(SUFFIXES) or (Path(argument).anchor != "" and "\\" in argument)


def name_from_file(stem: str) -> str:
    """A routine name made from a file name, for a file run by path: ``My_Test`` is ``my-test``."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")  # Été → Ete
    name = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:64].rstrip("-")
    return name if is_valid_name(name) else "custom"


def resolve_with(argument: str, load: Callable[..., Routine]) -> Routine:
    """A routine from a name or a path, as ``start`` takes it, read by ``load(path, name=..., source=...)``."""
    if is_path_argument(argument):
        path = Path(argument).expanduser()
        return load(path, name=name_from_file(path.stem), source="user")
    if not is_valid_name(argument):
        raise UsageError(
            f"{argument!r} is not a routine name (lower-case letters, digits and '-'); "
            "give a path with '/' or ending in .yaml to run a file"
        )
    item = locate(argument)
    return load(item.path, name=item.name, source=item.source)
