"""Every rule's documented examples, run: the Example triggers the rule, the Use instead is clean.

A rule's docstring is the only copy of its documentation (`ssot rule`, docs/rules.md, hover),
so its snippets are checked here the way Fixit checks a rule's VALID and INVALID cases: the
```toml block of its `## Options` is the policy, the ```python blocks of `## Example` and
`## Use instead` are files of a small project checked by the engine. Where the rule's
diagnostic carries a fix, applying it to the Example gives the Use instead, word for word.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flake8_ssot.config import load_config
from flake8_ssot.diagnostic import UNSAFE
from flake8_ssot.engine import check_source
from flake8_ssot.fixes import fix_text
from flake8_ssot.rules import docs

FENCE = re.compile(r"^```(?P<language>\w+)\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
# A snippet may name its own file on its first line (SSOT005's `# pkg/ws/compat.py`).
FILE_COMMENT = re.compile(r"^# (?P<path>[\w/]+\.py)\n")

BUILTIN = {doc.code: doc for doc in docs.builtin_docs()[:-1]}
PATTERN_RULES = docs.builtin_docs()[-1]

# Where each snippet lives when its docstring does not say. The module matters: a legacy
# module is exempt from its own entry (SSOT001, SSOT004) and a factory's own module may
# construct its class (SSOT002), so those examples sit in an ordinary caller; SSOT003 reads
# the `__all__` of the module its Options list (`pkg.ws.manager_factory`), so its example is
# that module. SSOT005's snippet names its file itself (`pkg/ws/compat.py`, not the
# canonical `pkg/ws/manager.py`).
MODULE_OF = {
    "SSOT001": "pkg/app/handlers.py",
    "SSOT002": "pkg/app/handlers.py",
    "SSOT003": "pkg/ws/manager_factory.py",
    "SSOT004": "tests/test_handlers.py",  # mock.patch targets are written in tests
}
# SSOT004's Options section has no policy of its own: it says "`[tool.ssot.legacy]`, as for
# SSOT001", so it runs under SSOT001's documented policy (read from that docstring, not copied).
POLICY_FROM = {"SSOT004": "SSOT001"}


def only(section: str, language: str) -> str:
    """The one ```language block of a docstring section."""
    found = [m.group("body") for m in FENCE.finditer(section) if m.group("language") == language]
    assert len(found) == 1, f"expected one ```{language} block, found {len(found)}:\n{section}"
    return found[0]


def project(root: Path, policy: str):
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[tool.ssot]\nsrc = ["."]\n' + policy, encoding="utf-8")
    return load_config(str(root / "pyproject.toml"))


def codes(source: str, path: Path, config) -> list[str]:
    result = check_source(source, str(path), config)
    assert result.syntax_error is None, result.syntax_error
    return [d.code for d in result.diagnostics]


def documented(code: str, root: Path):
    """(config, path, Example, Use instead) of a rule's docstring, as a project in `root`."""
    doc = BUILTIN[code]
    config = project(root, only(BUILTIN[POLICY_FROM.get(code, code)].sections["Options"], "toml"))
    example = only(doc.sections["Example"], "python")
    use_instead = only(doc.sections["Use instead"], "python")
    named = FILE_COMMENT.match(example)
    return config, root / (named.group("path") if named else MODULE_OF[code]), example, use_instead


def fixes_of(source: str, path: Path, config) -> list:
    return [d.fix for d in check_source(source, str(path), config).diagnostics if d.fix is not None and d.fix.edits]


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_the_example_triggers_the_rule_and_the_use_instead_is_clean(code, tmp_path):
    config, path, example, use_instead = documented(code, tmp_path)
    found = codes(example, path, config)
    assert found and set(found) == {code}, f"{code}'s Example gives {found} under its own Options policy"
    assert codes(use_instead, path, config) == [], f"{code}'s Use instead is not clean"


@pytest.mark.parametrize("code", sorted(BUILTIN))
def test_a_fix_turns_the_example_into_the_use_instead(code, tmp_path):
    config, path, example, use_instead = documented(code, tmp_path)
    fixes = fixes_of(example, path, config)
    if not fixes:  # which call or import is right needs a person: even --unsafe-fixes leaves it
        assert fix_text(example, str(path), config, unsafe=True).text == example
        return
    # an unsafe fix is what `--fix --unsafe-fixes` applies; the documented pair holds for it too
    fixed = fix_text(example, str(path), config, unsafe=any(fix.applicability == UNSAFE for fix in fixes))
    assert [d.code for d in fixed.diagnostics if d.code == code] == []
    assert fixed.text == use_instead, f"{code}'s fix does not turn its Example into its Use instead"


def test_the_rules_that_fix_their_example(tmp_path):
    """The fix test above is not vacuous: these rules' Examples carry a fix."""
    with_fix = []
    for code in sorted(BUILTIN):
        config, path, example, _ = documented(code, tmp_path / code)
        if fixes_of(example, path, config):
            with_fix.append(code)
    assert with_fix == ["SSOT001", "SSOT002", "SSOT003", "SSOT004"]


# The pattern rules' Example is a policy, not code: the `[[tool.ssot.patterns]]` table it
# shows is the policy here, and the code is the retired accessor it names, called as a
# caller would. Its Use instead is prose ("whatever the rule's fix says"): the fix template
# `get_websocket_manager($$$ARGS)` applied by hand, which must be clean.
IMPORTS = "from pkg.ws import get_websocket_manager, get_websocket_manager_factory\n\n"
PATTERN_EXAMPLE = IMPORTS + "manager = get_websocket_manager_factory(user, retries=2)\n"
PATTERN_USE_INSTEAD = IMPORTS + "manager = get_websocket_manager(user, retries=2)\n"


def test_the_pattern_rules_example_policy_flags_and_fixes_the_accessor(tmp_path):
    policy = only(PATTERN_RULES.sections["Example"], "toml")
    assert 'code = "SSOT101"' in policy
    config = project(tmp_path, policy)
    path = tmp_path / "pkg/app/handlers.py"

    assert codes(PATTERN_EXAMPLE, path, config) == ["SSOT101"]
    assert codes(PATTERN_USE_INSTEAD, path, config) == []
    fixes = fixes_of(PATTERN_EXAMPLE, path, config)
    assert len(fixes) == 1
    fixed = fix_text(PATTERN_EXAMPLE, str(path), config, unsafe=fixes[0].applicability == UNSAFE)
    assert fixed.text == PATTERN_USE_INSTEAD
    assert fixed.diagnostics == ()
