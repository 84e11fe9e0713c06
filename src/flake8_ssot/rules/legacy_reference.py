"""SSOT004 legacy-reference: a legacy path used without an import statement.

## What it does
Flags attribute chains through an imported module or alias that reach a legacy path
(`import pkg; pkg.ws.factory.create()`, `mf.create_manager()` where `mf` is the module of a
legacy symbol), and string literals whose whole text is a legacy dotted path or one followed by
`.` (`mock.patch("...")`, `patch.dict("sys.modules", {"...": ...})`,
`monkeypatch.setattr("...", ...)`, `pytest.importorskip("...")`, registry tables and lists of
module names), a `module:attribute` reference, or Python import statements
(`"from pkg.ws.factory import create"`). Docstrings, comments, string annotations and strings
that mention a path inside other text are not references; neither is a name that only shares
a prefix (`pkg.ws.factory_helpers` is not under `pkg.ws.factory`). A chain that starts from a
name bound to the legacy path itself is left to SSOT001, which reports its import.

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

import ast
import re
import warnings
from typing import Iterator

from flake8_ssot.config import Config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.dotted import is_dotted_path
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.rules import lookup
from flake8_ssot.rules.lookup import legacy_match, replacement, with_message
from flake8_ssot.rules.rewrites import reference_attribute_fix, reference_string_fix

CODE = "SSOT004"
NAME = "legacy-reference"
FIX_PARSES_THE_FILE = False  # see deprecated_export

_IMPORT_STATEMENT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w]+)|import\s+([\w.]+))")
# `module:attribute`, the object-reference form of entry points and `pkgutil.resolve_name`.
_OBJECT_REFERENCE = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)$")
_LONGEST = 512  # longer strings are prose or code blobs, not references


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
        for path, rewritable in _references(string.value):
            match = legacy_match(config, path, facts)
            if match is not None:
                fix = reference_string_fix(facts, config, string, path, match) if rewritable else None
                yield _diagnostic(facts, config, path, match, string.span, string.stmt, fix)


def _references(value: str) -> list[tuple[str, bool]]:
    """The dotted paths a string literal refers to, each with whether the string is exactly
    that path or a one-name import statement of it (the shapes a fix can rewrite).

    A reference is the whole string: a dotted path (`"pkg.ws.factory.create"`, which covers
    "a legacy path followed by `.`"), `module:attribute`, or Python import statements
    (`"from pkg.ws.factory import A, B"`, seed 000's table). Text around a path is prose.
    """
    if len(value) > _LONGEST:
        return []
    if is_dotted_path(value):
        return [(value, True)]
    reference = _OBJECT_REFERENCE.match(value)
    if reference:
        return [(f"{reference.group(1)}.{reference.group(2)}", True)]
    if value.lstrip().startswith(("from ", "import ")):
        return _imports_in(value)
    return []


def _imports_in(value: str) -> list[tuple[str, bool]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            body = ast.parse(value.strip()).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        statement = _IMPORT_STATEMENT.match(value)  # an import followed by prose
        if statement is None:
            return []
        module, name, plain = statement.groups()
        return [(plain if plain else f"{module}.{name}", True)]
    paths = []
    for node in body:
        if isinstance(node, ast.Import):
            paths.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            paths.extend(f"{node.module}.{alias.name}" if alias.name != "*" else node.module for alias in node.names)
    single = len(body) == 1 and len(paths) == 1
    return [(path, single) for path in paths]


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
