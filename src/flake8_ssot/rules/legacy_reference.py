"""SSOT004 legacy-reference: a legacy path used without an import statement.

## What it does
Flags attribute chains through an imported module or alias that reach a legacy path
(`import pkg; pkg.ws.factory.create()`, `mf.create_manager()` where `mf` is the module of a
legacy symbol; inside an f-string placeholder too: `f"{pkg.ws.factory.create()}"`), and
strings and f-strings whose whole text is a reference: a legacy dotted path
or one followed by `.` (`mock.patch("...")`, `patch.dict("sys.modules", {"...": ...})`,
`monkeypatch.setattr("...", ...)`, `pytest.importorskip("...")`, registry tables and lists of
module names), a `module:attribute` reference, Python import statements, with any number of
names and aliases (`"from pkg.ws.factory import A, B as C"`, `"import pkg.ws.factory"`, one
followed by prose), or a bare `"from pkg.ws.factory"` fragment. In an f-string a placeholder is
unknown text: `f"pkg.ws.factory.{name}"` and `f"from pkg.ws.factory import {name}"` are
references, `f"{package}.ws.factory"` is not. Docstrings, comments, string annotations and
strings that mention a path inside other text are not references; neither is a name that only
shares a prefix (`pkg.ws.factory_helpers` is not under `pkg.ws.factory`). A chain that starts
from a name bound to the legacy path itself is left to SSOT001, which reports its import.

The fix of an attribute chain rewrites its legacy part; inside an f-string placeholder only
where the source at the reported position spells the chain (else it is reported without a
fix; in `{chain=}` its fix is unsafe, since the text the f-string shows changes too), and it
is unsafe when a function may rebind the name the chain starts from (`global ws_core;
ws_core = OfflineCore()`, `nonlocal`, `del`, `globals()[...] = ...`). The fix rewrites a
string like the statement it names (the canonical module, a renamed symbol
written with its canonical name, an alias and whatever follows the legacy prefix kept), in the
literal characters only: never inside a placeholder, and never where the legacy path is split
by a placeholder, an escape or a concatenation (reported without a fix). It is safe only for a
`mock.patch`, `monkeypatch.setattr`/`delattr`, `pytest.importorskip` or `pkgutil.resolve_name`
target whose entry is safe and whose new path the project index does not contradict; any other
string may be data a test compares, so its fix is unsafe, and the fix title says why.

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

from typing import Iterator

from flake8_ssot.config import Config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.rules import lookup
from flake8_ssot.rules.lookup import legacy_match, replacement, with_message
from flake8_ssot.rules.rewrites import reference_attribute_fix
from flake8_ssot.rules.strings import legacy_references, string_fix

CODE = "SSOT004"
NAME = "legacy-reference"
FIX_PARSES_THE_FILE = False  # see deprecated_export


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    if not config.legacy:
        return
    for attribute in facts.attributes:
        match = legacy_match(config, attribute.path, facts)
        if match is None or len(match.matched) <= len(attribute.base):
            continue  # reached through the import itself, which SSOT001 reports
        yield _diagnostic(facts, config, attribute.path, match, attribute.span, attribute.stmt,
                          reference_attribute_fix(facts, attribute, match))
    for string in facts.strings:
        for reference, match in legacy_references(facts, config, string):
            yield _diagnostic(facts, config, reference.path, match, string.span, string.stmt,
                              string_fix(facts, config, string, reference, match))


def _diagnostic(facts, config, path, match, span, stmt, fix=None) -> Diagnostic:
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
        fix=fix,
    )


# The configuration entries this rule's diagnostics come from (their `subject` is the key).
def entry_message(config: Config, subject: str) -> str:
    return lookup.entry_message(config, subject) or ""
