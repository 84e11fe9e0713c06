"""The files that hold a name, from the cache: a small run does not read the whole tree for them.

SSOT001 asks, before renaming an imported name, whether another module takes it from the file
(`ProjectIndex.importer_of`), and that needs every file whose text holds the name: a read of the
whole tree (on the 10M-line benchmark tree, three of the three and a half seconds a run took
after one file changed). The cache already keeps those files: a check that heard "no module
does" depends on them as one group (`Cache.groups`). So a run starts from them.

Why that is every file. The cache keeps, per name, a group that holds every file whose current
content the cache has seen holding the name, because each run adds the files it is about to
check (changed or new ones) that hold a name of the table (`grow`), with a new digest: the
entries that depended on the old group (no module imported the name) are then checked again,
since the new holder may import it. A file that holds the name now is either unchanged since
the cache saw it (then it is in the group), or one this run checks (then it is read here), or
one the cache has not seen as it is now (changed since, new, or never checked: an excluded
file under a `src` root), which `provide` finds by its stat against its entry and lists to be
read. A run over a few files (pre-commit) so reads the group's files and the changed ones,
not the whole tree.
"""

from __future__ import annotations

import os
from functools import partial
from typing import Sequence

from flake8_ssot.checking.cache import RunCaches, is_normalised
from flake8_ssot.config.resolve import Configurations
from flake8_ssot.files import file_texts
from flake8_ssot.index import Dependency, ProjectIndex, index_for
from flake8_ssot.index.importers import as_python_reads


class KnownMentions:
    """`grow` after the cache's first answers (True: plan again), `provide` before the checks,
    `close` after."""

    def __init__(self, configurations: Configurations, caches: RunCaches) -> None:
        self.configurations = configurations
        self.caches = caches
        self.provided: list[ProjectIndex] = []

    def _groups(self):
        for number, cache in list(self.caches.opened.items()):
            if cache is not None and cache.groups:
                yield number, cache

    def grow(self, tasks: Sequence) -> bool:
        """Add to each group the files about to be checked that hold its name and are not in
        it; True when one was added (entries that depended on that group are stale now).
        "Hold" as the index's search reads a file (`importers.as_python_reads`: in NFKC form
        too, so `import ｃreate_manager` joins `create_manager`'s group)."""
        grown = False
        for number, cache in self._groups():
            needles = [(name, name.encode()) for name in cache.group_names()]
            members: dict[str, set[str]] = {}
            added: dict[str, list[Dependency]] = {}
            for path, data in file_texts(os.path.abspath(task.path) for task in tasks if task.config == number):
                data = as_python_reads(data)
                holding = [name for name, needle in needles if needle in data]
                if not holding:
                    continue
                try:
                    status = os.stat(path)
                except OSError:
                    continue
                relative = cache.relative(path)
                for name in holding:
                    group = members.get(name)
                    if group is None:  # (a group can hold thousands: a set of those asked about only)
                        group = members[name] = cache.group_members(name)
                    if relative not in group:
                        added.setdefault(name, []).append(Dependency(path, status.st_mtime_ns, status.st_size))
            for name, files in added.items():
                cache.add_to_group(name, files)
                grown = True
        return grown

    def provide(self, files: Sequence[str], tasks: Sequence) -> None:
        """Each index of a configuration whose cache has groups reads, for those names, the
        group's files, the files about to be checked, and the files of the tree the cache has
        not seen as they are now (none, when the run checks the whole tree). Each list is made
        when the index first asks about its name (`ProjectIndex._mentioning`): a run after one
        edit usually asks about none."""
        reading = {os.path.abspath(task.path) for task in tasks}

        def checked() -> set[str]:
            if self.caches.as_recorded:
                # A run after files changed in place: the files as the run-level state recorded
                # them are not unseen (`Cache.unseen`), so only the ones this run reads need naming.
                return reading
            return {path if is_normalised(path) else os.path.abspath(path) for path in files}

        for number, cache in self._groups():
            index = index_for(self.configurations.configs[number].src)
            may_hold: list[set[str]] = []  # (made once per index, when first needed)

            def listing(name: str, cache=cache, index=index, may_hold=may_hold) -> list[str]:
                tree = index._python_files()
                if not may_hold:
                    may_hold.append(reading | set(cache.unseen(tree, checked())))
                listed = may_hold[0].union(cache.group_files(name))
                return [path for path in tree if path in listed]

            for name in cache.group_names():
                index.known_mentions[name] = partial(listing, name)
            self.provided.append(index)

    def close(self) -> None:
        for index in self.provided:
            index.known_mentions.clear()
            index.__dict__.pop("_mentions", None)  # built from the lists: not for another run
        self.provided.clear()
