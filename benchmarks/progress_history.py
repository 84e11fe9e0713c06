"""`ssot progress` on a generated history: a repository of N Python files (25,000 by default)
and C first-parent commits (500), each changing a few files and removing or adding legacy
uses, built in seconds with `git fast-import`. Times a cold walk (empty cache), a warm walk
(the same history again) and, for the choice of git access, the git command against pygit2
on the same tree diffs and blob reads.

    python benchmarks/progress_history.py --out /tmp/progress-bench [--files 25000 --commits 500]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time

POLICY = """\
[tool.ssot]
src = ["src"]

[tool.ssot.legacy]
"corp.legacy.client" = "corp.platform.client"
"corp.legacy.auth" = "corp.platform.auth"
"corp.legacy.db" = "corp.platform.db"
"""
LEGACY = ("corp.legacy.client", "corp.legacy.auth", "corp.legacy.db")
TEAMS = ("@corp/payments", "@corp/search", "@corp/identity", "@corp/platform", "@corp/data")
PACKAGES = 50
CHANGES_PER_COMMIT = 20


def source(rng: random.Random, index: int, legacy_uses: int) -> bytes:
    lines = [f'"""Module {index}."""', "from __future__ import annotations", "import os", ""]
    lines += [f"import {rng.choice(LEGACY)}  # legacy {n}" for n in range(legacy_uses)]
    for function in range(rng.randint(4, 12)):
        lines += [f"def f{function}(x: int) -> int:", f"    y = x * {function} + {index}", "    return y + len(os.sep)", ""]
    return ("\n".join(lines) + "\n").encode()


def _data(out, payload: bytes) -> None:
    out.write(b"data %d\n" % len(payload))
    out.write(payload)
    out.write(b"\n")


def generate(path: str, files: int, commits: int, seed: int = 7) -> None:
    """The repository at `path`: about 1 file in 12 starts with legacy uses; each later commit
    rewrites CHANGES_PER_COMMIT files, a migrating file losing one use more often than a new
    one is added, so the count falls."""
    rng = random.Random(seed)
    if os.path.exists(path):
        shutil.rmtree(path)
    subprocess.run(["git", "init", "-q", "-b", "main", path], check=True)
    process = subprocess.Popen(["git", "-C", path, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    out = process.stdin
    assert out is not None
    uses = {i: (rng.randint(1, 4) if rng.random() < 1 / 12 else 0) for i in range(files)}
    names = {i: f"src/corp/pkg{i % PACKAGES}/mod{i}.py" for i in range(files)}
    start = 1_700_000_000
    codeowners = "".join(f"/src/corp/pkg{p}/ {TEAMS[p % len(TEAMS)]}\n" for p in range(PACKAGES)).encode()
    for number in range(commits):
        when = start + number * 6 * 3600
        out.write(b"commit refs/heads/main\n")
        out.write(b"committer Bench <bench@example.com> %d +0000\n" % when)
        _data(out, b"commit %d" % number)
        if number == 0:
            out.write(b"M 100644 inline pyproject.toml\n")
            _data(out, POLICY.encode())
            out.write(b"M 100644 inline CODEOWNERS\n")
            _data(out, codeowners)
            changed = range(files)
        else:
            changed = rng.sample(range(files), CHANGES_PER_COMMIT)
            for index in changed:
                roll = rng.random()
                if uses[index] and roll < 0.6:
                    uses[index] -= 1
                elif roll > 0.97:
                    uses[index] += 1
        for index in changed:
            out.write(b"M 100644 inline " + names[index].encode() + b"\n")
            _data(out, source(rng, index, uses[index]))
        out.write(b"\n")
    out.close()
    if process.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", path, "checkout", "-q", "main"], check=True)


def time_progress(repo: str, cache: str) -> tuple[float, float, dict]:
    """Wall-clock seconds, CPU seconds (ssot and the git processes it starts), the report.
    The CPU figure is the steadier one on a machine shared with other work."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "flake8_ssot", "progress", "--output-format", "json", "--cache-dir", cache],
        cwd=repo, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise SystemExit(run.stderr)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, json.loads(run.stdout)


def compare_git_access(repo: str) -> dict:
    """Tree diffs of every consecutive pair of commits and 2,000 blob reads: git command vs pygit2."""
    from flake8_ssot.progress.history import BlobReader, first_parent_commits, tree_changes

    commits = first_parent_commits(repo)
    pairs = list(zip(commits, commits[1:]))
    started = time.perf_counter()
    blobs = []
    for old, new in pairs:  # a process per diff, as pygit2 below makes a call per diff
        blobs.extend(c.blob for c in tree_changes(repo, [(old.id, new.id)])[new.id] if c.blob)
    git_diff = time.perf_counter() - started
    started = time.perf_counter()
    tree_changes(repo, [(old.id, new.id) for old, new in pairs])
    git_diff_batch = time.perf_counter() - started
    sample = blobs[:2000]
    reader = BlobReader(repo)
    started = time.perf_counter()
    for blob in sample:
        reader.read(blob)
    git_blobs = time.perf_counter() - started
    reader.close()
    result = {"commits": len(commits), "git_diff_tree_s": round(git_diff, 2),
              "git_diff_tree_stdin_s": round(git_diff_batch, 2), "git_cat_file_2000_s": round(git_blobs, 3)}
    try:
        import pygit2
    except ImportError:
        result["pygit2"] = "not installed"
        return result
    repository = pygit2.Repository(repo)
    started = time.perf_counter()
    count = 0
    for old, new in pairs:
        diff = repository.diff(repository[old.id].tree, repository[new.id].tree)
        count += sum(1 for _ in diff.deltas)
    result["pygit2_diff_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    for blob in sample:
        repository[blob].data
    result["pygit2_blobs_2000_s"] = round(time.perf_counter() - started, 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="a directory for the repository and the cache")
    parser.add_argument("--files", type=int, default=25_000)
    parser.add_argument("--commits", type=int, default=500)
    args = parser.parse_args()
    repo, cache = os.path.join(args.out, "repo"), os.path.join(args.out, "cache")
    started = time.perf_counter()
    generate(repo, args.files, args.commits)
    figures = {"files": args.files, "commits": args.commits, "generate_s": round(time.perf_counter() - started, 1)}
    shutil.rmtree(cache, ignore_errors=True)
    cold, cold_cpu, report = time_progress(repo, cache)
    warm, warm_cpu, again = time_progress(repo, cache)
    assert [p["total"] for p in report["points"]] == [p["total"] for p in again["points"]]
    totals = [p["total"] for p in report["points"]]
    figures.update(cold_s=round(cold, 1), cold_cpu_s=round(cold_cpu, 1), warm_s=round(warm, 1),
                   warm_cpu_s=round(warm_cpu, 1), first_total=totals[0], last_total=totals[-1],
                   points=len(totals))
    figures.update(compare_git_access(repo))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
