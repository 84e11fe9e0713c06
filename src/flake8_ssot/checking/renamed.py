"""When a check uses the names a factory class can have under other names, and how the per-file
cache stays right when it does.

SSOT002 finds a factory class called through a re-export that renames it. Without the names
(index/aliases.py) that means resolving every name a checked file imports from the class's
package and calls: a module summary, a parse, for nearly every module of a large tree (#14,
#16). With them, only the names in the set are resolved. The set costs one read of the tree,
so a run that checks few files (below `MIN_FILES`) uses the set the cache kept (below) when
there is one that holds, and computes it otherwise (a check of one file without a cache reads
the whole tree once: 2.8 s of CPU on the 24,000-file benchmark tree, where the run took 0.2 s
without the set); so does a fix, which keeps it too.

A result computed with the set depends on every file of the tree (any module may start
renaming the class), not only on the modules its check read, so the cache keeps the set its
entries were computed with (`Cache.renamed`) and trusts them only while no file has grown it:

- a run that computes the set compares it with the kept one: if it holds a name the kept one
  lacks, no entry of that cache is trusted in this run;
- a run that does not compute it reads each file it is about to check (changed or new files)
  and each file of the tree the cache has not seen as it is now (changed since the cache saw
  it but outside this run's paths: `Cache.unseen`), and, when one may rename a kept name (the
  text test of aliases.py), summarises it: a file that binds a new name makes the run compute
  the set, as above; otherwise the kept set still holds every name, and the run uses it.

Files the cache has seen as they are cannot grow the set, and a deleted file can only shrink
it.

With the set, a file that spells one of its names (other than the classes' own) is checked even
when it spells no word of the policy (runner.check_bytes): `from app.context import Context;
Context(...)` alone builds the class. Entries computed without a set (a fix run kept none before
it computed the set too, and so did a small run) never checked such a file, so a large run computes the set
when the cache has no set for its entries, and trusts none of them when the tree renames the
class. Every check has the set, so every front-end checks such a file: a check of a few
files computes it when the cache kept none, the flake8 plugin takes the cache's or computes
it before flake8 forks its workers (and keeps what it computed in a file of its own, which
the next flake8 process takes while it holds: checking/names_file.py), and the server computes it
with its workspace check and
keeps it right as buffers and files change (server/renamed.py). A fix takes the kept set or
computes it as a check does, and fixes such a file (checking/fixing.py fixes it without the
engine's prefilter, which knows only the policy's words): its fixes rewrite module paths and
calls and never bind the class to a new name, so the set it began with holds every name
until it ends; it trusts no entry computed before it (it rewrites files as it goes), and keeps
the set with the entries it computed.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Sequence

from flake8_ssot.checking.cache import Cache, RunCaches
from flake8_ssot.checking.names_file import KeptNames
from flake8_ssot.checking.runner import in_two_processes
from flake8_ssot.config import Config
from flake8_ssot.config.resolve import Configurations
from flake8_ssot.index import ProjectIndex, index_for
from flake8_ssot.index.aliases import grow_in, renamed_aliases, renames_in

# Below this many files to check, one read of the whole tree costs more than it saves.
MIN_FILES = 64


class RenamedNames:
    """The renamed-class names of one run: `prepare` before the checks, `close` after."""

    def __init__(self, configurations: Configurations, caches: RunCaches, stable: bool, jobs: int = 1) -> None:
        self.configurations = configurations
        self.caches = caches
        self.stable = stable  # a check, not a fix: files do not change while it runs
        self.jobs = jobs
        self.prepared: list[tuple[ProjectIndex, frozenset[str]]] = []
        # roots -> (the factory classes' names, the configurations of those roots)
        self.groups: dict[tuple[str, ...], tuple[set[str], list[int]]] = {}
        for number, config in enumerate(configurations.configs):
            names = class_names(config)
            if names:
                group = self.groups.setdefault(tuple(config.src), (set(), []))
                group[0].update(names)
                group[1].append(number)

    def stale(self, tasks: Sequence, files: int | None = None) -> set[int]:
        """The configurations whose cached entries this run must not trust, having computed
        the names where the run is large enough (`files`: how many it checks, from the cache
        or not) or a file about to be checked grew them."""
        stale: set[int] = set()
        if not self.groups:
            return stale
        many = self.stable and len(tasks) >= MIN_FILES
        for roots, (names, numbers) in self.groups.items():
            index = index_for(roots)
            key = frozenset(names)
            caches = [(number, self.caches.of(number)) for number in numbers]
            kept = [(number, cache) for number, cache in caches if cache is not None and cache.renamed is not None]
            # Entries computed without the names (by a fix run or a small run without a cache,
            # before either computed them) never checked a file that spells only a renamed
            # name: a large run computes the names to tell whether such a file can exist.
            unnamed = any(cache is not None and cache.renamed is None and cache.entries for _, cache in caches)
            many_here = many or (self.stable and unnamed and files is not None and files >= MIN_FILES)
            grown = not many_here and self._grown(index, [cache for _, cache in kept], tasks, set(numbers))
            held = frozenset.intersection(*(cache.renamed for _, cache in kept)) if kept else frozenset()
            if not many_here and not grown and kept and len(kept) == len(caches) and key <= held:
                # No file about to be checked grew the kept sets, so each still holds every
                # name the tree gives the classes: the run uses them, as the entries did.
                index.aliases[key] = held
                self.prepared.append((index, key))
                if not self.stable:
                    stale.update(self._forget(kept))
                continue
            # A small check with no kept set computes it too: without it, a file that spells only
            # a renamed name would go unchecked, where a run over the tree, the server and the
            # flake8 plugin report its construction.
            found = index.prepare_renamed(key, rounds=partial(_rounds, index, self.jobs))
            self.prepared.append((index, key))
            if not self.stable:
                # A fix (its files change as it goes) trusts no entry computed before; it checks,
                # and so fixes, a file that spells only a renamed name, as the check before it
                # reported, with the kept set (above) or the names computed now. The fixes rewrite
                # module paths and calls, never bind a class to a new name, so the names the tree
                # had when the fix began hold every name it can have until it ends, and the cache
                # keeps them with the entries the fix computed with them (`keep`): a flake8 run
                # after `--fix` takes them instead of reading the tree.
                stale.update(self._forget(kept))
                continue
            for number, cache in caches:
                if cache is None:
                    continue
                if cache.renamed is not None and not found <= cache.renamed:
                    stale.add(number)
                    cache.forget_entries()
                elif cache.renamed is None and cache.entries and found - key:
                    stale.add(number)  # computed without the names, which the tree has
                    cache.forget_entries()
        return stale

    @staticmethod
    def _forget(kept: Sequence[tuple[int, Cache]]) -> list[int]:
        """A fix trusts no entry of the kept caches: their numbers, each forgotten."""
        for _, cache in kept:
            cache.forget_entries()
        return [number for number, _ in kept]

    def keep(self) -> None:
        """The caches of this run's configurations keep the names their new entries used."""
        for index, key in self.prepared:
            found = index.renamed(key)
            for roots, (names, numbers) in self.groups.items():
                if frozenset(names) != key or index is not index_for(roots):
                    continue
                for number in numbers:
                    cache = self.caches.of(number)
                    if cache is not None and found is not None:
                        cache.keep_renamed(found)

    def _grown(self, index: ProjectIndex, kept: list[Cache], tasks: Sequence, numbers: set[int]) -> bool:
        """Does a file about to be checked bind a name none of the kept sets has?"""
        if not kept:
            return False
        return not kept_names_hold(index, kept, [task.path for task in tasks if task.config in numbers])

    def close(self) -> None:
        for index, key in self.prepared:
            index.aliases.pop(key, None)
        self.prepared.clear()


def kept_names_hold(index: ProjectIndex, kept: Sequence[Cache], about: Sequence[str]) -> bool:
    """Do the names the caches kept still hold every name the tree gives the classes? Reads the
    files `about` (those about to be checked) and every file of the tree the caches have not
    seen as it is now (changed since, outside the run's paths); a file that may rename a kept
    name (aliases.may_rename) is summarised, and one that binds a new name says no: one round
    of `aliases.renames_in` over those files."""
    known = frozenset.intersection(*(cache.renamed for cache in kept))
    paths = [os.path.abspath(path) for path in about]
    checked = set(paths)
    tree = index._python_files()
    unseen: dict[str, None] = dict.fromkeys(paths)
    for cache in kept:
        unseen.update(dict.fromkeys(cache.unseen(tree, checked)))
    return not renames_in(index, list(unseen), [name.encode() for name in sorted(known)], known) - known


def class_names(config: Config) -> frozenset[str]:
    """The names of `config`'s factory-only classes, which the renamed names are computed for."""
    return frozenset(key.rpartition(".")[2] for key in config.factories.exact)


def names_of_tree(index: ProjectIndex, names: frozenset[str], cache: Cache | None) -> frozenset[str]:
    """Every name the tree gives the classes `names` (theirs included), for a front-end that
    checks files one at a time (the flake8 plugin, the server): the names `cache` kept while
    they still hold (`kept_names_hold`: only the files it has not seen as they are now are
    read), else those the last such front-end kept in its own file beside the cache while they
    hold (checking/names_file.py: only the files changed since are read), else computed (a
    read of the whole tree) and kept in that file."""
    if cache is not None and cache.renamed is not None and names <= cache.renamed:
        try:
            if kept_names_hold(index, [cache], []):
                return cache.renamed
        except (OSError, ValueError, RecursionError):
            pass  # a damaged cache: the names are computed
    if cache is None:
        return renamed_aliases(index, names)
    return KeptNames(cache.directory, index.roots, names).names_of_tree(index)


# Below this many files a round is not worth a second process.
MIN_FILES_TO_SPLIT = 2048


def _rounds(index: ProjectIndex, jobs: int, files: Sequence[str], words: Sequence[bytes],
            found: frozenset) -> dict[str, list[tuple[str, str]]]:
    """A round of the renamed-names pass (`aliases.grow_in`), its files split between this
    process and a forked one: it runs before the workers start, and read the whole tree alone
    (3.4 s of a 20 s cold run of the 10M-line benchmark tree, #16). Each name found, with where
    in each part that found it (`aliases.renamed_aliases` reads again only what it must)."""
    def work(part: Sequence[str]) -> list[tuple[str, str, str]]:
        return sorted((name, at, end) for name, spots in grow_in(index, part, words, found).items()
                      for at, end in spots)

    grown: dict[str, list[tuple[str, str]]] = {}
    for answer in in_two_processes(work, files, jobs, MIN_FILES_TO_SPLIT):
        for name, at, end in answer:
            grown.setdefault(name, []).append((at, end))
    return grown
