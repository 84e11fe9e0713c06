"""Facts for files Python cannot parse, from ast-grep-py's error-tolerant tree-sitter parse.

Not yet implemented: returns no facts, so broken files report nothing but their syntax error.
"""

from __future__ import annotations

from flake8_ssot.facts import ModuleFacts


def recover_facts(source: str, path: str, module: str, is_package: bool) -> ModuleFacts:
    return ModuleFacts(path=path, module=module, is_package=is_package, source=source,
                       lines=source.splitlines())
