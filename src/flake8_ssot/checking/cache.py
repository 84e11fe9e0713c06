"""The result cache: diagnostics per file, keyed on the file's content, the configuration and
the tool version, like `.ruff_cache`.

One cache file per configuration (`<cache dir>/<version>/<key>.json`, the key hashing the
configuration file's bytes and the command-line overrides). An entry is trusted on its
size and modification time alone only when the file was last read well after that
modification time (git's "racy" rule); otherwise the content is hashed and compared.
Writes are atomic (temporary file, then rename) and merge with entries another run wrote
meanwhile; anything unreadable or malformed is recomputed, never trusted.

A file's findings may depend on other modules (the project index: is this name a re-export?
would this import close a cycle?). Its entry then lists those files with the size and
modification time they had when read, and is stale as soon as one of them differs; a module
the index looked for and did not find is listed as the paths where it would be, with
`ABSENT` times, and the entry is stale once one of them exists.

The summaries of the modules the index read (`index.Summary`) are kept beside the entries,
by file, with the size and modification time they were built from, so that the next run's
workers take them from here instead of parsing those modules again. They are a table of
their own rather than a part of each file's entry: the modules a decision reads are often
files this configuration does not check (a canonical module elsewhere, a path not given).

So are the files that hold a name no module was found importing (`index.MentionsDependency`:
thousands of files for a common name, on which every check that asked depends). The table
`groups` keeps each name's files once, with their size and modification time and the group's
digest; an entry lists the group as its name's path (`MENTIONS + name`, which no file has)
with the digest and the number of files, and is stale when the table has no such group (a
later run replaced it: some file changed) or when one of the group's files changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from typing import Any, Iterable, Sequence

from flake8_ssot import __version__
from flake8_ssot.checking.runner import FileResult, clean_result
from flake8_ssot.config import Config
from flake8_ssot.config.resolve import project_root
from flake8_ssot.diagnostic import Diagnostic, Edit, Fix
from flake8_ssot.files import write_atomic
from flake8_ssot.dotted import module_name
from flake8_ssot.index import (
    ABSENT, MENTIONS, Dependency, MentionsDependency, ReadDependency, Summary, SummarySource, index_for,
    mentions_dependency,
)
from flake8_ssot.replay import code_identity, prune
from flake8_ssot.span import Span

CACHE_DIR_NAME = ".ssot_cache"
# Each configuration, command-line override set and version of the tool's code has its own
# file (`cache_key`): beyond this many in one directory, the least recently written go (an
# edited checker in a development tree makes a new one each time).
MAX_CACHES = 64
# 2: a group holds every file whose content the cache saw holding its name (checking/mentions.py)
# 3: a file that spells only a renamed class name is checked (runner.check_bytes): entries
#    computed before did not
# 4: the entries last (a run that asks for none does not decode them: `_read_head`)
FORMAT = 4
# A file modified less than this long before it was read may change again within the same
# timestamp tick (coarse filesystem clocks), so its size and mtime prove nothing.
RACY_NS = 2_000_000_000
# The inode number a cache records for a file whose stat was racy when it was saved (the
# run-level state, the renamed-names file): no file has it, so the file counts as changed
# next time, as git smudges a racily clean index entry.
SMUDGED = 2**64 - 1
SEVERITIES = ("error", "warning")
APPLICABILITIES = ("safe", "unsafe")


def cache_key(config: Config, overrides: str) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{__version__}\0{code_identity()}\0{FORMAT}\0{config.file}\0{overrides}\0".encode())
    if config.file:
        try:
            with open(config.file, "rb") as handle:
                digest.update(handle.read())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()[:20]


def default_cache_dir(config: Config) -> str:
    return config.cache_dir or os.path.join(config.root, CACHE_DIR_NAME)


def any_takes(roots: Sequence[str], members: Iterable[str], name: str, module: str,
              verdicts: dict[tuple[str, str, str], bool]) -> bool:
    """Does one of `members` (changed files of a group of files holding `name`) now take the name
    from `module` (`importers.takes_from`)? The proof that a "no module takes the name" still
    holds, for the per-file cache (`Cache._group_unchanged`) and for a run after files changed in
    place (checking._recheck). `verdicts`: (member, name, module) -> the answer, kept for the run."""
    from flake8_ssot.index.importers import takes_from

    for member in members:
        key = (member, name, module)
        taker = verdicts.get(key)
        if taker is None:
            try:
                taker = verdicts[key] = takes_from(index_for(roots), member, name, module)
            except (OSError, ValueError, RecursionError, MemoryError):
                taker = verdicts[key] = True  # cannot tell: as if it did
        if taker:
            return True
    return False


def is_inside(path: str, root: str) -> bool:
    """`path` is `root` or lies below it (both absolute and normalised)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def cache_dir_of(config: Config, project_root: str) -> str:
    """Where `config`'s cache goes. A `cache-dir` is the project's to choose: a configuration
    below the project root (a vendored package, a checkout of someone else's code) may keep
    its cache inside the project only, else it goes beside that configuration."""
    if config.cache_dir is None or config.root == project_root or is_inside(config.cache_dir, project_root):
        return default_cache_dir(config)
    fallback = os.path.join(config.root, CACHE_DIR_NAME)
    say_once(
        f"warning: {config.file}: tool.ssot.cache-dir ignored: only the project's own configuration "
        f"({project_root}) or --cache-dir may put the cache outside the project; using {fallback}"
    )
    return fallback


_SAID: set[str] = set()  # warnings already given in this process


def say_once(message: str) -> None:
    """A warning on standard error, once per process however many caches hit it."""
    if message not in _SAID:
        _SAID.add(message)
        sys.stderr.write(message + "\n")


def cannot_write(directory: str, error: OSError) -> None:
    """A cache that cannot be written costs speed, never the run; but not silently."""
    reason = error.strerror or str(error)
    say_once(f"warning: cannot write the cache in {directory}: {reason}; the next run will not be faster")


class RunCaches:
    """The caches of one run: one per configuration (none for an empty configuration, or
    when `cache_dir` is None: `--no-cache`), opened when a file of it is first met."""

    def __init__(self, configurations, cache_dir: str | None, taken: dict | None = None) -> None:
        self.configurations = configurations
        self.cache_dir = cache_dir
        # path -> its stat, taken this run (by the run-level cache, or by `Cache.unseen`, which
        # adds what it takes: the run-level cache records them without stat'ing again)
        self.taken = {} if taken is None else taken
        self.opened: dict[int, Cache | None] = {}
        self.project_root = project_root(os.getcwd(), configurations.explicit)
        # A run after files changed in place (checking/runstate.py `Changed`): the files that are
        # as the run-level state recorded them (see `Cache.unseen`).
        self.as_recorded: set[str] = set()

    def of(self, index: int) -> Cache | None:
        """The cache of configuration `index` of `configurations.configs`."""
        try:
            return self.opened[index]
        except KeyError:
            pass
        config = self.configurations.configs[index]
        cache = None
        if self.cache_dir is not None and not config.is_empty:
            directory = self.cache_dir or cache_dir_of(config, self.project_root)
            cache = Cache(directory, config, self.configurations.overrides.key())
            cache.taken = self.taken
            cache.as_recorded = self.as_recorded
        self.opened[index] = cache
        return cache

    def __bool__(self) -> bool:
        return any(cache is not None for cache in self.opened.values())

    def save(self) -> None:
        for cache in self.opened.values():
            if cache is not None:
                cache.save()

    def must_save(self) -> bool:
        """Did this run learn something a later run cannot find out by stat'ing its entries
        (the renamed-class names changed, entries or groups were forgotten)?"""
        return any(cache is not None and (cache.changed_renamed or cache.forgotten or cache.forgotten_groups
                                          or cache.grown_groups)
                   for cache in self.opened.values())


class Cache:
    """The entries of one configuration. `lookup` before checking, `store` after, then `save`."""

    def __init__(self, directory: str, config: Config, overrides: str = "") -> None:
        self.config = config
        self.directory = directory
        self.path = os.path.join(directory, __version__, cache_key(config, overrides) + ".json")
        # relative path -> entry; None until first asked for: the entries are most of the
        # document (5.7 of 6.6 MB on #16's tree), and a run after one file changed asks for none
        # (`_load`, `entries`).
        self._entries: dict[str, list] | None = {}
        self._pending: tuple[bytes, int] | None = None  # (the document's bytes, where "files" starts in its text)
        self._ascii: bool | None = None  # are they ASCII (`_found_entry`)
        self._searches = 0  # entries looked for in the text (`_entry`)
        self.strings: list[str] = []
        self.changed: dict[str, list] = {}
        self.summaries: dict[str, list] = {}  # relative path -> [mtime, size, Summary.to_json()]
        self.changed_summaries: set[str] = set()
        # MENTIONS + name -> [digest, [[relative path, mtime, size], ...]] (the files of a
        # `MentionsDependency`, kept once however many entries depend on them)
        self.groups: dict[str, list] = {}
        self.changed_groups: set[str] = set()
        self.forgotten_groups = False
        self.grown_groups = False  # a new group, or one with new files: `RunCaches.must_save`
        self._built_groups: dict[tuple[str, int], MentionsDependency] = {}  # decoded once per run
        # The names its factory classes may have under other names (index/aliases.py) that the
        # entries computed with them were computed with, at least: checking/renamed.py.
        self.renamed: frozenset[str] | None = None
        self.changed_renamed = False
        self.forgotten = False
        self._loaded_stat: tuple[int, int] | None = None
        self._unchanged: dict[tuple, bool] = {}  # dependency -> still as recorded (one stat per run)
        # A group's changed files (`_changed_members`), whether a changed file now takes the name
        # from a module (`_group_unchanged`), and the groups found to hold with changed files:
        # path -> digest -> those files' stats now (`save` moves the entries to the new row).
        self._members: dict[tuple[str, int], dict | None] = {}
        self._takers: dict[tuple[str, str, str], bool] = {}
        self._proven: dict[str, dict[int, tuple[list, dict[str, tuple]]]] = {}
        self._unseen: dict[str, bool] = {}  # path -> not seen as it is now (`unseen`, once per run)
        self._dependencies: dict[tuple, Dependency] = {}  # (relative, mtime, size) -> built once per run
        self.taken: dict = {}  # path -> its stat, taken this run (RunCaches.taken)
        self.as_recorded: set[str] = set()  # RunCaches.as_recorded
        root = config.root
        self._prefix = root if root.endswith(os.sep) else root + os.sep
        self._load()
        self._intern = StringTable(self.strings).intern

    # ------------------------------------------------------------------ reading

    def _load(self) -> None:
        """Everything but the entries, which are decoded when first asked for (`entries`)."""
        found = _read_head(self.path)
        if found is None:
            return
        head, text, start = found
        try:
            self._loaded_stat = _stat_key(self.path)
        except OSError:
            pass
        strings = head.get("strings")
        if start is not None and type(strings) is list and all(type(text) is str for text in strings):
            self.strings = strings
            self._pending = (text, start)
            self._entries = None
        self.summaries = _valid_summaries(head)
        self.groups = _valid_groups(head)
        self.renamed = _valid_renamed(head)

    @property
    def entries(self) -> dict[str, list]:
        entries = self._entries
        if entries is None:
            data, start = self._pending
            self._pending = None
            try:
                text = data.decode("utf-8")
                files, _ = _DECODER.raw_decode(text, _SPACE.match(text, start).end())
            except (ValueError, RecursionError):
                files = None
            entries = self._entries = _valid_document({"strings": self.strings, "files": files})[1]
            entries.update(self.changed)  # stored before (`store`)
        return entries

    def _entry(self, key: str) -> list | None:
        """One file's entry (`key`: its relative path). Before the table is decoded (`entries`),
        it is found in the document's text alone: a run after one file changed asks for one or
        two, and decoding the 24k entries of #16's tree costs 50-130 ms, finding one about a
        millisecond. What it finds is what the decoded table would hold (`_found_entry`)."""
        entries = self._entries
        if entries is not None:
            return entries.get(key)
        entry = self.changed.get(key)  # stored this run (`entries` puts these over the document's)
        if entry is not None:
            return entry
        self._searches += 1
        if self._searches > SEARCHES:  # a run that asks for many (a part of the tree): decoded once
            return self.entries.get(key)
        entry = self._found_entry(key)
        return self.entries.get(key) if entry is _UNDECIDED else entry

    def _found_entry(self, key: str) -> list | None | object:
        """The entry of `key` in the text of the document's "files" object, or None when it has
        none; `_UNDECIDED` when only decoding the whole table can tell. `Cache.save` writes the
        document with `json.dumps` (ASCII only, no spaces), the entries last, and an entry holds
        lists, numbers and strings, no object. So `"key":` there, after a `{` or `,`, is the key
        of an entry of "files" and nothing else: a string other than a key is never followed by
        a colon; the needle's quotes but its first and last are escaped (a quote inside a string
        is written with a backslash), so it cannot start at a closing quote (a key's opening
        quote would lie between that and the colon); its first quote is then unescaped when it
        follows a `{` or `,` (an escaped one follows a backslash). A document written otherwise
        (not in ASCII) is decoded whole."""
        data, start = self._pending
        if self._ascii is None:
            self._ascii = data.isascii()  # (then its text's offsets are its bytes')
        if not self._ascii:
            return _UNDECIDED
        needle = json.dumps(key).encode("ascii") + b":"
        at = data.find(needle, start)
        if at < 0:
            # Not as `json.dumps` writes it (a key spelt otherwise by hand is missed): no entry,
            # and the file is checked, which is never wrong.
            return None
        if data[at - 1:at] not in (b"{", b","):
            return _UNDECIDED
        value = at + len(needle)
        for end in (value + 65536, len(data)):
            try:
                entry, _ = _DECODER.raw_decode(data[value:end].decode("ascii"))
            except ValueError:  # cut short (an entry longer than the window), or damaged
                if end >= len(data):
                    return _UNDECIDED
                continue
            except RecursionError:
                return _UNDECIDED
            return entry if _valid_entry(entry) else None
        return _UNDECIDED

    def forget_entries(self) -> None:
        """Trust no entry (a file now renames a factory class: checking/renamed.py): the run's
        own entries replace them all, none merged from another run."""
        self._entries, self._pending = {}, None
        self.changed.clear()
        self.forgotten = True
        self.changed_renamed = True

    def keep_renamed(self, names: frozenset[str] | None) -> None:
        """The run's entries are computed with these renamed-class names (checking/renamed.py)."""
        if names != self.renamed:
            self.renamed = names
            self.changed_renamed = True

    def relative(self, path: str) -> str:
        # The common case, a normalised absolute path under the root, is a slice (this runs
        # once per file of a warm run); anything else goes through os.path.
        if path.startswith(self._prefix) and is_normalised(path):
            return path[len(self._prefix):]
        return self.config.relative(path)

    def absolute(self, relative: str) -> str:
        """`os.path.join(root, relative)`; a concatenation for the common relative path."""
        if relative and relative[0] != os.sep and os.sep == "/":
            return self._prefix + relative
        return os.path.join(self.config.root, relative)

    def lookup(self, path: str, stat: os.stat_result) -> tuple[str, FileResult | None]:
        """("hit", result), ("verify", None) when only the content can tell, or ("miss", None)."""
        prefix = self._prefix
        if path.startswith(prefix) and is_normalised(path):
            entry = self._entry(path[len(prefix):])  # `relative`, inlined: once per file
        else:
            entry = self._entry(self.config.relative(path))
        if entry is None:
            return _MISS
        mtime, size, digest, verified, diagnostics, syntax_error = entry[:6]
        if size != stat.st_size:
            return _MISS
        if len(entry) > 6 and not self._dependencies_unchanged(entry[6], path):
            return _MISS  # another module this file's findings depend on has changed
        if _seen_as(entry, stat):
            if not diagnostics and syntax_error is None and len(entry) == 6:
                return "hit", clean_result(path)  # a clean file, by far the most common entry
            result = self._result(path, entry)
            return ("hit", result) if result is not None else _MISS
        return _VERIFY if isinstance(digest, str) else _MISS

    def _dependencies_unchanged(self, dependencies: list, asker: str) -> bool:
        unchanged = self._unchanged
        for dependency in dependencies:
            if dependency[0].startswith(MENTIONS):
                if not self._group_unchanged(dependency, asker):
                    return False
                continue
            key = tuple(dependency)
            known = unchanged.get(key)
            if known is None:
                try:
                    status = self._stat(self.absolute(dependency[0]))
                    known = (status.st_mtime_ns, status.st_size) == (dependency[1], dependency[2])
                except (FileNotFoundError, NotADirectoryError):
                    known = dependency[1] == ABSENT  # still missing, as when it was looked for
                except OSError:
                    known = False
                unchanged[key] = known
            if not known:
                return False
        return True

    def _group_unchanged(self, dependency: list, asker: str) -> bool:
        """Does the answer "no module takes the name from the asker's module" still hold?
        Yes when the group is the one the entry saw and each of its files is unchanged or,
        changed, still takes the name from no module the asker's (`importers.takes_from`): an
        edit elsewhere in a file that merely mentions a common name (`factory`, in a third of
        the benchmark tree) no longer sends every check that asked about it back (#16). A file
        that newly holds the name makes a new group (checking/mentions.py)."""
        path, digest, count = dependency
        row = self.groups.get(path)
        if row is None or row[0] != digest or len(row[1]) != count:
            return False
        changed = self._changed_members(path, digest, row[1])
        if changed is None:
            return False
        if not changed:
            return True
        name = path[len(MENTIONS):]
        module = module_name(asker, self.config.src)[0]
        # (the asker's own file is skipped by the question, and it is changed itself)
        if any_takes(self.config.src, [member for member in changed if member != asker], name, module,
                     self._takers):
            return False
        self._proven.setdefault(path, {})[digest] = (row[1], changed)
        return True

    def _changed_members(self, path: str, digest: int, members: list) -> dict[str, tuple] | None:
        """The files of a group that changed since the table's row: absolute path -> their
        (mtime, size) now, ABSENT for a file gone; None when one cannot be stat'ed. Once per run."""
        known = self._members.get((path, digest))
        if known is not None or (path, digest) in self._members:
            return known
        changed: dict[str, tuple] | None = {}
        for relative, mtime, size in members:
            member = self.absolute(relative)
            try:
                status = self._stat(member)
                now = (status.st_mtime_ns, status.st_size)
            except (FileNotFoundError, NotADirectoryError):
                now = (ABSENT, ABSENT)
            except OSError:
                changed = None
                break
            if now != (mtime, size):
                changed[member] = now
        self._members[(path, digest)] = changed
        return changed

    def _stat(self, path: str) -> os.stat_result:
        """`os.stat(path)`, once per run: the stat is kept in `taken` (shared with the run-level
        cache, which records it rather than stat'ing again)."""
        status = self.taken.get(path)
        if status is None:
            status = self.taken[path] = os.stat(path)
        return status

    def unseen(self, tree: Sequence[str], checked: set[str]) -> list[str]:
        """The files of `tree`, other than `checked` (which the run reads itself), whose content
        as it is now this cache has not seen: no entry, or an entry of another size or time, or
        one written too soon after the file changed to prove anything (`lookup`'s own test of a
        hit). What the cache keeps about the whole tree (the files holding a name, the names
        a class is renamed to) holds for every other file: a small run reads only these
        (checking/mentions.py, checking/renamed.py).

        A file `as_recorded` (unchanged since the run-level state, which a run after files
        changed in place takes its files from) is not among them even when its entry is older
        (a run that checked a few files leaves the cache as it was): the run that recorded the
        state read it as it is, and a run that learns from a file something the cache lacks (it
        renames a class to a new name, or holds a name a group lacks) saves the cache
        (`RunCaches.must_save`)."""
        unseen = []
        relative, verdicts = self.relative, self._unseen
        recorded = self.as_recorded
        for path in tree:
            if path in checked or path in recorded:
                continue
            verdict = verdicts.get(path)
            if verdict is None:  # once per run: the mention groups and the renamed names both ask
                entry = self._entry(relative(path))
                if entry is None:
                    verdict = True
                else:
                    try:
                        verdict = not _seen_as(entry, self._stat(path))
                    except OSError:
                        verdict = False  # gone: it holds and binds nothing
                verdicts[path] = verdict
            if verdict:
                unseen.append(path)
        return unseen

    def digest(self, path: str) -> str | None:
        entry = self._entry(self.relative(path))
        return entry[2] if entry is not None else None

    def result(self, path: str) -> FileResult | None:
        """The cached result for `path`, or None if the entry does not decode."""
        entry = self._entry(self.relative(path))
        return None if entry is None else self._result(path, entry)

    def _result(self, path: str, entry: list) -> FileResult | None:
        if not entry[4] and entry[5] is None and len(entry) == 6:
            return clean_result(path)  # a clean file, by far the most common entry
        try:
            diagnostics = tuple(_decode(item, self.strings) for item in entry[4])
        except (IndexError, TypeError, ValueError, KeyError):
            return None
        depends = ()
        if len(entry) > 6:  # the run-level cache needs them too (`checking.check_paths`)
            known = self._dependencies  # shared: 2,000 entries of #16's tree list the same packages
            built = []
            for relative, mtime, size in entry[6]:
                if relative.startswith(MENTIONS):
                    group = self._group(relative, mtime)
                    if group is None:
                        return None  # its files are not in the table: recomputed
                    built.append(group)
                    continue
                dependency = known.get((relative, mtime, size))
                if dependency is None:
                    dependency = known[(relative, mtime, size)] = Dependency(self.absolute(relative), mtime, size)
                built.append(dependency)
            depends = tuple(built)
        return FileResult(path, diagnostics, entry[5], depends=depends)

    def _group(self, path: str, digest: int) -> MentionsDependency | None:
        """The group `path` with that digest, its files from the table (decoded once: the
        entries that depend on it share it), or None when the table has another or none."""
        group = self._built_groups.get((path, digest))
        if group is None:
            row = self.groups.get(path)
            if row is None or row[0] != digest:
                return None
            group = MentionsDependency(path, digest, len(row[1]))
            group.files = tuple(Dependency(self.absolute(relative), mtime, size) for relative, mtime, size in row[1])
            self._built_groups[(path, digest)] = group
        return group

    def stored_summary(self, path: str, dependency: Dependency) -> Summary | None:
        """The summary kept for `path` when its file still has the size and modification time
        it was built from (`index.ProjectIndex.stored`)."""
        row = self.summaries.get(self.relative(path))
        if row is None or row[0] != dependency.mtime_ns or row[1] != dependency.size:
            return None
        try:
            return Summary.from_json(row[2])
        except (TypeError, ValueError):
            return None  # damaged: the module is parsed again

    def detached_summaries(self) -> SummarySource:
        """`stored_summary` for a process that keeps nothing else of this cache for the rest of
        its life (the flake8 plugin's workers). The rows are kept as JSON text: the document's
        lists (27,000 for the summaries and 95,000 for the entries on #16's 24,000-file tree)
        would be traversed by every full garbage collection of the process, which cost flake8
        more than the plugin's own work. Keeps neither the cache nor its document alive."""
        rows = {key: (mtime, size, json.dumps(summary)) for key, (mtime, size, summary) in self.summaries.items()}
        relative = self.config.relative

        def stored(path: str, dependency: Dependency) -> Summary | None:
            row = rows.get(relative(path))
            if row is None or row[0] != dependency.mtime_ns or row[1] != dependency.size:
                return None
            try:
                return Summary.from_json(json.loads(row[2]))
            except (TypeError, ValueError):
                return None  # damaged: the module is parsed again

        return stored

    # ------------------------------------------------------------------ writing

    def store_summaries(self, dependencies) -> None:
        """Keep the summaries a result's dependencies carried (`index.ReadDependency`)."""
        for dependency in dependencies:
            if type(dependency) is ReadDependency and dependency.mtime_ns != ABSENT:
                key = self.relative(dependency.path)
                self.summaries[key] = [dependency.mtime_ns, dependency.size, dependency.summary.to_json()]
                self.changed_summaries.add(key)

    def confirm(self, path: str, stat: os.stat_result, checked_at: int) -> None:
        """The content matched the entry: trust its new size and mtime from now on."""
        key = self.relative(path)
        entry = self._entry(key)
        if entry is not None:
            updated = [stat.st_mtime_ns, stat.st_size, entry[2], checked_at, *entry[4:]]
            if self._entries is not None:  # else `entries` takes it from `changed` when first asked
                self._entries[key] = updated
            self.changed[key] = updated

    def store(self, path: str, stat: os.stat_result | None, checked_at: int, result: FileResult) -> None:
        if result.error is not None or result.digest is None or stat is None:
            return  # unreadable files are retried every run
        key = self.relative(path)
        entry = [
            stat.st_mtime_ns, stat.st_size, result.digest, checked_at,
            [_encode(d, self._intern) for d in result.diagnostics], result.syntax_error,
        ]
        if result.depends:
            relative = self.relative  # a slice for paths under the root (a check may read thousands)
            entry.append([[dependency.path if type(dependency) is MentionsDependency else relative(dependency.path),
                           dependency.mtime_ns, dependency.size] for dependency in result.depends])
            for dependency in result.depends:
                if type(dependency) is MentionsDependency:
                    self._store_group(dependency)
        if self._entries is not None:  # else `entries` takes it from `changed` when first asked
            self._entries[key] = entry
        self.changed[key] = entry

    def _carry_proven(self, entries: dict[str, list], groups: dict[str, list]) -> None:
        """An entry found to hold with changed files of its group (`_group_unchanged`) refers
        to the group's old row. When a re-checked file of this run replaced that row by one
        with exactly the files and stats the proof saw, the entry refers to the new row: its
        proof holds for those files as they are now."""
        for path, proofs in self._proven.items():
            row = groups.get(path)
            if row is None:
                continue
            for digest, (old_members, changed) in proofs.items():
                if row[0] == digest:
                    continue
                expected = [[relative, *changed.get(self.absolute(relative), (mtime, size))]
                            for relative, mtime, size in old_members]
                if row[1] != expected:
                    continue
                for key, entry in entries.items():
                    if len(entry) > 6 and any(d[0] == path and d[1] == digest for d in entry[6]):
                        entry[6] = [[d[0], row[0], d[2]] if d[0] == path and d[1] == digest else d for d in entry[6]]

    def forget_groups(self) -> None:
        """Keep no group (a fix wrote a file: checking/mentions.py): the entries that depended on
        one are checked again, and the next question reads the whole tree."""
        if self.groups:
            self.groups.clear()
            self._built_groups.clear()
            self._unchanged.clear()
            self._members.clear()
            self._proven.clear()
            self.forgotten_groups = True

    def group_names(self) -> list[str]:
        """The names the table keeps a group of files for."""
        return [key[len(MENTIONS):] for key in self.groups]

    def group_members(self, name: str) -> set[str]:
        """The files the group of `name` holds, relative to the root (`relative`)."""
        row = self.groups.get(MENTIONS + name)
        return {row_file[0] for row_file in row[1]} if row is not None else set()

    def group_files(self, name: str) -> list[str]:
        """The files the group of `name` holds (absolute paths)."""
        row = self.groups.get(MENTIONS + name)
        return [self.absolute(row_file[0]) for row_file in row[1]] if row is not None else []

    def add_to_group(self, name: str, files: list[Dependency]) -> None:
        """`files` now hold `name` too (checking/mentions.py): the group gets them and a new
        digest, so every entry that depended on the old group is checked again."""
        key = MENTIONS + name
        row = self.groups.get(key)
        old = [] if row is None else [
            Dependency(self.absolute(relative), mtime, size) for relative, mtime, size in row[1]]
        self._store_group(mentions_dependency(name, (*old, *files)))
        self._unchanged.clear()  # the old digest was judged unchanged, and may be asked again
        self._members.clear()

    def _store_group(self, group: MentionsDependency) -> None:
        """Keep a group's files in the table, once (every check that asked about the name
        carries the same group)."""
        row = self.groups.get(group.path)
        if row is not None and row[0] == group.mtime_ns and group.path in self.changed_groups:
            return
        relative = self.relative
        members = [[relative(file.path), file.mtime_ns, file.size] for file in group.files]
        if row is None or (row[0] != group.mtime_ns and not {member[0] for member in members} <= {
                member[0] for member in row[1]}):
            self.grown_groups = True  # new files hold the name (a member's new stat alone is no news)
        self.groups[group.path] = [group.mtime_ns, members]
        self.changed_groups.add(group.path)
        self._built_groups[(group.path, group.mtime_ns)] = group

    def save(self) -> None:
        """Write atomically, merged with whatever another run saved since we loaded."""
        if not (self.changed or self.changed_summaries or self.changed_renamed or self.changed_groups
                or self.forgotten_groups):
            return
        renamed = self.renamed
        summaries = self.summaries
        groups = self.groups
        sources = {key: (self.strings, entry) for key, entry in self.entries.items()}
        try:
            on_disk = _stat_key(self.path)
        except OSError:
            on_disk = None
        merged = False
        if on_disk is not None and on_disk != self._loaded_stat and not self.forgotten:
            document = _read_json(self.path)
            if document is not None:
                merged = True
                other_strings, other_entries = _valid_document(document)
                for key, entry in other_entries.items():
                    if key not in self.changed:
                        sources[key] = (other_strings, entry)
                summaries = {**_valid_summaries(document),
                             **{key: self.summaries[key] for key in self.changed_summaries}}
                if not self.forgotten_groups:  # a fix wrote files: no group of before stands
                    groups = {**_valid_groups(document), **{key: self.groups[key] for key in self.changed_groups}}
                other = _valid_renamed(document)
                if other is not None:  # each run's entries hold for its own names: keep the fewer
                    renamed = other if renamed is None else renamed & other
        kept = None if merged else self._kept_as_they_are()
        if kept is not None:
            strings, entries = kept
        else:
            table = StringTable()
            strings, intern = table.strings, table.intern
            entries = {}
            for key in sorted(sources):
                table, entry = sources[key]
                try:
                    diagnostics = [_encode(_decode(item, table), intern) for item in entry[4]]
                except (IndexError, TypeError, ValueError, KeyError):
                    continue  # a damaged entry is dropped, and so recomputed next time
                entries[key] = [*entry[:4], diagnostics, *entry[5:]]
        if self._proven:
            self._carry_proven(entries, groups)
        # The groups some entry still refers to (a name no check asks about any more goes).
        used = {dependency[0] for entry in entries.values() if len(entry) > 6
                for dependency in entry[6] if dependency[0].startswith(MENTIONS)}
        # The entries last: a run reads everything before them, and them only when it asks
        # for one (`_read_head`).
        document: dict[str, Any] = {"format": FORMAT, "version": __version__}
        if renamed is not None:
            document["renamed"] = sorted(renamed)
        document.update({"strings": strings, "summaries": {key: summaries[key] for key in sorted(summaries)},
                         "groups": {key: groups[key] for key in sorted(used) if key in groups},
                         "files": entries})
        try:
            _prepare_directory(self.directory)
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, json.dumps(document, separators=(",", ":")))
            prune(os.path.dirname(self.path), keep=self.path, prefix="", limit=MAX_CACHES, suffix=".json")
        except OSError as error:
            cannot_write(self.directory, error)

    def _kept_as_they_are(self) -> tuple[list[str], dict[str, list]] | None:
        """The entries and the string table to write as they are, when no other run's entries
        are merged in: the new entries interned their strings into the loaded table, so
        decoding and encoding every entry again (0.2 s for the 24k entries of #16's tree, on a
        run that changed one) buys only a compact table. None when the table is more than half
        unused, or an entry is damaged: then the entries are encoded afresh (and a damaged one
        dropped)."""
        used: set[int] = set()
        add = used.add
        try:
            for entry in self.entries.values():
                for item in entry[4]:
                    add(item[0]), add(item[1]), add(item[6]), add(item[8]), add(item[9])
                    fix = item[10]
                    if fix != 0:
                        add(fix[1])
                        for edit in fix[2]:
                            add(edit[4])
        except (IndexError, TypeError, KeyError):
            return None
        strings = self.strings
        if 2 * len(used) < len(strings) or not all(type(n) is int and 0 <= n < len(strings) for n in used):
            return None
        return strings, {key: self.entries[key] for key in sorted(self.entries)}


_MISS, _VERIFY = ("miss", None), ("verify", None)
_NOT_NORMAL = os.sep + "."  # `/./`, `/../` (and hidden names, which merely take the slow path)


def is_normalised(path: str) -> bool:
    """Is `path` absolute and as `os.path.abspath` would leave it? (Discovery's paths and the
    run-level cache's are; a slice or a set lookup then stands for a relpath or an abspath,
    once per file of the tree.) Conservative: a hidden name (`/.git/`) says no too."""
    return os.sep == "/" and path[:1] == "/" and _NOT_NORMAL not in path and "//" not in path \
        and not path.endswith("/")


def _stat_key(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_mtime_ns, status.st_size


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _read_head(path: str) -> tuple[dict, bytes, int | None] | None:
    """The document's keys before "files" (its last key, as `Cache.save` writes it), the bytes,
    and where the value of "files" starts in their text (None: no such key); None when the
    file cannot be read or is not a document of this format and version. A key written after
    "files" (by hand) is as if absent: an absent table costs the entries that need it, never a
    wrong answer. Only the head is decoded here (the entries are most of the file): the text
    up to the first `"files":` if the keys end there, else all of it."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    cut = data.find(b'"files":')
    if cut >= 0:
        try:
            found = _parse_head(data[:cut + len(b'"files":')].decode("utf-8"))
        except ValueError:  # (a character cut in two, or a value cut short: not the last key there)
            found = None
        if found is not None and found[1] is not None:
            return found[0], data, found[1]
    try:
        found = _parse_head(data.decode("utf-8"))
    except ValueError:
        return None
    if found is None:
        return None
    return found[0], data, found[1]


def _parse_head(text: str) -> tuple[dict, int | None] | None:
    head: dict[str, Any] = {}
    start = None
    space, decode = _SPACE.match, _DECODER.raw_decode
    try:
        at = space(text, 0).end()
        if text[at:at + 1] != "{":
            return None
        at = space(text, at + 1).end()
        while text[at:at + 1] == '"':
            key, at = decode(text, at)
            at = space(text, at).end()
            if text[at:at + 1] != ":":
                return None
            at = space(text, at + 1).end()
            if key == "files":
                start = at
                break
            head[key], at = decode(text, at)
            at = space(text, at).end()
            if text[at:at + 1] != ",":
                break
            at = space(text, at + 1).end()
    except RecursionError:
        return None
    if head.get("format") != FORMAT or head.get("version") != __version__:
        return None
    return head, start


def _read_json(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            document = json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != __version__:
        return None
    return document


def _valid_document(document: dict) -> tuple[list[str], dict[str, list]]:
    """Keep the well-formed entries; a damaged one is simply absent (and so recomputed)."""
    strings = document.get("strings")
    files = document.get("files")
    if not isinstance(strings, list) or not isinstance(files, dict):
        return [], {}
    if not all(isinstance(text, str) for text in strings):
        return [], {}
    entries = {}
    for key, entry in files.items():
        if _valid_entry(entry):
            entries[key] = entry
    return strings, entries


def _valid_entry(entry: object) -> bool:
    # `type(x) is int` rather than isinstance: bool is not a valid value.
    if type(entry) is list and (len(entry) == 6 or len(entry) == 7 and _valid_dependencies(entry[6])):
        mtime, size, digest, verified, diagnostics, syntax_error = entry[:6]
        return (
            type(mtime) is int and type(size) is int and type(verified) is int
            and type(digest) is str and type(diagnostics) is list
            and (syntax_error is None or type(syntax_error) is str)
        )
    return False


_UNDECIDED = object()
# A search of the text reads up to the whole document (about a millisecond for #16's 6.6 MB);
# decoding the table costs 50-130 ms: past this many searches in a run, the table is decoded.
SEARCHES = 16


def _valid_summaries(document: dict) -> dict[str, list]:
    """The well-formed rows of the summaries table (a row's summary is decoded when used)."""
    table = document.get("summaries")
    if not isinstance(table, dict):
        return {}
    return {key: row for key, row in table.items()
            if type(row) is list and len(row) == 3 and type(row[0]) is int and type(row[1]) is int
            and type(row[2]) is list}


def _seen_as(entry: list, status: os.stat_result) -> bool:
    """Was the entry written from the file as `status` finds it? Same size and modification
    time, and written long enough after that time (the racy rule) for a later change to show."""
    return status.st_size == entry[1] and status.st_mtime_ns == entry[0] and entry[0] < entry[3] - RACY_NS


def _valid_groups(document: dict) -> dict[str, list]:
    """The well-formed rows of the groups table (a row missing or damaged: the entries that
    refer to it are stale)."""
    table = document.get("groups")
    if not isinstance(table, dict):
        return {}
    return {key: row for key, row in table.items()
            if key.startswith(MENTIONS) and type(row) is list and len(row) == 2 and type(row[0]) is int
            and _valid_dependencies(row[1])}


def _valid_renamed(document: dict) -> frozenset[str] | None:
    names = document.get("renamed")
    if isinstance(names, list) and all(isinstance(name, str) for name in names):
        return frozenset(names)
    return None  # no run that kept entries used such names


def _valid_dependencies(dependencies: object) -> bool:
    return type(dependencies) is list and all(
        type(item) is list and len(item) == 3 and type(item[0]) is str and type(item[1]) is int
        and type(item[2]) is int for item in dependencies)


class StringTable:
    """The `strings` list of a cache document: each text stored once, referred to by index."""

    def __init__(self, strings: list[str] | None = None) -> None:
        self.strings: list[str] = [] if strings is None else strings  # extended in place
        self._index: dict[str, int] | None = None  # built when first needed: a warm run stores nothing

    def intern(self, text: str) -> int:
        index = self._index
        if index is None:
            index = self._index = {known: number for number, known in enumerate(self.strings)}
        number = index.get(text)
        if number is None:
            number = index[text] = len(self.strings)
            self.strings.append(text)
        return number


def _encode(diagnostic: Diagnostic, intern) -> list:
    span = diagnostic.span
    fix = diagnostic.fix
    encoded_fix: Any = 0
    if fix is not None:
        encoded_fix = [
            APPLICABILITIES.index(fix.applicability) if fix.applicability in APPLICABILITIES else 1,
            intern(fix.description),
            [[*edit.span, intern(edit.replacement)] for edit in fix.edits],
        ]
    return [
        intern(diagnostic.code), intern(diagnostic.message), *span,
        intern(diagnostic.subject), SEVERITIES.index(diagnostic.severity) if diagnostic.severity in SEVERITIES else 0,
        intern(diagnostic.statement), intern(diagnostic.canonical), encoded_fix,
    ]


def _decode(item: list, strings: list[str]) -> Diagnostic:
    code, message, line, column, end_line, end_column, subject, severity, statement, canonical, fix = item
    for number in (line, column, end_line, end_column):
        if not isinstance(number, int) or number < 0:
            raise ValueError("bad position")
    if severity not in (0, 1):
        raise ValueError("bad severity")
    decoded_fix = None
    if fix != 0:
        applicability, description, edits = fix
        if applicability not in (0, 1):
            raise ValueError("bad applicability")
        for edit in edits:
            if len(edit) != 5 or not all(isinstance(n, int) and n >= 0 for n in edit[:4]):
                raise ValueError("bad edit")
        decoded_fix = Fix(
            tuple(Edit(Span(*edit[:4]), _string(strings, edit[4])) for edit in edits),
            APPLICABILITIES[applicability],
            _string(strings, description),
        )
    return Diagnostic(
        code=_string(strings, code), message=_string(strings, message),
        span=Span(line, column, end_line, end_column), subject=_string(strings, subject),
        severity=SEVERITIES[severity], fix=decoded_fix, statement=_string(strings, statement),
        canonical=_string(strings, canonical),
    )


def _string(strings: list[str], index: Any) -> str:
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise ValueError("bad string index")
    return strings[index]


def _prepare_directory(directory: str) -> None:
    if os.path.isdir(directory):
        return
    os.makedirs(directory, exist_ok=True)
    # Like ruff: the cache ignores itself in git and tells backup tools it is a cache.
    write_atomic(os.path.join(directory, ".gitignore"), "# Automatically created by ssot.\n*\n")
    write_atomic(
        os.path.join(directory, "CACHEDIR.TAG"),
        "Signature: 8a477f597d28d172789f06886806bc55\n# This is a cache directory created by ssot.\n",
    )


def now_ns() -> int:
    return time.time_ns()
