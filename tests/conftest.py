"""Fixtures shared by the test files: a small project of the seed project's shape in tmp_path.

The policies and the `ssot` command they are built on are plain importable names in
projects.py (they are needed at import time, where fixtures are not available).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from projects import APP_POLICY, write


@pytest.fixture
def app_project(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write files (dedented) into a project under APP_POLICY; returns the project's root."""

    def build(files: dict[str, str], policy: str = APP_POLICY) -> Path:
        (tmp_path / "pyproject.toml").write_text(policy, encoding="utf-8")
        return write(tmp_path, files)

    return build
