"""Partial parsing (#16): the facts of a large file that parses, from a parse of only the
top-level definitions that can matter; the others stand as stubs that bind their name.

Most of a checked file is functions and classes that spell no policy word: parsing them is
most of a check's CPU. `partial_facts` reads the file's top-level statement boundaries from its
text, replaces each top-level `def`/`class` (with its decorators) that can hold nothing a rule
reads by `def name(): pass` (`class name: pass`) on its own line, blanks the rest of its lines
(every other line and column stays where it was) and parses that. Whether the whole file
parses, and how deep its tree is, `_symtable` tells at about half of `ast.parse`'s cost
without building a tree; on any doubt the caller parses the whole file as before.

Why the stubs change no finding (tests/test_partial_parse.py checks it over generated files,
benchmarks/compare_fast_path.py over whole trees):

- A finding is reported at an import, call, attribute chain, string, export or definition
  that spells a policy word (`engine.partial_words`: the configured paths' last components,
  wildcard fragments, `__all__`), or at a use of a module-level name bound
  to a path that spells one (`from pkg import UserExecutionContext as UEC`, `X = UEC`, an
  `except ImportError:` fallback). Those names join the words (the closure: module-level
  names are bound only by the always-kept statements, a definition binding nothing but its
  own name, so one round finds them all). A definition that spells none of them records no
  fact a rule reports from. "Spells" as Python reads the text (`_Text`): names in NFKC form
  (`ＵserExecutionContext` is the class's name), strings by their value (an escape, a continued
  line or two joined literals keep their definition).
- What rules read beyond a finding's own statement is the module's bindings and imports. A
  stub binds its name at the same place, with the same kind; a definition holding `import`,
  `global`, `nonlocal`, `:=` (which bind elsewhere than in its own scope) or `__all__` is kept.
  Every statement that is not a top-level definition is kept, so every import is too.
- A rule that needs the whole syntax tree (`ModuleFacts.parsed`: fix builders) gets
  `WholeTreeNeeded` instead of a partial tree; the engine then checks the file from a parse of
  the whole file. A rule that needs the tree only for some names (`ModuleFacts.tree_for`: a
  rename reads the uses of its old and new names and the calls that read names by string) gets
  the partial tree when no skipped definition spells them: every node about them is there, on
  the same line and column (kept lines are the file's own), in the same scope; a skipped
  definition binds only its own name, as its stub does. Its fix is the whole parse's.
- A file whose star import (its names are unknown) or form feed (indentation we do not
  model) makes the argument unsafe, and every file on Python 3.12+ (PEP 701 f-strings nest
  quotes, which the boundary scanner does not read), is parsed whole.
- Boundaries: on a file that compiles, the scanner reads strings (any prefix, triple-quoted,
  escapes, continued lines), comments, bracket depth and backslash continuations as Python's
  tokenizer does, so a top-level statement starts exactly at a line of depth 0, outside any
  string, not continued, whose first character is code at column 0. A boundary read wrong
  still cannot pass silently: the stub's line must spell `def name(` / `class name`, and the
  partial source must parse, or the whole file is parsed.
- Recursion: the full path reports a file whose tree is too deep for the facts walk as a
  syntax error. `_symtable` runs with only the frames the walk needs left (the limit lowered,
  or called from deep enough in the stack), so it fails on any tree deep enough for the walk
  to fail; the whole file is then parsed.
- Order: the partial facts are built and the rules run on them first; `confirm` then asks
  `_symtable` whether the whole file compiles (the engine checks from a whole parse if not).
  A file some rule sends to a whole parse never pays for `_symtable`; a file that does not
  compile is checked from the whole parse (recovery), its partial findings and fixes dropped.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import threading
import unicodedata
import warnings
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, fields
from functools import lru_cache
from itertools import accumulate
from typing import Iterable, Sequence

from flake8_ssot.facts import EVERYTHING, Interest, ModuleFacts, bound_to_words, collect_facts
from flake8_ssot.span import split_lines

try:  # the C half of `symtable`: the same check without building the Python table objects
    from _symtable import symtable as _symtable
except ImportError:  # pragma: no cover - every CPython has it
    _symtable = None

# Off with SSOT_PARTIAL_PARSE=0 (benchmarks/compare_fast_path.py compares both ways).
ENABLED = os.environ.get("SSOT_PARTIAL_PARSE", "1") != "0" and sys.version_info < (3, 12) and _symtable is not None
# Smaller files are parsed whole: below this the scan and the check cost more than they save
# (on the 10M tree's netra_backend/app, best of three per file: 0.93 of a whole parse's check
# at 6-8 kB, 0.88 at 8-10 kB, 1.01 at 4-6 kB, 1.13 at 3-4 kB).
MIN_SIZE = 6_000
# A file is parsed whole unless definitions that can be skipped hold this share of its text:
# checking whether it compiles costs about half a parse, the scan a tenth.
MIN_SKIPPED_SHARE = 0.6
# A definition holding one of these is kept: it binds outside its own scope, or exports.
_BLOCKERS = ("import", "global", "nonlocal", ":=", "__all__")
# Frames the facts walk may use per level of the tree (statement nesting costs three).
_FRAMES_PER_LEVEL = 3
_MARGIN = 150  # frames kept free: C calls the frame count misses, what runs below the walk

# What hides a line break from the tokenizer: a string (any prefix: it ends the same way), a
# comment, a backslash continuation. Captured, so that `split` keeps them between the code.
_TOKENS = re.compile(
    r'("""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
    r"|#[^\n]*"
    r"|\\\r?\n)",
    re.DOTALL,
)
# A line break before a line whose first character is code: where a top-level statement may start.
_CODE_LINE = re.compile(r"\n(?=[^ \t\r\n#])")
_DEFINITION = re.compile(r"(?:async[ \t]+)?def[ \t]+\w+(?=[ \t]*\()|class[ \t]+\w+(?=[ \t]*[(:])")
_BRACKETS = re.compile(r"[()\[\]{}]")
# Where a string's value may spell a word its text does not (see `_Text`): an escape that makes
# a letter or joins lines; a literal ending in a word character joined to one starting with
# one (spaces, lines or comments between; a prefix; triple quotes). Each starts with a literal
# character, which the regular expression engine skips ahead to.
_JOINT = r"""["']{0,2}(?:[ \t\r\n\f]|\\\r?\n|#[^\n]*(?![^\n]))*[rRuUbBfF]{0,2}["']{1,3}(?=\w)"""
_OPAQUE = (re.compile(r"\\[xuUN0-7\r\n]"), re.compile('"(?<=\\w")' + _JOINT), re.compile("'(?<=\\w')" + _JOINT))
_HEADS = ("def ", "class ", "async ", "@")


class WholeTreeNeeded(BaseException):
    """A rule asked partial facts for the whole syntax tree, or the whole file does not compile
    (`confirm`): check from a whole parse. A BaseException, so that no rule's `except Exception`
    can take it for a failure of its own."""


def confirm(facts: ModuleFacts) -> None:
    """Raise WholeTreeNeeded unless `facts` come from a whole parse or from a partial parse of a
    file that compiles with a tree the facts walk can take (`_compiles_shallow`). Asked after the
    rules ran on them: a file a rule sends to a whole parse (a rename, a fix that reads the
    tree) then never pays for this check too."""
    if isinstance(facts, PartialFacts) and not _compiles_shallow(facts.source, facts.path):
        raise WholeTreeNeeded


@dataclass(frozen=True)
class PartialFacts(ModuleFacts):
    """Facts from a partial parse: complete for the rules. No whole tree to give (`parsed`);
    the partial one (`tree_for`) for a question about words no skipped definition spells."""

    partial_tree: ast.Module | None = field(default=None, repr=False, compare=False)
    skipped: tuple[tuple[int, int], ...] = field(default=(), repr=False, compare=False)  # offsets, end exclusive
    text: _Text | None = field(default=None, repr=False, compare=False)

    def parsed(self) -> ast.Module:
        raise WholeTreeNeeded

    def tree_for(self, words: Iterable[str] = (), names: Iterable[str] = ()) -> ast.Module:
        """The partial tree, when no skipped definition spells one of `words` or holds one of
        `names` as a whole name (`_Text`): it then holds every node of the whole tree that
        mentions them, at the same place, and the same bindings of them in the same scopes
        (a skipped definition binds only its own name, as its stub does). Else WholeTreeNeeded."""
        text, tree = self.text, self.partial_tree
        if text is None or tree is None:
            raise WholeTreeNeeded
        words, names = tuple(words), tuple(names)
        for start, end in self.skipped:
            if text.spells(start, end, words) or text.names(start, end, names):
                raise WholeTreeNeeded
        return tree


def partial_facts(source: str, path: str, module: str, is_package: bool, lines: Sequence[str] | None,
                  interest: Interest = EVERYTHING, trees: list | None = None,
                  words: Sequence[str] | None = None) -> PartialFacts | None:
    """The facts of `source` from a partial parse, or None when the whole file must be parsed:
    too small to pay, no words to decide by (`words` None), too little to skip, a shape the
    argument in the module docstring does not cover, or a partial source that does not parse.
    Whether the whole file compiles is not known yet: `confirm` tells, after the rules ran."""
    if not ENABLED or words is None or len(source) < MIN_SIZE:
        return None
    if "\f" in source or "\v" in source or ("\r" in source and source.count("\r") != source.count("\r\n")):
        return None
    words = tuple(words)
    spelled = (*_BLOCKERS, *words)
    # Two estimates before the work they save: the share of text in definitions that spell no
    # word, first from the lines that start with `def`, `class` or `@` (strings and brackets
    # ignored), then exactly. On a file that does not compile the blocks may be wrong; the
    # whole file is then parsed anyway.
    text = _Text(source)
    quiet = _quiet_blocks(text, spelled, MIN_SKIPPED_SHARE * len(source))
    if quiet is None:
        return None
    text_lines = source.split("\n")
    skipped = [block for block in definition_blocks(text_lines, *_starts(source))
               if quiet.get(block[3], -1) >= block[4] or not text.spells(block[3], block[4], spelled)]
    if sum(block[4] - block[3] for block in skipped) < MIN_SKIPPED_SHARE * len(source):
        return None
    full_lines = lines if lines is not None else split_lines(source)
    facts = _facts_skipping(source, text_lines, skipped, path, module, is_package, full_lines, interest, trees)
    if facts is None or any(binding.kind == "star" for binding in facts.bindings):
        return None  # a star import binds names no text spells: any definition may use one
    closure = bound_to_words(facts, words)
    if closure:
        still = [block for block in skipped if not text.spells(block[3], block[4], closure)]
        if len(still) < len(skipped):
            if not still:
                return None
            facts = _facts_skipping(source, text_lines, still, path, module, is_package, full_lines,
                                    interest, trees)
            if facts is None:
                return None
            skipped = still
    return PartialFacts(**{f.name: getattr(facts, f.name) for f in fields(ModuleFacts) if f.name != "tree"},
                        partial_tree=facts.tree, skipped=tuple((block[3], block[4]) for block in skipped), text=text)


def statement_starts(source: str) -> list[int]:
    """The 0-based lines where a top-level logical line starts (a statement, a clause such as
    `else:`, a decorator), for a source that compiles (see the module docstring)."""
    return _starts(source)[0]


def _starts(source: str) -> tuple[list[int], list[int]]:
    """`statement_starts`, and the offset in `source` where each of those lines begins.

    Python's tokenizer starts a top-level statement at a line break before code at column 0
    (`_CODE_LINE`: a few per file, found at the speed of a literal search) that is no part of
    a string, comment or continuation (`_TOKENS`) and closes every bracket the code before it
    opened. The tokens are split out once; the brackets are counted in the code between them
    only, and only up to each such line break: a quarter to a third less CPU than reading every
    token in turn in Python, as the scan first did (0.42-0.49 ms for 0.57-0.66 ms on the 10M
    tree's files of 6 kB and more, 27 kB on average)."""
    lines, offsets = ([0], [0]) if source[:1] not in ("", " ", "\t", "\r", "\n", "#") else ([], [])
    breaks = [match.start() for match in _CODE_LINE.finditer(source)]
    if not breaks:
        return lines, offsets
    parts = _TOKENS.split(source)  # code, token, code, ..., token, code
    ends = list(accumulate(map(len, parts)))  # the offset in `source` where each part ends
    hidden = list(accumulate(map(len, parts[1::2])))  # the tokens' length up to each one's end
    code = "".join(parts[::2])
    brackets, count = _BRACKETS.search, code.count
    depth = line = counted = previous = 0  # `previous`: where in `code` the brackets were counted to
    for at in breaks:
        part = bisect_right(ends, at)
        if part & 1:
            continue  # inside a token
        here = at - hidden[part // 2 - 1] if part else at  # the same place in `code`
        if depth or brackets(code, previous, here):
            depth += (count("(", previous, here) + count("[", previous, here) + count("{", previous, here)
                      - count(")", previous, here) - count("]", previous, here) - count("}", previous, here))
        previous = here
        if depth == 0:
            line += source.count("\n", counted, at + 1)
            counted = at + 1
            lines.append(line)
            offsets.append(at + 1)
    return lines, offsets


def definition_blocks(lines: Sequence[str], starts: Sequence[int], offsets: Sequence[int]) -> list[tuple]:
    """The top-level definitions as (first line, `def`/`class` line, end line, first offset, end
    offset), lines 0-based, ends exclusive: decorators with what they decorate, up to the next
    top-level statement."""
    blocks = []
    count = len(starts)
    size = sum(map(len, lines)) + len(lines) - 1  # the source's length: `lines` is it split at "\n"
    index = 0
    while index < count:
        head = index
        while head < count and lines[starts[head]][:1] == "@":
            head += 1
        if head < count and _DEFINITION.match(lines[starts[head]]):
            following = head + 1 < count
            blocks.append((starts[index], starts[head], starts[head + 1] if following else len(lines),
                           offsets[index], offsets[head + 1] if following else size))
            index = head + 1
        else:
            index = max(head, index + 1)
    return blocks


class _Text:
    """A file's text, asked whether a span of it can hold one of some words as Python reads
    them (`spells`), not only as it is written:

    - names in their NFKC form (`ＵserExecutionContext` is the class's name to the parser): a
      span that is not ASCII is searched normalised too (code separates names by ASCII
      characters, so normalising the span keeps each name whole);
    - strings whose value spells what their text does not (`_OPAQUE`): an escape that makes a
      letter (`\\x66`, `\\u`, `\\N{...}`, octal), a line continued inside the string, two
      literals joined between word characters (`"fac" "tory"`). A span holding one spells
      every word. The patterns over-read (a continuation outside a string, a joint of two
      other strings), which only keeps a definition that could have been skipped."""

    __slots__ = ("_opaque", "ascii", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.ascii = source.isascii()
        self._opaque: list[int] | None = None  # where the patterns match: found when first needed

    def spells(self, start: int, end: int, words) -> bool:
        if not words:
            return False
        find = self.source.find
        if any(find(word, start, end) >= 0 for word in words):
            return True
        if self._opaque is None:
            self._opaque = sorted(match.start() for pattern in _OPAQUE for match in pattern.finditer(self.source))
        if self._opaque:
            at = bisect_left(self._opaque, start)
            if at < len(self._opaque) and self._opaque[at] < end:
                return True
        if self.ascii:
            return False
        part = self.source[start:end]
        if part.isascii():
            return False
        normalised = unicodedata.normalize("NFKC", part)
        return normalised != part and any(word in normalised for word in words)

    def names(self, start: int, end: int, names: tuple[str, ...]) -> bool:
        """Does the span hold one of `names` as a whole name (in NFKC form too)? A name in code
        that compiles has no word character beside it; strings are not read."""
        if not names:
            return False
        pattern = _whole_names(names)
        if pattern.search(self.source, start, end):
            return True
        if self.ascii:
            return False
        part = self.source[start:end]
        return not part.isascii() and bool(pattern.search(unicodedata.normalize("NFKC", part)))


@lru_cache(maxsize=64)
def _whole_names(names: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")


def _quiet_blocks(text: _Text, words, needed: float) -> dict[int, int] | None:
    """The rough blocks (`_rough_blocks`) that spell none of `words`, as start -> end, or None
    as soon as they cannot hold `needed` characters."""
    quiet: dict[int, int] = {}
    blocks = _rough_blocks(text.source)
    quiet_size = sum(end - start for start, end in blocks)  # at most: less each time one spells a word
    for start, end in blocks:
        if text.spells(start, end, words):
            quiet_size -= end - start
            if quiet_size < needed:
                return None
        else:
            quiet[start] = end
    return quiet if quiet_size >= needed else None


def _rough_blocks(source: str) -> list[tuple[int, int]]:
    """(start, end) offsets from each line that starts with `def `, `class `, `async ` or `@`
    to the next: a first estimate only (no strings or brackets are read), but each block
    `definition_blocks` finds starting there ends no later."""
    heads = [0] if source.startswith(_HEADS) else []
    find = source.find
    for head in _HEADS:
        position = find("\n" + head)
        while position >= 0:
            heads.append(position + 1)
            position = find("\n" + head, position + 1)
    heads.sort()
    heads.append(len(source))
    return [(heads[index], heads[index + 1]) for index in range(len(heads) - 1)]


def module_level_source(source: str, words: Sequence[str]) -> str | None:
    """`source` with each top-level definition that spells none of `words` (as `_Text` reads
    them) stood as its stub, at a fraction of a parse's cost: every other statement, the module-
    level ones, the same (the project index reads a module's bindings from them:
    index/summary.summarise_module_level). None when the reading does not apply (partial
    parsing off, a form feed or lone carriage return) or stubs nothing: read the whole source.
    On a file that does not compile the stubs may stand in the wrong places: the caller trusts
    only an answer that the whole file would give too."""
    if not ENABLED or "\f" in source or "\v" in source or (
            "\r" in source and source.count("\r") != source.count("\r\n")):
        return None
    text = _Text(source)
    text_lines = source.split("\n")
    skipped = [block for block in definition_blocks(text_lines, *_starts(source))
               if not text.spells(block[3], block[4], words)]
    return _stubbed(source, text_lines, skipped) if skipped else None


def _stubbed(source: str, text_lines: list[str], skipped) -> str:
    """`source` with each skipped block's lines blanked but its header's, which holds the stub:
    every other line and column stays where it was. Sliced from the source, line by line only
    where a line may end in a carriage return (kept, so that the lines stay the file's)."""
    if "\r" in source:
        partial = list(text_lines)
        for first, header, end, _, _ in skipped:
            for row in range(first, end):
                partial[row] = "\r" if text_lines[row].endswith("\r") else ""
            partial[header] = _stub(text_lines[header])
        return "\n".join(partial)
    pieces, kept_from, rows = [], 0, len(text_lines)
    for first, header, end, start, stop in skipped:
        # The block's rows, joined by line breaks and followed by one unless it ends the file.
        pieces += (source[kept_from:start], "\n" * (header - first), _stub(text_lines[header]),
                   "\n" * (end - header - (end == rows)))
        kept_from = stop
    pieces.append(source[kept_from:])
    return "".join(pieces)


def _stub(header: str) -> str:
    """`def name(): pass` or `class name: pass` for the definition's line (its carriage return kept)."""
    match = _DEFINITION.match(header)
    stub = match.group() + (": pass" if match.group().startswith("class") else "(): pass")
    return stub + "\r" if header.endswith("\r") else stub


def _facts_skipping(source, text_lines, skipped, path, module, is_package, lines, interest, trees):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(_stubbed(source, text_lines, skipped), filename=path)
        return collect_facts(tree, path, module, is_package, source, lines, interest, trees=trees)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # cannot happen on a file that compiles; the whole parse decides


def _compiles_shallow(source: str, path: str) -> bool:
    """Does the whole file compile, with a tree shallow enough for the facts walk? `_symtable`
    may nest three levels per frame the recursion limit leaves it (COMPILER_STACK_FRAME_SCALE):
    run with only the frames that the walk's depth needs left, it fails on any deeper tree."""
    depth = _stack_depth()
    limit = sys.getrecursionlimit()
    levels = (limit - depth - _MARGIN) // _FRAMES_PER_LEVEL  # the deepest tree the walk surely takes
    if levels < 50:
        return False
    room = levels // 3 + 5
    if threading.active_count() == 1:
        # The limit is the interpreter's: lowered only while no other thread can run into it.
        sys.setrecursionlimit(depth + room)
        try:
            return _compiles(source, path)
        finally:
            sys.setrecursionlimit(limit)
    return _descend(limit - depth - room, source, path)  # descending leaves other threads alone


def _descend(frames: int, source: str, path: str) -> bool:
    if frames > 0:
        return _descend(frames - 1, source, path)
    return _compiles(source, path)


def _compiles(source: str, path: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _symtable(source, path, "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth
