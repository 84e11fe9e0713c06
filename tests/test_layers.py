"""The package layout is the pipeline: `lint-imports` keeps the layers contract in pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_layers_contract_is_kept() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint_imports, "import-linter is a test dependency: pip install -e '.[test]'"
    run = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_contract_names_every_package() -> None:
    """A new package or top-level module must take its place in the layers, or nothing checks it."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    contract = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]
    named = {name.strip() for layer in contract["layers"] for name in layer.split("|")}
    package = ROOT / "src" / "flake8_ssot"
    present = {f"flake8_ssot.{p.stem}" for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")}
    present |= {f"flake8_ssot.{p.parent.name}" for p in package.glob("*/__init__.py")}
    assert present == named
