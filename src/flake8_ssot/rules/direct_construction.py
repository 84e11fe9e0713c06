"""SSOT002 direct-construction: a factory-only class constructed directly.

## What it does
Flags a call that constructs a class listed in `[tool.ssot.factories]`, however the class is
named: bare, aliased, through a module attribute, through a relative import or a local alias
(`Ctx = UserExecutionContext; Ctx(...)`), and, with the project index (`ssot check`), through
any module of the tree that re-exports it: `from app.context import UserExecutionContext`,
`import app.context as c; c.UserExecutionContext(...)`, a star import. Type annotations, `isinstance` checks, subclassing
and class-method calls such as `UserExecutionContext.from_request(...)` are not construction.
The class's own module and the files in the entry's `allow` globs may construct it.

## Why is this bad?
A class that must be built through its factory carries invariants only the factory
establishes (validated ids, per-user isolation, registration). A direct constructor call
skips them and passes review because it looks harmless.

## Example
```python
from pkg.ctx import UserExecutionContext

context = UserExecutionContext(user_id=user_id, thread_id=thread_id)
```

## Use instead
```python
from pkg.ctx import create_defensive_user_execution_context

context = create_defensive_user_execution_context(user_id=user_id, websocket_client_id=thread_id)
```

## Options
`[tool.ssot.factories]` (`use`, `message`, `allow`, `severity`).

```toml
[tool.ssot.factories]
"pkg.ctx.UserExecutionContext" = { use = "pkg.ctx.create_defensive_user_execution_context" }
```
"""

from __future__ import annotations

from typing import Iterator

from flake8_ssot.config import Config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.index import current
from flake8_ssot.rules import lookup
from flake8_ssot.rules.lookup import canonical_by_name, symbol_entry, with_message

CODE = "SSOT002"
NAME = "direct-construction"
FIX_PARSES_THE_FILE = False  # see deprecated_export


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    if not config.factories:
        return
    index = current()
    names = canonical_by_name(config.factories)
    for call in _calls(facts, index, names):
        found = symbol_entry(config.factories, call.path)
        if found is None and index is not None and call.path.rpartition(".")[2] in names:
            found = _through_reexports(config, index, call.path)
        if found is None:
            continue
        key, entry = found
        if facts.module and facts.module == key.rpartition(".")[0]:
            continue  # the class's own module builds it, usually inside the factory
        if entry.allow and entry.allow.matches(facts.path):
            continue
        text = f"direct construction of factory-only class '{key}'"
        if entry.use:
            text += f": use '{entry.use}'"
        yield Diagnostic(
            code=CODE,
            message=with_message(text, entry.message),
            span=call.span,
            subject=key,
            severity=entry.severity,
            statement=facts.statement_text(call.stmt),
            canonical=entry.use or "",
        )


def _through_reexports(config: Config, index, path: str):
    """The factory entry of the class `path` names through re-export modules of the tree."""
    origin = index.resolve(path)
    if origin.kind != "definition":
        return None
    entry = config.factories.get_exact(origin.path)
    return None if entry is None else (origin.path, entry)


def _calls(facts: ModuleFacts, index, names: dict):
    """The file's calls, and with the index, calls of a bare name a module-level star import
    may have bound (the facts cannot resolve those: the star's names are unknown to them)."""
    yield from facts.calls
    if index is None or not facts.module:
        return
    stars = [binding.module for binding in facts.bindings
             if binding.kind == "star" and binding.scope == "module" and binding.module]
    if not stars:
        return
    wanted = [name for name in names if name in facts.source]
    bound = {binding.name for binding in facts.bindings if binding.kind != "star"}
    wanted = [name for name in wanted if name not in bound]
    if not wanted:
        return
    yield from _star_calls(facts, index, stars, wanted)


def _star_calls(facts: ModuleFacts, index, stars: list[str], wanted: list[str]):
    import ast

    from flake8_ssot.facts import CallFact
    from flake8_ssot.span import span_from_ast

    origins = {}
    for name in wanted:
        for module in reversed(stars):
            origin = index.name_origin(module, name)
            if origin.kind == "definition":
                origins[name] = origin.path
                break
    if not origins:
        return
    try:
        tree = ast.parse(facts.source)  # rare: a star import and a factory class's name in one file
    except (SyntaxError, ValueError, RecursionError):
        return
    innermost = {}  # node -> the innermost statement holding it (ast.walk visits outer ones first)
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.stmt):
            for node in ast.walk(stmt):
                innermost[id(node)] = stmt
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in origins:
            yield CallFact(origins[node.func.id], span_from_ast(node, facts.lines), node, innermost.get(id(node)))


# The configuration entries this rule's diagnostics come from (their `subject` is the key).
def entry_message(config: Config, subject: str) -> str:
    return lookup.entry_message(config, subject, ("factories",)) or ""
