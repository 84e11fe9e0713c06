"""`ssot check --watch`: check, then check again whenever a Python file or a configuration
changes, as ruff's `--watch` does, until Ctrl-C (exit 0).

The file-system events come from watchfiles (inotify, FSEvents, ReadDirectoryChangesW; the
`watch` extra). Each check runs in a child process, the same `ssot check` without `--watch`:
the checking workers are forked, which is safe only from a process without threads, and
watchfiles watches from a thread of its own; a fresh process also starts each check from the
files on disk (configurations, the project index) with nothing held over but the cache.
Changes made while a check runs are kept by the watcher and start the next check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Sequence

CLEAR = "\x1b[2J\x1b[3J\x1b[H"  # erase the screen and its scroll-back, cursor home (as ruff clears)
WATCHED_SUFFIXES = (".py", ".pyi")
MISSING_EXTRA = "--watch needs watchfiles: pip install 'flake8-ssot[watch]'"
IDLE_MS = 200  # how long a wait for changes lasts before it starts again (the first check waits one)
DEBOUNCE_MS = 200  # one save often is several events (write, rename, chmod): one check for them


def child_arguments(argv: Sequence[str]) -> list[str]:
    """The command line without `-w`/`--watch` (also inside a group of short flags, `-qw`):
    what each check runs. Nothing after `--` is an option."""
    arguments: list[str] = []
    options = True
    for item in argv:
        if options and item == "--":
            options = False
        elif options and item in ("-w", "--watch"):
            continue
        elif options and len(item) > 2 and item[0] == "-" and item[1] != "-" and item[1:].isalpha() and "w" in item:
            item = item.replace("w", "")
        arguments.append(item)
    return arguments


def watched_places(paths: Sequence[str], config_files: Sequence[str]) -> list[str]:
    """The directories to watch: each checked directory, and the directory of each checked file
    and configuration file (an editor saves by renaming a new file over the old one, which a
    watch on the file itself would lose); none inside another."""
    directories = set()
    for place in (os.path.abspath(path) for path in [*paths, *config_files]):
        if os.path.isdir(place):
            directories.add(place)
        elif os.path.exists(place):
            directories.add(os.path.dirname(place))
    return sorted(d for d in directories if not any(d != o and d.startswith(o.rstrip(os.sep) + os.sep)
                                                    for o in directories))


class Relevant:
    """watchfiles' filter: the checked Python files and the configuration files, never the
    cache (which every check rewrites) nor what watchfiles' default filter leaves out (.git,
    __pycache__, .venv, editors' swap files)."""

    def __init__(self, paths: Sequence[str], config_files: Sequence[str], ignored_directories: Sequence[str]) -> None:
        from watchfiles import DefaultFilter

        self.default = DefaultFilter()
        self.checked = tuple(os.path.abspath(path) for path in paths)
        self.config_files = {os.path.abspath(path) for path in config_files}
        self.ignored = tuple(os.path.abspath(directory) + os.sep for directory in ignored_directories)

    def __call__(self, change, path: str) -> bool:
        if path in self.config_files:
            return True
        if path.startswith(self.ignored) or not self.default(change, path):
            return False
        if not any(path == place or path.startswith(place.rstrip(os.sep) + os.sep) for place in self.checked):
            return False
        return path.endswith(WATCHED_SUFFIXES) or os.path.basename(path) == "pyproject.toml"


def watch(argv: Sequence[str], places: Sequence[str], relevant: Relevant, cwd: str) -> int:
    """Check, then check again after each batch of changes, until Ctrl-C (exit 0)."""
    import watchfiles

    # -P (3.11+): not the current directory first on the import path, where a checked tree's own
    # `flake8_ssot` package would shadow this one (docs/command-line.md, `python -m`)
    isolated = ["-P"] if sys.version_info >= (3, 11) else []
    command = [sys.executable, *isolated, "-m", "flake8_ssot", *child_arguments(argv)]
    clear = sys.stdout.isatty()
    started = False
    try:
        # An empty batch is a wait that saw nothing: the first one says the watcher is live, so
        # the first check starts only then and an edit made during it is not missed.
        for changes in watchfiles.watch(*places, watch_filter=relevant, debounce=DEBOUNCE_MS, step=50,
                                        rust_timeout=IDLE_MS, yield_on_timeout=True):
            if not started:
                started = True
                _run(command, "Starting linter in watch mode...", clear)
            if not changes:
                continue
            shown = sorted({os.path.relpath(path, cwd) for _, path in changes})
            more = f" and {len(shown) - 3} more" if len(shown) > 3 else ""
            _run(command, f"File change detected ({', '.join(shown[:3])}{more})...", clear)
    except KeyboardInterrupt:
        return 0
    return 0


def _run(command: list[str], news: str, clear: bool) -> None:
    if clear:
        sys.stdout.write(CLEAR)
        sys.stdout.flush()
    _say(news)
    subprocess.run(command, check=False)
    _say("Watching for file changes.")


def _say(text: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
    sys.stderr.flush()
