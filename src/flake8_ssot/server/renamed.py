"""The names the tree gives a factory-only class, in `ssot server`: a buffer that spells only
such a name is checked, as `ssot check` checks its file (checking/renamed.py, index/aliases.py).

`from netra_backend.app.agents.context import AgentContext` and `AgentContext(...)` build the
class without a word of the policy, so the prefilter rules the buffer out; the names the tree
binds the class to (`AgentContext` of `from ... import UserExecutionContext as AgentContext`)
bring it back. They depend on every file of the tree, so the server takes them from its
workspace check (server/background.py: the names the cache kept while they hold, else one read
of the tree, in the child process for a large workspace) and keeps them right until the next
one:

- an open buffer's unsaved text counts: a module that binds the class, or one of its names,
  to a new name adds it (its summary, `WorkspaceIndex._summarise`, once typing pauses; the
  other open buffers are then checked again);
- a file changed on disk outside the editor (a checkout, a generator) is read, and summarised
  when its text may rename a known name (`aliases.may_rename`), before the open buffers are
  checked again; the next workspace check (a second after the change) reads the whole tree.

Until the first workspace check ends the names are unknown, and a buffer that spells no word
of the policy is not checked (the workspace check's end checks the open buffers again). Names
only ever grow between two workspace checks (one too many costs a buffer's full check, never a
finding); a workspace check's end drops those files changed on disk added before it began. A
rename of a rename made in a file on disk of a name only an unsaved buffer gives the class is
seen once that buffer is saved.
"""

from __future__ import annotations

import os
from typing import Iterable, Sequence

from flake8_ssot.checking.renamed import class_names
from flake8_ssot.checking.runner import spells_a_renamed_class
from flake8_ssot.config import Config, ConfigError, config_for
from flake8_ssot.engine import file_module, may_match
from flake8_ssot.index import ProjectIndex, index_for
from flake8_ssot.index.aliases import renames_in, renames_of
from flake8_ssot.index.summary import Summary

# roots -> the factory classes' names -> every name the tree gives them
TreeNames = dict[tuple[str, ...], dict[frozenset[str], frozenset[str]]]


class RenamedClasses:
    """The names the tree gives the factory-only classes, for the buffers' checks."""

    def __init__(self) -> None:
        self.tree: TreeNames = {}  # from the last workspace check
        # Added since, from files changed on disk: (roots, class names) -> name -> the number of
        # the workspace check that had started last when it came (`check_starts`).
        self.since: dict[tuple[tuple[str, ...], frozenset[str]], dict[str, int]] = {}
        self.checks = 0

    def check_starts(self) -> int:
        """A workspace check starts: its number, for `took`."""
        self.checks += 1
        return self.checks

    def took(self, found: TreeNames, started: int | None = None) -> bool:
        """The names of a workspace check that ended: do the buffers' checks change? Only
        names other than the classes' own can (none known, as before the first check, or
        only those, as in most trees, are alike: `builds_unseen` says no to every buffer).
        The names files changed on disk added before check `started` began are in what it
        read, and go (a name the tree no longer gives a class would cost the buffers that
        spell it a full check each); those added since stay."""
        before = self._other_names()
        self.tree = {roots: dict(names) for roots, names in found.items()}
        if started is not None:
            for key, names in list(self.since.items()):
                kept = {name: number for name, number in names.items() if number >= started}
                if kept:
                    self.since[key] = kept
                else:
                    del self.since[key]
        return self._other_names() != before

    def _other_names(self) -> dict:
        found = {}
        for roots, names in self.tree.items():
            for key in names:
                other = self.names_on_disk(roots, key) - key
                if other:
                    found[(roots, key)] = other
        return found

    def names_on_disk(self, roots: tuple[str, ...], key: frozenset[str]) -> frozenset[str] | None:
        found = self.tree.get(roots, {}).get(key)
        if found is None:
            return None
        return found.union(self.since.get((roots, key), ()))

    def names(self, config: Config, index: ProjectIndex) -> frozenset[str] | None:
        """Every name the tree, open buffers as edited, gives `config`'s classes; None when the
        workspace check has not said yet (or the policy has none)."""
        key = class_names(config)
        found = self.names_on_disk(tuple(config.src), key) if key else None
        if found is None:
            return None
        return _closed(found, index.buffers.values())

    def builds_unseen(self, source: str, path: str, config: Config, index: ProjectIndex) -> bool:
        """Does the buffer need the full check though the prefilter rules it out? Only when it
        spells a name the tree gives a factory-only class (it may build the class through it)."""
        found = self.names(config, index)
        key = class_names(config)
        if found is None or found <= key or not spells_a_renamed_class(source, config, {key: found}):
            return False  # (most buffers: the tree renames no class, or the buffer spells no such name)
        return not may_match(source, file_module(path, config)[0], config)

    def files_changed(self, paths: Iterable[str | None]) -> bool:
        """Files changed on disk: add the names they bind the classes to; did any come?"""
        by_group: dict[tuple[tuple[str, ...], frozenset[str]], list[str]] = {}
        for path in paths:
            if not path or not path.endswith((".py", ".pyi")):
                continue
            try:
                config = config_for(path)
            except ConfigError:
                continue
            key = class_names(config)
            if key and self.names_on_disk(tuple(config.src), key) is not None:
                by_group.setdefault((tuple(config.src), key), []).append(os.path.abspath(path))
        grown = False
        for (roots, key), files in by_group.items():
            known = self.names_on_disk(roots, key)
            found = _renamed_in(files, roots, known)
            if found != known:
                self.since.setdefault((roots, key), {}).update(dict.fromkeys(found - known, self.checks))
                grown = True
        return grown


def _closed(found: frozenset[str], summaries: Iterable[Summary]) -> frozenset[str]:
    """`found` and the names the summaries' modules bind one of them to, followed through
    renames of renames (aliases.renamed_aliases, over these modules only)."""
    summaries = list(summaries)
    names = set(found)
    while summaries:
        grown = set().union(*(renames_of(summary, names) for summary in summaries)) - names
        if not grown:
            break
        names |= grown
    return found if len(names) == len(found) else frozenset(names)


def _renamed_in(files: Sequence[str], roots: tuple[str, ...], known: frozenset[str]) -> frozenset[str]:
    """`known` and the names `files` bind one of them to, through renames of renames among
    them: aliases.renamed_aliases over these files only (its rounds, `renames_in`: the text
    test first, a module summary only where it may rename)."""
    index, names, added = index_for(roots), set(known), set(known)
    while added:
        words = [name.encode() for name in sorted(added)]
        added = renames_in(index, files, words, frozenset(names)) - names
        names |= added
    return frozenset(names)
