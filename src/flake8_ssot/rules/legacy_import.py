"""SSOT001 legacy-import: an import of a legacy path, or of a canonical symbol through a re-export.

## What it does
Flags `import` and `from ... import` statements (absolute, relative, aliased, starred, inside
functions, `try/except ImportError` and `if TYPE_CHECKING:` blocks) and
`importlib.import_module("...")` / `__import__("...")` calls with a literal argument that
resolve to a path listed in `[tool.ssot.legacy]`. Also flags importing a symbol listed in
`[tool.ssot.canonical]` from any other module of the same top-level package: a re-export or
compatibility shim.

## Why is this bad?
While a migration runs, the old path and the canonical one both work, so new code keeps
copying the old one. Every import of the legacy path is a file that breaks when the legacy
module is finally deleted, and a place where two sources of truth can drift apart.

## Example
```python
from pkg.ws.factory import create_websocket_manager
```

## Use instead
```python
from pkg.ws.canonical_imports import create_websocket_manager
```

## Options
`[tool.ssot.legacy]` (`use`, `message`, `fix`, `allow`, `type-checking`, `severity`),
`[tool.ssot.canonical]` (`allow`). The legacy module itself is exempt from its own entry.

```toml
[tool.ssot.legacy]
"pkg.ws.factory" = "pkg.ws.canonical_imports"
```
"""

from __future__ import annotations

from typing import Iterator

from flake8_ssot.config import Config, Entry
from flake8_ssot.diagnostic import Diagnostic, Fix
from flake8_ssot.dotted import Match
from flake8_ssot.facts import ImportedName, ImportFact, ModuleFacts
from flake8_ssot.rules import lookup
from flake8_ssot.rules.lookup import legacy_match, reexport_target, replacement, with_message
from flake8_ssot.rules.rewrites import import_fix
from flake8_ssot.span import Span

CODE = "SSOT001"
NAME = "legacy-import"
FIX_PARSES_THE_FILE = False  # see deprecated_export


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    for fact in facts.imports:
        if fact.kind == "from" and fact.module:
            match = _applies(legacy_match(config, fact.module, facts), fact)
            if match is not None:
                yield from _legacy_module(facts, config, fact, match)
                continue
        for name in fact.names:
            match = _applies(legacy_match(config, name.path, facts), fact)
            if match is not None:
                yield _legacy(facts, fact, match, name.path, name.span, import_fix(facts, config, fact, name))
            elif fact.kind == "from" and config.canonical:
                yield from _reexport(facts, config, fact, name)


def _legacy_module(facts: ModuleFacts, config: Config, fact: ImportFact, match: Match[Entry]) -> Iterator[Diagnostic]:
    """A `from` import of a legacy module: one finding for the statement, and one for each name
    that has an entry of its own. The most specific key wins, for the message and the fix."""
    own = []
    for name in fact.names:
        specific = _applies(legacy_match(config, name.path, facts), fact)
        if specific is not None and len(specific.matched) > len(match.matched):
            own.append((name, specific))
    if len(own) < len(fact.names) or not fact.names:
        yield _legacy(facts, fact, match, fact.module, fact.span, import_fix(facts, config, fact))
    for name, specific in own:
        yield _legacy(facts, fact, specific, name.path, name.span, import_fix(facts, config, fact, name))


def _applies(match: Match[Entry] | None, fact: ImportFact) -> Match[Entry] | None:
    if match is not None and match.entry.type_checking and fact.type_checking:
        return None
    return match


def _legacy(facts: ModuleFacts, fact: ImportFact, match: Match[Entry], path: str, span: Span,
            fix: Fix | None) -> Diagnostic:
    use = replacement(match)
    text = f"legacy import '{path}': use '{use}'" if use else f"legacy import '{path}'"
    return Diagnostic(
        code=CODE,
        message=with_message(text, match.entry.message),
        span=span,
        subject=match.key,
        severity=match.entry.severity,
        statement=facts.statement_text(fact.span),
        canonical=use or "",
        fix=fix,
    )


def _reexport(facts: ModuleFacts, config: Config, fact: ImportFact, name: ImportedName) -> Iterator[Diagnostic]:
    path, span = name.path, name.span
    target = reexport_target(config.canonical, path)
    if target is None:
        return
    key, entry = target
    if entry.allow and entry.allow.matches(facts.path):
        return
    yield Diagnostic(
        code=CODE,
        message=with_message(f"import of '{path}' through a re-export: use '{key}'", entry.message),
        span=span,
        subject=key,
        severity=entry.severity,
        statement=facts.statement_text(fact.span),
        canonical=key,
        fix=import_fix(facts, config, fact, name),
    )


# The configuration entries this rule's diagnostics come from (their `subject` is the key).
def entry_message(config: Config, subject: str) -> str:
    return lookup.entry_message(config, subject) or ""
