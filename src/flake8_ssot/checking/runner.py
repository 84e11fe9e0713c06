"""Checking many files: read bytes, decode (PEP 263 cookie, BOM), run the engine, over `--jobs`
worker processes in batches, with the cache answering unchanged files first.

Results come back in the order of the input list whatever the number of processes. One file
is checked by `check_file`/`check_bytes`; every front-end that works file by file reuses them.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import os
import re
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from flake8_ssot.config import Config
from flake8_ssot.config.prefilter import nfkc_bytes, nfkc_text
from flake8_ssot.config.selection import enabled_predicate
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.dotted import module_name
from flake8_ssot.files import SourceError, decode_source, end_of_second_line, read_bytes
from flake8_ssot.replay import Forked, can_fork
from flake8_ssot.span import Span

# Below this many files to check, starting worker processes costs more than it saves.
MIN_FILES_FOR_PROCESSES = 64
# From this many files to check, a run expects SSOT001's renamed names (RunIndexes).
MIN_FILES_EXPECTING_NAMES = 2048
MAX_BATCH = 128


@dataclass(frozen=True)
class FileResult:
    path: str
    diagnostics: tuple[Diagnostic, ...] = ()
    syntax_error: str | None = None  # set when Python could not parse the file
    error: str | None = None  # set when the file could not be read or decoded
    digest: str | None = None  # content hash, when the cache asked for one
    depends: tuple = ()  # other modules' files the decisions read (index.Dependency), for the cache


_new_object = object.__new__


def clean_result(path: str, digest: str | None = None) -> FileResult:
    """`FileResult(path, digest=digest)`, built about 5x faster: a warm run makes one per file,
    and a frozen dataclass's `__init__` pays for `object.__setattr__` on every field."""
    result = _new_object(FileResult)
    vars(result).update(path=path, diagnostics=(), syntax_error=None, error=None, digest=digest)
    return result


def content_digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


def check_bytes(data: bytes, path: str, config: Config, digest: bool = False, project: bool = True) -> FileResult:
    """Check one file's raw content as `path`. `project`: decisions may consult the project
    index of the tree on disk (False: from this file alone, for content not of that tree)."""
    hashed = content_digest(data) if digest else None
    # The prefilter reads raw bytes (its words are ASCII, every source encoding is
    # ASCII-compatible); the file is still decoded, so an undecodable one is always reported.
    # Strict (#16): a word counts only where the file can reach its top-level package (the
    # soundness argument is at prefilter._requirement; tests/test_fast_path.py and the
    # benchmark's --compare-fast-path check it). Only files that can hold a finding are parsed,
    # so a syntax error elsewhere is neither reported nor counted.
    module, _ = module_name(os.path.abspath(path), config.src)
    candidate = config.prefilter.may_match(data, module, strict=True)
    if not candidate and project:
        candidate = spells_a_renamed_class(data, config)
    if not candidate and data.isascii() and b"coding" not in data[:end_of_second_line(data)]:
        # ASCII without a coding declaration always decodes: no need to prove it.
        return FileResult(path, digest=hashed)
    try:
        source = decode_source(data)
    except SourceError as error:
        return FileResult(path, error=str(error), digest=hashed)
    if not candidate:  # names spelled in compatibility characters
        candidate = config.prefilter.may_match_normalised(source, module, strict=True)
    if not candidate:
        return FileResult(path, digest=hashed)
    from flake8_ssot.engine import check_source

    try:
        from flake8_ssot.index import index_for

        index = index_for(config.src) if project else None
        result = check_source(source, path, config, prefilter=False, index=index)
    except Exception as error:  # a bug of ours must cost one file, never the whole run
        return FileResult(path, error=f"internal error, please report it: {type(error).__name__}: {error}")
    return FileResult(path, tuple(result.diagnostics), result.syntax_error, digest=hashed, depends=result.depends)


def spells_a_renamed_class(data: bytes | str, config: Config, aliases: dict | None = None) -> bool:
    """Does the file spell, as a word, a name a module of the tree binds a factory-only class
    to (`Context` of `Context = UserExecutionContext`; index/aliases.py)? Such a file can build
    the class (`from app.context import Context; Context(...)`) without spelling any word of
    the policy, which is all the prefilter looks for. The names are those of the tree's index
    (`index.aliases`: a check computed them or took them from the cache, checking/renamed.py;
    the flake8 plugin too), or `aliases` (class names -> names; the server keeps its own)."""
    from flake8_ssot.index import index_for  # imported by the checks that need the index

    if aliases is None:
        aliases = index_for(config.src).aliases
    if not aliases:
        return False
    if _spells(data, aliases):
        return True
    if data.isascii():
        return False
    # A name spelled in compatibility characters (`Ｃontext(...)`) is that name to Python.
    normalized = nfkc_bytes(data) if isinstance(data, bytes) else nfkc_text(data)
    return normalized is not None and _spells(normalized, aliases)


def _spells(data: bytes | str, aliases: dict) -> bool:
    for word in _renamed_words(tuple(aliases.items()), isinstance(data, bytes)):
        # `bytes.find` and a look at both ends: a regular expression with a lookbehind before
        # the names cannot skip ahead to them, and cost 10 s of CPU over the 10M-line tree.
        start = 0
        while (start := data.find(word, start)) >= 0:
            end = start + len(word)
            before, after = data[start - 1:start], data[end:end + 1]
            if not (before.isalnum() or before in (b"_", "_") or after.isalnum() or after in (b"_", "_")):
                return True
            start = end
    return False


@functools.lru_cache(maxsize=16)
def _renamed_words(aliases: tuple[tuple[frozenset[str], frozenset[str]], ...], as_bytes: bool) -> tuple:
    """The names of `index.aliases` (class names -> the names they are bound to) other than the
    classes' own, as `spells_a_renamed_class` searches them: derived once per set of names, not
    for each of the many files the prefilter rules out."""
    names = sorted({name for key, found in aliases for name in found if name not in key})
    return tuple(name.encode() for name in names) if as_bytes else tuple(names)


def check_file(path: str, config: Config, digest: bool = False) -> FileResult:
    """Read and check one file from disk."""
    try:
        data = read_bytes(path)
    except SourceError as error:
        return FileResult(path, error=str(error))
    return check_bytes(data, path, config, digest)


# --------------------------------------------------------------------------- syntax errors

# One code for "this file could not be checked as written": the flake8 plugin and the server
# use it for a bad configuration or a skipped file, `ssot check --show-syntax-errors` for a
# file Python cannot parse (checked with error recovery, as ruff's invalid-syntax).
SYNTAX_ERROR_CODE = "SSOT000"
SYNTAX_ERROR_NAME = "invalid-syntax"
_WHERE = re.compile(r"line (\d+)(?:, column (\d+))?: ")


def syntax_error_diagnostic(syntax_error: str) -> Diagnostic:
    """The SSOT000 diagnostic for the engine's `syntax_error` ("line N, column C: what")."""
    where = _WHERE.match(syntax_error)
    line, column = (int(where[1]), max(int(where[2] or 1) - 1, 0)) if where else (1, 0)
    what = syntax_error[where.end():] if where else syntax_error
    return Diagnostic(SYNTAX_ERROR_CODE, f"syntax error: {what} (checked with error recovery)",
                      Span(line, column, line, column), severity="error")


def with_syntax_error(result: FileResult, config: Config, source: str | None) -> FileResult:
    """`result` with its syntax error as a diagnostic, when SSOT000 is selected for the file and
    no noqa comment silences it; baselines then treat it as any other violation."""
    if result.syntax_error is None or not enabled_predicate(config, result.path)(SYNTAX_ERROR_CODE):
        return result
    from flake8_ssot.engine.noqa import filter_noqa

    found = [syntax_error_diagnostic(result.syntax_error)]
    if source is not None:
        found = filter_noqa(found, source)
    if not found:
        return result
    diagnostics = sorted((*result.diagnostics, *found), key=Diagnostic.sort_key)
    return dataclasses.replace(result, diagnostics=tuple(diagnostics))


# --------------------------------------------------------------------------- many files

SAME = "same"  # a worker's answer when the content matches the digest the cache expected


@dataclass(frozen=True)
class Task:
    path: str
    config: int  # index into the run's list of configurations
    expected_digest: str | None = None  # the cache's entry, to confirm by content


CheckFunction = Callable[[str, Config, bool], FileResult]

_WORKER_CONFIGS: Sequence[Config] = ()
_WORKER_CHECK: CheckFunction = check_file


def _start_worker(configs: Sequence[Config], check: CheckFunction, parent: int) -> None:
    global _WORKER_CONFIGS, _WORKER_CHECK
    _WORKER_CONFIGS, _WORKER_CHECK = configs, check
    _exit_with_parent(parent)
    # Parsing allocates millions of objects that die young and hold no cycles: the cyclic
    # collector would rescan the inherited heap again and again for nothing (about 15% of a
    # cold run). It runs once per batch instead, and only when enough objects survived.
    gc.freeze()
    gc.disable()


def _exit_with_parent(parent: int) -> None:
    """A worker whose `ssot` was killed (kill -9, an OOM kill, a CI timeout) would otherwise
    wait on its task queue forever: the forked workers hold its write end open themselves."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            PR_SET_PDEATHSIG = 1
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            _watch_parent(parent)
    else:
        _watch_parent(parent)
    if os.getppid() != parent:  # it died before the line above took effect
        os._exit(1)


def _watch_parent(parent: int) -> None:
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="ssot-parent-watch", daemon=True).start()


_COLLECT_AFTER = 200_000  # net new tracked objects since the last collection


def _collect_if_needed() -> None:
    if gc.get_count()[0] > _COLLECT_AFTER:
        gc.collect()


def _run_task(task: Task, configs: Sequence[Config], check: CheckFunction, digest: bool):
    if task.expected_digest is not None:
        try:
            data = read_bytes(task.path)
        except SourceError as error:
            return FileResult(task.path, error=str(error))
        hashed = content_digest(data)
        if hashed == task.expected_digest:
            return SAME
        if check is check_file:
            return check_bytes(data, task.path, configs[task.config], digest=True)
    return check(task.path, configs[task.config], digest)


_CLEAN, _FULL = 0, 1


def _run_batch(batch: list[tuple[int, str, int, str | None]], digest: bool) -> list[tuple[int, int, object]]:
    """Check a batch of paths in a worker, which reads the files itself. Only results with
    something to say travel back in full; a clean file is its index and content digest."""
    compact = _WORKER_CHECK is check_file
    out: list[tuple[int, int, object]] = []
    for index, path, config, expected in batch:
        result = _run_task(Task(path, config, expected), _WORKER_CONFIGS, _WORKER_CHECK, digest)
        if (compact and type(result) is FileResult and not result.diagnostics
                and result.syntax_error is None and result.error is None and not result.depends):
            out.append((index, _CLEAN, result.digest))
        else:
            out.append((index, _FULL, result))
    _collect_if_needed()
    return out


def batches(items: list, jobs: int) -> list[list]:
    """Batches small enough to balance the load across `jobs` workers, large enough to amortise IPC."""
    size = max(1, min(MAX_BATCH, len(items) // (jobs * 8) or 1))
    return [items[start:start + size] for start in range(0, len(items), size)]


def run_tasks(
    tasks: Sequence[Task],
    configs: Sequence[Config],
    jobs: int,
    digest: bool = False,
    check: CheckFunction = check_file,
    progress: Callable[[int, int], None] | None = None,
) -> list[object]:
    """Results (a `FileResult`, or `SAME`) in the order of `tasks`, whatever `jobs` is."""
    results: list[object] = [None] * len(tasks)
    total = len(tasks)
    if jobs <= 1 or total < MIN_FILES_FOR_PROCESSES:
        with quiet_collector(), RunIndexes(configs, processes=False, stable=check is check_file,
                                           many=total >= MIN_FILES_EXPECTING_NAMES):
            for index, task in enumerate(tasks):
                results[index] = _run_task(task, configs, check, digest)
                if index % MAX_BATCH == MAX_BATCH - 1:
                    _collect_if_needed()
                if progress is not None:
                    progress(index + 1, total)
        return results
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    jobs = min(jobs, max(1, total // 16))
    context = _process_context()
    work = [(index, task.path, task.config, task.expected_digest) for index, task in enumerate(tasks)]
    # The workers inherit the heap; frozen objects are never written to by their collector,
    # so those pages stay shared (copy-on-write). Only if nobody else froze anything: unfreeze
    # below would thaw their objects too.
    freeze = gc.get_freeze_count() == 0
    shared = RunIndexes(configs, processes=True, stable=check is check_file, many=total >= MIN_FILES_EXPECTING_NAMES)
    if freeze:
        gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(configs, check, os.getpid())
        ) as pool:
            pending = {pool.submit(_run_batch, batch, digest) for batch in batches(work, jobs)}
            done_count = 0
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    for index, kind, value in future.result():
                        if kind == _CLEAN:
                            value = clean_result(tasks[index].path, value)
                        results[index] = value
                        done_count += 1
                if progress is not None:
                    progress(done_count, total)
    finally:
        if freeze:
            gc.unfreeze()
        shared.close()
    return results


class RunIndexes:
    """What the project indexes of one run's configurations (`index.index_for`) share for the
    run's length.

    Stats: a check (not a fix, which writes files as it goes) stats each module file once per
    run rather than once per check that consults it (`ProjectIndex.run_stats`).

    Summaries, with worker processes: each worker has its own index, and the modules decisions
    consult are much the same in every worker (the canonical modules, the packages most files
    import from), so each was read and parsed once per worker (#14: two workers cost 88 s of
    CPU on the 10M-line benchmark tree where one process costs 70 s). A worker that parses a
    module writes its summary to a directory of this run; a worker about to parse one reads it
    from there first. An entry holds the file's path, size and modification time with the
    summary: a file that changed since is parsed again. The directory goes when the run ends.

    Expected names: a check of `many` files (a CI job's cold run) is likely to ask `importer_of`
    about most names SSOT001 renames, so the first question's read of the tree also lists the
    files holding the others (`ProjectIndex.expected_mentions`), and a question about one reads
    only those. On the 10M-line benchmark tree a read of the tree costs 0.3 s of CPU and a
    search for one name in it 0.15-0.2 s: a name listed and asked saves 0.3 s, one listed and
    never asked costs 0.15-0.2 s. A run over part of the tree asks about fewer of the names
    (one of three in a run over its 344 agent tests: the two others would have cost 0.35 s)."""

    def __init__(self, configs: Sequence[Config], processes: bool, stable: bool, many: bool = True) -> None:
        from flake8_ssot.index import index_for

        self.indexes = [index_for(roots) for roots in dict.fromkeys(tuple(config.src) for config in configs)]
        self.directory: str | None = None
        self.stable = stable
        if stable:
            for index in self.indexes:
                index.run_stats = {}
                if many:
                    index.expected_mentions = renamed_legacy_names(
                        config for config in configs if tuple(config.src) == index.roots)
        if processes:
            import tempfile

            try:
                self.directory = tempfile.mkdtemp(prefix="ssot-summaries-")
            except OSError:
                return  # no temporary directory: each worker parses what it needs
            for index in self.indexes:
                index.stored.append(self.read)
                index.published.append(self.write)
                if stable:  # a fix changes files: what mentions a name may change as it goes
                    index.shared_mentions = (self.read_mentions, self.write_mentions)

    def shared_mentions_set(self, index) -> bool:
        return index.shared_mentions is not None and index.shared_mentions[0] == self.read_mentions

    def __enter__(self) -> RunIndexes:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _entry(self, path: str) -> str:
        digest = hashlib.sha1(path.encode("utf-8", "surrogatepass"), usedforsecurity=False).hexdigest()
        return os.path.join(self.directory or "", digest)

    def _load(self, key: str):
        """What a worker stored under `key`; None when nothing is (yet), or it is half-written
        by a worker that was killed."""
        import marshal

        try:
            with open(self._entry(key), "rb") as handle:
                return marshal.load(handle)
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def _store(self, key: str, value) -> None:
        import marshal

        entry = self._entry(key)
        temporary = f"{entry}.{os.getpid()}"
        try:
            with open(temporary, "wb") as handle:
                marshal.dump(value, handle)
            os.replace(temporary, entry)
        except (OSError, ValueError):
            pass  # sharing is a saving, never a requirement

    def read(self, path: str, dependency):
        from flake8_ssot.index import Summary

        stored = self._load(path)
        try:
            stored_path, mtime_ns, size, data = stored
            if (stored_path, mtime_ns, size) != (path, dependency.mtime_ns, dependency.size):
                return None
            return Summary.from_json(data)
        except (ValueError, TypeError):
            return None

    def write(self, path: str, dependency, summary) -> None:
        self._store(path, (path, dependency.mtime_ns, dependency.size, summary.to_json()))

    def read_mentions(self, name: str) -> list[str] | None:
        """The files holding `name`, as another worker of this run found them; None if none did."""
        try:
            stored_name, files = self._load("\0mentions\0" + name)
            return list(files) if stored_name == name else None
        except (ValueError, TypeError):
            return None

    def write_mentions(self, name: str, files: list[str]) -> None:
        self._store("\0mentions\0" + name, (name, list(files)))

    def close(self) -> None:
        for index in self.indexes:
            if self.shared_mentions_set(index):
                index.shared_mentions = None
            if self.stable:
                index.run_stats = None
                index.expected_mentions = frozenset()
                index.expected_holders.clear()
            if self.read in index.stored:
                index.stored.remove(self.read)
            if self.write in index.published:
                index.published.remove(self.write)
        if self.directory is not None:
            import shutil

            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None


def renamed_legacy_names(configs) -> frozenset[str]:
    """The last components of the configurations' legacy paths whose replacement ends in another
    name (`a.ws.factory` = `a.ws.canonical_imports`: `factory`): the names SSOT001 renames in an
    import, asking `importer_of` first whether another module takes the old name from the file.
    Globbed keys name no one word; a path replaced by one of the same name renames nothing."""
    return frozenset(last for config in configs for key, entry in config.legacy.items()
                     for last in [key.rpartition(".")[2]]
                     if last.isidentifier() and entry.use and entry.use.rpartition(".")[2] != last)


class quiet_collector:
    """No automatic cyclic collection inside the block (see `_start_worker`): a run builds
    hundreds of thousands of long-lived objects (cache entries, results) and Python's
    collector would rescan all of them again and again while they are being built.
    `stay_off`: the process ends after the block (the `ssot` executable): turning the
    collector on again would have its first collection scan every object the run made (up to
    0.1 s after a run over 24,000 files), for nothing."""

    def __init__(self, stay_off: bool = False) -> None:
        self.stay_off = stay_off

    def __enter__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.enabled and not self.stay_off:
            gc.enable()


def _process_context():
    import multiprocessing

    # fork starts workers fastest and hands them the loaded configuration without pickling;
    # the main process runs no threads, which is what makes fork safe.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def in_two_processes(work: Callable[[Sequence], Any], items: Sequence, jobs: int, least: int) -> list:
    """`work` over `items`, split with a forked process when that pays (two jobs or more, at
    least `least` items, Linux): [work(first part), work(the rest)], the rest's answer sent
    back marshalled (so it must be marshal-able; replay.Forked); else [work(items)]. A child
    that fails answers nothing, and this process does its part too: the same answer, later.
    Only before the workers start (fork is safe while the process runs no threads)."""
    if not can_fork(jobs, len(items), least):
        return [work(items)]
    split = len(items) // 2
    child = Forked(lambda: work(items[split:]))
    if not child.started:
        return [work(items)]
    try:
        mine = work(items[:split])
    finally:
        theirs = child.answer()
    if theirs is Forked.FAILED:
        return [mine, work(items[split:])]
    return [mine, theirs]


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Progress:
    """`checked 1200/5000 files` on standard error, only for runs over a second on a terminal."""

    def __init__(self, stream=None, delay: float = 1.0) -> None:
        # Not part of the report: a replay record (replay.py) keeps what the command wrote, not this.
        self.stream = stream or getattr(sys.stderr, "uncaptured", sys.stderr)
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.delay = delay
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < self.delay or now - self.last < 0.1 and done < total:
            return
        self.last = now
        self.shown = True
        self.stream.write(f"\rChecked {done}/{total} files")
        self.stream.flush()

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
