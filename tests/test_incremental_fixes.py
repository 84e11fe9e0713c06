"""The language server's incremental check in a module whose findings carry whole-file fixes
(SSOT002's: it counts every use of the class's name and joins the file's imports).

Such a finding kept from the last full check still holds after an edit whose changed lines
spell no import, no `__all__` and no name its call uses; otherwise, and for a fresh one built
from the reduced buffer, the full check answers. The module is the editor benchmark's
(benchmarks/lsp_latency.py: a pipeline module of the seeds' shape with direct constructions of
`UserExecutionContext` and legacy imports), checked with the project index as the server does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source
from flake8_ssot.index import ProjectIndex
from flake8_ssot.server.incremental import IncrementalChecker

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
import lsp_latency  # noqa: E402


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("editor")
    module = lsp_latency.write_project(root, 700)
    config = load_config(str(root / "pyproject.toml"))
    return module, config, module.read_text(encoding="utf-8")


def full(text: str, module: Path, config) -> list:
    return check_source(text, str(module), config, noqa=True, index=ProjectIndex(config.src)).diagnostics


def checker_for(config) -> IncrementalChecker:
    checker = IncrementalChecker()
    checker.index = ProjectIndex(config.src)
    return checker


# Lines typed into a method body (at its indentation), each a kind of edit an editor sends.
TYPED = [
    "# reviewed with the supervisor team",  # touches nothing a fix reads
    "# a UserExecutionContext is built per request",  # a comment is a use of the class's name
    "context: UserExecutionContext | None = None",  # an annotation: another use
    "from netra_backend.app.services.user_execution_context import UserExecutionContext",
    "import json",
    "__all__ = ['ExecutionPipeline']",
    "payload = dict(rows=len(rows))",
    "if payload",  # half typed: the buffer does not parse
    "payload.get(",  # a bracket left open
]


def test_a_comment_typed_in_a_method_keeps_the_fixes_and_is_incremental(project):
    module, config, source = project
    checker = checker_for(config)
    first = checker.check(source, str(module), config)
    assert any(d.code == "SSOT002" and d.fix is not None for d in first)
    lines = source.split("\n")
    where = next(i for i, line in enumerate(lines) if line.startswith("        return "))
    edited = "\n".join([*lines[:where], "        # reviewed", *lines[where:]])
    assert checker.check(edited, str(module), config) == full(edited, module, config)
    assert checker.last_was_incremental


def test_a_new_use_of_the_class_name_takes_the_full_check(project):
    module, config, source = project
    checker = checker_for(config)
    checker.check(source, str(module), config)
    lines = source.split("\n")
    where = next(i for i, line in enumerate(lines) if line.startswith("        return "))
    edited = "\n".join([*lines[:where], "        context: UserExecutionContext | None = None", *lines[where:]])
    assert checker.check(edited, str(module), config) == full(edited, module, config)
    assert not checker.last_was_incremental


TOP = [
    "from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context",
    "from netra_backend.app.services import user_execution_context",
    "import json",
    "# UserExecutionContext: built by the factory only",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_edits_give_what_the_full_check_gives(project, data):
    module, config, source = project
    checker = checker_for(config)
    assert checker.check(source, str(module), config) == full(source, module, config)
    lines = source.split("\n")
    bodies = [i for i, line in enumerate(lines) if line.startswith("        ") and line.strip()]
    for _ in range(data.draw(st.integers(min_value=1, max_value=3), label="edits")):
        kind = data.draw(st.sampled_from(["type", "delete", "construction", "top"]), label="kind")
        where = data.draw(st.sampled_from(bodies), label="line")
        if where >= len(lines):
            continue
        indent = lines[where][:len(lines[where]) - len(lines[where].lstrip())]
        if kind == "top":  # a module-level line after the imports: the factory's import, another
            imports = [i for i, line in enumerate(lines) if line.startswith(("import ", "from "))]
            lines[imports[-1] + 1:imports[-1] + 1] = [data.draw(st.sampled_from(TOP), label="top")]
        elif kind == "type":
            lines[where:where] = [indent + data.draw(st.sampled_from(TYPED), label="typed")]
        elif kind == "delete" and lines[where].strip() and not lines[where].rstrip().endswith(":"):
            del lines[where]
        else:  # a construction removed or added: the class's last use may change
            built = [i for i, line in enumerate(lines) if "UserExecutionContext(" in line]
            if built and data.draw(st.booleans(), label="remove"):
                target = data.draw(st.sampled_from(built), label="built")
                lines[target] = lines[target].replace("UserExecutionContext(", "dict(")
            else:
                lines[where:where] = [indent + "context = UserExecutionContext(user_id='u1', thread_id='t1')"]
        text = "\n".join(lines)
        assert checker.check(text, str(module), config) == full(text, module, config), text


def test_deleting_the_other_construction_makes_the_kept_fix_remove_the_import(tmp_path):
    """Two constructions, the class imported for them alone: deleting one (in another
    function) makes the other the last use, so its fix now removes the class's import."""
    lsp_latency.write_project(tmp_path, 10)
    module = tmp_path / "src/netra_backend/app/agents/handoff.py"
    module.write_text(
        '"""Agent handoff."""\n'
        "from netra_backend.app.services.user_execution_context import UserExecutionContext\n\n\n"
        "def open_session(user_id):\n    return UserExecutionContext(user_id)\n\n\n"
        "def resume_session(user_id):\n    return UserExecutionContext(user_id)  # resumed\n",
        encoding="utf-8")
    config = load_config(str(tmp_path / "pyproject.toml"))
    source = module.read_text(encoding="utf-8")
    checker = checker_for(config)
    assert checker.check(source, str(module), config) == full(source, module, config)
    edited = source.replace("    return UserExecutionContext(user_id)  # resumed", "    return None")
    after = checker.check(edited, str(module), config)
    assert after == full(edited, module, config)
    [finding] = [d for d in after if d.code == "SSOT002"]
    assert finding.fix is not None and any("UserExecutionContext" not in edit.replacement and edit.span.line == 2
                                           for edit in finding.fix.edits)
