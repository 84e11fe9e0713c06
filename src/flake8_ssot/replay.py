"""The replay of a repeated `ssot check`: when nothing the last identical command looked at has
changed, write what it wrote and exit as it exited, without importing the checker.

The run-level cache (checking/runstate.py) answers a repeated command without discovering,
reading or checking a file; such a run still imports the checker, loads its configuration and
renders the report, which on a 24,000-file tree was nearly all of a warm run's half second.
The `ssot` executable (command.py) asks this module first, and this module imports only the
smallest parts of the standard library (no `re`, no `json`: their imports alone are 15 ms).

A record is saved beside the run-level state, after a `ssot check` that only reports (no
`--fix`, `--diff`, `--watch`, `--add-noqa`, `--output-file`, `--verbose`, `--write-baseline`,
`--no-cache` or standard input: the command line decides, see cli.replay_wanted) and whose
run-level state was saved or answered, so the same rules hold: nothing changed less than 2 s
before the run, no missing path, no unreadable file or directory. It holds:

- the command's key: the tool's and Python's versions, the stat of every module of this
  package (an edited checker writes another report), the working directory, the arguments,
  the environment variables the output reads (ENVIRONMENT), whether standard output and
  error are terminals, and their encodings;
- the exit code and what was written, in order: text to standard output or error (with the
  stream's error handler), or bytes to its buffer;
- what the run-level state watched (the checked files' stats; the directories listed; the
  ignore and configuration files, present or absent, up to the root; the files the project
  index read), and the baseline file compared against.

A later command with the same key, run from the same directory, looks for its record in
`--cache-dir` when given as such and in the `.ssot_cache` of the working directory and each
directory above it (where a project's default cache is), stats everything the record watched,
exactly as the run-level state does, and when every stat is the same writes the same output.
A configuration's own `cache-dir` is not found this way: such runs take the run-level cache.
Anything missing, damaged or changed: the command runs in full (and saves a new record).

A record is input like the run-level state: whoever can write the cache directory can make a
run print anything. It never reads a file it names.
"""

from __future__ import annotations

import marshal
import os
import struct
import sys
import zlib
from array import array
from collections.abc import Callable, Sequence

from flake8_ssot import __version__

MAGIC = b"SSOTRPL1"
_LENGTH = struct.Struct("<Q")
_CODE = struct.Struct("<i")

# Every environment variable the output of `ssot check` reads (tests/test_replay.py checks the
# package for others): a record made with other values is not this command's.
ENVIRONMENT = ("NO_COLOR", "FORCE_COLOR", "CI_PROJECT_DIR", "SSOT_PARTIAL_PARSE")
CACHE_DIR_NAME = ".ssot_cache"

# What a chunk of output went to.
STDOUT, STDERR = 0, 1
# How a watched path was watched (checking/runstate.py writes these).
WATCH_STAT, WATCH_ABSENT, WATCH_EXISTS = 0, 1, 2
# Below this many files a second process costs more than half the stats saves.
MIN_FILES_TO_SPLIT = 8192


# --------------------------------------------------------------------------- the stats


def changed_stats(files: Sequence[str], times: array, sizes: array, start: int, stop: int) -> list[int] | None:
    """The positions among `files[start:stop]` whose (mtime, ctime) pair in `times` or (size,
    inode) in `sizes` differ now; None when one cannot be stat'ed (gone, or unreadable)."""
    return _changed_among(files[start:stop], start, times, sizes)


def _changed_among(paths: Sequence[str | bytes], start: int, times: array, sizes: array,
                   signal: Callable[[], None] | None = None) -> list[int] | None:
    """`changed_stats` of `paths`, the files from position `start` on; `signal()` is called at
    the first change (see `_in_two_children`)."""
    stat = os.stat
    index = 2 * start
    changed = []
    for path in paths:
        try:
            status = stat(path)
        except OSError:
            if signal is not None:
                signal()
            return None
        if (
            status.st_mtime_ns != times[index] or status.st_ctime_ns != times[index + 1]
            or status.st_size != sizes[index] or status.st_ino != sizes[index + 1]
        ):
            if signal is not None and not changed:
                signal()
            changed.append(index >> 1)
        index += 2
    return changed


def newest(times: array, count: int) -> list[int]:
    """The positions of the `count` files whose status changed last when the stats were taken
    (ties included, up to twice as many): an edit in progress is likeliest to have changed
    them again."""
    ctimes = times[1::2]
    if len(ctimes) <= count:
        return list(range(len(ctimes)))
    least = sorted(ctimes)[-count]
    return [position for position, ctime in enumerate(ctimes) if ctime >= least][:2 * count]


def watched_unchanged(watched: Sequence[Sequence]) -> bool:
    """Each entry is [path] (absent then), [path, None] (existed then) or
    [path, mtime, ctime, size, inode]; True when each is still so."""
    stat = os.stat
    for entry in watched:
        path = entry[0]
        try:
            status = stat(path)
        except (FileNotFoundError, NotADirectoryError):
            if len(entry) == 1:
                continue  # absent then, absent now
            return False
        except OSError:
            return False
        if len(entry) == 1:
            return False  # it appeared
        if len(entry) == 2:
            continue  # only its existence matters (a `.git` directory)
        _, mtime, ctime, size, ino = entry
        if (
            status.st_mtime_ns != mtime or status.st_ctime_ns != ctime
            or status.st_size != size or status.st_ino != ino
        ):
            return False
    return True


def can_fork(jobs: int, count: int, least: int) -> bool:
    """Is splitting `count` items with a forked process worth it (two jobs or more, at least
    `least` items) and safe (Linux: fork before any thread runs)?"""
    return jobs >= 2 and count >= least and hasattr(os, "fork") and sys.platform.startswith("linux")


class Forked:
    """`work()` run in a forked process, its (marshal-able) value sent back through a pipe: the
    one way a part of a run's work goes to a second process before the workers exist (the
    stats here, the renamed-names pass: checking/runner.in_two_processes). `started` is False
    when the fork failed; `answer()` is FAILED when the child failed or never started.

    A `signalling` child is given a `signal()` to call while it works: the parent sees it
    (`signalled`) before the answer, through `read()` (a `!` before the answer's `=`)."""

    FAILED = object()

    def __init__(self, work: Callable[..., object], signalling: bool = False) -> None:
        self.pid, self.read_end = 0, -1
        self.signalling, self.signalled, self.chunks = signalling, False, []
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: no cleanup handlers, no buffers flushed; its answer, then out
            code = 1
            try:
                os.close(read_end)
                if signalling:
                    sent = []

                    def signal() -> None:
                        if not sent:
                            sent.append(os.write(write_end, b"!"))

                    data = memoryview(b"=" + marshal.dumps(work(signal)))
                else:
                    data = memoryview(marshal.dumps(work()))
                while data:
                    data = data[os.write(write_end, data):]
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self.pid, self.read_end = pid, read_end

    @property
    def started(self) -> bool:
        return self.pid != 0

    def read(self) -> bool:
        """Take what the child has written so far (one read: call it when the pipe is ready);
        False at its end."""
        chunk = os.read(self.read_end, 1 << 20)
        if not chunk:
            return False
        if self.signalling and not self.chunks and chunk[:1] == b"!":
            self.signalled = True
            chunk = chunk[1:]
        if chunk:
            self.chunks.append(chunk)
        return True

    def answer(self) -> object:
        if not self.pid:
            return Forked.FAILED
        try:
            while self.read():
                pass
        finally:
            os.close(self.read_end)
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
        data = b"".join(self.chunks)
        if self.signalling:
            if data[:1] != b"=":
                return Forked.FAILED
            data = data[1:]
        if status != 0 or not data:
            return Forked.FAILED
        return marshal.loads(data)


class StatHelper:
    """On a large tree with two or more jobs, a forked process stats `files[split:]` while
    this one does the rest (threads do not pay: the loop holds the GIL between the calls).
    The child takes the larger share: the parent also checks the watched paths (and, for the
    run-level state, builds the results) meanwhile."""

    def __init__(self, files: Sequence[str], times: array, sizes: array, jobs: int) -> None:
        count = len(files)
        self.split, self.child = count, None
        if not can_fork(jobs, count, MIN_FILES_TO_SPLIT):
            return
        split = count * 2 // 5
        child = Forked(lambda: changed_stats(files, times, sizes, split, count))
        if child.started:
            self.split, self.child = split, child

    def wait(self) -> list[int] | None:
        """The child's answer (`changed_stats` of its part; [] when this process did everything)."""
        if self.child is None:
            return []
        child, self.child = self.child, None
        answer = child.answer()
        return answer if type(answer) is list else None


def changed_files(files: Sequence[str], times: array, sizes: array, watched: Sequence[Sequence], jobs: int,
                  meanwhile=None) -> list[int] | None:
    """The positions of the files whose stats differ from the recorded ones ([]: none), when
    every watched path is as recorded; None when one is not (a directory's entries, an ignore
    or configuration file changed: discovery may find other files), when a file cannot be
    stat'ed, or when `meanwhile()` (run while a second process stats part of the files) says
    False. A file changed in place, the only change left then, is what an edit, a save or a
    `git checkout` of the same files is."""
    helper = StatHelper(files, times, sizes, jobs)
    try:
        if not watched_unchanged(watched):
            return None
        if meanwhile is not None and not meanwhile():
            return None
        mine = changed_stats(files, times, sizes, 0, helper.split)
    finally:
        theirs = helper.wait()
    if mine is None or theirs is None:
        return None
    return mine + theirs


# The files an edit in progress is likeliest to have changed, stat'ed first (`newest`).
NEWEST = 16


def record_changes(record: Record, jobs: int, on_change: Callable[[], None]) -> list[int] | None:
    """`changed_files` of a record's files and watched paths; `on_change()` is called as soon as
    the answer is known not to be [] (on a large tree with two jobs, while the stats go on:
    `_in_two_children`)."""
    count = len(record.times) // 2
    if can_fork(jobs, count, MIN_FILES_TO_SPLIT):
        found = _in_two_children(record.names, count, record.times, record.sizes, record.watched, on_change)
        if found is not Forked.FAILED:
            return found
    return changed_files(record.files, record.times, record.sizes, record.watched, jobs)


def _in_two_children(names: bytes, count: int, times: array, sizes: array, watched: Sequence[Sequence],
                     on_change: Callable[[], None]) -> list[int] | None | object:
    """The stats of the `count` files `names` joins with NULs (as the record holds them: this
    process never splits them), by two forked processes while this one waits: each stats
    the newest files of its share first (`newest`), the first then the watched paths, then
    each its whole share; either signals as soon as it finds a change, so that this process can
    start on what a changed tree needs (the replay: importing the checker) while the stats go
    on. Forked.FAILED when a fork failed (the caller then stats as usual)."""
    # The first child's share is smaller by half the watched paths, cut at a name's end.
    share = max(0, (count - len(watched)) // 2) / max(count, 1)
    cut = names.find(b"\0", int(len(names) * share))
    cut = len(names) if cut < 0 else cut
    first_count = names.count(b"\0", 0, cut) + 1

    def stats(paths: list[bytes], start: int, expected: int, signal: Callable[[], None],
              watching: bool = False) -> list[int] | None:
        if len(paths) != expected:
            return None
        stop = start + expected
        for position in newest(times, NEWEST):
            if start <= position < stop and _changed_among(
                    paths[position - start:position - start + 1], position, times, sizes) != []:
                signal()
                break
        if watching and not watched_unchanged(watched):
            signal()
            return None
        return _changed_among(paths, start, times, sizes, signal)

    def first(signal: Callable[[], None]) -> list[int] | None:
        return stats(names[:cut].split(b"\0"), 0, first_count, signal, watching=True)

    def second(signal: Callable[[], None]) -> list[int] | None:
        paths = names[cut + 1:].split(b"\0") if cut < len(names) else []
        return stats(paths, first_count, count - first_count, signal)

    children = [Forked(first, signalling=True), Forked(second, signalling=True)]
    if not all(child.started for child in children):
        for child in children:
            child.answer()  # a started one is still waited for
        return Forked.FAILED
    import select

    reading, signalled = list(children), False
    while reading:
        ready, _, _ = select.select([child.read_end for child in reading], [], [])
        for child in [child for child in reading if child.read_end in ready]:
            if not child.read():
                reading.remove(child)
            if child.signalled and not signalled:
                signalled = True
                on_change()
    answers = [child.answer() for child in children]
    if any(type(answer) is not list for answer in answers):
        return None
    return answers[0] + answers[1]


def stop_output() -> None:
    """The reader of standard output went away (`ssot check | head`): what is still buffered
    and anything written later goes to the null device, so the command stops quietly, as other
    command-line tools do (the replay, the command line and the executable's end share it)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def prune(directory: str, keep: str, prefix: str, limit: int, suffix: str = ".bin") -> None:
    """At most `limit` files named `prefix*suffix` in `directory`: the least recently written go."""
    found = []
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith(prefix) and entry.name.endswith(suffix) and entry.path != keep:
                try:
                    found.append((entry.stat().st_mtime_ns, entry.path))
                except OSError:
                    continue
    found.sort()
    for _, path in found[:max(0, len(found) - (limit - 1))]:
        try:
            os.unlink(path)
        except OSError:
            pass


def jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# --------------------------------------------------------------------------- the key


def command_key(argv: Sequence[str], cwd: str) -> bytes:
    streams = []
    for stream in (sys.stdout, sys.stderr):
        isatty = getattr(stream, "isatty", None)
        streams.append((bool(isatty()) if isatty is not None else None, getattr(stream, "encoding", None)))
    text = repr((
        __version__, sys.version, code_identity(), cwd, list(argv),
        [os.environ.get(name) for name in ENVIRONMENT], streams,
    ))
    return text.encode("utf-8", "surrogatepass")


def record_name(key: bytes) -> str:
    return f"replay-{zlib.crc32(key):08x}{zlib.adler32(key):08x}.bin"


# Libraries whose behaviour reaches a report: the error-tolerant parse of broken files, and
# the .gitignore rules of discovery. Found on sys.path as import finds a regular package
# (`importlib.util` alone would cost a replay 6 ms).
LIBRARIES = ("ast_grep_py", "pathspec", "tomli")


def _code_stamp() -> list:
    """Every module of this package, and the libraries' (LIBRARIES) package files, with their
    size and modification time: a reinstall or an edit makes another key."""
    stamp = []
    for library in LIBRARIES:
        for entry in sys.path:
            try:
                status = os.stat(os.path.join(entry or ".", library, "__init__.py"))
            except OSError:
                continue
            stamp.append((library, entry, status.st_mtime_ns, status.st_size))
            break
    pending = [os.path.dirname(os.path.abspath(__file__))]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in sorted(entries, key=lambda entry: entry.name):
                    if entry.name.endswith(".py") and entry.is_file():
                        status = entry.stat()
                        stamp.append((entry.path, status.st_mtime_ns, status.st_size))
                    elif entry.is_dir() and entry.name != "__pycache__":
                        pending.append(entry.path)
        except OSError:
            stamp.append((directory, None, None))
    return stamp


def code_identity() -> str:
    """A digest of `_code_stamp` (this package's modules and the libraries' versions), once per
    process: the caches key their files with it, so that an edited checker (an editable
    install, a development tree) never answers with what the code before it found."""
    global _IDENTITY
    if _IDENTITY is None:
        stamp = repr(_code_stamp()).encode("utf-8", "surrogateescape")
        _IDENTITY = f"{zlib.crc32(stamp):08x}{zlib.adler32(stamp):08x}"
    return _IDENTITY


_IDENTITY: str | None = None


def places(argv: Sequence[str], cwd: str) -> list[str]:
    """The cache directories a record of this command may be in (see the module docstring)."""
    found = []
    for position, argument in enumerate(argv):
        if argument == "--cache-dir" and position + 1 < len(argv):
            found.append(os.path.join(cwd, argv[position + 1]))
        elif argument.startswith("--cache-dir="):
            found.append(os.path.join(cwd, argument.partition("=")[2]))
    directory = cwd
    while True:
        found.append(os.path.join(directory, CACHE_DIR_NAME))
        parent = os.path.dirname(directory)
        if parent == directory:
            return found
        directory = parent


# --------------------------------------------------------------------------- the record


class Record:
    def __init__(self, key: bytes, code: int, files: Sequence[str] | None, times: array, sizes: array,
                 watched: Sequence[Sequence], chunks: Sequence[tuple], state: Sequence = ()) -> None:
        self.key, self.code = key, code
        self._files, self.times, self.sizes, self.watched = files, times, sizes, watched
        self.chunks = chunks  # (STDOUT or STDERR, error handler or None for bytes, str or bytes)
        # The run-level state file the lists came from, as it was: [path, mtime, ctime, size, inode].
        self.state = state
        # The files' names as the record holds them (NUL-joined UTF-8), and as text: a decoded
        # record splits them only when asked for its files (a replay's stats never do).
        self._names: bytes | None = None
        self._names_text: str | None = None

    @property
    def files(self) -> Sequence[str]:
        if self._files is None:
            text = self.names_text
            self._files = text.split("\0") if text else []
        return self._files

    @property
    def names(self) -> bytes:
        if self._names is None:
            self._names = _joined(self._files)
        return self._names

    @property
    def names_text(self) -> str:
        if self._names_text is None:
            self._names_text = self.names.decode("utf-8", "surrogateescape")
        return self._names_text

    def encode(self) -> bytes:
        kinds = bytearray()
        stats = array("q")
        names = []
        for entry in self.watched:
            names.append(entry[0])
            if len(entry) == 1:
                kinds.append(WATCH_ABSENT)
            elif len(entry) == 2:
                kinds.append(WATCH_EXISTS)
            else:
                kinds.append(WATCH_STAT)
                stats.extend(entry[1:5])
        parts = [
            self.key, _CODE.pack(self.code), self.names, self.times.tobytes(), self.sizes.tobytes(),
            bytes(kinds), _joined(names), stats.tobytes(),
            _joined(self.state[:1]), array("q", self.state[1:]).tobytes(), _LENGTH.pack(len(self.chunks)),
        ]
        for stream, errors, payload in self.chunks:
            text = errors is not None
            parts.append(bytes([stream, text]) + (errors.encode("ascii") if text else b""))
            parts.append(payload.encode("utf-8", "surrogatepass") if text else payload)
        rest = b"".join(_LENGTH.pack(len(part)) + part for part in parts)
        return MAGIC + struct.pack("<I", zlib.crc32(rest)) + rest

    @classmethod
    def decode(cls, data: bytes) -> Record | None:
        if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
            return None
        (crc,) = struct.unpack_from("<I", data, len(MAGIC))
        view = memoryview(data)[len(MAGIC) + 4:]
        if zlib.crc32(view) != crc:
            return None
        parts = _Parts(view)
        key, code = bytes(parts.next()), _CODE.unpack(parts.next())[0]
        joined = bytes(parts.next())
        count = joined.count(b"\0") + 1 if joined else 0
        times, sizes = array("q"), array("Q")
        times.frombytes(parts.next())
        sizes.frombytes(parts.next())
        if len(times) != 2 * count or len(sizes) != 2 * count:
            return None
        kinds, names, stats = bytes(parts.next()), _split(parts.next()), array("q")
        stats.frombytes(parts.next())
        if len(kinds) != len(names):
            return None
        watched: list[list] = []
        position = 0
        for kind, name in zip(kinds, names):
            if kind == WATCH_ABSENT:
                watched.append([name])
            elif kind == WATCH_EXISTS:
                watched.append([name, None])
            elif kind == WATCH_STAT and position + 4 <= len(stats):
                watched.append([name, *stats[position:position + 4]])
                position += 4
            else:
                return None
        state_path, state_stat = _split(parts.next()), array("q")
        state_stat.frombytes(parts.next())
        state = [*state_path, *state_stat] if len(state_path) == 1 and len(state_stat) == 4 else []
        (count,) = _LENGTH.unpack(parts.next())
        chunks = []
        for _ in range(count):
            head, payload = bytes(parts.next()), bytes(parts.next())
            if len(head) < 2 or head[0] not in (STDOUT, STDERR):
                return None
            if head[1]:
                chunks.append((head[0], head[2:].decode("ascii"), payload.decode("utf-8", "surrogatepass")))
            else:
                chunks.append((head[0], None, payload))
        if not parts.done():
            return None
        record = cls(key, code, None, times, sizes, watched, chunks, state)
        record._names = joined
        return record

    def write(self) -> None:
        """The output, as the recorded command wrote it."""
        for stream_number, errors, payload in self.chunks:
            stream = sys.stdout if stream_number == STDOUT else sys.stderr
            if errors is None:
                stream.flush()
                stream.buffer.write(payload)
                stream.buffer.flush()
                continue
            if stream.errors != errors and hasattr(stream, "reconfigure"):
                stream.reconfigure(errors=errors)
            stream.write(payload)
        sys.stdout.flush()
        sys.stderr.flush()


def _joined(names: Sequence[str]) -> bytes:
    return "\0".join(names).encode("utf-8", "surrogateescape")


def _split(data) -> list[str]:
    text = bytes(data).decode("utf-8", "surrogateescape")
    return text.split("\0") if text else []


class _Parts:
    def __init__(self, view: memoryview) -> None:
        self.view, self.position = view, 0

    def next(self) -> memoryview:
        (length,) = _LENGTH.unpack_from(self.view, self.position)
        start = self.position + _LENGTH.size
        if start + length > len(self.view):
            raise ValueError("truncated record")
        self.position = start + length
        return self.view[start:self.position]

    def done(self) -> bool:
        return self.position == len(self.view)


def replayed(argv: Sequence[str], on_change: Callable[[], None] = lambda: None) -> int | None:
    """The exit code, after writing the recorded output, when a record of this very command
    still holds; None when the command must run. `on_change()` is called once the stats show
    that it must, while they finish (`record_changes`)."""
    if not argv or argv[0] != "check":
        return None
    try:
        cwd = os.getcwd()
        key = command_key(argv, cwd)
    except (OSError, ValueError):
        return None
    name = record_name(key)
    for place in places(argv, cwd):
        try:
            with open(os.path.join(place, __version__, name), "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        try:
            record = Record.decode(data)
        except Exception:  # a damaged record costs the shortcut, never the run
            return None
        if record is None or record.key != key:
            return None
        changed = record_changes(record, jobs(), on_change)
        if changed != []:
            if record.state:
                _CHANGES.append((record.state, changed, record))
            return None
        try:
            record.write()
        except BrokenPipeError:  # as the full command: the reader went away, stop quietly
            stop_output()
            return 1
        return record.code
    return None


# Run-level state files this process has seen a record, made from them, fail on, with what
# the record found changed, and the record: the command that runs next need not stat the same
# files again (`changes_found`), and when its results are the state's, its output is the
# record's (`RunState.record`).
_CHANGES: list[tuple[Sequence, list[int] | None, Record]] = []


def configuration_as_recorded(key: bytes) -> bool:
    """Did this process's replay of the command `key` find only checked files changed (every
    configuration file and directory it watched as recorded)? Then the command reads the
    configuration the recorded run read, whose globs all compiled (config/globs.py)."""
    for _, changed, record in reversed(_CHANGES):  # the latest (a process may run several commands)
        if record.key == key:
            return changed is not None
    return False


def changes_found(path: str) -> tuple[bool, list[int] | None, Record | None]:
    """(True, what a failed replay found: `changed_files` of the run-level state file `path`,
    the record) when this process's replay was made from that state as it is now (its files
    and watched paths are the record's, less the baseline: a changed baseline alone costs the
    shortcut); (False, None, None) when no replay judged it."""
    for state, changed, record in reversed(_CHANGES):  # the latest (a process may run several commands)
        if state[0] == path:
            try:
                status = os.stat(path)
            except OSError:
                return False, None, None
            if state[1:] == [status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino]:
                return True, changed, record
            return False, None, None
    return False, None, None


# --------------------------------------------------------------------------- recording


class _Stream:
    """A standard stream that also keeps what is written to it."""

    def __init__(self, stream, number: int, chunks: list) -> None:
        self.uncaptured = stream  # what a progress display writes to: not part of the output
        self._number, self._chunks = number, chunks
        raw = getattr(stream, "buffer", None)
        self.buffer = _Buffer(raw, number, chunks) if raw is not None else None

    def write(self, text: str) -> int:
        written = self.uncaptured.write(text)
        self._chunks.append((self._number, getattr(self.uncaptured, "errors", None) or "strict", text))
        return written

    def __getattr__(self, name: str):
        return getattr(self.uncaptured, name)


class _Buffer:
    def __init__(self, raw, number: int, chunks: list) -> None:
        self._raw, self._number, self._chunks = raw, number, chunks

    def write(self, data) -> int:
        written = self._raw.write(data)
        self._chunks.append((self._number, None, bytes(data)))
        return written

    def __getattr__(self, name: str):
        return getattr(self._raw, name)


class Recording:
    """`with Recording(argv) as recording:` keeps what the command writes; `save` then makes
    the record, when the run handed over what it watched (`proof`)."""

    def __init__(self, argv: Sequence[str]) -> None:
        self.argv = list(argv)
        self.chunks: list[tuple] = []
        # Set by the command: (directory, files, times, sizes, watched, limit, state): the cache
        # directory, what the run-level state watched, the time (ns) before which a stat is not
        # racy, and the state's file.
        self.proof: tuple | None = None
        self.extra: list[str] = []  # more files the output depends on (the baseline)
        self._saved_streams: tuple | None = None

    def __enter__(self) -> Recording:
        self.key = command_key(self.argv, os.getcwd())  # before the streams are wrapped
        self._saved_streams = (sys.stdout, sys.stderr)
        sys.stdout = _Stream(sys.stdout, STDOUT, self.chunks)
        sys.stderr = _Stream(sys.stderr, STDERR, self.chunks)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._saved_streams is not None:
            sys.stdout, sys.stderr = self._saved_streams
            self._saved_streams = None

    def save(self, code: int) -> bool:
        """Write the record (True), or remove a stale one (False) when this run proves nothing."""
        if self.proof is None:
            return False
        directory, files, times, sizes, watched, limit, state_path = self.proof
        target = os.path.join(directory, __version__, record_name(self.key))
        try:
            status = os.stat(state_path)
            state = [state_path, status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino]
        except OSError:
            state = []
        watched = list(watched)
        for path in self.extra:
            try:
                status = os.stat(path)
            except OSError:
                return _remove(target)
            if status.st_ctime_ns >= limit or status.st_mtime_ns >= limit:
                return _remove(target)
            watched.append([path, status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino])
        data = Record(self.key, code, files, times, sizes, watched, self.chunks, state).encode()
        from flake8_ssot.files import write_atomic  # the full command has imported it already

        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            write_atomic(target, data)
            prune(os.path.dirname(target), keep=target, prefix="replay-", limit=MAX_RECORDS)
        except OSError:
            return False
        return True


# Each distinct command has its own record (as the run-level state): beyond this many, the
# least recently written go.
MAX_RECORDS = 16


def _remove(path: str) -> bool:
    try:
        os.unlink(path)
    except OSError:
        pass
    return False
