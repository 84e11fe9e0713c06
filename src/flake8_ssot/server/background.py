"""The workspace check of `ssot server` gives way to the editor.

The check at start is `ssot check` over the workspace folders: seconds to minutes of Python
work. Run in a thread of the server it shares the interpreter lock with the event loop, and an
edit's check then waits behind it (round 6: 40-90 ms for an edit that takes 10-25 ms alone;
a file that takes the check a second holds the lock in turns the whole second). So:

- a workspace of more than LARGE_BYTES of Python is checked by a child process (this file run
  as a script: it imports the checker, not pygls, which would cost it about a second). It
  stays for the session's later checks (a `workspace/diagnostic` request, a recount after a
  save), with its project index and caches warm. The server's thread only reads what it
  sends: progress, then the results in chunks, each unpickled when no editor work is waiting.
  On Linux it is paused (SIGSTOP) for the length of each of the editor's checks: on a busy
  machine the check would otherwise share a core with it. It ends with the session:
  `shutdown` kills it, the kernel kills it when the server dies (even paused), and it exits
  when its standard input (a pipe from the server) closes;
- a smaller one is checked in the thread, which waits between files while the editor works.

`Yielding` is how the session says it works: for the length of a check (`foreground`), and
from an edit until its check is due (`expect`, the debounce): the thread then stops at its next
file (or chunk of results), so it is not in the middle of one when the check starts.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # run as a script by the server: its folder is no place to import from

import asyncio
import logging
import pickle
import signal
import subprocess
import threading
import time
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from flake8_ssot.checking import check_paths
from flake8_ssot.checking.runner import FileResult
from flake8_ssot.config import ConfigError
from flake8_ssot.config.resolve import Configurations, Overrides

logger = logging.getLogger("flake8_ssot.server.background")  # its name in the child too (there __main__)

# Above this much Python (source files under the folders, hidden folders left out) the
# workspace is checked in a child process (starting one costs about 0.15 s of CPU, on the
# other core). Below it the thread checks no file larger than this: about 800 lines, some
# 30 ms of work that an edit landing in the middle of it waits for.
LARGE_BYTES = 32 * 1024
LARGE_FILES = 10_000  # files of any kind seen on the way: large too (counting stops there)
# How long after an edit its check may start late (a busy loop) before the workspace check
# goes on without waiting for it: a check that never comes stops it no longer than this.
EXPECT_SLACK_SECONDS = 0.5
RESULTS_PER_CHUNK = 500  # unpickling 500 results takes about 1.5 ms
PROGRESS_PER_SECOND = 20  # the child's progress messages (the server shows at most 10 a second)


class Yielding:
    """Is the editor's work waiting? The session says so (`foreground`, `expect`, `done`);
    the workspace check's thread asks (`wait`) between files, and `on_change(working)` hears
    when foreground work starts and ends (the child process is paused for its length: a
    signal stops it at once, so it needs no lead time, and runs through the debounce)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._working = 0  # foreground sections running now
        self._expected: dict[str, float] = {}  # uri -> when its debounced check is late
        self._busy = False
        self.on_change: Callable[[bool], None] | None = None

    @contextmanager
    def foreground(self) -> Iterator[None]:
        """The editor's work (a check): the workspace check waits until it ends."""
        with self._condition:
            self._working += 1
            self._changed()
            if self._working == 1 and self.on_change is not None:
                self.on_change(True)
        try:
            yield
        finally:
            with self._condition:
                self._working -= 1
                self._changed()
                if self._working == 0 and self.on_change is not None:
                    self.on_change(False)

    def expect(self, key: str, seconds: float) -> None:
        """`key`'s check is due in `seconds` (the debounce of an edit): the workspace check
        stops now, at its next file, rather than in the middle of one when the check starts."""
        with self._condition:
            self._expected[key] = time.monotonic() + seconds + EXPECT_SLACK_SECONDS
            self._changed()

    def done(self, key: str) -> None:
        """`key`'s check ran (or was called off)."""
        with self._condition:
            if self._expected.pop(key, None) is not None:
                self._changed()

    def announce(self) -> None:
        """Tell `on_change` whether foreground work runs now (a new listener's first news)."""
        with self._condition:
            if self.on_change is not None:
                self.on_change(bool(self._working))

    def wait(self) -> None:
        """In the workspace check's thread: return once no editor work is running or due."""
        with self._condition:
            while self._changed():
                now = time.monotonic()
                self._condition.wait(min(self._expected.values(), default=now + 1.0) - now)

    def _changed(self) -> bool:
        """(Holding the condition.) Whether editor work is running or due (an edit whose check
        is late counts no more), waking those who wait when it no longer is."""
        now = time.monotonic()
        if any(late <= now for late in self._expected.values()):
            self._expected = {key: late for key, late in self._expected.items() if late > now}
        busy = bool(self._working or self._expected)
        if busy != self._busy:
            self._busy = busy
            if not busy:
                self._condition.notify_all()
        return busy


class BackgroundCheck:
    """The workspace checks of one session: here (the server's thread) while the workspace is
    small, in a child process that stays for the session's later checks once it is large (its
    index and caches stay warm there, as they would here).

    On Linux the child is also paused (SIGSTOP) while the editor's own work runs (a check), so
    that it has the machine to itself, and resumed (SIGCONT) after it. It is started
    from the event loop's thread (the main thread, which lives as long as the server) and asks
    the kernel to kill it when that thread ends: a paused child cannot watch for its parent.
    """

    def __init__(self) -> None:
        self.yielding = Yielding()
        self.yielding.on_change = self._pause
        self.closed = False
        self._child: subprocess.Popen | None = None
        self._pausable = False  # the child dies with the server even when paused
        self._paused = False
        self._use_child = True  # until a child fails: then the thread checks, for the session
        self._lock = threading.Lock()  # one check at a time
        # The names the tree gives the factory-only classes, as the last check found them
        # (`tree_names`; server/renamed.py keeps them right until the next).
        self.renamed: dict = {}
        self._guard = threading.Lock()  # `_child`, `closed` and pausing, between the check, `close` and the loop

    def run(self, folders: Sequence[str], report: Callable[[int, int], None],
            loop: asyncio.AbstractEventLoop | None = None) -> dict[str, FileResult]:
        """Each folder as `ssot check FOLDER` from it (in the check's thread; `loop`: the
        server's event loop, which starts the child)."""
        with self._lock:
            if self._use_child and (self._child is not None or is_large(folders, LARGE_BYTES)):
                try:
                    return self._in_child(self._started(loop), folders, report)
                except (OSError, ValueError, RuntimeError, pickle.UnpicklingError) as error:
                    self._stop()  # what it sends next is not to be trusted
                    if self.closed:
                        return {}
                    logger.warning("the workspace check's process failed; the server checks the workspace itself "
                                   "from now on: %s", error)
                    self._use_child = False
            yielding = self.yielding

            def between_files(done: int, total: int) -> None:
                yielding.wait()
                report(done, total)

            renamed: dict = {}
            results = check_folders(folders, between_files, renamed)
            self.renamed = renamed
            return results

    def _started(self, loop: asyncio.AbstractEventLoop | None) -> subprocess.Popen:
        """The child, started if need be (it is this file, run as a script)."""
        with self._guard:
            if self.closed:
                raise RuntimeError("the session is over")
            if self._child is not None and self._child.poll() is None:
                return self._child
        pausable = loop is not None and sys.platform.startswith("linux")
        command = [sys.executable, os.path.abspath(__file__), str(os.getpid()), "pausable" if pausable else "-",
                   *_log_arguments()]

        def start() -> subprocess.Popen:
            return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

        if pausable:  # from the loop's thread: its end is the server's end
            child = asyncio.run_coroutine_threadsafe(_call(start), loop).result(timeout=60)
        else:
            child = start()
        try:
            # The child says when the kernel will kill it with the server: only then may it
            # be paused (paused before, it could outlive a server killed meanwhile).
            ready = pickle.load(child.stdout)
        except EOFError:
            ready = None
        with self._guard:
            if self.closed or ready is None:
                child.kill()
                child.wait()
                raise RuntimeError("the session is over" if self.closed else
                                   f"the workspace check's process ended at its start (exit code {child.returncode})")
            self._child, self._pausable, self._paused = child, ready == ("ready", True), False
        logger.info("checking the workspace in a child process (pid %d%s)", child.pid,
                    ", paused while the editor's checks run" if self._pausable else "")
        self.yielding.announce()  # an editor's check that runs now pauses it
        return child

    def _pause(self, working: bool) -> None:
        """`Yielding.on_change`: pause the child while the editor's work runs, resume it after."""
        with self._guard:
            child = self._child
            if child is None or not self._pausable or working == self._paused:
                return
            try:
                os.kill(child.pid, signal.SIGSTOP if working else signal.SIGCONT)
            except OSError:  # it has ended: the check's thread hears of it
                return
            self._paused = working

    def _in_child(self, child: subprocess.Popen, folders: Sequence[str],
                  report: Callable[[int, int], None]) -> dict[str, FileResult]:
        pickle.dump(list(folders), child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        child.stdin.flush()
        results: dict[str, FileResult] = {}
        while True:
            try:
                message = pickle.load(child.stdout)
            except EOFError:
                if self.closed:
                    return {}  # killed by `close`: the session is over
                raise RuntimeError(f"the workspace check's process ended (exit code {child.wait()})") from None
            if message[0] == "progress":
                report(message[1], message[2])
            elif message[0] == "results":
                self.yielding.wait()  # unpickling takes the interpreter lock: after the editor's work
                results.update(pickle.loads(message[1]))
            elif message[0] == "renamed":
                self.renamed = message[1]
            elif message[0] == "error":
                raise RuntimeError(f"the workspace check's process failed:\n{message[1]}")
            else:  # "done"
                return results

    def close(self) -> None:
        """The session ends: so does the child, even in the middle of a check (or paused)."""
        with self._guard:
            self.closed = True
        self._stop()

    def _stop(self) -> None:
        with self._guard:
            child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()


async def _call(function: Callable[[], Any]) -> Any:
    return function()


def _log_arguments() -> list[str]:
    """The child logs where the server does (`ssot server --log-file`, else standard error,
    which it shares), at the server's level: [level, file or "-"]."""
    level = logging.getLevelName(logging.getLogger("flake8_ssot").getEffectiveLevel())
    files = [handler.baseFilename for handler in logging.getLogger().handlers
             if isinstance(handler, logging.FileHandler)]
    return [str(level), files[0] if files else "-"]


def check_folders(folders: Sequence[str], report: Callable[[int, int], None],
                  renamed: dict | None = None) -> dict[str, FileResult]:
    """Each folder as `ssot check FOLDER` from it, in this process. `renamed`, if given,
    receives the names the trees give their factory-only classes (`tree_names`)."""
    configurations = Configurations(None, Overrides())
    results: dict[str, FileResult] = {}
    for folder in folders:
        try:
            outcome = check_paths([folder], configurations, folder, jobs=1, cache_dir="", progress=report)
        except ConfigError as error:
            logger.warning("not checking %s: %s", folder, error)
            continue
        for result in outcome.results:
            results[result.path] = result
    if renamed is not None:
        renamed.update(tree_names(configurations))
    return results


def tree_names(configurations: Configurations) -> dict:
    """roots -> the factory-only classes' names -> every name the tree gives them, for the
    buffers' checks (server/renamed.py): the names the check's cache kept while they hold
    (it has just read every file it checked), else one read of the tree."""
    from flake8_ssot.checking.cache import Cache, default_cache_dir
    from flake8_ssot.checking.renamed import class_names, names_of_tree
    from flake8_ssot.index import index_for

    found: dict = {}
    for config in configurations.configs:
        key = class_names(config)
        roots = tuple(config.src)
        if config.is_empty or not key or key in found.get(roots, {}):
            continue
        directory = default_cache_dir(config)
        cache = Cache(directory, config, configurations.overrides.key()) if os.path.isdir(directory) else None
        found.setdefault(roots, {})[key] = names_of_tree(index_for(roots), key, cache)
    return found


def is_large(folders: Sequence[str], limit: int) -> bool:
    """Do the folders hold more than `limit` bytes of Python source, or more than
    LARGE_FILES files of any kind? (It stops counting there.)"""
    total = seen = 0
    for folder in folders:
        for directory, subdirectories, files in os.walk(folder):
            subdirectories[:] = [name for name in subdirectories if not name.startswith(".") and name != "__pycache__"]
            seen += len(files)
            if seen > LARGE_FILES:  # a tree this size is large whatever it holds (node_modules, data)
                return True
            for name in files:
                if name.endswith((".py", ".pyi")):
                    try:
                        total += os.stat(os.path.join(directory, name)).st_size
                    except OSError:
                        continue
                    if total > limit:
                        return True
    return False


def _child(parent: int, pausable: bool, level: str = "WARNING", log_file: str = "-") -> int:
    """The child process: for each list of folders read from standard input, check them and
    send progress and results to standard output; end with the input, or with the server."""
    requests, channel = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write to the channel
    handler = logging.FileHandler(log_file) if log_file != "-" else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s %(name)s [pid {os.getpid()}]: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("flake8_ssot").setLevel(level if level in ("ERROR", "WARNING", "INFO", "DEBUG") else "WARNING")
    if pausable:  # started by the server's main thread: the kernel kills us when it ends
        try:
            import ctypes

            PR_SET_PDEATHSIG = 1
            pausable = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL) == 0
        except (OSError, AttributeError):
            pausable = False  # the server must not pause a child that could outlive it
    if os.getppid() != parent:  # it ended before that took effect
        return 1

    def exit_with_parent() -> None:  # killed, the server closes no pipe of ours in time
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=exit_with_parent, daemon=True).start()

    def send(message: tuple) -> None:
        pickle.dump(message, channel, protocol=pickle.HIGHEST_PROTOCOL)
        channel.flush()

    send(("ready", pausable))

    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - last[0] >= 1 / PROGRESS_PER_SECOND:
            last[0] = now
            send(("progress", done, total))

    while True:
        try:
            folders = pickle.load(requests)
        except EOFError:  # the server closed the pipe
            return 0
        renamed: dict = {}
        try:
            results = list(check_folders(folders, progress, renamed).items())
        except Exception:
            send(("error", traceback.format_exc()))
            continue
        for start in range(0, len(results), RESULTS_PER_CHUNK):
            chunk = dict(results[start:start + RESULTS_PER_CHUNK])
            send(("results", pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)))
        send(("renamed", renamed))
        send(("done",))


if __name__ == "__main__":
    sys.exit(_child(int(sys.argv[1]), sys.argv[2] == "pausable", *sys.argv[3:5]))
