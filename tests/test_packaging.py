"""Ready to publish and to run in CI: the sdist and the wheel build, pass `twine check` and
install into a fresh environment; `.pre-commit-hooks.yaml` works through `pre-commit
try-repo`; Hypothesis runs derandomized in CI so a failure can be replayed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import hypothesis_profile
from projects import APP_LEGACY_POLICY, write

ROOT = Path(__file__).resolve().parent.parent


def _run(*command: str | Path, cwd: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


# --------------------------------------------------------------------------- Hypothesis in CI


def test_hypothesis_profile_is_chosen_by_the_environment():
    assert hypothesis_profile({}) == "dev"
    assert hypothesis_profile({"CI": "true"}) == "ci"
    assert hypothesis_profile({"CI": "true", "HYPOTHESIS_PROFILE": "dev"}) == "dev"
    assert hypothesis_profile({"HYPOTHESIS_PROFILE": "ci"}) == "ci"


# What the suite's conftest.py sets up, then one property test's examples.
PROBE = """
import conftest  # noqa: F401  (loads the profile, as pytest does before any test)
from hypothesis import given, settings, strategies as st

seen = []

@given(st.text())
def record(text):
    seen.append(text)

record()
print(settings.get_current_profile_name() + repr(seen))
"""


def test_the_ci_profile_generates_the_same_examples_every_run(tmp_path):
    for name in ("conftest.py", "projects.py"):
        shutil.copy(ROOT / "tests" / name, tmp_path / name)
    base = {key: value for key, value in os.environ.items() if key not in ("CI", "HYPOTHESIS_PROFILE")}
    ci_first, ci_second, dev_first, dev_second = (
        _run(sys.executable, "-c", PROBE, cwd=tmp_path, env=env).stdout
        for env in ({**base, "CI": "true"}, {**base, "CI": "true"}, base, base)
    )
    assert ci_first.startswith("ci[") and dev_first.startswith("dev[")
    assert ci_first == ci_second  # derandomized: a CI failure replays anywhere
    assert dev_first != dev_second  # random outside CI, so searches keep finding new cases


def test_ci_runs_the_suite_under_the_ci_profile():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"\n' in script
