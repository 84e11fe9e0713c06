"""Fixtures shared by the test files: a small project of the seed project's shape in tmp_path.

The policies and the `ssot` command they are built on are plain importable names in
projects.py (they are needed at import time, where fixtures are not available).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import settings
from projects import APP_POLICY, write

# Hypothesis profiles. `dev`: random examples, a new search every run. `ci`: derandomized
# (the examples follow from the test's own code, so a failure in CI fails the same way on a
# laptop with HYPOTHESIS_PROFILE=ci) and no example database to carry state between runs.
# Either prints the blob that replays a failing example (@reproduce_failure).
settings.register_profile("dev", print_blob=True)
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)


def hypothesis_profile(environ) -> str:
    """HYPOTHESIS_PROFILE when set, else `ci` under CI (CI is set by GitHub Actions, GitLab CI
    and most others), else `dev`."""
    return environ.get("HYPOTHESIS_PROFILE") or ("ci" if environ.get("CI") else "dev")


settings.load_profile(hypothesis_profile(os.environ))


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package once for the whole run when Python is told not to write bytecode
    (PYTHONDONTWRITEBYTECODE, as on the CI machine): each of the hundreds of Python processes
    the tests start (`ssot server`, `flake8`, the preloaded `ssot`) would otherwise compile
    every module again, a fifth of a second each. Once, in the process that starts the xdist
    workers (or the only one); a module edited later is compiled again as usual."""
    if sys.dont_write_bytecode and not hasattr(config, "workerinput"):
        import compileall

        import flake8_ssot

        compileall.compile_dir(os.path.dirname(flake8_ssot.__file__), quiet=1)


@pytest.fixture
def app_project(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write files (dedented) into a project under APP_POLICY; returns the project's root."""

    def build(files: dict[str, str], policy: str = APP_POLICY) -> Path:
        (tmp_path / "pyproject.toml").write_text(policy, encoding="utf-8")
        return write(tmp_path, files)

    return build
