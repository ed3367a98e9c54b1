#!/usr/bin/env python3
"""headrub's benchmark suite: ``python bench/run.py [--quick] [-v] [--only SECTION,...] [--out FILE]``.

The figures live in the ``bench`` package beside this file, one module per family (start-up,
journal, live sessions, peers), sharing ``bench.common``; ``bench/README.md`` says what each
measures and docs/performance.md gives the latest full run.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    # Run as a script, this folder comes first on sys.path, where bench/terminal.py and friends
    # would shadow the standard library's modules of the same name: the repository goes there.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)
    from bench.main import main

    sys.exit(main())
