"""The two front-ends agree: `ssot check` and `flake8 --select SSO` report the same
(path, line, column, code) on every fixture project, and on generated files.

noqa/ is left out: its expectations rely on flake8-only `per-file-ignores` in `.flake8`.
Files that do not parse are left out: flake8 reports E999 and runs no plugin on them,
while `ssot check` still checks what the error-tolerant parse shows.
"""

from __future__ import annotations

import ast
import json
import os
import re
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markers import FIXTURES, expected, fixture_projects, python_files
from projects import flake8 as run_flake8
from projects import ssot

from flake8_ssot import flake8_plugin
from flake8_ssot.checking.runner import check_bytes
from flake8_ssot.config import load_config
from flake8_ssot.flake8_plugin import SsotChecker
from flake8_ssot.index import index_for

FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>SSOT\d{3}) ")


def parses(path: Path) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(path.read_bytes())
    except (SyntaxError, ValueError):
        return False
    return True


PROJECTS = [
    project for project in fixture_projects()
    # broken/ is all syntax errors: no file there that parses has a finding for flake8 to agree on
    if project.relative_to(FIXTURES).parts[0] != "noqa"
    and any(parses(path) and expected(path) for path in python_files(project))
]


@pytest.mark.parametrize("project", PROJECTS, ids=[str(p.relative_to(FIXTURES)) for p in PROJECTS])
def test_ssot_check_and_flake8_report_the_same_findings(project):
    files = [path.relative_to(project).as_posix() for path in python_files(project) if parses(path)]
    cli = ssot("check", "--no-cache", "--output-format", "json", *files, cwd=project, timeout=300)
    assert cli.returncode in (0, 1), cli.stderr
    ours = {
        (Path(item["filename"]).relative_to(project.resolve()).as_posix(),
         item["location"]["row"], item["location"]["column"], item["code"])
        for item in json.loads(cli.stdout)
    }
    flake8 = run_flake8("--isolated", "--select", "SSO", *files, cwd=project, timeout=300)
    assert flake8.returncode in (0, 1), flake8.stderr
    theirs = set()
    for line in flake8.stdout.splitlines():
        match = FLAKE8_LINE.match(line)
        assert match, line
        theirs.add((match["path"], int(match["line"]), int(match["col"]), match["code"]))
    assert ours, "the fixture project should have findings"
    assert ours == theirs


# --------------------------------------------------------------------------- generated files

PROJECT = FIXTURES / "project"
GENERATED_PATH = str(PROJECT / "src" / "netra_backend" / "app" / "agents" / "generated_module.py")
WS = "netra_backend.app.websocket_core"
MODULES = [
    f"{WS}.factory", f"{WS}.factory.registry", f"{WS}.canonical_imports", f"{WS}.websocket_manager",
    f"{WS}.unified_manager", f"{WS}.connection_manager", f"{WS}.websocket_manager_factory",
    "netra_backend.app.legacy_metrics", "netra_backend.app.legacy_tracing", "netra_backend.app.core.tracing",
    "netra_backend.app.services.user_execution_context", "netra_backend.app.services", "json", WS,
]
NAMES = [
    "create_websocket_manager", "WebSocketManager", "UserExecutionContext", "UserContextManager",
    "create_defensive_user_execution_context", "get_websocket_manager", "factory", "record_latency", "dumps",
]
RELATIVE = ["..websocket_core.factory", "..websocket_core", "...app.legacy_metrics", "..services", ".supervisor"]
PREFIXES = ["", "", "", 'titre = "Réponse prête"; ', '見出し = "通知"; ', 'statut = "✅🚀"; ']

identifier = st.sampled_from(["ws", "ctx", "legacy", "mgr", "factory_mod", "uec"])
module = st.sampled_from(MODULES)
name = st.sampled_from(NAMES)


@st.composite
def statement(draw) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return f"import {draw(module)}"
    if kind == 1:
        return f"import {draw(module)} as {draw(identifier)}"
    if kind == 2:
        return f"from {draw(module)} import {draw(name)}"
    if kind == 3:
        return f"from {draw(module)} import {draw(name)} as {draw(identifier)}"
    if kind == 4:
        return f"from {draw(st.sampled_from(RELATIVE))} import {draw(name)}"
    if kind == 5:
        return f"result = {draw(name)}(user_id='u')"
    if kind == 6:
        return f"result = {draw(identifier)}.{draw(name)}()"
    if kind == 7:
        return f"import importlib; importlib.import_module({draw(module)!r})"
    if kind == 8:
        return f"__all__ = [{draw(name)!r}]"
    return f"patch_target = {draw(module) + '.' + draw(name)!r}"


@st.composite
def program(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        line = draw(st.sampled_from(PREFIXES)) + draw(statement())
        shape = draw(st.integers(0, 3))
        if shape == 1:
            line = "def handler():\n    " + line
        elif shape == 2:
            line = "try:\n    " + line + "\nexcept ImportError:\n    pass"
        elif shape == 3:
            line = "if TYPE_CHECKING:\n    " + line
        lines.append(line)
    return "from typing import TYPE_CHECKING\n" + "\n".join(lines) + "\n"


# A construction only the project index sees: canonical_imports re-exports the class.
REEXPORTED_CONSTRUCTION = (
    "from typing import TYPE_CHECKING\n"
    f"import {WS}.canonical_imports as legacy\n"
    "result = legacy.UserExecutionContext()\n"
)


def plugin_findings(source: str, path: str, index: bool | None = None, messages: bool = False) -> set[tuple]:
    """The plugin's findings; `index` True or False stands for the project's cache directory
    existing or not (the plugin consults the project index only when it does), None leaves
    the plugin to look."""
    SsotChecker.config_file = None
    checker = SsotChecker(ast.parse(source), path, source.splitlines(keepends=True))
    with pytest.MonkeyPatch.context() as patch:
        if index is not None:
            patch.setattr(flake8_plugin, "_project_index", lambda config: index_for(config.src) if index else None)
        found = list(checker.run())
    if messages:
        return {(line, column, message) for line, column, message, _ in found}
    return {(line, column, message.split(" ", 1)[0]) for line, column, message, _ in found}


def cli_findings(source: str, path: str, config, project: bool = True, messages: bool = False) -> set[tuple]:
    result = check_bytes(source.encode("utf-8"), path, config, project=project)
    assert result.error is None
    if messages:
        return {(d.line, d.column, f"{d.code} {d.message}") for d in result.diagnostics}
    return {(d.line, d.column, d.code) for d in result.diagnostics}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program())
@example(REEXPORTED_CONSTRUCTION)
def test_plugin_and_cli_agree_on_generated_imports_and_calls(source):
    """With the same view of the project, the same findings, message for message: the plugin
    with the project index (the cache directory `ssot check` leaves) as `ssot check`, and the
    plugin without it (flake8 where `ssot check` never ran) as a check of the file alone. The
    fixture project has no cache directory, so the index is given or withheld explicitly:
    without it a construction through a re-export (`canonical_imports.UserExecutionContext()`)
    is not seen, by design (docs/index.md)."""
    config = load_config(str(PROJECT / "pyproject.toml"))
    assert plugin_findings(source, GENERATED_PATH, index=True, messages=True) == \
        cli_findings(source, GENERATED_PATH, config, messages=True)
    assert plugin_findings(source, GENERATED_PATH, index=False, messages=True) == \
        cli_findings(source, GENERATED_PATH, config, project=False, messages=True)


def test_the_project_index_decides_what_both_front_ends_see():
    """Not a disagreement but one view each: the re-exported construction is found with the
    index by both front-ends and without it by neither."""
    config = load_config(str(PROJECT / "pyproject.toml"))
    found = {(3, 9, "SSOT002")}
    assert plugin_findings(REEXPORTED_CONSTRUCTION, GENERATED_PATH, index=True) == found
    assert cli_findings(REEXPORTED_CONSTRUCTION, GENERATED_PATH, config) == found
    assert plugin_findings(REEXPORTED_CONSTRUCTION, GENERATED_PATH, index=False) == set()
    assert cli_findings(REEXPORTED_CONSTRUCTION, GENERATED_PATH, config, project=False) == set()


def test_generated_programs_do_find_violations():
    """The generator is worth running: a fixed example has findings in both front-ends."""
    source = (
        "from typing import TYPE_CHECKING\n"
        'titre = "Réponse prête"; from netra_backend.app.websocket_core.factory import create_websocket_manager\n'
        "result = UserExecutionContext(user_id='u')\n"
        "from ..services import UserExecutionContext\n"
    )
    config = load_config(str(PROJECT / "pyproject.toml"))
    found = plugin_findings(source, GENERATED_PATH)
    assert found == cli_findings(source, GENERATED_PATH, config)
    assert (2, 25, "SSOT001") in found


STDLIB_POLICY = """
[tool.ssot]
src = ["."]
[tool.ssot.legacy]
"os.path" = "pathlib"
"collections.abc" = "typing"
"typing.Optional" = "typing.Union"
"importlib.util" = "importlib.resources"
[tool.ssot.factories]
"threading.Thread" = { use = "concurrent.futures.ThreadPoolExecutor" }
[tool.ssot.canonical]
"os.fspath" = {}
"""


def test_plugin_and_cli_agree_on_the_standard_library(tmp_path):
    """Real code of every shape: both front-ends over a deterministic sample of this Python's stdlib."""
    (tmp_path / "pyproject.toml").write_text(STDLIB_POLICY, encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    stdlib = Path(os.__file__).parent
    sample = sorted(stdlib.glob("*.py"))[::3][:120]
    total = 0
    for path in sample:
        data = path.read_bytes()
        try:
            source = data.decode("utf-8")
            ast.parse(source)
        except (UnicodeDecodeError, SyntaxError, ValueError):
            continue
        # Checked as if it lived in the policy's project, under its own module name.
        as_path = str(tmp_path / path.name)
        ours = cli_findings(source, as_path, config)
        assert plugin_findings(source, as_path) == ours, path
        total += len(ours)
    assert total > 20  # the policy does fire on the standard library
