"""A tiny job-control shell for PTY tests.

It runs a command in its own foreground process group on the terminal it was
given (as a real shell does, so Ctrl-C and Ctrl-Z reach only the command and
a stop is not discarded as it would be in an orphaned group), continues it
after a stop, and writes what a test needs to know as JSON: the exit status,
whether the terminal's settings after equal those before, how often it
stopped, and the CPU seconds the command used.

Usage: python pty_shell.py RESULT.json CONTINUE_AFTER_S COMMAND...
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import termios
import time


def main() -> None:
    """Run the command, continuing it after each stop, and report."""
    result, continue_after, command = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    fd = sys.stdin.fileno()
    before = termios.tcgetattr(fd)
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTSTP, signal.SIG_IGN)
    pid = os.fork()
    if pid == 0:
        os.setpgid(0, 0)
        os.tcsetpgrp(fd, os.getpgrp())
        for signum in (signal.SIGTTOU, signal.SIGINT, signal.SIGTSTP):
            signal.signal(signum, signal.SIG_DFL)
        os.execvp(command[0], command)
    with contextlib.suppress(OSError):  # the child may have done it already
        os.setpgid(pid, pid)
    with open(result + ".pid", "w") as handle:
        handle.write(str(pid))
    stops = 0
    while True:
        _, status, usage = os.wait4(pid, os.WUNTRACED)
        if os.WIFSTOPPED(status):
            stops += 1
            os.tcsetpgrp(fd, os.getpgrp())
            time.sleep(continue_after)
            os.tcsetpgrp(fd, pid)
            os.killpg(pid, signal.SIGCONT)
            continue
        break
    after = termios.tcgetattr(fd)
    with open(result, "w") as handle:
        json.dump(
            {
                "code": os.waitstatus_to_exitcode(status),
                "same_termios": before == after,
                "stops": stops,
                "cpu": usage.ru_utime + usage.ru_stime,
            },
            handle,
        )


if __name__ == "__main__":
    main()
