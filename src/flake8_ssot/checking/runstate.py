"""The run-level cache: when nothing a run looked at has changed, the next identical run
reuses its results without discovering or looking up a single file.

A run of `ssot check` (with the cache on, no `--fix`) saves, beside the per-file cache, one
file keyed on the command (working directory, paths, `--config`, rule selection,
`--force-exclude`, `--cache-dir`, tool version) holding:

- the list of files it checked, in order, with each one's `os.stat` taken before it was
  read (modification and change times, size, inode);
- what discovery depended on: every path named on the command line (a named file that
  `--force-exclude` skipped must still be reported when it disappears), every directory it
  listed with its `.gitignore` and `pyproject.toml`, each with its `os.stat`; and above
  those, in every ancestor of the given paths and of the working directory, whether
  `.gitignore`, `pyproject.toml`, `.git` and `.git/info/exclude` exist (and the stat of
  those that do, `.git` aside). Adding, removing or renaming an entry changes its
  directory's times, so new files, new subdirectories and new ignore or configuration files
  are seen; editing one changes its own. An ancestor's own times are not watched: entries
  come and go in `/tmp` all the time;
- the configuration files the run used, in order, and the results of the files that had
  something to report.

The next run with the same key stats those directories and files only; if every stat is
the same, the saved results are the answer. Anything else, or anything unreadable, and the
run takes the full path (discovery, the per-file cache) and saves a new state. Nothing is
saved when any of those stats is less than 2 s older than the start of the run (the racy
rule of the per-file cache, on the change time, which cannot be set back): a change in the
same clock tick could otherwise go unseen. A checked file is the exception: a run made right
after an edit saves its state with that file's inode number smudged (`SMUDGED`, as git
smudges a racily clean index entry), so the next run sees it changed, checks it again and takes every
other file's result from the state. Nor when a path was missing, a directory could not
be listed or a file could not be read (those are retried every run); a file that does not
decode (bad bytes for its declared encoding) is answered like any other: its content says so.

The state's header is in marshal's format: on #16's tree it decodes in half JSON's time and
encodes in a fifth. Like the rest of the file it is input: a checksum turns accidental damage
away first, and every value is checked for its type before it is used (a crafted header can
hold only what marshal builds: numbers, strings, containers, never anything that runs).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import struct
import sys
import time
import zlib
from array import array
from collections import abc
from typing import TYPE_CHECKING, Sequence

from flake8_ssot import __version__
from flake8_ssot.checking.cache import (
    RACY_NS,
    SMUDGED,
    StringTable,
    _decode,
    _encode,
    _prepare_directory,
    cannot_write,
    default_cache_dir,
    is_inside,
    is_normalised,
)
from flake8_ssot.checking.runner import FileResult, clean_result
from flake8_ssot.config import config_for, default_config, load_config
from flake8_ssot.files import write_atomic
from flake8_ssot.index import MENTIONS, MentionsDependency, index_for
from flake8_ssot.replay import (
    WATCH_ABSENT,
    WATCH_EXISTS,
    WATCH_STAT,
    changed_files,
    changes_found,
    code_identity,
    prune,
)

if TYPE_CHECKING:
    from flake8_ssot.config.resolve import Configurations

FORMAT = 6  # 2: a file that does not decode is answered too; 3: as cache.FORMAT 3; 4: the listed directories;
# 5: the results that depend on other files; 6: the header in marshal's format
MAGIC = b"SSOTRUN2"
_HEAD = struct.Struct("<IQ")  # crc32 of the rest, header length


def _racy(status: os.stat_result, limit: int) -> bool:
    """Changed at `limit` or later: too recently for the stat to prove anything later."""
    return status.st_mtime_ns >= limit or status.st_ctime_ns >= limit


def _stat_tuple(status: os.stat_result) -> tuple[int, int, int, int]:
    return status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino


class RunState:
    def __init__(
        self, path: str, directory: str, configurations: Configurations, paths: Sequence[str], jobs: int = 1
    ) -> None:
        self.path = path
        self.jobs = jobs
        self.directory = directory
        self.configurations = configurations
        self.paths = [os.path.normpath(os.path.abspath(given)) for given in paths]
        self.start = time.time_ns()
        # After `answer` or `save` succeeded: what this state watched, as the replay record
        # keeps it (see replay.Recording.proof).
        self.proof: tuple | None = None
        self.changed: Changed | None = None  # set by `answer` (see there)
        # The replay record of this command made from this state, when a replay failed on
        # files changed in place (replay.changes_found): its output is that of the state's results.
        self.record: object | None = None
        # (the state's bytes, where its header starts, the header's length, the header) once
        # `answer` read them: what `_patched` writes again with a few files' stats changed.
        self._loaded: tuple[bytes, int, int, dict] | None = None

    @classmethod
    def for_run(
        cls, paths: Sequence[str], configurations: Configurations, root: str, cache_dir: str, force_exclude: bool,
        jobs: int = 1,
    ) -> RunState | None:
        """The state file of this command, or None when the root has no configuration to cache for."""
        config = config_for(root, configurations.explicit)
        if config.is_empty:
            return None
        directory = cache_dir or default_cache_dir(config)
        cwd = os.getcwd()
        explicit = os.path.abspath(configurations.explicit) if configurations.explicit else None
        absolute = [os.path.normpath(os.path.abspath(given)) for given in paths]
        text = repr((
            __version__, code_identity(), FORMAT, sys.version, cwd, absolute, explicit,
            configurations.overrides.key(), bool(force_exclude), cache_dir, root,
        ))
        key = hashlib.sha1(text.encode("utf-8", "surrogateescape"), usedforsecurity=False).hexdigest()[:20]
        return cls(os.path.join(directory, __version__, f"run-{key}.bin"), directory, configurations, paths, jobs)

    # ------------------------------------------------------------------ reading

    def answer(self) -> list[FileResult] | None:
        """The saved results, if nothing they depend on changed; else None, with `changed` set
        when only files changed in place (`Changed`: what the run can take from this state)."""
        self.changed = self.record = None
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        try:
            return self._answer(data)
        except Exception:  # a damaged state file costs the fast path, never the run
            return None

    def _answer(self, data: bytes) -> list[FileResult] | None:
        if not data.startswith(MAGIC):
            return None
        crc, header_length = _HEAD.unpack_from(data, len(MAGIC))
        body = len(MAGIC) + _HEAD.size
        if zlib.crc32(memoryview(data)[body - 8:]) != crc:
            return None
        header = marshal.loads(data[body:body + header_length])
        if type(header) is not dict or header["format"] != FORMAT or header["version"] != __version__:
            return None
        offset = body + header_length
        self._loaded = (data, body, header_length, header)
        names_length, count = header["names"], header["count"]
        judged, changed, record = changes_found(self.path)  # a failed replay of this command stat'ed them
        names = data[offset:offset + names_length]
        if record is not None and record.names == names:  # the record's list: decoded already
            text, files = record.names_text, record.files
        else:
            text = names.decode("utf-8", "surrogateescape")
            files = text.split("\0") if count else []
        if len(files) != count or not self._trusted(files, header["configs"], text):
            return None
        offset += names_length
        times = array("q")
        times.frombytes(data[offset:offset + 16 * count])
        offset += 16 * count
        sizes = array("Q")
        sizes.frombytes(data[offset:offset + 16 * count])
        if len(times) != 2 * count or len(sizes) != 2 * count:
            return None
        # The stats of the last part of the files go to a second process when that pays; this
        # one meanwhile checks the watched paths, builds the results and stats the rest.
        watched = header["watched"]
        rows = _rows_by_position(header["results"], count)
        if rows is None:
            return None
        results: list[FileResult] = []

        def build() -> bool:
            results[:] = _results_of(files, rows, header["strings"])
            return True

        if not judged:
            changed = changed_files(files, times, sizes, watched, self.jobs, meanwhile=build)
        elif not changed:
            build()
        if changed is None:
            return None
        if changed:
            # (After a replay, the results are built only if asked for: when every result this
            # run checks again is the state's, the record's output is this run's.)
            self.changed = self._changed(files, times, sizes, changed, header["walked"], header["trees"])
            if self.changed is None:
                return None
            if not self.changed.take(header, results if not judged else None, changed, rows):
                self.changed = None
                return None
            self.record = record
        explicit = self.configurations.explicit  # --config: loaded as config_for loads it (cwd its root)
        bases = [config_for(file, explicit) if explicit else load_config(file) if file is not None
                 else default_config() for file in header["configs"]]
        for base in bases:  # as the full run found them, in its order (reporters list them)
            self.configurations.add(base)
        if self.changed is not None:
            return None
        self.proof = (self.directory, files, times, sizes, watched, self.start - RACY_NS, self.path)
        return results

    def _changed(self, files: list[str], times: array, sizes: array, changed: list[int],
                 walked: object, trees: object) -> Changed | None:
        """What a run takes from this state when only `changed` files changed in place: every
        directory discovery listed, every ignore and configuration file is as it was, so
        discovery would find the same files, in the same order; every directory under each
        configuration's `src` too, so the project index would list the same tree; and each
        other file has the stat it had (an os.stat now would give the same times, size and
        inode)."""
        if type(walked) is not list or not all(type(path) is str for path in walked):
            return None
        if type(trees) is not list:
            return None
        known = []
        for tree in trees:
            if type(tree) is not list or len(tree) != 3 or not all(
                    type(part) is list and all(type(path) is str for path in part) for part in (tree[0], tree[2])):
                return None
            listed = _from_positions(tree[1], files)
            if listed is None:
                return None
            known.append((tree[0], listed, tree[2]))
        now = {}
        resized = set()
        for position in changed:
            try:
                status = now[position] = os.stat(files[position])
            except OSError:
                return None
            if status.st_size != sizes[2 * position]:
                resized.add(position)
        found = Changed(files, times, sizes, now, walked, known)
        found.resized = resized
        return found

    def _trusted(self, files: Sequence[str], configs: Sequence[str | None], text: str | None = None) -> bool:
        """The state file is input like any other (anyone who can write the cache directory
        wrote it): its files must lie under the paths of this command, its configurations be
        the pyproject.toml of a directory on the way to them, or `--config`. Else a crafted
        state could make a report quote any file, or load any configuration. `text`: the
        files joined by NUL, as the state holds them (the usual case is then proved by a few
        searches of it, instead of tests of each of the tree's files)."""
        paths = self.paths
        if not (text is not None and _all_normalised_below(text, len(files), paths)):
            if not all(type(path) is str for path in files):
                return False
            if not all(is_normalised(path) or os.path.normpath(path) == path for path in files):
                return False  # (is_normalised: a string test standing for normpath, once per file)
            outside = files
            for given in paths:
                below = given.rstrip(os.sep) + os.sep  # is_inside, inlined: once per file
                outside = [path for path in outside if not (path.startswith(below) or path == given)]
            if outside:
                return False
        explicit = os.path.abspath(self.configurations.explicit) if self.configurations.explicit else None
        starts = [os.getcwd(), *paths]
        for file in configs:
            if file is None or file == explicit:
                continue
            if type(file) is not str or os.path.basename(file) != "pyproject.toml" or file != os.path.normpath(file):
                return False
            directory = os.path.dirname(file)
            if not any(is_inside(directory, start) or is_inside(start, directory) for start in starts):
                return False
        return True

    # ------------------------------------------------------------------ writing

    def save(
        self, files: Sequence[str], observed: Sequence[os.stat_result | None], results: Sequence[FileResult],
        walked: Sequence[str], taken: dict | None = None, renamed: dict | None = None,
        carried: Changed | None = None,
    ) -> None:
        """Record this run. When it cannot be trusted later (a directory or watched file
        changed too recently, a file could not be read), the previous record stays: it answers
        only while everything is as it recorded, which a file changed since can never be again
        (its change time moved). A checked file changed too recently is recorded smudged
        (`_encode`, `Changed.stats`): the next run checks it again and takes every other file
        from the state.
        `renamed`: the renamed-class names the results used (checking.check_files'
        `used_renamed`); `carried`: the `Changed` this run took, whose results it kept where
        they stood (their dependencies are the state's)."""
        try:
            data = self._encode(files, observed, results, walked, taken or {}, renamed or {}, carried)
        except (OSError, ValueError, OverflowError):
            data = None
        try:
            if data is None:
                return
            _prepare_directory(self.directory)
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, data)
            prune(os.path.dirname(self.path), keep=self.path, prefix="run-", limit=MAX_STATES)
        except OSError as error:
            cannot_write(self.directory, error)
            return
        self.proof = self._proving

    def _encode(self, files, observed, results, walked, taken: dict, renamed: dict,
                carried: Changed | None) -> bytes | None:
        limit = self.start - RACY_NS
        in_place = carried is not None and not observed
        if in_place:
            if carried.only_racy(limit):
                # Every changed file is too recent for its stat to prove anything: the state,
                # saved, would hold each of them smudged, and the next run would check them
                # again as it does with the state as it is. Not writing it keeps a run at once
                # after an edit as cheap as it was (0.24 s rather than 0.3 s on #16's tree).
                return None
            if type(results) is StateResults:
                patched = self._patched(files, results, renamed, carried, limit)
                if patched is not _WHOLE:
                    return patched
        if in_place and len(files) == len(carried.files):
            # A run after files changed in place: the state's stats, but the changed files'
            # (the only ones that can be racy: the others were not when the state was saved)
            times, sizes = carried.stats(limit)
        else:
            if len(files) != len(observed):
                return None
            if any(status is None for status in observed):
                return None  # a file without a cache
            # (Column by column: this runs over every file of the tree, on every run that saves.)
            stamps: list[int] = [0] * (2 * len(observed))
            stamps[0::2] = [status.st_mtime_ns for status in observed]
            stamps[1::2] = [status.st_ctime_ns for status in observed]
            racy = stamps and max(stamps) >= limit
            times = array("q", stamps)
            stamps[0::2] = [status.st_size for status in observed]
            stamps[1::2] = [status.st_ino for status in observed]
            sizes = array("Q", stamps)
            if racy:
                # Changed too recently for its stat to prove anything later: such a file's
                # inode is smudged (as git smudges a racily clean entry), which no stat can
                # match, so the next run sees it changed and checks it again. Every other file's
                # stat holds: that run takes the state's files instead of the whole tree's path.
                # Its size is kept: the per-file cache may still answer for it (by content when
                # its entry is racy too), so a `git checkout` of many files followed at once by
                # a run does not cost the run after a parse of each.
                for position, status in enumerate(observed):
                    if _racy(status, limit):
                        sizes[2 * position + 1] = SMUDGED
        if len(files) != len(results):
            return None
        table = StringTable()
        strings, intern = table.strings, table.intern

        saved = []
        for position, (path, result) in enumerate(zip(files, results)):
            if result.path != path:
                return None
            if result.error is not None:
                # A file that does not decode (bad bytes for its encoding) says so every time
                # its content is the same: such a result carries its content's digest. Any
                # other error (unreadable, too large, internal) is retried every run.
                if result.digest is None:
                    return None
                saved.append([position, None, [], result.error])
            elif result.diagnostics or result.syntax_error is not None:
                saved.append([position, result.syntax_error, [_encode(d, intern) for d in result.diagnostics]])
        watched = []
        watch = self._watched(walked)
        depends, rows, groups = _dependencies(files, results, watch, carried)
        trees = []
        checked = set(files)
        outside = 0
        for config in self.configurations.configs:
            # Whether a checked file builds the class through a renamed name, or whether a fix
            # may rename an imported name, depends on every file of the tree under `src`,
            # excluded ones too (index/aliases.py, importers.py): a new or changed one there,
            # in a directory discovery never listed, must stop the shortcut too. While those
            # directories stay as they are, the list stands for the next run's (`Changed`).
            if not config.is_empty and not any(tree[0] == list(config.src) for tree in trees):
                tree, directories = index_for(config.src).tree()
                outside += sum(1 for path in tree if path not in checked)
                if outside > max(len(files), MAX_OUTSIDE):
                    # A run over a part of the tree (pre-commit's few files): its state would
                    # stat and keep the whole tree for a command rarely run twice alike.
                    return None
                for path in tree:
                    watch.setdefault(path, _STAT)
                for directory in directories:
                    watch.setdefault(directory, _STAT)
                trees.append([list(config.src), _as_positions(tree, files), directories])
        for path, how in watch.items():
            if how == _STAT and path in checked:
                continue  # its stat is among the checked files'
            try:
                status = taken.get(path) or os.stat(path)  # a stat this run took already serves
            except (FileNotFoundError, NotADirectoryError):
                if how == _OPTIONAL:
                    watched.append([path])  # must still be absent next time
                    continue
                return None
            except OSError:
                return None
            if how == _EXISTS:
                watched.append([path, None])
                continue
            if _racy(status, limit):
                return None
            watched.append([path, *_stat_tuple(status)])
        configs = [config.file for config in self.configurations.configs]
        names = "\0".join(files).encode("utf-8", "surrogateescape")
        header = marshal.dumps({
            "format": FORMAT, "version": __version__, "watched": watched, "configs": configs, "walked": list(walked),
            "trees": trees, "depends": depends, "rows": rows, "groups": groups,
            "renamed": {str(number): names for number, names in renamed.items()},
            "strings": strings, "results": saved, "names": len(names), "count": len(files),
        })
        return self._framed(header, names, files, times, sizes, watched, limit)

    def _framed(self, header: bytes, names: bytes, files: Sequence[str], times: array, sizes: array,
                watched: list, limit: int) -> bytes:
        """The state file's bytes (magic, checksum, the header's length, the header, the files'
        names, their stats), and what it proves once written (`_proving`)."""
        rest = struct.pack("<Q", len(header)) + header + names + times.tobytes() + sizes.tobytes()
        self._proving = (self.directory, list(files), times, sizes, watched, limit, self.path)
        return MAGIC + struct.pack("<I", zlib.crc32(rest)) + rest

    def _patched(self, files: Sequence[str], results: StateResults, renamed: dict, carried: Changed,
                 limit: int) -> bytes | object:
        """The state this run read (`answer`), written again with the changed files' stats and
        results, when that is all that differs from what `_encode` would write: the run
        checked again only the changed files (no other result read one of them), each had no
        dependency on another file then and has none now, and the results used the state's
        renamed-class names. Everything else the state holds, this run proved as it was:
        every watched path and listed directory (`changed_files`), every other file's stat and
        result. Encoding the whole state again (every result with something to report, its
        dependencies, a stat of each watched path) cost 0.2-0.5 s of a 0.3 s run on #16's
        tree, after the commonest edit. `_WHOLE` when `_encode` must write it."""
        loaded = self._loaded
        fresh = results.fresh  # (the files checked again: the changed ones and those sent back)
        if loaded is None or files is not carried.files or fresh.keys() != carried.changed:
            return _WHOLE
        if renamed != carried.renamed:
            return _WHOLE
        for position in carried.changed:
            result = fresh.get(position)
            if result is None or result.depends or position in carried.depends or result.error is not None:
                return _WHOLE
        times, sizes = carried.stats(limit)
        data, body, header_length, header = loaded
        if results.same:  # (clean then and now: the header is as it was, to the byte)
            encoded = data[body:body + header_length]
        else:
            try:
                table = StringTable(list(header["strings"]))
                saved = [row for row in header["results"] if row[0] not in carried.changed]
                for position in sorted(carried.changed):
                    result = fresh[position]
                    if result.diagnostics or result.syntax_error is not None:
                        saved.append([position, result.syntax_error,
                                      [_encode(diagnostic, table.intern) for diagnostic in result.diagnostics]])
            except TypeError:  # a crafted table (its checksum holds): encoded whole
                return _WHOLE
            encoded = marshal.dumps({**header, "strings": table.strings, "results": saved})
        names = data[body + header_length:body + header_length + header["names"]]
        return self._framed(encoded, names, files, times, sizes, header["watched"], limit)

    def _watched(self, walked: Sequence[str]) -> dict[str, int]:
        """Every directory and file whose change could change what discovery finds or which
        configuration applies, other than the checked files themselves: path -> how it is
        watched. A listed directory's times change when an entry is added, removed or
        renamed in it; above the listed directories (where unrelated entries come and go,
        `/tmp` say) only the files that matter are watched, present or absent."""
        watched: dict[str, int] = {}
        listed = set(walked)
        for start in [os.getcwd(), *self.paths]:
            directory = start if os.path.isdir(start) else os.path.dirname(start)
            while True:
                if directory not in listed:
                    for name in (".gitignore", "pyproject.toml"):
                        watched.setdefault(os.path.join(directory, name), _OPTIONAL)
                git = os.path.join(directory, ".git")
                watched.setdefault(git, _OPTIONAL)
                if os.path.exists(git):
                    watched[git] = _EXISTS
                    watched.setdefault(os.path.join(git, "info", "exclude"), _OPTIONAL)
                parent = os.path.dirname(directory)
                if parent == directory:
                    break
                directory = parent
        for directory in walked:
            watched[directory] = _STAT
            for name in (".gitignore", "pyproject.toml"):
                path = os.path.join(directory, name)
                if os.path.lexists(path):
                    watched[path] = _STAT
                elif watched.get(path) == _OPTIONAL:
                    del watched[path]  # its directory's times tell when it appears
        for path in self.paths:
            watched[path] = _STAT  # a named file deleted, or replaced by a directory, even if excluded
        for config in self.configurations.configs:
            if config.file:
                watched[config.file] = _STAT
        if self.configurations.explicit:
            watched[os.path.abspath(self.configurations.explicit)] = _STAT
        return watched


def _dependencies(files: Sequence[str], results: Sequence[FileResult], watch: dict[str, int],
                  carried: Changed | None) -> tuple[list, list, dict[str, list]]:
    """Each result's dependencies as the state keeps them, [position, number of its rows in the
    table], the table of rows (2,168 results of #16's tree share 159 lists), and the groups they
    refer to, `MENTIONS + name + NUL + digest` -> rows; a row is [the file's position among the
    checked files, or its path; modification time; size], or [`MENTIONS + name`, digest,
    count] for a group. Adds to `watch` every file they name (a checked file's stat is among
    theirs; one looked for and absent must stay absent). A result the run kept from the state
    (`carried`) keeps the dependencies it had there."""
    position_of = {path: number for number, path in enumerate(files)}
    depends: list = []
    table: list[list] = []
    numbers: dict[bytes, int] = {}  # the rows, marshalled -> their number in `table`
    groups: dict[str, list] = {}

    def number_of(rows: list) -> int:
        text = marshal.dumps(rows, 2)  # (version 2: no back-references, the same rows the same bytes)
        number = numbers.get(text)
        if number is None:
            number = numbers[text] = len(table)
            table.append(rows)
        return number

    kept, kept_depends = (carried.results, carried.depends) if carried is not None else ((), {})

    def watched(path: str, mtime: int) -> None:
        watch.setdefault(path, _OPTIONAL if mtime < 0 else _STAT)

    for position, result in enumerate(results):
        if result.depends:
            rows = []
            for dependency in result.depends:
                if type(dependency) is MentionsDependency:  # the files holding a name: each one
                    key = f"{dependency.path}\0{dependency.mtime_ns}"
                    if key not in groups:  # the checks that asked about a name share its group
                        groups[key] = [[position_of.get(file.path, file.path), file.mtime_ns, file.size]
                                       for file in dependency.files]
                        for file in dependency.files:
                            watched(file.path, file.mtime_ns)
                    rows.append([dependency.path, dependency.mtime_ns, dependency.size])
                    continue
                watched(dependency.path, dependency.mtime_ns)
                rows.append([position_of.get(dependency.path, dependency.path), dependency.mtime_ns, dependency.size])
            depends.append([position, number_of(rows)])
        elif position in kept_depends and position < len(kept) and result is kept[position]:
            rows = kept_depends[position]
            for ref, mtime, _ in rows:
                if type(ref) is int:
                    continue
                if not ref.startswith(MENTIONS):
                    watched(ref, mtime)
                    continue
                key = f"{ref}\0{mtime}"
                if key not in groups:
                    groups[key] = carried.groups[key]
                    for member, member_mtime, _ in groups[key]:
                        if type(member) is str:
                            watched(member, member_mtime)
            depends.append([position, number_of(rows)])
    return depends, table, groups


def _valid_rows(rows: object, count: int) -> bool:
    return type(rows) is list and all(
        type(row) is list and len(row) == 3 and (type(row[0]) is str or type(row[0]) is int and 0 <= row[0] < count)
        and type(row[1]) is int and type(row[2]) is int for row in rows)


def _as_positions(tree: list[str], files: list[str]) -> list:
    """The project index's list of the tree as positions in the run's files when it holds the
    same files (usually: in another order), else as it is: the state stays about the size of
    one list of the tree's paths."""
    if len(tree) == len(files):
        position = {path: number for number, path in enumerate(files)}
        positions = [position.get(path, -1) for path in tree]
        if -1 not in positions:
            return positions
    return tree


def _from_positions(saved: object, files: list[str]) -> list[str] | None:
    if type(saved) is not list:
        return None
    if all(type(path) is str for path in saved):
        return saved
    count = len(files)
    if not all(type(number) is int and 0 <= number < count for number in saved):
        return None
    return [files[number] for number in saved]


def _all_normalised_below(text: str, count: int, paths: Sequence[str]) -> bool:
    """Are all `count` paths joined by NUL in `text` normalised absolute paths (`is_normalised`)
    below the one directory of `paths`? True proves it; False only sends the caller to the
    test of each path (another system, several paths, a name starting with a dot, the path
    itself among them). Two passes over the text, which is what a state holds (2.7 MB for
    #16's tree: a copy of it alone would cost more than the searches)."""
    if os.sep != "/" or len(paths) != 1 or not count or "\0" in paths[0]:
        return False
    if _NOT_A_STEP.search(text) or text.endswith("/"):
        return False
    below = paths[0].rstrip("/") + "/"
    # each path starts the text or follows a NUL: all of them start below the directory
    return text.startswith(below) + text.count("\0" + below) == count


# `/.`, `//`, `/` before NUL: a name that is not normalised (or hidden: the slow path decides)
_NOT_A_STEP = re.compile("/[./\0]")


def _rows_by_position(saved: object, count: int) -> dict[int, list] | None:
    """The state's results with something to report, position -> [syntax error, encoded
    diagnostics, error?], when well formed (the diagnostics are decoded when asked for:
    `_results_of`, `Changed.result`)."""
    if type(saved) is not list:
        return None
    rows = {}
    for row in saved:
        if type(row) is not list or not 3 <= len(row) <= 4:
            return None
        position, syntax_error, diagnostics, *error = row
        if type(position) is not int or not 0 <= position < count or position in rows:
            return None
        if syntax_error is not None and type(syntax_error) is not str or type(diagnostics) is not list:
            return None
        if error and type(error[0]) is not str:
            return None
        rows[position] = row
    return rows


def _result_of(path: str, row: list, strings: list[str]) -> FileResult:
    """One file's result from its row (`_rows_by_position`); `DamagedState` when the row's
    diagnostics do not decode."""
    _, syntax_error, diagnostics, *error = row
    if error:
        return FileResult(path, error=error[0])
    try:
        return FileResult(path, tuple(_decode(item, strings) for item in diagnostics), syntax_error)
    except (ValueError, TypeError, IndexError) as problem:
        raise DamagedState(str(problem)) from None


def _results_of(files: Sequence[str], rows: dict[int, list], strings: list[str]) -> list[FileResult]:
    """Every file's result: the clean ones built at C speed (one per file of the tree)."""
    results = list(map(clean_result, files))
    for position, row in rows.items():
        results[position] = _result_of(files[position], row, strings)
    return results


class DamagedState(ValueError):
    """A result of the run-level state, decoded when first asked for, is not well formed: the
    run starts again without the state (checking.check_paths)."""


class Changed:
    """A run after files changed in place: the files discovery would find (the state's, in
    its order), their stats as the state recorded them (`times`, `sizes`: the columns of
    `changed_files`) and the changed ones' now (`now`: position -> stat), the directories
    listed, and for each configuration's `src` roots the project index's list of the tree
    (files, directories). `results`: the state's results, in the same order, computed with the
    `renamed` class names (configuration number -> names, or None); `recheck`: the positions
    of the files whose result may differ now, the changed ones and every one whose result read
    a changed file (checking._recheck adds those that `proofs` and `asked` send back). Every
    other result stands: its file is as it was, and it depended on nothing else but the names
    the factory classes are renamed to and the files that hold a name, which the run checks
    against the changed files before it trusts them."""

    def __init__(self, files: list[str], times: array, sizes: array, now: dict[int, os.stat_result],
                 walked: list[str], trees: list[tuple[list[str], list[str], list[str]]]) -> None:
        self.files, self.times, self.sizes, self.now = files, times, sizes, now
        self.walked, self.trees = walked, trees
        self._results: list[FileResult] | None = None
        self._rows: dict[int, list] = {}  # the state's results with something to report (`_rows_by_position`)
        self._strings: list[str] = []
        self.recheck: set[int] = set()
        self.changed: set[int] = set()  # the positions of the files changed since the state
        self.resized: set[int] = set()  # changed files of another size: no entry can answer for them
        self.renamed: dict[int, list[str] | None] = {}  # configuration number -> names (checking._renamed_of)
        # position -> its result's dependencies, as `_dependencies` writes them, and the groups
        self.depends: dict[int, list] = {}
        self.groups: dict[str, list] = {}
        # (position, name, positions of changed files in the group of the files holding the
        # name): the result stands if none of them takes the name from the position's module
        self.proofs: list[tuple[int, str, list[int]]] = []
        # name -> (the positions of the group's files, the results that asked about it), per
        # group the state keeps: a changed file that holds the name and is not among those
        # sends the results back (checking._recheck)
        self.asked: list[tuple[str, set[int], list[int]]] = []

    def only_racy(self, limit: int) -> bool:
        """Did every changed file change at `limit` or later (the racy rule)?"""
        return all(_racy(status, limit) for status in self.now.values())

    def stats(self, limit: int) -> tuple[array, array]:
        """The stats to record for the files, as `RunState._encode` records a run's: the
        state's, with the changed files' now; one of those changed at `limit` or later (the
        racy rule) with its inode smudged, as `_encode` smudges one: the next run checks it
        again, and takes every other file from the state (`ssot check --watch` and a run on
        each save run right after an edit, every time: with the state they read kept as it
        was, the files changed since it would pile up, each checked again by every run).
        (`_encode` writes no state when all of them are racy: `only_racy`.)"""
        times, sizes = array("q", self.times), array("Q", self.sizes)
        for position, status in self.now.items():
            racy = _racy(status, limit)
            times[2 * position:2 * position + 2] = array("q", [status.st_mtime_ns, status.st_ctime_ns])
            sizes[2 * position:2 * position + 2] = array("Q", [status.st_size, SMUDGED if racy else status.st_ino])
        return times, sizes

    @property
    def results(self) -> list[FileResult]:
        """The state's results, in the order of `files` (built when first asked for)."""
        if self._results is None:
            self._results = _results_of(self.files, self._rows, self._strings)
        return self._results

    def result(self, position: int) -> FileResult:
        """The state's result of one file, decoded alone unless all are built already."""
        if self._results is not None:
            return self._results[position]
        row = self._rows.get(position)
        if row is None:
            return clean_result(self.files[position])
        return _result_of(self.files[position], row, self._strings)

    def take(self, header: dict, results: list[FileResult] | None, changed: list[int],
             rows: dict[int, list]) -> bool:
        """Read the state's results (`results`, or `rows` to build them from when asked for)
        and dependencies, and find the results to check again: the changed files', those that
        depend on a changed file, and (`proofs`) those whose "no module takes the name" a
        changed file of the group may have made wrong. False when the state's tables are not
        well formed."""
        count = len(self.files)
        renamed, depends, table, groups = header["renamed"], header["depends"], header["rows"], header["groups"]
        if type(renamed) is not dict or type(depends) is not list or type(table) is not list \
                or type(groups) is not dict or type(header["strings"]) is not list:
            return False
        self._results, self._rows, self._strings = results, rows, header["strings"]
        for listed in (*groups.values(), *table):
            if not _valid_rows(listed, count):
                return False
        for item in depends:
            if type(item) is not list or len(item) != 2 or type(item[0]) is not int or not 0 <= item[0] < count \
                    or type(item[1]) is not int or not 0 <= item[1] < len(table):
                return False
            self.depends[item[0]] = table[item[1]]
        self.groups = groups
        self.renamed = {int(number): names for number, names in renamed.items()}
        touched = self.changed = set(changed)
        recheck = set(changed)
        moved_in = {key: [member for member, _, _ in members if type(member) is int and member in touched]
                    for key, members in groups.items()}
        askers: dict[str, list[int]] = {}
        # per list of rows (results share them): a changed file among them, the groups with
        # changed members (name, their positions), and the groups' keys
        verdicts: dict[int, tuple[bool, list, list[str]]] = {}
        for position, rows in self.depends.items():
            verdict = verdicts.get(id(rows))
            if verdict is None:
                direct, named = False, []
                for ref, mtime, _ in rows:
                    if type(ref) is int:
                        direct = direct or ref in touched
                    elif ref.startswith(MENTIONS):
                        members = moved_in.get(f"{ref}\0{mtime}")
                        if members is None:
                            return False
                        if members:
                            named.append((ref[len(MENTIONS):], members))
                    # any other file is watched: unchanged, or this run is not in place
                verdict = verdicts[id(rows)] = (direct, named, [
                    f"{ref}\0{mtime}" for ref, mtime, _ in rows if type(ref) is str and ref.startswith(MENTIONS)])
            for key in verdict[2]:
                askers.setdefault(key, []).append(position)
            if verdict[0]:
                recheck.add(position)
                continue
            for name, members in verdict[1]:
                moved = [member for member in members if member != position]
                if moved:
                    self.proofs.append((position, name, moved))
        self.recheck = recheck
        for key, positions in askers.items():
            members = {member for member, _, _ in groups[key] if type(member) is int}
            self.asked.append((key[len(MENTIONS):].partition("\0")[0], members, positions))
        return True


class StateResults(abc.Sequence):
    """The results of a run after files changed in place that kept the state's: the state's,
    but those of the files it checked again (`fresh`: position -> result), as a list built
    only when first asked for. `same`: each file checked again has the state's result, and
    each changed file's (whose lines a report may quote: a snippet, a baseline key, a SARIF
    fingerprint) is clean, then and now; the report is then the state's to the byte, which
    the replay record made from the state holds (RunState.record)."""

    def __init__(self, changed: Changed, fresh: dict[int, FileResult]) -> None:
        self.changed, self.fresh = changed, fresh
        self._list: list[FileResult] | None = None
        touched = changed.changed
        self.same = all(_same(changed.result(position), result, position in touched)
                        for position, result in fresh.items())

    def list(self) -> list[FileResult]:
        if self._list is None:
            built = list(self.changed.results)
            for position, result in self.fresh.items():
                built[position] = result
            self._list = built
        return self._list

    def __len__(self) -> int:
        return len(self.changed.files)

    def __getitem__(self, position):
        return self.list()[position]

    def __iter__(self):
        return iter(self.list())


def _same(before: FileResult, now: FileResult, content_changed: bool) -> bool:
    if content_changed:
        return _clean(before) and _clean(now)
    return (before.diagnostics, before.syntax_error, before.error) == (now.diagnostics, now.syntax_error, now.error)


def _clean(result: FileResult) -> bool:
    return not result.diagnostics and result.syntax_error is None and result.error is None


_STAT, _OPTIONAL, _EXISTS = WATCH_STAT, WATCH_ABSENT, WATCH_EXISTS
_WHOLE = object()  # `RunState._patched`: the state must be encoded whole
# A run whose findings depend on more files under `src` than it checks, beyond this many,
# saves no state (see `_encode`).
MAX_OUTSIDE = 1000
# Each distinct command has its own state (pre-commit names different files every time):
# beyond this many, the least recently written go.
MAX_STATES = 16
