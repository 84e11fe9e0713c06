"""The fast paths of the runner and the cache give exactly what the slow paths give.

Every shortcut taken for speed at monorepo scale (issue 7) is checked against the plain
computation it replaces: parallel workers that send clean files back as a digest, files read
with os.read in chunks, ASCII files not decoded when the prefilter rules them out, a clean
cached file built without the dataclass constructor, relative paths and module names by
slicing instead of os.path.relpath.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from projects import NETRA_POLICY
from test_properties import POLICY as PROPERTY_POLICY
from test_properties import statement

from flake8_ssot.checking.cache import Cache
from flake8_ssot.checking.runner import (
    SAME,
    FileResult,
    Task,
    check_bytes,
    check_file,
    clean_result,
    content_digest,
    run_tasks,
)
from flake8_ssot.config import load_config
from flake8_ssot.dotted import module_name
from flake8_ssot.files import FIRST_READ, SourceError, read_bytes

POLICY = NETRA_POLICY

CLEAN = '''"""Thread persistence for the agent supervisor."""

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass
class ThreadRecord:
    thread_id: str
    tags: list[str] = field(default_factory=list)
'''
LEGACY = "from netra_backend.app.websocket_core.factory import create_websocket_manager\n"
DIRECT = (
    "from netra_backend.app.services.user_execution_context import UserExecutionContext\n\n"
    "def build(user_id):\n    return UserExecutionContext(user_id=user_id)\n"
)
BROKEN = LEGACY + "\n<<<<<<< HEAD\ndef f(:\n    pass\n"


def make_tree(root: Path, count: int = 90) -> list[str]:
    """A tree of `count` files: mostly clean, some with violations, one broken, one undecodable."""
    (root / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    package = root / "src" / "netra_backend" / "app" / "services"
    package.mkdir(parents=True)
    files = []
    for number in range(count):
        kind = number % 9
        text = {3: LEGACY, 5: DIRECT, 7: CLEAN.replace("ThreadRecord", "UserExecutionContextView")}.get(kind, CLEAN)
        path = package / f"module_{number:03d}.py"
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    broken = package / "broken_merge.py"
    broken.write_text(BROKEN, encoding="utf-8")
    latin = package / "latin_notes.py"
    latin.write_bytes("# Notizen zur Übergabe\nNAME = 'Grüße'\n".encode("latin-1"))  # not UTF-8, no cookie
    files += [str(broken), str(latin)]
    return sorted(files)


def plain(result) -> tuple:
    assert isinstance(result, FileResult)
    return (result.path, result.diagnostics, result.syntax_error, result.error, result.digest)


@pytest.mark.parametrize("digest", [False, True])
def test_parallel_workers_give_the_serial_results(tmp_path, digest):
    files = make_tree(tmp_path)
    config = load_config(str(tmp_path / "pyproject.toml"))
    tasks = [Task(path, 0) for path in files]
    serial = run_tasks(tasks, [config], jobs=1, digest=digest)
    parallel = run_tasks(tasks, [config], jobs=2, digest=digest)
    assert [plain(r) for r in parallel] == [plain(r) for r in serial]
    codes = {os.path.basename(r.path): [d.code for d in r.diagnostics] for r in serial}
    assert codes["module_003.py"] == ["SSOT001"] and codes["module_005.py"] == ["SSOT002"]
    assert codes["module_007.py"] == [] and codes["module_000.py"] == []
    by_name = {os.path.basename(r.path): r for r in serial}
    assert by_name["broken_merge.py"].syntax_error and by_name["broken_merge.py"].diagnostics
    assert "cannot decode line 1 as utf-8" in by_name["latin_notes.py"].error
    if digest:
        assert all(r.digest == content_digest(Path(r.path).read_bytes()) for r in serial if r.error is None)


def test_workers_answer_same_for_an_unchanged_digest(tmp_path):
    files = make_tree(tmp_path)
    config = load_config(str(tmp_path / "pyproject.toml"))
    expected = [content_digest(Path(path).read_bytes()) for path in files]
    Path(files[3]).write_text(LEGACY + "# edited\n", encoding="utf-8")  # this one no longer matches
    tasks = [Task(path, 0, digest) for path, digest in zip(files, expected)]
    for jobs in (1, 2):
        results = run_tasks(tasks, [config], jobs=jobs, digest=True)
        assert [r == SAME for r in results] == [i != 3 for i in range(len(files))]
        assert [d.code for d in results[3].diagnostics] == ["SSOT001"]


def test_clean_result_is_a_plain_file_result():
    fast, slow = clean_result("src/app.py", "ab12"), FileResult("src/app.py", digest="ab12")
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert clean_result("x.py") == FileResult("x.py")
    with pytest.raises(AttributeError):
        fast.path = "other.py"  # still frozen


@pytest.mark.parametrize("size", [0, 1, FIRST_READ - 1, FIRST_READ, FIRST_READ + 1, 3 * FIRST_READ + 17])
def test_read_bytes_reads_every_byte(tmp_path, size):
    data = bytes((index * 7 + 3) % 256 for index in range(size))
    path = tmp_path / "blob.py"
    path.write_bytes(data)
    assert read_bytes(str(path)) == data


def test_read_bytes_error_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="cannot read"):
        read_bytes(str(tmp_path / "missing.py"))
    with pytest.raises(SourceError, match="^not a regular file$"):
        read_bytes(str(tmp_path))  # a directory (#22: refused as a FIFO is, by fstat after opening)


def test_files_the_prefilter_rules_out_still_report_bad_encodings(tmp_path):
    """ASCII files skip decoding only when nothing can make the decode fail."""
    (tmp_path / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    path = str(tmp_path / "src" / "tool.py")
    assert check_bytes(b"# -*- coding: klingon -*-\nx = 1\n", path, config).error == (
        "bad encoding declaration: unknown encoding: klingon"
    )
    assert check_bytes(b"#!/usr/bin/env python\n# vim: set fileencoding=bogus :\nx = 1\n", path, config).error
    assert "cannot decode line 2" in check_bytes(b"x = 1\ny = '\xff'\n", path, config).error
    assert check_bytes(b"x = 1\n", path, config) == FileResult(path)
    assert check_bytes("x = 'Grüße'\n".encode(), path, config) == FileResult(path)


def test_a_hit_builds_the_same_result_as_a_fresh_check(tmp_path):
    files = make_tree(tmp_path, count=20)
    config = load_config(str(tmp_path / "pyproject.toml"))
    cache = Cache(str(tmp_path / "cache"), config)
    fresh = {}
    for path in files:
        result = check_file(path, config, digest=True)
        fresh[path] = result
        cache.store(path, os.stat(path), checked_at=os.stat(path).st_mtime_ns + 10**10, result=result)
    cache.save()
    reloaded = Cache(str(tmp_path / "cache"), config)
    for path in files:
        if fresh[path].error is not None:
            assert reloaded.lookup(path, os.stat(path)) == ("miss", None)  # never cached
            continue
        state, result = reloaded.lookup(path, os.stat(path))
        assert state == "hit"
        assert (result.path, result.diagnostics, result.syntax_error) == (
            path, fresh[path].diagnostics, fresh[path].syntax_error,
        )


def test_a_second_run_writes_the_entries_as_they_are_and_compacts_a_mostly_unused_table(tmp_path):
    """A run that re-checks a few files writes the loaded entries as they are (their strings
    stay where they were); once most of the table is no longer used, it is rebuilt."""
    files = [path for path in make_tree(tmp_path, count=20)]
    config = load_config(str(tmp_path / "pyproject.toml"))
    directory = str(tmp_path / "cache")

    def store_all(cache, paths):
        results = {}
        for path in paths:
            results[path] = check_file(path, config, digest=True)
            cache.store(path, os.stat(path), checked_at=os.stat(path).st_mtime_ns + 10**10, result=results[path])
        return results

    first = Cache(directory, config)
    fresh = store_all(first, files)
    first.save()
    with_findings = [path for path in files if fresh[path].diagnostics]
    assert len(with_findings) >= 3, "the generated tree has findings"
    second = Cache(directory, config)
    table = list(second.strings)
    # A file re-checked with a finding no other file has: its strings join the end of the table.
    changed = with_findings[0]
    diagnostic = fresh[changed].diagnostics[0]
    renamed = dataclasses.replace(diagnostic, message=diagnostic.message + " (changed)")
    second.store(changed, os.stat(changed), os.stat(changed).st_mtime_ns + 10**10,
                 FileResult(changed, (renamed,), None, digest="d"))
    second.save()
    third = Cache(directory, config)
    assert third.strings[:len(table)] == table and third.strings[len(table):] == [renamed.message]
    for path in files:
        state, result = third.lookup(path, os.stat(path))
        if fresh[path].error is not None:
            continue  # never cached
        assert state == "hit"
        assert result.diagnostics == ((renamed,) if path == changed else fresh[path].diagnostics)
    # Every file clean now: the whole table is unused, and the next save rebuilds it.
    for path in files:
        third.store(path, os.stat(path), os.stat(path).st_mtime_ns + 10**10, FileResult(path, (), None, digest="d"))
    third.save()
    assert Cache(directory, config).strings == []


@pytest.mark.parametrize("relative", [
    "src/app.py", "src/pkg/__init__.py", "a/b/c/d/e/f.py", "src/.hidden/mod.py", "src/pkg/../app.py",
    "src//double.py", "src/./dot.py",
])
def test_cache_keys_by_slicing_equal_os_path_relpath(tmp_path, relative):
    (tmp_path / "pyproject.toml").write_text(POLICY, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    cache = Cache(str(tmp_path / "cache"), config)
    path = str(tmp_path) + "/" + relative
    assert cache.relative(path) == config.relative(path)
    assert cache.relative(os.path.normpath(path)) == config.relative(path)


@settings(max_examples=200, deadline=None)
@given(
    root=st.lists(st.sampled_from(["work", "repo", "src", "lib", "a"]), min_size=1, max_size=3),
    inner=st.lists(st.sampled_from(["pkg", "app", "__init__.py", "mod.py", "x.pyi", "tests", "v2.0"]),
                   min_size=0, max_size=4),
    other=st.booleans(),
)
def test_module_names_by_slicing_equal_relpath(root, inner, other):
    base = "/" + "/".join(root)
    path = os.path.normpath("/".join([base, *inner, "leaf.py"]) if inner[-1:] != ["__init__.py"] else "/".join([base, *inner]))
    roots = [base, "/elsewhere/src"] if other else [base]
    slow_best = max((r for r in roots if path.startswith(r + os.sep) or path == r), key=len, default="")
    relative = os.path.relpath(path, slow_best) if slow_best else os.path.basename(path)
    parts = relative.replace(os.sep, "/").split("/")
    stem = parts[-1].rpartition(".")[0]
    parts[-1] = stem or parts[-1]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    expected = (".".join(p for p in parts if p not in ("", ".")), is_package)
    assert module_name(path, roots) == expected


# --------------------------------------------------------------------------- facts.Interest


def _full_walk(source: str, path: str, config) -> list:
    """The diagnostics with every call and attribute chain recorded (no Interest filter)."""
    from unittest import mock

    from flake8_ssot import engine
    from flake8_ssot.facts import EVERYTHING

    with mock.patch.object(engine, "interest", lambda config: EVERYTHING):
        return check_source(source, path, config, prefilter=False).diagnostics


def check_source(*args, **kwargs):
    from flake8_ssot.engine import check_source as engine_check

    return engine_check(*args, **kwargs)


def test_interest_keeps_what_each_rule_can_match(tmp_path):
    from flake8_ssot.engine import interest

    with_wildcard = POLICY.replace(
        "[tool.ssot.factories]",
        '"netra_backend.app.legacy_*" = "netra_backend.app.core"\n\n[tool.ssot.factories]',
    )
    (tmp_path / "pyproject.toml").write_text(with_wildcard, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    wanted = interest(config)
    assert wanted.call_names == {"UserExecutionContext"}
    assert wanted.attribute_names == {"factory"} and wanted.attribute_fragments == ("legacy_",)
    assert wanted.wants_attribute("netra_backend.app.websocket_core.factory.create")
    assert wanted.wants_attribute("netra_backend.app.legacy_events.emit")
    assert not wanted.wants_attribute("os.path.join")
    assert not wanted.wants_attribute("netra_backend.app.websocket_core.factory_helpers.build")
    assert interest(config) is wanted  # computed once per configuration


def _corpus_sources():
    import sys

    benchmarks = Path(__file__).resolve().parent.parent / "benchmarks"
    sys.path.insert(0, str(benchmarks))
    try:
        import generate_corpus
    finally:
        sys.path.remove(str(benchmarks))
    return generate_corpus


def test_interest_equals_the_full_walk_on_a_generated_monorepo(tmp_path):
    """Every file of a generated tree (all violation kinds, legitimate mentions, broken files)."""
    generate_corpus = _corpus_sources()
    root = tmp_path / "tree"
    generate_corpus.generate(root, 20000, seed=11)
    config = load_config(str(root / "pyproject.toml"))
    compared = reported = 0
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        fast = check_source(source, str(path), config, prefilter=False).diagnostics
        assert fast == _full_walk(source, str(path), config), path
        compared += 1
        reported += len(fast)
    assert compared > 50 and reported > 5


def test_interest_equals_the_full_walk_on_the_standard_library():
    """A real-deprecations policy without wildcards: most calls and chains are skipped."""
    import sys
    import sysconfig

    benchmarks = Path(__file__).resolve().parent.parent / "benchmarks"
    sys.path.insert(0, str(benchmarks))
    try:
        import policy
    finally:
        sys.path.remove(str(benchmarks))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    config_dir = Path(tempfile.mkdtemp(prefix="ssot-interest-"))
    toml = policy.ssot_pyproject(policy.stdlib_policy(src=stdlib.as_posix()))
    (config_dir / "pyproject.toml").write_text(toml, encoding="utf-8")
    config = load_config(str(config_dir / "pyproject.toml"))
    reported = 0
    for index, path in enumerate(sorted(stdlib.rglob("*.py"))):
        if index % 6 or "site-packages" in path.parts:
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        fast = check_source(source, str(path), config, prefilter=False).diagnostics
        assert fast == _full_walk(source, str(path), config), path
        reported += len(fast)
    assert reported > 10


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_interest_equals_the_full_walk_on_generated_programs(data):
    """test_properties' programs (aliases, relative imports, wildcard legacy modules, ...)."""
    statements = data.draw(st.lists(statement, min_size=1, max_size=12))
    alias = data.draw(st.sampled_from(["alias", "ws", "Ctx"]))
    module_path = data.draw(st.sampled_from(["src/app/ws/handlers.py", "src/app/main.py", "src/app/legacy_utils/x.py"]))
    program = "\n".join(statements).replace("{A}", alias) + "\nvalue = app.legacy_tools.run\n"
    root = _property_root(PROPERTY_POLICY)
    config = load_config(str(root / "pyproject.toml"))
    path = str(root / module_path)
    assert check_source(program, path, config, prefilter=False).diagnostics == _full_walk(program, path, config)


_ROOTS: dict[str, Path] = {}


def _property_root(policy: str) -> Path:
    if policy not in _ROOTS:
        root = Path(tempfile.mkdtemp(prefix="ssot-speed-"))
        (root / "pyproject.toml").write_text(policy, encoding="utf-8")
        _ROOTS[policy] = root
    return _ROOTS[policy]


# --------------------------------------------------------------------------- prefilter anchors

_CHUNKS = ["_manager", "websocket", "factory", "get_", "create_", "Context", "User", "_", "x", "Set", "unified"]
_word = st.lists(st.sampled_from(_CHUNKS), min_size=1, max_size=4).map("".join).filter(lambda w: w.isidentifier())


@settings(max_examples=300, deadline=None)
@given(words=st.lists(_word, min_size=1, max_size=8, unique=True),
       text=st.lists(st.sampled_from(_CHUNKS + [" ", ".", "(", "\n", "a", "9", "=", "'"]), max_size=40).map("".join))
def test_shared_anchors_find_exactly_the_words_found_one_by_one(words, text):
    import re

    from flake8_ssot.config.prefilter import Prefilter, anchor_groups

    groups = anchor_groups(words)
    assert sorted(w for _, members in groups for w in members) == sorted(set(words))  # each word once
    assert all(anchor in word for anchor, members in groups for word in members)
    prefilter = Prefilter.build(words, (), (), False)
    one_by_one = any(re.search(rf"(?<![A-Za-z0-9_]){re.escape(w)}(?![A-Za-z0-9_])", text) for w in words)
    assert prefilter.may_match(text, "") == one_by_one
    assert prefilter.may_match(text.encode("ascii"), "") == one_by_one


# --------------------------------------------------------------------------- garbage collector


def test_check_runs_without_the_collector_and_gives_it_back(tmp_path, monkeypatch, capsys):
    import gc

    from flake8_ssot import cli

    make_tree(tmp_path, count=12)
    seen = {}

    def spy_check(args):
        seen["during check"] = gc.isenabled()
        return real_check(args)

    real_check = cli.run_check
    monkeypatch.chdir(tmp_path)
    assert gc.isenabled()
    parser_default = cli.build_parser
    monkeypatch.setattr(cli, "build_parser", lambda: _with_handler(parser_default(), "check", spy_check))
    assert cli.main(["check", "--no-cache", "--output-format", "concise", "--exit-zero"]) == 0
    assert seen["during check"] is False and gc.isenabled()
    assert "SSOT001" in capsys.readouterr().out

    def spy_rule(args):
        seen["during rule"] = gc.isenabled()
        return 0

    monkeypatch.setattr(cli, "build_parser", lambda: _with_handler(parser_default(), "rule", spy_rule))
    assert cli.main(["rule", "SSOT001"]) == 0
    assert seen["during rule"] is True  # `server` goes the same way: a long run keeps the collector


def _with_handler(parser, command, handler):
    for action in parser._subparsers._group_actions:
        action.choices[command].set_defaults(handler=handler)
    return parser


# --------------------------------------------------------------------------- prefilter: first components


def _stdlib_config():
    import sys
    import sysconfig

    benchmarks = Path(__file__).resolve().parent.parent / "benchmarks"
    sys.path.insert(0, str(benchmarks))
    try:
        import policy
    finally:
        sys.path.remove(str(benchmarks))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    root = _property_root(policy.ssot_pyproject(policy.stdlib_policy(src=stdlib.as_posix())))
    return load_config(str(root / "pyproject.toml")), stdlib


def test_a_word_counts_only_where_its_top_level_package_is_reached():
    config, _ = _stdlib_config()
    prefilter = config.prefilter
    assert prefilter.requires["List"] == ("typing",) and "imp" not in prefilter.requires
    prose = '"""Set the List of handlers; see Text below."""\nfrom mylib import List\n'
    assert prefilter.may_match(prose, "email.handlers")  # not strict: `ssot check` parses it
    assert not prefilter.may_match(prose, "email.handlers", strict=True)
    assert not prefilter.may_match(prose.encode(), "email.handlers", strict=True)
    assert prefilter.may_match(prose + "import typing\n", "email.handlers", strict=True)
    assert prefilter.may_match((prose + "x: 'typing.List[int]'\n").encode(), "email.handlers", strict=True)
    assert prefilter.may_match(prose, "typing.extensions", strict=True)  # `from . import List` inside typing
    assert not prefilter.may_match(prose + "import typing_extensions\n", "email.handlers", strict=True)
    assert prefilter.may_match("import imp\n", "email.handlers", strict=True)  # a one-component key


def _plugin_like(source: str, path: str, config) -> list:
    """What the flake8 plugin reports: the strict prefilter, then the engine without one."""
    from flake8_ssot.engine import file_module, may_match

    if not may_match(source, file_module(path, config)[0], config, strict=True):
        return []
    return list(check_source(source, path, config, prefilter=False).diagnostics)


def test_strict_prefilter_equals_the_full_run_on_the_standard_library_with_real_deprecations():
    config, stdlib = _stdlib_config()
    checked = reported = skipped = 0
    for index, path in enumerate(sorted(stdlib.rglob("*.py"))):
        if index % 4 or "site-packages" in path.parts:
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        slow = list(check_source(source, str(path), config, prefilter=False).diagnostics)
        assert _plugin_like(source, str(path), config) == slow, path
        checked += 1
        reported += len(slow)
        skipped += not config.prefilter.may_match(source, "", strict=True)
    assert checked > 300 and reported > 10 and skipped > checked // 3


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_strict_prefilter_equals_the_full_run_on_generated_programs(data):
    statements = data.draw(st.lists(statement, min_size=1, max_size=10))
    module_path = data.draw(st.sampled_from([
        "src/app/ws/handlers.py", "src/app/ws/factory/sub.py", "src/app/ws/__init__.py",
        "src/app/legacy_utils/x.py", "src/app/ctx/helpers.py", "src/other/mod.py", "src/other/__init__.py",
    ]))
    relative = data.draw(st.sampled_from([
        "", "from . import helper\n", "from .. import factory\n", "from .sub import WebSocketManager\n",
        "from . import UserExecutionContext\n", "class WebSocketManager:\n    pass\n",
        "x = __import__('app.ws.factory')\n", "t = 'app.ws.factory.create'\n",
    ]))
    program = relative + "\n".join(statements).replace("{A}", "alias") + "\n"
    root = _property_root(PROPERTY_POLICY)
    config = load_config(str(root / "pyproject.toml"))
    path = str(root / module_path)
    assert _plugin_like(program, path, config) == list(check_source(program, path, config, prefilter=False).diagnostics)
