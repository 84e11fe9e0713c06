#!/usr/bin/env python3
"""Time `ssot check` against ruff (TID251) and flake8 + flake8-tidy-imports on one tree.

    python benchmarks/run_benchmarks.py                       # 10M-line generated tree
    python benchmarks/run_benchmarks.py --lines 200000        # a small run
    python benchmarks/run_benchmarks.py --stdlib              # this Python's standard library
    python benchmarks/run_benchmarks.py --tree DIR            # any tree with [tool.ssot] at its root

In one run, on the same files and the same policy (see benchmarks/README.md):

* `ssot check`: cold (`--no-cache`), warm (cache filled, nothing changed), one file changed
  (run at once after the edit, and 2.5 s after it);
* `ruff check --select TID251` with the equivalent banned-api table: cold, warm, one file changed;
* flake8 + flake8-tidy-imports (`banned-modules`, our plugin left out) on a sample of the
  tree when it is large, scaled up to the whole tree by lines;
* flake8's default checks with our plugin left out vs. added (plugin overhead), and our
  plugin's own work on the largest file (the editor figure).

Wall time (median of `--repeat` runs), CPU time and peak memory of each; ratios against the
figures of PRODUCT.md; `results-LABEL.json` and `results-LABEL.md` in the output directory.
A tool that is not installed is skipped and the report says so.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_corpus  # noqa: E402
import policy as policies  # noqa: E402

REPO = HERE.parent
DEFAULT_OUT = HERE / "out"
DEFAULT_SAMPLE_LINES = 300_000
DEFAULT_TIMEOUT = 3600.0
FLAKE8_WRAPPER = HERE / "flake8_plugins.py"
OUR_DIST = "flake8-ssot"
TIDY_DIST = "flake8-tidy-imports"
DEFAULT_CODES = "E,F,W,C90"
# The "one file changed" run made this long after the edit too: past the caches' racy window (2 s).
SETTLE_S = 2.5

try:  # optional: whole-process-tree memory (flake8 -j forks workers)
    import psutil  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None


# --------------------------------------------------------------------------- measuring


class TreeSampler(threading.Thread):
    """Polls the summed RSS of a process and its descendants (needs psutil)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except Exception:
            return
        while not self.stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0
                for proc in procs:
                    try:
                        total += proc.memory_info().rss
                    except Exception:
                        pass
                self.peak = max(self.peak, total)
            except Exception:
                return
            self.stop.wait(self.interval)


def _gnu_time() -> str | None:
    path = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    if not path:
        return None
    try:
        done = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return path if "GNU" in done.stdout + done.stderr else None


GNU_TIME = _gnu_time()


def measure(cmd: list[str], cwd: str, stdout_path: Path, timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run once; wall time, CPU time and peak memory of the command and its children.

    Peak memory comes from the kernel, not from sampling: the largest resident set any one
    process of the command reached (`ru_maxrss` of the command and the descendants it
    waited for). A child of this Python process inherits this process's high-water mark
    when it execs (Linux records the old address space's peak at exec), so the command is
    started through GNU time (`/usr/bin/time -f %M`), whose own footprint is ~2 MB, when
    it is installed; without it `os.wait4`'s ru_maxrss is used and cannot go below this
    runner's own RSS (reported as `rss_floor_mb`). Wall and CPU time come from
    `time.perf_counter` and `os.wait4`. With psutil installed, the summed RSS of the whole
    process tree is also polled every 50 ms (flake8 runs several worker processes at once).
    """
    stderr_path = stdout_path.with_suffix(stdout_path.suffix + ".stderr")
    mem_path = stdout_path.with_suffix(stdout_path.suffix + ".maxrss")
    if GNU_TIME:
        cmd = [GNU_TIME, "-o", str(mem_path), "-f", "%M", *cmd]
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(
                cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                env=python_env(env), start_new_session=True,
            )
        except OSError as error:
            return {"error": f"cannot start {cmd[0]}: {error}"}
        sampler = TreeSampler(proc.pid) if psutil is not None else None
        if sampler:
            sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            if hasattr(os, "wait4"):
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
            else:  # pragma: no cover - Windows: no rusage
                proc.wait()
                usage = None
        finally:
            timer.cancel()
            if sampler:
                sampler.stop.set()
                sampler.join()
        wall = time.perf_counter() - started
    result: dict[str, Any] = {"wall_s": wall, "returncode": proc.returncode}
    if usage is not None:
        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
        result.update(cpu_s=usage.ru_utime + usage.ru_stime, peak_rss_mb=usage.ru_maxrss * scale / 1e6)
    if GNU_TIME:
        try:
            # the last line; "Command exited with non-zero status N" may come before it
            result["peak_rss_mb"] = int(mem_path.read_text().split()[-1]) * 1024 / 1e6
            result["peak_rss_source"] = "GNU time %M"
        except (OSError, ValueError, IndexError):
            pass
    if sampler and sampler.peak:
        result["peak_tree_rss_mb"] = sampler.peak / 1e6
    if timed_out.is_set():
        result["error"] = f"timed out after {timeout:.0f} s"
    return result


def _tail(path: Path, limit: int = 1500) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace").strip()


# --------------------------------------------------------------------------- finding the tools


def _which(name: str) -> str | None:
    beside = Path(sys.executable).parent / name
    if beside.exists() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def python_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every measured command: Python's bytecode cache on.

    An installed package has its `.pyc` files (pip compiles them at install time); an
    editable install or a `PYTHONDONTWRITEBYTECODE=1` environment would otherwise make every
    run of a Python tool recompile its modules (about 0.1 s for ssot). The cache goes to a
    directory of its own (`PYTHONPYCACHEPREFIX`), so no source tree gets `__pycache__`
    directories; `_quick` runs each tool once before anything is timed, which fills it.
    """
    result = dict(os.environ if env is None else env)
    result.pop("PYTHONDONTWRITEBYTECODE", None)
    result["PYTHONPYCACHEPREFIX"] = str(PYCACHE_PREFIX)
    return result


PYCACHE_PREFIX = Path(tempfile.gettempdir()) / "flake8-ssot-bench" / "pycache"


def _quick(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, str]:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=python_env(env), stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return -1, str(error)
    return done.returncode, (done.stdout + done.stderr).strip()


def find_tools(ssot_cmd: str | None) -> dict[str, dict[str, Any]]:
    tools: dict[str, dict[str, Any]] = {}

    # ssot: --ssot, then `ssot` beside this Python or on PATH, then `python -m flake8_ssot`
    env = None
    if ssot_cmd:
        cmd, how = shlex.split(ssot_cmd), "--ssot"
    elif _which("ssot"):
        cmd, how = [_which("ssot")], "executable"
    elif importlib.util.find_spec("flake8_ssot") is not None:
        cmd, how = [sys.executable, "-m", "flake8_ssot"], "python -m flake8_ssot"
    elif (REPO / "src" / "flake8_ssot" / "__main__.py").exists():
        cmd, how = [sys.executable, "-m", "flake8_ssot"], "python -m flake8_ssot (from src/, not installed)"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])))
    else:
        cmd, how = None, ""
    if cmd is None:
        tools["ssot"] = {"available": False, "reason": "`ssot` is not installed (pip install -e . in the repository)"}
    else:
        code, text = _quick([*cmd, "check", "--help"], env=env)
        if code != 0:
            tools["ssot"] = {"available": False, "cmd": cmd, "reason": f"`{' '.join(cmd)} check --help` failed: {text[-300:]}"}
        else:
            tools["ssot"] = {"available": True, "cmd": cmd, "how": how, "env": env, "version": _dist_version(OUR_DIST)}

    ruff = _which("ruff")
    if ruff:
        tools["ruff"] = {"available": True, "cmd": [ruff]}
    elif importlib.util.find_spec("ruff") is not None:
        tools["ruff"] = {"available": True, "cmd": [sys.executable, "-m", "ruff"]}
    else:
        tools["ruff"] = {"available": False, "reason": "ruff is not installed (pip install ruff)"}
    if tools["ruff"]["available"]:
        code, text = _quick([*tools["ruff"]["cmd"], "--version"])
        tools["ruff"]["version"] = text.split()[-1] if code == 0 and text else None

    if importlib.util.find_spec("flake8") is None:
        tools["flake8"] = {
            "available": False,
            "reason": f"flake8 is not importable by this Python ({sys.executable}); run the runner with the Python that has flake8",
        }
    else:
        tools["flake8"] = {"available": True, "cmd": [sys.executable, str(FLAKE8_WRAPPER)], "version": _dist_version("flake8")}
        code, text = _quick([*tools["flake8"]["cmd"], "--list"])
        plugins = {line.split()[0]: line.split()[1] for line in text.splitlines() if len(line.split()) >= 3} if code == 0 else {}
        tools["flake8"]["plugins"] = plugins
    flake8_ok = tools["flake8"]["available"]
    plugins = tools["flake8"].get("plugins", {})
    if not flake8_ok:
        tools["flake8-tidy-imports"] = {"available": False, "reason": "needs flake8"}
        tools["flake8-plugin"] = {"available": False, "reason": "needs flake8"}
    else:
        tools["flake8-tidy-imports"] = (
            {"available": True, "version": plugins[TIDY_DIST]} if TIDY_DIST in plugins
            else {"available": False, "reason": "flake8-tidy-imports is not installed (pip install flake8-tidy-imports)"}
        )
        tools["flake8-plugin"] = (
            {"available": True, "version": plugins[OUR_DIST]} if OUR_DIST in plugins
            else {"available": False, "reason": "the flake8-ssot plugin (entry point SSO) is not installed in this Python"}
        )
    return tools


# --------------------------------------------------------------------------- trees


def default_corpus_dir(lines: int, seed: int) -> Path:
    # outside any repository on purpose: .gitignore rules of an enclosing repository
    # (this one ignores benchmarks/out/) would hide the tree from ssot and ruff
    base = Path(tempfile.gettempdir()) / "flake8-ssot-bench"
    return base / f"corpus-L{lines}-s{seed}-v{generate_corpus.GENERATOR_VERSION}"


def prepare_corpus(tree: Path, lines: int, seed: int, regenerate: bool) -> dict:
    manifest_path = tree / generate_corpus.MANIFEST
    if manifest_path.exists() and not regenerate:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if (manifest.get("generator_version"), manifest.get("seed"), manifest.get("lines_requested")) == (
            generate_corpus.GENERATOR_VERSION, seed, max(lines, generate_corpus.MIN_LINES)
        ):
            print(f"reusing the generated tree {tree}", file=sys.stderr)
            return manifest
    print(f"generating {lines:,} lines into {tree} ...", file=sys.stderr)
    manifest = generate_corpus.generate(tree, lines, seed, force=True)
    print(f"  {manifest['files']:,} files, {manifest['lines']:,} lines in {manifest['seconds']} s", file=sys.stderr)
    return manifest


def prepare_stdlib(workdir: Path) -> tuple[Path, Path, list[str], str]:
    """Copy this Python's stdlib (no site-packages) next to a pyproject.toml with the policy."""
    source = Path(sysconfig.get_paths()["stdlib"])
    target = workdir / "stdlib"
    skip = {"site-packages", "dist-packages", "__pycache__"}
    for directory, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("."))
        rel = Path(directory).relative_to(source)
        for name in files:
            if name.endswith(".py"):
                (target / rel).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(directory) / name, target / rel / name)
    config = workdir / "pyproject.toml"
    config.write_text(
        policies.ssot_pyproject(
            policies.stdlib_policy("stdlib"),
            header=f"Generated by benchmarks/run_benchmarks.py --stdlib: real deprecations, checked on a copy of\n{source}",
        ),
        encoding="utf-8",
    )
    return workdir, config, ["stdlib"], str(source)


def python_files(root: Path, paths: list[str]) -> list[str]:
    """Relative paths of the .py files ssot and ruff will see (hidden directories skipped)."""
    found = []
    for top in paths:
        start = root / top
        if start.is_file():
            found.append(top)
            continue
        for directory, dirs, files in os.walk(start):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    found.append(os.path.relpath(os.path.join(directory, name), root))
    return sorted(found)


def count_lines(root: Path, files: list[str]) -> tuple[dict[str, int], int]:
    """Lines per file and total bytes; reading every file also warms the OS page cache, so no
    tool pays for the first read of the tree."""
    lines: dict[str, int] = {}
    total_bytes = 0
    for rel in files:
        data = (root / rel).read_bytes()
        total_bytes += len(data)
        lines[rel] = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return lines, total_bytes


def module_names(files: list[str], src: str = "") -> list[str]:
    names = []
    for rel in files:
        rel = rel[len(src) + 1:] if src and rel.startswith(src + "/") else rel
        parts = rel[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            names.append(".".join(parts))
    return names


# --------------------------------------------------------------------------- reading outputs


def ssot_findings(path: Path) -> dict[str, int] | None:
    """Counts per code from `ssot check --output-format json` (a list like ruff's)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if text.strip() else []
    except (OSError, ValueError):
        return None
    if isinstance(data, dict):
        for key in ("diagnostics", "violations", "results", "messages"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        return None
    return dict(sorted(Counter(str(item.get("code")) for item in data if isinstance(item, dict)).items()))


def ruff_findings(path: Path) -> dict[str, int] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "[]")
    except (OSError, ValueError):
        return None
    return dict(sorted(Counter(str(item.get("code") or "syntax-error") for item in data).items()))


def flake8_findings(path: Path) -> dict[str, int] | None:
    counts: Counter = Counter()
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                # path:row:col: CODE message
                parts = line.split(": ", 1)
                if len(parts) == 2 and parts[1]:
                    counts[parts[1].split(" ", 1)[0]] += 1
    except OSError:
        return None
    return dict(sorted(counts.items()))


def _prefixes(counts: dict[str, int] | None) -> dict[str, int] | None:
    if counts is None:
        return None
    out: Counter = Counter()
    for code, n in counts.items():
        out[code if code.startswith(("SSO", "I25", "TID")) else code[:1] + "*"] += n
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.runs: dict[str, dict[str, Any]] = {}
        self.notes: list[str] = []
        self.skipped: dict[str, str] = {}

    def log(self, message: str) -> None:
        if not self.args.quiet:
            print(message, file=sys.stderr, flush=True)

    def timed(self, name: str, tool: str, cmd: list[str], repeat: int, parse=None, env=None, before=None, cwd=None) -> dict[str, Any]:
        """Run `cmd` `repeat` times; keep every wall time and the median as the figure."""
        record: dict[str, Any] = {"tool": tool, "cmd": self.show(cmd), "runs": []}
        for index in range(repeat):
            if not self._run_once(name, record, cmd, index, parse, env, before, cwd):
                break
        return self._finish(name, record)

    def interleaved(self, specs: list[tuple[str, str, list[str], Any]], repeat: int) -> list[dict[str, Any]]:
        """Measurements compared with each other, taken in turns (A B C, A B C, ...): a change
        of load on a shared machine then hits all of them alike, not whichever ran last."""
        records = [{"tool": tool, "cmd": self.show(cmd), "runs": []} for _, tool, cmd, _ in specs]
        for index in range(repeat):
            for (name, _, cmd, parse), record in zip(specs, records):
                if "error" not in record:
                    self._run_once(name, record, cmd, index, parse, None, None, None)
        return [self._finish(name, record) for (name, _, _, _), record in zip(specs, records)]

    def _run_once(self, name, record, cmd, index, parse, env, before, cwd) -> bool:
        if before:
            before(index)
        out = self.raw / f"{name}.{index}.out"
        result = measure(cmd, cwd or str(self.root), out, self.args.timeout, env=env)
        record["runs"].append(result)
        ok_codes = record.get("ok_codes", (0, 1))
        if "error" in result or result.get("returncode") not in ok_codes:
            record["error"] = result.get("error") or f"exit code {result.get('returncode')}: {_tail(out.with_suffix(out.suffix + '.stderr'), 600)}"
            self.log(f"  {name}: FAILED ({record['error'][:300]})")
            return False
        if parse and index == 0:
            record["findings"] = parse(out)
        return True

    def _finish(self, name: str, record: dict[str, Any]) -> dict[str, Any]:
        walls = [r["wall_s"] for r in record["runs"] if "wall_s" in r]
        if walls and "error" not in record:
            record["wall_s"] = statistics.median(walls)
            record["cpu_s"] = statistics.median(r.get("cpu_s", 0.0) for r in record["runs"])
            record["peak_rss_mb"] = max(r.get("peak_rss_mb", 0.0) for r in record["runs"])
            # 50 ms polls say little about a run of a fraction of a second
            trees = [r["peak_tree_rss_mb"] for r in record["runs"] if "peak_tree_rss_mb" in r and r["wall_s"] >= 0.5]
            if trees:
                record["peak_tree_rss_mb"] = max(trees)
            self.log(f"  {name}: {record['wall_s']:.2f} s (runs: {', '.join(f'{w:.2f}' for w in walls)}), peak {record['peak_rss_mb']:.0f} MB")
        self.runs[name] = record
        return record

    def show(self, cmd: list[str]) -> str:
        text = " ".join(shlex.quote(part) for part in cmd)
        text = text.replace(str(self.raw), "$OUT/raw").replace(str(self.work), "$OUT/work")
        return text if len(text) < 400 else text[:400] + f" ... ({len(cmd)} arguments)"

    # ---------------------------------------------------------------- main flow

    def run(self) -> dict[str, Any]:
        args = self.args
        started = time.perf_counter()
        self.load_at_start = _load_average()
        self.tmp = None
        if args.stdlib:
            self.tmp = Path(tempfile.mkdtemp(prefix="ssot-stdlib-"))
            self.log(f"copying the standard library into {self.tmp} ...")
            self.root, self.config, self.paths, stdlib_source = prepare_stdlib(self.tmp)
            self.label = "stdlib"
            self.manifest = None
            tree_info: dict[str, Any] = {"kind": "stdlib", "source": stdlib_source, "copy": str(self.root / "stdlib")}
            src_prefix = "stdlib"
        else:
            if args.tree:
                tree = Path(args.tree)
                if not policies.load_ssot_table(tree / "pyproject.toml") if (tree / "pyproject.toml").exists() else True:
                    raise SystemExit(f"run_benchmarks: {tree} has no pyproject.toml with [tool.ssot]")
                manifest_path = tree / generate_corpus.MANIFEST
                self.manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else None
                self.label = f"tree-{tree.resolve().name}"
            else:
                tree = default_corpus_dir(args.lines, args.seed)
                self.manifest = prepare_corpus(tree, args.lines, args.seed, args.regenerate)
                self.label = f"corpus-{self.manifest['lines_requested']}"
            self.root = tree.resolve()
            self.config = self.root / "pyproject.toml"
            self.paths = ["."]
            tree_info = {"kind": "generated" if self.manifest else "given", "root": str(self.root)}
            if self.manifest:
                tree_info.update({k: self.manifest[k] for k in ("seed", "lines_requested", "generator_version", "longest_file")})
            src_prefix = ""
        self.out = Path(args.out).resolve()
        self.raw = self.out / self.label / "raw"
        self.work = self.out / self.label / "work"
        for d in (self.raw, self.work):
            if d.exists():
                shutil.rmtree(d)
            d.mkdir(parents=True)
        self.check_not_ignored()

        self.files = python_files(self.root, self.paths)
        self.log(f"reading {len(self.files):,} files (this also warms the OS page cache) ...")
        self.lines_of, total_bytes = count_lines(self.root, self.files)
        self.total_lines = sum(self.lines_of.values())
        tree_info.update(files=len(self.files), lines=self.total_lines, bytes=total_bytes, config=str(self.config))
        self.log(f"  {len(self.files):,} files, {self.total_lines:,} lines, {total_bytes / 1e6:.1f} MB")
        self.policy = policies.load_ssot_table(self.config)
        self.tools = find_tools(args.ssot)
        for name, info in self.tools.items():
            if not info["available"]:
                self.log(f"skipping {name}: {info['reason']}")
        self.touch_file = self.pick_touch_file()
        self.original_touch = (self.root / self.touch_file).read_bytes()
        self.sample = self.pick_sample()
        only = set(args.only.split(",")) if args.only else {"ssot", "ruff", "flake8", "plugin", "editor"}

        try:
            if "ssot" in only:
                self.bench_ssot()
            if "ruff" in only:
                self.bench_ruff(src_prefix)
            if "flake8" in only:
                self.bench_flake8_tidy()
            if "plugin" in only:
                self.bench_plugin()
            if "editor" in only:
                self.bench_editor()
        finally:
            (self.root / self.touch_file).write_bytes(self.original_touch)
            if self.tmp and not args.keep_tree:
                shutil.rmtree(self.tmp, ignore_errors=True)

        report = {
            "schema": 1,
            "label": self.label,
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
            "machine": {**machine(), "load_average_at_start": self.load_at_start,
                        "load_average_at_end": _load_average()},
            "tree": tree_info,
            "settings": {
                "repeat": args.repeat,
                "flake8_sample_lines": args.sample_lines,
                "touch_file": self.touch_file,
                "memory": "peak_rss_mb: ru_maxrss of the command (largest single process, from os.wait4);"
                + (" peak_tree_rss_mb: summed RSS of the process tree polled every 50 ms (psutil)" if psutil else " psutil not installed: no process-tree sum"),
            },
            "tools": {k: {kk: vv for kk, vv in v.items() if kk != "env"} for k, v in self.tools.items()},
            "skipped": self.skipped,
            "runs": self.runs,
            "ratios": self.ratios(),
            "findings": self.findings(),
            "notes": self.notes,
        }
        return report

    def check_not_ignored(self) -> None:
        code, _ = _quick(["git", "-C", str(self.root), "check-ignore", "-q", str(self.root)])
        if code == 0:
            self.notes.append(
                f"WARNING: {self.root} is git-ignored by an enclosing repository; ssot and ruff honour .gitignore and may skip it"
            )
            self.log(self.notes[-1])

    def pick_touch_file(self) -> str:
        if self.manifest and self.manifest.get("touch_file") in self.lines_of:
            return self.manifest["touch_file"]
        # a typical module: the median-sized file among those of 100-400 lines
        typical = sorted((n, f) for f, n in self.lines_of.items() if 100 <= n <= 400) or sorted((n, f) for f, n in self.lines_of.items())
        return typical[len(typical) // 2][1]

    def pick_sample(self) -> list[str]:
        if self.total_lines <= self.args.sample_lines:
            return list(self.files)
        rng = random.Random(self.args.seed)
        order = list(self.files)
        rng.shuffle(order)
        sample, lines = [], 0
        for rel in order:
            sample.append(rel)
            lines += self.lines_of[rel]
            if lines >= self.args.sample_lines:
                break
        return sorted(sample)

    def touch(self, index: int) -> None:
        """Change one file's content (a comment at the end): a real edit, findings unchanged."""
        data = self.original_touch
        if not data.endswith(b"\n"):
            data += b"\n"
        (self.root / self.touch_file).write_bytes(data + f"# benchmark edit {index} at {time.time_ns()}\n".encode())

    def touch_settled(self, index: int) -> None:
        """The edit, then a pause longer than the caches' racy window (2 s): a run made a few
        seconds after saving a file, as a user or a pre-commit hook makes it. A run made at once
        after the edit (`touch`) can trust no stat of that file and saves its state differently
        (checking/runstate.py), so both are measured."""
        self.touch(index)
        time.sleep(SETTLE_S)

    def skip(self, name: str, reason: str) -> None:
        self.skipped[name] = reason
        self.log(f"skipping {name}: {reason}")

    # ---------------------------------------------------------------- ssot

    def bench_ssot(self) -> None:
        tool = self.tools["ssot"]
        if not tool["available"]:
            self.skip("ssot", tool["reason"])
            return
        self.log("ssot check ...")
        base = [*tool["cmd"], "check", *self.paths, "--output-format", "json", "--config", str(self.config), "--exit-zero"]
        env = tool.get("env")
        repeat = self.args.repeat
        cold = self.timed("ssot_cold", "ssot", [*base, "--no-cache"], repeat, ssot_findings, env=env)
        if "error" in cold:
            return
        cache = self.work / "ssot-cache"
        self.timed("ssot_cache_fill", "ssot", [*base, "--cache-dir", str(cache)], 1, ssot_findings, env=env)
        self.timed("ssot_warm", "ssot", [*base, "--cache-dir", str(cache)], repeat, ssot_findings, env=env)
        self.timed("ssot_one_file_changed", "ssot", [*base, "--cache-dir", str(cache)], repeat, ssot_findings, env=env, before=self.touch)
        self.timed("ssot_one_file_changed_settled", "ssot", [*base, "--cache-dir", str(cache)], repeat, ssot_findings,
                   env=env, before=self.touch_settled)
        (self.root / self.touch_file).write_bytes(self.original_touch)

    # ---------------------------------------------------------------- ruff

    def bench_ruff(self, src_prefix: str) -> None:
        tool = self.tools["ruff"]
        if not tool["available"]:
            self.skip("ruff", tool["reason"])
            return
        table, notes = policies.ruff_banned_api(self.policy, module_names(self.files, src_prefix))
        self.notes.extend(notes)
        config = self.work / "ruff" / "pyproject.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(policies.ruff_pyproject(table), encoding="utf-8")
        shutil.copyfile(config, self.raw / "ruff-pyproject.toml")
        self.log(f"ruff check --select TID251 ({len(table)} banned-api entries) ...")
        base = [*tool["cmd"], "check", *self.paths, "--config", str(config), "--select", "TID251", "--exit-zero", "--output-format", "json"]
        repeat = self.args.repeat
        cold = self.timed("ruff_cold", "ruff", [*base, "--no-cache"], repeat, ruff_findings)
        if "error" in cold:
            return
        cache = self.work / "ruff-cache"
        self.timed("ruff_cache_fill", "ruff", [*base, "--cache-dir", str(cache)], 1, ruff_findings)
        self.timed("ruff_warm", "ruff", [*base, "--cache-dir", str(cache)], repeat, ruff_findings)
        self.timed("ruff_one_file_changed", "ruff", [*base, "--cache-dir", str(cache)], repeat, ruff_findings, before=self.touch)
        self.timed("ruff_one_file_changed_settled", "ruff", [*base, "--cache-dir", str(cache)], repeat, ruff_findings,
                   before=self.touch_settled)
        (self.root / self.touch_file).write_bytes(self.original_touch)

    # ---------------------------------------------------------------- flake8

    def sample_info(self) -> dict[str, Any]:
        lines = sum(self.lines_of[f] for f in self.sample)
        return {"files": len(self.sample), "lines": lines, "whole_tree": len(self.sample) == len(self.files)}

    def bench_flake8_tidy(self) -> None:
        if not self.tools["flake8"]["available"]:
            self.skip("flake8 + flake8-tidy-imports", self.tools["flake8"]["reason"])
            return
        if not self.tools["flake8-tidy-imports"]["available"]:
            self.skip("flake8 + flake8-tidy-imports", self.tools["flake8-tidy-imports"]["reason"])
            return
        banned, notes = policies.flake8_banned_modules(self.policy)
        self.notes.extend(notes)
        config = self.work / "flake8-tidy.cfg"
        config.write_text(policies.flake8_config(banned, {"select": "I251"}), encoding="utf-8")
        shutil.copyfile(config, self.raw / "flake8-tidy.cfg")
        info = self.sample_info()
        self.log(f"flake8 + flake8-tidy-imports on {info['files']:,} files, {info['lines']:,} lines ...")
        cmd = [*self.tools["flake8"]["cmd"], f"--without={OUR_DIST}", "--", "--config", str(config), "--select", "I251", *self.sample]
        record = self.timed("flake8_tidy_sample", "flake8 + flake8-tidy-imports", cmd, self.args.flake8_repeat, flake8_findings)
        record["sample"] = info
        if "wall_s" in record:
            factor = self.total_lines / info["lines"] if info["lines"] else 1.0
            self.runs["flake8_tidy_whole_tree_estimate"] = {
                "tool": "flake8 + flake8-tidy-imports",
                "wall_s": record["wall_s"] * factor,
                "cpu_s": record.get("cpu_s", 0.0) * factor,
                "scaled_from": "flake8_tidy_sample",
                "scale_factor": factor,
                "note": "sample time x (tree lines / sample lines); memory is the sample's" if factor != 1.0 else "the sample is the whole tree",
                "peak_rss_mb": record.get("peak_rss_mb"),
                **({"peak_tree_rss_mb": record["peak_tree_rss_mb"]} if "peak_tree_rss_mb" in record else {}),
            }
        # ssot on exactly the same files, for a ratio with no extrapolation
        if self.tools["ssot"]["available"] and not info["whole_tree"]:
            tool = self.tools["ssot"]
            self.timed(
                "ssot_cold_sample", "ssot",
                [*tool["cmd"], "check", *self.sample, "--output-format", "json", "--config", str(self.config), "--exit-zero", "--no-cache"],
                self.args.flake8_repeat, ssot_findings, env=tool.get("env"),
            )["sample"] = info

    def bench_plugin(self) -> None:
        if not self.tools["flake8"]["available"]:
            self.skip("flake8 plugin overhead", self.tools["flake8"]["reason"])
            return
        if not self.tools["flake8-plugin"]["available"]:
            self.skip("flake8 plugin overhead", self.tools["flake8-plugin"]["reason"])
            return
        config = self.work / "flake8-default.cfg"
        config.write_text(policies.flake8_config(None, {"ssot-config": str(self.config)}), encoding="utf-8")
        info = self.sample_info()
        self.log(f"flake8 default checks without / with the SSO plugin on {info['files']:,} files ...")
        wrapper = self.tools["flake8"]["cmd"]
        repeat = self.args.flake8_repeat
        common = ["--config", str(config)]
        findings = lambda p: _prefixes(flake8_findings(p))  # noqa: E731
        records = self.interleaved([
            ("flake8_default_without_plugin", "flake8",
             [*wrapper, f"--without={OUR_DIST},{TIDY_DIST}", "--", *common, "--select", DEFAULT_CODES, *self.sample],
             findings),
            # the control: what flake8 charges for one more AST plugin that does nothing
            ("flake8_default_with_control_plugin", "flake8 + a do-nothing AST plugin (control)",
             [*wrapper, f"--without={OUR_DIST},{TIDY_DIST}", "--control", "--", *common, "--select", DEFAULT_CODES,
              *self.sample],
             findings),
            ("flake8_default_with_plugin", "flake8 + flake8-ssot",
             [*wrapper, f"--without={TIDY_DIST}", "--", *common, "--select", f"{DEFAULT_CODES},SSO", *self.sample],
             findings),
            ("flake8_plugin_only", "flake8 --select SSO (only our plugin loaded)",
             [*wrapper, f"--only={OUR_DIST}", "--", *common, "--select", "SSO", *self.sample],
             findings),
        ], repeat)
        # With the cache directory of an `ssot check` run in the tree, the plugin consults the
        # project index (docs/index.md): more work per finding, so say which was measured.
        index = (self.root / ".ssot_cache").is_dir()
        for record in records:
            record["sample"] = info
            record["project_index"] = index
        self.bench_plugin_own_work(info)

    def bench_plugin_own_work(self, info: dict[str, Any]) -> None:
        """The plugin's own CPU time on the flake8 sample, measured inside the processes: as
        flake8 runs it, in one forked worker per core (flake8's default `--jobs`), each
        parsing its files with `ast.parse` (flake8's work, not timed) and timing
        `SsotChecker(tree, path, lines).run()`; the import and `parse_options` (which opens
        the project index when flake8 will fork its workers) are paid once, before the fork,
        as in flake8. What a worker pays once (the project index's first answers) is thus
        counted once per worker, as flake8 pays it. The with/without difference of whole
        flake8 runs is a few percent of a minute-long run, well inside the noise of a shared
        machine; this is not."""
        script = (
            "import argparse, ast, json, multiprocessing, os, sys, time\n"
            "from flake8.main.options import JobsArgument\n"
            "started = time.process_time()\n"
            "from flake8_ssot.flake8_plugin import SsotChecker\n"
            "SsotChecker.parse_options(argparse.Namespace(ssot_config=sys.argv[1], jobs=JobsArgument('auto'), filenames=sys.argv[2:]))\n"
            "setup = time.process_time() - started\n"
            "def check(path):\n"
            "    with open(path, encoding='utf-8', errors='surrogateescape') as h: lines = h.readlines()\n"
            "    try:\n        tree = ast.parse(''.join(lines))\n    except (SyntaxError, ValueError):\n        return 0.0, 0, os.getpid()\n"
            "    t = time.process_time(); n = len(list(SsotChecker(tree, path, lines).run()))\n"
            "    return time.process_time() - t, n, os.getpid()\n"
            "jobs = os.cpu_count() or 1\n"
            "with multiprocessing.get_context('fork').Pool(jobs) as pool:\n"
            "    results = list(pool.imap_unordered(check, sys.argv[2:]))\n"
            "print(json.dumps({'own_s': sum(r[0] for r in results), 'setup_s': setup,\n"
            "                  'findings': sum(r[1] for r in results), 'processes': len({r[2] for r in results})}))\n"
        )
        out = self.raw / "plugin_own_work.out"
        result = measure([sys.executable, "-c", script, str(self.config), *self.sample], str(self.root), out, self.args.timeout)
        record: dict[str, Any] = {"tool": "flake8-ssot plugin (in its worker processes, CPU)", "sample": info}
        try:
            data = json.loads(out.read_text().strip().splitlines()[-1])
            record.update(cpu_s=data["own_s"] + data["setup_s"], own_s=data["own_s"], setup_s=data["setup_s"],
                          findings_total=data["findings"], processes=data["processes"])
            self.log(f"  plugin's own work on the sample: {data['own_s']:.2f} s CPU in {data['processes']} worker processes"
                     f" (+ {data['setup_s']:.2f} s import, configuration and, before the fork, the project index)")
        except (OSError, ValueError, IndexError, KeyError):
            record["error"] = f"exit code {result.get('returncode')}: {_tail(out.with_suffix('.out.stderr'), 600)}"
        self.runs["flake8_plugin_own_work"] = record

    def bench_editor(self) -> None:
        """The plugin's own work on the largest file: what an editor waits for after flake8 parsed."""
        if not self.tools["flake8-plugin"]["available"]:
            self.skip("editor (plugin's own work on one file)", self.tools["flake8-plugin"].get("reason", "plugin unavailable"))
            return
        largest = max(self.files, key=lambda f: self.lines_of[f])
        script = (
            "import ast, json, statistics, sys, time\n"
            "from flake8_ssot.flake8_plugin import SsotChecker\n"
            "path, config = sys.argv[1], sys.argv[2]\n"
            "SsotChecker.config_file = config\n"
            "with open(path, encoding='utf-8', errors='surrogateescape') as h: lines = h.readlines()\n"
            "try:\n    tree = ast.parse(''.join(lines))\nexcept SyntaxError:\n    tree = ast.Module(body=[], type_ignores=[])\n"
            "times = []\n"
            "for i in range(7):\n"
            "    t = time.perf_counter(); n = len(list(SsotChecker(tree, path, lines).run())); times.append(time.perf_counter() - t)\n"
            "print(json.dumps({'first_s': times[0], 'median_s': statistics.median(times[1:]), 'findings': n}))\n"
        )
        out = self.raw / "editor.out"
        result = measure([sys.executable, "-c", script, str(self.root / largest), str(self.config)], str(self.root), out, 300)
        record: dict[str, Any] = {"tool": "flake8-ssot plugin (in-process)", "file": largest, "file_lines": self.lines_of[largest]}
        try:
            data = json.loads(out.read_text().strip().splitlines()[-1])
            record.update(wall_s=data["median_s"], first_call_s=data["first_s"], findings_total=data["findings"])
            self.log(f"  editor: {largest} ({self.lines_of[largest]:,} lines): {data['median_s'] * 1000:.1f} ms (first call {data['first_s'] * 1000:.1f} ms)")
        except (OSError, ValueError, IndexError, KeyError):
            record["error"] = f"exit code {result.get('returncode')}: {_tail(out.with_suffix('.out.stderr'), 600)}"
        self.runs["editor_plugin_largest_file"] = record

    # ---------------------------------------------------------------- results

    def wall(self, name: str) -> float | None:
        run = self.runs.get(name)
        return run.get("wall_s") if run and "error" not in run else None

    def cpu(self, name: str) -> float | None:
        run = self.runs.get(name)
        return run.get("cpu_s") if run and "error" not in run else None

    def ratios(self) -> list[dict[str, Any]]:
        out = []

        def ratio(name: str, num: str, den: str, target: str, ok) -> None:
            a, b = self.wall(num), self.wall(den)
            value = a / b if a is not None and b else None
            met = None if value is None else "info" if ok is None else bool(ok(value))
            out.append({"ratio": name, "value": value, "target": target, "met": met})

        # the figures of issue #16, on the recalibrated corpus
        ratio("ssot cold / ruff cold", "ssot_cold", "ruff_cold", "<= 0.5", lambda v: v <= 0.5)
        ratio("ssot warm / ruff warm", "ssot_warm", "ruff_warm", "<= 0.2", lambda v: v <= 0.2)
        ratio("ssot one file changed / ruff one file changed", "ssot_one_file_changed", "ruff_one_file_changed", "(information)", None)
        ratio("ssot one file changed / ruff, 2.5 s after the edit", "ssot_one_file_changed_settled",
              "ruff_one_file_changed_settled", "(information)", None)
        ratio("flake8+tidy (whole tree, scaled) / ssot cold", "flake8_tidy_whole_tree_estimate", "ssot_cold", ">= 50", lambda v: v >= 50)
        ratio("flake8+tidy / ssot, same sample (no scaling)", "flake8_tidy_sample", "ssot_cold_sample", "(information)", None)
        # CPU time (user + system, all processes): steadier than wall time on a busy machine
        def cpu_ratio(name: str, num: str, den: str) -> None:
            a, b = self.cpu(num), self.cpu(den)
            value = a / b if a is not None and b else None
            out.append({"ratio": name, "value": value, "target": "(information)", "met": None if value is None else "info"})

        cpu_ratio("CPU time: ssot cold / ruff cold", "ssot_cold", "ruff_cold")
        cpu_ratio("CPU time: flake8+tidy (whole tree, scaled) / ssot cold", "flake8_tidy_whole_tree_estimate", "ssot_cold")
        cpu_ratio("CPU time: flake8 with plugin / without", "flake8_default_with_plugin", "flake8_default_without_plugin")
        cpu_ratio("CPU time: flake8 with a do-nothing plugin (control) / without", "flake8_default_with_control_plugin",
                  "flake8_default_without_plugin")
        cpu_ratio("CPU time: flake8 with plugin / with the control", "flake8_default_with_plugin",
                  "flake8_default_with_control_plugin")
        base, with_plugin = self.wall("flake8_default_without_plugin"), self.wall("flake8_default_with_plugin")
        overhead = (with_plugin / base - 1.0) * 100 if base and with_plugin is not None else None
        out.append({"ratio": "flake8 plugin overhead, % of flake8's own time", "value": overhead, "target": "< 5 %", "met": None if overhead is None else overhead < 5})
        own, flake8_cpu = self.runs.get("flake8_plugin_own_work", {}).get("cpu_s"), self.cpu("flake8_default_without_plugin")
        share = own / flake8_cpu * 100 if own is not None and flake8_cpu else None
        out.append({"ratio": "plugin's own CPU (in process) / flake8's CPU, %", "value": share, "target": "< 5 %", "met": None if share is None else share < 5})
        one = self.wall("ssot_one_file_changed")
        out.append({"ratio": "ssot one file changed (run at once after the edit), seconds", "value": one, "target": "< 0.3 s", "met": None if one is None else one < 0.3})
        one = self.wall("ssot_one_file_changed_settled")
        out.append({"ratio": "ssot one file changed (run 2.5 s after the edit), seconds", "value": one, "target": "< 0.3 s",
                    "met": None if one is None else one < 0.3})
        editor = self.runs.get("editor_plugin_largest_file", {})
        ms = editor.get("wall_s") * 1000 if editor.get("wall_s") is not None else None
        out.append({"ratio": f"plugin's own work on the largest file ({editor.get('file_lines', '?')} lines), ms", "value": ms, "target": "< 50 ms for 5,000 lines", "met": None if ms is None else ms < 50 * max(1.0, editor.get("file_lines", 5000) / 5000)})
        peaks = [
            max(self.runs[n].get("peak_tree_rss_mb", 0.0), self.runs[n].get("peak_rss_mb", 0.0))
            for n in ("ssot_cold", "ssot_warm") if n in self.runs and "error" not in self.runs[n]
        ]
        peak = max(peaks) if peaks else None
        out.append({"ratio": "ssot peak memory, MB", "value": peak, "target": "< 300 MB (10M-line tree)", "met": None if peak is None else peak < 300})
        return out

    def findings(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.manifest:
            planted = self.manifest["planted"]
            out["planted_by_code"] = self.manifest["expected_by_code"]
            out["planted_in_unbroken_files_by_code"] = dict(sorted(Counter(p["code"] for p in planted if not p["broken_file"]).items()))
            out["syntax_broken_files"] = len(self.manifest["broken_files"])
        for name, key in (("ssot_cold", "ssot"), ("ruff_cold", "ruff TID251"), ("flake8_tidy_sample", "flake8-tidy-imports (sample)")):
            run = self.runs.get(name)
            if run and run.get("findings") is not None:
                out[key] = run["findings"]
        return out


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        with open("/proc/meminfo") as handle:
            info["memory_gb"] = round(int(handle.readline().split()[1]) / 1e6, 1)
    except (OSError, ValueError, IndexError):
        pass
    return info


def _load_average() -> list[float] | None:
    """1, 5 and 15-minute load averages: how busy the (shared) machine was."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except (OSError, AttributeError):
        return None


# --------------------------------------------------------------------------- reports


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def markdown(report: dict[str, Any]) -> str:
    tree = report["tree"]
    out = [
        f"# flake8-ssot benchmark: {report['label']}",
        "",
        f"{report['date']}, {report['machine'].get('cpus')} CPUs, {report['machine'].get('memory_gb', '?')} GB, "
        f"Python {report['machine']['python']}, {report['machine']['platform']}; load average "
        f"{report['machine'].get('load_average_at_start')} at start, {report['machine'].get('load_average_at_end')} at the end.",
        f"Tree: {tree['kind']}, {tree['files']:,} files, {tree['lines']:,} lines, {tree['bytes'] / 1e6:,.1f} MB"
        + (f" (seed {tree['seed']})" if "seed" in tree else "") + ".",
        f"Wall time is the median of {report['settings']['repeat']} runs (flake8: see the runs column); "
        "peak RSS is the largest single process (ru_maxrss); tree RSS sums the process tree (psutil, 50 ms polls).",
        "",
        "| measurement | tool | wall s | CPU s | peak RSS MB | tree RSS MB | runs | findings |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for name, run in report["runs"].items():
        walls = ", ".join(f"{r['wall_s']:.2f}" for r in run.get("runs", []) if "wall_s" in r)
        if "error" in run:
            findings = "FAILED: " + run["error"].replace("\n", " ").replace("|", "\\|")[:200]
        else:
            found = run.get("findings")
            findings = ", ".join(f"{k} {v}" for k, v in found.items()) if found else ""
            if "sample" in run:
                findings = (findings + "; " if findings else "") + f"sample: {run['sample']['files']:,} files, {run['sample']['lines']:,} lines"
            if run.get("project_index"):
                findings += "; with the project index (an ssot cache directory in the tree)"
            if "note" in run:
                findings = (findings + "; " if findings else "") + run["note"]
            if "file" in run:
                findings = f"{run['file']} ({run['file_lines']:,} lines), first call {run.get('first_call_s', 0) * 1000:.1f} ms"
        out.append(
            f"| {name} | {run.get('tool', '')} | {_fmt(run.get('wall_s'), 3)} | {_fmt(run.get('cpu_s'))} | "
            f"{_fmt(run.get('peak_rss_mb'), 0)} | {_fmt(run.get('peak_tree_rss_mb'), 0)} | {walls} | {findings} |"
        )
    out += ["", "| ratio | value | target | met |", "|---|---:|---|---|"]
    for ratio in report["ratios"]:
        met = {True: "yes", False: "**no**", None: "not measured", "info": "—"}[ratio["met"]]
        out.append(f"| {ratio['ratio']} | {_fmt(ratio['value'])} | {ratio['target']} | {met} |")
    if report["skipped"]:
        out += ["", "Skipped:", ""]
        out += [f"- {name}: {reason}" for name, reason in report["skipped"].items()]
    findings = report.get("findings") or {}
    if findings:
        out += ["", "Findings per code (planted = what the generator put in; broken files need the error-tolerant parser):", ""]
        for key, value in findings.items():
            out.append(f"- {key}: {value if not isinstance(value, dict) else ', '.join(f'{k} {v}' for k, v in value.items())}")
    if report["notes"]:
        out += ["", "Notes:", ""] + [f"- {note}" for note in report["notes"]]
    tools = report["tools"]
    out += ["", "Versions: " + ", ".join(
        f"{name} {info.get('version') or ''}".strip() for name, info in tools.items() if info.get("available")
    ) + "."]
    return "\n".join(out) + "\n"


def summary(report: dict[str, Any]) -> str:
    lines = [f"benchmark {report['label']}: {report['tree']['files']:,} files, {report['tree']['lines']:,} lines ({report['seconds']} s)"]
    for ratio in report["ratios"]:
        met = {True: "ok", False: "MISSED", None: "not measured", "info": ""}[ratio["met"]]
        lines.append(f"  {ratio['ratio']:<62} {_fmt(ratio['value']):>10}   target {ratio['target']:<26} {met}")
    for name, reason in report["skipped"].items():
        lines.append(f"  skipped {name}: {reason}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- where the time goes

_IDENTIFIER = re.compile(rb"[A-Za-z0-9_]")


def profile_phases(tree: Path) -> dict[str, Any]:
    """`ssot check`'s per-file work on one core, phase by phase, in this process (CPU seconds,
    garbage collection off as in the workers), and measured estimates for a faster path:
    a stricter prefilter (`_used`), parsing only the pieces that hold a policy word, and
    recovering broken files only in those pieces. Calls the engine's own pieces; changes nothing."""
    import ast
    import gc
    import warnings

    from flake8_ssot.config import load_config
    from flake8_ssot.engine import _describe, check_facts, file_module, interest
    from flake8_ssot.facts import collect_facts
    from flake8_ssot.facts.recovery import recover_facts

    clock = time.process_time
    config = load_config(str(tree / "pyproject.toml"))
    prefilter, wanted = config.prefilter, interest(config)
    words = [w.encode("ascii") for w in prefilter.words]
    fragments = [f.encode("ascii") for f in prefilter.fragments]
    homes = {key.rpartition(".")[2]: key.rpartition(".")[0] for key, _ in config.canonical.items()}
    factories = {key.rpartition(".")[2] for key, _ in config.factories.items()}
    planted: set[str] | None = None
    if (tree / generate_corpus.MANIFEST).exists():
        planted = {hit["file"] for hit in json.loads((tree / generate_corpus.MANIFEST).read_text(encoding="utf-8"))["planted"]}
    phases: dict[str, float] = {}
    enabled = gc.isenabled()
    gc.disable()
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        paths = [Path(p).as_posix() for p in python_files(tree, ["."])]
        started = clock()
        blobs = {}
        for path in paths:
            fd = os.open(path, os.O_RDONLY)
            try:
                blobs[path] = os.read(fd, os.fstat(fd).st_size + 1)
            finally:
                os.close(fd)
        phases["read"] = clock() - started
        started = clock()
        modules = {path: file_module(path, config) for path in paths}
        phases["module names"] = clock() - started
        started = clock()
        candidates = [p for p in paths if prefilter.may_match(blobs[p], modules[p][0])]
        phases["prefilter"] = clock() - started
        started = clock()
        sources = {p: blobs[p].decode("utf-8", "replace") for p in candidates}
        phases["decode"] = clock() - started
        trees, broken = {}, {}
        started = clock()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for p in candidates:
                try:
                    trees[p] = ast.parse(sources[p], filename=p)
                except (SyntaxError, ValueError) as error:
                    broken[p] = _describe(error)
        phases["ast.parse"] = clock() - started
        started = clock()
        facts = {p: collect_facts(trees[p], os.path.abspath(p), *modules[p], sources[p], None, wanted) for p in trees}
        phases["facts walk"] = clock() - started
        started = clock()
        for p, error in broken.items():
            facts[p] = recover_facts(sources[p], os.path.abspath(p), *modules[p], syntax_error=error)
        phases["recovery"] = clock() - started
        started = clock()
        found = {p for p, f in facts.items() if check_facts(f, config)}
        phases["rules"] = clock() - started

        def used(p: str) -> bool:
            return _used(blobs[p], modules[p][0], prefilter, words, fragments, homes, factories)

        started = clock()
        stricter = [p for p in candidates if used(p)]
        stricter_scan = clock() - started
        stricter_ok = [p for p in stricter if p in trees]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            started = clock()
            for p in stricter_ok:
                ast.parse(sources[p])
            stricter_parse = clock() - started
            pieces = [_pieces(blobs[p], words, fragments, imports=True) for p in stricter_ok]
            started = clock()
            not_alone = 0
            for piece in pieces:
                try:
                    ast.parse(piece)
                except SyntaxError:
                    not_alone += 1
            pieces_parse = clock() - started
    finally:
        os.chdir(cwd)
        if enabled:
            gc.enable()

    def mb(files) -> float:
        return round(sum(len(blobs[p]) for p in files) / 1e6, 2)

    broken_regions = sum(len(_pieces(blobs[p], words, fragments, imports=False)) for p in broken) / 1e6
    return {
        "files": len(paths), "mb": mb(paths),
        "phases_cpu_s": {k: round(v, 2) for k, v in phases.items()},
        "candidates": {"files": len(candidates), "mb": mb(candidates), "parse": len(trees), "broken": len(broken), "broken_mb": mb(broken)},
        "files_with_a_finding": len(found),
        "strict_prefilter (ssot check, flake8 plugin)": {
            "files": len(strict := [p for p in candidates if prefilter.may_match(blobs[p], modules[p][0], strict=True)]),
            "mb": mb(strict), "broken": sum(p in broken for p in strict),
        },
        "estimate_stricter_prefilter": {
            "files": len(stricter), "mb": mb(stricter), "scan_cpu_s": round(stricter_scan, 2),
            "ast_parse_cpu_s": round(stricter_parse, 2), "broken": sum(p in broken for p in stricter),
            "broken_mb": mb([p for p in stricter if p in broken]),
            "misses_files_with_a_finding": sorted(found - set(stricter)),
            "misses_planted_files": None if planted is None else sorted(planted - set(stricter)),
        },
        "estimate_parse_only_pieces": {
            "mb": round(sum(map(len, pieces)) / 1e6, 2), "of_mb": mb(stricter_ok),
            "ast_parse_cpu_s": round(pieces_parse, 2), "pieces_not_parsing_alone": not_alone,
        },
        "estimate_recover_only_regions": {"mb": round(broken_regions, 2), "of_mb": mb(broken)},
    }


def compare_fast_path(tree: Path) -> dict[str, Any]:
    """The fast path against the slow path over every file of the tree (#16), on one core:
    - prefilter: every file the literal prefilter admits is checked in full (ast.parse, or
      whole-file recovery); a file the strict prefilter (the one `ssot check` uses) rejects
      must have no finding, and one it admits the same findings;
    - recovery: every broken candidate, recovered in full and region by region (see
      facts.recovery `words`): the diagnostics must be identical.
    Counts the differences (each must be 0) and lists the first few."""
    import ast
    import warnings

    from flake8_ssot.config import load_config
    from flake8_ssot.engine import _describe, check_facts, file_module, interest
    from flake8_ssot.facts import collect_facts
    from flake8_ssot.facts.recovery import recover_facts

    config = load_config(str(tree / "pyproject.toml"))
    prefilter, wanted = config.prefilter, interest(config)
    counts = {"files": 0, "candidates": 0, "strict_candidates": 0, "broken_candidates": 0,
              "files_with_findings": 0, "prefilter_differences": 0, "recovery_differences": 0}
    examples: list[str] = []
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        for path in (Path(p).as_posix() for p in python_files(tree, ["."])):
            counts["files"] += 1
            data = Path(path).read_bytes()
            module, is_package = file_module(path, config)
            if not prefilter.may_match(data, module):
                continue
            counts["candidates"] += 1
            strict = prefilter.may_match(data, module, strict=True)
            counts["strict_candidates"] += strict
            source = data.decode("utf-8", "replace")
            absolute = os.path.abspath(path)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    parsed = ast.parse(source, filename=path)
                full = repr(check_facts(collect_facts(parsed, absolute, module, is_package, source, None, wanted), config))
            except (SyntaxError, ValueError) as error:
                counts["broken_candidates"] += 1
                full = repr(check_facts(recover_facts(source, absolute, module, is_package, syntax_error=_describe(error)), config))
                region = repr(check_facts(recover_facts(source, absolute, module, is_package, syntax_error=_describe(error),
                                                        words=prefilter.region_words(module)), config))
                if region != full:
                    counts["recovery_differences"] += 1
                    examples.append(f"recovery: {path}")
            counts["files_with_findings"] += full != "[]"
            if not strict and full != "[]":
                counts["prefilter_differences"] += 1
                examples.append(f"prefilter: {path}")
    finally:
        os.chdir(cwd)
    return {**counts, "examples": examples[:20]}


def _used(data: bytes, module: str, prefilter, words, fragments, homes, factories) -> bool:
    """A sketch of a stricter prefilter (an estimate, not proven sound): a policy word counts
    only where it can be used, not merely named: after a `.`, on an import line (or as a
    lone `Word,` line of a parenthesised import) unless a canonical name is imported from
    its own home without `as`, called, or defined (`class Word`, `Word =`)."""
    if module in prefilter.export_modules and b"__all__" in data:
        return True
    if any(fragment in data for fragment in fragments) or any(w in module for w in prefilter.words + prefilter.fragments):
        return True
    for word in words:
        name = word.decode("ascii")
        start = 0
        while (i := data.find(word, start)) >= 0:
            start, j = i + 1, i + len(word)
            if (i and _IDENTIFIER.match(data, i - 1)) or _IDENTIFIER.match(data, j):
                continue
            line_start = data.rfind(b"\n", 0, i) + 1
            line_end = data.find(b"\n", j)
            line = data[line_start:len(data) if line_end < 0 else line_end]
            stripped = line.strip()
            if data[i - 1:i] == b".":
                return True
            if stripped.startswith((b"from ", b"import ")) or re.match(rb"^\s+" + word + rb"\s*(,|\)|\s+as\s|$)", line):
                home = homes.get(name)
                if home and b"from " + home.encode("ascii") + b" import" in line and b" as " not in line:
                    continue
                return True
            if data[j:j + 4].lstrip().startswith(b"("):
                return True
            if stripped.startswith((b"class " + word, b"def " + word, word + b" =", word + b":")):
                return True
    return False


def _pieces(data: bytes, words, fragments, imports: bool) -> bytes:
    """The top-level statements that hold a policy word (and, with `imports`, the import blocks)."""
    lines = data.split(b"\n")
    tops = [i for i, line in enumerate(lines) if line[:1] not in (b"", b" ", b"\t", b"#", b")", b"]", b"}")] + [len(lines)]
    keep = []
    for a, b in zip(tops, tops[1:]):
        block = b"\n".join(lines[a:b])
        if (imports and block.startswith((b"from ", b"import ", b"if TYPE_CHECKING", b"try:"))) or any(w in block for w in words) or any(f in block for f in fragments):
            keep.append(block)
    return b"\n".join(keep)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--lines", type=int, default=generate_corpus.DEFAULT_LINES, help="size of the generated tree (default 10,000,000)")
    where.add_argument("--stdlib", action="store_true", help="run on a copy of this Python's standard library with a policy of real deprecations")
    where.add_argument("--tree", help="run on an existing tree whose root pyproject.toml holds [tool.ssot]")
    parser.add_argument("--seed", type=int, default=generate_corpus.DEFAULT_SEED, help="generator seed, also the flake8 sample's (default %(default)s)")
    parser.add_argument("--regenerate", action="store_true", help="regenerate the tree even if a matching one exists")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output directory (default benchmarks/out/)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per ssot/ruff measurement; the median is reported (default 3)")
    parser.add_argument("--flake8-repeat", type=int, default=1, help="runs per flake8 measurement (default 1)")
    parser.add_argument("--sample-lines", type=int, default=DEFAULT_SAMPLE_LINES, help="flake8 runs on a random sample of about this many lines when the tree is larger (default %(default)s)")
    parser.add_argument("--only", help="comma-separated subset of: ssot,ruff,flake8,plugin,editor")
    parser.add_argument("--ssot", help="command that runs ssot (default: `ssot` beside this Python, on PATH, or python -m flake8_ssot)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds before one command is killed (default %(default)s)")
    parser.add_argument("--keep-tree", action="store_true", help="--stdlib: keep the temporary copy")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")
    parser.add_argument("--phases", action="store_true", help="instead of timing the tools: ssot's per-file work phase by phase on one core, in this process, with estimates for a faster path (JSON)")
    parser.add_argument("--compare-fast-path", action="store_true", help="instead of timing the tools: check every candidate file by the slow path and the fast path (strict prefilter, region-only recovery) and count the differences, which must be 0 (JSON)")
    args = parser.parse_args(argv)
    if args.compare_fast_path:
        tree = Path(args.tree) if args.tree else default_corpus_dir(args.lines, args.seed)
        if not args.tree:
            prepare_corpus(tree, args.lines, args.seed, args.regenerate)
        compared = compare_fast_path(tree.resolve())
        print(json.dumps(compared, indent=1))
        return 0 if compared["prefilter_differences"] == compared["recovery_differences"] == 0 else 1
    if args.repeat < 1 or args.flake8_repeat < 1:
        parser.error("--repeat and --flake8-repeat must be at least 1")
    if args.phases:
        if args.stdlib:
            parser.error("--phases runs on a generated tree or --tree")
        tree = Path(args.tree) if args.tree else default_corpus_dir(args.lines, args.seed)
        if not args.tree:
            prepare_corpus(tree, args.lines, args.seed, args.regenerate)
        try:
            phases = profile_phases(tree.resolve())
        except ImportError as error:  # flake8-ssot's internals moved: say so, time nothing
            print(f"--phases needs flake8-ssot's engine pieces: {error}", file=sys.stderr)
            return 2
        print(json.dumps(phases, indent=1))
        return 0

    report = Bench(args).run()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"results-{report['label']}.json"
    md_path = out_dir / f"results-{report['label']}.md"
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    md_path.write_text(markdown(report), encoding="utf-8")
    print(summary(report))
    print(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
