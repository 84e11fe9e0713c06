"""Re-check only the top-level statements an edit touched: the language server's fast path.

A module is a run of top-level statements. An edit that binds no module-level name
differently (inside a function or class body, a plain call) cannot change a diagnostic
elsewhere. So only a reduced copy of the buffer is checked: the edited statements, verbatim
copies of the statements that bind names (imports, assignments, `if TYPE_CHECKING:`), a
one-line stub for every other `def`/`class`, and blank lines for the rest, so every line
keeps its number. The other diagnostics are kept and shifted.

An edit that does bind differently (an import added or removed, an assignment changed, a
definition renamed) changes what some names resolve to: the names bound differently are
followed through the assignments that use them, and the statements mentioning one are
checked again along with the edited ones, in the same reduced buffer; in a class, only the
methods that mention one (`Member`). Statements that mention none of them resolve every
name they use as before, and so do those mentioning only names bound to paths no
configured key can be reached from (`_not_inert`), or using them only through attributes no
key follows (`UserExecutionContext.from_request`: `_mentioning`). An edit that changes what
the file imports, defines or exports (`__all__`) under a name the configuration spells also
re-checks the statements with findings that have a fix or a replacement (fix safety asks
about those, and whether one has a fix at all), and so does one that changes the text a fix
elsewhere edits (`_moved`).

Fixes that read the whole file (SSOT002's counts the uses of the class's name and joins the
file's imports): one kept from the last check holds while the edited lines spell nothing it
read (`_kept_fix_holds`), else its statement is checked again; one built from the reduced
buffer is judged by its rule (`fix_is_current`), else the full check answers. Fixes planned
on every use of some names (SSOT001's: what the file reads through a module alias, a rename;
every name for a star import: `_USES_READ`): one built from the reduced buffer is checked again
with the statements holding the uses the buffer lacked (`_unseen_uses`), one kept from the last
check is checked again when the edited lines spell one of the names (`_stale_fixes`).

A buffer that does not parse after a half-typed line is checked the same way (`_broken`):
a line that stays inside a function or class body sends that statement alone through the
error-tolerant parser; any other (at column 0, a bracket left open, an import) is read as
the whole buffer's error-tolerant reading reads it, when that reading re-reads every other
statement as it parsed (`recovery.read_rows`), and what the broken lines bind is compared
with what they bound. That reading parses only a window of the buffer with tree-sitter, from
the statement before the edited ones to one `WINDOW_ROWS` rows after them (`_window`), when
it shows the damage local and the statements outside it read clean alone (known by their
text from the last such edit); else the whole buffer, most of the cost of such an edit.

The full check is taken for `global`/`nonlocal`, `# flake8: noqa`, `__all__` in a buffer
that does not parse, a buffer broken so that the error-tolerant reading reads other
statements differently, or a configuration whose pattern rules look around. The result
always equals `engine.check_source(..., noqa=True)` (after a half-typed line inside a body,
except in `Diagnostic.statement`: see `_broken_inside`).
"""

from __future__ import annotations

import ast
import bisect
import fnmatch
import keyword
import os
import re
import warnings
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Iterator, NamedTuple, Sequence

from flake8_ssot.config import Config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.dotted import module_name
from flake8_ssot.config.patterns import looks_around
from flake8_ssot.engine import _unique, check_facts, check_source, may_match
from flake8_ssot.engine.noqa import NOQA_FILE
from flake8_ssot.facts import collect_facts
from flake8_ssot.facts.bindings import statement_bindings
from flake8_ssot.facts.recovery import Tree, read_rows, recover_facts, whole_tree
from flake8_ssot.index import ProjectIndex
from flake8_ssot.rules import RULES
from flake8_ssot.rules.construction import removed_imports, shares_fix
from flake8_ssot.span import Span, split_lines

# Text that makes a definition matter beyond its own lines (it is copied whole, never stubbed).
_REACHES_OUT = re.compile(r"\b(?:global|nonlocal)\b|__all__")
# Text that binds names where the facts of its own lines cannot tell (an edit of it takes the
# full check). An edit of `__all__` is checked with every statement holding a fix.
_BINDS_ELSEWHERE = re.compile(r"\b(?:global|nonlocal)\b")
# Rules some of whose fixes read the whole file say whether one still holds for it
# (`fix_is_current(diagnostic, text)`): SSOT002's removes the class's import after counting
# the uses of its name, which a reduced buffer may lack. A result holding a fix that does not
# hold is taken from the full check.
_WHOLE_FILE_FIXES = {rule.CODE: rule.fix_is_current for rule in RULES if hasattr(rule, "fix_is_current")}
# Rules whose fix is planned on every use of some names (`uses_read(diagnostic, bound)`: SSOT001's
# reads what the file does with the names its statement binds, and every name for a star
# import): a fix built from a reduced buffer holds only when the buffer held every use of them,
# and one kept from the last check only while the edited lines spell none of them.
_USES_READ = {rule.CODE: rule.uses_read for rule in RULES if hasattr(rule, "uses_read")}
_IMPORT = re.compile(r"\bimport\b")
# A half-typed line's error-tolerant parse covers the statement before it to the first statement
# this many rows after it: a bracket left open takes in the next few statements (re-read line
# group by line group), and `recovery.read_rows` wants clean statements after those.
WINDOW_ROWS = 150
# Rules whose whole-file fix, kept from the last full check, holds while the changed lines spell
# no import, no `__all__` and no name its call uses (SSOT002: the class's uses and the imports).
# Others judge a kept fix as a fresh one (SSOT001's renames are planned on a parse of the file).
_KEPT_BY_WORDS = frozenset({"SSOT002"})
# Rules whose fix, for a finding on an indented line, parses the whole file.
_FIX_PARSES_THE_FILE = frozenset(rule.CODE for rule in RULES if rule.FIX_PARSES_THE_FILE)


class Member(NamedTuple):
    """A statement of a class body, its lines counted from the class chunk's first line: a name
    rebound elsewhere re-checks only the methods that mention it (see `_reduced`)."""

    start: int  # its first decorator, or the statement itself
    header: int  # the `def`/`class` keyword's line ("def", "class"), else `start`
    kind: str  # "def" / "class" (stubbed when not checked), "binding" (copied), "plain" (blanked)
    name: str = ""
    is_async: bool = False
    imports: tuple[str, ...] = ()


class Chunk(NamedTuple):
    """One top-level statement with the comment and blank lines that follow it, up to the next."""

    start: int  # 0-based first line: its first decorator, or the statement itself
    kind: str  # "def" / "class" (stubbed when not edited), "binding" (copied), "plain" (blanked), "gap"
    name: str = ""  # the defined name, for "def" and "class"
    header: int = 0  # 0-based line of the `def`/`class` keyword
    is_async: bool = False
    # The import statements inside a definition: fixes ask which names and modules the file
    # imports anywhere, so a definition's stub keeps them (inside itself, where they bind nothing
    # the rest of the module sees).
    imports: tuple[str, ...] = ()
    # The module-level names the statements bind, in the order the facts walker binds them:
    # (name, what binds it, the words its value depends on). See `_events`.
    events: tuple[tuple[str, tuple, frozenset[str]], ...] = ()
    # What the statements add to the file-wide facts fixes consult: the modules imported
    # anywhere in them (with their parent packages), the names imported, bound or defined.
    summary: frozenset[str] = frozenset()
    # A class's body statements, when its header lines hold no statement of it (see `Member`).
    members: tuple[Member, ...] = ()


@dataclass
class _State:
    path: str
    config: Config
    lines: list[str]
    chunks: list[Chunk] | None  # None: the buffer did not parse (the next is compared with `parsed`)
    diagnostics: list[Diagnostic]
    names: frozenset[str] = frozenset()  # config_names(config)


class IncrementalChecker:
    """Checks successive versions of one buffer; remembers the last one, and the last one that
    parsed: while a line is half typed the buffer does not parse, and the version after it is
    compared with the last version that did.
    """

    def __init__(self) -> None:
        self.state: _State | None = None
        self.parsed: _State | None = None  # the last state with chunks (its buffer parsed)
        self.last_was_incremental = False  # for logs and tests
        # How the last check read a buffer that does not parse apart: "window" (a window of it),
        # "whole" (the whole buffer error-tolerantly), "" (neither); for benchmarks and tests.
        self.last_reading = ""
        self.fixes_checked = False  # the incremental result's whole-file fixes were judged already
        # The project index the decisions about other modules consult (server/workspace.py);
        # None: from this buffer alone.
        self.index: ProjectIndex | None = None
        # Whether tree-sitter reads a top-level statement's text without an ERROR, by its text:
        # a half-typed line's error-tolerant parse covers a window of the buffer (`_window`),
        # and stands for the whole buffer's only when the statements outside it read clean.
        self.reads_clean: dict[str, bool] = {}
        self.unread = False  # a full check of a long buffer that parsed: `read_statements` has work

    def check(self, source: str, path: str, config: Config, lines: Sequence[str] | None = None) -> list[Diagnostic]:
        if lines is None:
            lines = split_lines(source)
        lines = list(lines)
        self.last_was_incremental = False
        self.last_reading = ""
        module, _ = module_name(os.path.abspath(path), config.src)
        if not may_match(source, module, config):
            self.state = _State(path, config, lines, None, [])
            return []
        state = self.state if self.state is not None and self.state.chunks is not None else self.parsed
        if (state is not None and state.chunks is not None and state.path == path and state.config is config
                and not _looks_around(config)):
            self.fixes_checked = False
            diagnostics = self._incremental(state, source, lines)
            if diagnostics is not None and self.fixes_checked:
                self.last_was_incremental = True
                if self.state.chunks is not None:
                    self.parsed = self.state
                return diagnostics
        return self._full(source, path, config, lines)

    def _full(self, source: str, path: str, config: Config, lines: list[str]) -> list[Diagnostic]:
        tree = _parse(source)
        diagnostics = check_source(source, path, config, tree=tree, noqa=True, index=self.index).diagnostics
        chunks = chunks_of(tree.body, lines, 0) if tree is not None else None
        self.state = _State(path, config, lines, chunks, diagnostics, config_names(config))
        if chunks is not None:
            self.parsed = self.state
            self.unread = len(lines) > 2 * WINDOW_ROWS
        return diagnostics

    def read_statements(self) -> None:
        """After a full check of a long buffer that parsed: read each of its top-level statements
        alone with tree-sitter, once (`reads_clean`), so that the first half-typed line after it
        is read in a window, not the whole buffer (`_window`). About the cost of one whole
        parse (50 ms for 5,000 lines); the server calls it after publishing the check."""
        state = self.parsed
        if not self.unread or state is None or state.chunks is None:
            return
        self.unread = False
        chunks, lines = state.chunks, state.lines
        for index, chunk in enumerate(chunks):
            stop = chunks[index + 1].start if index + 1 < len(chunks) else len(lines)
            text = "\n".join(lines[chunk.start:stop])
            if text not in self.reads_clean:
                self.reads_clean[text] = _reads_clean(text)

    def _incremental(self, state: _State, source: str, lines: list[str]) -> list[Diagnostic] | None:
        old = state.lines
        if old == lines:
            self.state = state  # back to the last version that parsed (a half-typed line deleted)
            self.fixes_checked = True  # the findings of exactly this text
            return state.diagnostics
        prefix = 0
        limit = min(len(old), len(lines))
        while prefix < limit and old[prefix] == lines[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old[-1 - suffix] == lines[-1 - suffix]:
            suffix += 1
        changed_end = len(old) - suffix  # old lines [prefix, changed_end) were replaced
        chunks = state.chunks
        # The edited chunks, and the one before: an indented line typed after a function's
        # last line belongs to that function. An insertion also takes the chunk it precedes.
        first = _chunk_at(chunks, max(prefix - 1, 0))
        last_line = changed_end - 1 if changed_end > prefix else prefix
        last = _chunk_at(chunks, max(min(last_line, len(old) - 1), 0))
        old_start = chunks[first].start
        old_end = chunks[last + 1].start if last + 1 < len(chunks) else len(old)
        delta = len(lines) - len(old)
        new_end = old_end + delta
        region = lines[old_start:new_end]
        before_text, after_text = "\n".join(old[old_start:old_end]), "\n".join(region)
        if _BINDS_ELSEWHERE.search(before_text) or _BINDS_ELSEWHERE.search(after_text):
            return None
        exports = "__all__" in before_text or "__all__" in after_text
        if any(NOQA_FILE.match(text) for text in (*old[old_start:old_end], *region)):
            return None  # `# flake8: noqa` came or went: every diagnostic of the file may change
        tree = _parse(after_text)
        if tree is None:
            if exports:
                return None
            return self._broken(state, lines, first, last, old[prefix:changed_end],
                                lines[prefix:len(lines) - suffix], delta)
        edited = chunks_of(tree.body, region, old_start) if region else []
        after = chunks[last + 1:]
        if delta:
            after = [c._replace(start=c.start + delta, header=c.header + delta) for c in after]
        new_chunks = [*chunks[:first], *edited, *after] or [Chunk(0, "gap")]
        replaced = chunks[first:last + 1]
        # Names the edit binds differently: the statements elsewhere that mention one are
        # checked again too (an import added or removed, an assignment changed, a definition
        # renamed). Most edits bind nothing new and this is empty.
        affected = _affected(replaced, edited, [*chunks[:first], *chunks[last + 1:]])
        if affected:
            affected = _not_inert(affected, [*chunks, *edited], state.config)
        if affected:
            text = source if "\r" not in source else "\n".join(lines)
            again = set(_mentioning(text, new_chunks, affected, old_start, new_end, state.config))
        else:
            again = set()
        # The edited lines, before and after, and their text: what a kept fix must not read.
        changed = [*old[prefix:changed_end], *lines[prefix:len(lines) - suffix]]
        words = "\n".join(changed)
        exported = exports and _exports_reach_fixes(old[prefix:changed_end], lines[prefix:len(lines) - suffix],
                                                    [*chunks, *edited], state.names)
        if exported or _changes_file_wide_facts(replaced, edited, state.names):
            # What the file imports, defines or exports under a configured name changed: every
            # finding elsewhere that has a fix or somewhere to go is computed again (a fix's
            # safety can depend on it; SSOT001's keeps an alias listed in `__all__`; SSOT002 gives
            # none while the factory's name is bound to something else), but one with an SSOT002
            # fix whose words the edit does not spell (`_kept_through_file_wide_change`): one made
            # from a reduced buffer would miss the uses of the class's name it blanks, and its
            # import removal would not hold; and one whose fix reads none of the modules and names
            # the edit changed (`_reads_changed`).
            changed_facts = None if exported else _summary_change(replaced, edited)
            recomputed = [d for d in state.diagnostics if _may_have_fix(d)
                          and not _kept_through_file_wide_change(d, lines, words, old_start, new_end)
                          and (changed_facts is None or _reads_changed(d, changed_facts, state.config))]
            again.update(_finding_ranges(recomputed, new_chunks, old_start, old_end, delta, len(lines)))
        moved, touching = _moved(state.diagnostics, old_start, old_end, delta,
                                 changed=(prefix, len(lines) - suffix))
        # A fix elsewhere that edits the edited lines (SSOT002's joins the class's import) is
        # built from them: its statement is checked again.
        again.update(_finding_ranges(touching, new_chunks, old_start, old_end, delta, len(lines)))
        kept = [d for d in moved if not any(start <= d.line - 1 < end for start, end in again)]
        # A fix kept from the last check that may not hold after the edit (a new import between
        # the one SSOT002's fix adds a line after and its call): its statement is checked again.
        stale = _stale_fixes(kept, source, lines, changed, old_start, new_end, new_chunks, self.index)
        if stale:
            again.update(_finding_ranges(stale, new_chunks, 0, 0, 0, len(lines)))
            kept = [d for d in kept if not any(start <= d.line - 1 < end for start, end in again)]
        for attempt in range(2):
            ranges = [(old_start, new_end), *sorted(again)]
            reduced = _reduced(lines, new_chunks, ranges, state.names)
            # (The imports copied keep their findings from the last check: their fixes are not built.)
            result = check_source("\n".join(reduced), state.path, state.config, lines=reduced, noqa=True,
                                  index=self.index, trees=_pattern_trees(reduced, ranges, new_chunks, state.config),
                                  fix_lines=ranges)
            if result.syntax_error is not None:
                return None
            fresh = [d for d in result.diagnostics if any(start <= d.line - 1 < end for start, end in ranges)]
            # A fix planned on every use of some names (SSOT001's, `_USES_READ`) saw those the
            # reduced buffer holds: the statements holding the others are checked with it.
            unseen = _unseen_uses(fresh, new_chunks, lines, reduced, self.index)
            if unseen is None or (unseen and attempt):
                return None
            if not unseen:
                break
            again.update(unseen)
            kept = [d for d in kept if not any(start <= d.line - 1 < end for start, end in again)]
        if not _fixes_hold(fresh, source):
            # An SSOT002 fix made from the reduced buffer, which blanks some uses of the class's
            # name: the one of the last check stands in for it when the edit spells none of its
            # words (the same call, moved; `_kept_through_file_wide_change`), else the full check.
            prior = {(d.code, d.span, d.subject): d for d in moved}
            fresh = [_prior_fix(d, prior, source, lines, words, old_start, new_end) for d in fresh]
            if None in fresh or not _fixes_hold(fresh, source):
                return None
        diagnostics = _unique(sorted([*kept, *fresh], key=Diagnostic.sort_key))
        self.state = _State(state.path, state.config, lines, new_chunks, diagnostics, state.names)
        self.fixes_checked = True
        return diagnostics

    def _broken(self, state: _State, lines: list[str], first: int, last: int, removed: Sequence[str],
                typed: Sequence[str], delta: int) -> list[Diagnostic] | None:
        """The edited statements (chunks `first`..`last`) left the buffer unparsable: a
        half-typed line. The findings outside them are those of the last version that parsed,
        unless the edit binds names differently; only the edited statements (and those that
        use a rebound name) are read again, as the full error-tolerant check reads them."""
        chunks = state.chunks
        replaced = chunks[first:last + 1]
        old_start = chunks[first].start
        old_end = chunks[last + 1].start if last + 1 < len(chunks) else len(state.lines)
        new_end = old_end + delta
        if any(diagnostic.code in _FIX_PARSES_THE_FILE and diagnostic.fix is not None
               and not old_start <= diagnostic.line - 1 < old_end
               and state.lines[diagnostic.line - 1][:1].isspace() for diagnostic in state.diagnostics):
            return None  # such a fix is built by parsing the file: none while it does not parse
        after = chunks[last + 1:]
        if delta:
            after = [c._replace(start=c.start + delta, header=c.header + delta) for c in after]
        others = [*chunks[:first], *after]
        diagnostics = None
        changed = [*removed, *typed]
        if _stays_inside(replaced, removed, typed):
            diagnostics = self._broken_inside(state, lines, old_start, old_end, new_end, delta, others)
        if diagnostics is None:
            diagnostics = self._broken_apart(state, lines, first, last, old_start, old_end, new_end, delta, others)
            if any(chunk.kind == "binding" for chunk in replaced):
                # The reading re-reads a broken statement whole, and may read it otherwise than
                # its bindings show (an import in a `try:` no probe any more): a kept fix that
                # reads a name the statement spells is not judged by the edited lines alone.
                changed = [*state.lines[old_start:old_end], *lines[old_start:new_end]]
        if diagnostics is not None and not self._broken_fixes_hold(
                state, lines, diagnostics, old_start, old_end, new_end, delta, changed):
            return None
        if diagnostics is not None:
            self.state = _State(state.path, state.config, lines, None, diagnostics, state.names)
        return diagnostics

    def _broken_fixes_hold(self, state: _State, lines: list[str], diagnostics: list[Diagnostic], old_start: int,
                           old_end: int, new_end: int, delta: int, changed: Sequence[str]) -> bool:
        """`_whole_file_fixes_hold` for a buffer that does not parse: the findings kept are those
        of the last version that parsed, moved."""
        kept_set = set(_moved(state.diagnostics, old_start, old_end, delta)[0])
        kept = [d for d in diagnostics if d in kept_set]
        if any(d.code in _KEPT_BY_WORDS and shares_fix(d.fix) for d in kept):
            # The calls a fix is shared by are grouped otherwise in a buffer that does not parse
            # (a call through a module a function imports gets a fix of its own there): one kept
            # from the version that parsed is not the full check's.
            return False
        fresh = [d for d in diagnostics if d not in kept_set]
        layout = [*(chunk for chunk in state.chunks if chunk.start < old_start), Chunk(old_start, "gap"),
                  *(chunk._replace(start=chunk.start + delta, header=chunk.header + delta)
                    for chunk in state.chunks if chunk.start >= old_end)]
        if not _whole_file_fixes_hold(kept, fresh, "\n".join(lines), lines, changed, old_start, new_end, layout,
                                      self.index):
            return False
        self.fixes_checked = True
        return True

    def _broken_inside(self, state: _State, lines: list[str], old_start: int, old_end: int, new_end: int,
                       delta: int, others: list[Chunk]) -> list[Diagnostic] | None:
        """A half-typed line that stays inside a function or class body (`_stays_inside`): the
        error-tolerant parse re-reads a broken top-level statement on its own, so only the
        reduced buffer (the broken statements, the bindings, stubs) goes through it.

        What the full path would say outside the edited statements equals the kept findings
        (tests/test_broken_files.py: one broken line changes no finding outside its
        statement) except in `Diagnostic.statement`, the text baselines and reports key on,
        which the server does not use: the error-tolerant parse can split a decorator from
        its function after a broken statement, so the full path then gives the decorator's
        text where the kept finding has the function's."""
        kept, touching = _moved(state.diagnostics, old_start, old_end, delta)
        if touching:
            return None
        reduced = _reduced(lines, others, [(old_start, new_end)], state.names)
        text = "\n".join(reduced)
        if _parse(text) is not None:
            return None
        lowered: list[ast.Module] = []
        absolute = os.path.abspath(state.path)
        module, is_package = module_name(absolute, state.config.src)
        facts = recover_facts(text, absolute, module, is_package, on_tree=lowered.append,
                              syntax_error="does not parse")
        if not lowered:
            return None
        # The error-tolerant reading can hoist a statement of the broken body to the module
        # (an assignment between `try:` and `except`): what it binds there must be what the
        # edited statements bound, or names elsewhere resolve differently.
        try:
            edited = [
                _chunk(node, _first_line(node), (node.end_lineno or node.lineno) - 1, reduced, 0)
                for node in lowered[-1].body if old_start <= _first_line(node) < new_end
            ]
        except (AttributeError, TypeError, ValueError):
            return None  # a lowered statement `ast` cannot unparse
        replaced = [chunk for chunk in state.chunks if old_start <= chunk.start < old_end]
        if _affected(replaced, edited, ()) or _changes_file_wide_facts(replaced, edited, state.names):
            return None
        fresh = [d for d in check_facts(facts, state.config, index=self.index) if old_start <= d.line - 1 < new_end]
        return _unique(sorted([*kept, *fresh], key=Diagnostic.sort_key))

    def _window(self, lines: list[str], first: int, new_end: int, others: list[Chunk]) -> tuple[int, int] | None:
        """The rows the error-tolerant parse reads for a half-typed line in chunks `first`.. (now
        ending at row `new_end`; `others` are the chunks around them, where they are now): from
        the statement before them to the first that starts `WINDOW_ROWS` rows after them, the
        damage of a half-typed line being local (`recovery.read_rows` says when it is not).
        None: the whole buffer, when the window would be, or when a statement outside it
        does not read clean alone: the whole buffer's reading would read it as broken."""
        top = others[first - 1].start if first > 0 else 0
        after = bisect.bisect_left(others, new_end + WINDOW_ROWS, key=_start)
        bottom = others[after].start if after < len(others) else len(lines)
        if top == 0 and bottom == len(lines):
            return None
        known, found = self.reads_clean, {}
        for index, chunk in enumerate(others):
            if top <= chunk.start < bottom:
                continue
            stop = others[index + 1].start if index + 1 < len(others) else len(lines)
            text = "\n".join(lines[chunk.start:stop])
            clean = known.get(text)
            if clean is None:
                clean = _reads_clean(text)
            found[text] = clean
            if not clean:
                return None
        if len(known) > 2 * len(found) + 64:
            known.clear()  # texts no statement has any more
        known.update(found)
        return top, bottom

    def _broken_apart(self, state: _State, lines: list[str], first: int, last: int, old_start: int,
                      old_end: int, new_end: int, delta: int, others: list[Chunk]) -> list[Diagnostic] | None:
        """Any other half-typed line (a bracket left open or closed early, a line at column 0,
        an import): the whole buffer's error-tolerant reading decides. When it reads every
        statement outside the edited ones as the statements that parsed before
        (`recovery.read_rows`), the edited ones are lowered as it lowers them; what they bind
        is compared with what they bound, as for an edit that parses, and the statements using
        a name bound differently (and, when what the file imports or defines under a
        configured name changed, those with findings) are checked again with them."""
        text = "\n".join(lines)
        starts = [chunk.start for chunk in others] + [old_start]
        window = self._window(lines, first, new_end, others)
        reading = read_rows(text, old_start, new_end, starts, window=window) if window is not None else None
        if reading is None:
            window = None
            reading = read_rows(text, old_start, new_end, starts)
        if reading is None:
            return None
        self.last_reading = "window" if window is not None else "whole"
        try:
            edited = [_chunk(node, _first_line(node), (node.end_lineno or node.lineno) - 1, lines, 0)
                      for node in reading.statements]
        except (AttributeError, TypeError, ValueError):
            return None  # a lowered statement `ast` cannot unparse: let the full check read it
        chunks = state.chunks
        replaced = chunks[first:last + 1]
        layout = [*chunks[:first], Chunk(old_start, "gap"), *others[first:]]
        again: set[tuple[int, int]] = set()
        affected = _affected(replaced, edited, others)
        if affected:
            affected = _not_inert(affected, [*chunks, *edited], state.config)
        if affected:
            again.update(_mentioning(text, layout, affected, old_start, new_end, state.config))
        if _changes_file_wide_facts(replaced, edited, state.names):
            again.update(_finding_ranges([d for d in state.diagnostics if _may_have_fix(d)], layout, old_start,
                                         old_end, delta, len(lines)))
        moved, touching = _moved(state.diagnostics, old_start, old_end, delta)
        again.update(_finding_ranges(touching, layout, old_start, old_end, delta, len(lines)))
        ranges = [(old_start, new_end), *sorted(again)]
        kept = [d for d in moved if not any(start <= d.line - 1 < end for start, end in ranges[1:])]
        reduced = _reduced(lines, others, ranges, state.names)
        beyond: list[Tree] = []
        outside = [(start, end) for start, end in ranges[1:]
                   if window is not None and (start < window[0] or end > window[1])]
        if outside and state.config.patterns:
            # Pattern rules match on the tree of each range checked again. One outside the
            # window is statements that read clean alone, as they parsed: their own tree, as
            # for a buffer that parses (`_pattern_trees`); when a rule has no anchor to find
            # them by, the whole buffer's (which reads the edited rows as the window does).
            beyond = _pattern_trees(reduced, outside, others, state.config) or []
            if not beyond:
                reading = read_rows(text, old_start, new_end, starts)
                if reading is None:
                    return None
                self.last_reading = "whole"
        found = _read_apart(reading, reduced, ranges, state.path, state.config, self.index, beyond)
        if found is None:
            return None
        fresh = [d for d in found if any(start <= d.line - 1 < end for start, end in ranges)]
        if _unseen_uses(fresh, layout, lines, reduced, self.index) != set():
            return None  # a fix planned on every use of a name, some of which the reading left out
        return _unique(sorted([*kept, *fresh], key=Diagnostic.sort_key))


def _reads_clean(text: str) -> bool:
    """Does tree-sitter read a top-level statement (with the lines after it) without an ERROR?
    (It reads almost all valid Python so; a statement it does not is read as broken by a
    buffer's error-tolerant reading.)"""
    return whole_tree(text).root.find(kind="ERROR") is None


def _first_line(node: ast.stmt) -> int:
    """The 0-based line a statement starts on: its first decorator's, or its own."""
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))]) - 1


def _stays_inside(replaced: Sequence[Chunk], removed: Sequence[str], typed: Sequence[str]) -> bool:
    """Can the half-typed lines change nothing outside the function or class bodies they are
    in? Not when a line changed at column 0, holds a triple quote (the rest of the file could
    turn into a string) or a trailing backslash, when a bracket was left open or closed early
    (it takes the statements after it into the broken one), or when `import` was typed (an
    import in broken code is re-assembled from loose tokens)."""
    if any(chunk.kind not in ("def", "class") for chunk in replaced):
        return False
    for text in (*removed, *typed):
        if text[:1] not in ("", " ", "\t") or '"""' in text or "'''" in text or text.rstrip().endswith("\\"):
            return False
    if _IMPORT.search("\n".join(typed)):
        return False
    (old_balance, _), (new_balance, lowest) = _brackets("\n".join(removed)), _brackets("\n".join(typed))
    return lowest >= 0 and old_balance == new_balance


def _finding_ranges(diagnostics: Sequence[Diagnostic], chunks: Sequence[Chunk], old_start: int, old_end: int,
                    delta: int, count: int) -> set[tuple[int, int]]:
    """The line ranges (statements, or methods of a class) of the diagnostics outside the
    replaced lines [old_start, old_end), where their lines are now (`chunks` is the new layout,
    `count` lines long)."""
    found = []
    for diagnostic in diagnostics:
        line = diagnostic.line - 1
        if not old_start <= line < old_end:
            found.append(line if line < old_start else line + delta)
    return _line_ranges(found, chunks, count)


def _line_ranges(numbers: Sequence[int], chunks: Sequence[Chunk], count: int) -> set[tuple[int, int]]:
    """The line ranges (statements, or methods of a class) holding lines `numbers` (`chunks`
    is the layout, `count` lines long)."""
    found = set()
    for line in numbers:
        index = _chunk_at(chunks, line)
        chunk = chunks[index]
        stop = chunks[index + 1].start if index + 1 < len(chunks) else count
        found.add(_member_range(chunk, stop, line) or (chunk.start, stop))
    return found


def _may_have_fix(diagnostic: Diagnostic) -> bool:
    """Has the finding a fix, or a replacement (`canonical`) a fix could write when what the
    file binds changes? (Without one, as SSOT002 for a factory-only class with no `use`, no
    edit elsewhere gives it a fix.)"""
    return diagnostic.fix is not None or bool(diagnostic.canonical)


def _read_apart(reading, reduced: list[str], ranges: Sequence[tuple[int, int]], path: str, config: Config,
                index: ProjectIndex | None = None, beyond: Sequence[Tree] = ()) -> list[Diagnostic] | None:
    """The diagnostics of a buffer that does not parse, as the full check finds them on the
    edited lines `ranges[0]` (lowered by `reading`, a `recovery.RowsReading`) and on the
    other ranges: the edited lines' statements are put into a module made of the reduced
    buffer's other statements (bindings, stubs and the ranges checked again), which parse.
    `beyond`: the pattern trees of the ranges outside the reading's window."""
    start, end = ranges[0]
    around = list(reduced)
    around[start:end] = [""] * (end - start)
    tree = _parse("\n".join(around))
    if tree is None:
        return None
    before = [node for node in tree.body if node.lineno - 1 < start]
    body = [*before, *reading.statements, *tree.body[len(before):]]
    absolute = os.path.abspath(path)
    module, is_package = module_name(absolute, config.src)
    text = "\n".join(reduced)
    try:
        facts = collect_facts(ast.Module(body=body, type_ignores=[]), absolute, module, is_package, text, reduced,
                              syntax_error="does not parse",
                              trees=[*_within(reading.trees_for(ranges[1:]), ranges, config), *beyond],
                              broken_body=reading.lowering.inside_broken_body)
    except RecursionError:
        return None
    return check_facts(facts, config, index=index)


def _anchors(config: Config) -> list[str] | None:
    """Every pattern rule's anchors (a match spells one of its rule's), None when a rule has
    none: then any line may match it."""
    anchors: list[str] = []
    for rule in config.patterns:
        if not rule.anchors:
            return None
        anchors.extend(rule.anchors)
    return anchors


def _within(trees: list[Tree], ranges: Sequence[tuple[int, int]], config: Config) -> list[Tree]:
    """The pattern trees of a buffer that does not parse (`recovery.RowsReading.trees_for`),
    the whole buffer's narrowed to its top-level nodes that overlap a checked range and spell
    an anchor of a pattern rule: only matches on the checked lines are kept, and a match is a
    node (rules that look around take the full check), so it lies inside one top-level node,
    or is the root itself (then the whole tree is kept)."""
    if not config.patterns or not trees or trees[0].row:
        return trees
    anchors = _anchors(config)
    if anchors is None:
        return trees
    whole, text = trees[0], trees[0].text
    if any(start <= whole.root.range().start.line < end for start, end in ranges):
        return trees
    narrowed = []
    for node in whole.root.children():
        where = node.range()
        if any(start <= where.end.line and where.start.line < end for start, end in ranges) and any(
                anchor in text[where.start.index:where.end.index] for anchor in anchors):
            narrowed.append(Tree(0, text, node, whole.skip))
    return [*narrowed, *trees[1:]]


def _brackets(text: str) -> tuple[tuple[int, int, int], int]:
    """The balance of `()`, `[]` and `{}` in `text`, and the lowest running depth (strings and
    comments included: a false alarm only costs the full check)."""
    depth = lowest = 0
    for character in text:
        if character in "([{":
            depth += 1
        elif character in ")]}":
            depth -= 1
            lowest = min(lowest, depth)
    balance = tuple(text.count(opening) - text.count(closing) for opening, closing in ("()", "[]", "{}"))
    return balance, lowest


def _changes_file_wide_facts(old: Sequence[Chunk], new: Sequence[Chunk], names: frozenset[str]) -> bool:
    """Could the edit change a fix elsewhere in the file? Fixes consult which modules the file
    imports (an attribute fix is safe when the canonical module is loaded) and which names it
    imports or defines (a pattern fix is safe when the names it writes exist). Those only
    matter for the paths and names the configuration spells."""
    return any(part in names for item in _summary_change(old, new) for part in item.split("."))


def _summary_change(old: Sequence[Chunk], new: Sequence[Chunk]) -> frozenset[str]:
    """The modules imported and the names bound that the edit adds or takes away (`Chunk.summary`)."""
    before = frozenset().union(*(chunk.summary for chunk in old))
    after = frozenset().union(*(chunk.summary for chunk in new))
    return before ^ after


# The findings whose fix reads of the file's imports and bindings only the modules it writes
# (an attribute fix is unsafe when nothing imports the canonical module: SSOT004) and the names
# it writes (a pattern fix is unsafe when the file does not define one), or, without a fix,
# whether the name of the replacement it would write is free (SSOT002: "the name ... is bound to
# something else"). SSOT001's fixes plan renames and star imports on every name of the file.
_READS_WHAT_IT_WRITES = frozenset({"SSOT004"})


def _reads_changed(diagnostic: Diagnostic, changed: frozenset[str], config: Config) -> bool:
    """Can the finding's fix, or whether it has one, read a module or name of `changed` (what
    the edit made the file import or bind, or stop)? For the findings that read only what they
    write (`_READS_WHAT_IT_WRITES`, pattern rules, SSOT002 without a fix): when a dotted name of
    its replacement, its fix's edits or its subject starts with a module of `changed` or spells
    a name of it; any other: always."""
    fixless_construction = diagnostic.code == "SSOT002" and diagnostic.fix is None
    if not (fixless_construction or diagnostic.code in _READS_WHAT_IT_WRITES
            or any(rule.code == diagnostic.code for rule in config.patterns)):
        return True
    texts = [diagnostic.canonical, diagnostic.subject]
    if diagnostic.fix is not None:
        texts.extend(edit.replacement for edit in diagnostic.fix.edits)
    for text in texts:
        for dotted in _DOTTED_NAME.findall(text):
            parts = dotted.split(".")
            if any(part in changed for part in parts) or any(
                    ".".join(parts[:count]) in changed for count in range(2, len(parts) + 1)):
                return True
    return False


_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _exports_reach_fixes(removed: Sequence[str], typed: Sequence[str], chunks: Sequence[Chunk],
                         names: frozenset[str]) -> bool:
    """Can an edit of `__all__` change a fix elsewhere? Fixes read what the module exports only
    for names it imports or assigns from other names (SSOT001 keeps an exported alias; SSOT002
    counts an exported class name as a use) and for the names the configuration spells. The
    words the edit adds or takes away (`__all__` itself when it comes or goes: every public
    name's export changes) are compared with those; a name the module defines (`def`, `class`)
    or binds to a plain value is neither."""
    before = set(_WORD.findall("\n".join(removed)))
    after = set(_WORD.findall("\n".join(typed)))
    words = before ^ after
    if "__all__" in words or not words.isdisjoint(names):
        return True
    bound = {name for chunk in chunks for name, what, _ in chunk.events
             if what not in (_NOTHING, _KEEP) and not (chunk.kind in ("def", "class") and name == chunk.name)}
    return not words.isdisjoint(bound)


def _affected(old: Sequence[Chunk], new: Sequence[Chunk], others: Sequence[Chunk]) -> set[str]:
    """The module-level names whose bindings differ after the edit: bound differently by the
    edited statements, or bound elsewhere from a value that mentions such a name."""
    def bindings(chunks: Sequence[Chunk]) -> dict[str, list[tuple]]:
        found: dict[str, list[tuple]] = {}
        for chunk in chunks:
            for name, what, _ in chunk.events:
                found.setdefault(name, []).append(what)
        return found

    before, after = bindings(old), bindings(new)
    affected = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    if not affected:
        return affected
    dependent = [(name, words) for chunk in (*others, *old, *new) for name, _, words in chunk.events if words]
    grown = True
    while grown:
        grown = False
        for name, words in dependent:
            if name not in affected and not words.isdisjoint(affected):
                affected.add(name)
                grown = True
    return affected


def _not_inert(names: set[str], chunks: Sequence[Chunk], config: Config) -> dict[str, list[tuple]]:
    """The names among `names` bound somewhere to what a rule could match through them, each
    with what it is bound to (before the edit and after).

    A rule sees a name only through the dotted path it is bound to, extended by the
    attributes written after it (`name.attr.other`: the facts record the longest chain), and
    matches that path against configured keys: a legacy key (SSOT004, a key longer than the
    name's own path), a factory class (SSOT002, by key, or by the class's name under the
    path's parent package), a canonical symbol (SSOT005 asks what `Name = name.attr`
    aliases), a dynamic importer (`importlib.import_module`, whose argument SSOT001 checks).
    A name bound only to nothing (`x = call()`, a `def`) or to absolute import paths no such
    key can follow from (`asyncio`, `aio` for `import asyncio as aio`, a configured package's
    function that no key names) makes no finding through it before the edit or after,
    wherever it is used, so the statements using it keep their findings (and so do those that
    use the others only through attributes no key follows: `_mentioning`)."""
    reach = _reach(config)
    values: dict[str, list[tuple]] = {name: [] for name in names}
    for chunk in chunks:
        for name, what, _ in chunk.events:
            if name in values:
                values[name].append(what)
    return {name: bound for name, bound in values.items() if not all(_inert(what, reach) for what in bound)}


def _inert(what: tuple, reach: _Reach, attributes: str = "") -> bool:
    """Can no rule match anything through a name bound to `what` (an event's value), used
    with `attributes` written after it (`.from_request`)?"""
    if what in (_NOTHING, _KEEP) or what[0] in ("def", "class"):
        return True
    if what[0] == "import":
        base = what[1]
    elif what[0] == "from" and not what[1] and what[2]:
        base = f"{what[2]}.{what[3]}"
    else:
        return False  # a relative import, an alias of another name, a whole statement
    # A chain through the name also meets a legacy key between the two (SSOT004: a key longer
    # than the name's own path that the chain lies under).
    return reach.inert(base + attributes) and not (attributes and reach.legacy_between(base, base + attributes))


class _Reach:
    """What the configured keys let a rule match from a bound name's path (see `_not_inert`)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        keys = [key for table in (config.legacy, config.factories, config.canonical) for key in table.exact]
        self.keys_by_head: dict[str, list[str]] = {}
        for key in keys:
            self.keys_by_head.setdefault(key.split(".", 1)[0], []).append(key)
        # Wildcard keys match a path of as many components, component by component (lookup
        # compares the number of dots); one with a character class is taken by its head alone.
        self.wild = tuple(
            key.split(".", 1)[:1] if "[" in key else key.split(".")
            for table in (config.legacy, config.factories, config.canonical) for key, _ in table.wild
        )

    def legacy_between(self, base: str, path: str) -> bool:
        """Is a legacy key longer than `base` a prefix of `path` (which lies under `base`)?"""
        legacy = self.config.legacy
        parts = path.split(".")
        for count in range(base.count(".") + 2, len(parts) + 1):
            prefix = ".".join(parts[:count])
            if legacy.get_exact(prefix) is not None or any(
                    key.count(".") == count - 1 and fnmatch.fnmatchcase(prefix, key) for key, _ in legacy.wild):
                return True
        return False

    def inert(self, path: str) -> bool:
        head = path.split(".", 1)[0]
        if head in ("importlib", "builtins", "__import__"):
            return False
        if self.wild:
            parts = path.split(".")
            for pattern in self.wild:
                # A legacy wildcard finds something through the name only by matching a path
                # longer than the name's own: it has more components, the first ones matching.
                if (len(pattern) == 1 or len(pattern) > len(parts)) and all(
                    fnmatch.fnmatchcase(part, component) for part, component in zip(parts, pattern)
                ):
                    return False
        below = path + "."
        parent, _, name = path.rpartition(".")
        beside = parent + "." if parent else None
        for key in self.keys_by_head.get(head, ()):
            if key == path or key.startswith(below):
                return False
            if beside is not None and key.startswith(beside) and key.endswith("." + name):
                return False  # `name(...)` can build a factory class its parent package re-exports
        return True


_REACH: dict[int, _Reach] = {}


def _reach(config: Config) -> _Reach:
    cached = _REACH.get(id(config))
    if cached is None or cached.config is not config:
        if len(_REACH) > 16:
            _REACH.clear()
        cached = _REACH[id(config)] = _Reach(config)
    return cached


def _mentioning(text: str, chunks: Sequence[Chunk], names: dict[str, list[tuple]], start: int, end: int,
                config: Config) -> list[tuple[int, int]]:
    """The line ranges of the chunks outside lines [start, end) of `text` (lines joined by
    `\\n`) that mention one of `names` (each with what it is bound to, before the edit and
    after: `_not_inert`) as a word, unless the attributes written after it lead every one of
    those paths where no rule follows (`UserExecutionContext.from_request` when no key lies
    under the class: the mention makes no finding before or after).

    Of those, the first `INERT_KEPT` of each name the edited buffer binds, outside [start,
    end) and not on a comment's line, are taken too: an SSOT002 fix of a call the edit made a
    construction again removes the class's import when the file has no other use of the name,
    and the reduced buffer must hold one where the file does (`construction.fix_is_current`
    then holds).

    A `#` before the use on its line is taken for a comment (no use for SSOT002's count) without
    tokenizing the file; a `#` in a string (`url = "a#b"; UserExecutionContext.from_request(r)`)
    also skips a real use. That costs time, never a wrong result: with no use of the name kept,
    the fix built from the reduced buffer removes the import, `fix_is_current` finds the use in
    the whole file, and the full check answers (tests/test_incremental.py)."""
    reach = _reach(config)
    found = set()
    bound_now = {name for chunk in chunks for name, _, _ in chunk.events}
    for name, bound in names.items():
        position = text.find(name)
        inert_kept = 0 if name in bound_now else INERT_KEPT
        while position >= 0:
            after = position + len(name)
            if ((position == 0 or not _is_word_character(text[position - 1]))
                    and (after == len(text) or not _is_word_character(text[after]))):
                # The chain as far as one line spells it: a prefix of the facts' longest chain,
                # and a path no key follows leads nowhere a key does when it grows.
                chain = _ATTRIBUTES.match(text, after)
                if chain is None or not all(_inert(what, reach, re.sub(r"\s", "", chain.group(0)))
                                            for what in bound):
                    found.add(position)
                elif inert_kept < INERT_KEPT and "#" not in text[text.rfind("\n", 0, position) + 1:position]:
                    line = text.count("\n", 0, position)
                    if not start <= line < end:
                        found.add(position)
                        inert_kept += 1
            position = text.find(name, after)
    ranges: list[tuple[int, int]] = []
    line = position = 0
    for offset in sorted(found):
        line += text.count("\n", position, offset)
        position = offset
        if start <= line < end or (ranges and line < ranges[-1][1]):
            continue
        index = _chunk_at(chunks, line)
        chunk = chunks[index]
        stop = chunks[index + 1].start if index + 1 < len(chunks) else text.count("\n", position) + line + 1
        ranges.append(_member_range(chunk, stop, line) or (chunk.start, stop))
    return ranges


_ATTRIBUTES = re.compile(r"(?:[ \t]*\.[ \t]*[A-Za-z_]\w*)+")
INERT_KEPT = 2


def _member_range(chunk: Chunk, stop: int, line: int) -> tuple[int, int] | None:
    """The lines of the method (or nested class) of class `chunk` (which ends before `stop`)
    that holds `line`; None for a line of the class's header or of a statement of its own
    body, which is checked with the whole class."""
    members = chunk.members
    if not members or line - chunk.start < members[0].start:
        return None
    index = _chunk_at(members, line - chunk.start)
    member = members[index]
    if member.kind not in ("def", "class"):
        return None
    end = chunk.start + members[index + 1].start if index + 1 < len(members) else stop
    return chunk.start + member.start, end


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"


def chunks_of(body: Sequence[ast.stmt], lines: Sequence[str], offset: int) -> list[Chunk]:
    """The chunks of `lines`, parsed into `body`; chunk lines are moved down by `offset`."""
    chunks: list[Chunk] = []
    last_end = -1  # the last line (0-based) of the previous statement
    for node in body:
        decorators = getattr(node, "decorator_list", ())
        first = min([node.lineno, *(d.lineno for d in decorators)]) - 1
        end = (node.end_lineno or node.lineno) - 1
        chunk = _chunk(node, first, end, lines, offset)
        if chunks and first <= last_end:
            # `a = 1; b = 2`, or a statement starting on the line another ends: one chunk
            previous = chunks[-1]
            chunks[-1] = Chunk(previous.start, "binding", events=previous.events + chunk.events,
                               summary=previous.summary | chunk.summary)
        else:
            chunks.append(chunk)
        last_end = max(last_end, end)
    if not chunks or chunks[0].start > offset:
        chunks.insert(0, Chunk(offset, "gap"))
    return chunks


def _chunk(node: ast.stmt, first: int, end: int, lines: Sequence[str], offset: int) -> Chunk:
    text = "\n".join(lines[first:end + 1])
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not _REACHES_OUT.search(text):
        kind = "class" if isinstance(node, ast.ClassDef) else "def"
        is_async = isinstance(node, ast.AsyncFunctionDef)
        imports: tuple[str, ...] = ()
        summary = {node.name}
        if "import" in text:
            found = [sub for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom))]
            found.sort(key=lambda sub: (sub.lineno, sub.col_offset))
            imports = tuple(ast.unparse(sub) for sub in found)
            for sub in found:
                summary.update(_imported(sub))
        events = ((node.name, (kind, is_async), frozenset()),)
        members = _members(node, first, lines) if kind == "class" else ()
        return Chunk(first + offset, kind, node.name, node.lineno - 1 + offset, is_async, imports,
                     events, frozenset(summary), members)
    if not _binds(node):
        return Chunk(first + offset, "plain")
    events = tuple(_events(node, text))
    summary = {name for name, _, _ in events}
    for sub in ast.walk(node):
        if isinstance(sub, (ast.Import, ast.ImportFrom)):
            summary.update(_imported(sub))
    return Chunk(first + offset, "binding", events=events, summary=frozenset(summary))


def _members(node: ast.ClassDef, first: int, lines: Sequence[str]) -> tuple[Member, ...]:
    """The statements of a class body (`first` is the class chunk's first line), or none when
    one starts on a line of the class's header (`class Point: x = 0`)."""
    members = []
    last_end = node.lineno  # 1-based
    for statement in node.body:
        decorators = getattr(statement, "decorator_list", ())
        start = min([statement.lineno, *(d.lineno for d in decorators)])
        text = lines[start - 1] if start <= len(lines) else ""
        code = text.lstrip()
        if start <= last_end or not (code.startswith("@") if decorators
                                     else len(text) - len(code) == statement.col_offset):
            return ()  # on a line of the header (`class Point: x = 0`) or of the statement before
        last_end = statement.end_lineno or statement.lineno
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            imports: tuple[str, ...] = ()
            if any("import" in line for line in lines[start - 1:last_end]):
                found = [sub for sub in ast.walk(statement) if isinstance(sub, (ast.Import, ast.ImportFrom))]
                found.sort(key=lambda sub: (sub.lineno, sub.col_offset))
                imports = tuple(ast.unparse(sub) for sub in found)
            kind = "class" if isinstance(statement, ast.ClassDef) else "def"
            members.append(Member(start - 1 - first, statement.lineno - 1 - first, kind, statement.name,
                                  isinstance(statement, ast.AsyncFunctionDef), imports))
        else:
            kind = "binding" if _binds(statement) else "plain"
            members.append(Member(start - 1 - first, start - 1 - first, kind))
    return tuple(members)


def _events(node: ast.stmt, text: str) -> Iterator[tuple[str, tuple, frozenset[str]]]:
    """The names a top-level statement binds (`facts.statement_bindings`), each with what it is
    bound to and the words that value depends on. The facts walker binds an import to the
    path it spells, `name = a.b` to what `a.b` resolves to, and every other binding (`name =
    call()`, a `for` or `with` target, a tuple element, a nested `def`) to nothing. In an
    `except` clause a binding to nothing keeps what the name was bound to (`except
    ImportError: Name = None`): it is described as keeping it, which makes no finding through
    the name of its own. For anything unusual (an alias assigned in an `except` clause, a
    `match` capture, `name: T`), a binding is described by the statement's whole text and
    depends on every word in it."""
    whole = ("statement", text)
    words = frozenset(_WORD.findall(text))
    for binding in statement_bindings(node):
        kind = binding.kind
        handled = "except" in binding.within or "except*" in binding.within
        if kind == "import":
            alias = binding.node
            yield binding.name, ("import", alias.name if alias.asname else binding.name), frozenset()
        elif kind == "from":
            yield binding.name, ("from", binding.stmt.level, binding.module, binding.node.name), frozenset()
        elif kind in ("assignment", "walrus") and isinstance(binding.value, (ast.Name, ast.Attribute)):
            if handled:
                yield binding.name, whole, words  # an alias that names nothing keeps the old binding
            else:
                value = binding.value
                yield binding.name, ("alias", ast.dump(value)), frozenset(_WORD.findall(ast.unparse(value)))
        elif kind in ("annotation", "other", "match") or binding.node is node:
            yield binding.name, whole, words  # also a definition that reaches out (`global`, `__all__`)
        elif kind != "augmented":  # `name += x` binds nothing new for the facts walker
            yield binding.name, _KEEP if handled else _NOTHING, frozenset()


_NOTHING: tuple = ("nothing",)
_KEEP: tuple = ("keep",)


def _imported(node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The modules an import loads (with their parent packages) and the names it binds."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            parts = alias.name.split(".")
            yield from (".".join(parts[:count]) for count in range(1, len(parts) + 1))
            yield alias.asname or parts[0]
    else:
        module = "." * node.level + (node.module or "")
        parts = module.split(".")
        yield module
        yield from (".".join(parts[:count]) for count in range(1, len(parts)))
        for alias in node.names:
            yield alias.asname or alias.name


def _binds(node: ast.AST) -> bool:
    """Does a top-level statement bind, delete or import a module-level name, or touch `__all__`?"""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and (not isinstance(sub.ctx, ast.Load) or sub.id == "__all__"):
            return True
        if isinstance(sub, (
            ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.FunctionDef, ast.AsyncFunctionDef,
            ast.ClassDef, ast.ExceptHandler, ast.match_case,
        )):
            return True
    return False


def _chunk_at(chunks: Sequence[Chunk] | Sequence[Member], line: int) -> int:
    """The index of the last chunk (or class member) that starts at or before `line` (0 if none does)."""
    return max(bisect.bisect_right(chunks, line, key=_start) - 1, 0)


_start = attrgetter("start")


def _reduced(lines: Sequence[str], chunks: Sequence[Chunk], ranges: Sequence[tuple[int, int]],
             names: frozenset[str]) -> list[str]:
    """The buffer's lines with only the edited region (and the other line ranges checked
    again), the name-binding statements and the stubs of the definitions whose names they
    (or the configuration) mention."""
    out = [""] * len(lines)
    for start, end in ranges:
        out[start:end] = lines[start:end]
    start, end = ranges[0]
    # The other ranges by start, with the furthest end reached so far: which hold a line?
    others = sorted(ranges[1:])
    starts = [a for a, _ in others]
    reach, furthest = [], -1
    for _, b in others:
        furthest = max(furthest, b)
        reach.append(furthest)
    definitions = []
    for index, chunk in enumerate(chunks):
        if start <= chunk.start < end:
            continue
        stop = chunks[index + 1].start if index + 1 < len(chunks) else len(lines)
        if chunk.kind == "binding":
            out[chunk.start:stop] = lines[chunk.start:stop]
        elif chunk.kind in ("class", "def"):
            before = bisect.bisect_right(starts, chunk.header)
            if before and reach[before - 1] > chunk.header:
                continue  # checked again whole
            inside = bisect.bisect_left(starts, chunk.start)
            if chunk.members and inside < len(starts) and starts[inside] < stop:
                _partial_class(out, lines, chunk, stop)
            else:
                definitions.append(chunk)
    if "flake8" in "\n".join(lines).lower():
        for number, text in enumerate(lines):
            if NOQA_FILE.match(text):
                out[number] = text  # `# flake8: noqa` anywhere silences the whole file
    if definitions:
        # A definition elsewhere matters only through its name; most are never mentioned here.
        words = set(_WORD.findall("\n".join(out))) | names
        for chunk in definitions:
            if chunk.name in words or chunk.imports:
                body = "; ".join(chunk.imports) or "..."
                if chunk.kind == "class":
                    out[chunk.header] = f"class {chunk.name}: {body}"
                else:
                    out[chunk.header] = f"{'async ' if chunk.is_async else ''}def {chunk.name}(*args, **kwargs): {body}"
    return out


def _pattern_trees(reduced: list[str], ranges: Sequence[tuple[int, int]], chunks: Sequence[Chunk],
                   config: Config) -> list | None:
    """What pattern rules match on in a reduced buffer: only the checked ranges that spell one of
    a rule's anchors (each match spells one: rules that look around take the full check), with
    the header of the class a method range belongs to. None: the reduced buffer's own tree."""
    anchors = _anchors(config) if config.patterns else None
    if anchors is None:
        return None
    out = [""] * len(reduced)
    for start, end in ranges:
        if any(anchor in line for line in reduced[start:end] for anchor in anchors):
            out[start:end] = reduced[start:end]
            chunk = chunks[_chunk_at(chunks, start)]
            if chunk.start < start and chunk.members:
                header = chunk.start + chunk.members[0].start
                out[chunk.start:header] = reduced[chunk.start:header]
    return [whole_tree("\n".join(out))]


def _partial_class(out: list[str], lines: Sequence[str], chunk: Chunk, stop: int) -> None:
    """A class some of whose methods are checked again (their lines are in `out` already):
    its header lines, the statements of its body that bind names (a method's decorators,
    defaults and annotations are read in the class's scope), a one-line stub for each other
    method or nested class (they bind their names there too, and keep their imports), and
    blank lines for the rest. A method's own body sees the module's names, not the class's."""
    members = chunk.members
    out[chunk.start:chunk.start + members[0].start] = lines[chunk.start:chunk.start + members[0].start]
    for index, member in enumerate(members):
        first = chunk.start + member.start
        if out[first]:
            continue  # checked again: already copied
        last = chunk.start + members[index + 1].start if index + 1 < len(members) else stop
        if member.kind == "binding":
            out[first:last] = lines[first:last]
        elif member.kind in ("def", "class"):
            header = chunk.start + member.header
            text = lines[header]
            indent = text[:len(text) - len(text.lstrip())]
            body = "; ".join(member.imports) or "..."
            if member.kind == "class":
                out[header] = f"{indent}class {member.name}: {body}"
            else:
                out[header] = f"{indent}{'async ' if member.is_async else ''}def {member.name}(*args, **kwargs): {body}"


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _whole_file_fixes_hold(kept: Sequence[Diagnostic], fresh: Sequence[Diagnostic], source: str,
                           lines: Sequence[str], changed: Sequence[str], start: int, end: int,
                           chunks: Sequence[Chunk] = (), index: ProjectIndex | None = None) -> bool:
    """Do the fixes that read the whole file (SSOT002's counts every use of the class's name and
    joins the file's imports) still hold after an edit of lines [start, end) (where they are
    now; `changed` holds the lines that differ, before and after)? A fresh one, built from the
    reduced buffer, is judged by its rule (`fix_is_current`), a kept one by `_stale_fixes`."""
    return _fixes_hold(fresh, source) and not _stale_fixes(kept, source, lines, changed, start, end, chunks, index)


def _stale_fixes(kept: Sequence[Diagnostic], source: str, lines: Sequence[str], changed: Sequence[str],
                 start: int, end: int, chunks: Sequence[Chunk] = (),
                 index: ProjectIndex | None = None) -> list[Diagnostic]:
    """The diagnostics kept from the last check whose fix reads the whole file and may not hold
    after the edit: an SSOT002 fix (`_KEPT_BY_WORDS`) by what the changed lines spell
    (`_kept_fix_holds`), one planned on every use of some names (`_USES_READ`) when the changed
    lines spell one (any name, for a star import), any other by its rule (`fix_is_current`).
    `chunks`: the buffer's statements now (none: each finding's statement is judged by its
    text)."""
    edited = "\n".join(changed)
    spelled: set[str] | None = None
    stale = []
    memo: dict = {}  # `_called_words`' names of each fix (the calls sharing one fix share the object)
    for diagnostic in kept:
        if diagnostic.fix is None:
            continue
        if diagnostic.code in _USES_READ:
            if spelled is None:
                spelled = set(_WORD.findall(edited)) - _KEYWORDS
            read = _uses_read(diagnostic, chunks, lines, index, among=spelled)
            if (spelled if read is None else not read.isdisjoint(spelled)):
                stale.append(diagnostic)
                continue
        if diagnostic.code not in _WHOLE_FILE_FIXES:
            continue
        if diagnostic.code in _KEPT_BY_WORDS:
            if not _kept_fix_holds(diagnostic, lines, edited, start, end, memo):
                stale.append(diagnostic)
        elif not _WHOLE_FILE_FIXES[diagnostic.code](diagnostic, source):
            stale.append(diagnostic)
    return stale


def _prior_fix(diagnostic: Diagnostic, prior: dict, source: str, lines: Sequence[str], words: str, start: int,
               end: int) -> Diagnostic | None:
    """`diagnostic` when its whole-file fix holds; else the last check's diagnostic of the same
    call when its fix holds through the edit; else None."""
    if diagnostic.fix is None or diagnostic.code not in _WHOLE_FILE_FIXES \
            or _WHOLE_FILE_FIXES[diagnostic.code](diagnostic, source):
        return diagnostic
    before = prior.get((diagnostic.code, diagnostic.span, diagnostic.subject))
    if before is not None and _kept_through_file_wide_change(before, lines, words, start, end):
        return before
    return None


def _kept_through_file_wide_change(diagnostic: Diagnostic, lines: Sequence[str], edited: str, start: int,
                                   end: int, memo: dict | None = None) -> bool:
    """Does an SSOT002 fix from the last check hold after an edit that changed what the file
    imports, defines or exports? When the edited lines spell neither the factory's name nor
    its module's last name (a new binding of either changes the fix), and its fix holds by
    `_kept_fix_holds` (the class's words, imports of the factory's module). An `__all__` that
    does not spell the class's name changes nothing it reads: whether the import goes counts
    the name's words in the whole file (`construction._last_uses`), `__all__`'s strings among
    them."""
    if diagnostic.fix is None or diagnostic.code not in _KEPT_BY_WORDS:
        return False
    module, _, factory = diagnostic.canonical.rpartition(".")
    if not factory or factory in edited or (module and module.rpartition(".")[2] in edited):
        return False
    return _kept_fix_holds(diagnostic, lines, edited, start, end, memo)


def _kept_fix_holds(diagnostic: Diagnostic, lines: Sequence[str], edited: str, start: int, end: int,
                    memo: dict | None = None) -> bool:
    """Does an SSOT002 fix built from the whole file before an edit hold after it? It reads the
    uses of the class's name (whether its import goes), the module-level bindings of that name
    and of the factory's (`diagnostic.canonical`) name and module, the imports of the factory's
    module, and, to add the factory's import after the last import above the call, where that
    import is. None of these changes when the edited lines (before and after) spell neither the
    names its call uses nor an import; or an import, but none of the factory's name, its
    module's last name or `*`, and the edited lines lie after the call or below the import its
    fix adds a line after. (`__all__` is read only for its strings, which count as uses of the
    class's name: the names its call uses. A fix that edits the edited lines is computed again:
    `_moved`.) The names are matched as words: the edit of `c = None` binds `c`, not
    `cache`."""
    if not _called_words([diagnostic], lines, memo).isdisjoint(_spelled(edited, memo)):
        return False
    if not _IMPORT.search(edited):
        return True
    module, _, factory = diagnostic.canonical.rpartition(".")
    if not factory or factory in edited or "*" in edited or (module and module.rpartition(".")[2] in edited):
        return False
    span = diagnostic.span
    for edit in diagnostic.fix.edits:
        if (span.line, span.column) <= (edit.span.line, edit.span.column) and \
                (edit.span.end_line, edit.span.end_column) <= (span.end_line, span.end_column):
            continue  # an edit of the call itself
        if edit.replacement.startswith("\n") and not (start > span.line - 1 or edit.span.line - 1 >= end):
            return False  # a new import between the one the fix adds a line after and the call
    return True


def _called_words(diagnostics: Sequence[Diagnostic], lines: Sequence[str], memo: dict | None = None) -> set[str]:
    """The names each finding's statement spells where it starts (`ctx.UserExecutionContext`),
    the last component of its subject, the imports its fix removes and the names in the text
    its fix rewrites or drops (`_fix_reads`): what an edit must not touch for its fix to hold.
    `memo`: one check's names of each fix (by the fix object, which the calls sharing one share)."""
    words = set()
    for diagnostic in diagnostics:
        if diagnostic.subject:
            words.add(diagnostic.subject.rpartition(".")[2])
        words.update(removed_imports(diagnostic.fix))  # an SSOT002 fix's `import uuid` goes while unused
        line = lines[diagnostic.line - 1] if diagnostic.line - 1 < len(lines) else ""
        named = _DOTTED.match(line, diagnostic.span.column)
        if named:
            words.update(part.strip() for part in named.group(0).split(".") if part.strip())
        if diagnostic.fix is not None:
            read = memo.get(id(diagnostic.fix)) if memo is not None else None
            if read is None:
                read = _fix_reads(diagnostic.fix, lines)
                if memo is not None:
                    memo[id(diagnostic.fix)] = read
            words.update(read)
    return words


def _fix_reads(fix, lines: Sequence[str]) -> frozenset[str]:
    """The names in the text an SSOT002 fix replaces or deletes, but in an import (an edit of
    an import is judged by `_kept_fix_holds`) or a keyword it renames (`thread_id=`): the name
    each call it rewrites goes through (a shared fix rewrites every construction of the class
    in the file: `c.UserExecutionContext(...)` is none after `c = None`) and the names in the
    arguments it drops (their imports go when those were the last uses: `new_run_id` imported
    twice, one import deleted)."""
    names: set[str] = set()
    for edit in fix.edits:
        span = edit.span
        if (span.line, span.column) == (span.end_line, span.end_column) or span.end_line > len(lines):
            continue  # an insertion reads nothing
        if span.line == span.end_line:
            text = lines[span.line - 1][span.column:span.end_column]
        else:
            text = "\n".join([lines[span.line - 1][span.column:], *lines[span.line:span.end_line - 1],
                              lines[span.end_line - 1][:span.end_column]])
        if _IMPORT.search(text) or (_WORD.fullmatch(text)
                                    and _ASSIGNED.match(lines[span.end_line - 1], span.end_column)):
            continue
        names.update(_WORD.findall(text))
    return frozenset(names - _KEYWORDS)


_ASSIGNED = re.compile(r"\s*=(?!=)")


def _spelled(edited: str, memo: dict | None) -> set[str]:
    """The words the edited lines spell (once per check with a `memo`)."""
    found = memo.get("spelled") if memo is not None else None
    if found is None:
        found = set(_WORD.findall(edited))
        if memo is not None:
            memo["spelled"] = found
    return found


_DOTTED = re.compile(r"\w+(?:\s*\.\s*\w+)*")


def _fixes_hold(diagnostics: Sequence[Diagnostic], source: str) -> bool:
    return all(d.fix is None or d.code not in _WHOLE_FILE_FIXES or _WHOLE_FILE_FIXES[d.code](d, source)
               for d in diagnostics)


_KEYWORDS = frozenset(keyword.kwlist)
# The names an import statement's text spells that it can bind: not the components after the
# first of a dotted path, nor keywords (a comment's words are taken too: more, never fewer).
_MAY_BIND = re.compile(r"(?<![.\w])[A-Za-z_]\w*")
_FROM_MODULE = re.compile(r"\s*from\s+(\S+)\s+import\b")  # `from a.b import`: binds none of a, b


def _uses_read(diagnostic: Diagnostic, chunks: Sequence[Chunk], lines: Sequence[str],
               index: ProjectIndex | None, among: set[str] | None = None) -> frozenset[str] | None:
    """The module-level names whose every use the finding's fix was planned on (its rule's
    `uses_read`, with the names its statement binds: the chunk's, or when `chunks` has no
    statement there, the names its text spells). Empty for a statement inside a definition:
    what it binds is local there, and the definition is checked whole with it. None: every
    name the file reads. `among`: only the names it binds among these are asked about (the
    rule may consult the project index for each)."""
    read = _USES_READ.get(diagnostic.code)
    if read is None or diagnostic.fix is None:
        return frozenset()
    chunk = chunks[_chunk_at(chunks, diagnostic.line - 1)] if chunks else None
    bound: dict[str, tuple[str, str | None]] = {}
    if chunk is None or chunk.kind == "gap":
        statement = diagnostic.statement
        source = _FROM_MODULE.match(statement)
        module = source.group(1) if source is not None and not source.group(1).startswith(".") else None
        for name in set(_MAY_BIND.findall(statement[source.end():] if source else statement)) - _KEYWORDS:
            bound[name] = ("from", f"{module}.{name}" if module else None) if source else ("import", None)
    elif chunk.kind in ("def", "class"):
        return frozenset()
    else:
        for name, what, _ in chunk.events:
            if what[0] == "from":
                bound[name] = ("from", None if what[1] or not what[2] else f"{what[2]}.{what[3]}")
            else:
                bound[name] = (what[0], None)
    if among is not None:
        bound = {name: how for name, how in bound.items() if name in among}
    return read(diagnostic, bound, index)


def _unseen_uses(fresh: Sequence[Diagnostic], chunks: Sequence[Chunk], lines: Sequence[str],
                 reduced: Sequence[str], index: ProjectIndex | None) -> set[tuple[int, int]] | None:
    """The line ranges of the statements (methods, in a class) holding a use the reduced
    buffer lacks (a line it blanks or stubs) of a name whose every use a fresh finding's fix
    was planned on (`_uses_read`); None: a fix that read every name (a star import), which
    only the whole file can give."""
    words: set[str] = set()
    for diagnostic in fresh:
        read = _uses_read(diagnostic, chunks, lines, index)
        if read is None:
            return None
        words.update(read)
    if not words:
        return set()
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(words))) + r")\b")
    missing = [number for number, line in enumerate(lines) if reduced[number] != line and pattern.search(line)]
    return _line_ranges(missing, chunks, len(lines))


def _looks_around(config: Config) -> bool:
    """A pattern rule with `inside`/`follows`/`precedes` can match or stop matching after an edit
    to another statement (`inside = { kind = "module", has = ... }`): such configurations always
    take the full check."""
    if not config.patterns:
        return False
    return any(looks_around(rule.rule) for rule in config.patterns)


def config_names(config: Config) -> frozenset[str]:
    """Every name the configuration spells: fixes may ask whether the file defines one."""
    words: set[str] = set()
    for table in (config.legacy, config.canonical, config.factories):
        for key, entry in table.items():
            words.update(_WORD.findall(key))
            if entry.use:
                words.update(_WORD.findall(entry.use))
    for exports in config.deprecated_exports.values():
        words.update(exports.names)
    for rule in config.patterns:
        words.update(_WORD.findall(rule.fix or ""))
    return frozenset(words)


def _moved(diagnostics: Sequence[Diagnostic], old_start: int, old_end: int,
           delta: int, changed: tuple[int, int] | None = None) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The diagnostics outside the replaced lines [old_start, old_end), moved to where their
    lines are now, and apart from them (as they were) those whose fix edits one of the
    replaced lines: fixes are built from the text they edit, so those are computed again.
    (Judged where the lines were: after a deletion, an edit of a deleted line is not moved
    and would lie past the new lines.) `changed`: the lines whose text changed, [start, end),
    when the edit kept the number of lines (every other line of the replaced statements is
    where and what it was): a fix touching only those others holds."""
    touch_start, touch_end = changed if changed is not None and delta == 0 else (old_start, old_end)
    moved, touching = [], []
    fixes: dict = {}
    for diagnostic in diagnostics:
        if old_start <= diagnostic.line - 1 < old_end:
            continue
        if _touches(diagnostic, touch_start, touch_end):
            touching.append(diagnostic)
        else:
            moved.append(_shifted(diagnostic, delta, old_end, fixes))
    return moved, touching


def _shifted(diagnostic: Diagnostic, delta: int, old_end: int, fixes: dict | None = None) -> Diagnostic:
    """The diagnostic with what lies after the replaced lines (they ended at `old_end`) moved by
    `delta` lines: its span, and each edit of its fix on its own (SSOT002's fix edits the
    file's imports, above or below an edit elsewhere, as well as its call). `fixes`: each fix
    moved already, by the fix object (the calls sharing a fix share the object: moved once,
    and still shared, which `_called_words` counts on to read each fix's text once)."""
    if delta == 0:
        return diagnostic
    fix = diagnostic.fix
    if fix is not None:
        shifted = fixes.get(id(fix)) if fixes is not None else None
        if shifted is None:
            shifted = replace(fix, edits=tuple(replace(edit, span=_move(edit.span, delta))
                                               if edit.span.line - 1 >= old_end else edit for edit in fix.edits))
            if fixes is not None:
                fixes[id(fix)] = shifted
        fix = shifted
    span = _move(diagnostic.span, delta) if diagnostic.line - 1 >= old_end else diagnostic.span
    return replace(diagnostic, span=span, fix=fix)


def _move(span: Span, delta: int) -> Span:
    return Span(span.line + delta, span.column, span.end_line + delta, span.end_column)


def _touches(diagnostic: Diagnostic, start: int, end: int) -> bool:
    """Does the diagnostic's fix edit a character of lines [start, end) (0-based), the edited
    region? (Fixes are built from the text of their own statement's lines: an edit that ends
    where the region begins, or begins where it ends, does not depend on it.)"""
    if diagnostic.fix is None:
        return False
    return any(
        (edit.span.line - 1, edit.span.column) < (end, 0)
        and (edit.span.end_line - 1, edit.span.end_column) > (start, 0)
        for edit in diagnostic.fix.edits
    )


def _parse(source: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
