"""The project index: what each module of the checked tree defines, re-exports and imports.

A decision about one file sometimes needs another module: is `WebSocketManagerFactory` in
`app/ws/factory.py` the canonical class re-exported, or a second class with the same name?
`ProjectIndex` answers from per-module summaries (`summary.Summary`, built from the module's
facts), loaded lazily: a module is found through the `src` roots, parsed, summarised and kept,
only when a decision asks about it. So it works the same in every worker process and every
front-end, with no run over the whole tree first. It decides no rule.

Every module a check consulted is recorded with its file's size and modification time
(`ProjectIndex.consulted`): a cached result that depended on it is stale when it changes. A
module looked for and not found is recorded too, as the paths where it would appear (`ABSENT`
times): a cached result that relied on its absence is stale once it exists.

A summary is read once per tree, not once per worker: the per-file cache keeps the summaries
the checks read (`stored`), and a worker sends each summary it had to build back to the parent
once, on the dependency that recorded it (`ReadDependency`). The language server keeps one
index per tree for its open buffers (`buffers`: an edited module's summary replaces the one on
disk), sharing the summaries read from disk with the index its workspace check uses.
"""

from __future__ import annotations

import ast
import contextvars
import hashlib
import os
import warnings
from contextlib import contextmanager
from typing import Callable, Iterator, NamedTuple, Sequence

from flake8_ssot.dotted import module_name
from flake8_ssot.files import SourceError, decode_source, read_bytes
from flake8_ssot.index import importers
from flake8_ssot.index.summary import Summary, summarise, summarise_source

__all__ = ["ABSENT", "DEFINITION", "MENTIONS", "MISSING", "MODULE", "UNKNOWN", "Dependency", "MentionsDependency",
           "Origin",
           "ProjectIndex", "ReadDependency", "Summary", "consulting", "current", "index_for", "mentions_dependency",
           "summarise"]

# Origin kinds:
#   definition  the module of `path` defines the name itself (class, def, assignment of a new value)
#   module      `path` is a module of the tree
#   missing     the module is in the tree and neither defines nor imports the name: ImportError
#   unknown     the index cannot see it: a module outside the tree, a C extension, a file that
#               does not parse, an attribute of an object, a chain that loops
DEFINITION, MODULE, MISSING, UNKNOWN = "definition", "module", "missing", "unknown"


class Origin(NamedTuple):
    path: str  # `module.Name` for a definition, the module's name for a module
    kind: str

    @property
    def known(self) -> bool:
        return self.kind in (DEFINITION, MODULE)


# The modification time and size of a path that did not exist when a decision looked for it.
ABSENT = -1


class Dependency(NamedTuple):
    """A file a decision read, as it was when read: the cache compares it on the next run.
    `ABSENT` times: the path did not exist (a module the index looked for and missed)."""

    path: str
    mtime_ns: int
    size: int


class ReadDependency(Dependency):
    """A dependency that also carries the summary the index built for it, from a worker
    process back to the parent, which stores it in the cache. Equal to (and hashed as) the
    plain dependency: the summary rides along, and pickling keeps it (an instance dict)."""

    summary: Summary


# The start of a `MentionsDependency`'s path: a NUL, which no file's path can hold.
MENTIONS = "\0mentions\0"


class MentionsDependency(Dependency):
    """Every file whose text holds a name, as one dependency: a check that asked who imports
    the name (`importer_of`) and heard "no file" depended on all of them. On the 10M-line
    benchmark tree `factory` is in 7,685 files and about 170 checks ask about it: listed in each
    check's dependencies, they made the cache 47 MB (#14). The cache keeps the files once, in a
    table, and each check's entry refers to them by this dependency.

    `path` is `MENTIONS + name` (no file has it), `mtime_ns` a digest of the files' (path,
    modification time, size), `size` their number; `files` (an instance attribute, which
    rides along when a worker pickles it, as `ReadDependency`'s summary does) their own
    dependencies, `ABSENT` times for one gone since it was read. Equal to (and hashed as) the
    plain triple: two groups of the same name and digest are the same files, as they were."""

    files: tuple[Dependency, ...]


def mentions_dependency(name: str, files: tuple[Dependency, ...]) -> MentionsDependency:
    digest = hashlib.blake2b(digest_size=8)
    for file in files:
        digest.update(f"{file.path}\0{file.mtime_ns}\0{file.size}\n".encode("utf-8", "surrogateescape"))
    group = MentionsDependency(MENTIONS + name, int.from_bytes(digest.digest(), "big") >> 1, len(files))
    group.files = files
    return group


_NO_FILE = (None, None, ())

# Where a summary may come from before the file is parsed: (path, dependency) -> the summary
# stored for exactly that size and modification time, or None.
SummarySource = Callable[[str, Dependency], "Summary | None"]


class ProjectIndex:
    """The modules under `roots` (the configuration's `src`), summarised on demand.

    `shared`: another index of the same roots whose summaries and module files this one uses
    too (the server's buffer index and its workspace check read the disk once)."""

    def __init__(self, roots: Sequence[str], shared: ProjectIndex | None = None) -> None:
        self.roots = tuple(roots)
        # by file path; module -> (file, is_package, paths looked at where it was absent)
        self._summaries: dict[str, tuple[Dependency, Summary | None]] = {} if shared is None else shared._summaries
        self._files: dict[str, tuple[str | None, bool | None, tuple[str, ...]]] = (
            {} if shared is None else shared._files)
        self._seen: dict[str, Dependency | None] = {}  # paths stat'ed during the current check
        # A run whose files do not change while it runs (`ssot check`, not `--fix`) stats each
        # path once, not once per check that consults it (the hub modules of a large tree were
        # stat'ed 800,000 times on the 10M-line benchmark tree): set by checking.runner, None
        # otherwise (the language server's index outlives its files' contents).
        self.run_stats: dict[str, Dependency | None] | None = None
        # names -> every name that can be one of them under another name (`renamed`): only for
        # a run that keeps no results (see aliases.py), computed before its workers start.
        self.aliases: dict[frozenset[str], frozenset[str]] = {}
        # (read, write) of the files that mention a name, shared by the workers of one run
        # (checking.runner.RunIndexes): a name's mentions are then looked for in the whole
        # tree by one worker, not by each.
        self.shared_mentions: tuple[Callable[[str], list[str] | None], Callable[[str, list[str]], None]] | None = None
        # name -> every file that may hold it, in the tree's order, from the cache of an earlier
        # run (checking/mentions.py): a small run reads those instead of the whole tree.
        self.known_mentions: dict[str, list[str] | Callable[[], list[str]]] = {}
        # The names a run's checks are likely to ask `importer_of` about (the policy's legacy
        # names: checking.runner.RunIndexes), for a run whose files do not change while it runs:
        # the first question's read of the tree also lists the files holding each of them
        # (`expected_holders`), and a question about one reads only those.
        self.expected_mentions: frozenset[str] = frozenset()
        self.expected_holders: dict[str, list[str]] = {}
        self.consulted: set[Dependency] = set()
        self.stored: list[SummarySource] = [] if shared is None else shared.stored
        # Told of every summary this index built by parsing (the workers of one run share them).
        self.published: list[Callable[[str, Dependency, Summary], None]] = [] if shared is None else shared.published
        self._shipped: set[Dependency] = set()  # summaries the cache has or a result carried
        self.buffers: dict[str, Summary] = {}  # file path -> an open editor buffer's summary

    # ------------------------------------------------------------------ one check

    def begin(self) -> None:
        """A new file's check starts: files are stat'ed again (once each), `consulted` empties."""
        self._seen = {}
        self.consulted = set()

    def add(self, path: str, summary: Summary, dependency: Dependency) -> None:
        """A summary the caller already has (a checked file's own, a cache's)."""
        self._summaries[path] = (dependency, summary)

    def files_changed(self) -> None:
        """Files may have appeared or gone (a long-lived index: the server's): look modules up
        again. Summaries stay; each is checked against its file's stat when used."""
        self._files.clear()
        self.aliases.clear()
        self.__dict__.pop("_all_files", None)
        self.__dict__.pop("_mentions", None)
        self.expected_holders.clear()
        self._all_files = None  # `_python_files` walks the roots again

    # ------------------------------------------------------------------ modules

    def module_file(self, module: str) -> tuple[str | None, bool | None]:
        """(file, is_package) of a module of the tree; (directory, True) for a namespace
        package; (None, None) when no root holds it. The answer is a dependency of the
        current check: the file found, or the paths where the module would have been."""
        found = self._files.get(module)
        if found is None:
            found = self._files[module] = self._find(module)
        path, is_package, absent = found
        appeared = [missing for missing in absent if self._stat(missing) is not None]
        if appeared or path is not None and self._stat(path) is None:
            # A long-lived index (the language server's) outlives files: look again.
            path, is_package, absent = self._files[module] = self._find(module)
            for missing in absent:
                self._stat(missing)
            if path is not None:
                self._stat(path)
        return path, is_package

    def _find(self, module: str) -> tuple[str | None, bool | None, tuple[str, ...]]:
        found = _NO_FILE
        absent: list[str] = []
        relative = module.replace(".", os.sep)
        for root in self.roots:
            base = os.path.join(root, relative)
            if os.path.isfile(base + ".py"):
                return base + ".py", False, tuple(absent)
            if os.path.isfile(os.path.join(base, "__init__.py")):
                return os.path.join(base, "__init__.py"), True, tuple(absent)
            if module and os.path.isdir(base):
                if found is _NO_FILE:
                    found = (base, True, ())  # a namespace package: keep looking for a regular one
                absent.append(base + ".py")  # its directory's times tell when `__init__.py` appears
            else:
                # A module appears as `base.py` or under the directory `base` (its package or
                # a namespace portion); a later root's module would be shadowed by either.
                absent += [base + ".py", base]
        if found is not _NO_FILE:
            return found[0], True, tuple(absent)
        return None, None, tuple(absent)

    def _is_directory(self, path: str) -> bool:
        """Is `path`, a module's file as `module_file` gives it, a namespace package's directory?
        `_find` gives a `.py` path only for a file and any other only for a directory, and a run
        whose files do not change (`run_stats`; it looks modules up afresh, `files_changed`)
        keeps that answer: no system call (100,000 `isdir` calls on a cold run of the 10M-line
        benchmark tree). A long-lived index (the server's) asks: a path may change kind."""
        if self.run_stats is not None:
            return not path.endswith(".py")
        return os.path.isdir(path)

    def _stat(self, path: str) -> Dependency | None:
        """The path's dependency in the current check (stat'ed once per check, or once per run
        with `run_stats`); None when it does not exist, recorded as `ABSENT`."""
        if path in self._seen:
            return self._seen[path]
        dependency = self._seen[path] = self._taken(path)
        self.consulted.add(dependency if dependency is not None else Dependency(path, ABSENT, ABSENT))
        return dependency

    def _taken(self, path: str) -> Dependency | None:
        """The path's stat, from this run's when it keeps them (`run_stats`), else taken now."""
        run = self.run_stats
        if run is not None and path in run:
            return run[path]
        try:
            status = os.stat(path)
            dependency = Dependency(path, status.st_mtime_ns, status.st_size)
        except OSError:
            dependency = None
        if run is not None:
            run[path] = dependency
        return dependency

    def _stat_unrecorded(self, path: str) -> Dependency:
        """The path's dependency as `_stat` takes it (once per check or run), without
        recording it: the caller records it inside a group. Not kept in `_seen` either, so a
        later `_stat` of the path for another decision still records it."""
        dependency = self._seen[path] if path in self._seen else self._taken(path)
        return dependency if dependency is not None else Dependency(path, ABSENT, ABSENT)

    def depend_on_mentions(self, name: str, files: list[str]) -> None:
        """The current check depends on every file in `files` (those holding `name`), as one
        `MentionsDependency`. Within a run (`run_stats`: the files do not change while it runs)
        the group is built once per name, and every check that asks shares it: a worker then
        pickles its files once per batch."""
        groups: dict[str, tuple] = self.__dict__.setdefault("_mention_groups", {})
        run = self.run_stats
        known = groups.get(name)
        if known is not None and run is not None and known[0] is run and known[1] is files:
            group = known[2]
        else:
            group = mentions_dependency(name, tuple(self._stat_unrecorded(file) for file in files))
            if run is not None:
                if len(groups) > 64:
                    groups.clear()
                groups[name] = (run, files, group)
        self.consulted.add(group)

    def summary(self, module: str) -> Summary | None:
        """The module's summary, None when the index cannot see it (outside the tree, not
        Python source, does not parse). A namespace package has an empty summary."""
        path, is_package = self.module_file(module)
        if path is None:
            return None
        if path in self.buffers:
            return self.buffers[path]  # the editor's unsaved text is what its user means
        dependency = self._stat(path)
        if dependency is None:
            return None
        if self._is_directory(path):
            return Summary(module, True, (), None, False, ())
        known = self._summaries.get(path)
        if known is not None and known[0] == dependency:
            summary = known[1]
        else:
            summary = self._from_store(path, dependency)
            if summary is None:
                summary = _load(path, module, bool(is_package))
                if summary is not None:
                    for publish in self.published:
                        publish(path, dependency, summary)
            self._summaries[path] = (dependency, summary)
        if summary is not None and dependency not in self._shipped:
            self._shipped.add(dependency)
            read = ReadDependency(*dependency)
            read.summary = summary
            self.consulted.discard(dependency)
            self.consulted.add(read)  # the cache stores it once, whichever process read it
        return summary

    def _from_store(self, path: str, dependency: Dependency) -> Summary | None:
        for source in self.stored:
            summary = source(path, dependency)
            if summary is not None:
                self._shipped.add(dependency)  # the cache has it already
                return summary
        return None

    # ------------------------------------------------------------------ origins

    def resolve(self, path: str) -> Origin:
        """What a dotted path names at run time, followed through imports, aliases and star
        imports to the module that defines it."""
        return self._resolve(path, frozenset())

    def _resolve(self, path: str, seen: frozenset) -> Origin:
        parts = path.split(".")
        if self.module_file(parts[0])[0] is None:
            return Origin(path, UNKNOWN)
        current = Origin(parts[0], MODULE)
        for position, part in enumerate(parts[1:], 1):
            if current.kind != MODULE:
                rest = ".".join(parts[position:])
                kind = MISSING if current.kind == MISSING else UNKNOWN
                return Origin(f"{current.path}.{rest}", kind)
            current = self._attribute(current.path, part, seen)
        return current

    def same_object(self, first: str, second: str) -> bool | None:
        """Do two dotted paths name the same object at run time? None when the index cannot see
        either one."""
        one, other = self.resolve(first), self.resolve(second)
        if not one.known or not other.known:
            return None
        return one == other

    def name_origin(self, module: str, name: str) -> Origin:
        """The origin of `name` as an attribute of `module` (what `from module import name` gets)."""
        return self._attribute(module, name, frozenset())

    def _attribute(self, module: str, name: str, seen: frozenset) -> Origin:
        key = (module, name)
        if key in seen:
            return Origin(f"{module}.{name}", UNKNOWN)  # an alias chain that loops
        seen = seen | {key}
        summary = self.summary(module)
        if summary is None:
            return Origin(f"{module}.{name}", UNKNOWN)
        if self._is_directory(self.module_file(module)[0]):
            # A namespace package may have portions in other directories: what the tree lacks
            # may be installed elsewhere.
            kind = MODULE if self.module_file(f"{module}.{name}")[0] is not None else UNKNOWN
            return Origin(f"{module}.{name}", kind)
        for binding in reversed(summary.bindings):
            bound, kind, target = binding
            if kind == "star":
                if target is None:
                    return Origin(f"{module}.{name}", UNKNOWN)  # a star import the index cannot follow
                found = self._from_star(target, name, seen)
                if found is not None:
                    return found
            elif bound == name:
                return self._binding_origin(module, name, kind, target, seen)
        if self.module_file(f"{module}.{name}")[0] is not None:
            return Origin(f"{module}.{name}", MODULE)  # a submodule: `from pkg import sub`
        if any(bound == "__getattr__" for bound, _, _ in summary.bindings):
            return Origin(f"{module}.{name}", UNKNOWN)  # a module `__getattr__` (PEP 562) may answer
        return Origin(f"{module}.{name}", MISSING)

    def _binding_origin(self, module: str, name: str, kind: str, target: str | None, seen: frozenset) -> Origin:
        if kind == "definition":
            return Origin(f"{module}.{name}", DEFINITION)
        if kind == "import":  # `import a.b as c` binds the module `a.b`
            return Origin(target, MODULE) if self.module_file(target)[0] is not None else Origin(target, UNKNOWN)
        if kind == "from":
            source, _, imported = target.rpartition(".")
            return self._attribute(source, imported, seen)
        if kind == "alias":  # `Name = other.Name`
            return self._resolve(target, seen)
        return Origin(f"{module}.{name}", UNKNOWN)  # `a, b = ...`, `for name in ...`: not followed

    def _from_star(self, module: str, name: str, seen: frozenset) -> Origin | None:
        """What `from module import *` binds as `name`: None when it binds no such name."""
        summary = self.summary(module)
        if summary is None:
            return Origin(f"{module}.{name}", UNKNOWN)  # it may bind anything
        if summary.dynamic_exports:
            return Origin(f"{module}.{name}", UNKNOWN)
        if summary.exports is not None:
            return self._attribute(module, name, seen) if name in summary.exports else None
        if name.startswith("_") or not self._binds(module, name, frozenset()):
            return None
        return self._attribute(module, name, seen)

    def _binds(self, module: str, name: str, seen: frozenset) -> bool:
        if module in seen:
            return False
        summary = self.summary(module)
        if summary is None:
            return False
        for bound, kind, target in summary.bindings:
            if bound == name and kind != "star":
                return True
            if kind == "star" and target:
                inner = self.summary(target)
                if inner is None or inner.dynamic_exports:
                    continue
                if inner.exports is not None:
                    if name in inner.exports:
                        return True
                elif self._binds(target, name, seen | {module}):
                    return True
        return False

    def binds_as_definition(self, module: str, name: str) -> bool:
        """Does some module-level binding of `name` in `module` make a new object (a class, a
        def, an assignment of a value that names nothing)?"""
        summary = self.summary(module)
        return summary is not None and any(
            bound == name and kind == "definition" for bound, kind, target in summary.bindings)

    def origins(self, module: str, name: str) -> set[Origin]:
        """The origin of every module-level binding of `name` in `module` (a conditional
        import, `try`/`except ImportError`, binds it more than once)."""
        summary = self.summary(module)
        if summary is None:
            return {Origin(f"{module}.{name}", UNKNOWN)}
        found = set()
        for bound, kind, target in summary.bindings:
            if kind == "star":
                star = (self._from_star(target, name, frozenset({(module, name)})) if target
                        else Origin(f"{module}.{name}", UNKNOWN))
                if star is not None:
                    found.add(star)
            elif bound == name:
                found.add(self._binding_origin(module, name, kind, target, frozenset({(module, name)})))
        return found or {self.name_origin(module, name)}

    # ------------------------------------------------------------------ rewriting an import

    def distinct(self, old_path: str, new_path: str) -> bool:
        """Is `old_path` an object its own module defines, other than what `new_path` names,
        under the same name? (A legacy module's own class with the canonical name, not a
        re-export of it. A policy that maps a name to another name replaces one object with
        another on purpose: its entry's `fix` says how safe that is.)"""
        if old_path.rpartition(".")[2] != new_path.rpartition(".")[2]:
            return False
        old = self.resolve(old_path)
        if old.kind != DEFINITION:
            return False
        new = self.resolve(new_path)
        return new.known and new != old

    def rewrite_problem(self, importer: str, old_path: str, new_path: str, module_import: bool = False) -> str | None:
        """Why importing `new_path` instead of `old_path` in module `importer` is not provably
        the same program: a different object, a name the target module neither defines nor
        exports, a module that would import itself or close an import cycle. None when the
        index shows none of these, or cannot see the modules (it then claims nothing).
        `module_import`: `import old_path` (a module), not `from ... import name`."""
        new = self.resolve(new_path)
        if new.kind == MISSING:
            module, _, name = new.path.rpartition(".")
            if self.module_file(module)[0] is None:
                return f"there is no module '{module}' in the tree"  # a move not done yet
            return f"'{module}' does not define or export '{name}'"
        if not module_import and self.distinct(old_path, new_path):
            return f"'{old_path}' is a different object, defined in its own module"
        if new.kind == UNKNOWN and not self.module_file(new_path.split(".", 1)[0])[0]:
            return None
        target_module = new_path if module_import or new.kind == MODULE else new_path.rpartition(".")[0]
        return self.import_problem(importer, target_module)

    # ------------------------------------------------------------------ renamed classes

    def prepare_renamed(self, names: frozenset[str], rounds=None) -> frozenset[str]:
        """Compute `renamed(names)` now, reading every file of the tree once per round
        (aliases.py; `rounds`: see `aliases.renamed_aliases`)."""
        found = self.aliases.get(names)
        if found is None:
            from flake8_ssot.index.aliases import renamed_aliases  # one read of the tree: large runs only

            found = self.aliases[names] = renamed_aliases(self, names, rounds)
        return found

    def renamed(self, names: frozenset[str]) -> frozenset[str] | None:
        """Every name a module of the tree may bind one of `names`' objects to (`names`
        included): a dotted path whose last component is not in it cannot resolve to a
        definition named in `names`. None unless `prepare_renamed` ran for this run: the
        caller then resolves each path, and so records what its answer depends on."""
        return self.aliases.get(names)

    # ------------------------------------------------------------------ who imports a name

    def importer_of(self, module: str, name: str, skip: str = "") -> str | None:
        """A module of the tree (not the file `skip`) that takes `name` from `module`: a
        top-level `from module import name`, or its text naming `module.name` (a `mock.patch`
        string); None when none does. Only files whose text holds `name` are read, and only
        those whose text could spell such an import are summarised; the files read are this
        check's dependencies. (SSOT001 asks before renaming an imported name in `module`,
        issue #23; `importers.py` says how.)"""
        return importers.importer_of(self, self._mentioning(name), module, name, skip)

    def _mentioning(self, name: str) -> importers.Mentions:
        """The `.py` files of the tree whose text holds `name`: read once per name and index
        (every check of a file that renames the name asks, each about its own module)."""
        mentions: dict[str, importers.Mentions] = self.__dict__.setdefault("_mentions", {})
        found = mentions.get(name)
        if found is None:
            shared = self.shared_mentions
            listed = self.known_mentions.get(name)
            if callable(listed):  # made when first asked for (checking/mentions.py)
                listed = listed()
            if listed is None and self.run_stats is not None:
                listed = self.expected_holders.get(name)
            if listed is None and shared is not None:
                listed = shared[0](name)
            also: dict[str, list[str]] = {}
            if listed is None and self.run_stats is not None and name in self.expected_mentions:
                # One read for the names the run will likely ask about: a needle search per
                # name and file (0.15 s on the 10M-line tree) where a read of the tree costs 0.3 s.
                also = {other: [] for other in sorted(self.expected_mentions)
                        if other != name and other not in mentions and other not in self.expected_holders
                        and other not in self.known_mentions}
            searched = self._python_files() if listed is None else listed
            found = (importers.Mentions(name, searched, self.roots, also=also) if also
                     else importers.Mentions(name, searched, self.roots))
            if shared is not None and listed is None:
                shared[1](name, found.files)
            for other, holders in also.items():
                self.expected_holders[other] = holders
                if shared is not None:
                    shared[1](other, holders)
            if len(mentions) > 64:
                mentions.clear()
            mentions[name] = found
        return found

    def _python_files(self) -> list[str]:
        """Every `.py` file under the roots (hidden and `__pycache__` directories skipped), once per index."""
        files: list[str] | None = getattr(self, "_all_files", None)
        if files is None:
            files, directories = [], []
            for root in self.roots:
                # Under an absolute, normalised root each path os.walk gives is one too: joined
                # by hand (an abspath and a join per file were half a one-file run's walk).
                for directory, subdirectories, names in os.walk(os.path.abspath(root)):
                    directories.append(directory)
                    subdirectories[:] = sorted(
                        d for d in subdirectories if not d.startswith(".") and d != "__pycache__")
                    prefix = directory if directory.endswith(os.sep) else directory + os.sep
                    files.extend(prefix + n for n in sorted(names) if n.endswith(".py"))
            self._all_files, self._all_directories = files, directories
        return files

    def tree(self) -> tuple[list[str], list[str]]:
        """(the `.py` files of `_python_files`, the directories listed to find them): what a
        finding that depends on the whole tree (the names the class is renamed to, the files
        that hold a name) depends on; the run-level cache watches them."""
        files = self._python_files()
        return files, getattr(self, "_all_directories", [])

    def adopt_tree(self, files: list[str], directories: list[str]) -> None:
        """`tree()` as the caller knows it to be now (the run-level cache: every one of those
        directories is as it was when the list was taken), instead of listing the roots again."""
        self._all_files, self._all_directories = files, directories

    # ------------------------------------------------------------------ import time

    def imported_at_import_time(self, module: str) -> set[str]:
        """Every module of the tree that importing `module` runs, `module` and its packages
        included (module-level imports only; `if TYPE_CHECKING:` ones never run)."""
        done: set[str] = set()
        todo = [module]
        while todo:
            current = todo.pop()
            for name in _with_packages(current):
                if name in done or self.module_file(name)[0] is None:
                    continue
                done.add(name)
                summary = self.summary(name)
                if summary is None:
                    continue
                for imported in summary.imports:
                    todo.append(imported)
        return done

    def import_problem(self, importer: str, target_module: str) -> str | None:
        """Why making `importer` import `target_module` at import time would break: it would
        import itself, or close an import cycle. None when neither; also when the index
        cannot see the target module (today's behaviour stands)."""
        if not importer:
            return None
        if target_module == importer:
            return f"'{importer}' would import itself"
        if self.module_file(target_module)[0] is None:
            return None
        if importer in self.imported_at_import_time(target_module):
            return f"'{target_module}' imports '{importer}' when it is imported: an import cycle"
        return None


def _with_packages(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]


def _load(path: str, module: str, is_package: bool) -> Summary | None:
    try:
        source = decode_source(read_bytes(path))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
        return summarise_source(tree, module, is_package, source, path)
    except (SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # the index cannot see it: decisions about it keep their single-file answer


# --------------------------------------------------------------------------- one per run

_INDEXES: dict[tuple[str, ...], ProjectIndex] = {}


def index_for(roots: Sequence[str]) -> ProjectIndex:
    """The process's index of the tree under `roots` (one per set of `src` roots)."""
    key = tuple(roots)
    index = _INDEXES.get(key)
    if index is None:
        if len(_INDEXES) > 16:
            _INDEXES.clear()
        index = _INDEXES[key] = ProjectIndex(key)
    return index


_CURRENT: contextvars.ContextVar[ProjectIndex | None] = contextvars.ContextVar("ssot_index", default=None)


@contextmanager
def consulting(index: ProjectIndex | None) -> Iterator[ProjectIndex | None]:
    """The index the rules of one file's check may ask (`current`); None: single-file decisions.
    A context variable rather than a parameter of every rule and fix builder: only the few
    decisions that need another module ask for it."""
    if index is not None:
        index.begin()
    token = _CURRENT.set(index)
    try:
        yield index
    finally:
        _CURRENT.reset(token)


def current() -> ProjectIndex | None:
    return _CURRENT.get()


def module_of(path: str, roots: Sequence[str]) -> str:
    return module_name(os.path.abspath(path), roots)[0]
