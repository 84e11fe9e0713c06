"""Partial parsing (facts/partial.py) finds exactly what a whole parse finds: the proof over trees.

    python benchmarks/compare_fast_path.py TREE            # a tree with its pyproject.toml
    python benchmarks/compare_fast_path.py --stdlib        # a copy of this Python's stdlib, its policy
    python benchmarks/compare_fast_path.py TREE --no-cli   # the per-file comparison only
    python benchmarks/compare_fast_path.py TREE --paths a b # only these folders of TREE
    python benchmarks/compare_fast_path.py TREE --every-file --no-cli  # every file partially

Two comparisons, each with partial parsing off (SSOT_PARTIAL_PARSE=0) and on:
1. per file, in this process: every file the strict prefilter lets through is checked both
   ways; the diagnostics (with their fixes), the syntax error and the files consulted must be
   equal. Prints how many files took the partial path, how many a rule sent back to a whole
   parse, and the CPU of the checks both ways (each file alternately, the least of --repeat).
2. end to end: `ssot check PATHS --output-format json --no-cache --jobs 1`, both ways; the
   JSON must be byte-identical. Prints the CPU (user + system of the child, the least of
   --repeat runs each way, alternately).
Exit 1 on any difference, listing the files.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def python_files(root: Path, paths: list[str]) -> list[Path]:
    found = []
    for path in paths:
        for directory, dirs, files in os.walk(root / path):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            found.extend(Path(directory) / name for name in sorted(files) if name.endswith(".py"))
    return found


def compare_in_process(root: Path, config_path: Path, paths: list[str], repeat: int, fixes: bool = True) -> int:
    from flake8_ssot import engine
    from flake8_ssot.config import load_config
    from flake8_ssot.dotted import module_name
    from flake8_ssot.facts import partial
    from flake8_ssot.files import SourceError, decode_source
    from flake8_ssot.index import index_for

    config = load_config(str(config_path))
    index = index_for(config.src)
    sources = []
    for file in python_files(root, paths):
        data = file.read_bytes()
        module, _ = module_name(os.path.abspath(file), config.src)
        if not config.prefilter.may_match(data, module, strict=True):
            continue
        try:
            sources.append((str(file), decode_source(data), module))
        except SourceError:
            continue

    def check(file: str, source: str, enabled: bool):
        partial.ENABLED = enabled
        start = time.process_time()
        result = engine.check_source(source, file, config, prefilter=False, index=index, fixes=fixes)
        return (repr(result.diagnostics), result.syntax_error, result.depends), time.process_time() - start

    for file, source, _ in sources:
        check(file, source, False)  # the index's summaries, read once, for both timed runs alike
    # Each file both ways, alternately, `repeat` times: the least CPU of each way counts (the
    # machine's other load inflates single runs).
    whole, fast, whole_cpu, fast_cpu = {}, {}, 0.0, 0.0
    for file, source, _ in sources:
        times = {False: [], True: []}
        for _ in range(repeat):
            for enabled in (False, True):
                result, seconds = check(file, source, enabled)
                (fast if enabled else whole)[file] = result
                times[enabled].append(seconds)
        whole_cpu += min(times[False])
        fast_cpu += min(times[True])
    taken = back = 0
    for file, source, module in sources:
        words = engine.partial_words(config)
        module_, is_package = module_name(os.path.abspath(file), config.src)
        facts = partial.partial_facts(source, os.path.abspath(file), module_, is_package, None,
                                      engine.interest(config), None, words)
        if facts is not None:
            taken += 1
            try:
                engine.check_facts(facts, config, True, index, fixes)
                partial.confirm(facts)
            except partial.WholeTreeNeeded:
                back += 1
    differ = sorted(file for file in whole if whole[file] != fast[file])
    size = sum(len(source) for _, source, _ in sources)
    findings = sum(whole[file][0].count("Diagnostic(") for file in whole)
    print(f"per file: {len(sources):,} candidate files ({size / 1e6:.1f} MB), {findings:,} diagnostics; "
          f"partial parse taken by {taken:,} (a rule asked {back:,} of them for the whole tree, or it did not compile)")
    print(f"  CPU of the checks (least of {repeat}): whole parse {whole_cpu:.2f} s, partial parse {fast_cpu:.2f} s"
          f" ({fast_cpu / max(whole_cpu, 1e-9):.2f}x)")
    for file in differ[:20]:
        print(f"  DIFFERENT: {file}\n    whole:   {whole[file]!r:.400}\n    partial: {fast[file]!r:.400}")
    print(f"  {'identical' if not differ else f'{len(differ)} files differ'}")
    return 1 if differ else 0


def compare_cli(root: Path, config_path: Path, paths: list[str], repeat: int) -> int:
    outputs, cpus = {}, {"0": [], "1": []}
    for _ in range(repeat):
        for enabled in ("0", "1"):
            env = {**os.environ, "SSOT_PARTIAL_PARSE": enabled, "PYTHONUTF8": "1"}
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [sys.executable, "-m", "flake8_ssot", "check", *paths, "--config", str(config_path),
                 "--output-format", "json", "--no-cache", "--jobs", "1", "--exit-zero"],
                cwd=root, capture_output=True, env=env,
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                print(done.stderr.decode(errors="replace"), file=sys.stderr)
                return 2
            if outputs.setdefault(enabled, done.stdout) != done.stdout:
                print(f"  the JSON of two runs with SSOT_PARTIAL_PARSE={enabled} differs", file=sys.stderr)
                return 1
            cpus[enabled].append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    same = outputs["0"] == outputs["1"]
    print(f"end to end: `ssot check {' '.join(paths)} --output-format json --no-cache --jobs 1`: "
          f"{len(outputs['0']):,} bytes of JSON, {'byte-identical' if same else 'DIFFERENT'}; "
          f"CPU (least of {repeat}) whole parse {min(cpus['0']):.2f} s, partial parse {min(cpus['1']):.2f} s")
    return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", nargs="?", help="a tree with a pyproject.toml holding [tool.ssot]")
    parser.add_argument("--stdlib", action="store_true", help="a copy of this Python's stdlib with its policy")
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end comparison")
    parser.add_argument("--every-file", action="store_true",
                        help="per file: partial parsing of every file with a definition to skip, whatever its size "
                             "and share (a stronger check of equality; the CPU figures then mean little)")
    parser.add_argument("--messages-only", action="store_true",
                        help="per file: check_source(fixes=False), as a caller that shows messages only")
    parser.add_argument("--paths", nargs="+", help="TREE: only these folders of it (default: all of it)")
    parser.add_argument("--repeat", type=int, default=3, help="runs each way; the least CPU counts (default 3)")
    args = parser.parse_args()
    if args.stdlib:
        sys.path.insert(0, str(HERE))
        from run_benchmarks import prepare_stdlib

        root, config_path, paths, _ = prepare_stdlib(Path(tempfile.mkdtemp(prefix="ssot-compare-")))
    elif args.tree:
        root = Path(args.tree).resolve()
        config_path, paths = root / "pyproject.toml", args.paths or ["."]
    else:
        parser.error("give a TREE or --stdlib")
    os.chdir(root)
    if args.every_file:
        from flake8_ssot.facts import partial

        partial.MIN_SIZE, partial.MIN_SKIPPED_SHARE = 0, 0
    status = compare_in_process(root, config_path, paths, args.repeat, not args.messages_only)
    if not args.no_cli:
        status = max(status, compare_cli(root, config_path, paths, args.repeat))
    return status


if __name__ == "__main__":
    sys.exit(main())
