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
    findings: Counter  # (path, code, subject) -> count: what a range added and removed
    unchecked: dict[str, str]  # path -> why it could not be checked
    governed: bool = True  # False before any [tool.ssot] policy existed


@dataclass
class Walk:
    points: list[Point] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # commits whose policy is broken, and why
    notes: list[str] = field(default_factory=list)
    checked: int = 0  # files the engine ran on (the rest came from the cache)


def counts_of(findings: list[Finding], owners: Owners, directory_depth: int) -> dict[str, dict[str, int]]:
    """The counts of one point. Per code and per legacy path come from `--statistics`' own
    tally; a finding with several owners counts once for each of them."""
    stats = statistics(findings)
    by_path: Counter = Counter()
    for row in stats["by_subject"]:
        key = row["subject"] if row["subject"] != row["code"] else f"{row['code']}: {row.get('message', 'pattern rule')}"
        by_path[key] += row["count"]
    by_canonical: Counter = Counter(f.canonical for f in findings if f.canonical)
    by_owner: Counter = Counter()
    by_directory: Counter = Counter()
    for finding in findings:
        for owner in owners.of(finding.path):
            by_owner[owner] += 1
        parts = finding.path.split("/")[:-1]
        by_directory["/".join(parts[:directory_depth]) or "."] += 1
    return {
        "path": dict(by_path),
        "code": {row["code"]: row["count"] for row in stats["by_code"]},
        "canonical": dict(by_canonical),
        "owner": dict(by_owner),
        "directory": dict(by_directory),
    }


class TreeState:
    """One tree's files and their findings, updated change by change."""

    def __init__(self, root: str, selection: Selection, cache: FindingCache, policies: PolicyReader,
                 explicit: Policy | None) -> None:
        self.root, self.selection, self.cache = root, selection, cache
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
            results.pop(path, None)
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

    @property
    def governed(self) -> bool:
        return self.policies is not None and bool(self.policies.by_directory or self.policies.explicit)

    def owners(self, read_blob: Callable[[str], bytes]) -> Owners:
        found = codeowners_file(self.owner_files)
        key = found[1] if found else ""
        owners = self._owners.get(key)
        if owners is None:
            text = read_blob(found[1]).decode("utf-8", "replace") if found else None
            owners = self._owners[key] = Owners(text)
        return owners

    def point(self, label: str, commit: Commit | None, time: int, owners: Owners, directory_depth: int) -> Point:
        findings: list[Finding] = []
        unchecked: dict[str, str] = {}
        for path, result in self.results.items():
            if isinstance(result, str):
                unchecked[path] = result
            else:
                findings.extend(result)  # type: ignore[arg-type]
        files = Counter(f.path for f in findings)
        return Point(
            label, commit, time, counts_of(findings, owners, directory_depth), len(findings), dict(files),
            Counter((f.path, f.code, f.subject) for f in findings), unchecked, self.governed,
        )


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
    state = TreeState(root, selection, cache, policy_reader, explicit)
    checked_before = cache.checked
    previous: str | None = None

    def read_change(change: Change) -> bytes:
        return blobs.read(change.blob or "")

    for commit in commits:
        changes = full_tree(root, commit.id) if previous is None else tree_changes(root, previous, commit.id)
        previous = commit.id
        try:
            state.apply(changes, read_change)
        except ConfigError as error:
            result.skipped.append(f"{commit.short} ({commit.date}): its policy is broken: {error}")
            if progress:
                progress()
            continue
        owners = state.owners(blobs.read)
        result.points.append(state.point(commit.short, commit, commit.time, owners, directory_depth))
        if progress:
            progress()
    if working_tree:
        _working_tree_point(root, state, result, blobs, directory_depth)
    if state.submodules:
        listed = ", ".join(sorted(state.submodules)[:5]) + (", ..." if len(state.submodules) > 5 else "")
        result.notes.append(f"submodules are not followed: {listed}")
    result.checked = cache.checked - checked_before
    return result


def _working_tree_point(root: str, state: TreeState, result: Walk, blobs: BlobReader, directory_depth: int) -> None:
    """The working tree as the last point: files as they are on disk now, committed or not."""
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
        last = result.points[-1]
        # The same state as the last commit: its date, so the slope does not flatten towards today.
        result.points.append(Point(WORKING_TREE, None, last.time, last.counts, last.total,
                                   last.files, last.findings, last.unchecked, last.governed))
        return

    def read_blob(blob: str) -> bytes:
        return on_disk[blob] if blob in on_disk else blobs.read(blob)

    state.policy_reader.read = read_blob
    try:
        state.apply(changes, lambda change: read_bytes(os.path.join(root, change.path)))
    except ConfigError as error:
        result.skipped.append(f"the working tree: its policy is broken: {error}")
        return
    owners = state.owners(read_blob)
    now = int(time.time())
    if result.points:
        now = max(now, result.points[-1].time)
    result.points.append(state.point(WORKING_TREE, None, now, owners, directory_depth))
