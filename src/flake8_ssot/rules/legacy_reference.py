"""SSOT004 legacy-reference: a legacy path used without an import statement.

## What it does
Flags attribute chains through an imported module or alias that reach a legacy path
(`import pkg; pkg.ws.factory.create()`, `mf.create_manager()` where `mf` is the module of a
legacy symbol), and string literals that are a legacy dotted path, start with one followed by
`.`, or are themselves an import statement of one: `mock.patch("...")` targets,
`monkeypatch.setattr("...", ...)`, registry tables and lists of module names. Docstrings and
comments are not references.

## Why is this bad?
A migration is not finished when the imports are. A `mock.patch` target that still names the
retired module patches nothing once the module is gone (or, worse, patches the copy that is no
longer used), and a registry entry that names it fails only at run time.

## Example
```python
with mock.patch("pkg.ws.factory.create_websocket_manager"):
    ...
```

## Use instead
```python
with mock.patch("pkg.ws.canonical_imports.create_websocket_manager"):
    ...
```

## Options
`[tool.ssot.legacy]`, as for SSOT001.
"""

from __future__ import annotations

import re
from typing import Iterator

from flake8_ssot.config import Config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.dotted import is_dotted_path
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.rules.lookup import legacy_match, replacement, with_message

CODE = "SSOT004"
NAME = "legacy-reference"

_IMPORT_STATEMENT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w]+)|import\s+([\w.]+))")


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    if not config.legacy:
        return
    for attribute in facts.attributes:
        match = legacy_match(config, attribute.path, facts)
        if match is None or len(match.matched) <= len(attribute.base):
            continue  # reached through the import itself, which SSOT001 reports
        yield _diagnostic(facts, config, attribute.path, match, attribute.span, attribute.stmt)
    for string in facts.strings:
        path = _dotted_in(string.value)
        if path is None:
            continue
        match = legacy_match(config, path, facts)
        if match is not None:
            yield _diagnostic(facts, config, path, match, string.span, string.stmt)


def _dotted_in(value: str) -> str | None:
    if len(value) > 512:
        return None
    if is_dotted_path(value):
        return value
    statement = _IMPORT_STATEMENT.match(value)
    if statement:
        module, name, plain = statement.groups()
        return plain if plain else f"{module}.{name}"
    return None


def _diagnostic(facts, config, path, match, span, stmt) -> Diagnostic:
    use = replacement(match)
    text = f"legacy reference '{path}': use '{use}'" if use else f"legacy reference '{path}'"
    return Diagnostic(
        code=CODE,
        message=with_message(text, match.entry.message),
        span=span,
        subject=match.key,
        severity=match.entry.severity,
        statement=facts.statement_text(stmt),
        canonical=use or "",
    )
