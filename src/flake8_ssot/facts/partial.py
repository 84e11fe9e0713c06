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
  that spells a policy word (`Prefilter.region_words`: the configured paths' last components,
  wildcard fragments, `__all__` in export modules), or at a use of a module-level name bound
  to a path that spells one (`from pkg import UserExecutionContext as UEC`, `X = UEC`, an
  `except ImportError:` fallback). Those names join the words (the closure: module-level
  names are bound only by the always-kept statements, a definition binding nothing but its
  own name, so one round finds them all). A definition that spells none of them records no
  fact a rule reports from.
- What rules read beyond a finding's own statement is the module's bindings and imports. A
  stub binds its name at the same place, with the same kind; a definition holding `import`,
  `global`, `nonlocal`, `:=` (which bind elsewhere than in its own scope) or `__all__` is kept.
  Every statement that is not a top-level definition is kept, so every import is too.
- A rule that needs the whole syntax tree (`ModuleFacts.parsed`: renames, fix builders) gets
  `WholeTreeNeeded` instead of a partial tree; the engine then checks the file from a parse of
  the whole file, so a fix is never built on a partial tree.
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
  syntax error. `_symtable` runs with the recursion limit lowered so that it fails on any tree
  deep enough for the walk to fail; the whole file is then parsed.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import threading
import warnings
from dataclasses import dataclass, fields
from typing import Sequence

from flake8_ssot.facts import EVERYTHING, Interest, ModuleFacts, collect_facts
from flake8_ssot.span import split_lines

try:  # the C half of `symtable`: the same check without building the Python table objects
    from _symtable import symtable as _symtable
except ImportError:  # pragma: no cover - every CPython has it
    _symtable = None

# On with SSOT_PARTIAL_PARSE=1 until proven (benchmarks/compare_fast_path.py compares both ways).
ENABLED = os.environ.get("SSOT_PARTIAL_PARSE", "0") == "1" and sys.version_info < (3, 12) and _symtable is not None
# Smaller files are parsed whole: below this the scan and the check cost more than they save.
MIN_SIZE = 8_000
# A definition holding one of these is kept: it binds outside its own scope, or exports.
_BLOCKERS = ("import", "global", "nonlocal", ":=", "__all__")
# Frames the facts walk may use per level of the tree (statement nesting costs three).
_FRAMES_PER_LEVEL = 3
_MARGIN = 80  # frames kept free for what runs below the walk

# One token of the boundary scan: a string (any prefix: it ends the same way), a comment, a
# backslash continuation, or a line break before a line whose first character is code.
_SCAN = re.compile(
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
    r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
    r"|'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
    r"|#[^\n]*"
    r"|\\\r?\n"
    r"|\n(?=[^ \t\r\n#])",
    re.DOTALL,
)
_OPENING = str.maketrans("", "", "([{")
_DEFINITION = re.compile(r"(?:async[ \t]+)?def[ \t]+\w+(?=[ \t]*\()|class[ \t]+\w+(?=[ \t]*[(:])")
_STAR_IMPORT = re.compile(r"\bimport[\s\\(]*\*")


class WholeTreeNeeded(BaseException):
    """A rule asked partial facts for the whole syntax tree: check from a whole parse.
    A BaseException, so that no rule's `except Exception` can take it for a failure of its own."""


@dataclass(frozen=True)
class PartialFacts(ModuleFacts):
    """Facts from a partial parse: complete for the rules, but with no whole tree to give."""

    def parsed(self) -> ast.Module:
        raise WholeTreeNeeded


def partial_facts(source: str, path: str, module: str, is_package: bool, lines: Sequence[str] | None,
                  interest: Interest = EVERYTHING, trees: list | None = None,
                  words: Sequence[str] | None = None) -> PartialFacts | None:
    """The facts of `source` from a partial parse, or None when the whole file must be parsed:
    too small to pay, no words to decide by (`words` None), a shape the argument in the module
    docstring does not cover, or a file Python may not parse (the caller learns which)."""
    if not ENABLED or words is None or len(source) < MIN_SIZE:
        return None
    if "\f" in source or "\v" in source or ("\r" in source and source.count("\r") != source.count("\r\n")):
        return None
    if "*" in source and _STAR_IMPORT.search(source):
        return None
    if not _compiles_shallow(source, path):
        return None
    starts = statement_starts(source)
    text_lines = source.split("\n")
    blocks = definition_blocks(text_lines, starts)
    if not blocks:
        return None
    words = tuple(words)
    skipped = _skippable(text_lines, blocks, words)
    if not skipped:
        return None
    full_lines = lines if lines is not None else split_lines(source)
    facts = _facts_skipping(source, text_lines, skipped, path, module, is_package, full_lines, interest, trees)
    if facts is None:
        return None
    closure = _bound_to_words(facts, words)
    if closure:
        kept = [block for block in skipped if _mentions(text_lines, block, closure)]
        if kept:
            skipped = [block for block in skipped if block not in kept]
            if not skipped:
                return None
            facts = _facts_skipping(source, text_lines, skipped, path, module, is_package, full_lines,
                                    interest, trees)
            if facts is None:
                return None
    return PartialFacts(**{f.name: getattr(facts, f.name) for f in fields(ModuleFacts) if f.name != "tree"})


def statement_starts(source: str) -> list[int]:
    """The 0-based lines where a top-level logical line starts (a statement, a clause such as
    `else:`, a decorator), for a source that compiles (see the module docstring)."""
    starts = [0] if source[:1] not in ("", " ", "\t", "\r", "\n", "#") else []
    depth = 0
    position = 0
    line = 0
    for match in _SCAN.finditer(source):
        start = match.start()
        if start > position:
            gap = source[position:start]
            if depth or "(" in gap or "[" in gap or "{" in gap or ")" in gap or "]" in gap or "}" in gap:
                depth += (len(gap) - len(gap.translate(_OPENING))) - gap.count(")") - gap.count("]") - gap.count("}")
            line += gap.count("\n")
        token = match.group()
        first = token[0]
        if first == "\n":
            line += 1
            if depth == 0:
                starts.append(line)
        else:
            line += token.count("\n")
        position = match.end()
    return starts


def definition_blocks(lines: Sequence[str], starts: Sequence[int]) -> list[tuple[int, int, int]]:
    """The top-level definitions as (first line, `def`/`class` line, end line), 0-based and
    end exclusive: decorators with what they decorate, up to the next top-level statement."""
    blocks = []
    count = len(starts)
    index = 0
    while index < count:
        first = starts[index]
        head = index
        while head < count and lines[starts[head]][:1] == "@":
            head += 1
        if head < count and _DEFINITION.match(lines[starts[head]]):
            end = starts[head + 1] if head + 1 < count else len(lines)
            blocks.append((first, starts[head], end))
            index = head + 1
        else:
            index = max(head, index + 1)
    return blocks


def _skippable(lines: Sequence[str], blocks, words: Sequence[str]) -> list[tuple[int, int, int]]:
    return [block for block in blocks if not _mentions(lines, block, (*_BLOCKERS, *words))]


def _mentions(lines: Sequence[str], block, words) -> bool:
    text = "\n".join(lines[block[0]:block[2]])
    return any(word in text for word in words)


def _bound_to_words(facts: ModuleFacts, words: Sequence[str]) -> set[str]:
    """Module-level names bound to a path that spells a word (`UEC` of
    `from pkg import UserExecutionContext as UEC`): a use of one can be a finding."""
    return {binding.name for binding in facts.bindings
            if binding.scope == "module" and binding.path and any(word in binding.path for word in words)}


def _facts_skipping(source, text_lines, skipped, path, module, is_package, lines, interest, trees):
    partial = list(text_lines)
    for first, header, end in skipped:
        line = text_lines[header]
        match = _DEFINITION.match(line)
        stub = match.group() + (": pass" if match.group().startswith("class") else "(): pass")
        carriage = "\r" if line.endswith("\r") else ""
        for row in range(first, end):
            partial[row] = carriage if text_lines[row].endswith("\r") else ""
        partial[header] = stub + carriage
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse("\n".join(partial), filename=path)
        return collect_facts(tree, path, module, is_package, source, lines, interest, trees=trees)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None  # cannot happen on a file that compiles; the whole parse decides


def _compiles_shallow(source: str, path: str) -> bool:
    """Does the whole file compile, with a tree shallow enough for the facts walk? `_symtable`
    counts three of its levels per frame of the recursion limit (COMPILER_STACK_FRAME_SCALE),
    from the current depth: run with the limit lowered to what the walk may use, it fails on
    any deeper tree. Only in the main thread when it is the only one: the limit is global."""
    if threading.active_count() != 1 or threading.current_thread() is not threading.main_thread():
        return False
    depth = _stack_depth()
    limit = sys.getrecursionlimit()
    levels = (limit - depth - _MARGIN) // _FRAMES_PER_LEVEL
    if levels < 50:
        return False
    lowered = depth + max(levels // 3, 1) + 5
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sys.setrecursionlimit(lowered)
            try:
                _symtable(source, path, "exec")
            finally:
                sys.setrecursionlimit(limit)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth
