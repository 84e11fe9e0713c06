"""SSOT005 duplicate-definition: a second definition of a canonical symbol.

## What it does
Flags a module-level `class`, `def` or assignment whose name is a symbol listed in
`[tool.ssot.canonical]`, in a module of the same top-level package other than the symbol's
canonical module (and outside the entry's `allow` globs). An assignment that merely aliases
the canonical object (`WebSocketManager = manager.WebSocketManager`, also through a package
that re-exports it) is a re-export, not a definition; so is a `None` placeholder
(`except ImportError: WebSocketManager = None`). With the project index (`ssot check`) an
alias is recognised through any chain of re-export modules of the tree, and one that names a
different object stays a second definition. Names nested in classes or functions, and
same-named classes in another top-level package (test doubles, other services), are not
flagged. Files that do not parse are checked on what their error-tolerant parse shows.

## Why is this bad?
Two classes with the same name in one package are two sources of truth: fixes land in one,
callers import the other, and `isinstance` checks fail across the boundary.

## Example
```python
# pkg/ws/compat.py
class WebSocketManager:
    ...
```

## Use instead
```python
# pkg/ws/compat.py
from pkg.ws.manager import WebSocketManager
```

## Options
`[tool.ssot.canonical]` (`allow`, `message`, `severity`).

```toml
[tool.ssot.canonical]
"pkg.ws.manager.WebSocketManager" = {}
```
"""

from __future__ import annotations

import ast
from typing import Iterator

from flake8_ssot.config import Config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.facts import DefinitionFact, ModuleFacts
from flake8_ssot.index import current
from flake8_ssot.rules import lookup
from flake8_ssot.rules.lookup import canonical_by_name, symbol_entry, with_message

CODE = "SSOT005"
NAME = "duplicate-definition"
FIX_PARSES_THE_FILE = False  # see deprecated_export


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    if not config.canonical or not facts.module:
        return
    by_name = canonical_by_name(config.canonical)
    top = facts.top_package
    for definition in facts.definitions:
        for key in by_name.get(definition.name, ()):
            module = key.rpartition(".")[0]
            if module == facts.module or key.split(".", 1)[0] != top:
                continue
            if _is_alias_or_placeholder(config, definition, key):
                continue
            entry = config.canonical.exact[key]
            if entry.allow and entry.allow.matches(facts.path):
                continue
            what = {"class": "class", "function": "function", "assignment": "name"}[definition.kind]
            yield Diagnostic(
                code=CODE,
                message=with_message(
                    f"duplicate definition of {what} '{definition.name}': the canonical one is '{key}'",
                    entry.message,
                ),
                span=definition.span,
                subject=key,
                severity=entry.severity,
                statement=_statement(facts, definition),
                canonical=key,
            )


def _is_alias_or_placeholder(config: Config, definition: DefinitionFact, key: str) -> bool:
    if definition.kind != "assignment":
        return False
    if definition.value_path is not None:
        found = symbol_entry(config.canonical, definition.value_path)
        if found is not None and found[0] == key:
            return True
        index = current()  # `Name = compat.Name`, where compat re-exports the canonical object
        return index is not None and bool(index.same_object(definition.value_path, key))
    if isinstance(definition.stmt, ast.AnnAssign) and definition.stmt.value is None:
        return True  # `WebSocketManager: type` declares a name, it defines nothing
    value = getattr(definition.stmt, "value", None)
    return isinstance(value, ast.Constant) and value.value is None


def _statement(facts: ModuleFacts, definition) -> str:
    if definition.kind == "assignment":
        return facts.statement_text(definition.span)
    line = facts.lines[definition.span.line - 1] if definition.span.line <= len(facts.lines) else ""
    return " ".join(line.split())  # the `class X(...):` header, not the whole body


# The configuration entries this rule's diagnostics come from (their `subject` is the key).
def entry_message(config: Config, subject: str) -> str:
    return lookup.entry_message(config, subject, ("canonical",)) or ""
