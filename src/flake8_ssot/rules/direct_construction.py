"""SSOT002 direct-construction: a factory-only class constructed directly.

## What it does
Flags a call that constructs a class listed in `[tool.ssot.factories]`, however the class is
named: bare, aliased, through a module attribute, through a relative import or a local alias
(`Ctx = UserExecutionContext; Ctx(...)`). Type annotations, `isinstance` checks, subclassing
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
from flake8_ssot.rules import lookup
from flake8_ssot.rules.lookup import symbol_entry, with_message

CODE = "SSOT002"
NAME = "direct-construction"
FIX_PARSES_THE_FILE = False  # see deprecated_export


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    if not config.factories:
        return
    for call in facts.calls:
        found = symbol_entry(config.factories, call.path)
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


# The configuration entries this rule's diagnostics come from (their `subject` is the key).
def entry_message(config: Config, subject: str) -> str:
    return lookup.entry_message(config, subject, ("factories",)) or ""
