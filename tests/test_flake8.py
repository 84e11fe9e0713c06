"""The flake8 front-end, run for real: entry point, noqa, per-file-ignores, stdin, bad config."""

from __future__ import annotations

import ast
import re
import shutil
from collections import Counter
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from markers import FIXTURES, expected, python_files
from projects import flake8

from flake8_ssot.config import config_for
from flake8_ssot.engine import check_source
from flake8_ssot.flake8_plugin import SsotChecker
from flake8_ssot.index import ProjectIndex, index_for

REPO = Path(__file__).parent.parent
FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>SSOT\d{3}) (?P<message>.*)$")


def parse(output: str) -> list[dict]:
    return [m.groupdict() for m in map(FLAKE8_LINE.match, output.splitlines()) if m]


def test_entry_point_name_is_one_flake8_accepts():
    names = [ep.name for ep in entry_points(group="flake8.extension") if ep.value.startswith("flake8_ssot")]
    assert names == ["SSO"]
    assert re.match(r"^[A-Z]{1,3}[0-9]{0,3}$", names[0])  # flake8's VALID_CODE_PREFIX


@pytest.mark.parametrize("name, options", [
    ("project", ["--isolated"]),
    ("patterns", ["--isolated"]),  # [[tool.ssot.patterns]] rules run in the plugin too
    # noqa/ relies on flake8's own per-file-ignores in its .flake8, read from that directory
    ("noqa", ["--config", ".flake8"]),
])
def test_fixture_project_through_flake8_reports_the_marked_lines(name, options):
    root = FIXTURES / name
    result = flake8(*options, "--select", "SSO", ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    got: dict[Path, Counter] = {}
    for item in parse(result.stdout):
        got.setdefault((root / item["path"]).resolve(), Counter())[(int(item["line"]), item["code"])] += 1
    for path in python_files(root):
        assert got.get(path.resolve(), Counter()) == expected(path), path


def test_noqa_fixture_without_the_ssot_copy_of_per_file_ignores(tmp_path):
    """flake8's per-file-ignores alone give the same result as the [tool.ssot] copy."""
    import shutil

    root = tmp_path / "noqa"
    shutil.copytree(FIXTURES / "noqa", root)
    policy = (root / "pyproject.toml").read_text(encoding="utf-8")
    (root / "pyproject.toml").write_text(
        "\n".join(line for line in policy.splitlines() if not line.startswith("per-file-ignores")), encoding="utf-8")
    result = flake8("--config", ".flake8", "--select", "SSO", ".", cwd=root)
    got: Counter = Counter()
    for item in parse(result.stdout):
        got[(item["path"].lstrip("./"), int(item["line"]), item["code"])] += 1
    want: Counter = Counter()
    for path in python_files(root):
        for (line, code), count in expected(path).items():
            want[(str(path.relative_to(root)), line, code)] += count
    assert got == want


def test_noqa_and_per_file_ignores(app_project):
    root = app_project({
        "src/app/handlers.py": """
            from app.ws.factory import create_websocket_manager  # noqa: SSOT001
            from app.ws.factory import get_manager  # noqa: E501
            from app.ws.factory import helper  # noqa
            from app.ws.factory import other  # noqa: SSO
        """,
        "tests/test_ctx.py": """
            from app.ctx import UserExecutionContext
            from app.ws.factory import create_websocket_manager
            context = UserExecutionContext(user_id="u1")
        """,
        "setup.cfg": """
            [flake8]
            per-file-ignores =
                tests/*: SSOT002
        """,
    })
    result = flake8("--select", "SSO", ".", cwd=root)
    found = sorted((item["path"], int(item["line"]), item["code"]) for item in parse(result.stdout))
    assert found == [("./src/app/handlers.py", 3, "SSOT001"), ("./tests/test_ctx.py", 3, "SSOT001")], result.stdout


def test_extend_ignore_with_the_entry_point_prefix_silences_every_code(app_project):
    root = app_project({
        "src/app/handlers.py": "from app.ws.factory import create_websocket_manager\n",
        "setup.cfg": "[flake8]\nextend-ignore = SSO\n",
    })
    result = flake8(".", cwd=root)
    assert "F401" in result.stdout, result.stdout + result.stderr  # flake8 ran and reported its own code
    assert "SSOT" not in result.stdout


def test_stdin_with_display_name_uses_the_buffer_not_the_file(app_project):
    root = app_project({"src/app/handlers.py": "import os\n"})  # the saved file is clean
    buffer = "x = 'é'; from app.ws.factory import create_websocket_manager\n"
    result = flake8("--select", "SSO", "--stdin-display-name", "src/app/handlers.py", "-", cwd=root, stdin=buffer)
    assert parse(result.stdout) == [{
        "path": "src/app/handlers.py", "line": "1", "col": "10", "code": "SSOT001",
        "message": "legacy import 'app.ws.factory': use 'app.ws.canonical_imports'",
    }]


def test_bad_configuration_is_one_message_not_a_traceback(app_project):
    root = app_project({"src/app/handlers.py": "import os\n"})
    (root / "pyproject.toml").write_text('[tool.ssot.legacy]\n"app.x" = { use = "app.y", fixx = "safe" }\n')
    result = flake8("--select", "SSO", ".", cwd=root)
    assert "Traceback" not in result.stderr
    assert parse(result.stdout) == [{
        "path": "./src/app/handlers.py", "line": "1", "col": "1", "code": "SSOT000",
        "message": f"bad flake8-ssot configuration: {root / 'pyproject.toml'}: "
                   "tool.ssot.legacy.\"app.x\".fixx: unknown key; did you mean 'fix'?",
    }]


def test_examples_monorepo_through_flake8():
    root = REPO / "examples" / "monorepo"
    if not root.exists():
        pytest.skip("examples not present")
    result = flake8("--isolated", "--select", "SSO", ".", cwd=root)
    codes = Counter(item["code"] for item in parse(result.stdout))
    assert {"SSOT001", "SSOT002", "SSOT003"} <= set(codes), result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_with_a_project_index_the_plugin_reports_what_ssot_check_does_without_planning_fixes(tmp_path, monkeypatch):
    """Where `ssot check` has run (its cache directory exists), the plugin consults the project
    index, as `ssot check` does, and reports the same lines and messages. It builds no SSOT001
    fix: flake8 shows none, and planning one may read every file of the tree (who imports a
    name the fix renames) once per flake8 worker process (#16: the plugin's overhead)."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    (root / ".ssot_cache").mkdir()
    asked: list[str] = []
    importer_of = ProjectIndex.importer_of

    def spied(self, module, name, skip=""):
        asked.append(f"{module}.{name}")
        return importer_of(self, module, name, skip)

    monkeypatch.setattr(ProjectIndex, "importer_of", spied)
    monkeypatch.setattr(SsotChecker, "config_file", None)
    plugin, check = [], []
    for path in python_files(root):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        found = SsotChecker(ast.parse("".join(lines)), str(path), lines).run()
        plugin.extend((path.name, line, column, text) for line, column, text, _ in found)
    assert asked == []
    for path in python_files(root):
        config = config_for(str(path))
        result = check_source(path.read_text(encoding="utf-8"), str(path), config, index=index_for(config.src))
        check.extend((path.name, d.line, d.column, f"{d.code} {d.message}") for d in result.diagnostics)
    assert asked, "the fixture no longer has an SSOT001 fix that renames a name: this test checks nothing"
    assert sorted(plugin) == sorted(check)
    assert any("(not fixed: " in text for *_, text in plugin)  # SSOT002's message still carries its fix's outcome


def _plugin_lines(path: Path) -> list[tuple[int, str]]:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    found = SsotChecker(ast.parse("".join(lines)), str(path), lines).run()
    return [(line, text.split()[0]) for line, _, text, _ in found]


@pytest.mark.parametrize("renamed_since", [False, True], ids=["names-hold", "a-file-renamed-since"])
def test_the_plugin_takes_the_renamed_class_names_the_cache_kept_while_they_hold(tmp_path, monkeypatch, renamed_since):
    """`from app.h import H; H(n)` spells no word of the policy: the plugin checks it when the
    cache's names (which `ssot check` computed from the whole tree) say `H` is the class, and
    takes them only while no file changed since binds the class to a new name; else it computes
    them again (checking/renamed.names_of_tree), as `ssot check` would."""
    import test_run_indexes
    from projects import ssot

    root = test_run_indexes._renaming_project(tmp_path)
    quiet = root / "src/app/quiet.py"
    quiet.write_text(test_run_indexes.QUIET.format(module="h", name="H", n=1))
    assert ssot("check", "src", "--exit-zero", cwd=root).returncode == 0  # keeps the names
    if renamed_since:
        (root / "src/app/h.py").write_text("from app.a import Context as H\nRenamed = H\n")
    monkeypatch.setattr(SsotChecker, "config_file", None)
    found = _plugin_lines(quiet)
    index = index_for(config_for(str(quiet)).src)
    names = next(iter(index.aliases.values()))
    assert found == [(5, "SSOT002")] and "H" in names
    assert ("Renamed" in names) == renamed_since  # the kept names are stale: computed again


@pytest.fixture(scope="module")
def kept_names_project(tmp_path_factory) -> Path:
    """The renaming project after `ssot check` kept its cache: summaries, entries and the
    renamed-class names (`quiet.py` builds the class only as `H(n)`)."""
    import test_run_indexes
    from projects import ssot

    root = test_run_indexes._renaming_project(tmp_path_factory.mktemp("kept"))
    (root / "src/app/quiet.py").write_text(test_run_indexes.QUIET.format(module="h", name="H", n=1))
    assert ssot("check", "src", "--exit-zero", cwd=root).returncode == 0
    return root


def test_the_plugin_keeps_only_the_caches_summaries_and_as_text(kept_names_project, monkeypatch):
    """A flake8 worker keeps what it took from the cache for the rest of its run: not the
    document (120,000 lists on #16's tree, which every full garbage collection of the worker
    traversed: flake8 took longer than the plugin's own work accounted for), only the
    summaries, as text, which answer as the cache itself does."""
    import gc
    import weakref

    from flake8_ssot.checking import cache as cache_module
    from flake8_ssot.config.resolve import Overrides
    from flake8_ssot.index import Dependency

    opened: list[weakref.ref] = []
    init = cache_module.Cache.__init__

    def spied(self, *args, **kwargs):
        init(self, *args, **kwargs)
        opened.append(weakref.ref(self))

    monkeypatch.setattr(cache_module.Cache, "__init__", spied)
    monkeypatch.setattr(SsotChecker, "config_file", None)
    quiet = kept_names_project / "src/app/quiet.py"
    assert _plugin_lines(quiet) == [(5, "SSOT002")]  # through the kept names: the cache was read
    gc.collect()
    assert len(opened) == 1 and opened[0]() is None
    config = config_for(str(quiet))
    [stored] = index_for(config.src).stored
    cache = cache_module.Cache(str(kept_names_project / ".ssot_cache"), config, Overrides().key())
    assert cache.summaries, "ssot check kept no summary: this test compares nothing"
    for relative, (mtime, size, _) in cache.summaries.items():
        path = str(kept_names_project / relative)
        same = Dependency(path, mtime, size)
        assert stored(path, same) == cache.stored_summary(path, same) is not None
        assert stored(path, Dependency(path, mtime + 1, size)) is None  # changed since: parsed again


def _lines_in_a_worker(path: str) -> list[tuple[int, str]]:
    """In a forked worker: the plugin's findings, failing if the worker opens an index itself."""
    from flake8_ssot import flake8_plugin

    def refuse(config):
        raise AssertionError("the worker opened the project index: the parent did not")

    flake8_plugin._open_index = refuse
    return _plugin_lines(Path(path))


def test_with_jobs_the_index_is_opened_once_before_flake8_forks_its_workers(kept_names_project, monkeypatch):
    """flake8 parses the options in the process that forks its workers: the plugin opens the
    project index there (the cache and a stat of the tree, 0.3 s of CPU per worker on #16's
    tree), and each worker checks with it; where flake8 will not fork, the first file opens it."""
    import multiprocessing
    from argparse import Namespace

    from flake8.main.options import JobsArgument

    from flake8_ssot import flake8_plugin

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("flake8's workers are not forked here: each opens its own index")
    opened: list[str] = []
    monkeypatch.setattr(flake8_plugin, "_open_index", lambda config: opened.append(config.root) or None)
    monkeypatch.setattr(flake8_plugin, "_PROJECTS", {})  # what other tests of this process opened
    src = str(kept_names_project / "src")
    for jobs, paths in (("1", [src]), ("2", ["-"]), ("2", [src + "/app/quiet.py"])):  # flake8 runs these in one process
        SsotChecker.parse_options(Namespace(ssot_config=None, jobs=JobsArgument(jobs), filenames=paths))
    assert opened == []
    monkeypatch.undo()
    monkeypatch.setattr(flake8_plugin, "_PROJECTS", {})
    monkeypatch.setattr(SsotChecker, "config_file", None)
    SsotChecker.parse_options(Namespace(ssot_config=None, jobs=JobsArgument("auto"), filenames=[src]))
    if (multiprocessing.cpu_count() or 1) < 2:
        pytest.skip("one CPU: flake8 --jobs auto runs in one process")
    with multiprocessing.get_context("fork").Pool(1) as pool:
        found = pool.apply(_lines_in_a_worker, (str(kept_names_project / "src/app/quiet.py"),))
    assert found == [(5, "SSOT002")]


def test_flake8_jobs_2_reports_what_one_process_does(kept_names_project):
    one = flake8("--select", "SSO", "--jobs", "1", "src", cwd=kept_names_project)
    two = flake8("--select", "SSO", "--jobs", "2", "src", cwd=kept_names_project)
    assert "Traceback" not in one.stderr + two.stderr
    found = sorted(parse(two.stdout), key=lambda item: (item["path"], int(item["line"])))
    assert found == sorted(parse(one.stdout), key=lambda item: (item["path"], int(item["line"])))
    assert {"path": "src/app/quiet.py", "line": "5"}.items() <= next(
        item for item in found if item["path"].endswith("quiet.py")).items()
