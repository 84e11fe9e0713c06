"""Applying fixes to one file without ever losing data.

Check, pick the fixes that do not overlap, apply them, check again, until nothing fixable is
left (at most `MAX_PASSES` rounds), so fixing a fixed file changes nothing. A result that no
longer parses is refused as a whole and the file is left as it was. Writing keeps the file's
encoding (PEP 263 cookie, BOM), its line endings and its mode, through a temporary file in the
same directory renamed over the original. Which fix a diagnostic carries is decided by the
rules (see `rewrites.py`), never here.
"""

from __future__ import annotations

import ast
import codecs
import warnings
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

from flake8_ssot import files
from flake8_ssot.config import Config
from flake8_ssot.diagnostic import (  # noqa: F401
    SAFE,
    Diagnostic,
    Edit,
    Fix,
    count_fixable,
    is_fixable,
)
from flake8_ssot.engine import check_source
from flake8_ssot.index import ProjectIndex
from flake8_ssot.files import SourceError, UndecodableSource, decode
from flake8_ssot.rules.rewrites import SourceLines

# Rounds run only while fixes are left, so the bound costs nothing on ordinary files. It is
# not small: a chain of replacements (legacy -> its use -> a re-export of that -> ...) takes a
# round a link, and the configuration refuses cycles, so every chain ends; a second `--fix`
# must find nothing left (tests/test_trust_config.py's property found chains of six links).
MAX_PASSES = 25


# --------------------------------------------------------------------------- text

def select_fixes(diagnostics: Sequence[Diagnostic], unsafe: bool) -> tuple[list[Fix], list[Diagnostic]]:
    """The fixes to apply together, and the diagnostics they fix.

    Safe fixes go first (alone, while there are any), then by position; a fix that overlaps one
    already taken waits for the next round, when it is recomputed against the changed text.
    Diagnostics that carry the same fix (the names of one import statement) share it.
    """
    chosen: list[Fix] = []
    taken: list[Edit] = []
    fixed: list[Diagnostic] = []
    candidates = [d for d in diagnostics if is_fixable(d, unsafe)]
    if any(d.fix.applicability == SAFE for d in candidates):
        # Unsafe fixes wait until no safe one is left, so `--fix --unsafe-fixes` writes what
        # `--fix` then `--fix --unsafe-fixes` writes (a name moved by a safe fix is there
        # for an unsafe one to merge into).
        candidates = [d for d in candidates if d.fix.applicability == SAFE]
    candidates.sort(key=lambda d: (d.fix.applicability != SAFE, d.sort_key()))
    for diagnostic in candidates:
        fix = diagnostic.fix
        if fix in chosen:
            fixed.append(diagnostic)
            continue
        if _overlaps_itself(fix.edits) or any(_clash(edit, other) for edit in fix.edits for other in taken):
            continue
        chosen.append(fix)
        taken.extend(fix.edits)
        fixed.append(diagnostic)
    return chosen, fixed


def _overlaps_itself(edits: Sequence[Edit]) -> bool:
    return any(_clash(a, b) for index, a in enumerate(edits) for b in edits[index + 1:])


def _clash(a: Edit, b: Edit) -> bool:
    a_start, a_end = (a.span.line, a.span.column), (a.span.end_line, a.span.end_column)
    b_start, b_end = (b.span.line, b.span.column), (b.span.end_line, b.span.end_column)
    if a_start == a_end == b_start == b_end:
        return True  # two insertions at one point: their order would be arbitrary
    if a_start == a_end:
        return b_start < a_start < b_end
    if b_start == b_end:
        return a_start < b_start < a_end
    return a_start < b_end and b_start < a_end


def apply_edits(text: str, edits: Iterable[Edit], newline: str = "\n") -> str:
    """Apply non-overlapping edits; line breaks in replacements become `newline`."""
    lines = SourceLines(text)
    located = sorted(
        ((*lines.slice(edit.span), index, edit.replacement) for index, edit in enumerate(edits)),
    )
    parts, position = [], 0
    for start, end, _, replacement in located:
        parts.append(text[position:start])
        parts.append(replacement.replace("\n", newline) if newline != "\n" else replacement)
        position = max(position, end)
    parts.append(text[position:])
    return "".join(parts)


def newline_of(text: str) -> str:
    """The file's line ending: the most common one, `\\n` for a file without any."""
    crlf = text.count("\r\n")
    counts = {"\r\n": crlf, "\n": text.count("\n") - crlf, "\r": text.count("\r") - crlf}
    best = max(counts.values())
    return "\n" if best == 0 else next(ending for ending in ("\n", "\r\n", "\r") if counts[ending] == best)


def _normalized(text: str) -> str:
    """The text with every line break as `\\n`: what the engine sees (lines and columns are the same)."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_error(text: str) -> str | None:
    """Why `text` is not valid Python, or None when it parses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as error:
        return f"line {error.lineno}: {error.msg}" if error.lineno else error.msg
    except (ValueError, RecursionError, MemoryError) as error:
        return str(error) or type(error).__name__
    return None


@dataclass(frozen=True)
class TextFix:
    text: str  # the fixed text; the input itself when nothing applied or the fixes were refused
    fixed: int  # how many diagnostics the applied fixes resolved
    diagnostics: tuple[Diagnostic, ...]  # what is left, with positions in `text`
    syntax_error: str | None = None  # the input does not parse: nothing was fixed
    refused: str | None = None  # the fixes would have broken the file: nothing was fixed
    # The diagnostics each applied fix resolved, round by round (as that round's check
    # reported them): what `--show-fixes` lists. Diagnostics sharing one fix carry equal fixes.
    applied: tuple[Diagnostic, ...] = ()


def fix_text(
    text: str,
    path: str,
    config: Config,
    unsafe: bool = False,
    keep: Callable[[Diagnostic], bool] | None = None,
    index: ProjectIndex | None = None,
    prefilter: bool = True,
) -> TextFix:
    """Fix a file's text (any line endings) as `path`; `keep` filters the diagnostics to act on.
    `index`: the project index each round's check consults (its fixes are only as safe as it proves).
    `prefilter` False: the caller's check found something to fix in a file that spells no word
    of the policy (a factory class built under a name a re-export gives it: checking/renamed.py),
    so each round checks it as that check did, whatever it spells."""
    newline = newline_of(text)
    current, fixed, first, applied = text, 0, None, []
    for round_number in range(MAX_PASSES + 1):
        diagnostics = _diagnose(current, path, config, keep, index, prefilter)
        if first is None:
            first = diagnostics
            if diagnostics.syntax_error:
                return TextFix(text, 0, tuple(diagnostics.diagnostics), diagnostics.syntax_error)
        fixes, resolved = select_fixes(diagnostics.diagnostics, unsafe)
        if not fixes or round_number == MAX_PASSES:
            return TextFix(current, fixed, tuple(diagnostics.diagnostics), applied=tuple(applied))
        candidate = apply_edits(current, [edit for fix in fixes for edit in fix.edits], newline)
        problem = parse_error(candidate)
        if problem is not None:
            reason = _refusal(current, fixes, resolved, newline, problem)
            return TextFix(text, 0, tuple(first.diagnostics), refused=reason)
        current, fixed = candidate, fixed + len(resolved)
        applied.extend(resolved)
    raise AssertionError("unreachable: the last round returns")


def _diagnose(text: str, path: str, config: Config, keep, index: ProjectIndex | None = None,
              prefilter: bool = True):
    normal = _normalized(text)
    result = check_source(normal, path, config, lines=normal.split("\n"), index=index, prefilter=prefilter)
    if keep is not None:
        result = result._replace(diagnostics=[d for d in result.diagnostics if keep(d)])
    return result


def _refusal(text: str, fixes: list[Fix], resolved: list[Diagnostic], newline: str, problem: str) -> str:
    """Name the fix that breaks the file, if one alone does; else describe the combination."""
    for fix in fixes:
        alone = parse_error(apply_edits(text, fix.edits, newline))
        if alone is not None:
            culprit = next(d for d in resolved if d.fix == fix)
            return (f"the fix for {culprit.code} on line {culprit.line} would make the file invalid "
                    f"Python ({alone}); nothing was changed")
    return f"the fixes together would make the file invalid Python ({problem}); nothing was changed"


# --------------------------------------------------------------------------- files

@dataclass(frozen=True)
class FileFix:
    path: str
    before: bytes  # the file's content as read
    after: bytes  # the content with fixes applied (`before` when nothing changed)
    before_text: str = ""
    after_text: str = ""
    fixed: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()  # what is left, with positions in `after`
    syntax_error: str | None = None
    error: str | None = None  # unreadable, undecodable, refused or not written: nothing changed
    applied: tuple[Diagnostic, ...] = ()  # what each applied fix resolved (TextFix.applied)

    @property
    def changed(self) -> bool:
        return self.after != self.before


def fix_bytes(
    data: bytes,
    path: str,
    config: Config,
    unsafe: bool = False,
    keep: Callable[[Diagnostic], bool] | None = None,
    index: ProjectIndex | None = None,
    prefilter: bool = True,
) -> FileFix:
    """Fix a file's raw content as `path`; nothing is written (`prefilter`: see `fix_text`)."""
    try:
        text, encoding = decode(data, cr_line_breaks=True)
    except UndecodableSource as error:
        return FileFix(path, data, data, error=error.brief)
    except SourceError as error:
        return FileFix(path, data, data, error=str(error))
    try:
        result = fix_text(text, path, config, unsafe, keep, index, prefilter)
    except Exception as error:  # a bug of ours must cost one file its fixes, never its content
        return FileFix(path, data, data, text, text,
                       error=f"internal error while fixing, please report it: {type(error).__name__}: {error}")
    outcome = FileFix(path, data, data, text, text, 0, result.diagnostics, result.syntax_error, result.refused)
    if result.text == text:
        return outcome
    try:
        after = result.text.encode(encoding)
    except UnicodeEncodeError as error:
        bad = result.text[error.start:error.end]
        return _replace(outcome, error=f"the fixed file would need {bad!r}, which {encoding} cannot encode; "
                                       f"nothing was changed")
    if after.startswith(codecs.BOM_UTF8) != data.startswith(codecs.BOM_UTF8) or after.decode(encoding) != result.text:
        return _replace(outcome, error=f"the fixed file does not round-trip through {encoding}; nothing was changed")
    return _replace(outcome, after=after, after_text=result.text, fixed=result.fixed, applied=result.applied)


def write_atomic(path: str, data: bytes, expected: bytes | None = None) -> None:
    """Replace the file's content atomically (see `files.write_atomic`): a symbolic link stays
    a link (its target is rewritten), the mode is kept. With `expected`, a file that changed
    since it was read is left alone."""
    try:
        files.write_atomic(path, data, in_place=True, expected=expected)
    except OSError as error:
        raise SourceError(f"cannot write: {error.strerror or error}") from None


def _replace(outcome: FileFix, **changes) -> FileFix:
    return replace(outcome, **changes)


# --------------------------------------------------------------------------- diff

def unified_diff(before: str, after: str, name: str) -> str:
    """A unified diff of one file, `patch`/`git apply` compatible (line endings kept)."""
    old, new = _lines_with_ends(before), _lines_with_ends(after)
    output = []
    import difflib  # only for --diff: not every run's import

    for line in difflib.unified_diff(old, new, fromfile=name, tofile=name):
        output.append(line)
        if not line.endswith(("\n", "\r")):
            output.append("\n\\ No newline at end of file\n")
    return "".join(output)


def _lines_with_ends(text: str) -> list[str]:
    lines = SourceLines(text)
    starts = lines.starts
    pieces = [text[start:end] for start, end in zip(starts, starts[1:])]
    if starts[-1] < len(text):
        pieces.append(text[starts[-1]:])
    return pieces
