"""Record every user-visible output of `ssot` on examples/ and the standard library, to compare.

A restructuring must not change behaviour: run this before (`--out before/`) and after
(`--out after/`) and then `--compare before after`, which lists every file that differs
(byte for byte) and exits 1 if any does.

    python benchmarks/snapshot_outputs.py --out /tmp/snap-before
    ... change the code ...
    python benchmarks/snapshot_outputs.py --out /tmp/snap-after
    python benchmarks/snapshot_outputs.py --compare /tmp/snap-before /tmp/snap-after

With `--no-stdlib` (examples/ only, a few seconds), compare with `--prefix examples`.
`--src WORKTREE/src` runs the package of another checkout (`git worktree add`), so two
commits can be recorded from one environment.

The standard-library tree is a copy of this Python's stdlib under a temporary directory
with the policy of `policy.stdlib_policy()` (the one `run_benchmarks.py --stdlib` uses);
`--no-stdlib` records examples/ only. Paths of the temporary copy are replaced by `<TREE>`
so two runs compare.
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from run_benchmarks import prepare_stdlib  # noqa: E402

FORMATS = ["full", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit"]


SOURCE: Path | None = None  # --src: run the flake8_ssot package found there (a worktree of another commit)


def _run(args: list[str], cwd: Path, tree: Path | None) -> bytes:
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "LC_ALL": "C.UTF-8", "HOME": str(cwd)}
    if SOURCE is not None:
        env["PYTHONPATH"] = str(SOURCE)
    proc = subprocess.run([sys.executable, "-m", "flake8_ssot", *args], cwd=cwd, capture_output=True, env=env)
    out = b"".join(
        [
            b"$ ssot " + " ".join(args).encode() + b"\n",
            b"exit " + str(proc.returncode).encode() + b"\n--- stdout\n",
            proc.stdout,
            b"--- stderr\n",
            proc.stderr,
        ]
    )
    if tree is not None:
        out = out.replace(str(tree).encode(), b"<TREE>")
    return out


def record(root: Path, paths: list[str], out: Path, label: str, tree: Path | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    runs: dict[str, list[str]] = {}
    for fmt in FORMATS:
        runs[f"check-{fmt}"] = ["check", "--no-cache", "-j", "1", "--output-format", fmt, *paths]
    runs["check-statistics"] = ["check", "--no-cache", "-j", "1", "--statistics", *paths]
    runs["check-statistics-json"] = ["check", "--no-cache", "-j", "1", "--statistics", "--output-format", "json", *paths]
    runs["check-diff"] = ["check", "--no-cache", "-j", "1", "--diff", *paths]
    runs["check-diff-unsafe"] = ["check", "--no-cache", "-j", "1", "--diff", "--unsafe-fixes", *paths]
    runs["rule"] = ["rule"]
    for code in ("SSOT001", "SSOT002", "SSOT003", "SSOT004", "SSOT005"):
        runs[f"rule-{code}"] = ["rule", code]
    runs["registry"] = ["registry"]
    for name, args in runs.items():
        (out / f"{label}-{name}.txt").write_bytes(_run(args, root, tree))


def compare(before: Path, after: Path, prefix: str = "") -> int:
    names = sorted(n for n in {p.name for p in before.iterdir()} | {p.name for p in after.iterdir()}
                   if n.startswith(prefix))
    differ = [n for n in names if not (before / n).exists() or not (after / n).exists()
              or not filecmp.cmp(before / n, after / n, shallow=False)]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(names) - len(differ)} of {len(names)} outputs byte-identical")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="directory to record into")
    parser.add_argument("--no-stdlib", action="store_true", help="record examples/ only")
    parser.add_argument("--src", type=Path, help="the src/ directory whose flake8_ssot to run (e.g. of a git worktree)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--prefix", default="", help="--compare only the outputs whose name starts so ('examples')")
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare, prefix=args.prefix)
    if not args.out:
        parser.error("--out or --compare is required")
    global SOURCE
    SOURCE = args.src.resolve() if args.src else None
    example = REPO / "examples" / "monorepo"
    record(example, ["."], args.out, "examples", None)
    if not args.no_stdlib:
        with tempfile.TemporaryDirectory(prefix="ssot-snapshot-") as tmp:
            tree, _config, paths, _source = prepare_stdlib(Path(tmp))
            record(tree, paths, args.out, "stdlib", tree)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
