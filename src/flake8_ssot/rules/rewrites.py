"""How each kind of violation is rewritten: the `Fix` (text edits) a rule attaches to a diagnostic.

Builders read the module facts and the source text, never the disk, and return None when they
cannot rewrite a statement without guessing (comments inside a dotted name, escapes in a
string, a shape they do not know). Applying fixes, and checking that the result still parses,
is `fixes.py`'s job. A builder must never raise: a fix it cannot build is only a missing fix.
"""

from __future__ import annotations

import ast
import builtins
import contextvars
import io
import keyword
import re
import tokenize
import warnings
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from typing import Iterator, NamedTuple, Sequence

from flake8_ssot.config import Config
from flake8_ssot.diagnostic import SAFE, UNSAFE, Edit, Fix
from flake8_ssot.facts import AttributeFact, ExportFact, ImportedName, ImportFact, ModuleFacts
from flake8_ssot.facts.bindings import IMPORT_KINDS
from flake8_ssot.index import MISSING, MODULE, current
from flake8_ssot.rules.lookup import canonical_module, is_shim, legacy_match, reexport_target, replacement
from flake8_ssot.rules.renames import STRING_LITERAL, RenamePlan, attributes_read, free_names, plan_rename
from flake8_ssot.span import LINE_BREAK, Span, span_from_ast

_LEVELS = {SAFE: 0, UNSAFE: 1}
_OWN_LINE_TAIL = re.compile(r"[ \t]*,?[ \t]*(#.*)?")
_BUILTINS = frozenset(dir(builtins))
_BUILD_ERRORS = (tokenize.TokenError, SyntaxError, ValueError, IndexError, RecursionError)


# Does the caller show fixes at all (True, False), or only on some lines (their 0-based ranges)?
# A context variable, as the index is (index.consulting): the rules' signatures stay
# `check(facts, config)`, and only a builder worth skipping asks.
_FIXES_WANTED: contextvars.ContextVar[bool | tuple[tuple[int, int], ...]] = contextvars.ContextVar(
    "ssot_fixes_wanted", default=True)


@contextmanager
def fixes_wanted(wanted: bool, lines: Sequence[tuple[int, int]] | None = None) -> Iterator[None]:
    """Run rules for a caller that shows fixes (`wanted`) or only messages (flake8). Without
    fixes, `import_fix` is not built: its plan may read every file of the tree (who imports a
    name it renames, index.importer_of) and no message depends on it. A fix that a message
    depends on (SSOT002's "not fixed: ...") is built either way. `lines`: the 0-based line
    ranges [start, end) whose findings the caller keeps (the language server's reduced buffer
    copies the file's imports, whose findings it keeps from the last check): `import_fix` is
    built only for a statement with a line in one."""
    token = _FIXES_WANTED.set(tuple(lines) if wanted and lines is not None else wanted)
    try:
        yield
    finally:
        _FIXES_WANTED.reset(token)


def fixes_are_wanted() -> bool:
    """Does the caller show fixes (`fixes_wanted`)? Asked by a builder before work only a
    fix's edits need (SSOT002's "does another module import the class from this file")."""
    return _FIXES_WANTED.get() is not False


def _fix_wanted_on(span: Span) -> bool:
    """Does the caller show fixes on a line of `span` (`fixes_wanted`)?"""
    wanted = _FIXES_WANTED.get()
    if isinstance(wanted, bool):
        return wanted
    return any(start < span.end_line and span.line - 1 < end for start, end in wanted)


class SourceLines:
    """Offsets of a source text by Python's own line breaks (`\\r\\n`, `\\r`, `\\n`).

    `Span` lines are counted the way Python's tokenizer counts them; this maps them to string
    offsets and back, whatever line endings the file uses.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        if "\r" in text:
            self.starts = [0, *(match.end() for match in LINE_BREAK.finditer(text))]
        else:  # the lines' lengths summed: a quarter of the time of the pattern's matches
            self.starts = [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]

    def offset(self, line: int, column: int) -> int:
        if line < 1:
            return 0
        if line > len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + column, self.content_end(self.starts[line - 1]))

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index]

    def span(self, start: int, end: int) -> Span:
        return Span(*self.position(start), *self.position(end))

    def slice(self, span: Span) -> tuple[int, int]:
        return self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)

    def line_start(self, offset: int) -> int:
        return self.starts[bisect_right(self.starts, offset) - 1]

    def content_end(self, offset: int) -> int:
        """Where the line holding `offset` ends, before its line break."""
        index = bisect_right(self.starts, offset)
        if index >= len(self.starts):
            return len(self.text)
        end = self.starts[index]
        if self.text.startswith("\r\n", end - 2) and end - 2 >= self.starts[index - 1]:
            return end - 2
        return end - 1

    def next_line(self, offset: int) -> int:
        """The start of the line after the one holding `offset` (or the end of the text)."""
        index = bisect_right(self.starts, offset)
        return self.starts[index] if index < len(self.starts) else len(self.text)


_LAST: list[SourceLines] = []


def source_lines(facts: ModuleFacts) -> SourceLines:
    """The `SourceLines` of a module's source, kept for the next diagnostic of the same file."""
    cached = _LAST[0] if _LAST else None
    if cached is not None and cached.text is facts.source:
        return cached
    lines = SourceLines(facts.source)
    _LAST[:] = [lines]
    return lines


def stricter(first: str, second: str) -> str:
    return first if _LEVELS[first] >= _LEVELS[second] else second


# --------------------------------------------------------------------------- tokens

class Token(NamedTuple):
    type: int
    string: str
    start: int  # offsets into the whole source
    end: int


def tokens_of(source: SourceLines, start: int, end: int) -> list[Token]:
    """Significant tokens of `source.text[start:end]` (no line breaks, indents or end marker),
    with offsets into the whole text; SSOT002's call rewriting reads them too."""
    fragment = source.text[start:end]
    local = SourceLines(fragment)
    found = []
    for token in tokenize.generate_tokens(io.StringIO(fragment, newline="").readline):
        if token.type in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT):
            continue
        found.append(Token(
            token.type, token.string,
            start + local.offset(*token.start), start + local.offset(*token.end),
        ))
    return found


def spells_name(source: SourceLines, start: int, end: int, node: ast.AST) -> bool:
    """Does `source.text[start:end]` spell the name or attribute chain `node` (spaces aside)?
    A fix edits at an `ast` position only when it does: before Python 3.12 (PEP 701) the
    positions of code inside an f-string placeholder come from a second parse of its text,
    shifted into place, and have been wrong in some versions; the diagnostic is then reported
    without a fix."""
    name = written_name(node)
    return name is not None and "".join(source.text[start:end].split()) == name


def written_name(node: ast.AST) -> str | None:
    """The dotted name a name or attribute chain spells (`app.ws.factory`), or None for any
    other expression."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


# --------------------------------------------------------------------------- import statements

@dataclass(frozen=True)
class _Alias:
    start: int  # the alias (`name as asname`)
    name_end: int  # end of the (dotted) name, before ` as ...`
    end: int
    comma: int | None  # offset of the comma that follows, if any


@dataclass(frozen=True)
class _ImportParts:
    module: tuple[int, int] | None  # `from` only: the module as written, dots included
    aliases: tuple[_Alias, ...]
    parenthesized: bool


def _import_parts(source: SourceLines, start: int, end: int) -> _ImportParts | None:
    tokens = [t for t in tokens_of(source, start, end) if t.type != tokenize.COMMENT]
    if not tokens or tokens[0].string not in ("from", "import"):
        return None
    index, module = 1, None
    if tokens[0].string == "from":
        while index < len(tokens) and tokens[index].string != "import":
            index += 1
        if index == 1 or index >= len(tokens):
            return None
        module = (tokens[1].start, tokens[index - 1].end)
        index += 1
    parenthesized = index < len(tokens) and tokens[index].string == "("
    index += parenthesized
    aliases = []
    while index < len(tokens) and tokens[index].type == tokenize.NAME:
        alias_start, name_end = tokens[index].start, tokens[index].end
        index += 1
        while index + 1 < len(tokens) and tokens[index].string == "." and tokens[index + 1].type == tokenize.NAME:
            name_end = tokens[index + 1].end
            index += 2
        alias_end = name_end
        if index + 1 < len(tokens) and tokens[index].string == "as":
            alias_end = tokens[index + 1].end
            index += 2
        comma = None
        if index < len(tokens) and tokens[index].string == ",":
            comma = tokens[index].start
            index += 1
        aliases.append(_Alias(alias_start, name_end, alias_end, comma))
    return _ImportParts(module, tuple(aliases), parenthesized)


class _Moved(NamedTuple):
    """Where one name of a `from` statement goes."""

    module: str
    name: str  # its name there
    level: str
    plan: RenamePlan | None  # for a name the file knows by its old name: its uses renamed, or why not
    why: str = ""  # why the move itself is unsafe (`_Target.why`)

    @property
    def renamed(self) -> bool:
        return self.plan is not None and self.plan.kept is None


class _Target(NamedTuple):
    path: str  # the canonical path the name should come from
    level: str  # SAFE or UNSAFE
    why: str = ""  # why UNSAFE, when the project index has no reason of its own to give


def import_fix(facts: ModuleFacts, config: Config, fact: ImportFact, name: ImportedName | None = None) -> Fix | None:
    """The fix of an SSOT001 diagnostic: on one imported name, or (name None) on the statement's module.

    The fix rewrites every name of the statement that is at most as unsafe as the diagnostic's
    own, so all safe diagnostics of one statement share one fix, and the statement ends up the
    same whichever of them is applied.
    """
    if not _fix_wanted_on(fact.span):
        return None
    return _import_fix(facts, config, fact, name)


def _import_fix(facts: ModuleFacts, config: Config, fact: ImportFact, name: ImportedName | None = None) -> Fix | None:
    """`import_fix` on any line: a fix that merges a legacy statement above into its own carries
    that statement's fix (`_legacy_sibling`), whether or not the caller shows fixes there."""
    try:
        if fact.kind == "dynamic":
            return _dynamic_fix(facts, config, fact)
        removal = _fallback_removal(facts, config, fact)
        if removal is not None:
            return removal
        if fact.kind == "import":
            return _plain_import_fix(facts, config, fact, name)
        return _from_import_fix(facts, config, fact, name)
    except _BUILD_ERRORS:
        return None


def _name_target(facts: ModuleFacts, config: Config, fact: ImportFact, name: ImportedName) -> _Target | None:
    """Where SSOT001 says an imported name should come from; None when it has no (fixable) target."""
    match = legacy_match(config, name.path, facts)
    if match is not None and match.entry.type_checking and fact.type_checking:
        match = None
    if match is not None:
        if match.entry.fix not in _LEVELS or is_shim(facts, match):
            return None
        use = _canonical_path(config, match, fact, name)
        if use is None:
            return None
        return _proven(facts, fact, name, _Target(use, match.entry.fix), match.entry.fix_default)
    if fact.kind == "from" and config.canonical:
        found = reexport_target(config.canonical, name.path)
        if found is not None and not (found[1].allow and found[1].allow.matches(facts.path)):
            return _proven(facts, fact, name, _Target(found[0], SAFE))
    return None


def _proven(facts: ModuleFacts, fact: ImportFact, name: ImportedName, target: _Target,
            default: bool = False) -> _Target:
    """`_proven_by_index`, and unsafe in a try/except ImportError probe that may change outcome
    (`_probe_problem`) or in its except branch where the fix may repeat the try's failed import
    (`_fallback_problem`)."""
    proven = _proven_by_index(facts, fact, name, target, default)
    probe = _probe_problem(facts, fact, [name.path]) or _fallback_problem(facts, fact, [target.path])
    if probe is None:
        return proven
    return _Target(proven.path, UNSAFE, "; ".join(why for why in (probe, proven.why) if why))


def _proven_by_index(facts: ModuleFacts, fact: ImportFact, name: ImportedName, target: _Target,
                     default: bool = False) -> _Target:
    """A safe target stays safe only if the project index, when there is one, finds nothing
    wrong with it (`rewrite_problem`: another object, a name not there, an import cycle);
    SSOT001 puts the index's reason in the fix title. A target unsafe only by the policy's
    default (`default`: the entry has no `fix` key; a renamed module or symbol) is safe where
    the index proves the rewrite keeps every object the file uses (`_same_objects`)."""
    index = current()
    if target.level != SAFE:
        if not default:
            return target._replace(why='its entry says fix = "unsafe"')
        if index is None:
            return target._replace(why="the name changes, and without the project index nothing proves "
                                       "the canonical path is the same object")
        if index.rewrite_problem(facts.module, name.path, target.path, fact.kind == "import") is not None:
            return target  # SSOT001 gives the index's reason
        if _same_objects(index, facts, fact, name, target.path):
            return _Target(target.path, SAFE)
        what = "every attribute the file reads through it" if fact.kind == "import" else "the same object"
        return target._replace(why=f"the project index cannot prove '{target.path}' gives {what}")
    if index is None:
        return target
    if index.rewrite_problem(facts.module, name.path, target.path, fact.kind == "import") is None:
        return target
    return _Target(target.path, UNSAFE)


def _star_problem(facts: ModuleFacts, old: str, new: str) -> str | None:
    """Why `from new import *` may not give the file what `from old import *` did: some name
    the file reads and binds nowhere (a builtin included: a star import can shadow one) comes
    from the two stars as different objects, or the index cannot tell. None: proven the same."""
    index = current()
    if index is None:
        return "cannot prove the canonical module exports every name without the project index"
    names = free_names(facts)
    if names is None:
        return "the file does not parse"
    for name in sorted(names):
        before, after = _star_gives(index, old, name), _star_gives(index, new, name)
        if before == after and before != "unknown":
            continue
        if after is None:
            return f"'{new}' does not export '{name}'"
        return f"cannot prove '{new}' exports the same '{name}'"
    return None


def _star_gives(index, module: str, name: str):
    """What `from module import *` binds as `name`: its origin, None for nothing, "unknown"."""
    summary = index.summary(module)
    if summary is None or summary.dynamic_exports:
        return "unknown"
    if summary.exports is not None:
        if name not in summary.exports:
            return None
    elif name.startswith("_") or not any(bound == name or bound == "*" for bound, _, _ in summary.bindings):
        return None
    origin = index.name_origin(module, name)
    if origin.kind == MISSING:
        return None
    return origin if origin.known else "unknown"


def _same_objects(index, facts: ModuleFacts, fact: ImportFact, name: ImportedName, new: str) -> bool:
    """Does the index prove that the file gets the same objects through `new` as through
    `name.path`? For `from old import A`: `A` itself. For `import old as x`: every attribute
    the file reads through `x` (and nothing else is done with `x`)."""
    if fact.kind != "import" and index.resolve(name.path).kind != MODULE:
        return _same(index, name.path, new)
    if not name.bound or (fact.kind == "import" and not name.asname):
        return False
    # A module (`import old as x`, `from pkg import old`): what the file reads through it.
    read = attributes_read(facts, fact.node.names[fact.names.index(name)], name.bound)
    return read is not None and all(_same(index, f"{name.path}.{attribute}", f"{new}.{attribute}")
                                    for attribute in read)


def _same(index, old: str, new: str) -> bool:
    """The same object, or the old module is gone from the tree and the new path is there."""
    if index.same_object(old, new):
        return True
    old_module = old.rpartition(".")[0]
    return index.module_file(old_module)[0] is None and index.resolve(new).known


def _canonical_path(config: Config, match, fact: ImportFact, name: ImportedName) -> str | None:
    """The canonical path of an imported name, carrying a sub-path below a module key only into
    a module the policy knows (`lookup.canonical_module`)."""
    if fact.kind == "import":
        return canonical_module(config, match, match.rest)
    module = fact.module or ""
    if len(module) <= len(match.matched):
        return replacement(match)  # the key is the module or a name in it
    canonical = canonical_module(config, match, module[len(match.matched):])
    return None if canonical is None else canonical + name.path[len(module):]


def _plain_import_fix(facts, config, fact: ImportFact, name: ImportedName | None) -> Fix | None:
    if name is None:
        return None
    target = _name_target(facts, config, fact, name)
    if target is None:
        return None
    source = source_lines(facts)
    parts = _import_parts(source, *source.slice(fact.span))
    index = fact.names.index(name)
    if parts is None or len(parts.aliases) != len(fact.names):
        return None
    alias = parts.aliases[index]
    # Without an alias `import a.b.legacy` binds `a`, and the code reaches the module through
    # `a.b.legacy`: the rewrite changes what the statement makes available.
    level = target.level if name.asname else UNSAFE
    old, new = name.path.rpartition(".")[2], target.path.rpartition(".")[2]
    if name.asname == old != new:
        # `import pkg.ws.manager as manager`: the alias only kept the module's own name.
        plan = plan_rename(facts, fact.node.names[index], old, new, target.path)
        if plan.kept is None:
            level = level if plan.proven else UNSAFE
            edits = (Edit(source.span(alias.start, alias.end), f"{target.path} as {new}"), *plan.edits)
            reasons = [why for why in (target.why, plan.why_unproven) if why]
            title = f"import '{target.path}', renaming '{old}' to '{new}'"
            return Fix(edits, level, title + (f" (unsafe: {'; '.join(reasons)})" if reasons else ""))
        edit = Edit(source.span(alias.start, alias.name_end), target.path)
        reasons = [f"keeps the alias '{old}': {plan.kept}", *([target.why] if target.why else [])]
        return Fix((edit,), UNSAFE, f"import '{target.path}' (unsafe: {'; '.join(reasons)})")
    edit = Edit(source.span(alias.start, alias.name_end), target.path)
    why = target.why if level == UNSAFE and name.asname else ""
    return Fix((edit,), level, f"import '{target.path}'" + (f" (unsafe: {why})" if why else ""))


def _from_import_fix(facts, config, fact: ImportFact, name: ImportedName | None) -> Fix | None:
    if fact.module is None:
        return None
    source = source_lines(facts)
    start, end = source.slice(fact.span)
    parts = _import_parts(source, start, end)
    if parts is None or parts.module is None or len(parts.aliases) != len(fact.names):
        return None
    targets: list[_Moved | None] = []
    for imported, written in zip(fact.names, fact.node.names):
        target = _name_target(facts, config, fact, imported)
        if target is None:
            targets.append(None)
            continue
        module, _, new_name = target.path.rpartition(".")
        original = imported.path.rpartition(".")[2]
        level, plan = target.level, None
        if new_name != original and imported.bound == original:
            # The file knows the symbol by its old name: rename its uses, or keep `new as old`.
            plan = plan_rename(facts, written, original, new_name, target.path)
            if plan.kept is not None or not plan.proven:
                level = UNSAFE
        targets.append(_Moved(module, new_name, level, plan, target.why if target.level == UNSAFE else ""))
    if name is None:  # the statement's module itself is legacy
        match = legacy_match(config, fact.module, facts)
        if match is None or match.entry.fix not in _LEVELS or is_shim(facts, match):
            return None
        star_module = canonical_module(config, match, match.rest)
        if star_module is None:
            return None
        level = match.entry.fix
        probe = _probe_problem(facts, fact, [name.path for name in fact.names] or [fact.module])
        if fact.star:
            star_problem = _star_problem(facts, fact.module, star_module) if match.entry.fix_default or level == SAFE \
                else "its entry says fix = \"unsafe\""
            if probe is not None:
                star_problem = probe if star_problem is None else f"{probe}; {star_problem}"
            level = SAFE if star_problem is None else UNSAFE
        elif probe is not None or _fallback_problem(facts, fact, [f"{t.module}.{t.name}" for t in targets if t]):
            level = UNSAFE  # its names' targets say why (`_proven`)
        elif level == UNSAFE and match.entry.fix_default and current() is not None:
            # A renamed module: safe where the index proved each name it governs (`_proven`).
            governed = [t for imported, t in zip(fact.names, targets)
                        if (own_match := legacy_match(config, imported.path, facts)) is not None
                        and own_match.matched == match.matched]
            if governed and all(t is not None and t.level == SAFE for t in governed):
                level = SAFE
    else:
        own = targets[fact.names.index(name)]
        if own is None:
            return None
        level, star_module = own[2], None
    chosen = [t if t is not None and _LEVELS[t.level] <= _LEVELS[level] else None for t in targets]
    if fact.star:
        if star_module is None:
            return None
        title = f"import * from '{star_module}'"
        return Fix((Edit(source.span(*parts.module), star_module),), level,
                   title if level == SAFE else f"{title} (unsafe: {star_problem})")
    if not any(chosen):
        return None
    edits, level = _rewrite_from(facts, source, fact, parts, chosen, start, end, config)
    if not edits:
        return None
    return Fix(tuple(edits), level, "import from the canonical module" + _renaming(fact, chosen))


def _renaming(fact: ImportFact, chosen: Sequence[_Moved | None]) -> str:
    """What the fix title adds for renamed names: the rename, or why the alias stays."""
    renamed, kept, unproven = [], [], []
    for imported, target in zip(fact.names, chosen):
        if target is not None and target.why:
            unproven.append(target.why)
        if target is None or target.plan is None:
            continue
        old, new = imported.bound, target.name
        if target.plan.kept is None:
            renamed.append(f"'{old}' to '{new}'")
            if not target.plan.proven:
                unproven.append(target.plan.why_unproven)
        else:
            kept.append(f"keeps the alias '{old}': {target.plan.kept}")
    text = f", renaming {', '.join(renamed)}" if renamed else ""
    reasons = kept + list(dict.fromkeys(unproven))
    return text + (f" (unsafe: {'; '.join(reasons)})" if reasons else "")


def _rewrite_from(facts: ModuleFacts, source: SourceLines, fact: ImportFact, parts: _ImportParts,
                  chosen: Sequence[_Moved | None], start: int, end: int,
                  config: Config | None = None) -> tuple[list[Edit], str]:
    """Rewrite a `from` statement the way a person migrating it would.

    Names whose module stays keep the statement; the others join a statement of the file that
    already imports from their canonical module (a sibling in the same import block), or a new
    statement right after this one. A moved name takes its own comment along. When no name
    stays, the statement takes the first canonical module without such a sibling, or goes
    entirely when every name found one and no comment would be left behind. A legacy statement
    above in the block whose own fix turns it into an import from the same canonical module
    counts as such a sibling: this fix then carries that fix's edits too, so two legacy
    statements of one canonical module end as one statement, whichever fix is applied.
    """
    names = fact.node.names
    level = SAFE
    groups: dict[str, list[int]] = {}  # canonical module -> moved aliases, in the statement's order
    for index, target in enumerate(chosen):
        if target is not None:
            level = stricter(level, target.level)
            if target.module != fact.module:
                groups.setdefault(target.module, []).append(index)
    if any(not module for module in groups):
        return [], level
    items = {index: _moved_item(source, parts, names[index], chosen[index], index) for group in groups.values()
             for index in group}
    present: set[tuple[str, str]] = set()
    merges: dict[str, list[Edit]] = {}  # module -> the edits adding its names to a sibling statement
    carried: list[Edit] = []  # the fixes of legacy siblings this fix merges into
    for module, group in groups.items():
        found = _siblings(facts, fact, module)
        if not found and config is not None:
            legacy = _legacy_sibling(facts, config, fact, module, level)
            if legacy is not None:
                found = [legacy[0]]
                carried.extend(legacy[1].edits)
        present.update((module, _written(source, other, alias)) for other in found
                       for alias in other.node.names)
        # A name the block imports already only leaves, unless it has a comment to carry.
        moved = [items[index] for index in group if (module, items[index][0]) not in present or items[index][1]]
        merged = _merge(source, found[0], moved) if found and moved else ([] if found else None)
        if merged is not None:
            merges[module] = merged
    home: str | None = fact.module
    if all(target is not None and target.module != fact.module for target in chosen):
        alone = [module for module in groups if module not in merges]
        if alone:
            home = alone[0]
        elif _comments(source, start, end) == [c for item in items.values() for c in item[1:] if c] \
                and _alone_on_lines(source, start, end):
            home = None
        else:
            home = next(iter(groups))
            del merges[home]
    edits: list[Edit] = []
    if home is None:
        edits.append(Edit(source.span(source.line_start(start), source.next_line(end)), ""))
    elif home != fact.module:
        edits.append(Edit(source.span(*parts.module), home))
    removed: list[int] = []
    for index, target in enumerate(chosen):
        if target is None:
            continue
        module, new_name = target.module, target.name
        written = names[index]
        if target.renamed:
            edits.extend(target.plan.edits)
        if module == home or (home == fact.module and module == fact.module):
            alias = parts.aliases[index]
            if target.renamed:
                edits.append(Edit(source.span(alias.start, alias.end), new_name))
            elif new_name != written.name:
                renamed = new_name if written.asname else f"{new_name} as {written.name}"
                edits.append(Edit(source.span(alias.start, alias.name_end), renamed))
        else:
            removed.append(index)
    if home is not None:
        for first, last in _runs(removed):
            edits.append(_remove_aliases(source, parts, first, last))
    if any(module in merges for module in groups):
        edits.extend(edit for edit in carried if edit not in edits)
    statements: list[str] = []
    for module, group in groups.items():
        if module == home:
            continue
        if module in merges:
            edits.extend(merges[module])  # nothing when the block imports them all already
        else:
            statements.append(_new_statement(source, start, module, [items[index] for index in group]))
    if statements:
        edits.append(_insert_after(source, start, end, statements))
    return edits, level


def _moved_item(source: SourceLines, parts: _ImportParts, written: ast.alias,
                target: _Moved, index: int) -> tuple[str, str | None]:
    """How a moved name is written in its new statement, and the comment it owns (the comment
    ending its line, when the name stands alone on a line of a parenthesized statement)."""
    new_name = target.name
    bound = new_name if target.renamed else written.asname or written.name
    text = new_name if new_name == bound else f"{new_name} as {bound}"
    alias = parts.aliases[index]
    comment = None
    if parts.parenthesized and _own_lines(source, alias.start, alias.end):
        tail = _OWN_LINE_TAIL.fullmatch(source.text[alias.end:source.content_end(alias.end)])
        comment = tail.group(1)
    return text, comment


def _comments(source: SourceLines, start: int, end: int) -> list[str]:
    return [t.string for t in tokens_of(source, start, source.content_end(end)) if t.type == tokenize.COMMENT]


def _alone_on_lines(source: SourceLines, start: int, end: int) -> bool:
    text = source.text
    before = text[source.line_start(start):start]
    after = text[end:source.content_end(end)]
    return not before.strip(" \t\f") and (not after.strip() or after.strip().startswith("#"))


def _siblings(facts: ModuleFacts, fact: ImportFact, module: str) -> list[ImportFact]:
    """The `from module import ...` statements of the same import block as `fact`, nearest
    first: same indentation, same TYPE_CHECKING-ness, and nothing but imports, blank lines and
    comments between the two (so a name merged into one is bound before any code runs, as it was)."""
    return [other for other in _block(facts, fact)
            if other.kind == "from" and other.module == module and not other.star]


def _block(facts: ModuleFacts, fact: ImportFact) -> Iterator[ImportFact]:
    """The other import statements of `fact`'s import block, nearest first (see `_siblings`)."""
    column = fact.span.column
    block = [f for f in facts.imports if f.kind != "dynamic" and f.span.column == column]
    covered = {line for f in block for line in range(f.span.line, f.span.end_line + 1)}
    for other in sorted(block, key=lambda f: abs(f.span.line - fact.span.line)):
        if other is fact or other.type_checking != fact.type_checking:
            continue
        low, high = sorted((other, fact), key=lambda f: f.span.line)
        between = range(low.span.end_line + 1, high.span.line)
        if all(line in covered or _blank_or_comment(facts, line) for line in between):
            yield other


def _legacy_sibling(facts: ModuleFacts, config: Config, fact: ImportFact, module: str,
                    level: str) -> tuple[ImportFact, Fix] | None:
    """A legacy `from` statement above `fact` in its import block whose own fix, at most as
    unsafe as `level`, rewrites the whole statement into `from module import ...`: the
    statement, and that fix."""
    for other in _block(facts, fact):
        if other.span.line >= fact.span.line or other.kind != "from" or other.star or other.module == module:
            continue
        targets = [_name_target(facts, config, other, name) for name in other.names]
        if not targets or any(t is None or t.path.rpartition(".")[0] != module for t in targets):
            continue
        fixes = [_import_fix(facts, config, other, name) for name in (None, *other.names)]
        fixes = [f for f in fixes if f is not None]
        if not fixes:
            continue
        widest = max(fixes, key=lambda f: _LEVELS[f.applicability])
        if _LEVELS[widest.applicability] > _LEVELS[level]:
            continue
        return other, widest
    return None


def _written(source: SourceLines, fact: ImportFact, alias: ast.alias) -> str:
    return alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"


def _blank_or_comment(facts: ModuleFacts, line: int) -> bool:
    text = facts.lines[line - 1].strip() if line <= len(facts.lines) else ""
    return not text or text.startswith("#")


def _merge(source: SourceLines, sibling: ImportFact, moved: list[tuple[str, str | None]]) -> list[Edit] | None:
    """Add names to an existing statement of their canonical module, in its own layout: one line
    each before the closing parenthesis, or `, name` after its last name. None when the
    statement's layout cannot take them (a comment to carry into a one-line statement,
    backslash continuations, `;`)."""
    start, end = source.slice(sibling.span)
    text = source.text
    parts = _import_parts(source, start, end)
    if parts is None or not parts.aliases or "\\" in text[start:end]:
        return None
    if text[end:source.content_end(end)].lstrip(" \t").startswith(";"):
        return None
    tail = parts.aliases[-1]
    if parts.parenthesized and source.line_start(tail.start) != source.line_start(start) \
            and _own_lines(source, tail.start, tail.end):
        indent = text[source.line_start(tail.start):tail.start]
        lines = "".join(f"{indent}{name},{'  ' + comment if comment else ''}\n" for name, comment in moved)
        edits = [Edit(source.span(source.next_line(tail.end), source.next_line(tail.end)), lines)]
        if tail.comma is None:
            edits.insert(0, Edit(source.span(tail.end, tail.end), ","))
        return edits
    if any(comment for _, comment in moved) or "#" in text[tail.end:source.content_end(end)]:
        return None  # a comment of its own would seem to speak of the added names too
    return [Edit(source.span(tail.end, tail.end), "".join(f", {name}" for name, _ in moved))]


def _new_statement(source: SourceLines, start: int, module: str, moved: list[tuple[str, str | None]]) -> str:
    """`from module import ...` for moved names: on one line (with the comment of its only
    commented name, when that is the last one), else one name per line in parentheses."""
    comments = [comment for _, comment in moved if comment]
    names = ", ".join(name for name, _ in moved)
    if not comments:
        return f"from {module} import {names}"
    if len(comments) == 1 and moved[-1][1]:
        return f"from {module} import {names}  {comments[0]}"
    indent = source.text[source.line_start(start):start]
    lines = "".join(f"\n{indent}    {name},{'  ' + comment if comment else ''}" for name, comment in moved)
    return f"from {module} import ({lines}\n{indent})"


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _remove_aliases(source: SourceLines, parts: _ImportParts, first: int, last: int) -> Edit:
    """Remove aliases first..last (some alias of the statement stays) with their commas."""
    text, aliases = source.text, parts.aliases
    head, tail = aliases[first], aliases[last]
    at_end = last == len(aliases) - 1
    if parts.parenthesized and _own_lines(source, head.start, tail.end):
        return Edit(source.span(source.line_start(head.start), source.next_line(tail.end)), "")
    if not at_end:
        following = aliases[last + 1]
        stop = tail.comma + 1
        if source.line_start(following.start) == source.line_start(tail.comma):
            stop = following.start
        return Edit(source.span(head.start, stop), "")
    previous = aliases[first - 1]
    if parts.parenthesized and "#" in text[previous.end:head.start]:
        stop = tail.comma + 1 if tail.comma is not None else tail.end
        return Edit(source.span(_back_over_blanks(text, head.start), stop), "")
    return Edit(source.span(previous.end, tail.end), "")


def _own_lines(source: SourceLines, start: int, end: int) -> bool:
    """Do `start`..`end` begin a line and end it, but for a comma and a comment?"""
    text = source.text
    if text[source.line_start(start):start].strip(" \t\f"):
        return False
    return _OWN_LINE_TAIL.fullmatch(text[end:source.content_end(end)]) is not None


def _back_over_blanks(text: str, offset: int) -> int:
    while offset > 0 and text[offset - 1] in " \t":
        offset -= 1
    return offset


def _forward_over_blanks(text: str, offset: int) -> int:
    while offset < len(text) and text[offset] in " \t":
        offset += 1
    return offset


def _insert_after(source: SourceLines, start: int, end: int, statements: list[str]) -> Edit:
    """New statements right after the statement `start..end`: on their own lines with its
    indentation when it stands alone on its line, else after a `;` on the same line."""
    text = source.text
    indent = text[source.line_start(start):start]
    rest = text[end:source.content_end(end)]
    if not indent.strip(" \t\f") and not rest.lstrip(" \t").startswith(";") and "\\" not in rest:
        at = source.content_end(end)
        return Edit(source.span(at, at), "".join(f"\n{indent}{statement}" for statement in statements))
    return Edit(source.span(end, end), "".join(f"; {statement}" for statement in statements))


def _dynamic_fix(facts: ModuleFacts, config: Config, fact: ImportFact) -> Fix | None:
    match = legacy_match(config, fact.module, facts)
    if match is None or match.entry.fix not in _LEVELS or (match.entry.type_checking and fact.type_checking):
        return None
    if is_shim(facts, match):
        return None
    use = canonical_module(config, match, match.rest)
    if use is None:
        return None
    value = fact.node.value
    edit = _string_edit(source_lines(facts), fact.span, value, use)
    if edit is None:
        return None
    level, title = match.entry.fix, f"import '{use}'"
    if use.split(".", 1)[0] != fact.module.split(".", 1)[0]:
        level = UNSAFE  # `__import__` returns the top-level package, which is another one now
    elif level == SAFE:
        missing = _names_not_carried(fact.module, use)
        if missing:
            level, title = UNSAFE, f"{title} (unsafe: {missing})"
    probe = _probe_problem(facts, fact, [fact.module]) or _fallback_problem(facts, fact, [use])
    if probe is not None:
        level = UNSAFE
        title = f"{title[:-1]}; {probe})" if title.endswith(")") else f"{title} (unsafe: {probe})"
    return Fix((edit,), level, title)


def _names_not_carried(old: str, new: str) -> str | None:
    """Why the module a dynamic import returns may lack what the code reads from it: the call's
    result is a module object used anywhere, so every public name of the legacy module must be
    the same object in the canonical one. None when the index proves it, or has no view of the
    legacy module (no index: the entry's level stands, as for an import statement)."""
    index = current()
    summary = None if index is None else index.summary(old)
    if summary is None:
        return None
    for name in dict.fromkeys(name for name, _, _ in summary.bindings if not name.startswith("_")):
        same = index.same_object(f"{old}.{name}", f"{new}.{name}")
        if same is None and index.name_origin(new, name).kind == MISSING:
            return f"'{new}' does not define '{name}', which the code may read from the module"
        if not same:
            return f"the project index cannot prove '{new}.{name}' is '{old}.{name}'"
    return None


# --------------------------------------------------------------------------- try/except ImportError probes

# What a handler that catches ImportError may name (`except:` catches it too).
_CATCHES_IMPORT_ERROR = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


class _Probes(NamedTuple):
    probed: list[Span]  # simple statements that run inside a probing `try:` body
    fallbacks: list[tuple[Span, ast.Try]]  # simple statements of a probing handler, and its `try`


_PROBES: list[tuple[str, _Probes]] = []  # the last file's probes


def _probe_problem(facts: ModuleFacts, fact: ImportFact, paths: Sequence[str]) -> str | None:
    """Why rewriting an import that a `try:` probes (its handler catches ImportError and does
    more than re-raise) may change what the program does: the probe asks whether the legacy
    path imports, and the except branch is what the program does when it does not. The rewrite
    keeps the outcome only where the legacy import succeeds today, which the project index
    shows by finding each of `paths`; a legacy module gone from the tree means the except
    branch runs today, and after the rewrite the import may succeed. None: not in a probe, or
    the outcome stays."""
    if not in_probe(facts, fact.span):
        return None
    index = current()
    if index is None:
        return ("a try/except ImportError probe, and without the project index nothing shows that "
                "the legacy import succeeds today")
    for path in paths:
        origin = index.resolve(path)
        if origin.known:
            continue
        module, _, name = path.rpartition(".") if fact.kind == "from" and path != fact.module else (path, "", "")
        if origin.kind == MISSING and index.module_file(module)[0] is None:
            return (f"a try/except ImportError probe, and '{module}' is not in the tree: the except branch "
                    "runs today, and the import may succeed after the fix")
        if origin.kind == MISSING:
            return (f"a try/except ImportError probe, and '{module}' does not define '{name}': the except "
                    "branch runs today, and the import may succeed after the fix")
        return f"a try/except ImportError probe, and the project index cannot see whether '{path}' imports today"
    return None


def _fallback_problem(facts: ModuleFacts, fact: ImportFact, paths: Sequence[str]) -> str | None:
    """Why rewriting an import in the except branch of a probe (a handler that catches
    ImportError) to `paths` may change what the program does: the handler runs when the try's
    import failed, and where the try imports a module of `paths` (or its package) the rewrite
    makes the fallback repeat that import, so the program raises where it fell back. The rewrite keeps
    the outcome only where the try's import always succeeds (the handler is then dead code),
    which the project index shows by finding each such path in the tree. None: not in such a
    handler, the try imports none of the modules, or the index finds them."""
    node = _fallback_of(facts, fact.span)
    if node is None:
        return None
    tried = _tried_modules(facts, node)
    index = current()
    for path in paths:
        module = path.rpartition(".")[0] if fact.kind == "from" else path
        # A failed import of a package (`import shared`) fails its modules' too.
        if path not in tried and not any(module == t or module.startswith(f"{t}.") for t in tried):
            continue
        why = "the except branch of a try/except ImportError probe, and "
        if index is None:
            return f"{why}without the project index nothing shows that the try's import of '{module}' succeeds"
        origin = index.resolve(path)
        if origin.known:
            continue
        repeat = "the fallback runs when the try's import of it fails, and the fix would make it repeat that import"
        if index.module_file(module)[0] is None:
            return f"{why}'{module}' is not in the tree: {repeat}"
        if origin.kind == MISSING:
            return f"{why}'{module}' does not define or export '{path.rpartition('.')[2]}': {repeat}"
        return f"{why}the project index cannot see whether the try's import of '{path}' succeeds"
    return None


def _fallback_of(facts: ModuleFacts, span: Span) -> ast.Try | None:
    """The probing `try` whose ImportError handler holds the statement at `span`, if any."""
    return next((node for statement, node in _probes_of(facts).fallbacks if _holds(statement, span)), None)


def _imports_in(facts: ModuleFacts, body: Sequence[ast.stmt]) -> list[ImportFact]:
    """The import facts of the file between the first and the last line of `body`."""
    first, last = body[0].lineno, body[-1].end_lineno or body[-1].lineno
    return [fact for fact in facts.imports if first <= fact.span.line and fact.span.end_line <= last]


def _tried_modules(facts: ModuleFacts, node: ast.Try) -> set[str]:
    """The modules the body of `try` imports (`from m import x`: `m`; `import m`: `m`)."""
    tried = set()
    for fact in _imports_in(facts, node.body):
        if fact.kind == "import":
            tried.update(name.path for name in fact.names)
        elif fact.module:
            tried.add(fact.module)
    return tried


_REMOVE_FALLBACK = "remove the ImportError fallback, keeping the canonical import"
_BARE_TRY = re.compile(r"[ \t]*try[ \t]*:[ \t]*(#.*)?")


def _fallback_removal(facts: ModuleFacts, config: Config, fact: ImportFact) -> Fix | None:
    """The migration commit's fix of a legacy import in an ImportError handler that only
    re-imports, from legacy paths, exactly the names its `try` imports from their canonical
    ones: the try/except goes, the try's imports stay (dedented). The handler's comments stay
    on lines of their own, at the try's indentation, where the handler was (the try line's
    before the imports). Safe where the project index finds every name the try imports (the
    handler is then dead code) and no entry says fix = "unsafe"; None for any other shape."""
    node = _fallback_of(facts, fact.span)
    if node is None or len(node.handlers) != 1 or node.orelse or node.finalbody:
        return None
    handler = node.handlers[0]
    if not all(isinstance(statement, (ast.Import, ast.ImportFrom)) for statement in (*node.body, *handler.body)):
        return None
    tried, fallback = _imports_in(facts, node.body), _imports_in(facts, handler.body)
    if len(tried) != len(node.body) or len(fallback) != len(handler.body) or any(f.star for f in tried + fallback):
        return None
    wanted = {(name.bound, name.path) for f in tried for name in f.names}
    given, reasons = set(), []
    for other in fallback:
        for name in other.names:
            target = _name_target(facts, config, other, name)
            if target is None:
                return None
            given.add((name.bound, target.path))
            match = legacy_match(config, name.path, facts)
            if match is not None and match.entry.fix == UNSAFE and not match.entry.fix_default:
                reasons.append('its entry says fix = "unsafe"')
    if given != wanted or None in {bound for bound, _ in wanted}:
        return None
    edit = _unwrapped_try(facts, source_lines(facts), node)
    if edit is None:
        return None
    problem = _fallback_problem(facts, fact, sorted(path for _, path in wanted))
    reasons = list(dict.fromkeys([*([problem] if problem else []), *reasons]))
    if not reasons:
        return Fix((edit,), SAFE, _REMOVE_FALLBACK)
    return Fix((edit,), UNSAFE, f"{_REMOVE_FALLBACK} (unsafe: {'; '.join(reasons)})")


def _unwrapped_try(facts: ModuleFacts, source: SourceLines, node: ast.Try) -> Edit | None:
    """Replace the lines of a try/except with the lines of its body, dedented to the try's
    indentation, and the comments of the other lines on lines of their own; None when the
    layout is not one statement per line (`try: import x`, `;`, a line of the body indented
    less than the body)."""
    text, handler = source.text, node.handlers[0]
    first_body, except_line = node.body[0].lineno, handler.lineno
    last_line = handler.body[-1].end_lineno or handler.body[-1].lineno
    try_start = source.starts[node.lineno - 1]
    indent = text[try_start:try_start + node.col_offset]
    head = _BARE_TRY.fullmatch(text[try_start:source.content_end(try_start)])
    if head is None or indent.strip(" \t") or first_body == node.lineno:
        return None
    body_start = source.starts[first_body - 1]
    inner = text[body_start:body_start + node.body[0].col_offset]
    if inner.strip(" \t") or not inner.startswith(indent) or len(inner) <= len(indent):
        return None
    end = source.next_line(source.starts[last_line - 1])
    last = span_from_ast(handler.body[-1], facts.lines)
    after = text[source.offset(last.end_line, last.end_column):source.content_end(source.starts[last_line - 1])]
    if after.strip() and not after.strip().startswith("#"):
        return None
    kept = []
    for line in text[source.starts[node.lineno]:source.starts[except_line - 1]].splitlines(keepends=True):
        if not line.strip():
            kept.append(line.lstrip(" \t"))
        elif line.startswith(inner):
            kept.append(indent + line[len(inner):])
        else:
            return None
    newline = text[source.content_end(try_start):source.next_line(try_start)] or "\n"
    removed = _comments(source, source.starts[except_line - 1], source.starts[last_line - 1])
    lines = [f"{indent}{comment}{newline}" for comment in ([head.group(1)] if head.group(1) else [])]
    lines += kept + [f"{indent}{comment}{newline}" for comment in removed]
    return Edit(source.span(try_start, end), "".join(lines))


def in_probe(facts: ModuleFacts, span: Span) -> bool:
    """Does `span` run inside a probing `try:` body or `with suppress(ImportError):` block?"""
    return any(_holds(statement, span) for statement in _probes_of(facts).probed)


def _holds(statement: Span, span: Span) -> bool:
    return statement.contains(span.line, span.column) and statement.contains(span.end_line, span.end_column)


def _probes_of(facts: ModuleFacts) -> _Probes:
    """The simple statements of the file that run inside a probing `try:` body (or a
    `with suppress(ImportError):` block), and those of its handlers that catch ImportError
    (with their `try`), kept for the file's next diagnostic. In a file that does not parse,
    those of each top-level statement that parses alone: the language server's incremental
    check, which parses a file by its top-level statements, finds the same."""
    cached = _PROBES[0] if _PROBES else None
    if cached is not None and cached[0] is facts.source:
        return cached[1]
    found = _Probes([], [])
    if "except" in facts.source or "suppress" in facts.source:
        try:
            trees = [facts.tree_for()] if facts.syntax_error is None else _top_level_trees(facts.lines)
            for tree in trees:
                _walk_probes(facts, tree.body, False, None, found)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            found = _Probes([], [])
    _PROBES[:] = [(facts.source, found)]
    return found


_CONTINUES_STATEMENT = re.compile(r"[\s#)\]}]|(except|else|elif|finally)\b")


def _top_level_trees(lines: Sequence[str]) -> Iterator[ast.Module]:
    """The trees of a broken file's top-level statements that parse alone, at their lines."""
    starts = [number for number, line in enumerate(lines) if line and not _CONTINUES_STATEMENT.match(line)]
    for start, end in zip(starts, [*starts[1:], len(lines)]):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield ast.parse("\n" * start + "\n".join(lines[start:end]))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue


def _walk_probes(facts: ModuleFacts, body: list[ast.stmt], probing: bool, fallback: ast.Try | None,
                 found: _Probes) -> None:
    """`probing`: the statements run inside a probing `try:` body; `fallback`: inside a handler
    of that `try` which catches ImportError (the innermost such `try`)."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _walk_probes(facts, statement.body, False, None, found)  # runs when called, outside the `try`
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            probes = _probes(statement)
            _walk_probes(facts, statement.body, probing or probes, fallback, found)
            for handler in statement.handlers:
                catches = probes and (handler.type is None or _names_import_error(handler.type))
                _walk_probes(facts, handler.body, probing, statement if catches else fallback, found)
            _walk_probes(facts, statement.orelse, probing, fallback, found)
            _walk_probes(facts, statement.finalbody, probing, fallback, found)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            _walk_probes(facts, statement.body, probing or _suppresses(statement), fallback, found)
        elif isinstance(statement, ast.Match):
            for case in statement.cases:
                _walk_probes(facts, case.body, probing, fallback, found)
        elif isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While, ast.ClassDef)):
            _walk_probes(facts, statement.body, probing, fallback, found)
            _walk_probes(facts, getattr(statement, "orelse", []), probing, fallback, found)
        elif probing or fallback is not None:
            span = span_from_ast(statement, facts.lines)
            if probing:
                found.probed.append(span)
            if fallback is not None:
                found.fallbacks.append((span, fallback))


def _probes(statement: ast.AST) -> bool:
    """Does some handler of this `try` catch ImportError and do more than re-raise it?"""
    return any(
        (handler.type is None or _names_import_error(handler.type))
        and not (len(handler.body) == 1 and isinstance(handler.body[0], ast.Raise) and handler.body[0].exc is None)
        for handler in statement.handlers
    )


def _names_import_error(node: ast.AST) -> bool:
    if isinstance(node, ast.Tuple):
        return any(_names_import_error(element) for element in node.elts)
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
    return name in _CATCHES_IMPORT_ERROR


def _suppresses(statement: ast.AST) -> bool:
    """`with suppress(ImportError):` (contextlib's), which probes as a `try` does."""
    calls = [item.context_expr for item in statement.items if isinstance(item.context_expr, ast.Call)]
    return any(
        "suppress" in (getattr(call.func, "attr", None), getattr(call.func, "id", None))
        and any(_names_import_error(argument) for argument in call.args)
        for call in calls
    )


# --------------------------------------------------------------------------- strings and attributes

def _string_edit(source: SourceLines, span: Span, value: str, new_value: str) -> Edit | None:
    """Replace the body of a plain one-token string literal, keeping its prefix and quotes."""
    start, end = source.slice(span)
    literal = STRING_LITERAL.match(source.text[start:end])
    if literal is None:
        return None
    prefix, quote, body = literal.groups()
    if body != value or any(char in new_value for char in "\\'\"\r\n"):
        return None  # escapes, concatenation or line breaks: not a literal we can edit in place
    body_start = start + len(prefix) + len(quote)
    return Edit(source.span(body_start, body_start + len(body)), new_value)


def reference_attribute_fix(facts: ModuleFacts, attribute: AttributeFact, match) -> Fix | None:
    """SSOT004 on an attribute chain: rewrite the legacy part of the chain where the canonical
    path is reachable from the same name (`pkg.ws.factory.x` -> `pkg.ws.canonical_imports.x`)."""
    try:
        use, base = match.entry.use, attribute.base
        if not use or match.entry.fix not in _LEVELS or is_shim(facts, match):
            return None
        if not (use == base or use.startswith(base + ".")):
            return None
        chain = [attribute.node]
        while isinstance(chain[-1], ast.Attribute):
            chain.append(chain[-1].value)
        chain.reverse()  # root name first
        root = chain[0]
        depth = match.matched.count(".") - base.count(".")
        if not isinstance(root, ast.Name) or not 0 < depth < len(chain):
            return None
        source = source_lines(facts)
        span = span_from_ast(chain[depth], facts.lines)
        start, end = source.slice(span)
        if "#" in source.text[start:end] or not spells_name(source, start, end, chain[depth]):
            return None
        new_text = root.id + use[len(base):]
        level = match.entry.fix
        if use != base and use not in _loaded_modules(facts):
            level = UNSAFE  # nothing imports the canonical module: the attribute may not exist
        reasons = []
        rebound = facts.rebinding(root.id, base)  # (`global ws_core; ws_core = FakeCore()` in a hook)
        if rebound:
            reasons.append(rebound)
        if attribute.shown:
            reasons.append("the chain is also the text of its f-string's `{...=}` placeholder, which changes with it")
        if reasons:
            level = UNSAFE
        description = f"use '{use}'" + (f" (unsafe: {'; '.join(reasons)})" if reasons else "")
        return Fix((Edit(span, new_text),), level, description)
    except _BUILD_ERRORS:
        return None


def _loaded_modules(facts: ModuleFacts) -> set[str]:
    """Modules this file imports anywhere (and their parent packages, which importing loads)."""
    loaded: set[str] = set()
    for binding in facts.bindings:
        module = binding.module
        if module and binding.kind in IMPORT_KINDS:
            parts = module.split(".")
            loaded.update(".".join(parts[:count]) for count in range(1, len(parts) + 1))
    return loaded


# --------------------------------------------------------------------------- __all__

def export_fix(facts: ModuleFacts, export: ExportFact, shared: bool = False) -> Fix | None:
    """SSOT003: remove the deprecated name from `__all__` (with its comma), keeping every
    comment: one that ended the removed entry's line stays on that line, in its place.
    `shared`: another deprecated name is in the same list or tuple."""
    try:
        source = source_lines(facts)
        container = export.container
        if isinstance(container, ast.Call):
            edit = remove_statement(facts, source, export.stmt)
            edits = None if edit is None else (edit,)
        elif isinstance(container, (ast.List, ast.Tuple)):
            edits = _remove_element(facts, source, container, export.node)
            edits = None if edits is None else tuple(_keeping_comments(source, edit) for edit in edits)
            if edits is not None and shared and isinstance(container, ast.Tuple):
                # Each removal keeps a tuple a tuple on its own, not together with another
                # (`("A", "B", "C")` less its first two entries is `("C")`, a string): the
                # fixes of one tuple share an edit that leaves its first token as it is, so
                # they clash, and each round applies one and checks the file again.
                first = tokens_of(source, *source.slice(span_from_ast(export.stmt, facts.lines)))[0]
                edits = (*edits, Edit(source.span(first.start, first.end), first.string))
        else:
            return None
        if edits is None or None in edits:
            return None
        return Fix(edits, SAFE, f"remove '{export.name}' from __all__")
    except _BUILD_ERRORS:
        return None


def _keeping_comments(source: SourceLines, edit: Edit) -> Edit | None:
    """`edit`, made to keep the comments in the text it removes. A removal of whole lines
    leaves them on those lines, at the removed code's indentation; a statement replaced by
    `pass` keeps them after it. None when they have no place to stay (a comment inside an
    entry removed from the middle of a line): no fix is better than one that loses a comment."""
    start, end = source.slice(edit.span)
    tokens = tokens_of(source, start, end)
    comments = [token.string for token in tokens if token.type == tokenize.COMMENT]
    if not comments:
        return edit
    text = source.text
    indent = text[source.line_start(start):tokens[0].start]
    own_indent = not indent.strip(" \t\f")
    if edit.replacement == "pass" and not text[end:source.content_end(end)].strip() \
            and (own_indent or len(comments) == 1):
        return Edit(edit.span, "\n".join([f"pass  {comments[0]}", *(indent + c for c in comments[1:])]))
    whole_lines = start == source.line_start(start) and end == source.next_line(end - 1)
    if edit.replacement or not whole_lines or not own_indent:
        return None
    # The lines' last line break stays where it is: a replacement's `\n` becomes the file's own.
    return Edit(source.span(start, source.content_end(end - 1)), "\n".join(indent + c for c in comments))


def _remove_element(facts: ModuleFacts, source: SourceLines, container: ast.AST,
                    element: ast.AST) -> tuple[Edit, ...] | None:
    elements = container.elts
    index = next((i for i, e in enumerate(elements) if e is element), None)
    if index is None:
        return None
    box_start, box_end = source.slice(span_from_ast(container, facts.lines))
    tokens = tokens_of(source, box_start, box_end)
    spans = [source.slice(span_from_ast(e, facts.lines)) for e in elements]
    bracketed = isinstance(container, ast.List) or _closes_at_end(tokens, box_end)
    commas = [_comma_after(tokens, spans[i][1], spans[i + 1][0] if i + 1 < len(spans) else box_end)
              for i in range(len(spans))]
    if None in commas[:-1]:
        return None  # elements with no comma between them: the error-tolerant parse of a broken file
    start, end = spans[index]
    if _wrapped(tokens, start, end, bracketed):
        return None  # a parenthesized element: `("X")`
    if len(elements) == 1 and not bracketed:
        return (Edit(source.span(box_start, box_end), "()"),)
    extra: tuple[Edit, ...] = ()
    if isinstance(container, ast.Tuple) and len(elements) == 2 and index == 0 and commas[1] is None:
        extra = (Edit(source.span(spans[1][1], spans[1][1]), ","),)  # `("A",)` stays a tuple
    return (_element_removal(source, spans, commas, index, bracketed, container), *extra)


def _element_removal(source: SourceLines, spans, commas, index: int, bracketed: bool, container) -> Edit:
    text = source.text
    start, end = spans[index]
    comma = commas[index]
    if bracketed and _own_lines(source, start, end):
        return Edit(source.span(source.line_start(start), source.next_line(end)), "")
    if len(spans) == 1:
        return Edit(source.span(start, comma + 1 if comma is not None else end), "")
    if index < len(spans) - 1:
        stop = comma + 1
        if source.line_start(spans[index + 1][0]) == source.line_start(comma):
            stop = spans[index + 1][0]
        elif text[_back_over_blanks(text, start) - 1] == ",":
            start = _back_over_blanks(text, start)  # the line's last entry: `"A",  # group` keeps its spacing
        return Edit(source.span(start, stop), "")
    previous_end, previous_comma = spans[index - 1][1], commas[index - 1]
    if comma is not None:  # the last element, with a trailing comma
        begin = start
        blank = _back_over_blanks(text, start)
        if blank > 0 and text[blank - 1] == ",":
            begin = blank
        return Edit(source.span(begin, comma + 1), "")
    if "#" in text[previous_end:start]:
        return Edit(source.span(_back_over_blanks(text, start), end), "")
    if isinstance(container, ast.Tuple) and len(spans) == 2:
        return Edit(source.span(previous_comma + 1, end), "")  # `("A",)` stays a tuple
    return Edit(source.span(previous_end, end), "")


def _comma_after(tokens: list[Token], start: int, stop: int) -> int | None:
    for token in tokens:
        if start <= token.start < stop and token.type == tokenize.OP and token.string == ",":
            return token.start
    return None


def _closes_at_end(tokens: list[Token], end: int) -> bool:
    """Is the container's first token an opening parenthesis whose partner is its last token?"""
    if not tokens or tokens[0].string != "(":
        return False
    depth = 0
    for token in tokens:
        if token.string in "([{" and token.type == tokenize.OP:
            depth += 1
        elif token.string in ")]}" and token.type == tokenize.OP:
            depth -= 1
            if depth == 0:
                return token.end == end
    return False


def _wrapped(tokens: list[Token], start: int, end: int, bracketed: bool) -> bool:
    before = [t for t in tokens if t.end <= start]
    after = [t for t in tokens if t.start >= end]
    if not (before and after and before[-1].string == "(" and after[0].string == ")"):
        return False
    return not (bracketed and before[-1] is tokens[0] and after[0] is tokens[-1])


def remove_statement(facts: ModuleFacts, source: SourceLines, stmt: ast.AST) -> Edit | None:
    """Remove a simple statement (SSOT003's `__all__.append("X")`, the import SSOT002's fix
    leaves unused), keeping its comments (`_keeping_comments`); None when it cannot."""
    edit = _statement_removal(facts, source, stmt)
    return None if edit is None else _keeping_comments(source, edit)


def _statement_removal(facts: ModuleFacts, source: SourceLines, stmt: ast.AST) -> Edit | None:
    """Remove a simple statement: its line(s), or its text and `;`, or leave `pass` behind."""
    text = source.text
    start, end = source.slice(span_from_ast(stmt, facts.lines))
    before = text[source.line_start(start):start]
    after = text[end:source.content_end(end)]
    stripped = after.lstrip(" \t")
    if stripped.startswith(";"):
        semicolon = end + len(after) - len(stripped)
        following = stripped[1:].strip()
        if following and not following.startswith("#"):
            return Edit(source.span(start, _forward_over_blanks(text, semicolon + 1)), "")
        end = semicolon + 1  # a trailing `;` goes with the statement
        after = text[end:source.content_end(end)]
    if "\\" in after:
        return None
    alone_after = not after.strip() or after.strip().startswith("#")
    if not before.strip(" \t\f"):
        if alone_after and _only_statement_in_block(facts, stmt):
            return Edit(source.span(start, source.content_end(end)), "pass")
        if alone_after:
            return Edit(source.span(source.line_start(start), source.next_line(end)), "")
        return None
    semicolon = _back_over_blanks(text, start)
    if semicolon > 0 and text[semicolon - 1] == ";":
        return Edit(source.span(_back_over_blanks(text, semicolon - 1), end), "")
    return Edit(source.span(start, end), "pass")  # the body of `if x: __all__.append("X")`


def _only_statement_in_block(facts: ModuleFacts, stmt: ast.AST) -> bool:
    if stmt.col_offset == 0:
        return False  # module level: an empty module is still a module
    tree = facts.parsed()
    where = (stmt.lineno, stmt.col_offset)
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and any(
                isinstance(child, ast.stmt) and (child.lineno, child.col_offset) == where for child in body
            ):
                return len(body) == 1
    return False


# --------------------------------------------------------------------------- pattern rules

def pattern_fix(facts: ModuleFacts, span: Span, replacement: str, code: str) -> Fix:
    """A `[[tool.ssot.patterns]]` fix: safe unless the replacement needs a name the file does not define."""
    level = SAFE
    try:
        source = source_lines(facts)
        start, end = source.slice(span)
        needed = _names_used(replacement) - _names_used(source.text[start:end]) - _BUILTINS
        if needed - _names_defined(facts):
            level = UNSAFE
    except _BUILD_ERRORS:
        level = UNSAFE
    return Fix((Edit(span, replacement),), level, f"apply the fix of {code}")


def _names_used(text: str) -> set[str]:
    """Names an expression reads: NAME tokens that are not keywords, attributes or keyword arguments."""
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)]
    names = set()
    for index, token in enumerate(tokens):
        if token.type != tokenize.NAME or keyword.iskeyword(token.string):
            continue
        if index and tokens[index - 1].string == ".":
            continue
        if index + 1 < len(tokens) and tokens[index + 1].string == "=":
            continue
        names.add(token.string)
    return names


def _names_defined(facts: ModuleFacts) -> set[str]:
    """The names the module defines at module level, and those its imports bind anywhere (an
    import in a function also loads the module); a `from` import only when its module resolves."""
    return {
        binding.name for binding in facts.bindings
        if binding.kind == "import" or (binding.kind == "from" and binding.module)
        or (binding.scope == "module" and binding.kind in _DEFINING_KINDS)
    }


# What `facts.definitions` holds: every binding at module level but an `except` clause's name
# (and an augmented assignment, which binds nothing new).
_DEFINING_KINDS = frozenset({"class", "function", "assignment", "unpacking", "annotation", "walrus", "for", "with"})
