"""The walk: from the oldest sampled commit to the newest, then the working tree, keeping one
tree's state and re-checking only the paths that changed (all paths, answered by the cache,
when the policy changed). Each point holds the counts per code, legacy path, canonical
target, owner and directory.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from flake8_ssot.config import ConfigError
from flake8_ssot.files import SourceError, read_bytes
from flake8_ssot.progress.findings import (
    Finding,
    FindingCache,
    Policies,
    Policy,
    PolicyReader,
    Selection,
    is_policy_file,
)
from flake8_ssot.progress.history import (
    SUBMODULE_MODE,
    SYMLINK_MODE,
    BlobReader,
    Change,
    Commit,
    blob_id,
    full_tree,
    tree_changes,
    working_tree_files,
)
from flake8_ssot.progress.owners import CODEOWNERS_PATHS, Owners, codeowners_file
from flake8_ssot.reporters.statistics import statistics

DIMENSIONS = ("path", "code", "canonical", "owner", "directory")
WORKING_TREE = "working tree"


@dataclass
class Point:
    label: str  # a short commit id, or "working tree"
    commit: Commit | None
    time: int
    counts: dict[str, dict[str, int]]  # dimension -> key -> count
    total: int
    files: dict[str, int]  # path -> findings
    results: dict[str, object]  # path -> its findings, or why it could not be checked
    governed: bool = True  # False before any [tool.ssot] policy existed

    @property
    def findings(self) -> Counter:
        """(path, code, subject) -> count: what a range added and removed."""
        return Counter((f.path, f.code, f.subject) for r in self.results.values() if not isinstance(r, str)
                       for f in r)  # type: ignore[union-attr]

    @property
    def unchecked(self) -> dict[str, str]:
        return {path: why for path, why in self.results.items() if isinstance(why, str)}


@dataclass
class Walk:
    points: list[Point] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # commits whose policy is broken, and why
    notes: list[str] = field(default_factory=list)
    checked: int = 0  # files the engine ran on (the rest came from the cache)


def file_counts(findings: tuple[Finding, ...], directory_depth: int) -> dict[str, dict[str, int]]:
    """One file's counts, owners aside. Per code and per legacy path come from `--statistics`'
    own tally."""
    stats = statistics(findings)
    by_path: dict[str, int] = {}
    for row in stats["by_subject"]:
        key = (row["subject"] if row["subject"] != row["code"]
               else f"{row['code']}: {row.get('message', 'pattern rule')}")
        by_path[key] = by_path.get(key, 0) + row["count"]
    parts = findings[0].path.split("/")[:-1]
    return {
        "path": by_path,
        "code": {row["code"]: row["count"] for row in stats["by_code"]},
        "canonical": dict(Counter(f.canonical for f in findings if f.canonical)),
        "directory": {"/".join(parts[:directory_depth]) or ".": len(findings)},
    }


class Tally:
    """The counts of a tree, kept up to date file by file, so a point costs the files that
    changed rather than every finding of the tree. A finding with several owners counts once
    for each of them."""

    def __init__(self, directory_depth: int) -> None:
        self.depth = directory_depth
        self.by_file: dict[str, dict[str, dict[str, int]]] = {}
        self.sizes: dict[str, int] = {}  # path -> findings
        self.totals: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS if d != "owner"}
        self.owner_totals: dict[str, int] = {}
        self.owners: Owners | None = None
        self.total = 0

    def set(self, path: str, findings: tuple[Finding, ...] | None) -> None:
        old = self.by_file.pop(path, None)
        if old is not None:
            size = self.sizes.pop(path)
            self.total -= size
            self._add(old, -1)
            self._add_owner(path, -size)
        if findings:
            counts = self.by_file[path] = file_counts(findings, self.depth)
            self.sizes[path] = len(findings)
            self.total += len(findings)
            self._add(counts, 1)
            self._add_owner(path, len(findings))

    def use_owners(self, owners: Owners) -> None:
        if owners is self.owners:
            return
        self.owners, self.owner_totals = owners, {}
        for path, size in self.sizes.items():
            self._add_owner(path, size)

    def _add(self, counts: dict[str, dict[str, int]], sign: int) -> None:
        for dimension, table in counts.items():
            totals = self.totals[dimension]
            for key, count in table.items():
                totals[key] = totals.get(key, 0) + sign * count

    def _add_owner(self, path: str, count: int) -> None:
        if self.owners is not None:
            for owner in self.owners.of(path):
                self.owner_totals[owner] = self.owner_totals.get(owner, 0) + count

    def counts(self) -> dict[str, dict[str, int]]:
        tables = {**self.totals, "owner": self.owner_totals}
        return {d: {k: v for k, v in tables[d].items() if v} for d in DIMENSIONS}


class TreeState:
    """One tree's files and their findings, updated change by change."""

    def __init__(self, root: str, selection: Selection, cache: FindingCache, policies: PolicyReader,
                 explicit: Policy | None, read_blob: Callable[[str], bytes], directory_depth: int) -> None:
        self.root, self.selection, self.cache, self.read_blob = root, selection, cache, read_blob
        self.tally = Tally(directory_depth)
        self.policy_reader, self.explicit = policies, explicit
        self.blobs: dict[str, tuple[str, str]] = {}  # every path -> (mode, blob id)
        self.policy_files: dict[str, str] = {}
        self.owner_files: dict[str, str] = {}
        self.results: dict[str, object] = {}  # only paths with findings or a reason they were not checked
        self.policies: Policies | None = None
        self.submodules: set[str] = set()
        self._owners: dict[str, Owners] = {}

    def apply(self, changes: Iterable[Change], read: Callable[[Change], bytes]) -> None:
        """Raises `ConfigError` when the new tree's policy is broken; the state is then the new
        tree's, with the old findings, until a later tree has a valid policy."""
        changed = []
        for change in changes:
            if change.blob is None:
                self.blobs.pop(change.path, None)
            else:
                self.blobs[change.path] = (change.mode or "", change.blob)
            for table, wanted in ((self.policy_files, is_policy_file), (self.owner_files, _is_codeowners)):
                if wanted(change.path):
                    if change.blob is None:
                        table.pop(change.path, None)
                    else:
                        table[change.path] = change.blob
            changed.append(change)
        try:
            policies = self.policy_reader.policies(self.policy_files, self.explicit)
        except ConfigError:
            self.policies = None  # the next valid policy re-checks everything: these changes too
            raise
        self.tally.use_owners(self.owners())
        if self.policies is None or policies.key() != self.policies.key():
            self.policies = policies
            everything = [Change(path, mode, blob) for path, (mode, blob) in self.blobs.items()]
            self._check(everything, read)
        else:
            self._check(changed, read)

    def _check(self, changes: list[Change], read: Callable[[Change], bytes]) -> None:
        assert self.policies is not None
        results, selection, cache = self.results, self.selection, self.cache
        for change in changes:
            path = change.path
            if results.pop(path, None) is not None:
                self.tally.set(path, None)
            if change.mode == SUBMODULE_MODE:
                if selection.under_prefixes(path):
                    self.submodules.add(path)
                continue
            if change.blob is None or not selection.wanted(path):
                continue
            if change.mode == SYMLINK_MODE:
                continue
            policy = self.policies.for_directory(path.rpartition("/")[0])
            if policy is None or selection.excluded(path, policy.config):
                continue
            found = cache.findings(self.root, path, change.blob, policy, lambda _blob, c=change: read(c))
            if found:
                results[path] = found
                if not isinstance(found, str):
                    self.tally.set(path, found)  # type: ignore[arg-type]

    @property
    def governed(self) -> bool:
        return self.policies is not None and bool(self.policies.by_directory or self.policies.explicit)

    def owners(self) -> Owners:
        found = codeowners_file(self.owner_files)
        key = found[1] if found else ""
        owners = self._owners.get(key)
        if owners is None:
            text = self.read_blob(found[1]).decode("utf-8", "replace") if found else None
            owners = self._owners[key] = Owners(text)
        return owners

    def point(self, label: str, commit: Commit | None, time: int) -> Point:
        tally = self.tally
        return Point(label, commit, time, tally.counts(), tally.total, dict(tally.sizes), dict(self.results),
                     self.governed)


def _is_codeowners(path: str) -> bool:
    return path in CODEOWNERS_PATHS


def walk(
    root: str,
    commits: list[Commit],
    selection: Selection,
    cache: FindingCache,
    policy_reader: PolicyReader,
    blobs: BlobReader,
    explicit: Policy | None,
    directory_depth: int = 1,
    working_tree: bool = True,
    progress: Callable[[], None] | None = None,
) -> Walk:
    result = Walk()
    state = TreeState(root, selection, cache, policy_reader, explicit, blobs.read, directory_depth)
    checked_before = cache.checked
    previous: str | None = None

    def read_change(change: Change) -> bytes:
        return blobs.read(change.blob or "")

    diffs = tree_changes(root, [(old.id, new.id) for old, new in zip(commits, commits[1:])])
    for commit in commits:
        changes = full_tree(root, commit.id) if previous is None else diffs.pop(commit.id, [])
        previous = commit.id
        try:
            state.apply(changes, read_change)
        except ConfigError as error:
            result.skipped.append(f"{commit.short} ({commit.date}): its policy is broken: {error}")
            if progress:
                progress()
            continue
        result.points.append(state.point(commit.short, commit, commit.time))
        if progress:
            progress()
    if working_tree:
        _working_tree_point(root, state, result, blobs)
    if state.submodules:
        listed = ", ".join(sorted(state.submodules)[:5]) + (", ..." if len(state.submodules) > 5 else "")
        result.notes.append(f"submodules are not followed: {listed}")
    result.checked = cache.checked - checked_before
    return result


def _working_tree_point(root: str, state: TreeState, result: Walk, blobs: BlobReader) -> None:
    """The working tree as the last point, when it differs from the last commit: files as they
    are on disk now, committed or not."""
    import time

    on_disk: dict[str, bytes] = {}
    changes = []
    present = set()
    for path in working_tree_files(root):
        absolute = os.path.join(root, path)
        if os.path.islink(absolute) or not os.path.isfile(absolute):
            if os.path.isdir(absolute):  # a submodule's checkout
                changes.append(Change(path, SUBMODULE_MODE, "0" * 40))
                present.add(path)
            continue
        keep = is_policy_file(path) or path in CODEOWNERS_PATHS or state.selection.wanted(path)
        if not keep:
            continue
        try:
            data = read_bytes(absolute)
        except SourceError:
            continue
        blob = blob_id(data)
        present.add(path)
        if state.blobs.get(path, ("", ""))[1] == blob:
            continue
        if is_policy_file(path) or path in CODEOWNERS_PATHS:
            on_disk[blob] = data
        changes.append(Change(path, "100644", blob))
    for path in list(state.blobs):
        if path not in present and (is_policy_file(path) or path in CODEOWNERS_PATHS or state.selection.wanted(path)):
            changes.append(Change(path, None, None))
    if result.points and not changes:
        return  # the working tree is the last commit: its point stands for both

    def read_blob(blob: str) -> bytes:
        return on_disk[blob] if blob in on_disk else blobs.read(blob)

    state.policy_reader.read = state.read_blob = read_blob
    try:
        state.apply(changes, lambda change: read_bytes(os.path.join(root, change.path)))
    except ConfigError as error:
        result.skipped.append(f"the working tree: its policy is broken: {error}")
        return
    now = int(time.time())
    if result.points:
        now = max(now, result.points[-1].time)
    result.points.append(state.point(WORKING_TREE, None, now))
