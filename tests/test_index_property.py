"""Property (#14): for generated packages with re-export chains, aliases, star imports and
`__all__`, the origin the project index computes for every name of every module is what
Python's import system gives (the package is imported in a subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flake8_ssot.index import DEFINITION, MISSING, ProjectIndex

NAMES = ("Manager", "Factory", "Context", "_Private")


@st.composite
def statement(draw, position: int) -> str:
    name = draw(st.sampled_from(NAMES))
    kinds = ["class"] + (["from", "star", "alias"] if position else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "class":
        return f"class {name}:\n    pass\n"
    other = draw(st.integers(0, position - 1))  # only earlier modules: no import cycles
    if kind == "from":
        source = draw(st.sampled_from(NAMES))
        alias = f" as {name}" if source != name else ""
        return f"from gen.m{other} import {source}{alias}\n"
    if kind == "star":
        return f"from gen.m{other} import *\n"
    source = draw(st.sampled_from(NAMES))
    return f"import gen.m{other} as _m{other}\n{name} = _m{other}.{source}\n"


@st.composite
def module(draw, position: int) -> str:
    body = "".join(draw(st.lists(statement(position), min_size=1, max_size=4)))
    if draw(st.booleans()):
        listed = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
        body += f"__all__ = {listed!r}\n"
    return body


@st.composite
def package(draw) -> list[str]:
    count = draw(st.integers(2, 5))
    return [draw(module(position)) for position in range(count)]


_PROBE = """
import importlib, json, sys
names, count = sys.argv[1].split(","), int(sys.argv[2])
found = {}
for position in range(count):
    module = importlib.import_module(f"gen.m{position}")
    for name in names:
        value = getattr(module, name, None)
        key = f"gen.m{position}.{name}"
        found[key] = None if value is None else f"{value.__module__}.{value.__qualname__}"
print(json.dumps(found))
"""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(package())
def test_the_index_finds_the_object_python_imports(modules):
    with tempfile.TemporaryDirectory() as root:
        base = Path(root) / "gen"
        base.mkdir()
        (base / "__init__.py").write_text("")
        for position, text in enumerate(modules):
            (base / f"m{position}.py").write_text(text)
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, ",".join(NAMES), str(len(modules))],
            capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONPATH": root}, timeout=60)
        assume(done.returncode == 0)  # the generated package does not import (a name not there)
        python = json.loads(done.stdout)
        index = ProjectIndex([root])
        for path, expected in python.items():
            origin = index.resolve(path)
            if expected is None:
                assert origin.kind == MISSING, (path, origin, modules)
            else:
                assert origin.kind == DEFINITION and origin.path == expected, (path, origin, expected, modules)
