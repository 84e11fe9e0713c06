"""Issue #17: `ssot check` follows the command-line conventions of ruff and flake8."""

from __future__ import annotations

from pathlib import Path

import projects
from projects import write

POLICY = '[tool.ssot]\n[tool.ssot.legacy]\n"old.mod" = "new.mod"\n'


def ssot(*args: str, cwd: Path, stdin: str | None = None):
    return projects.ssot(*args, cwd=cwd, stdin=stdin)


def project(tmp_path: Path, policy: str = POLICY) -> Path:
    write(tmp_path, {"pyproject.toml": policy})
    write(tmp_path, {"app.py": "import old.mod\n"})
    return tmp_path


# --------------------------------------------------------------------------- 1: no policy


def test_no_policy_anywhere_is_a_configuration_error_naming_where_it_looked(tmp_path):
    write(tmp_path, {"a.py": "import os\n"})
    result = ssot("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "All checks passed" not in result.stdout
    assert f"no pyproject.toml with a [tool.ssot] table in {tmp_path} or above" in result.stderr


def test_no_policy_for_standard_input_is_a_configuration_error(tmp_path):
    result = ssot("check", "--stdin-filename", "a.py", cwd=tmp_path, stdin="import os\n")
    assert result.returncode == 2
    assert "[tool.ssot]" in result.stderr


def test_config_file_without_a_tool_ssot_table_is_refused(tmp_path):
    write(tmp_path, {"other.toml": '[project]\nname = "x"\n'})
    write(tmp_path, {"a.py": "import os\n"})
    result = ssot("check", "--no-cache", "--config", "other.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "other.toml: no [tool.ssot] table" in result.stderr


def test_an_empty_tool_ssot_table_is_a_policy(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.ssot]\n"})
    write(tmp_path, {"a.py": "import os\n"})
    result = ssot("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
