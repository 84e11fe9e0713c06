"""SSOT001 legacy-import: an import of a legacy path, or of a canonical symbol through a re-export.

## What it does
Flags `import` and `from ... import` statements (absolute, relative, aliased, starred, inside
functions, `try/except ImportError` and `if TYPE_CHECKING:` blocks) and
`importlib.import_module("...")` / `__import__("...")` calls with a literal argument that
resolve to a path listed in `[tool.ssot.legacy]`. Also flags importing a symbol listed in
`[tool.ssot.canonical]` from any other module of the same top-level package: a re-export or
compatibility shim.

With the project index (`ssot check`), a legacy module (or shim) that defines its own object
under the name, instead of re-exporting the canonical one, is reported as such: the rewrite
would change which object the code gets, so its fix is unsafe. So is a fix whose target module
does not define or export the name, or that would make a module import itself or close an
import cycle at import time; the fix title says why. An import that a `try`/`except ImportError`
probe guards is fixed safely only where the index finds the legacy path today: where the legacy
module is gone, the except branch runs today and the rewritten import may succeed. A legacy
import in the except branch, where the try imports its canonical module (or its package), is fixed safely only
where the index finds what the try imports (the handler is then dead code): rewritten, it would
repeat the import that failed. A handler that only re-imports the try's names from legacy paths
goes with its try (the migration commit's fix), the try's imports staying. Where the
canonical home has another name, the fix renames the file's uses too (scope-aware), unless the old name must stay (in
`__all__`, imported from this file by another module, named in a string, read through
`globals()`): then it keeps `new as old`, is unsafe and says why. A renamed module, symbol or
star import is safe when the project index proves the file gets the same objects.

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

import ast
import io
import re
import tokenize
from typing import Iterator, Mapping

from flake8_ssot.config import Config, Entry
from flake8_ssot.diagnostic import Diagnostic, Fix
from flake8_ssot.dotted import Match
from flake8_ssot.facts import ImportedName, ImportFact, ModuleFacts
from flake8_ssot.index import MODULE, ProjectIndex, current
from flake8_ssot.rules import lookup
from flake8_ssot.rules.lookup import legacy_match, reexport_target, replacement, with_message
from flake8_ssot.rules.renames import DYNAMIC_NAMES
from flake8_ssot.rules.rewrites import SourceLines, import_fix
from flake8_ssot.span import Span

CODE = "SSOT001"
NAME = "legacy-import"
FIX_PARSES_THE_FILE = False  # see deprecated_export
_RENAMED = re.compile(r"'(\w+)' to '\w+'")


def fix_is_current(diagnostic: Diagnostic, text: str) -> bool:
    """Does this diagnostic's fix still hold for the whole file `text`? One that renames the
    uses of a name found them in the text it was built from, which may be a reduced buffer
    (the language server's incremental check stubs other definitions): it holds when `text`
    parses and every occurrence of the old name in it is one of its edits."""
    fix = diagnostic.fix
    if fix is None or (", renaming '" not in fix.description and "keeps the alias '" not in fix.description):
        return True
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False  # the rename was planned on a parse of the file; a broken one has none
    if ", renaming '" not in fix.description:
        return True
    renamed = set(_RENAMED.findall(fix.description.split(", renaming ", 1)[1].split(" (unsafe: ", 1)[0]))
    lines = SourceLines(text)
    covered = [lines.slice(edit.span) for edit in fix.edits]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    for token in tokens:
        if token.type == tokenize.NAME and token.string in renamed:
            start, end = lines.offset(*token.start), lines.offset(*token.end)
            if not any(low <= start and end <= high for low, high in covered):
                return False
    return True


# A star import: its fix compares, name by name, what the two modules give for every name the
# file reads and binds nowhere.
_STAR = re.compile(r"\bimport\s*\*")
_RENAMING = re.compile(r"'(\w+)' to '(\w+)'")


def uses_read(diagnostic: Diagnostic, bound: Mapping[str, tuple[str, str | None]],
              index: ProjectIndex | None) -> frozenset[str] | None:
    """The names whose every use in the file this finding's fix was planned on. Of `bound`
    (the names its statement binds, each with how: "import" or "from", and the dotted path
    it imports, None when not known), with the project index (`index`, the one the check
    consulted), those that bind a module: what the file reads through
    a module alias is what proves the other module the same (`rewrites._same_objects`); a
    `from` import of an object compares the two objects only. With them the names of its
    renames, old and new (a rename edits every use, and needs the new name free everywhere),
    the name an alias kept would take (it stays while a use needs it), and for either the calls
    that read names by string (`renames.DYNAMIC_NAMES`). None: every name the file reads (a
    star import). A check that saw only some of the file's statements (the language
    server's reduced buffer) gives this fix only when it saw every use of these."""
    if diagnostic.fix is None:
        return frozenset()
    if _STAR.search(diagnostic.statement):
        return None
    # (Without the index nothing is proved the same: the uses are not read.)
    names = {name for name, (how, path) in bound.items()
             if index is not None and (how != "from" or path is None or index.resolve(path).kind == MODULE)}
    description = diagnostic.fix.description
    for old, new in _RENAMING.findall(description):
        names.update((old, new))
    if "keeps the alias '" in description and diagnostic.canonical:
        names.add(diagnostic.canonical.rpartition(".")[2])  # the new name a rename would take
    if ", renaming '" in description or "keeps the alias '" in description:
        names.update(DYNAMIC_NAMES)  # a rename is planned only where no call reads names by string
    return frozenset(names)


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
                yield _legacy(facts, fact, match, name.path, name.span, import_fix(facts, config, fact, name),
                              _problems(facts, fact, [(name.path, replacement(match))]))
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
        use = replacement(match)
        moved = [(name.path, use + name.path[len(fact.module):]) for name in fact.names if use]
        yield _legacy(facts, fact, match, fact.module, fact.span, import_fix(facts, config, fact),
                      _problems(facts, fact, moved))
    for name, specific in own:
        yield _legacy(facts, fact, specific, name.path, name.span, import_fix(facts, config, fact, name),
                      _problems(facts, fact, [(name.path, replacement(specific))]))


def _applies(match: Match[Entry] | None, fact: ImportFact) -> Match[Entry] | None:
    if match is not None and match.entry.type_checking and fact.type_checking:
        return None
    return match


def _problems(facts: ModuleFacts, fact: ImportFact, moves: list[tuple[str, str | None]]) -> tuple[list[str], list[str]]:
    """What the project index finds wrong with moving each (old, new) path: (reasons the fix is
    unsafe, old paths that are objects of their own, not the canonical one)."""
    index = current()
    if index is None:
        return [], []
    reasons, distinct = [], []
    for old, new in moves:
        if not new:
            continue
        problem = index.rewrite_problem(facts.module, old, new, fact.kind == "import")
        if problem is not None and problem not in reasons:
            reasons.append(problem)
        if fact.kind != "import" and index.distinct(old, new):
            distinct.append(old)
    return reasons, distinct


def _explained(fix: Fix | None, reasons: list[str]) -> Fix | None:
    if fix is None or fix.applicability != "unsafe" or not reasons:
        return fix
    if fix.description.endswith(")") and " (unsafe: " in fix.description:  # the fix gave reasons of its own
        return Fix(fix.edits, fix.applicability, f"{fix.description[:-1]}; {'; '.join(reasons)})")
    return Fix(fix.edits, fix.applicability, f"{fix.description} (unsafe: {'; '.join(reasons)})")


def _legacy(facts: ModuleFacts, fact: ImportFact, match: Match[Entry], path: str, span: Span,
            fix: Fix | None, problems: tuple[list[str], list[str]] = ([], [])) -> Diagnostic:
    use = replacement(match)
    text = f"legacy import '{path}': use '{use}'" if use else f"legacy import '{path}'"
    reasons, distinct = problems
    if distinct:
        text += f" (not a re-export: {', '.join(repr(old) for old in distinct)} is defined there, a different object)"
    fix = _explained(fix, reasons)
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
    reasons, distinct = _problems(facts, fact, [(path, key)])
    text = f"import of '{path}' through a re-export: use '{key}'"
    if distinct:
        text = f"import of '{path}', a different object with the name of the canonical '{key}'"
    yield Diagnostic(
        code=CODE,
        message=with_message(text, entry.message),
        span=span,
        subject=key,
        severity=entry.severity,
        statement=facts.statement_text(fact.span),
        canonical=key,
        fix=_explained(import_fix(facts, config, fact, name), reasons),
    )


# The configuration entries this rule's diagnostics come from (their `subject` is the key).
def entry_message(config: Config, subject: str) -> str:
    return lookup.entry_message(config, subject) or ""
