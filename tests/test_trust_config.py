"""Hostile configuration is one clear line and exit 2; a policy whose fixes cannot converge is refused.

Each test reproduces one finding of the reliability audit (issue #22) in an empty directory,
as a user running `ssot check --fix` unattended in CI would meet it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from projects import MOCK_IMPORT as LEGACY
from projects import MOCK_POLICY as POLICY
from projects import policy_project as project
from projects import ssot

from flake8_ssot.config import ConfigError
from flake8_ssot.config.text import config_from_bytes
from flake8_ssot.fixes import fix_text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_config_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path / "f")
    (root / "a.py").write_text(LEGACY)
    os.mkfifo(root / "fifo.toml")
    run = ssot("check", "--no-cache", "--config", "fifo.toml", "a.py", cwd=root, timeout=30)
    assert run.returncode == 2
    assert "fifo.toml: not a regular file" in run.stderr, run.stderr


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    "toml, problem",
    [
        ("[tool.ssot]\nsrc = " + "[" * 500 + "]" * 500 + "\n", "nested too deeply"),
        ("[tool.other]\nx = " + "[" * 500 + "]" * 500 + "\n[tool.ssot]\n", "nested too deeply"),
        ("[tool.other]\nx = " + "9" * 5000 + "\n[tool.ssot]\n", "integer too large"),
    ],
    ids=["nested-in-ssot", "nested-in-other-tool", "huge-integer"],
)
def test_hostile_pyproject_values_are_one_clear_line(tmp_path: Path, toml: str, problem: str) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "pyproject.toml").write_text(toml)
    (root / "a.py").write_text(LEGACY)
    run = ssot("check", "--no-cache", ".", cwd=root)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "pyproject.toml" in lines[0] and problem in lines[0], lines[0]
    assert len(lines[0]) < 400  # a huge value is cut, never echoed whole


def test_a_replacement_cycle_through_canonical_is_a_configuration_error(tmp_path: Path) -> None:
    root = project(
        tmp_path / "c",
        '[tool.ssot]\nsrc = ["."]\n[tool.ssot.legacy]\n"pkg.old" = "pkg.new"\n'
        '[tool.ssot.canonical]\n"pkg.old.thing" = {}\n',
    )
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("")
    (root / "main.py").write_text("from pkg.old import thing\n")
    run = ssot("check", "--no-cache", "--fix", ".", cwd=root)
    assert run.returncode == 2, run.stdout + run.stderr
    assert (
        "tool.ssot.canonical.\"pkg.old.thing\": replacements form a cycle: "
        "pkg.old.thing -> pkg.new.thing -> pkg.old.thing" in run.stderr
    ), run.stderr
    assert (root / "main.py").read_text() == "from pkg.old import thing\n"


# --------------------------------------------------------------------------- the cache


def test_a_nested_configuration_cannot_put_the_cache_outside_the_project(tmp_path: Path) -> None:
    root = project(tmp_path / "p", POLICY + '[tool.ssot]\nsrc = ["."]\n')
    vendored = root / "vendor" / "lib"
    vendored.mkdir(parents=True)
    (vendored / "pyproject.toml").write_text(POLICY + '[tool.ssot]\ncache-dir = "../../../elsewhere"\n')
    (vendored / "a.py").write_text(LEGACY)
    (root / "b.py").write_text(LEGACY)
    run = ssot("check", ".", cwd=root)
    assert run.returncode == 1, run.stdout + run.stderr
    assert not (tmp_path / "elsewhere").exists()
    assert (vendored / ".ssot_cache").is_dir() and (root / ".ssot_cache").is_dir()
    assert run.stderr == (
        f"warning: {vendored / 'pyproject.toml'}: tool.ssot.cache-dir ignored: only the project's own "
        f"configuration ({root}) or --cache-dir may put the cache outside the project; "
        f"using {vendored / '.ssot_cache'}\n"
    )


def test_the_project_configuration_may_put_the_cache_anywhere(tmp_path: Path) -> None:
    root = project(tmp_path / "p", POLICY + '[tool.ssot]\ncache-dir = "../shared-cache"\n')
    (root / "a.py").write_text(LEGACY)
    run = ssot("check", ".", cwd=root)
    assert run.returncode == 1 and run.stderr == ""
    assert (tmp_path / "shared-cache").is_dir()


def test_a_cache_that_cannot_be_written_is_said_once(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    for name in "abc":
        (root / f"{name}.py").write_text(LEGACY)
    (root / "not-a-directory").write_text("")
    run = ssot("check", "--cache-dir", "not-a-directory/cache", ".", cwd=root)
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stderr.count("warning: ") == 1, run.stderr
    assert run.stderr.startswith("warning: cannot write the cache in not-a-directory/cache: Not a directory; "), run.stderr


# --------------------------------------------------------------------------- --fix converges


MODULES = ("pkg.old", "pkg.new", "pkg.core", "pkg.old.sub", "pkg.legacy_a", "lib")
NAMES = ("thing", "Other")
symbols = st.builds(lambda m, n: f"{m}.{n}", st.sampled_from(MODULES), st.sampled_from(NAMES))
dotted = st.one_of(st.sampled_from(MODULES), symbols)
legacy_value = st.one_of(
    dotted.map(lambda use: f'"{use}"'),
    st.builds(lambda use, fix: f'{{ use = "{use}", fix = "{fix}" }}', dotted, st.sampled_from(("safe", "unsafe", "none"))),
)


def _statement(module: str, name: str, shape: int) -> str:
    return [
        f"from {module} import {name}\n{name}()\n",
        f"from {module} import {name} as alias_{name}\nalias_{name}()\n",
        f"import {module}\n{module}.{name}()\n",
        f"import {module} as mod\nmod.{name}()\n",
        f'with mock.patch("{module}.{name}"):\n    pass\n',
        f"from {module} import {name}, Other\n",
    ][shape]


@st.composite
def policy_and_code(draw):
    """A policy, and code importing what it names (its keys, their replacements, their parents)."""
    legacy = draw(st.dictionaries(st.one_of(dotted, st.just("pkg.legacy_*")), legacy_value, max_size=4))
    canonical = draw(st.sets(symbols, max_size=3))
    policy = (
        '[tool.ssot]\nsrc = ["."]\n[tool.ssot.legacy]\n'
        + "".join(f'"{key}" = {value}\n' for key, value in legacy.items())
        + "[tool.ssot.canonical]\n"
        + "".join(f'"{key}" = {{}}\n' for key in canonical)
    )
    named = [key.replace("*", "a") for key in legacy] + sorted(canonical)
    named += [value.split('"')[1] for value in legacy.values()]
    paths = st.one_of(st.sampled_from(named), symbols) if named else symbols
    body = []
    for _ in range(draw(st.integers(1, 4))):
        path = draw(paths)
        if path.rpartition(".")[2] in NAMES:
            module, _, name = path.rpartition(".")
        else:
            module, name = path, draw(st.sampled_from(NAMES))
        body.append(_statement(module, name, draw(st.integers(0, 5))))
    return policy, "from unittest import mock\n" + "".join(body)


FILES = ("/project/app/main.py", "/project/pkg/user.py")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=policy_and_code(), path=st.sampled_from(FILES))
def test_a_second_fix_changes_nothing_or_the_policy_is_refused(case, path):
    """Over generated policies (legacy modules and symbols, wildcards, canonical homes, their
    mixes) and code importing from them: the configuration is refused (exit 2), or
    `ssot check --fix --unsafe-fixes` run a second time changes nothing."""
    policy, source = case
    try:
        config = config_from_bytes(policy.encode(), "/project/pyproject.toml")
    except ConfigError:
        return
    once = fix_text(source, path, config, unsafe=True)
    twice = fix_text(once.text, path, config, unsafe=True)
    assert twice.text == once.text, f"{policy}\n--- first fix:\n{once.text}\n--- second fix:\n{twice.text}"
