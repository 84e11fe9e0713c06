"""`python -m flake8_ssot ARGS` without paying Python's start-up and the checker's imports
for each command the tests run (a third of a second each, hundreds of commands).

One process per test process imports the checker once and then forks a child per command:
the child sets the command's directory, environment, standard streams and argv and runs
`flake8_ssot` as `python -m` runs it (`runpy`, `__main__`), then exits as that process would
(SystemExit's status, atexit handlers, a traceback for an uncaught exception; `_exit`). Each command still
starts from a process that has run nothing, so the per-process state of a run (configuration
discovery, the project index, the replay's notes) never leaks from one command into the next,
as with a new interpreter; only the imports are shared. The imports ran under the environment
the preloaded process was started with: a command with another environment (a test that set
a variable) gets a new interpreter instead (`projects.ssot`).

Run by `projects.ssot` as `python -c` (so `sys.path[0]` is the command's directory, as under
`python -m`); speaks one JSON line per command on file descriptors it is handed.
"""

from __future__ import annotations

import json
import os
import sys

# What `ssot check`, `ssot check --fix` and the other subcommands import; the server and the
# flake8 plugin have their own test processes.
PRELOAD = (
    "flake8_ssot.command", "flake8_ssot.replay", "flake8_ssot.cli", "flake8_ssot.cli.watch",
    "flake8_ssot.engine", "flake8_ssot.fixes", "flake8_ssot.checking", "flake8_ssot.checking.discovery",
    "flake8_ssot.reporters", "flake8_ssot.baseline", "flake8_ssot.rules.docs", "concurrent.futures",
    "multiprocessing",
)


def serve(requests_fd: int, replies_fd: int) -> None:
    """Answer each request line `{"args", "cwd", "env", "stdin", "stdout", "stderr"}` (the
    streams as file paths) with the child's pid, then its exit code as subprocess gives it
    (minus the signal's number for a child killed). Returns only in a child, which then runs
    the command."""
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    requests = os.fdopen(requests_fd, "r", encoding="utf-8")
    replies = os.fdopen(replies_fd, "w", encoding="utf-8")
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            requests.close()
            replies.close()
            _become(request)
            return
        replies.write(f"{pid}\n")
        replies.flush()
        _, status = os.waitpid(pid, 0)
        replies.write(f"{os.waitstatus_to_exitcode(status)}\n")
        replies.flush()
    sys.exit(0)  # the test process has gone


def _become(request: dict) -> None:
    """This child is now the command's process: its directory, environment and streams."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, path, flags in (
        (0, request["stdin"], os.O_RDONLY),
        (1, request["stdout"], os.O_WRONLY | os.O_TRUNC),
        (2, request["stderr"], os.O_WRONLY | os.O_TRUNC),
    ):
        opened = os.open(path, flags)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = ["-m", *request["args"]]


def main() -> None:
    requests_fd, replies_fd = int(sys.argv[1]), int(sys.argv[2])
    serve(requests_fd, replies_fd)
    import runpy

    try:
        # As `python -m flake8_ssot`: its __main__ ends with sys.exit(main()).
        runpy.run_module("flake8_ssot", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit_:
        code = _exit_status(exit_.code)
    except BaseException:  # what the interpreter does with an uncaught exception
        sys.excepthook(*sys.exc_info())
        code = 1
    _exit(code)


def _exit_status(code: object) -> int:
    """The status SystemExit(code) gives a Python process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _exit(code: int) -> None:
    """End as the interpreter ends a process, less the collection and teardown of every module
    object (30 ms in a forked child, whose every page it touches would be copied): the threads
    that are not daemons are waited for, the atexit handlers run, the standard streams flushed."""
    import atexit
    import threading

    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120  # as Python exits when flushing standard output fails
    os._exit(code)


if __name__ == "__main__":
    main()
