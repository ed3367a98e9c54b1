"""The peers headrub is measured against, installed on demand into cached virtual environments.

Each peer is found, in this order: a path given with ``--peer NAME=PATH``; its script on
``PATH``; a virtual environment cached at ``$TMPDIR/headrub-bench-peers/NAME``, made with pip
the first time. A peer that cannot be had says why, and its rows read "not run"; after a
failed install the script waits an hour before trying again.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import log

# name: (PyPI package, console script, the section whose figures it joins)
PEERS: dict[str, tuple[str, str, str]] = {
    "countdown-cli": ("countdown-cli", "countdown", "live"),
    "termdown": ("termdown", "termdown", "live"),
    "jrnl": ("jrnl", "jrnl", "journal"),
    "watson": ("td-watson", "watson", "journal"),
}


@dataclass
class Peer:
    """A peer program: how to run it, or why it cannot be run."""

    name: str
    argv: list[str] | None
    why: str = ""
    version: str | None = None


def _usable(name: str, script: Path) -> Peer | None:
    """The peer at ``script`` if it answers ``--version``; None when there is no such file."""
    if not script.is_file():
        return None
    head = script.read_bytes()[:200]
    interp = head.split(b"\n", 1)[0][2:].decode().strip() if head.startswith(b"#!") else ""
    argv = [interp, str(script)] if interp and Path(interp).is_file() else [str(script)]
    try:
        out = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        return Peer(name, None, f"{script} does not run: {err}")
    if out.returncode != 0:
        return Peer(name, None, f"{script} --version failed: {out.stderr.strip()[-200:]}")
    version = (out.stdout.strip() or out.stderr.strip()).splitlines()[:1]
    return Peer(name, argv, "", version[0] if version else None)


def cache_root() -> Path:
    return Path(tempfile.gettempdir()) / "headrub-bench-peers"


def find_peer(name: str, explicit: str | None = None) -> Peer:
    """The peer ``name`` (a key of ``PEERS``), found or installed; see the module docstring."""
    package, script_name, _ = PEERS[name]
    if explicit:
        return _usable(name, Path(explicit)) or Peer(name, None, f"--peer {name}={explicit}: no such file")
    found = shutil.which(script_name)
    if found:
        got = _usable(name, Path(found))
        if got and got.argv:
            return got
    venv = cache_root() / name
    script = venv / "bin" / script_name
    failed = cache_root() / f"{name}.failed"
    if not script.is_file():
        if failed.is_file() and time.time() - failed.stat().st_mtime < 3600:
            return Peer(name, None, failed.read_text().strip() + f" (not retried for an hour: delete {failed} to retry)")
        log(f"  installing {package} into {venv} (once; pip needs the network)")
        why = ""
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True,
                           text=True, timeout=300)
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--retries", "1",
                            "--timeout", "15", package], check=True, capture_output=True, text=True, timeout=900)
        except subprocess.CalledProcessError as err:
            last = (err.stderr or err.stdout or "").strip().splitlines()[-1:] or [str(err)]
            why = f"could not install {package} into {venv}: {last[0][:200]}"
        except (OSError, subprocess.TimeoutExpired) as err:
            why = f"could not install {package} into {venv}: {err}"
        if why:
            failed.parent.mkdir(parents=True, exist_ok=True)
            failed.write_text(why + "\n")
            return Peer(name, None, why)
        failed.unlink(missing_ok=True)
    return _usable(name, script) or Peer(name, None, f"{script_name} missing from {venv}")


def find_peers(sections: list[str], explicit: dict[str, str], skip: bool) -> dict[str, Peer]:
    """Every peer whose section is being run: found, installed, or the reason it is not run."""
    peers: dict[str, Peer] = {}
    for name, (_, _, section) in PEERS.items():
        if section not in sections and "startup" not in sections:
            continue
        peers[name] = Peer(name, None, "skipped (--no-peers)") if skip else find_peer(name, explicit.get(name))
    return peers


def not_run(peers: dict[str, Peer], name: str) -> str:
    """Why ``name`` has no figures in this run."""
    peer = peers.get(name)
    return peer.why if peer is not None else "not asked for in this run"
