"""SSOT004 in strings: where a string literal or f-string refers to a dotted path, and the fix
that rewrites it in the string's literal text only.

A string is read as text in which each f-string placeholder is an unknown stretch (`MARK`),
unless it is a plain string constant (`{'pkg.ws'}`), whose text is known but cannot be edited.
A reference is the whole text: a dotted path (`"pkg.ws.factory.create"`, `f"pkg.ws.factory.{name}"`),
`module:attribute`, import statements (`"from a.b import X as Y, Z"`, `"import a.b"`, one
followed by prose) or a bare `"from a.b"` fragment. Where a placeholder sits inside a path only
the components before it are known; a path that reaches into a placeholder's text is reported
but never rewritten.

The fix edits only the literal characters that spell the legacy part, so what follows the
legacy prefix (`.attr`, `:attr`, `as alias`, the prose) and every placeholder stay as written.
It is safe only where the string is provably an import target used as one (the target of
`mock.patch`, `monkeypatch.setattr`, `pytest.importorskip`, `pkgutil.resolve_name`) and the
policy entry, or the project index, says the new path names the same object; a string in a
list, a table or a message may be data a test compares, so its fix is unsafe and says why.
"""

from __future__ import annotations

import ast
import keyword
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from flake8_ssot.config import Config, Entry
from flake8_ssot.diagnostic import SAFE, UNSAFE, Edit, Fix
from flake8_ssot.dotted import Match, is_dotted_path
from flake8_ssot.facts import ModuleFacts, StringFact
from flake8_ssot.index import MISSING, current
from flake8_ssot.rules.lookup import canonical_module, is_shim, legacy_match
from flake8_ssot.rules.rewrites import source_lines, stricter, written_name

MARK = "\x00"  # one unknown placeholder in a string's text
LONGEST = 512  # longer strings are prose or code blobs, not references
_IDENT = r"(?:[^\W\d]|\x00)[\w\x00]*"
_DOTTED = rf"(?:{_IDENT})(?:\.(?:{_IDENT}))*"
_DOTTED_WHOLE = re.compile(rf"^{_DOTTED}$")
_OBJECT = re.compile(rf"^({_DOTTED}):({_DOTTED})$")
_FROM = re.compile(rf"\s*from\s+({_DOTTED})")
_IMPORT = re.compile(r"\s*import\s+")
_IMPORT_KEYWORD = re.compile(r"\s+import\b")
_OPEN, _CLOSE = re.compile(r"\s*\("), re.compile(r"\s*\)")
_NAME = re.compile(rf"\s*(\*|{_IDENT})(?:\s+as\s+(?:{_IDENT}))?")
_MODULE = re.compile(rf"\s*({_DOTTED})(?:\s+as\s+({_IDENT}))?")
_SEPARATOR = re.compile(r"\s*,\s*")
_NEXT_STATEMENT = re.compile(r"[ \t]*(?:;|\n)\s*(?=from\s|import\s)")
_NEW_TEXT = re.compile(r"^[\w.*]+$")
# Calls whose string argument is an import target that Python resolves (the callee as written,
# by its last names): a fix there keeps meaning what it meant when the new path is the same object.
_IMPORT_TARGETS = ("patch", "mock.patch", "mocker.patch", "monkeypatch.setattr", "monkeypatch.delattr",
                   "importorskip", "pytest.importorskip", "resolve_name", "pkgutil.resolve_name")


# --------------------------------------------------------------------------- the text of a string

class Text(NamedTuple):
    """A string's text as the reader sees it, and which stretches of it the source spells
    literally: (start, end, source offset or None) per stretch, in order."""

    value: str
    stretches: tuple[tuple[int, int, int | None], ...]
    fstring: bool

    def source_range(self, start: int, end: int) -> tuple[int, int] | None:
        """Where `value[start:end]` is written in the source, if one literal stretch spells it."""
        for first, last, offset in self.stretches:
            if first <= start and end <= last:
                return None if offset is None else (offset + start - first, offset + end - first)
        return None


def text_of(facts: ModuleFacts, string: StringFact, spelled: bool = True) -> Text:
    """The text of a recorded string: a `str` constant, or an f-string (`ast.JoinedStr`).
    `spelled`: also find where the source spells each stretch (for a fix; reading the source
    is the costly part, and most strings refer to nothing)."""
    node = string.node
    if isinstance(node, ast.JoinedStr):
        parts = [(part.value, True) if isinstance(part, ast.Constant) else (_placeholder_text(part), False)
                 for part in node.values]  # (text, literal)
    else:
        parts = [(string.value, True)]
    value = "".join(text for text, _ in parts)
    fstring = isinstance(node, ast.JoinedStr)
    if not spelled:
        return Text(value, ((0, len(value), None),), fstring)
    source = source_lines(facts)
    try:
        pieces = _pieces(source.text, *source.slice(string.span))
    except (IndexError, ValueError, SyntaxError):
        pieces = None
    return Text(value, _stretches(parts, pieces), fstring)


def _placeholder_text(part: ast.AST) -> str:
    """A placeholder's text when it is a plain string constant (`{'a.b'}`), else `MARK`."""
    if (isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Constant)
            and isinstance(part.value.value, str) and part.conversion == -1 and part.format_spec is None
            and MARK not in part.value.value):
        return part.value.value
    return MARK


def _stretches(parts, pieces) -> tuple[tuple[int, int, int | None], ...]:
    """Line the AST's literal parts up with the pieces the source spells; a literal part is
    editable where its pieces spell exactly its text, without escapes."""
    stretches, at = [], 0
    groups = _literal_groups(pieces) if pieces is not None else None
    aligned = groups is not None and len(groups) == sum(literal for _, literal in parts)
    literal_index = 0
    for text, literal in parts:
        if not literal:
            stretches.append((at, at + len(text), None))
        else:
            group = groups[literal_index] if aligned else None
            literal_index += 1
            if group is not None and "".join(piece_text for piece_text, _ in group) == text:
                offset = at
                for piece_text, source_at in group:
                    stretches.append((offset, offset + len(piece_text), source_at))
                    offset += len(piece_text)
            else:
                stretches.append((at, at + len(text), None))
        at += len(text)
    return tuple(stretches)


def _literal_groups(pieces) -> list[list[tuple[str, int | None]]]:
    """The runs of literal pieces between placeholders (an f-string's literal parts as the AST
    merges them), dropping empty runs the AST does not have."""
    groups: list[list[tuple[str, int | None]]] = [[]]
    for piece in pieces:
        if piece is None:
            groups.append([])
        else:
            groups[-1].append(piece)
    return [group for group in groups if "".join(text for text, _ in group)]


def _pieces(text: str, start: int, end: int) -> list[tuple[str, int | None] | None]:
    """The string tokens of `text[start:end]` (implicit concatenation included): literal
    pieces (their text, and their source offset when the source spells the text as is) and
    None for each placeholder."""
    pieces: list[tuple[str, int | None] | None] = []
    at = start
    while at < end:
        char = text[at]
        if char in " \t\f\r\n\\":
            at += 1
        elif char == "#":
            at = text.index("\n", at) if "\n" in text[at:end] else end
        else:
            prefix_end = at
            while text[prefix_end].isalpha():
                prefix_end += 1
            prefix = text[at:prefix_end].lower()
            quote = text[prefix_end:prefix_end + 3] if text[prefix_end:prefix_end + 3] in ('"""', "'''") \
                else text[prefix_end]
            if quote not in ('"', "'", '"""', "'''") or "b" in prefix:
                raise ValueError("not a string token")
            at = _body(text, prefix_end + len(quote), quote, "r" in prefix, "f" in prefix, pieces)
    return pieces


def _body(text: str, at: int, quote: str, raw: bool, fstring: bool, pieces: list) -> int:
    """Scan one string token's body from `at`; return the offset after its closing quote."""
    run = at

    def flush(stop: int) -> None:
        if stop > run:
            pieces.append((text[run:stop], run))

    while True:
        if text.startswith(quote, at):
            flush(at)
            return at + len(quote)
        char = text[at]
        if char == "\\" and raw:
            at += 2  # kept as written (`r"\."`); it only stops the next quote from closing
        elif char == "\\":
            flush(at)
            end = _escape_end(text, at)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pieces.append((ast.literal_eval(f'"{text[at:end]}"'), None))  # reads otherwise than written
            at = run = end
        elif fstring and char in "{}":
            flush(at)
            if text.startswith(char * 2, at):
                pieces.append((char, None))  # `{{` reads `{`
                at += 2
            elif char == "{":
                pieces.append(None)
                at = _placeholder_end(text, at + 1)
            else:
                raise ValueError("a lone '}'")
            run = at
        elif char == "\n" and len(quote) == 1:
            raise ValueError("an unterminated string")
        else:
            at += 1


def _escape_end(text: str, at: int) -> int:
    """The offset after the escape sequence starting with the backslash at `at`."""
    kind = text[at + 1]
    if kind == "N":
        return text.index("}", at) + 1
    if kind in "xuU":
        return at + {"x": 4, "u": 6, "U": 10}[kind]
    end = at + 2
    if kind in "01234567":
        while end < at + 4 and text[end] in "01234567":
            end += 1
    return end


def _placeholder_end(text: str, at: int) -> int:
    """The offset after the `}` closing a placeholder whose expression starts at `at`."""
    depth = 0
    while True:
        char = text[at]
        if char in "\"'":
            at = _skip_string(text, at)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]" or (char == "}" and depth):
            depth -= 1
        elif char == "}":
            return at + 1
        elif char == ":" and not depth:  # the format spec, which may hold placeholders
            at += 1
            while text[at] != "}":
                at = _placeholder_end(text, at + 1) if text[at] == "{" else at + 1
            return at + 1
        at += 1


def _skip_string(text: str, at: int) -> int:
    """The offset after a string literal inside a placeholder, starting at its quote."""
    back = at
    while back and text[back - 1].isalpha():
        back -= 1
    prefix = text[back:at].lower()
    quote = text[at:at + 3] if text[at:at + 3] in ('"""', "'''") else text[at]
    return _body(text, at + len(quote), quote, "r" in prefix, "f" in prefix, [])


# --------------------------------------------------------------------------- references

@dataclass(frozen=True)
class Name:
    name: str  # as written; MARK in it: unknown
    start: int
    end: int


@dataclass(frozen=True)
class Statement:
    """`from module import names` (`names` empty: the bare `"from module"` fragment)."""

    module: Name
    names: tuple[Name, ...]


@dataclass(frozen=True)
class Reference:
    path: str  # the dotted path the text refers to (its known part)
    shape: str  # "dotted", "object", "import" or "from"
    written: Name  # the dotted text a rewrite replaces (the module, for "object" and "from")
    complete: bool = True  # False: a placeholder follows the known part of the path
    statement: Statement | None = None  # "from": the statement, shared by its names' references
    name: Name | None = None  # "from": the name referred to (None: the module); "object": the attribute


def references(text: Text) -> list[Reference]:
    """The references the whole text makes; [] for prose, long text or an unknown start."""
    value = text.value
    if len(value) > LONGEST or not value.strip():
        return []
    if _DOTTED_WHOLE.match(value) and (MARK in value or is_dotted_path(value)):
        known = _known(Name(value, 0, len(value)))
        return [] if known is None else [Reference(known[0].name, "dotted", known[0], known[1])]
    found = _OBJECT.match(value)
    if found:
        module = Name(found.group(1), found.start(1), found.end(1))
        attribute = _known(Name(found.group(2), found.start(2), found.end(2)))
        if MARK in module.name or attribute is None:
            return []
        return [Reference(f"{module.name}.{attribute[0].name}", "object", module, attribute[1], name=attribute[0])]
    if value.lstrip().startswith(("from", "import")):
        return list(_statements(value))
    return []


def _known(name: Name) -> tuple[Name, bool] | None:
    """The components of a dotted name before the first placeholder, and whether that is all of it."""
    if MARK not in name.name:
        return name, True
    parts = name.name.split(".")
    count = next(index for index, part in enumerate(parts) if MARK in part)
    if not count:
        return None
    known = ".".join(parts[:count])
    return Name(known, name.start, name.start + len(known)), False


def _statements(value: str) -> Iterator[Reference]:
    """Import statements from the start of the text, one after another (`;` or a line break),
    until something else: the prose after an import is not part of it."""
    at = 0
    while True:
        parsed = _from(value, at) or _import(value, at)
        if parsed is None:
            return
        found, at = parsed
        yield from found
        following = _NEXT_STATEMENT.match(value, at)
        if following is None:
            return
        at = following.end()


def _from(value: str, at: int) -> tuple[list[Reference], int] | None:
    head = _FROM.match(value, at)
    if head is None:
        return None
    known = _known(Name(head.group(1), head.start(1), head.end(1)))
    if known is None:
        return None
    module, complete = known
    names: list[Name] = []
    at = head.end()
    keyword_import = _IMPORT_KEYWORD.match(value, at)
    if keyword_import is not None:
        at = keyword_import.end()
        opened = _OPEN.match(value, at)
        found = _NAME.match(value, opened.end() if opened else at)
        while found and not keyword.iskeyword(found.group(1)):
            names.append(Name(found.group(1), found.start(1), found.end(1)))
            at = found.end()
            comma = _SEPARATOR.match(value, at)
            if comma is None or names[-1].name == "*":
                break
            found = _NAME.match(value, comma.end())
            if found is None or keyword.iskeyword(found.group(1)):
                at = comma.end() if opened else at  # a trailing comma inside parentheses
                break
        closed = _CLOSE.match(value, at) if opened else None
        at = closed.end() if closed else at
        if not names and value[at:].strip():
            return None  # `from x import` then something that is not a name: prose
    elif value[at:].strip():
        return None  # `from x` then prose
    statement = Statement(module, tuple(names))
    references = [Reference(f"{module.name}.{name.name}", "from", module, True, statement, name)
                  for name in names if complete and MARK not in name.name and name.name != "*"]
    return references or [Reference(module.name, "from", module, complete, statement)], at


def _import(value: str, at: int) -> tuple[list[Reference], int] | None:
    head = _IMPORT.match(value, at)
    if head is None:
        return None
    found_any: list[Reference] = []
    at = head.end()
    found = _MODULE.match(value, at)
    while found and not keyword.iskeyword(found.group(1).split(".")[0]):
        known = _known(Name(found.group(1), found.start(1), found.end(1)))
        if known is not None:
            found_any.append(Reference(known[0].name, "import", known[0], known[1]))
        at = found.end()
        comma = _SEPARATOR.match(value, at)
        if comma is None:
            break
        found = _MODULE.match(value, comma.end())
    return (found_any, at) if at > head.end() else None


# --------------------------------------------------------------------------- matching

def legacy_references(facts: ModuleFacts, config: Config, string: StringFact) -> list[tuple[Reference, Match[Entry]]]:
    """The references of a string that fall under a legacy entry (the most specific key wins:
    `"from M import A"` is `M.A`'s entry if it has one, else `M`'s)."""
    text = text_of(facts, string, spelled=False)
    found = []
    for reference in references(text):
        match = legacy_match(config, reference.path, facts)
        if match is not None:
            found.append((reference, match))
    return found


# --------------------------------------------------------------------------- the fix

class _Plan(NamedTuple):
    rewrites: list[tuple[Name, str]]  # the text written over each part
    level: str  # the strictest level of the entries involved
    moves: list[tuple[str, str]]  # (legacy path, canonical path) of each thing referred to
    doubt: str | None = None  # why the new path may not exist, when the policy cannot tell


def string_fix(facts: ModuleFacts, config: Config, string: StringFact, reference: Reference,
               match: Match[Entry]) -> Fix | None:
    """The fix of SSOT004 on a string: the legacy part of the reference rewritten in place."""
    try:
        plan = _plan(facts, config, reference, match)
        if plan is None:
            return None
        text = text_of(facts, string)
        source = source_lines(facts)
        edits = []
        for name, new in plan.rewrites:
            where = text.source_range(name.start, name.end)
            if where is None or not _NEW_TEXT.match(new):
                return None  # not spelled literally: a placeholder, an escape, a concatenation
            if new != name.name:
                edits.append(Edit(source.span(*where), new))
        if not edits:
            return None
        level, reasons = _level(string, text, reference, plan)
        described = ", ".join(f"'{new}'" for new in dict.fromkeys(new for _, new in plan.moves))
        title = f"use {described}" + (f" (unsafe: {'; '.join(reasons)})" if reasons else "")
        return Fix(tuple(edits), level, title)
    except (ValueError, IndexError, KeyError, RecursionError):
        return None


def _fixable(facts: ModuleFacts, match: Match[Entry]) -> bool:
    entry = match.entry
    return bool(entry.use) and entry.fix in (SAFE, UNSAFE) and not is_shim(facts, match)


def _plan(facts: ModuleFacts, config: Config, reference: Reference, match: Match[Entry]) -> _Plan | None:
    """What to write over which part of the text."""
    if reference.shape == "from":
        return _statement_plan(facts, config, reference.statement)
    entry = match.entry
    if not _fixable(facts, match):
        return None
    if not reference.complete and _entries_below(config, reference.path):
        return None  # the placeholder may name a path with an entry of its own
    level = entry.fix
    if reference.shape == "import":
        module = canonical_module(config, match, match.rest)
        if module is None:
            return None
        return _Plan([(reference.written, module)], level, [(reference.path, module)])
    if reference.shape == "object":
        module, attribute = reference.written.name, reference.name
        if len(match.matched) <= len(module):
            canonical = canonical_module(config, match, module[len(match.matched):])
            if canonical is None:
                return None
            return _Plan([(reference.written, canonical)], level,
                         [(reference.path, f"{canonical}.{attribute.name}")])
        first = attribute.name.split(".")[0]
        canonical, _, name = entry.use.rpartition(".")
        if match.matched != f"{module}.{first}" or not canonical:
            return None  # the key names something inside the attribute: its module is unknown
        first_name = Name(first, attribute.start, attribute.start + len(first))
        new_path = entry.use + attribute.name[len(first):]
        return _Plan([(reference.written, canonical), (first_name, name)], level,
                     [(reference.path, new_path)])
    new_path = entry.use + match.rest
    doubt = None
    if match.rest.count(".") > 1:
        doubt = f"nothing proves '{entry.use}{match.rest[:match.rest.index('.', 1)]}' exists"
    return _Plan([(reference.written, new_path)], level, [(reference.path, new_path)], doubt)


def _statement_plan(facts: ModuleFacts, config: Config, statement: Statement) -> _Plan | None:
    """`from M import a, b as c`: every name's canonical module must be the same one (a
    statement in a string is rewritten, never split in two); a renamed name is written with
    its canonical name, an alias stays."""
    module_name = statement.module.name
    module_match = legacy_match(config, module_name, facts)
    targets = []  # (canonical module, the name as written or None, its canonical name)
    level, moves = SAFE, []
    for name in statement.names or (None,):
        known = name is not None and name.name != "*" and MARK not in name.name
        if name is not None and not known and name.name != "*" and _entries_below(config, module_name):
            return None  # the placeholder may be a name with an entry of its own
        match = legacy_match(config, f"{module_name}.{name.name}", facts) if known else module_match
        written = name.name if name is not None else ""
        if match is None:
            targets.append((module_name, name, written))
            continue
        if not _fixable(facts, match):
            return None
        if len(match.matched) <= len(module_name):
            canonical = canonical_module(config, match, module_name[len(match.matched):])
            new = written
        else:
            canonical, _, new = match.entry.use.rpartition(".")
        if not canonical:
            return None
        targets.append((canonical, name, new))
        level = stricter(level, match.entry.fix)
        old = f"{module_name}.{written}" if known else module_name
        moves.append((old, f"{canonical}.{new}" if known else canonical))
    if len({target[0] for target in targets}) != 1:
        return None
    canonical = targets[0][0]
    rewrites = [(statement.module, canonical)]
    rewrites.extend((name, new) for _, name, new in targets if name is not None and new != name.name)
    return _Plan(rewrites, level, moves)


def _entries_below(config: Config, path: str) -> bool:
    """Does the policy have a legacy key strictly inside `path`?"""
    return any(key.startswith(path + ".") for key, _ in config.legacy.items())


# --------------------------------------------------------------------------- safety

def _level(string: StringFact, text: Text, reference: Reference, plan: _Plan) -> tuple[str, list[str]]:
    """How safe the fix is, and why it is unsafe when something other than the entry says so.

    Only an import target Python resolves keeps its meaning when rewritten; any other string
    may be data a test compares (`assert "from legacy import X" not in source`)."""
    if text.fstring:
        return UNSAFE, ["an f-string, not provably used as an import"]
    if reference.shape not in ("dotted", "object") or _import_target_call(string) is None:
        return UNSAFE, ["a string not provably used as an import"]
    index = current()
    if index is None:
        return (UNSAFE, [plan.doubt]) if plan.doubt and plan.level == SAFE else (plan.level, [])
    reasons = []
    for old, new in plan.moves:
        if index.resolve(new).kind == MISSING:
            module, _, name = new.rpartition(".")
            reasons.append(f"'{module}' does not define or export '{name}'")
        elif index.distinct(old, new):
            reasons.append(f"'{old}' is a different object, defined in its own module")
    # The index only takes safety away: a patch target is where a name is looked up, and
    # one object under two paths does not prove that the code under test reads the new one.
    return (UNSAFE, reasons) if reasons else (plan.level, [])


def _import_target_call(string: StringFact) -> str | None:
    """The callee, as written, when the string is the target argument of an import-target call."""
    node, stmt = string.node, string.stmt
    # A string in a body has its own statement: of a definition only the header is walked.
    header = isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    roots = [*stmt.decorator_list, *(stmt.bases if isinstance(stmt, ast.ClassDef) else [stmt.args])] \
        if header else [stmt]
    for call in (found for root in roots for found in ast.walk(root)):
        if not isinstance(call, ast.Call):
            continue
        first = call.args[0] if call.args else next(
            (keyword.value for keyword in call.keywords if keyword.arg in ("target", "name", "modname")), None)
        if first is not node:
            continue
        callee = written_name(call.func)
        if callee is not None and any(callee == known or callee.endswith("." + known) for known in _IMPORT_TARGETS):
            return callee
    return None
