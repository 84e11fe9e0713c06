"""Every fixture file, checked by the engine, reports exactly the diagnostics marked on its lines."""

from __future__ import annotations

import pytest

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source
from markers import actual, describe, expected, fixture_projects, python_files

CASES = [(project, path) for project in fixture_projects() for path in python_files(project)]


@pytest.mark.parametrize(
    "project, path", CASES, ids=[str(path.relative_to(project.parent)) for project, path in CASES]
)
def test_fixture_reports_exactly_the_marked_lines(project, path):
    config = load_config(str(project / "pyproject.toml"))
    source = path.read_text(encoding="utf-8")
    result = check_source(source, str(path), config)
    want, got = expected(path), actual(result.diagnostics)
    missing, extra = want - got, got - want
    assert not missing and not extra, describe(path, missing, extra, result.diagnostics)


@pytest.mark.parametrize(
    "project, path", CASES, ids=[str(path.relative_to(project.parent)) for project, path in CASES]
)
def test_prefilter_never_changes_the_result(project, path):
    config = load_config(str(project / "pyproject.toml"))
    source = path.read_text(encoding="utf-8")
    fast = check_source(source, str(path), config).diagnostics
    slow = check_source(source, str(path), config, prefilter=False).diagnostics
    assert fast == slow
