"""What a native parser would give `ssot check`'s cold run (#16): parse speed and error agreement.

    python benchmarks/parser_study.py --tree TREE                 # TREE's pyproject.toml policy
    python benchmarks/parser_study.py --tree TREE --stdlib        # and the agreement over the stdlib
    python benchmarks/parser_study.py --tree TREE --engine        # and an instrumented ssot run
    PYTHONPATH=/path/to/other/site-packages python benchmarks/parser_study.py ...  # more parsers

Prints Markdown tables:

1. Parse cost, per parser, over the files `ssot check`'s strict prefilter admits (the
   candidates; the renamed-class words, which need the project index, are left out: a few
   files more in a real run), and over the files whose partial parse `_symtable` confirms
   (with --engine, exactly those of an instrumented run; without, the candidates of at least
   facts.partial.MIN_SIZE characters, an upper bound). CPU seconds are `time.process_time`
   around each call, each file through every parser in turn.
2. Error agreement over every discovered file of TREE (and with --stdlib, every .py file of this
   Python's standard library): does CPython (`_symtable`, which raises every error `ast.parse`
   does and the symbol-table ones) reject the file, and does each error-tolerant parser's tree
   hold an error? A 2x2 table per parser and examples of each disagreement.
3. With --engine: the CPU of the phases a native parser could replace, from one in-process
   `ssot check --jobs 1 --no-cache` run (the same wrapping as the round-6 profile).

Parsers, each skipped with a note when it cannot be imported: `ast.parse`,
`compile(..., PyCF_ONLY_AST)`, `_symtable.symtable` (CPython 3.11's own, always there);
tree-sitter through `ast_grep_py` (a dependency of flake8-ssot); `tree_sitter` with
`tree_sitter_python` (PyPI, not a dependency); libcst's native (Rust) parser; ruff's parser
through `pyruff` (PyPI: `check_source` with no rule selected reports only syntax errors).

A study, not a test: nothing imports it, and it never writes inside TREE.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import sysconfig
import tempfile
import time
import warnings
from _symtable import symtable as _symtable
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

try:
    from flake8_ssot.checking.discovery import discover
    from flake8_ssot.config import load_config
    from flake8_ssot.dotted import module_name
    from flake8_ssot.facts import partial as ssot_partial
    from flake8_ssot.files import SourceError, decode_source

    DECODE_ERRORS = (SourceError, UnicodeDecodeError, LookupError)
except ImportError:  # the parsers alone: every .py file, no prefilter
    discover = None
    DECODE_ERRORS = (UnicodeDecodeError,)

CPYTHON_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)


@dataclass
class Parser:
    name: str
    parse: Callable  # (source, data, path) -> tree
    error: Callable | None = None  # tree -> (line, what) of its first error, or None
    cost: dict = field(default_factory=Counter)  # subset -> CPU s
    failed: Counter = field(default_factory=Counter)  # subset -> files it raised on
    raises: tuple = CPYTHON_ERRORS  # what it raises on a file it rejects


def _quiet(function):
    def call(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(*args)
    return call


def parsers() -> tuple[list[Parser], list[str]]:
    found = [
        Parser("ast.parse", _quiet(lambda source, data, path: ast.parse(source, path))),
        Parser("compile(PyCF_ONLY_AST)",
               _quiet(lambda source, data, path: compile(source, path, "exec", ast.PyCF_ONLY_AST, True))),
        Parser("_symtable.symtable", _quiet(lambda source, data, path: _symtable(source, path, "exec"))),
    ]
    notes = []
    try:
        from ast_grep_py import SgRoot

        def grep_error(root):
            node = root.find(kind="ERROR")  # MISSING nodes are not reachable through this API
            return None if node is None else (node.range().start.line + 1, "ERROR: " + node.text()[:60])

        found.append(Parser("ast-grep-py (tree-sitter)", lambda source, data, path: SgRoot(source, "python").root(),
                            grep_error))
    except ImportError as error:
        notes.append(f"ast-grep-py skipped: {error}")
    try:
        import tree_sitter
        import tree_sitter_python

        ts_parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_python.language()))

        def ts_parse(source, data, path):
            return ts_parser.parse(data if data is not None else source.encode()).root_node

        found.append(Parser(f"tree-sitter {_version('tree-sitter')} + python {_version('tree-sitter-python')}",
                            ts_parse, _first_ts_error))
    except ImportError as error:
        notes.append(f"tree-sitter skipped: {error}")
    try:
        from libcst import ParserSyntaxError, native

        def cst_error(tree):
            return None  # it raises instead

        found.append(Parser(f"libcst {_version('libcst')} native (Rust PEG, builds the CST)",
                            lambda source, data, path: native.parse_module(source, None), cst_error,
                            raises=(ParserSyntaxError, RecursionError)))
    except ImportError as error:
        notes.append(f"libcst skipped: {error}")
    try:
        import pyruff

        check = pyruff._native.check_source

        def ruff_parse(source, data, path):
            return check(source, filename=path, isolated=True, select=[], target_version="py311")

        def ruff_error(diagnostics):
            for diagnostic in diagnostics:
                if diagnostic["code"] == "invalid-syntax":
                    return (0, diagnostic["message"][:60])
            return None

        found.append(Parser(f"ruff parser (pyruff {_version('pyruff')}, no rules)", ruff_parse, ruff_error,
                            raises=(pyruff.RuffError,)))
    except ImportError as error:
        notes.append(f"pyruff skipped: {error}")
    return found, notes


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"


def _first_ts_error(root):
    if not root.has_error:
        return None
    cursor = root.walk()
    while True:
        node = cursor.node
        if node.is_error or node.is_missing:
            what = "MISSING " + node.type if node.is_missing else "ERROR: " + node.text.decode(errors="replace")[:60]
            return (node.start_point.row + 1, what)
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return (root.start_point.row + 1, "?")


# -- the files -------------------------------------------------------------------------------

def tree_files(tree: str, config_path: str | None):
    """(files, config): what `ssot check TREE --config CONFIG` discovers, or every .py file."""
    if discover is not None and config_path:
        config = load_config(config_path, root=tree)
        return discover([tree], lambda directory: config, boundary=tree).files, config
    return python_files(tree), None


def python_files(root: str) -> list[str]:
    """Every .py file under `root`, leaving out hidden folders and installed packages (the
    stdlib's site-packages)."""
    found = []
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in ("__pycache__", "site-packages"))
        found.extend(os.path.join(directory, name) for name in sorted(files) if name.endswith(".py"))
    return found


def read(path: str) -> tuple[bytes, str | None]:
    with open(path, "rb") as handle:
        data = handle.read()
    return data, decode_text(data)


def is_candidate(data: bytes, source: str, path: str, config) -> bool:
    module, _ = module_name(os.path.abspath(path), config.src)
    prefilter = config.prefilter
    return prefilter.may_match(data, module, strict=True) or prefilter.may_match_normalised(source, module, strict=True)


# -- 1. parse cost ---------------------------------------------------------------------------

def measure_cost(files, subsets: dict[str, Callable], found: list[Parser]) -> tuple[Counter, Counter, dict]:
    """Every file of `files` through every parser; CPU summed per subset a file belongs to."""
    sizes, counts = Counter(), Counter()
    scan = Counter()  # top-level statement boundaries: ssot's text scan, tree-sitter's children
    clock = time.process_time
    ts = next((p for p in found if p.name.startswith("tree-sitter")), None)
    for path, data in files:
        _, source = read(path) if data is None else (data, decode_text(data))
        if source is None:
            continue
        raw = data if data is not None else source.encode()
        member = [name for name, test in subsets.items() if test(path, source)]
        for name in member:
            sizes[name] += len(raw)
            counts[name] += 1
        for parser in found:
            start = clock()
            try:
                tree = parser.parse(source, raw, path)
            except parser.raises:
                tree = None
                for name in member:
                    parser.failed[name] += 1
            spent = clock() - start
            for name in member:
                parser.cost[name] += spent
            if parser is ts and tree is not None and discover is not None:
                start = clock()
                [child.start_point.row for child in tree.children]
                spent = clock() - start
                for name in member:
                    scan["tree-sitter: the root's children (after its parse)", name] += spent
        if discover is not None:
            start = clock()
            ssot_partial._starts(source)
            spent = clock() - start
            for name in member:
                scan["ssot: facts.partial._starts (its regular-expression scan)", name] += spent
    return sizes, counts, scan


def decode_text(data: bytes) -> str | None:
    try:
        return decode_source(data) if discover is not None else data.decode("utf-8")
    except DECODE_ERRORS:
        return None  # undecodable: ssot reports it without parsing


# -- 2. error agreement ----------------------------------------------------------------------

@dataclass
class Agreement:
    table: Counter = field(default_factory=Counter)  # (CPython's kind of error, parser error) -> files
    examples: dict = field(default_factory=dict)  # kind -> [(path, line, what, line's text)]
    messages: dict = field(default_factory=dict)  # kind -> Counter of messages


def cpython_error(source: str, path: str) -> tuple[str, int, str] | None:
    """(kind, line, message) when CPython rejects the file: 'parser' when `ast.parse` does (ssot
    then reads the file with error recovery), 'symtable' when only the symbol table does (ssot
    then checks it from a whole `ast.parse`); None when it compiles to a symbol table."""
    try:
        _quiet(_symtable)(source, path, "exec")
        return None
    except CPYTHON_ERRORS as error:
        first = error
    try:
        _quiet(ast.parse)(source, path)
    except CPYTHON_ERRORS as error:
        return ("parser", getattr(error, "lineno", 0) or 0, f"{type(error).__name__}: {getattr(error, 'msg', error)}")
    return ("symtable", getattr(first, "lineno", 0) or 0, f"{type(first).__name__}: {getattr(first, 'msg', first)}")


def syntax_examples() -> list[tuple[str, bytes | None, str]]:
    """The invalid programs of CPython's own Lib/test/test_syntax.py: each example of its
    doctests that expects a SyntaxError, as (name, None, source). Some are rejected only by the
    compiler (`return` outside a function); those count as 'compiles' here, as for ssot."""
    import doctest

    path = os.path.join(sysconfig.get_paths()["stdlib"], "test", "test_syntax.py")
    try:
        with open(path, encoding="utf-8") as handle:
            text = ast.get_docstring(ast.parse(handle.read()), clean=False) or ""
    except OSError:
        return []
    examples = doctest.DocTestParser().get_examples(text)
    return [(f"{path}:{example.lineno + 1}", None, example.source) for example in examples
            if example.exc_msg is not None and "Error" in example.want]


def files_read(paths: list[str]):
    for path in paths:
        yield (path, *read(path))


def measure_agreement(items, found: list[Parser], limit: int) -> tuple[dict, Counter]:
    """`items`: (path, data, source) of each file; data None when it is not a file's bytes."""
    checked = [p for p in found if p.error is not None]
    results = {p.name: Agreement() for p in checked}
    kinds = Counter()
    for path, data, source in items:
        if source is None:
            kinds["undecodable"] += 1
            continue
        cpython = cpython_error(source, path)
        kind = cpython[0] if cpython else "compiles"
        kinds[kind] += 1
        for parser in checked:
            try:
                error = parser.error(parser.parse(source, data, path))
            except parser.raises as raised:
                error = (0, f"{type(raised).__name__}: {str(raised)[:60]}")
            record = results[parser.name]
            record.table[kind, error is not None] += 1
            if (kind == "compiles") == (error is None):
                continue
            label = ("CPython's parser rejects, this one accepts" if kind == "parser" else
                     "only CPython's symbol table rejects, this one accepts" if kind == "symtable" else
                     "this one flags, `_symtable` accepts")
            line, what = (cpython[1], cpython[2]) if cpython else error
            record.messages.setdefault(label, Counter())[what if cpython else what.split(":")[0]] += 1
            shown = record.examples.setdefault(label, [])
            if len(shown) < limit:
                text = source.split("\n")[line - 1].strip()[:70] if 0 < line <= source.count("\n") + 1 else ""
                shown.append((path, line, what, text))
    return results, kinds


# -- 3. the engine ---------------------------------------------------------------------------

def engine_profile(tree: str, config_path: str) -> tuple[dict, set[str], float]:
    """One in-process `ssot check --jobs 1 --no-cache`, with the parse-related phases timed."""
    from flake8_ssot import engine
    from flake8_ssot.cli import main
    from flake8_ssot.facts import recovery

    stats, calls, confirmed = Counter(), Counter(), set()

    def wrap(owner, name, key, record=None):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            if record is not None:
                record(args)
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                stats[key] += time.process_time() - start
                calls[key] += 1

        setattr(owner, name, timed)
        return original

    originals = [
        (engine, "partial_facts", wrap(engine, "partial_facts", "partial parsing, all of it")),
        (ssot_partial, "_facts_skipping",
         wrap(ssot_partial, "_facts_skipping", "of which the stubbed parse and its facts walk")),
        (ssot_partial, "_compiles", wrap(ssot_partial, "_compiles", "confirming: _symtable",
                                         lambda args: confirmed.add(args[1]))),
        (engine, "check_facts", wrap(engine, "check_facts", "rules (check_facts)")),
        (recovery, "recover_facts", wrap(recovery, "recover_facts", "error-tolerant recovery")),
        (ast, "parse", wrap(ast, "parse", "ast.parse, everywhere")),
    ]
    output = os.path.join(tempfile.mkdtemp(prefix="parser-study-"), "out.json")
    start = time.process_time()
    here = os.getcwd()
    try:
        os.chdir(tree)
        main(["check", ".", "--config", config_path, "--output-format", "json", "--output-file", output,
              "--exit-zero", "--no-cache", "--jobs", "1"])
    except SystemExit:
        pass
    finally:
        os.chdir(here)
        for owner, name, original in originals:
            setattr(owner, name, original)
    total = time.process_time() - start
    return {key: (stats[key], calls[key]) for key in stats}, {os.path.abspath(os.path.join(tree, p)) for p in confirmed}, total


# -- output ----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--tree", required=True)
    options.add_argument("--config", help="default: TREE/pyproject.toml")
    options.add_argument("--stdlib", action="store_true", help="the agreement over the stdlib too")
    options.add_argument("--engine", action="store_true", help="an instrumented ssot run first")
    options.add_argument("--examples", type=int, default=10)
    options.add_argument("--skip", action="append", default=[], help="leave out parsers whose name holds this")
    options.add_argument("--syntax-examples", action="store_true",
                         help="the agreement over test_syntax.py's invalid examples (--stdlib includes it)")
    options.add_argument("--no-agreement", action="store_true")
    options.add_argument("--no-cost", action="store_true")
    args = options.parse_args(argv)
    tree = os.path.abspath(args.tree)
    config_path = args.config or os.path.join(tree, "pyproject.toml")
    if not os.path.exists(config_path):
        config_path = None
    found, notes = parsers()
    found = [p for p in found if not any(word in p.name for word in args.skip)]
    print(f"# Parser study: {tree}\n\nPython {sys.version.split()[0]}; load {_load()}; "
          f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n")
    for note in notes:
        print(f"- {note}")
    wall = time.perf_counter()
    paths, config = tree_files(tree, config_path)
    print(f"\n{len(paths)} files discovered" + (f" with {config_path}" if config else " (no policy: every .py file)")
          + f" ({time.perf_counter() - wall:.1f} s)\n")

    confirmed = None
    if args.engine and config is not None:
        phases, confirmed, total = engine_profile(tree, config_path)
        print(f"## The engine: one `ssot check --jobs 1 --no-cache`, {total:.1f} s CPU\n")
        print("| phase | CPU s | calls |\n|---|---:|---:|")
        for key, (spent, count) in sorted(phases.items(), key=lambda item: -item[1][0]):
            print(f"| {key} | {spent:.2f} | {count:,} |")
        print(f"\n{len(confirmed):,} files confirmed with `_symtable`.\n")

    if not args.no_cost:
        start = time.perf_counter()
        candidates = []
        for path in paths:
            data, source = read(path)
            if source is not None and (config is None or is_candidate(data, source, path, config)):
                candidates.append(path)
        print(f"{len(candidates):,} candidate files ({time.perf_counter() - start:.1f} s to read and prefilter)\n")
        minimum = ssot_partial.MIN_SIZE if discover is not None else 0
        subsets = {"candidates": lambda path, source: True}
        if confirmed is not None:
            subsets["confirmed by _symtable in the run"] = lambda path, source: path in confirmed
        elif config is not None:
            subsets[f"candidates of >= {minimum:,} characters"] = lambda path, source: len(source) >= minimum
        sizes, counts, scan = measure_cost(((path, None) for path in candidates), subsets, found)
        for subset in subsets:
            megabytes = sizes[subset] / 1e6
            print(f"## Parse cost: {subset} ({counts[subset]:,} files, {megabytes:.1f} MB)\n")
            print("| parser | CPU s | MB/s | x `_symtable` | files it raised on |\n|---|---:|---:|---:|---:|")
            reference = next((p.cost[subset] for p in found if p.name.startswith("_symtable")), 0)
            for parser in found:
                spent = parser.cost[subset]
                ratio = f"{spent / reference:.2f}" if reference else ""
                rate = f"{megabytes / spent:.1f}" if spent else ""
                print(f"| {parser.name} | {spent:.2f} | {rate} | {ratio} | {parser.failed[subset]:,} |")
            for (what, name), spent in sorted(scan.items()):
                if name == subset:
                    print(f"| boundaries of top-level statements, {what} | {spent:.2f} | "
                          f"{megabytes / spent if spent else 0:.1f} | | |")
            print()

    if not args.no_agreement:
        groups = [("tree", files_read(paths), len(paths))]
        if args.stdlib:
            stdlib = python_files(sysconfig.get_paths()["stdlib"])
            groups.append(("stdlib " + sysconfig.get_paths()["stdlib"], files_read(stdlib), len(stdlib)))
        if args.stdlib or args.syntax_examples:
            examples = syntax_examples()
            groups.append(("the examples of CPython's test_syntax.py that expect an error", examples, len(examples)))
        for label, group, count in groups:
            start = time.perf_counter()
            results, kinds = measure_agreement(group, found, args.examples)
            print(f"## Error agreement: {label} ({count:,} files; {time.perf_counter() - start:.0f} s)\n")
            print("CPython: " + ", ".join(f"{kind} {count:,}" for kind, count in sorted(kinds.items()))
                  + " ('parser': `ast.parse` raises; 'symtable': only `_symtable` does)\n")
            for name, record in results.items():
                table = record.table
                print(f"### {name}\n\n| CPython | this parser: error | this parser: no error |\n|---|---:|---:|")
                print(f"| `ast.parse` raises | {table['parser', True]:,} | **{table['parser', False]:,}** |")
                print(f"| only `_symtable` raises | {table['symtable', True]:,} | {table['symtable', False]:,} |")
                print(f"| `_symtable` accepts (the compiler may still reject) | {table['compiles', True]:,} | "
                      f"{table['compiles', False]:,} |\n")
                for kind, shown in record.examples.items():
                    counted = "; ".join(f"{message} ({count:,})" for message, count in record.messages[kind].most_common(12))
                    print(f"{kind}: {counted}\n")
                    for path, line, what, text in shown:
                        print(f"- `{os.path.relpath(path, tree) if path.startswith(tree) else path}:{line}` "
                              f"{what} | `{text}`")
                    print()
    print(f"(wall {time.perf_counter() - wall:.0f} s, load {_load()})")
    return 0


def _load() -> str:
    try:
        with open("/proc/loadavg") as handle:
            return " ".join(handle.read().split()[:3])
    except OSError:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
