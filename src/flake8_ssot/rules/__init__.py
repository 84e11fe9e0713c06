"""The rules, one module each. A rule module has CODE, NAME, a docstring that is its only
documentation (What it does / Why is this bad? / Example / Use instead), and
`check(facts, config)` yielding diagnostics. Rules never know which front-end called them.
"""

from __future__ import annotations

from types import ModuleType

from flake8_ssot.rules import (
    deprecated_export,
    direct_construction,
    duplicate_definition,
    legacy_import,
    legacy_reference,
)

RULES: tuple[ModuleType, ...] = (
    legacy_import,
    direct_construction,
    deprecated_export,
    legacy_reference,
    duplicate_definition,
)
BY_CODE = {rule.CODE: rule for rule in RULES}
