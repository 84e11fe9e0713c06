"""The sound text prefilter: can any rule fire in this file? False means nothing to report.

Every violation spells the last component of a configured path as a whole identifier
somewhere in the file (an import, attribute, call, string or definition), or inherits it
from the file's own module name through a relative import; `__all__` matters only in
modules listed under deprecated-exports; pattern rules contribute their literal words.
In strict mode (the flake8 plugin) a word counts only where the file can reach the
top-level package of a path ending in it: the first component occurs as a whole word too,
or the file is in that package (relative imports); `List` in a docstring cannot be
`typing.List` without `typing` (see `_requirement`). Like the words themselves, this
assumes a path is spelled in one piece, not split by implicit string concatenation.
A substring search (C speed) finds candidates; a literal-first regex then confirms a
whole-word occurrence, so `imp` is not found in every `import`. Works on `str` and on raw
bytes: anchors are ASCII and every Python source encoding is ASCII-compatible.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flake8_ssot.files import SourceError, decode_source

_IDENTIFIER_CHAR = "A-Za-z0-9_"
_LEAF = "leaf"  # a member's mode: the word ends only dotted legacy paths


def nfkc_text(source: str) -> str | None:
    """The source with its compatibility characters normalised, when it has any (None for the
    usual source: ASCII, or already NFKC, which that check tells at next to no cost)."""
    if source.isascii() or unicodedata.is_normalized("NFKC", source):
        return None
    return unicodedata.normalize("NFKC", source)


def nfkc_bytes(data: bytes) -> bytes | None:
    """A source file's bytes as Python reads its names (NFKC), UTF-8 encoded, for the searches
    that look for a name in raw bytes (`importers.Mentions`, the cache's mention groups):
    `ｃreate_manager` (a fullwidth c) is `create_manager` to Python. None when that reading
    is the bytes' own: ASCII (every file of most trees; `bytes.isascii` tells at memory
    speed), text already in NFKC form, or bytes that do not decode (nothing imports from them)."""
    if data.isascii():
        return None
    try:
        normalized = nfkc_text(decode_source(data))
    except SourceError:
        return None
    return None if normalized is None else normalized.encode("utf-8")


def _whole_word(word: str) -> str:
    # The literal comes first so the regex engine can skip ahead with a fast search;
    # the look-behind repeats the word to check the character before it.
    escaped = re.escape(word)
    return f"{escaped}(?![{_IDENTIFIER_CHAR}])(?<![{_IDENTIFIER_CHAR}]{escaped})"


@dataclass(frozen=True)
class Prefilter:
    words: tuple[str, ...]  # must occur as whole identifiers
    fragments: tuple[str, ...]  # must occur as substrings (literal runs of wildcard keys)
    export_modules: frozenset[str]
    everything: bool  # a rule without a literal anchor: every file may match

    @classmethod
    def build(cls, words, fragments, export_modules, everything: bool, requires=None, uses=None,
              leaves=()) -> "Prefilter":
        """`requires`: word -> the first components of the configured paths it ends (see
        `_requirement`); a word missing from it, or mapped to None, needs nothing more.
        `uses`: the words that name only classes (factory-only or canonical, no legacy path or
        pattern anchor ends in them) -> the canonical homes they may be imported from without a
        finding (None: from anywhere); in strict mode such a word counts only where it is put
        to use (see `put_to_use`). `leaves`: the words that end only dotted legacy paths (no
        class, pattern anchor or top-level module); in strict mode they count only in a dotted
        name or an import (see `in_path_or_import`)."""
        prefilter = cls(tuple(sorted(set(words))), tuple(sorted(set(fragments))),
                        frozenset(export_modules), everything)
        object.__setattr__(prefilter, "uses", {
            word: (None if homes is None else frozenset(homes))
            for word, homes in (uses or {}).items() if word in prefilter.words
        })
        object.__setattr__(prefilter, "leaves", frozenset(leaves) & set(prefilter.words) - set(prefilter.uses))
        object.__setattr__(prefilter, "_fragment_bytes", [f.encode("ascii") for f in prefilter.fragments])
        requires = dict(requires or {})
        object.__setattr__(prefilter, "requires", {
            word: tuple(sorted(firsts)) for word, firsts in requires.items()
            if firsts is not None and word in prefilter.words and word not in firsts
        })
        groups = anchor_groups(prefilter.words)

        def member(word: str, as_bytes: bool):
            firsts = prefilter.requires.get(word)
            requirement = None if firsts is None else tuple(
                (first, first.encode("ascii") if as_bytes else first,
                 re.compile(_whole_word(first).encode("ascii") if as_bytes else _whole_word(first)))
                for first in firsts
            )
            regex = re.compile(_whole_word(word).encode("ascii") if as_bytes else _whole_word(word))
            use = prefilter.uses.get(word, False) if word not in prefilter.leaves else _LEAF
            return (word.encode("ascii") if as_bytes else word), regex, requirement, word, use

        object.__setattr__(prefilter, "_str_groups", [
            (anchor, tuple(member(w, False) for w in members)) for anchor, members in groups
        ])
        object.__setattr__(prefilter, "_bytes_groups", [
            (anchor.encode("ascii"), tuple(member(w, True) for w in members)) for anchor, members in groups
        ])
        return prefilter

    def may_match(self, text: str | bytes, module: str, strict: bool = False) -> bool:
        """`strict` also asks for the word's top-level package (see `_requirement`), and for a
        word naming only classes, an occurrence where a rule can use it (see `put_to_use`): it
        rules out more files, which then are not parsed at all (their syntax errors are neither
        reported nor counted); `ssot check` and the flake8 plugin use it (#16)."""
        if self.everything:
            return True
        is_bytes = isinstance(text, bytes)
        if module in self.export_modules and (b"__all__" if is_bytes else "__all__") in text:
            return True
        for fragment in (self._fragment_bytes if is_bytes else self.fragments):
            if fragment in text:
                return True
        # One substring scan per anchor, shared by the words that contain it; a hit is then
        # confirmed word by word (the whole-word regex starts with its literal, so it is fast).
        for anchor, members in (self._bytes_groups if is_bytes else self._str_groups):
            if anchor in text:
                for word, regex, requirement, name, homes in members:
                    if (len(members) == 1 or word in text) and regex.search(text):
                        if not strict:
                            return True
                        if requirement is not None and not _requirement(requirement, text, module):
                            continue
                        if homes is False:
                            return True
                        if homes is _LEAF:
                            if in_path_or_import(text, name):
                                return True
                        elif put_to_use(text, name, homes):
                            return True
        if module:
            for word in self.words:
                if word in module:
                    return True
            for fragment in self.fragments:
                if fragment in module:
                    return True
        return False

    def may_match_normalised(self, source: str, module: str, strict: bool = False) -> bool:
        """`may_match` of the NFKC form of a text it ruled out: Python reads names in NFKC
        form, so `ＵserExecutionContext(...)` (a fullwidth U) builds the class though no word of
        the policy is in the text as written. False at once for ASCII or already-normal text.
        A superset of the names' reading (strings are normalised too): sound."""
        normalized = nfkc_text(source)
        return normalized is not None and self.may_match(normalized, module, strict)

    def region_words(self, module: str) -> tuple[str, ...] | None:
        """What a definition of a broken file must spell to be lowered in full by the
        error-tolerant reading (facts.recovery's region-only recovery), or None to lower
        the whole file: when any file may match (`everything`), or when the module's own name
        holds a word (a relative import can then reach a configured path without spelling it)."""
        if self.everything or any(word in module for word in (*self.words, *self.fragments)):
            return None
        exports = ("__all__",) if module in self.export_modules else ()
        return (*self.words, *self.fragments, *exports)


def _requirement(firsts, text, module: str) -> bool:
    """Does the file reach the top-level package of a path ending in the word found?

    A name resolves to `pkg.x.Word` only through an import, a string or a dynamic import
    that spells `pkg` (the first component, as a whole word), or through a relative import
    inside `pkg` itself (the file's own module is in `pkg`); SSOT005 compares definitions
    only within the canonical symbol's top-level package. So `List` in prose or in
    `from mylib import List` cannot be `typing.List` unless `typing` occurs too.
    """
    for first, spelled, regex in firsts:
        if module and (module == first or module.startswith(first + ".")):
            return True
        if spelled in text and regex.search(text):
            return True
    return False


# Anchors shared by several words are at least this long, so that they stay rare in code.
MIN_SHARED_ANCHOR = 8


def anchor_groups(words) -> list[tuple[str, tuple[str, ...]]]:
    """Substrings to scan for, each with the words containing it; every word is covered.

    Scanning a file costs about the same for every needle, so words that share a long
    substring (`create_websocket_manager`, `unified_manager` and `..._manager_factory` share
    `_manager`) are found with one scan instead of one each. Sound by construction: a word
    that occurs contains its anchor, so the anchor's scan hits and the word is then checked.
    A word sharing nothing is its own anchor. Deterministic (sorted) for a given word set.
    """
    words = sorted(set(words))
    contains: dict[str, set[str]] = {}
    for word in words:
        for start in range(len(word)):
            for end in range(start + MIN_SHARED_ANCHOR, len(word) + 1):
                contains.setdefault(word[start:end], set()).add(word)
    shared = sorted(
        ((anchor, members) for anchor, members in contains.items() if len(members) > 1),
        key=lambda item: (-len(item[1]), -len(item[0]), item[0]),
    )
    groups: list[tuple[str, tuple[str, ...]]] = []
    covered: set[str] = set()
    for anchor, members in shared:
        fresh = sorted(members - covered)
        if len(fresh) > 1:
            groups.append((anchor, tuple(fresh)))
            covered.update(fresh)
    groups.extend((word, (word,)) for word in words if word not in covered)
    return groups


# --------------------------------------------------------------------------- where a class name is used

# Python's keywords (and soft keywords) that may stand right before a name in code: after any
# other identifier, a name can only be prose (a docstring, a string, a comment).
_KEYWORDS = frozenset({
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "match", "case", "type", "print", "exec",
})
# Keywords a bracket may follow without being a call's or a subscript's (`in (a, b)`).
_NOT_CALLED = _KEYWORDS - {"print", "exec", "type", "match"}
_NAME_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]+$")
_FROM_IMPORT = re.compile(r"[ \t]*from[ \t]+([A-Za-z0-9_.]+)[ \t]+import\b")
_OPENER_OF_LIST = re.compile(r"[ \t]*from[ \t]+([A-Za-z0-9_.]+)[ \t]+import[ \t]*\([A-Za-z0-9_, \t]*(#.*)?$")
_NAMES_ONLY = re.compile(r"[A-Za-z0-9_, \t]*(#.*)?$")
_LIST_TAIL = re.compile(r"[A-Za-z0-9_, \t]*\)?[ \t]*(#.*)?$")
_ANNOTATED = re.compile(r"[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*:$")
_BLOCK_KEYWORDS = frozenset({"else", "try", "finally"})
_CLOSE_AFTER = frozenset(")],|")


def put_to_use(text: str | bytes, word: str, homes: frozenset[str] | None) -> bool:
    """Is the class name `word` put to use somewhere in `text`, where SSOT001 (an import of a
    canonical symbol from outside its home), SSOT002 (a call through any name bound to it) or
    SSOT005 (a module-level definition of it) could find something? Sound, not exact: an
    occurrence counts unless it is plainly one of these:

    - in a comment, or a string that is exactly the name (`"UserExecutionContext"`), or prose
      (after an identifier that is not a keyword: only text can have that);
    - in an import from one of `homes` (any import when `homes` is None), without `as`;
    - in an annotation (`ctx: Name`, `-> Name:`, a multi-line signature's `ctx: Name,`);
    - inside the brackets of a call or subscript (`isinstance(x, Name)`, `Optional[Name]`,
      `class Sub(Name):`), followed by `)`, `]`, `,` or `|`.

    Anything else (a call `Name(`, `@Name`, `x = Name`, `Name = `, `class Name`, an unpacking
    target, `as Name`, a line starting with it, ...) is a use. A name is bound to the class
    only by an import or by `x = Name`/`x = mod.Name`, and a call, an alias or a definition
    each spells it in one of those positions.
    """
    if isinstance(text, bytes):
        text = text.decode("latin-1")  # positions stay; the words and the syntax read are ASCII
    size = len(word)
    start = 0
    while True:
        at = text.find(word, start)
        if at < 0:
            return False
        start = at + size
        end = at + size
        if at and (text[at - 1].isalnum() or text[at - 1] == "_"):
            continue
        if end < len(text) and (text[end].isalnum() or text[end] == "_"):
            continue
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", end)
        before = text[line_start:at]
        after = text[end:len(text) if line_end < 0 else line_end]
        if not _harmless(text, line_start, before, after, homes):
            return True


def _harmless(text: str, line_start: int, before: str, after: str, homes) -> bool:
    hash_at = before.find("#")
    if hash_at >= 0 and "'" not in before[:hash_at] and '"' not in before[:hash_at]:
        return True  # a comment
    prev, following = before.rstrip(), after.lstrip()
    if before[-1:] in ("'", '"') and after[:1] == before[-1]:
        return True  # the whole string is the name: `"Name"` is never code
    if ";" in before or "\\" in before:
        return False
    stripped = before.lstrip()
    if stripped.startswith(("from ", "from\t", "import ", "import\t")):
        return _imported_from_home(before, following, homes)
    if _NAMES_ONLY.match(before) and _LIST_TAIL.match(after):
        opener = _list_opener(text, line_start)
        if opener is not None:  # a line of a parenthesised `from ... import (` list
            return not following.startswith("as") and (homes is None or opener in homes)
    if not prev:
        return False  # a statement starts with it
    if following.startswith("("):
        return False  # a call
    named = _NAME_BEFORE.search(before)
    if named is not None and named[1] not in _KEYWORDS and following[:1] not in ("=", ":"):
        return True  # `the Name ...`: prose
    if prev.endswith("->"):
        return True  # a return annotation
    if prev.endswith(":"):
        if _depth(prev) > 0:  # an annotation in a signature, a dict value, a slice, a lambda
            return following[:1] in ("", ")", "]", ",", "|", "}", "=", "#")
        if _ANNOTATED.match(prev) and prev.rstrip(":").strip() not in _BLOCK_KEYWORDS:
            # `ctx: Name` (an annotated name, or a parameter of a multi-line signature)
            return following[:1] in ("", ")", ",", "|", "=", "#", "]")
        return False
    if prev[-1] in ",|[(" and following[:1] in _CLOSE_AFTER:
        return _inside_call_or_subscript(prev)
    return False


def _imported_from_home(before: str, following: str, homes) -> bool:
    """An occurrence on a line starting `from`/`import`: harmless when imported without `as`
    from a home (from anywhere when `homes` is None)."""
    if following.startswith("as") and following[2:3] in (" ", "\t"):
        return False
    if homes is None:
        return True
    match = _FROM_IMPORT.match(before)
    return match is not None and match[1] in homes


def _list_opener(text: str, line_start: int, limit: int = 200) -> str | None:
    """The module of the `from MODULE import (` whose name list the line at `line_start`
    continues (only names, commas and comments between), or None."""
    end = line_start - 1
    for _ in range(limit):
        if end < 0:
            return None
        begin = text.rfind("\n", 0, end) + 1
        line = text[begin:end]
        opener = _OPENER_OF_LIST.match(line)
        if opener is not None:
            return opener[1]
        if not _NAMES_ONLY.match(line) or line.lstrip().startswith(("from", "import")):
            return None
        end = begin - 1
    return None


def _depth(text: str) -> int:
    """Brackets left open in `text` (a line up to a point; strings are not told apart, which
    only makes an occurrence count more often)."""
    return (text.count("(") + text.count("[") + text.count("{")
            - text.count(")") - text.count("]") - text.count("}"))


def _inside_call_or_subscript(prev: str) -> bool:
    """Is some bracket open at the end of `prev` a call's or a subscript's (right after a name
    that is not a keyword, a `)` or a `]`)? Nothing inside one can be bound by the statement
    (a comprehension's target is its own scope); `(a, Name) = ...` and `for a, Name in` can."""
    depth = 0
    for index in range(len(prev) - 1, -1, -1):
        char = prev[index]
        if char in ")]}":
            depth += 1
        elif char in "([{":
            if depth > 0:
                depth -= 1
                continue
            if char != "{" and index > 0:
                before = prev[index - 1]
                if before in ")]":
                    return True
                if before.isalnum() or before == "_":
                    named = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", prev[:index])
                    if named is not None and named[0] not in _NOT_CALLED:
                        return True
    return False


# `import *` (with `(`, spaces): found by its literal, its word boundary tested by hand. As one
# pattern, `\bimport...` was searched at every position of a file with any `*` (28x slower).
_STAR_IMPORT = re.compile(r"import[ \t(]*\*")


def _star_import(text: str) -> bool:
    for match in _STAR_IMPORT.finditer(text):
        at = match.start()
        if at == 0 or not (text[at - 1].isalnum() or text[at - 1] == "_"):  # `\b`: no word character before
            return True
    return False


def in_path_or_import(text: str | bytes, word: str) -> bool:
    """Does the last component `word` of dotted legacy paths occur where a path can end in
    it? A legacy module or symbol is reached only through an import of it (`import a.b.word`,
    `from a.b import word`, a relative import), a dotted name (`b.word.x`, `"a.b.word"` in a
    string, `importlib.import_module("a.b.word")`) or a star import of its parent; anywhere
    else (`register(name, factory)`, "the session factory") the word is someone else's name."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    if "*" in text and _star_import(text):
        return True
    size = len(word)
    start = 0
    while True:
        at = text.find(word, start)
        if at < 0:
            return False
        start = end = at + size
        if at and (text[at - 1].isalnum() or text[at - 1] == "_"):
            continue
        if end < len(text) and (text[end].isalnum() or text[end] == "_"):
            continue
        line_start = text.rfind("\n", 0, at) + 1
        before = text[line_start:at]
        if before.rstrip().endswith("."):
            return True  # a dotted name, in code or in a string
        stripped = before.lstrip()
        if stripped.startswith(("from", "import")) or "import" in before:
            return True  # an import (or a line too odd to tell)
        if line_start >= 2 and text[line_start - 2] == "\\":
            return True  # continues the line above
        line_end = text.find("\n", end)
        after = text[end:len(text) if line_end < 0 else line_end]
        if _NAMES_ONLY.match(before) and _LIST_TAIL.match(after) and _list_opener(text, line_start) is not None:
            return True  # in a parenthesised `from ... import (` list
