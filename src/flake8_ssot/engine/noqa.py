"""`# noqa` comments, with flake8's semantics, for the front-ends that are not flake8.

flake8 applies its own noqa to the plugin's output; the CLI and the language server apply
this one, so both front-ends suppress exactly the same diagnostics. As in flake8, a comment
whose codes do not look like codes (`# noqa: SSO`) is a blanket noqa, and a noqa comment on
any line of a multi-line statement or string covers all of its lines, and a line that
starts with `# flake8: noqa` silences the whole file. `# noqa` itself is found in any case,
the codes after it are compared as written (flake8 7's `Violation.is_inline_ignored`).
"""

from __future__ import annotations

import io
import re
import tokenize
from typing import Iterable, Sequence

from flake8_ssot.diagnostic import Diagnostic, Edit
from flake8_ssot.span import Span, split_lines

# flake8's pattern (flake8/defaults.py), reproduced for identical behaviour.
NOQA = re.compile(
    r"# noqa"
    r"(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+)?(?:[A-Z]+[0-9]+(?:[,\s]+)?)*))?",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"[,\s]+")
# flake8 skips a whole file when a line starts with this comment (flake8/defaults.py NOQA_FILE).
NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.IGNORECASE)


def filter_noqa(diagnostics: list[Diagnostic], source: str) -> list[Diagnostic]:
    if not diagnostics or "noqa" not in source.lower():
        return diagnostics
    if any(NOQA_FILE.match(line) for line in source.splitlines()):
        return []
    comments = _comments_by_line(source)
    if not comments:
        return diagnostics
    kept = []
    for diagnostic in diagnostics:
        comment = comments.get(diagnostic.line)
        if comment is None or not _suppresses(comment, diagnostic.code):
            kept.append(diagnostic)
    return kept


def _suppresses(comment: str, code: str) -> bool:
    found = NOQA.search(comment)
    if found is None:
        return False
    codes = found.group("codes")
    if not codes:
        return True
    # flake8 compares the codes as written: `# noqa: ssot001` is no blanket noqa (the codes
    # look like codes) and names no code, so it suppresses nothing there, nor here.
    wanted = tuple(item for item in _SEPARATOR.split(codes.strip()) if item)
    return code in wanted or code.startswith(wanted)


def _comments_by_line(source: str) -> dict[int, str]:
    """Line -> the noqa-bearing text that applies to it (flake8 maps a logical line's range)."""
    lines = split_lines(source)  # as tokenize counts lines; not str.splitlines()
    mapping: dict[int, str] = {}
    ranges: list[tuple[int, int]] = []
    try:
        ranges.extend(_logical_ranges(source))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # A file that does not tokenize to the end (an unterminated string or bracket, a bad
        # dedent): the statements before the error keep their ranges, the rest go line by line.
        done = max((end for _, end in ranges), default=0)
        ranges.extend((number, number) for number in range(done + 1, len(lines) + 1))
    for start, end in ranges:
        text = "\n".join(lines[start - 1:end])
        if "noqa" in text.lower() and NOQA.search(text):
            for line in range(start, end + 1):
                mapping[line] = text
    return mapping


def _logical_ranges(source: str) -> Iterable[tuple[int, int]]:
    start = None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if start is None:
            start = token.start[0]
        if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER):
            yield start, token.end[0]
            start = None
        elif token.type == tokenize.STRING and token.start[0] != token.end[0]:
            yield token.start[0], token.end[0]


def noqa_edit(source: str, lines: Sequence[str], diagnostic: Diagnostic) -> Edit:
    """The edit that adds `diagnostic.code` to a `# noqa` comment that covers its line.

    The comment goes where `noqa.filter_noqa` will look for it: on the diagnostic's line, or
    after the closing line of a multi-line string or backslash-continued statement it is in.
    Codes already listed in a `# noqa: X` there are kept and the new one appended.
    """
    line = diagnostic.line
    first, last = line, line
    try:
        covering = [(start, end) for start, end in _logical_ranges(source) if start <= line <= end]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        covering = []
    if covering:
        first, last = min(covering, key=lambda pair: pair[1] - pair[0])
    for number in range(first, last + 1):
        text = lines[number - 1] if number <= len(lines) else ""
        found = NOQA.search(text)
        if found is not None and found.group("codes"):
            end = found.start("codes") + len(found.group("codes").rstrip(", \t"))
            return Edit(Span(number, end, number, end), f", {diagnostic.code}")
    text = lines[last - 1] if last <= len(lines) else ""
    end = len(text.rstrip())
    return Edit(Span(last, end, last, len(text)), f"  # noqa: {diagnostic.code}")
