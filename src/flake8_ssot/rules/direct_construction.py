"""SSOT002 direct-construction: a factory-only class constructed directly.

## What it does
Flags a call that constructs a class listed in `[tool.ssot.factories]`, however the class is
named: bare, aliased, through a module attribute, through a relative import or a local alias
(`Ctx = UserExecutionContext; Ctx(...)`), and, with the project index (`ssot check`), through
any module of the tree that re-exports it: `from app.context import UserExecutionContext`,
`import app.context as c; c.UserExecutionContext(...)`, a star import; inside an f-string
placeholder too (`f"{UserExecutionContext(...)!r}"`). Type annotations, `isinstance` checks, subclassing
and class-method calls such as `UserExecutionContext.from_request(...)` are not construction.
The class's own module, the factory's module and the files in the entry's `allow` globs may
construct it.

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

## Fix
The call is rewritten to the entry's `use`, its arguments mapped by the entry's `args`
(a name renames a keyword argument, `false` drops it, unlisted ones pass through). Positional
arguments are first named by the class's `__init__` (or a plain dataclass's fields), read by
the project index; the mapped call is checked against the factory's own signature. A call
that would not bind (a parameter the factory lacks, a required one missing, `*args` or
`**kwargs` unpacked, positional arguments without a known `__init__`) is not fixed, and
the message says why. The fix is unsafe when it drops an argument whose value runs code
(`run_id=f"run_{uuid.uuid4()}"`), when the factory's signature is not known, or when the
call's name may mean something else when it runs: a function declares it `global` (an inner
function `nonlocal`) and binds it to something else or deletes it, or the file writes its
names by string (`globals()[...] = ...`). The factory is imported the way the file imports
its module (the name an import binds already, the module the call goes through, `import
pkg.ctx as c` when the file binds `c` nowhere else, a `from pkg.ctx import ...` it joins), or
by a new `from` import beside the class's; a class imported inside a function gets the
factory in that import, once for all the calls it serves (not a loader's `global` import:
the factory is imported beside the module's imports). The class's import goes when the calls
were its last uses in the file (in the function, for an import inside one; annotations,
`isinstance`, strings, `__all__` and type comments are uses, other comments are not) and no
other module of the tree imports the name from the file (without the project index that is
not proven: the fix is then unsafe). So does the import of a name only the dropped arguments
used (`import uuid` for `run_id=f"run_{uuid.uuid4()}"`, or `new_run_id` from the class's own
`from` statement), as ruff's F401 would remove it next, except inside a `try` statement or a
`with suppress(ImportError):` block (a probe) or `if TYPE_CHECKING:`; in a package's
`__init__.py` removing an import makes the fix unsafe, as ruff's is. When several calls are
the last uses, their diagnostics share one fix that rewrites them all and removes the
imports: applied alone or with the others, it never leaves the class's import unused nor a
name unbound. So do the calls of a class imported under several names (`... import
UserExecutionContext as Ctx` too; that statement is no use of `UserExecutionContext`): the
factory is imported once, in the first of those imports. Calls through the factory's module
(`c.UserExecutionContext(...)` after `import pkg.ctx as c`) join them and name that factory
too; `import pkg.ctx as c` goes when they were its last uses. Calls of different safety do
not share it (the safe ones are fixed first, the import staying for the unsafe ones, whose
fix then removes it). Comments and line breaks inside the call are kept. A call inside an
f-string placeholder is fixed only where the source at its reported position spells the
callee (before Python 3.12 the positions of placeholder code come from a second parse);
otherwise it is reported without a fix. In a self-documenting `{call(...)=}` placeholder (a
lambda's body in it too) the fix is unsafe: it changes the text the f-string shows.

## Options
`[tool.ssot.factories]` (`use`, `args`, `message`, `allow`, `severity`).

```toml
[tool.ssot.factories."pkg.ctx.UserExecutionContext"]
use = "pkg.ctx.create_defensive_user_execution_context"
args = { thread_id = "websocket_client_id", run_id = false }
```
"""

from __future__ import annotations

import re
from typing import Iterator

from flake8_ssot.config import Config
from flake8_ssot.config.prefilter import nfkc_text
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.index import current
from flake8_ssot.rules import lookup
from flake8_ssot.rules.construction import construction_fixes
from flake8_ssot.rules.construction import fix_is_current  # noqa: F401 (a hook: server/incremental.py)
from flake8_ssot.rules.lookup import canonical_by_name, symbol_entry, with_message

CODE = "SSOT002"
NAME = "direct-construction"
FIX_PARSES_THE_FILE = False  # see deprecated_export


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    if not config.factories:
        return
    index = current()
    names = canonical_by_name(config.factories)
    renamed = _renamed_calls(facts, config, index, names) if index is not None and facts.module else []
    constructions = []
    for call in [*_calls(facts, index, names), *renamed]:
        found = symbol_entry(config.factories, call.path)
        if found is None and index is not None and (call.path.rpartition(".")[2] in names or call in renamed):
            found = _through_reexports(config, index, call.path)
        if found is None:
            continue
        key, entry = found
        if facts.module and facts.module in (key.rpartition(".")[0], (entry.use or "").rpartition(".")[0]):
            continue  # the class's own module, or the factory's, builds it inside the factory
        if entry.allow and entry.allow.matches(facts.path):
            continue
        constructions.append((call, key, entry))
    # Built together: the calls that are all the uses of the class's import share one fix (construction_fixes).
    for (call, key, entry), built in zip(constructions, construction_fixes(facts, constructions, index)):
        text = f"direct construction of factory-only class '{key}'"
        if entry.use:
            text += f": use '{entry.use}'"
            if built.fix is None and built.reason:
                text += f" (not fixed: {built.reason})"
        yield Diagnostic(
            code=CODE,
            message=with_message(text, entry.message),
            span=call.span,
            subject=key,
            severity=entry.severity,
            statement=facts.statement_text(call.stmt),
            canonical=entry.use or "",
            fix=built.fix,
        )


def _through_reexports(config: Config, index, path: str):
    """The factory entry of the class `path` names through re-export modules of the tree."""
    origin = index.resolve(path)
    if origin.kind != "definition":
        return None
    entry = config.factories.get_exact(origin.path)
    return None if entry is None else (origin.path, entry)


def _renamed_calls(facts: ModuleFacts, config: Config, index, names: dict) -> list:
    """Calls of a factory class through a module of the tree that re-exports it under another
    name (`Context = UserExecutionContext` there; `from app.context import Context` or
    `context.Context(...)` here). The facts keep only calls whose name is a factory class's
    (see facts.Interest), so these are found here: the candidates are the file's imports from
    the tree whose name the index resolves to a factory class; only then is the file parsed."""
    tops = {key.split(".", 1)[0] for key in config.factories.exact}
    direct: dict[str, str] = {}  # local name -> the path it imports
    modules: dict[str, str] = {}  # local name -> the module of the tree it is bound to
    # The names that can be a factory class under another name, when this run computed them
    # (index/aliases.py): a name outside them cannot resolve to one, so it is not resolved.
    known = index.renamed(frozenset(names))
    # The text tests below read names as Python does (NFKC: `Ｃontext(...)` calls `Context`).
    source = nfkc_text(facts.source) or facts.source
    # The attribute names `local.attribute(...)` can call a renamed class through: with `known`,
    # only those of its names the file spells at all (usually none).
    wanted = None if known is None else {name for name in known if name not in names and name in source}
    for binding in facts.bindings:
        path = binding.path
        if binding.kind not in ("from", "import") or not path or path.split(".", 1)[0] not in tops:
            continue
        if binding.kind == "import":
            modules[binding.name] = path
            continue
        last = path.rpartition(".")[2]
        if last in names:
            continue  # the facts have its calls
        # Only a name the file calls, or calls an attribute of, can matter below: resolving
        # the others would summarise a module for nothing (most imports of a large tree's
        # files; #14/#16).
        calls_it = (known is None or last in known) and _called(binding.name, source)
        through_it = wanted != set() and bool(_attributes_called(binding.name, source, wanted))
        if not calls_it and not through_it:
            continue
        origin = index.resolve(path)
        if origin.kind == "module":
            modules[binding.name] = origin.path
        elif origin.kind == "definition" and config.factories.get_exact(origin.path) is not None:
            direct[binding.name] = path
    through: dict[tuple[str, str], str] = {}  # (local module name, attribute) -> path
    for local, module in modules.items():
        if wanted == set():
            break
        for attribute in _attributes_called(local, source, wanted):
            if attribute in names:
                continue
            origin = index.resolve(f"{module}.{attribute}")
            if origin.kind == "definition" and config.factories.get_exact(origin.path) is not None:
                through[(local, attribute)] = f"{module}.{attribute}"
    if not direct and not through:
        return []
    return list(_renamed_call_facts(facts, direct, through))


_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# Spaces, comments, continuations, `)`, then `(`. A comment runs to its line's end (the lookahead):
# a line of `#`s could otherwise be split into comments in exponentially many ways.
_AFTER_CALLED = re.compile(r"(?:\s|\\|#[^\n]*(?![^\n])|\))*\(")
_ATTRIBUTE_CALL = re.compile(r"\s*\.\s*(\w+)\s*\(")


def _occurrences(name: str, source: str):
    """Where `name` stands as a whole word that is not an attribute (`x.name`). A non-ASCII
    letter next to it counts as a word's end: more places, never fewer."""
    size = len(name)
    start = source.find(name)
    while start >= 0:
        end = start + size
        if (not start or source[start - 1] not in _WORD and source[start - 1] != ".") and (
                end == len(source) or source[end] not in _WORD):
            yield end
        start = source.find(name, end)


def _called(name: str, source: str) -> bool:
    """Can `source` call the bare name `name`? True for every call whose function is that name
    (then spaces, comments, continuations or closing brackets, then `(`)."""
    return any(_AFTER_CALLED.match(source, end) for end in _occurrences(name, source))


def _attributes_called(local: str, source: str, wanted: set[str] | None) -> set[str]:
    """The attributes `source` calls on the name `local` (`local.attribute(...)`), only those
    in `wanted` unless it is None."""
    found = set()
    for end in _occurrences(local, source):
        call = _ATTRIBUTE_CALL.match(source, end)
        if call is not None and (wanted is None or call.group(1) in wanted):
            found.add(call.group(1))
    return found


def _renamed_call_facts(facts: ModuleFacts, direct: dict, through: dict):
    import ast

    from flake8_ssot.facts import CallFact
    from flake8_ssot.span import span_from_ast

    try:
        tree = facts.parsed()  # rare: a factory class called by another name
    except (SyntaxError, ValueError, RecursionError):
        return
    innermost = {}
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.stmt):
            for node in ast.walk(stmt):
                innermost[id(node)] = stmt
    shown = None  # the nodes inside `{expr=}` placeholders, found when a call is
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, path = node.func, None
        if isinstance(func, ast.Name):
            path = direct.get(func.id)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            path = through.get((func.value.id, func.attr))
        if path is not None:
            if shown is None:
                shown = _shown(tree, facts.lines)
            yield CallFact(path, span_from_ast(node, facts.lines), node, innermost.get(id(node)), id(node) in shown)


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
        tree = facts.parsed()  # rare: a star import and a factory class's name in one file
    except (SyntaxError, ValueError, RecursionError):
        return
    innermost = {}  # node -> the innermost statement holding it (ast.walk visits outer ones first)
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.stmt):
            for node in ast.walk(stmt):
                innermost[id(node)] = stmt
    shown = None  # as in _renamed_call_facts
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in origins:
            if shown is None:
                shown = _shown(tree, facts.lines)
            yield CallFact(origins[node.func.id], span_from_ast(node, facts.lines), node, innermost.get(id(node)),
                           id(node) in shown)


def _shown(tree, lines: list[str]) -> set[int]:
    """The nodes inside a self-documenting f-string placeholder (`{expr=}`) of `tree`, whose code
    is also the text the f-string shows (`CallFact.shown`, as the facts walk tells it for the
    calls it keeps: `facts.shows_its_code`)."""
    import ast

    from flake8_ssot.facts import shows_its_code
    from flake8_ssot.span import span_from_ast

    found: set[int] = set()
    for joined in ast.walk(tree):
        if type(joined) is not ast.JoinedStr:
            continue
        for before, part in zip(joined.values, joined.values[1:]):
            if type(part) is ast.FormattedValue and shows_its_code(before, span_from_ast(part.value, lines), lines):
                found.update(id(node) for node in ast.walk(part.value))
    return found


# The configuration entries this rule's diagnostics come from (their `subject` is the key).
def entry_message(config: Config, subject: str) -> str:
    return lookup.entry_message(config, subject, ("factories",)) or ""
