"""Reading a repository's history with the git command: the first-parent commits to sample,
each commit's tree (in full once, then only what changed), and blobs through one long-lived
`git cat-file --batch`. Never checks out a work tree; never writes to the repository.

The git command won over pygit2 for this (benchmarks/README.md, "`ssot progress` on a
generated history"): one `git diff-tree --stdin` for all sampled pairs took 1 s where
pygit2's diffs took 16-25 s on 500 commits of 25,000 files, and blobs, which pygit2 reads
about twice as fast, are under a second of any walk. No compiled dependency either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
from dataclasses import dataclass
from typing import Iterator

SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"


class HistoryError(Exception):
    """The repository cannot be read as asked; the message is meant for the user."""


@dataclass(frozen=True)
class Commit:
    id: str
    time: int  # committer date, seconds since the epoch
    subject: str

    @property
    def short(self) -> str:
        return self.id[:10]

    @property
    def date(self) -> str:
        return dt.datetime.fromtimestamp(self.time, dt.timezone.utc).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Change:
    """One path's new state after a commit: `blob` None means deleted."""

    path: str
    mode: str | None
    blob: str | None


def _git(root: str, *args: str, check: bool = True) -> str:
    run = subprocess.run(
        ["git", "-C", root, *args], capture_output=True, text=True, encoding="utf-8", errors="replace"
    )
    if check and run.returncode != 0:
        raise HistoryError(f"git {' '.join(args)}: {run.stderr.strip() or 'failed'}")
    return run.stdout


def repository_root(start: str) -> str:
    run = subprocess.run(
        ["git", "-C", start, "rev-parse", "--show-toplevel"], capture_output=True, text=True
    )
    if run.returncode != 0:
        raise HistoryError(
            f"{start} is not inside a git repository: ssot progress reads the history of one "
            "(ssot check --statistics counts a tree without history)"
        )
    return os.path.normpath(run.stdout.strip())


def has_commits(root: str) -> bool:
    return subprocess.run(
        ["git", "-C", root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}"], capture_output=True
    ).returncode == 0


def shallow_note(root: str) -> str | None:
    """For a shallow clone: how far back the history goes, and how to get the rest."""
    if _git(root, "rev-parse", "--is-shallow-repository").strip() != "true":
        return None
    oldest = _git(root, "log", "--first-parent", "--format=%H %ct", "--reverse", "HEAD").split("\n", 1)[0].split()
    since = Commit(oldest[0], int(oldest[1]), "").date if len(oldest) == 2 else "?"
    return (
        f"this is a shallow clone: the history goes back only to {since} ({oldest[0][:10] if oldest else '?'}); "
        "run `git fetch --unshallow` for all of it"
    )


def first_parent_commits(
    root: str, rev_range: str | None = None, since: str | None = None, until: str | None = None
) -> list[Commit]:
    """Oldest first. With `A..B`, the commits of B not in A, after their merge base with A."""
    args = ["log", "--first-parent", "--reverse", "--format=%H%x09%ct%x09%s"]
    if since:
        args.append(f"--since={since}")
    if until:
        args.append(f"--until={until}")
    base: Commit | None = None
    if rev_range:
        if ".." not in rev_range:
            raise HistoryError(f"--rev-range {rev_range!r} is not of the form A..B")
        start, _, end = rev_range.partition("..")
        end = end or "HEAD"
        merge_base = _git(root, "merge-base", start or "HEAD", end).strip()
        base = _parse_log(_git(root, "log", "-1", "--format=%H%x09%ct%x09%s", merge_base))[0]
        args.append(f"{start or 'HEAD'}..{end}")
    else:
        args.append("HEAD")
    commits = _parse_log(_git(root, *args, "--"))
    return ([base] if base is not None else []) + commits


def _parse_log(text: str) -> list[Commit]:
    commits = []
    for line in text.splitlines():
        if line:
            commit, time, subject = (line.split("\t", 2) + [""])[:3]
            commits.append(Commit(commit, int(time), subject))
    return commits


def sample(commits: list[Commit], every: str | None) -> list[Commit]:
    """Every Nth commit, or the last commit of each ISO week; the newest commit always."""
    if not commits or not every or every == "1":
        return list(commits)
    if every == "week":
        last_of_week: dict[tuple[int, int], Commit] = {}
        for commit in commits:
            year, week, _ = dt.datetime.fromtimestamp(commit.time, dt.timezone.utc).isocalendar()
            last_of_week[(year, week)] = commit
        chosen = set(c.id for c in last_of_week.values())
    else:
        step = int(every)
        chosen = {c.id for c in commits[::-1][::step]}  # counted back from the newest
    chosen.add(commits[-1].id)
    return [c for c in commits if c.id in chosen]


def full_tree(root: str, commit: str) -> Iterator[Change]:
    out = subprocess.run(
        ["git", "-C", root, "ls-tree", "-r", "-z", "--full-tree", commit], capture_output=True, check=True
    ).stdout
    for record in out.split(b"\0"):
        if record:
            meta, _, path = record.partition(b"\t")
            mode, _, blob = meta.decode().split(" ")
            yield Change(path.decode("utf-8", "surrogateescape"), mode, blob)


def tree_changes(root: str, pairs: list[tuple[str, str]]) -> dict[str, list[Change]]:
    """What changed from `old` to `new` for each (old, new) pair, keyed by `new`; renames as a
    deletion and an addition. One `git diff-tree --stdin` for all pairs: a process per commit
    cost eight times as much on a 25,000-file tree."""
    if not pairs:
        return {}
    out = subprocess.run(
        ["git", "-C", root, "diff-tree", "--stdin", "--always", "-r", "-z", "--no-renames"],
        input="".join(f"{new} {old}\n" for old, new in pairs).encode(), capture_output=True, check=True,
    ).stdout
    changes: dict[str, list[Change]] = {}
    current: list[Change] = []
    fields = out.split(b"\0")
    index = 0
    while index < len(fields):
        meta = fields[index].decode("utf-8", "surrogateescape")
        if not meta.startswith(":"):
            if meta:
                current = changes.setdefault(meta.strip(), [])
            index += 1
            continue
        path = fields[index + 1].decode("utf-8", "surrogateescape")
        index += 2
        _, new_mode, _, new_blob, status = meta[1:].split(" ")
        if status.startswith("D"):
            current.append(Change(path, None, None))
        else:
            current.append(Change(path, new_mode, new_blob))
    return changes


class BlobReader:
    """One `git cat-file --batch` for the whole walk: a blob costs a pipe round trip, not a process."""

    def __init__(self, root: str) -> None:
        self.process = subprocess.Popen(
            ["git", "-C", root, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.read_count = 0

    def read(self, blob: str) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(blob.encode() + b"\n")
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3:
            raise HistoryError(f"git cat-file could not read blob {blob}")
        data = self.process.stdout.read(int(header[2]))
        self.process.stdout.read(1)  # the newline after the content
        self.read_count += 1
        return data

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()


def blob_id(data: bytes) -> str:
    """git's object id of `data` as a blob: a working-tree file unchanged since the last commit
    finds the commit's cached findings."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def working_tree_files(root: str) -> list[str]:
    """Tracked and untracked files that `.gitignore` does not rule out, relative to `root`."""
    out = subprocess.run(
        ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True,
    ).stdout
    return sorted({p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p})


def submodule_paths(root: str) -> set[str]:
    out = subprocess.run(["git", "-C", root, "ls-files", "-s", "-z"], capture_output=True, check=True).stdout
    paths = set()
    for record in out.split(b"\0"):
        if record.startswith(SUBMODULE_MODE.encode()):
            paths.add(record.partition(b"\t")[2].decode("utf-8", "surrogateescape"))
    return paths
