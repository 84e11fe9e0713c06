"""A factory-only class renamed, or called under its new name, in compatibility characters still
builds the class (SSOT002 through a re-export: index/aliases.py, checking/renamed.py,
checking/runner.spells_a_renamed_class, rules/direct_construction._renamed_calls).

Python reads identifiers in NFKC form: `from app.models.context import ＵserExecutionContext as
Context` (a fullwidth U) binds `Context` to the class, and `Ｃontext()` calls `Context`. The
searches for the names a class is renamed to, and for the calls of them, read text as written
and missed both: the constructions they hide were never reported. The tree is the seeds'
UserExecutionContext migration at the size where a run computes the renamed names (64 files),
checked cold and after a module starts renaming the class in place (the cache's names then
stand only if that module binds no new one).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from projects import ssot, write

FULLWIDTH_U, FULLWIDTH_C, FULLWIDTH_E = "\uff35", "\uff23", "\uff25"

POLICY = """\
[tool.ssot]
src = ["src"]

[tool.ssot.factories]
"app.models.context.UserExecutionContext" = { use = "app.models.context.create_user_execution_context" }
"""


def _tree(root: Path, renaming: str) -> None:
    files = {
        "pyproject.toml": POLICY,
        "src/app/__init__.py": "",
        "src/app/models/__init__.py": "",
        "src/app/services/__init__.py": "",
        "src/app/models/context.py": (
            "class UserExecutionContext:\n    def __init__(self, user_id=None):\n        self.user_id = user_id\n\n\n"
            "def create_user_execution_context(user_id=None):\n    return UserExecutionContext(user_id)\n"),
        # the re-export: the class under another name, spelled as `renaming` says
        "src/app/services/context.py": f"from app.models.context import {renaming} as ExecutionContext\n",
        "src/app/services/agent.py": (
            '"""Agent sessions."""\n\nfrom app.services.context import ExecutionContext\n\n\n'
            "def start(user_id):\n    return ExecutionContext(user_id)\n"),
        "src/app/services/bridge.py": (
            '"""The websocket bridge builds its own context (to be migrated)."""\n\n'
            "from app.services.context import ExecutionContext\n\n\n"
            f"def attach(user_id):\n    return {FULLWIDTH_C}ontext_for(user_id)\n\n\n"
            f"def {FULLWIDTH_C}ontext_for(user_id):\n    return Execution{FULLWIDTH_C}ontext(user_id)\n"),
        # the new name only in compatibility characters: no word of the policy, as written
        "src/app/services/billing.py": (
            f"from app.services.context import {FULLWIDTH_E}xecutionContext\n\n\n"
            f"def charge(user_id):\n    return {FULLWIDTH_E}xecutionContext(user_id)\n"),
    }
    for n in range(64):  # callers that only annotate: the tree is large enough to compute the names
        files[f"src/app/services/handler_{n}.py"] = (
            "from app.services.context import ExecutionContext\n\n\n"
            f"def handle_{n}(context: ExecutionContext) -> str:\n    return str(context.user_id)\n")
    write(root, files)


def _constructions(result) -> list[tuple[str, int]]:
    return sorted((Path(item["filename"]).name, item["location"]["row"])
                  for item in json.loads(result.stdout) if item["code"] == "SSOT002")


EXPECTED = [("agent.py", 7), ("billing.py", 5), ("bridge.py", 11)]


def test_a_class_renamed_in_compatibility_characters_is_still_found(tmp_path):
    plain, fullwidth = tmp_path / "plain", tmp_path / "fullwidth"
    _tree(plain, "UserExecutionContext")
    _tree(fullwidth, f"{FULLWIDTH_U}serExecutionContext")
    for root in (plain, fullwidth):
        result = ssot("check", ".", "--no-cache", "--output-format", "json", "--exit-zero", cwd=root)
        assert _constructions(result) == EXPECTED, root.name


def test_a_module_that_starts_renaming_it_so_sends_the_cached_names_back(tmp_path):
    """The second run checks one changed file: it takes the names the cache kept after reading
    that file for a new one (checking/renamed.kept_names_hold)."""
    root = tmp_path / "repo"
    _tree(root, "UserExecutionContext")
    context = root / "src/app/services/context.py"
    context.write_text("from app.models.context import create_user_execution_context as ExecutionContext\n",
                       encoding="utf-8")
    for path in root.rglob("*.py"):  # old enough for the per-file cache to trust each entry by its stat
        os.utime(path, (1_700_000_000, 1_700_000_000))
    cache = tmp_path / "cache"
    first = ssot("check", ".", "--cache-dir", str(cache), "--output-format", "json", "--exit-zero", cwd=root)
    assert _constructions(first) == []
    context.write_text(f"from app.models.context import {FULLWIDTH_U}serExecutionContext as ExecutionContext\n",
                       encoding="utf-8")
    again = ssot("check", ".", "--cache-dir", str(cache), "--output-format", "json", "--exit-zero", cwd=root)
    assert _constructions(again) == EXPECTED
