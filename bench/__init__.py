"""headrub's benchmark suite as a package: one module per family of figures, one shared runner.

``common``     the table, timing a child process, the environment every child gets
``startup``    start-up and spawn → first cue, against a hello-world Typer app
``journal``    synthetic journals and headrub's commands over them, with jrnl and Watson
``terminal``   programs in pseudo-terminals: markers, the rusage reaper, jobs and lanes
``live``       live sessions: CPU per minute, bytes, memory, accuracy, keys, with the peers
``peers``      countdown-cli, termdown, jrnl and Watson, installed on demand into cached venvs
``main``       the command line
"""
