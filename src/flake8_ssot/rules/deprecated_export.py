"""SSOT003 deprecated-export: a deprecated name listed in its module's `__all__`.

## What it does
Flags each string element of a module's `__all__` that `[tool.ssot.deprecated-exports]`
lists for that module: list or tuple literals, annotated assignments, `__all__ += [...]`,
`__all__.append(...)`, `__all__.extend([...])`. The diagnostic sits on the string element.
The fix removes the element and keeps every comment: one that ended its line stays there.

## Why is this bad?
`__all__` is a module's public surface: star imports, documentation tools and IDE
completion follow it. A deprecated name left there keeps being offered to new code, so the
dual pattern never dies even after every caller has migrated.

## Example
```python
__all__ = [
    "create_websocket_manager",
    "WebSocketManagerFactory",
]
```

## Use instead
```python
__all__ = [
    "create_websocket_manager",
]
```

## Options
`[tool.ssot.deprecated-exports]`: module -> list of names, or a table with `names`,
`message`, `severity`. When `module.name` is also a `[tool.ssot.legacy]` path, the message
names its replacement.

```toml
[tool.ssot.deprecated-exports]
"pkg.ws.manager_factory" = ["WebSocketManagerFactory", "get_websocket_manager_factory"]
```
"""

from __future__ import annotations

from typing import Iterator

from flake8_ssot.config import Config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.rules import lookup
from flake8_ssot.rules.lookup import replacement, with_message
from flake8_ssot.rules.rewrites import export_fix

CODE = "SSOT003"
NAME = "deprecated-export"
# Whether the fix of a finding on an indented line parses the whole file (so that no fix can be
# built while the file does not parse): removing an indented `__all__.append(...)` asks
# whether it is alone in its block, to leave `pass` behind.
FIX_PARSES_THE_FILE = True


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    deprecated = config.deprecated_exports.get(facts.module)
    if deprecated is None:
        return
    for export in facts.exports:
        if export.name not in deprecated.names:
            continue
        path = f"{facts.module}.{export.name}"
        text = f"deprecated name '{export.name}' in __all__ of '{facts.module}'"
        match = config.legacy.lookup(path)
        use = replacement(match) if match is not None else None
        if use:
            text += f": use '{use}'"
        yield Diagnostic(
            code=CODE,
            message=with_message(text, deprecated.message),
            span=export.span,
            subject=path,
            severity=deprecated.severity,
            statement=facts.statement_text(export.node),
            canonical=use or "",
            fix=export_fix(facts, export, shared=any(
                other is not export and other.container is export.container and other.name in deprecated.names
                for other in facts.exports)),
        )


# The configuration entries this rule's diagnostics come from: a legacy, canonical or factory
# key equal to the subject, or else the deprecated exports of the subject's module.
def entry_message(config: Config, subject: str) -> str:
    message = lookup.entry_message(config, subject)
    if message is not None:
        return message
    exports = config.deprecated_exports.get(subject.rpartition(".")[0])
    return exports.message if exports is not None else ""
