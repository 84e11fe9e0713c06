"""The engine for real on a large real tree: this machine's Python standard library."""

from __future__ import annotations

import sysconfig
from collections import Counter
from pathlib import Path

import pytest

from flake8_ssot.config import load_config
from flake8_ssot.engine import check_source

STDLIB = Path(sysconfig.get_paths()["stdlib"])
POLICY = """
[tool.ssot]
src = ["."]
[tool.ssot.legacy]
"optparse" = { use = "argparse", message = "optparse is superseded" }
"imp" = "importlib"
"asyncore" = "asyncio"
"asynchat" = "asyncio"
"distutils" = "setuptools"
"typing.List" = "builtins.list"
"typing.Dict" = "builtins.dict"
"""


def _sources():
    for path in sorted(STDLIB.rglob("*.py")):
        if "site-packages" in path.parts or "test" in path.parts[len(STDLIB.parts):][:1]:
            continue
        try:
            yield path, path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    root = tmp_path_factory.mktemp("stdlib-policy")
    (root / "pyproject.toml").write_text(POLICY.replace('src = ["."]', f'src = ["{STDLIB.as_posix()}"]'))
    return load_config(str(root / "pyproject.toml"))


def test_whole_standard_library_checks_without_error_and_finds_real_uses(config):
    counts: Counter = Counter()
    files = 0
    for path, source in _sources():
        files += 1
        for diagnostic in check_source(source, str(path), config).diagnostics:
            counts[diagnostic.subject] += 1
    assert files > 500
    # profile.py and cProfile.py still parse their command line with optparse
    assert counts["optparse"] >= 2, counts


def test_prefilter_equals_full_run_on_real_code(config):
    for index, (path, source) in enumerate(_sources()):
        if index % 15:
            continue  # a deterministic sample keeps this quick
        fast = check_source(source, str(path), config).diagnostics
        slow = check_source(source, str(path), config, prefilter=False).diagnostics
        assert fast == slow, path
