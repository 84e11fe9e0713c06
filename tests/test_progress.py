"""`ssot progress` over repositories built here with git commands: a known history of legacy
uses introduced and removed, owners, a rename, a broken policy, binary and undecodable files;
the counts of every point asserted exactly, and the cache proven by counting engine runs."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from projects import ssot

pytest.importorskip("codeowners")
pytest.importorskip("pygal")

POLICY = '[tool.ssot.legacy]\n"old.api" = "new.api"\n"old.util" = "new.util"\n'
POLICY_WITHOUT_UTIL = '[tool.ssot.legacy]\n"old.api" = "new.api"\n'
BROKEN_POLICY = '[tool.ssot.legacy]\n"old.api" = 5\n'


def uses(module: str, count: int) -> str:
    return "".join(f"import {module}  # use {n}\n" for n in range(count))


class Repo:
    """A repository whose commits carry the dates they are given."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str = "2024-01-01T12:00:00+00:00") -> str:
        env = {
            **os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
            "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.path),
        }
        run = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        return run.stdout

    def write(self, files: dict[str, str | bytes]) -> None:
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")

    def commit(self, day: str, message: str, files: dict[str, str | bytes] | None = None) -> str:
        self.write(files or {})
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=f"{day}T12:00:00+00:00")
        return self.git("rev-parse", "HEAD").strip()


def build_history(path: Path) -> Repo:
    """Six commits, a week apart, then an uncommitted change (the working tree's point):

    1. the policy (old.api, old.util), owners: app/a.py 3 old.api, lib/b.py 1 old.util   -> 4
    2. app/c.py 2 old.util; a binary app/bin.py and an undecodable app/latin.py          -> 6
    3. lib/b.py renamed pkg/b.py; CODEOWNERS gives pkg/ to @team-pkg                      -> 6
    4. app/a.py down to 1 old.api                                                         -> 4
    5. the policy broken (skipped), app/c.py down to 1 old.util
    6. the policy mended without old.util: only old.api counts                            -> 1
    working tree: app/a.py without legacy uses                                            -> 0
    """
    repo = Repo(path)
    repo.commit("2024-01-01", "policy", {
        "pyproject.toml": POLICY,
        "CODEOWNERS": "* @core\n/lib/ @team-lib\n",
        "app/__init__.py": "",
        "app/a.py": uses("old.api", 3),
        "lib/b.py": uses("old.util", 1),
        "README.md": "not Python\n",
    })
    repo.commit("2024-01-08", "more", {
        "app/c.py": uses("old.util", 2),
        "app/bin.py": b"import old.api\n\0\0binary",
        "app/latin.py": b"import old.api\nname = '\xff'\n",
    })
    (path / "pkg").mkdir()
    repo.git("mv", "lib/b.py", "pkg/b.py")
    repo.commit("2024-01-15", "rename", {"CODEOWNERS": "* @core\n/lib/ @team-lib\n/pkg/ @team-pkg\n"})
    repo.commit("2024-01-22", "migrate a", {"app/a.py": uses("old.api", 1) + "import new.api\n"})
    repo.commit("2024-01-29", "broken policy", {"pyproject.toml": BROKEN_POLICY, "app/c.py": uses("old.util", 1)})
    repo.commit("2024-02-05", "mended policy", {"pyproject.toml": POLICY_WITHOUT_UTIL})
    repo.write({"app/a.py": "import new.api\n"})
    return repo


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Repo:
    return build_history(tmp_path_factory.mktemp("progress") / "repo")


def progress_json(repo: Repo, *args: str) -> tuple[dict, str]:
    run = ssot("progress", "--no-cache", "--output-format", "json", *args, cwd=repo.path)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout), run.stderr


def test_counts_of_every_point(history: Repo) -> None:
    report, stderr = progress_json(history)
    points = report["points"]
    assert [p["date"] for p in points[:-1]] == [
        "2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22", "2024-02-05"
    ]
    assert points[-1]["label"] == "working tree" and points[-1]["commit"] is None
    assert [p["total"] for p in points] == [4, 6, 6, 4, 1, 0]
    assert [p["counts"]["path"] for p in points] == [
        {"old.api": 3, "old.util": 1},
        {"old.api": 3, "old.util": 3},
        {"old.api": 3, "old.util": 3},
        {"old.api": 1, "old.util": 3},
        {"old.api": 1},
        {},
    ]
    assert [p["counts"]["owner"] for p in points[:4]] == [
        {"@core": 3, "@team-lib": 1},
        {"@core": 5, "@team-lib": 1},
        {"@core": 5, "@team-pkg": 1},  # renamed into pkg/, and CODEOWNERS of that commit
        {"@core": 3, "@team-pkg": 1},
    ]
    assert points[1]["counts"]["code"] == {"SSOT001": 6}
    assert points[1]["counts"]["canonical"] == {"new.api": 3, "new.util": 3}
    assert points[2]["counts"]["directory"] == {"app": 5, "pkg": 1}
    assert points[1]["unchecked"] == {
        "app/bin.py": "binary file, not checked",
        "app/latin.py": "cannot decode line 2 as utf-8 (byte 0xff: invalid start byte); "
                        "save the file as UTF-8 or declare its encoding (PEP 263)",
    }
    fifth = history.git("rev-parse", "HEAD~1").strip()[:10]
    broken = (
        f"{fifth} (2024-01-29): its policy is broken: {history.path / 'pyproject.toml'}: "
        'tool.ssot.legacy."old.api": must be a dotted path string or a table, not an integer'
    )
    assert report["skipped"] == [broken]
    assert f"warning: skipped {broken}\n" in stderr
    assert report["removed"] == 4 and report["added"] == 0
    assert report["top_files"] == []


def test_a_broken_policy_is_skipped_and_named(history: Repo) -> None:
    run = ssot("progress", "--no-cache", cwd=history.path)
    assert run.returncode == 0
    commit = history.git("rev-parse", "HEAD~1").strip()[:10]
    line = next(line for line in run.stderr.splitlines() if "skipped" in line)
    assert line.startswith(f"warning: skipped {commit} (2024-01-29): its policy is broken: ")
    assert str(history.path / "pyproject.toml") in line


def test_the_table(history: Repo) -> None:
    run = ssot("progress", "--no-cache", "--until", "2024-01-23", "--no-working-tree", cwd=history.path)
    assert run.returncode == 0, run.stderr
    first = history.git("rev-list", "--max-parents=0", "HEAD").strip()[:10]
    fourth = history.git("rev-parse", "HEAD~2").strip()[:10]
    assert run.stdout == (
        f"Legacy uses by legacy path or symbol, 4 points from {first} (2024-01-01) to {fourth} (2024-01-22):\n"
        "  now  since previous  over window  trend  legacy path or symbol\n"
        "    3               0           +2      →  old.util\n"
        "    1              -2           -2      ↓  old.api\n"
        "    4              -2            0      ↓  total\n"
        "Projected zero: not falling (+0.00 per day): no zero date; from a least-squares line through the counts "
        "of the points of the last 28 days (at least the last 3 points), against their commit dates, extended to "
        "where it crosses zero.\n"
    )


def test_by_owner_markdown_for_a_pull_request(history: Repo) -> None:
    base = history.git("rev-parse", "HEAD~3").strip()  # the rename
    run = ssot("progress", "--no-cache", "--rev-range", f"{base}..HEAD", "--by", "owner",
               "--output-format", "markdown", "--no-working-tree", cwd=history.path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == (
        f"**flake8-ssot progress**: this range removes 5 legacy uses, adds 0 (6 → 1; {base[:10]} (2024-01-15) → "
        f"{history.git('rev-parse', 'HEAD').strip()[:10]} (2024-02-05)).\n"
        "\n| owner | before | after | change |\n|---|---:|---:|---:|\n"
        "| `@core` | 5 | 1 | -4 |\n| `@team-pkg` | 1 | 0 | -1 |\n| **total** | 6 | 1 | -5 |\n"
    )


def test_csv_every_dimension(history: Repo) -> None:
    run = ssot("progress", "--no-cache", "--output-format", "csv", "--since", "2024-01-20", cwd=history.path)
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [r["point"] for r in rows if r["dimension"] == "total"][-1] == "working tree"
    fourth = [r for r in rows if r["date"] == "2024-01-22"]
    assert {(r["dimension"], r["key"], r["count"]) for r in fourth} == {
        ("total", "total", "4"), ("path", "old.api", "1"), ("path", "old.util", "3"), ("code", "SSOT001", "4"),
        ("canonical", "new.api", "1"), ("canonical", "new.util", "3"), ("owner", "@core", "3"),
        ("owner", "@team-pkg", "1"), ("directory", "app", "3"), ("directory", "pkg", "1"),
    }


def test_every_and_paths_and_config(history: Repo, tmp_path: Path) -> None:
    report, _ = progress_json(history, "--every", "2", "--no-working-tree")
    assert [p["date"] for p in report["points"]] == ["2024-01-08", "2024-01-22", "2024-02-05"]
    report, _ = progress_json(history, "pkg", "--no-working-tree")
    assert [p["total"] for p in report["points"]] == [0, 0, 1, 1, 0]
    policy = tmp_path / "pyproject.toml"
    policy.write_text(POLICY, encoding="utf-8")  # old.util counted at every commit, the broken one too
    report, _ = progress_json(history, "--config", str(policy))
    assert [p["total"] for p in report["points"]] == [4, 6, 6, 4, 3, 3, 2]
    assert report["skipped"] == []


def test_the_cache_checks_no_file_twice(history: Repo, tmp_path: Path) -> None:
    from flake8_ssot.config.resolve import Overrides
    from flake8_ssot.progress.findings import FindingCache, PolicyReader, Selection
    from flake8_ssot.progress.history import BlobReader, first_parent_commits
    from flake8_ssot.progress.walk import walk

    root = str(history.path)
    commits = first_parent_commits(root)

    def run() -> tuple[int, list[int]]:
        cache = FindingCache(str(tmp_path / "cache"))
        blobs = BlobReader(root)
        try:
            result = walk(root, commits, Selection(root), cache, PolicyReader(root, Overrides(), blobs.read), blobs, None)
        finally:
            blobs.close()
            cache.save()
        return result.checked, [p.total for p in result.points]

    # __init__.py, a.py, b.py; c.py, latin.py (bin.py is binary); pkg/b.py; a.py; the broken policy
    # nothing; the mended one all five Python files again; the working tree's a.py.
    assert run() == (13, [4, 6, 6, 4, 1, 0])
    assert run() == (0, [4, 6, 6, 4, 1, 0])


def test_a_repository_without_commits_counts_its_working_tree(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "fresh")
    repo.write({"pyproject.toml": POLICY, "m.py": uses("old.api", 2)})
    report, _ = progress_json(repo)
    assert [(p["label"], p["total"]) for p in report["points"]] == [("working tree", 2)]


def test_not_a_git_repository(tmp_path: Path) -> None:
    run = ssot("progress", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stderr == (
        f"error: {tmp_path} is not inside a git repository: ssot progress reads the history of one "
        "(ssot check --statistics counts a tree without history)\n"
    )


def test_a_shallow_clone_says_how_far_back_it_goes(history: Repo, tmp_path: Path) -> None:
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{history.path}", str(tmp_path / "shallow")],
                   check=True, capture_output=True)
    report, stderr = progress_json(_at(tmp_path / "shallow"))
    # 2024-01-29's policy is broken; the clean working tree adds no point
    assert [p["date"] for p in report["points"]] == ["2024-02-05"]
    oldest = subprocess.run(["git", "rev-parse", "HEAD~1"], cwd=tmp_path / "shallow", capture_output=True,
                            text=True).stdout.strip()[:10]
    assert (f"note: this is a shallow clone: the history goes back only to 2024-01-29 ({oldest}); "
            "run `git fetch --unshallow` for all of it\n") in stderr


def _at(path: Path) -> Repo:
    repo = Repo.__new__(Repo)
    repo.path = path
    return repo


def test_submodules_are_named_and_not_followed(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "outer")
    repo.write({"pyproject.toml": POLICY, "m.py": uses("old.api", 1)})
    repo.git("add", "-A")
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},vendored")
    repo.git("commit", "-q", "-m", "with a submodule")
    report, stderr = progress_json(repo)
    assert [(p["label"], p["total"]) for p in report["points"]] == [(repo.git("rev-parse", "HEAD").strip()[:10], 1)]
    assert "note: submodules are not followed: vendored\n" in stderr


def test_without_the_extra_it_says_what_to_install(monkeypatch, capsys, tmp_path: Path) -> None:
    from flake8_ssot.cli import main

    monkeypatch.setitem(sys.modules, "pygal", None)
    monkeypatch.chdir(tmp_path)
    assert main(["progress"]) == 2
    assert capsys.readouterr().err == (
        "error: ssot progress needs the progress extra (codeowners, pygal, tqdm): "
        "pip install 'flake8-ssot[progress]'\n"
    )


def test_the_benchmark_history_runs_small(tmp_path: Path) -> None:
    """benchmarks/progress_history.py on a tiny history: the generator, both walks, the comparison."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        import progress_history
    finally:
        sys.path.pop(0)
    repo = str(tmp_path / "repo")
    progress_history.generate(repo, files=120, commits=4)
    cold_s, _, cold = progress_history.time_progress(repo, str(tmp_path / "cache"))
    warm_s, _, warm = progress_history.time_progress(repo, str(tmp_path / "cache"))
    assert len(cold["points"]) == 4 and cold["points"] == warm["points"]
    assert cold["points"][0]["counts"]["owner"] and cold["points"][0]["total"] > 0
    assert progress_history.compare_git_access(repo)["commits"] == 4
