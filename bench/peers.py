"""The peers, installed on demand into cached virtual environments."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import log

# termdown


@dataclass
class Termdown:
    argv: list[str] | None
    why: str = ""
    version: str | None = None


def find_termdown(explicit: str | None, skip: bool) -> Termdown:
    """termdown from --termdown, PATH, or a venv cached in the temp folder (installed once with pip)."""
    if skip:
        return Termdown(None, "skipped (--no-termdown)")

    def usable(script: Path) -> Termdown | None:
        if not script.is_file():
            return None
        head = script.read_bytes()[:200]
        interp = head.split(b"\n", 1)[0][2:].decode().strip() if head.startswith(b"#!") else ""
        argv = [interp, str(script)] if interp and Path(interp).is_file() else [str(script)]
        try:
            out = subprocess.run([*argv, "--version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as err:
            return Termdown(None, f"{script} does not run: {err}")
        if out.returncode != 0:
            return Termdown(None, f"{script} --version failed: {out.stderr.strip()[-200:]}")
        return Termdown(argv, "", out.stdout.strip())

    if explicit:
        return usable(Path(explicit)) or Termdown(None, f"--termdown {explicit}: no such file")
    found = shutil.which("termdown")
    if found:
        got = usable(Path(found))
        if got and got.argv:
            return got
    venv = Path(tempfile.gettempdir()) / "headrub-bench-termdown"
    script = venv / "bin" / "termdown"
    failed = venv.parent / "headrub-bench-termdown.failed"
    if not script.is_file():
        if failed.is_file() and time.time() - failed.stat().st_mtime < 3600:
            return Termdown(None, failed.read_text().strip() + f" (not retried for an hour: delete {failed} to retry)")
        log(f"  installing termdown into {venv} (once; pip needs the network)")
        why = ""
        try:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True,
                           text=True, timeout=300)
            subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--retries", "1",
                            "--timeout", "15", "termdown"], check=True, capture_output=True, text=True, timeout=600)
        except subprocess.CalledProcessError as err:
            last = (err.stderr or err.stdout or "").strip().splitlines()[-1:] or [str(err)]
            why = f"could not install termdown into {venv}: {last[0][:200]}"
        except (OSError, subprocess.TimeoutExpired) as err:
            why = f"could not install termdown into {venv}: {err}"
        if why:
            failed.write_text(why + "\n")
            return Termdown(None, why)
        failed.unlink(missing_ok=True)
    return usable(script) or Termdown(None, f"termdown missing from {venv}")

