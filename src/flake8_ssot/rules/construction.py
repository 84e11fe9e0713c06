"""SSOT002's fix: a direct constructor call rewritten to the class's factory, arguments mapped.

`UserExecutionContext(user_id=uid, thread_id=tid, run_id=f"run_{uuid.uuid4()}")` becomes
`create_defensive_user_execution_context(user_id=uid, websocket_client_id=tid)` under the
entry `args = { thread_id = "websocket_client_id", run_id = false }`, and the factory is
imported the way the file already imports from its module. What a call passes is read the
way Python binds it: positional arguments are named by the class's `__init__` (from the
project index), then renamed or dropped by the entry's `args`, then checked against the
factory's own signature (from the index). A call that would not bind gets no fix and a
reason instead; a fix that drops an argument whose value runs code is unsafe.

Only the call's own text changes (the callee, argument names, dropped arguments): its
comments and line breaks stay. Like `rewrites.py`, a builder never raises and never reads
the disk: the index answers from its summaries.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from flake8_ssot.config import Entry
from flake8_ssot.diagnostic import SAFE, UNSAFE, Edit, Fix
from flake8_ssot.facts import CallFact, ModuleFacts
from flake8_ssot.index.summary import (
    KEYWORD_ONLY,
    POSITIONAL,
    POSITIONAL_ONLY,
    VAR_KEYWORD,
    VAR_POSITIONAL,
)
from flake8_ssot.rules.rewrites import (
    SourceLines,
    Token,
    fixes_are_wanted,
    in_probe,
    remove_statement,
    source_lines,
    spells_name,
    tokens_of,
)
from flake8_ssot.span import Span, span_from_ast

_BUILD_ERRORS = (tokenize.TokenError, SyntaxError, ValueError, IndexError, RecursionError)
# Expressions whose evaluation may run code other than reading names and building values.
_RUNS_CODE = (ast.Call, ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr)


# How a fix names every import it removes: the class's, and those only the dropped arguments used.
_REMOVED_IMPORTS = re.compile(r"the import of '(\w+)'")


def removed_imports(fix: Fix | None) -> list[str]:
    """The names whose import `fix` removes (the class's, the dropped arguments' names)."""
    return [] if fix is None else _REMOVED_IMPORTS.findall(fix.description)


def shares_fix(fix: Fix | None) -> bool:
    """Does `fix` rewrite other calls of the class too (one fix shared by the file's calls)?"""
    return fix is not None and _OTHER_CALLS.search(fix.description) is not None


def fix_is_current(diagnostic, text: str) -> bool:
    """Does this diagnostic's fix hold for the whole file `text` when it was built from a
    reduced buffer of it (the language server's incremental check: the file's lines, some
    blanked, other definitions stubbed, the call's statement, the imports and bindings copied),
    which holds some of the uses of any name in the file, never more? Everything but whether
    an import goes is read from lines the reduced buffer copies. A fix that keeps the class's
    import counted another use of the name besides the import and the call, which the file has
    too. One that removes an import holds when the file uses its name nowhere but in the text
    the fix removes (uses as `_uses` counts them). (A fix kept from a check of the whole file
    before an edit is not judged here: an edit elsewhere changes the uses either way;
    server/incremental.py judges it by what the edited lines spell.)"""
    if _TEXT[0] is not text:  # (the checker asks about each finding of one text in turn)
        _TEXT[:] = [text, None, {}, {}, {}, {}]
    # The calls sharing one fix (SSOT002's shared fix: every construction of a 5,000-line buffer)
    # ask the same question: answered once per text.
    key = (diagnostic.subject, diagnostic.fix)
    answer = _TEXT[3].get(key)
    if answer is None:
        answer = _TEXT[3][key] = _fix_is_current(diagnostic.subject, diagnostic.fix, text, diagnostic.span)
    return answer


def _fix_is_current(subject: str, fix: Fix | None, text: str, span: Span) -> bool:
    if fix is not None:
        name = subject.rpartition(".")[2]
        shared = _TEXT[4].get(name)  # (asked for each call of the class that has a fix of its own)
        if shared is None:
            # The calls of all its names share one fix (`_across_bindings`), and so do the calls
            # through its module (`c.Class(...)`) with the others: the buffer may lack some.
            shared = _TEXT[4][name] = _imported_more_than_once(text, name) or _called_through_module(text, name)
        if shared:
            return False
        # The calls of one import share a fix (`_together`) when the arguments they drop were
        # together the last uses of an import, which the buffer's blanked calls hide: a fix that
        # drops something, in a file that spells more calls of the class's names than it
        # rewrites, may be one of those (a fix shared by the calls the buffer holds, too: typing
        # `import uuid` again re-checks the two calls that use it, not the third). (A call in a
        # string, or one that is no construction, sends the finding to the full check too:
        # slower, never wrong.)
        if any(not edit.replacement for edit in fix.edits):
            calls = _TEXT[5].get(name)
            if calls is None:
                calls = _TEXT[5][name] = _calls_of_class(text, name)
            others = _OTHER_CALLS.search(fix.description)
            if calls > 1 + (int(others.group(1)) if others else 0):
                return False
    names = removed_imports(fix)
    if not names:
        return True
    if _TEXT[1] is None:
        _TEXT[1] = SourceLines(text)
    source, counts = _TEXT[1], _TEXT[2]
    for name in names:
        total = counts.get(name)
        if total is None:
            total = counts[name] = _uses(source, name, 0, len(text))
        if total != _removed_uses(source, name, fix.edits):
            return False
    return True


# The last text `fix_is_current` read: it, its lines (when asked for), each name's count of
# uses in it, the answer for each (subject, fix), whether a class's calls share a fix across
# its names or its module, and how many calls of each class's name it spells.
_TEXT: list = [None, None, {}, {}, {}, {}]
# `_title`'s count of the other calls a fix rewrites.
_OTHER_CALLS = re.compile(r"here and in the file's (\d+) other construction")


def _imported_more_than_once(text: str, name: str) -> bool:
    """Does `text` import the class `name` twice (`import name` and `import name as Ctx`, on one
    import line or two)? (`fix_is_current` asks once per text and name. A name alone on a line
    of a parenthesized import is missed.)"""
    # The name's words, each on an import line (its line matches `_IMPORT_LINE`): searching for
    # the name is a string search; matching the import-line pattern at every line start of a
    # 5,000-line buffer took 3 ms.
    imported = 0
    for match in _word(name).finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.end())
        imported += _IMPORT_LINE.fullmatch(text, start, len(text) if end < 0 else end) is not None
        if imported > 1:
            return True
    return False


def _calls_of_class(text: str, name: str) -> int:
    """How many calls `text` spells of the class's name and of the names an import binds it to
    (`UserExecutionContext as Ctx`: `Ctx(...)`)."""
    names = {name, *re.findall(rf"\b{re.escape(name)}\s+as\s+([A-Za-z_]\w*)", text)}
    return sum(len(_call_of(each).findall(text)) for each in names)


def _call_of(name: str) -> re.Pattern:
    """The class's name called (`Name(`, `Name (`), not an attribute's (`c.Name(`), as `_word`."""
    escaped = re.escape(name)
    return re.compile(rf"{escaped}(?<![\w.]{escaped})\s*\(")


def _called_through_module(text: str, name: str) -> bool:
    """Does `text` call the class `name` as an attribute (`c.UserExecutionContext(...)`)?"""
    # (`.Name` first: a literal prefix, which the pattern searches for as a string.)
    return re.search(rf"\.{re.escape(name)}\s*\(", text) is not None


_IMPORT_LINE = re.compile(r"^[ \t]*(?:from|import)[ \t].*$", re.M)


# --------------------------------------------------------------------------- uses of a name

# A type comment (`# type: UserExecutionContext`, `# type: (...) -> UserExecutionContext`)
# uses the names it spells, as pyflakes reads it; any other comment uses none (ruff's F401).
_TYPE_COMMENT = re.compile(r"#\s*type:")


def _word(name: str) -> re.Pattern:
    # The name first, its lookbehind after it: a pattern that starts with a literal is searched
    # for as a string (0.2 ms in a 5,000-line file; 5.5 ms with the lookbehind first).
    escaped = re.escape(name)
    return re.compile(rf"{escaped}(?<![\w.]{escaped})(?!\w)")


def _uses(source: SourceLines, name: str, start: int, end: int) -> int:
    """How many times `source.text[start:end]` uses `name`: its words outside comments other
    than type comments (a string is a use: `"UserExecutionContext"` annotations, `__all__`)."""
    text = source.text
    found = [match.start() for match in _word(name).finditer(text, start, end)]
    # Only a word with a `#` before it on its line can be in a comment: the file is tokenized
    # for those alone.
    maybe = [at for at in found if "#" in text[source.line_start(at):at]]
    if not maybe:
        return len(found)
    comments = _comments(source)
    return len(found) - sum(any(c_start <= at < c_end for c_start, c_end in comments) for at in maybe)


def _comments(source: SourceLines) -> list[tuple[int, int]]:
    """Where the comments of `source` that are not type comments are; none when it does not
    tokenize (every word is then a use: an import is kept rather than removed)."""
    if _COMMENTS[0] is source.text:
        return _COMMENTS[1]
    found = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source.text, newline="").readline):
            if token.type == tokenize.COMMENT and not _TYPE_COMMENT.match(token.string):
                start = source.offset(*token.start)
                found.append((start, start + len(token.string)))
    except (tokenize.TokenError, SyntaxError, ValueError):
        found = []
    _COMMENTS[:] = [source.text, found]
    return found


_COMMENTS: list = [None, []]  # the last text `_comments` read, and its comments


def _removed_uses(source: SourceLines, name: str, edits: Sequence[Edit]) -> int:
    """The uses of `name` that `edits` take out of the text (a replacement's own words put
    back; its comments, as `remove_statement` keeps them, use nothing)."""
    word = _word(name)
    removed = 0
    for edit in edits:
        start, end = source.slice(edit.span)
        removed += _uses(source, name, start, end)
        removed -= len(word.findall(re.sub(r"#[^\n]*", "", edit.replacement)))
    return removed


class Built(NamedTuple):
    fix: Fix | None
    reason: str = ""  # why there is no fix (said in the diagnostic), or why it is unsafe
    cleanup: tuple[Edit, ...] = ()  # its edits removing imports only the dropped arguments used


class _Argument(NamedTuple):
    name: str  # the constructor's parameter it binds to
    node: ast.AST  # the `ast.keyword`, or the positional expression
    value: ast.AST
    positional: bool


class _Item(NamedTuple):
    """One comma-separated element of a bracketed list (arguments, imported names)."""

    start: int  # offsets into the source: first and last token
    end: int
    comma: int | None  # the comma after it


def construction_fixes(facts: ModuleFacts, found: Sequence[tuple[CallFact, str, Entry]], index) -> list[Built]:
    """The fixes of the file's SSOT002 diagnostics, one per (call, class key, entry) of `found`.

    Each call's fix keeps the class's import while another use of the name is left. When the
    calls of one import are every use of its name but the import, each one's fix would keep it
    for the others, and `--fix` applies them in one round: the import would stay, unused. So
    those calls share one fix, the last one's, which rewrites them all and removes the import
    (as `rewrites.py` merges two statements in one fix): applied alone (an editor's quick fix)
    or together, it leaves no call of the class and no import of it."""
    built = [construction_fix(facts, call, key, entry, index) for call, key, entry in found]
    try:
        _together(facts, found, built, index)
    except _BUILD_ERRORS:
        pass
    try:
        _across_bindings(facts, found, built, index)
    except _BUILD_ERRORS:
        pass
    return built


def construction_fix(facts: ModuleFacts, call: CallFact, key: str, entry: Entry, index, others: int = 0,
                     other_edits: Sequence[Edit] = (), other_calls: Sequence[CallFact] = ()) -> Built:
    """The fix of an SSOT002 diagnostic on `call`, which constructs the factory class `key`;
    `others`: how many other calls of the class's name the same fix rewrites (not uses of it),
    `other_edits`: their edits (what they remove is not a use either), `other_calls`: those calls."""
    if not entry.use or "." not in entry.use:
        return Built(None)
    try:
        return _build(facts, call, key, entry, index, others, other_edits, other_calls)
    except _BUILD_ERRORS:
        return Built(None)


def _title(entry: Entry, others: int, classes: Sequence[str], cleanup: Sequence[str],
           reasons: Sequence[str], through: Sequence[str] = ()) -> str:
    """A construction fix's title: the factory, how many other calls it rewrites, the class
    imports it removes (their last use), the module imports only the calls went through
    (`import pkg.ctx as c` for `c.Class(...)`) and the imports only the dropped arguments used,
    and why it is unsafe. `removed_imports` reads the removed names back from it."""
    title = f"use '{entry.use}'"
    if others:
        title += f" here and in the file's {others} other construction{'s' if others > 1 else ''}"
    if classes:
        listed = " and ".join(f"the import of '{name}'" for name in classes)
        title += f", removing {listed} ({'their' if others else 'its'} last use)"
    if through:
        listed = " and ".join(f"the import of '{name}'" for name in through)
        title += (f"{' and' if classes else ', removing'} {listed} (only the call{'s' if others else ''} "
                  f"through {'it' if len(through) == 1 else 'them'} used {'it' if len(through) == 1 else 'them'})")
    if cleanup:
        listed = " and ".join(f"the import of '{name}'" for name in cleanup)
        title += (f"{' and' if classes or through else ', removing'} {listed} (only the dropped arguments "
                  f"used {'it' if len(cleanup) == 1 else 'them'})")
    if reasons:
        title += f" (unsafe: {'; '.join(reasons)})"
    return title


def _build(facts: ModuleFacts, call: CallFact, key: str, entry: Entry, index, others: int = 0,
           other_edits: Sequence[Edit] = (), other_calls: Sequence[CallFact] = ()) -> Built:
    node = call.node
    factory = entry.use.rpartition(".")[2]
    if any(isinstance(arg, ast.Starred) for arg in node.args) or any(k.arg is None for k in node.keywords):
        return Built(None, "the call unpacks *args or **kwargs, which the argument mapping cannot see")
    arguments = _arguments(node, key, index)
    if isinstance(arguments, str):
        return Built(None, arguments)
    mapping = dict(entry.args)
    kept = [(argument, mapping.get(argument.name, argument.name)) for argument in arguments]
    dropped = [argument for argument, target in kept if target is None]
    kept = [(argument, target) for argument, target in kept if target is not None]
    problem = _binding_problem(factory, [target for _, target in kept], _signature(index, entry.use))
    if problem:
        return Built(None, problem)
    level, reasons = SAFE, []
    if _signature(index, entry.use) is None:
        level = UNSAFE
        reasons.append(f"the signature of '{entry.use}' is not known to check the call against")
    if call.shown:
        level = UNSAFE
        reasons.append("the call is also the text of its f-string's `{...=}` placeholder, which changes with it")
    rebound = _rebound_elsewhere(facts, call)
    if rebound:
        level = UNSAFE
        reasons.append(rebound)
    runs_code = [argument.name for argument in dropped if _runs_code(argument.value)]
    if runs_code:
        level = UNSAFE
        names = ", ".join(f"'{name}'" for name in runs_code)
        reasons.append(f"dropping {names} skips code its value runs")
    source = source_lines(facts)
    unused = _unused_names(facts, source, call, dropped, other_edits, other_calls)
    callee = _callee(facts, source, call, entry.use, index, others, unused)
    if isinstance(callee, str):
        return Built(None, callee)
    if isinstance(node.func, ast.Attribute) and "." not in callee[0]:
        # `c.Class(...)` becomes `factory(...)` (imported already): `c` may be left unused too.
        renamed = Edit(span_from_ast(node.func, facts.lines), callee[0])
        unused = _unused_names(facts, source, call, dropped, [*other_edits, renamed], other_calls)
        callee = _callee(facts, source, call, entry.use, index, others, unused)
        if isinstance(callee, str):
            return Built(None, callee)
    name_text, import_edits, removes_import, unproven, offered = callee
    edits = _call_edits(facts, source, node, name_text, kept, dropped)
    if edits is None:
        return Built(None)
    edits.extend(import_edits)
    # A statement's removal joins only where it clashes with no edit taken before it: two
    # statements of one line (`import os; import uuid`) each take the `;` between them, so the
    # second stays (an import kept is better than edits that clash).
    cleanup, taken = [], [*edits, *other_edits]
    for names, statement, problems in offered:
        if not _overlapping(source, sorted((*taken, *statement), key=lambda e: source.slice(e.span))):
            cleanup.append((names, statement, problems))
            taken.extend(statement)
    removed = [e for _, statement, _ in cleanup for e in statement]
    edits.extend(removed)
    unproven = list(dict.fromkeys([*unproven, *(problem for _, _, problems in cleanup for problem in problems)]))
    if unproven:
        level = UNSAFE
        reasons.extend(unproven)
    gone = list(dict.fromkeys(name for names, _, _ in cleanup for name in names))
    through = [name for name in gone if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
               and name == node.func.value.id and "." not in name_text]
    description = _title(entry, others, [node.func.id] if removes_import else [],
                         [name for name in gone if name not in through], reasons, through)
    return Built(Fix(tuple(sorted(edits, key=lambda e: (e.span.line, e.span.column))), level, description),
                 "; ".join(reasons), tuple(removed))


def _together(facts: ModuleFacts, found: Sequence[tuple[CallFact, str, Entry]], built: list[Built], index) -> None:
    """Give the calls of one import of the class whose rewrites together leave an import
    unused that none of them leaves unused alone (the class's, when they are every use of its
    name; one only their dropped arguments used: see `construction_fixes`) their last call's
    fix built with the others' call edits added; in place. Only calls whose fixes are alike
    join: the same safety (a safe call is not held back by an unsafe one under `--fix`; once
    it is fixed, the unsafe calls are the remaining uses) and the same import edits for the
    factory (those of the last call's fix then do the job of each call's)."""
    imports = {id(fact.node): fact for fact in facts.imports if fact.kind != "dynamic"}
    groups: dict[tuple, list[int]] = {}
    owns = {}
    for position, ((call, key, _), result) in enumerate(zip(found, built)):
        if result.fix is None:
            continue
        own = _own_import(facts, call, imports)
        if own is not None and imports[id(own.stmt)].type_checking:
            own = None
        groups.setdefault((id(own.node) if own else None, key, result.fix.applicability), []).append(position)
        owns[id(own.node) if own else None] = own
    source = source_lines(facts)
    for (own_id, _, _), members in groups.items():
        own = owns[own_id]
        if len(members) < 2:
            continue
        members.sort(key=lambda m: (found[m][0].span.line, found[m][0].span.column))
        call_edits = [_inside(source, found[m][0], built[m].fix.edits) for m in members]
        drops = any(not e.replacement for inside in call_edits for e in inside)
        if not drops and (own is None or not _last_uses(facts, source, own, imports[id(own.stmt)], len(members))):
            continue
        import_edits = {tuple(e for e in built[m].fix.edits if e not in inside and e not in built[m].cleanup)
                        for m, inside in zip(members, call_edits)}
        if len(import_edits) != 1:
            continue
        last = members[-1]
        call, key, entry = found[last]
        others = [e for inside in call_edits[:-1] for e in inside]
        joined = construction_fix(facts, call, key, entry, index, len(members) - 1, others,
                                  [found[m][0] for m in members[:-1]])
        alone = {name for m in members for name in removed_imports(built[m].fix)}
        if joined.fix is None or not set(removed_imports(joined.fix)) - alone:
            continue  # no import goes that would not go anyway
        edits = sorted((*joined.fix.edits, *others), key=lambda e: source.slice(e.span))
        if _overlapping(source, edits):
            continue  # a call inside another's argument
        fix = Fix(tuple(edits), joined.fix.applicability, joined.fix.description)
        for m in members:
            built[m] = Built(fix, joined.reason, joined.cleanup)


def _across_bindings(facts: ModuleFacts, found: Sequence[tuple[CallFact, str, Entry]], built: list[Built],
                     index) -> None:
    """Give the calls of a class the file imports under two names or more (`from pkg.ctx import
    UserExecutionContext` and `... import UserExecutionContext as Ctx`) one fix, in place. Each
    binding's own fix would put the factory in its statement: the factory imported twice, and a
    statement that still spells the class left unused. The shared fix rewrites every call, puts
    the factory in the first of those imports (the module's, when one is), and removes the class's
    names whose calls were their last uses, as one binding's fix does. Bindings in one function,
    or at module level and in functions (which then see the module's factory), share it; those
    of different functions, none at module level, keep their own fixes (each function imports
    the factory once), as do bindings in a file that binds the factory's name already (each
    fix then uses it and puts nothing in). Any other shape (an import of the class from another
    module, edits that clash) keeps the fix of the first name's calls, made unsafe (its title
    says why), and the other names' calls get none (their message says why) until it is
    applied: the factory is then the file's, and their fixes use it. Safe calls and unsafe ones:
    the safe ones share a safe fix, the unsafe ones the fix of all (which `--fix` applies once
    the safe one has been: then it is the remaining calls' own)."""
    classes = {call.path for call, _, _ in found}
    named = sum(b.kind == "from" and b.path in classes for b in facts.bindings)
    if named < 2 and not (named and any(isinstance(call.node.func, ast.Attribute) for call, _, _ in found)):
        return  # (most files: one import of the class, whose calls `_together` joined)
    imports = {id(fact.node): fact for fact in facts.imports if fact.kind != "dynamic"}
    by_key: dict[str, list[tuple[int, object]]] = {}
    through: dict[str, list[int]] = {}  # the calls through an import of the factory's module (`c.Class(...)`)
    for position, ((call, key, entry), result) in enumerate(zip(found, built)):
        own = _own_import(facts, call, imports) if result.fix is not None else None
        if own is not None and not imports[id(own.stmt)].type_checking:
            by_key.setdefault(key, []).append((position, own))
        elif result.fix is not None and _module_import(facts, call, entry, imports) is not None:
            through.setdefault(key, []).append(position)
    source = source_lines(facts)
    groups = []
    for key, members in by_key.items():
        owns = list({id(own.node): own for _, own in members}.values())
        if any(own.scope == "module" for own in owns):
            # The factory is imported at module level, where every call sees it: the calls
            # through the module join (`c.Class(...)` becomes `factory(...)` too).
            groups.append(([*members, *((position, None) for position in through.get(key, ()))], owns))
            continue
        by_function: dict[int, list] = {}  # (bindings of different functions never meet)
        for own in owns:
            by_function.setdefault(id(_function_of(facts, own.stmt.lineno)), []).append(own)
        for function_owns in by_function.values():
            ids = {id(own.node) for own in function_owns}
            # The calls through the module after the first import, in the same function, see the factory too.
            home, first = _function_of(facts, function_owns[0].stmt.lineno), min(o.stmt.lineno for o in function_owns)
            inside = [(position, None) for position in through.get(key, ()) if found[position][0].span.line > first
                      and _function_of(facts, found[position][0].span.line) is home]
            groups.append(([(m, own) for m, own in members if id(own.node) in ids] + inside, function_owns))
    for members, owns in groups:
        if len(owns) < 2 and all(own is not None for _, own in members):
            continue
        fix = _one_factory_import(facts, source, found, built, members, owns, imports, index)
        if fix is None:
            continue
        if not isinstance(fix, Built):
            members = [(m, own) for m, own in members if own is not None]  # (a call through the module keeps its fix)
            if len(owns) < 2:
                continue
        safe = [(m, own) for m, own in members if built[m].fix.applicability == SAFE]
        if isinstance(fix, Built) and safe and len(safe) < len(members):
            # As in `_together`, the safe calls are not held back by the unsafe ones: they share
            # a safe fix of their own (the names the unsafe calls use stay), applied first; safe
            # calls through the module alone keep their own fixes.
            safe_owns = list({id(own.node): own for _, own in safe if own is not None}.values())
            first = _one_factory_import(facts, source, found, built, safe, safe_owns, imports, index) \
                if safe_owns else None
            if isinstance(first, Built):
                for m, _ in safe:
                    built[m] = first
                members = [(m, own) for m, own in members if built[m] is not first]
            elif not safe_owns:
                members = [(m, own) for m, own in members if built[m].fix.applicability != SAFE]
        names = ", ".join(f"'{own.name}'" for own in owns)
        for position, own in members:
            if isinstance(fix, Built):
                built[position] = fix
                continue
            if own.node is not owns[0].node:
                # Fixed once the first name's are: the factory is then the file's already.
                built[position] = Built(None, f"the class is imported under several names ({names}) and {fix}: "
                                              f"the calls of '{owns[0].name}' are fixed first")
                continue
            old = built[position].fix
            reason = f"the class is imported under several names ({names}) and {fix}"
            if reason in old.description:
                continue  # (a fix the calls share already)
            described = old.description.replace(" (unsafe: ", f" (unsafe: {reason}; ") if old.applicability == UNSAFE \
                else f"{old.description} (unsafe: {reason})"
            built[position] = Built(Fix(old.edits, UNSAFE, described), "; ".join(
                filter(None, [reason, built[position].reason])), built[position].cleanup)


def _one_factory_import(facts, source, found, built, members, owns, imports, index) -> Built | str | None:
    """The fix `_across_bindings` shares, what keeps it from being built, or None when each
    binding's own fix is right (the file binds the factory's name already)."""
    entry = found[members[-1][0]][2]
    module, _, factory = entry.use.rpartition(".")
    if any(b.name == factory for b in facts.bindings):
        return None  # each binding's fix uses the factory's import, or says why it has none
    if any(own.kind != "from" or own.module != module or own.scope not in ("module", "function") for own in owns):
        return "not every one of them is a `from` import of the factory's module"
    owns = sorted(owns, key=lambda own: (own.scope != "module", own.stmt.lineno, own.stmt.col_offset,
                                         list(imports[id(own.stmt)].node.names).index(own.node)))
    calls = {id(own.node): sum(m_own is not None and m_own.node is own.node for _, m_own in members) for own in owns}
    reasons, goes = [], []
    for own in owns:
        if _last_uses(facts, source, own, imports[id(own.stmt)], calls[id(own.node)]):
            problems = _removal_problems(facts, index, own)
            if problems is not None:
                goes.append(own)
                reasons.extend(problems)
    keeper = owns[0]
    positions = sorted({position for position, _ in members}, key=lambda m: source.slice(found[m][0].span))
    call_edits, seen_fixes = [], []
    for position in positions:
        call, result = found[position][0], built[position]
        inside = _inside(source, call, result.fix.edits)
        if not inside or source.slice(inside[0].span) != source.slice(span_from_ast(call.node.func, facts.lines)):
            return None  # (no callee edit first: not a fix this function knows)
        # Every call names the factory the keeper's statement imports (`c.Class(...)` too).
        call_edits.extend([Edit(inside[0].span, factory), *inside[1:]])
        if result.fix in seen_fixes:
            continue
        seen_fixes.append(result.fix)
        # Its reasons, less those about removing an import: the imports that go are counted again below.
        gone = removed_imports(result.fix)
        reasons.extend(r for r in result.reason.split("; ") if r and not any(f"'{name}'" in r for name in gone))
    calls_fixed = [found[position][0] for position in positions]
    # The imports the rewritten calls together leave unused (a name only their dropped arguments
    # used, the module alias of `c.Class(...)`), each statement's removal taken where it clashes
    # with nothing taken before it.
    cleanup, problems_of = [], {}
    by_statement: dict[int, list] = {}
    for binding in _unused_names(facts, source, calls_fixed[-1], (), call_edits, calls_fixed[:-1]):
        if any(binding.node is own.node for own in owns):
            continue  # (a class's name: `goes` says whether it goes)
        problems = _removal_problems(facts, index, binding)
        if problems is not None:
            by_statement.setdefault(id(binding.stmt), []).append(binding)
            problems_of[id(binding.node)] = problems
    edits = _class_statements(facts, source, imports, keeper, goes, factory, ())
    if edits is None:
        return "removing one of their imports is not possible here"
    for group in by_statement.values():
        tried = _class_statements(facts, source, imports, keeper, goes, factory, [*cleanup, *group])
        if tried is not None and not _overlapping(
                source, sorted(dict.fromkeys((*tried, *call_edits)), key=lambda e: source.slice(e.span))):
            cleanup.extend(group)
            edits = tried
    edits = sorted(dict.fromkeys((*edits, *call_edits)), key=lambda e: source.slice(e.span))
    if _overlapping(source, edits):
        return "their edits would clash"
    reasons.extend(problem for binding in cleanup for problem in problems_of[id(binding.node)])
    kept = [own for own in owns if own not in goes]
    reasons = list(dict.fromkeys(r for r in reasons if not any(f"'{own.name}'" in r for own in kept)))
    modules = {call.node.func.value.id for call in calls_fixed if isinstance(call.node.func, ast.Attribute)}
    through = [b.name for b in cleanup if b.kind == "import" and b.name in modules]
    description = _title(entry, len(positions) - 1, [own.name for own in goes],
                         list(dict.fromkeys(b.name for b in cleanup if b.name not in through)), reasons, through)
    return Built(Fix(tuple(edits), UNSAFE if reasons else SAFE, description), "; ".join(reasons))


def _class_statements(facts, source, imports, keeper, goes, factory, cleanup) -> list[Edit] | None:
    """The import edits of `_one_factory_import`: the factory in the keeper's statement (in the
    class's place when it goes), and the names of `goes` (the class's) and `cleanup` (bindings the
    fix leaves unused) removed from their statements; None when one cannot be."""
    edits = [_replace_alias(facts, source, keeper.node, factory)] if keeper in goes \
        else _add_name(facts, source, imports[id(keeper.stmt)], factory)
    by_statement: dict[int, list] = {}
    for binding in [*(own for own in goes if own is not keeper), *cleanup]:
        by_statement.setdefault(id(binding.stmt), []).append(binding)
    for statement, removed in by_statement.items():
        fact = imports[statement]
        positions = sorted(list(fact.node.names).index(binding.node) for binding in removed)
        if keeper.stmt is fact.node:
            removal = _removals_beside(facts, source, fact, positions)
        else:
            removal = _names_removal(facts, source, fact, positions)
        if removal is None:
            return None
        edits.extend(removal)
    return edits


def _removals_beside(facts: ModuleFacts, source: SourceLines, fact, positions: Sequence[int]) -> list[Edit] | None:
    """`_names_removal` for the statement that also takes the factory: never the whole statement."""
    if len(positions) == len(fact.node.names):
        return None
    return _names_removal(facts, source, fact, positions)


def _inside(source: SourceLines, call: CallFact, edits: Sequence[Edit]) -> list[Edit]:
    """The edits of a fix that lie within its call (the rest are import edits)."""
    start, end = source.slice(call.span)
    return [e for e in edits if start <= source.slice(e.span)[0] and source.slice(e.span)[1] <= end]


def _overlapping(source: SourceLines, edits: Sequence[Edit]) -> bool:
    """Do any of `edits` (sorted by position) overlap, or insert at one point?"""
    ranges = [source.slice(e.span) for e in edits]
    return any(b[0] < a[1] or a == b or a[0] == a[1] == b[0] for a, b in pairwise(ranges))


# --------------------------------------------------------------------------- binding

def _signature(index, path: str):
    """The parameters of the function or class `path` names, from the index; None unknown."""
    if index is None:
        return None
    origin = index.resolve(path)
    if origin.kind != "definition":
        return None
    module, _, name = origin.path.rpartition(".")
    summary = index.summary(module)
    return None if summary is None else summary.signature(name)


def _arguments(node: ast.Call, key: str, index) -> list[_Argument] | str:
    """The call's arguments named by the constructor's parameters, or why they cannot be."""
    found = [_Argument(k.arg, k, k.value, False) for k in node.keywords]
    if not node.args:
        return found
    parameters = _signature(index, key)
    if parameters is None:
        where = "without the project index" if index is None else "from the index"
        return f"positional arguments need the signature of '{key}', which is not known {where}"
    positional = [p for p in parameters if p[1] in (POSITIONAL_ONLY, POSITIONAL)]
    if len(node.args) > len(positional):
        return f"'{key}' takes {len(positional)} positional arguments, the call passes {len(node.args)}"
    for argument, parameter in zip(node.args, positional):
        if isinstance(argument, ast.GeneratorExp):
            return "a bare generator argument cannot be passed by keyword"
        found.append(_Argument(parameter[0], argument, argument, True))
    return found


def _binding_problem(factory: str, names: Sequence[str], parameters) -> str:
    """Why `factory(name=..., ...)` would not bind; '' when it would (or cannot be checked)."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return f"the mapped call would pass '{name}' twice"
        seen.add(name)
    if parameters is None:
        return ""
    by_name = {p[0]: p for p in parameters}
    takes_any = any(p[1] == VAR_KEYWORD for p in parameters)
    for name in names:
        parameter = by_name.get(name)
        if parameter is None or parameter[1] in (VAR_POSITIONAL, VAR_KEYWORD):
            if not takes_any:
                return f"'{factory}' has no parameter '{name}' (map or drop it in the entry's args)"
        elif parameter[1] == POSITIONAL_ONLY:
            return f"'{factory}' takes '{name}' by position only"
    missing = [p[0] for p in parameters
               if p[1] in (POSITIONAL_ONLY, POSITIONAL, KEYWORD_ONLY) and not p[2] and p[0] not in seen]
    if missing:
        listed = ", ".join(f"'{name}'" for name in missing)
        return f"'{factory}' needs {listed}, which the call does not pass"
    return ""


def _runs_code(value: ast.AST) -> bool:
    return any(isinstance(node, _RUNS_CODE) for node in ast.walk(value))


# --------------------------------------------------------------------------- the call's text

def _call_edits(facts: ModuleFacts, source: SourceLines, node: ast.Call, callee: str,
                kept: list[tuple[_Argument, str]], dropped: list[_Argument]) -> list[Edit] | None:
    func_start, func_end = source.slice(span_from_ast(node.func, facts.lines))
    if "#" in source.text[func_start:func_end] or "\\" in source.text[func_start:func_end]:
        return None  # a comment or continuation inside the callee's dotted name
    if not spells_name(source, func_start, func_end, node.func):
        return None  # the position is not where the callee is written (see spells_name)
    items = _call_items(facts, source, node, func_end)
    order = sorted([*(a for a, _ in kept), *dropped], key=lambda a: (a.node.lineno, a.node.col_offset))
    if items is None or len(items) != len(order):
        return None
    where = {id(argument.node): item for argument, item in zip(order, items)}
    edits = [Edit(source.span(func_start, func_end), callee)]
    for argument, target in kept:
        start = where[id(argument.node)].start
        if argument.positional:
            edits.append(Edit(source.span(start, start), f"{target}="))
        elif target != argument.name:
            edits.append(Edit(source.span(start, start + len(argument.name)), target))
    gone = {id(argument.node) for argument in dropped}
    removed = [index for index, argument in enumerate(order) if id(argument.node) in gone]
    edits.extend(_removals(source, items, removed))
    return edits


def _call_items(facts: ModuleFacts, source: SourceLines, node: ast.Call, func_end: int) -> list[_Item] | None:
    _, end = source.slice(span_from_ast(node, facts.lines))
    tokens = tokens_of(source, func_end, end)
    if not tokens or tokens[0].string != "(":
        return None  # `f (...)` with a comment between the name and its parenthesis, or worse
    return _items(tokens, 1, 1)


def _items(tokens: list[Token], first: int, depth: int) -> list[_Item]:
    """The elements separated by commas at bracket depth `depth`, from token `first` on, up to
    the bracket that closes that depth (or the end); comments are not part of an element."""
    items: list[_Item] = []
    start = end = None
    level = depth
    for token in tokens[first:]:
        if token.type == tokenize.OP and token.string in "([{":
            level += 1
        elif token.type == tokenize.OP and token.string in ")]}":
            level -= 1
            if level < depth:
                break
        if token.type == tokenize.COMMENT:
            continue
        if level == depth and token.type == tokenize.OP and token.string == ",":
            if start is not None:
                items.append(_Item(start, end, token.start))
            start = end = None
            continue
        if start is None:
            start = token.start
        end = token.end
    if start is not None:
        items.append(_Item(start, end, None))
    return items


def _removals(source: SourceLines, items: Sequence[_Item], removed: Sequence[int]) -> list[Edit]:
    """Remove elements `removed` of a comma-separated list with their commas, keeping every
    comment and the layout of the rest: an element alone on its line takes the line with it
    (a comment after it stays, on its own line), one of a one-line list takes the comma and
    the space that follow it (the last one: the comma before it)."""
    text = source.text
    ranges: list[list[int]] = []
    for index in removed:
        item = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if item.comma is not None:
            stop = item.comma + 1
            if following is not None and source.line_start(following.start) == source.line_start(item.comma) \
                    and "#" not in text[stop:following.start]:
                stop = following.start
            else:
                while stop < len(text) and text[stop] in " \t":
                    stop += 1
                if stop == source.content_end(stop) and text[:item.start].rstrip(" \t").endswith(","):
                    # the line ends here: the blanks after the comma before it go too (no trailing blank)
                    ranges.append([len(text[:item.start].rstrip(" \t")), stop])
                    continue
            ranges.append([item.start, stop])
        elif index > 0 and items[index - 1].comma is not None and "#" not in text[items[index - 1].comma:item.start]:
            ranges.append([items[index - 1].comma, item.end])
        else:
            ranges.append([item.start, item.end])
    ranges.sort()
    merged: list[list[int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    edits = []
    for start, end in merged:
        line_start = source.line_start(start)
        if not text[line_start:start].strip() and not text[end:source.content_end(end)].strip():
            start, end = line_start, source.next_line(end)  # nothing left on its lines
        edits.append(Edit(source.span(start, end), ""))
    return edits


# --------------------------------------------------------------------------- the factory's name

def _callee(facts: ModuleFacts, source: SourceLines, call: CallFact, use: str, index, others: int = 0,
            unused: Sequence = ()
            ) -> tuple[str, list[Edit], bool, list[str], list[tuple[list[str], list[Edit], list[str]]]] | str:
    """How the file names the factory at the call, and the import edits that makes true: the
    name a `from` import already binds, the module the call already goes through, an `import`
    of the factory's module, the factory added to a `from` import of its module, or a new
    `from module import factory` beside the class's import. The class's import goes when the
    call (with the `others` the fix rewrites too) was its last use and no other module of the
    tree imports the name from this file; the flag says whether it does, and the texts after it
    why that is not proven (the fix is then unsafe). Then the removals of the `unused` imports
    (bindings only the dropped arguments used, `_unused_names`) that no other module imports
    from this file, as (names, edits, why the removal is not proven) for each statement."""
    func = call.node.func
    imports = {id(fact.node): fact for fact in facts.imports if fact.kind != "dynamic"}
    own = _own_import(facts, call, imports)
    removal, unproven = None, []
    if own is not None and fixes_are_wanted():
        removal = _class_import_removal(facts, source, own, func, imports, 1 + others)
        if removal is not None:
            unproven = _removal_problems(facts, index, own)
            if unproven is None:
                removal, unproven = None, []
    cleanup = []
    by_statement: dict[int, list] = {}
    for binding in unused:
        problems = _removal_problems(facts, index, binding)
        if problems is not None and (own is None or binding.node is not own.node):
            by_statement.setdefault(id(binding.stmt), []).append((binding, problems))
    # A name of the class's own statement (`import UserExecutionContext, new_run_id`) goes with
    # the class's name when it goes too (the whole statement, when they are all its names),
    # else on its own below, as the names of other statements do.
    beside = by_statement.get(id(own.stmt), []) if own is not None else []
    found = None
    if beside and removal is not None:
        fact = imports[id(own.stmt)]
        names = list(fact.node.names)
        positions = sorted([names.index(own.node), *(names.index(b.node) for b, _ in beside)])
        both = _names_removal(facts, source, fact, positions)
        found = None if both is None else _factory_name(facts, source, call, use, own, both, imports)
        if isinstance(found, str) or (found is not None and (
                not all(e in found[1] for e in both)
                or _overlapping(source, sorted(found[1], key=lambda e: source.slice(e.span))))):
            found = None  # (the factory took the class's place: the name goes on its own)
        else:
            del by_statement[id(own.stmt)]
            cleanup.append(([b.name for b, _ in beside], [], [p for _, problems in beside for p in problems]))
    if found is None:
        found = _factory_name(facts, source, call, use, own, removal, imports)
    if isinstance(found, str):
        return found
    for pairs in by_statement.values():
        fact = imports[id(pairs[0][0].stmt)]
        names = list(fact.node.names)
        edits = _names_removal(facts, source, fact, sorted(names.index(b.node) for b, _ in pairs))
        if edits is not None:
            cleanup.append(([b.name for b, _ in pairs], edits, [p for _, problems in pairs for p in problems]))
    return (*found, removal is not None, unproven, cleanup)


def _removal_problems(facts: ModuleFacts, index, binding) -> list[str] | None:
    """Why removing the import `binding` (which the file no longer uses) is not proven safe
    ([] when it is), or None when it must stay: another module of the tree imports the name
    from this file. A function's names are its own. In a package's `__init__.py` the removal
    is unsafe, as ruff's F401 fix is: the package's names are its interface, which code
    outside the tree may import."""
    if binding.scope != "module":
        return []
    importer, unproven = _importer(facts, index, binding.name)
    if importer:
        return None
    problems = [unproven] if unproven else []
    if facts.path.replace("\\", "/").rpartition("/")[2] == "__init__.py":
        problems.append(f"the file is a package's __init__.py, from which code outside the tree may import "
                        f"'{binding.name}'")
    return problems


def _module_import(facts: ModuleFacts, call: CallFact, entry: Entry, imports: dict):
    """The import binding of the factory's module that the call names the class through
    (`import pkg.ctx as c` for `c.UserExecutionContext(...)`), outside `if TYPE_CHECKING:`; else None."""
    func = call.node.func
    if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Name) or not entry.use:
        return None
    bound = [b for b in _visible_bindings(facts, call) if b.name == func.value.id]
    module = entry.use.rpartition(".")[0]
    if len(bound) == 1 and bound[0].kind == "import" and bound[0].path == module \
            and not _type_checking(imports, bound[0]):
        return bound[0]
    return None


def _own_import(facts: ModuleFacts, call: CallFact, imports: dict):
    """The class's own `from` import (its binding), when the call names the class by the name
    that import binds; else None."""
    func = call.node.func
    if isinstance(func, ast.Name):
        bound = [b for b in _visible_bindings(facts, call) if b.name == func.id]
        # (Not an import a function makes for the module, `global Name` first: a name the
        # factory joins it with would be the function's own.)
        if len(bound) == 1 and bound[0].kind == "from" and id(bound[0].stmt) in imports \
                and not bound[0].through_global:
            return bound[0]
    return None


def _importer(facts: ModuleFacts, index, name: str) -> tuple[str, str]:
    """(a module of the tree that takes `name` from this file, or ""; why the index cannot
    tell, or ""): removing the import would break the one, and is unproven for the other.
    (SSOT001's renames ask the same question: rules/renames.py.)"""
    if index is None:
        return "", f"without the project index, modules importing '{name}' from this file cannot be seen"
    if not facts.module:
        return "", f"the file is not a module of the tree: other modules importing '{name}' from it cannot be seen"
    return index.importer_of(facts.module, name, skip=facts.path) or "", ""


def _factory_name(facts, source, call, use, own, removal, imports) -> tuple[str, list[Edit]] | str:
    module, _, factory = use.rpartition(".")
    func = call.node.func
    top = _visible_bindings(facts, call)
    taken = [b for b in top if b.name == factory]
    for binding in top:  # the factory imported already (not by a function that may not have run)
        if binding.kind == "from" and binding.path == use and not _type_checking(imports, binding) \
                and not binding.through_global \
                and (binding.scope == "module" or binding.stmt.lineno < call.span.line):
            return binding.name, removal or []
    if taken:
        return f"the name '{factory}' is bound to something else in this file"
    if isinstance(func, ast.Attribute) and call.path.rpartition(".")[0] == module:
        start, end = source.slice(span_from_ast(func.value, facts.lines))
        return f"{source.text[start:end]}.{factory}", []
    for binding in top:  # `import pkg.ctx as c`, `import pkg.ctx`
        # (Not a name the file binds again: `c = c.Registry()` at module level, run after the
        # import, leaves `c` something else by the time the function calls `c.factory(...)`;
        # so may a function that declares it `global`, whose binding is one of `top` too.)
        if binding.kind == "import" and binding.module == module and not _type_checking(imports, binding) \
                and sum(b.name == binding.name for b in top) == 1 and not binding.through_global:
            if binding.path == module:
                return f"{binding.name}.{factory}", removal or []
            if binding.name == module.split(".", 1)[0]:
                return f"{module}.{factory}", removal or []
    if own is not None and own.module == module and not _type_checking(imports, own):
        # `from pkg.ctx import UserExecutionContext`: the factory takes the class's place, or joins it.
        if removal is not None:
            return factory, [_replace_alias(facts, source, own.node, factory)]
        return factory, _add_name(facts, source, imports[id(own.stmt)], factory)
    siblings = [fact for fact in facts.imports
                if fact.kind == "from" and fact.module == module and not fact.star and not fact.type_checking
                and fact.span.column == 0]
    if siblings:
        return factory, [*_add_name(facts, source, siblings[-1], factory), *(removal or [])]
    statement = f"from {module} import {factory}"
    if own is not None:
        fact = imports[id(own.stmt)]
        if removal is not None and len(fact.names) == 1:
            start, end = source.slice(fact.span)
            return factory, [Edit(source.span(start, end), statement)]
        return factory, [_insert_after(source, fact.span, statement), *(removal or [])]
    anchor = [fact for fact in facts.imports
              if fact.kind != "dynamic" and fact.span.column == 0 and not fact.type_checking
              and fact.span.line < call.span.line]
    if not anchor:
        return "the file has no import statement to place the factory's import beside"
    return factory, [_insert_after(source, anchor[-1].span, statement)]


def _rebound_elsewhere(facts: ModuleFacts, call: CallFact) -> str:
    """Why the name the call starts from may mean something else when the call runs, which the
    factory would not follow (`global UserExecutionContext; UserExecutionContext =
    TracingContext` in a hook: `ModuleFacts.rebinding`); "" when nothing says so."""
    base, attributes = call.node.func, 0
    while isinstance(base, ast.Attribute):
        base, attributes = base.value, attributes + 1
    if not isinstance(base, ast.Name):
        return ""
    return facts.rebinding(base.id, call.path.rsplit(".", attributes)[0] if attributes else call.path)


def _visible_bindings(facts: ModuleFacts, call: CallFact) -> list:
    """The bindings the call's name lookup may see: the module's, and those of the function
    the call is in (a function-level import of the class: the factory joins it there, and
    once it has, a second call of the same function must find it rather than add it again).
    Bindings of enclosing functions are left out: a name they bind is not treated as free."""
    defs = [b.node for b in facts.bindings if isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def function_of(line: int, among: list):
        holding = [d for d in among if d.lineno <= line <= (d.end_lineno or d.lineno)]
        return max(holding, key=lambda d: d.lineno) if holding else None

    home = function_of(call.span.line, defs)
    if home is None:
        return [b for b in facts.bindings if b.scope == "module"]
    # A line of `home` is held by `home` or by a definition nested in it, which starts inside it:
    # only those are compared (comparing every definition for every binding took seconds on a
    # 5,000-line module).
    first, last = home.lineno, home.end_lineno or home.lineno
    inner = [d for d in defs if first <= d.lineno <= last]
    return [b for b in facts.bindings if b.scope == "module"
            or (b.scope == "function" and first <= b.stmt.lineno <= last and function_of(b.stmt.lineno, inner) is home)]


def _type_checking(imports: dict, binding) -> bool:
    fact = imports.get(id(binding.stmt))
    return fact is None or fact.type_checking


def _class_import_removal(facts: ModuleFacts, source: SourceLines, own, func: ast.Name,
                          imports: dict, calls: int = 1) -> list[Edit] | None:
    """The edits removing the class's name from its import when the fix's `calls` are its last
    uses, or None (still used: an annotation, `isinstance`, another call, `__all__`, a string,
    a type comment: any word of its text outside the import, the calls' names and comments)."""
    fact = imports[id(own.stmt)]
    if fact.type_checking or not _last_uses(facts, source, own, fact, calls):
        return None
    return _names_removal(facts, source, fact, [list(fact.node.names).index(own.node)])


def _names_removal(facts: ModuleFacts, source: SourceLines, fact, positions: Sequence[int]) -> list[Edit] | None:
    """The edits removing the names at `positions` of the import statement `fact`: the whole
    statement when they are all of its names (its comments stay), else those names with their
    commas, the other names, their layout and comments staying; None when it cannot."""
    aliases = fact.node.names
    if len(positions) == len(aliases):
        edit = remove_statement(facts, source, fact.node)
        return None if edit is None else [edit]
    start, end = source.slice(fact.span)
    tokens = tokens_of(source, start, end)
    after = next(i for i, t in enumerate(tokens) if t.string == "import") + 1
    parenthesized = tokens[after].string == "("
    items = _items(tokens, after + parenthesized, parenthesized)
    if len(items) != len(aliases):
        return None
    return _removals(source, items, positions)


def _last_uses(facts: ModuleFacts, source: SourceLines, own, fact, calls: int) -> bool:
    """Are `calls` calls of the name `own` binds its only uses (`_uses`) besides those of its
    import `fact`, where the name can be read: the file, or for an import inside a function,
    that function (the words of other functions are their own names)."""
    where = _scope_of(facts, source, own)
    return where is not None and _binding_uses(facts, source, own.name, *where) == \
        _binding_uses(facts, source, own.name, *source.slice(fact.span)) + calls


def _binding_uses(facts: ModuleFacts, source: SourceLines, name: str, start: int, end: int) -> int:
    """`_uses` of `name` in `source.text[start:end]` less the names an import renames there
    (`from pkg.ctx import UserExecutionContext as Ctx` and `import uuid as u` read no binding
    of `UserExecutionContext` or `uuid`: they bind `Ctx` and `u`)."""
    renamed = 0
    for fact in facts.imports:
        if fact.kind == "dynamic" or not any(alias.name == name and alias.asname not in (None, name)
                                             for alias in fact.node.names):
            continue
        for alias in fact.node.names:
            if alias.name == name and alias.asname not in (None, name):
                at = source.slice(span_from_ast(alias, facts.lines))[0]
                renamed += start <= at < end
    return _uses(source, name, start, end) - renamed


def _scope_of(facts: ModuleFacts, source: SourceLines, binding) -> tuple[int, int] | None:
    """Where the name an import binds can be read: the file, or the function holding it."""
    if binding.scope == "module":
        return 0, len(source.text)
    if binding.scope != "function":
        return None
    home = _function_of(facts, binding.stmt.lineno)
    return None if home is None else source.slice(span_from_ast(home, facts.lines))


def _function_of(facts: ModuleFacts, line: int):
    """The innermost function definition holding `line`, or None."""
    holding = [b.node for b in facts.bindings if isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef))
               and b.node.lineno <= line <= (b.node.end_lineno or b.node.lineno)]
    return max(holding, key=lambda d: d.lineno) if holding else None


# Where an import is kept though nothing uses it: a probe (`try: import x` / `except ImportError`,
# or `with suppress(ImportError): import x`), whose import runs for what it tells; ruff's F401
# does not fix those either.
_GUARDED = frozenset({"try", "except", "finally", "try*", "except*"})
_NAME = re.compile(r"(?<![\w.])[^\W\d]\w*")


def _unused_names(facts: ModuleFacts, source: SourceLines, call: CallFact, dropped: Sequence[_Argument],
                  other_edits: Sequence[Edit], other_calls: Sequence[CallFact] = ()) -> list:
    """The import bindings that only the `dropped` arguments of `call` (and what `other_edits`,
    the edits of the `other_calls` the fix rewrites, remove) use: after the fix their names are
    used nowhere where they can be read (`_uses`: comments are no use). Only a name's one
    binding wherever one of the calls sees it (each call's function may import the name:
    `import uuid` in each), an `import` or `from` import outside `if TYPE_CHECKING:` and
    outside a `try` statement, from a module other than `__future__`."""
    if not fixes_are_wanted() or not (dropped or other_edits):
        return []
    text = source.text
    ranges = [source.slice(span_from_ast(argument.node, facts.lines)) for argument in dropped]
    words = {word for start, end in ranges for word in _NAME.findall(text, start, end)}
    for edit in other_edits:
        words.update(_NAME.findall(text, *source.slice(edit.span)))
    if isinstance(call.node.func, ast.Name):
        words.discard(call.node.func.id)  # the class's import is `_class_import_removal`'s
    if not words:
        return []
    imports = {id(fact.node): fact for fact in facts.imports if fact.kind in ("import", "from")}
    sees = [{id(b.node): b for b in _visible_bindings(facts, seeing) if b.name in words}
            for seeing in (call, *other_calls)]
    found = []
    for key, binding in {key: b for seen in sees for key, b in seen.items()}.items():
        fact = imports.get(id(binding.stmt))
        if any(key in seen and sum(b.name == binding.name for b in seen.values()) != 1 for seen in sees) \
                or binding.kind not in ("import", "from") \
                or fact is None or fact.star or fact.type_checking or binding.module == "__future__" \
                or _GUARDED.intersection(binding.within) \
                or ("with" in binding.within and in_probe(facts, fact.span)):  # `with suppress(ImportError):`
            continue
        where = _scope_of(facts, source, binding)
        if where is None:
            continue
        name, (first, last) = binding.name, where
        removed = sum(_uses(source, name, start, end) for start, end in ranges if first <= start and end <= last)
        inside = [e for e in other_edits if first <= source.slice(e.span)[0] and source.slice(e.span)[1] <= last]
        removed += _removed_uses(source, name, inside)
        if removed and _binding_uses(facts, source, name, first, last) == \
                _binding_uses(facts, source, name, *source.slice(fact.span)) + removed:
            found.append(binding)
    return found


def _replace_alias(facts: ModuleFacts, source: SourceLines, alias: ast.alias, factory: str) -> Edit:
    start, end = source.slice(span_from_ast(alias, facts.lines))
    return Edit(source.span(start, end), factory)


def _add_name(facts: ModuleFacts, source: SourceLines, fact, name: str) -> list[Edit]:
    """`name` added to a `from` import in its layout: a line of its own in a statement written
    one name a line, else `, name` after its last name."""
    start, end = source.slice(span_from_ast(fact.node.names[-1], facts.lines))
    text = source.text
    line_start = source.line_start(start)
    statement_start = source.slice(fact.span)[0]
    if "(" in text[statement_start:start] and source.line_start(statement_start) != line_start \
            and not text[line_start:start].strip():
        indent = text[line_start:start]
        at = source.next_line(end)
        if text[end:source.content_end(end)].lstrip().startswith(","):
            return [Edit(source.span(at, at), f"{indent}{name},\n")]
        return [Edit(source.span(end, end), ","), Edit(source.span(at, at), f"{indent}{name}\n")]
    return [Edit(source.span(end, end), f", {name}")]


def _insert_after(source: SourceLines, span, statement: str) -> Edit:
    start, end = source.slice(span)
    indent = source.text[source.line_start(start):start]
    at = source.content_end(end)
    return Edit(source.span(at, at), f"\n{indent}{statement}")
