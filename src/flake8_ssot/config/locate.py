"""Where a configuration problem is in the TOML text: the line and column of the key a
`ConfigError` names (`tool.ssot.legacy."pkg.x".fix`, `tool.ssot.patterns[1].code`), or the
position TOML's parser gave for a syntax error. The language server marks that spot in
`pyproject.toml`; the problem's wording stays the `ConfigError`'s own.

This reads the text without a TOML library: tomllib keeps no positions, and the text may be
the editor's unsaved buffer, which need not parse.
"""

from __future__ import annotations

import re
from typing import Sequence

from flake8_ssot.span import Span, split_lines

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_KEY = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_DOTTED_KEY = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED_KEY})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED_KEY})\s*\]")
_KEY_LINE = re.compile(rf"^\s*({_DOTTED_KEY})\s*=")
_KEY_AT = re.compile(rf"({_DOTTED_KEY})\s*=\s*")
_KEY_PART = re.compile(rf'\s*({_KEY})\s*|\[(\d+)\]')
_INDEX = re.compile(r"\[(\d+)\]")


def key_components(key_path: str) -> list[str]:
    """`tool.ssot.legacy."pkg.x".fix` -> [tool, ssot, legacy, pkg.x, fix]; `[1]` stays "[1]"."""
    parts, position = [], 0
    while position < len(key_path):
        if key_path[position] == ".":
            position += 1
            continue
        found = _KEY_PART.match(key_path, position)
        if found is None or found.end() == position:
            break
        if found.group(2) is not None:
            parts.append(f"[{found.group(2)}]")
        else:
            parts.append(_unquote(found.group(1)))
        position = found.end()
    return parts


def _unquote(key: str) -> str:
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'":
        inner = key[1:-1]
        return inner.encode("utf-8").decode("unicode_escape") if key[0] == '"' and "\\" in inner else inner
    return key


def _dotted(text: str) -> list[str]:
    return [_unquote(part.strip()) for part in re.findall(rf"\s*({_KEY})\s*", text)]


def locate_key(text: str, key_path: str) -> Span:
    """The span (character columns) from the key `key_path` names to the end of its line.

    A line scores by how many leading components of the key path its table header and key
    spell; from the best line's key the search goes on into the value, through array elements
    (`src[1]`, also across lines) and inline tables (`{ use = "...", fix = "..." }`). A key
    that is not in the text (a missing one) gives the deepest table or key that is. Whole-file
    problems (no key path) point at the first line.
    """
    lines = split_lines(text)
    if not key_path:
        return _line_span(lines, 1, 0)
    target = key_components(key_path)
    header: list[str] = []
    array_counts: dict[tuple[str, ...], int] = {}
    best: tuple[int, int] = (1, 0)  # (line, column)
    best_score, best_is_key = 0, False
    for number, line in enumerate(lines, start=1):
        array = _ARRAY_HEADER.match(line)
        table = None if array else _TABLE_HEADER.match(line)
        if array or table:
            keys = _dotted((array or table).group(1))
            if array:
                index = array_counts.get(tuple(keys), 0)
                array_counts[tuple(keys)] = index + 1
                keys = [*keys, f"[{index}]"]
            header = keys
            path, column, is_key = keys, len(line) - len(line.lstrip()), False
        else:
            found = _KEY_LINE.match(line)
            if found is None:
                continue
            path, column, is_key = [*header, *_dotted(found.group(1))], found.start(1), True
        score = _common_prefix(path, target)
        if score > best_score:
            best, best_score, best_is_key = (number, column), score, is_key and score == len(path)
    if best_is_key and best_score < len(target):
        best = _into_value(lines, best, target[best_score:])
    return _line_span(lines, *best)


def _into_value(lines: Sequence[str], key: tuple[int, int], rest: Sequence[str]) -> tuple[int, int]:
    """From a key's position, follow `rest` (element indexes and keys) into its value; the
    deepest position reached."""
    text = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    offset = starts[key[0] - 1] + key[1]
    assignment = _KEY_AT.match(text, offset)
    if assignment is None:
        return key
    value, reached = assignment.end(), offset
    for component in rest:
        index = _INDEX.fullmatch(component)
        if index is not None and text.startswith("[", value):
            found = _element(text, value, int(index.group(1)))
        elif index is None and text.startswith("{", value):
            found = _inline_key(text, value, component)
        else:
            break
        if found is None:
            break
        reached, value = found
    line = max(number for number, start in enumerate(starts, start=1) if start <= reached)
    return line, reached - starts[line - 1]


def _element(text: str, opening: int, wanted: int) -> tuple[int, int] | None:
    """(start, start) of the `wanted`-th element of the array opening at `opening`."""
    for number, start, _ in _items(text, opening):
        if number == wanted:
            return start, start
    return None


def _inline_key(text: str, opening: int, wanted: str) -> tuple[int, int] | None:
    """(where the key starts, where its value starts) of `wanted` in the inline table at `opening`."""
    for _, start, _ in _items(text, opening):
        found = _KEY_AT.match(text, start)
        if found is not None and _dotted(found.group(1)) == [wanted]:
            return start, found.end()
    return None


def _items(text: str, opening: int):
    """(number, start, end) of each top-level item of the array or inline table opening at
    `opening`: items are split at commas outside strings, comments and nested brackets."""
    depth, position, number, start = 0, opening + 1, 0, None
    while position < len(text):
        char = text[position]
        if char == "#":
            end = text.find("\n", position)
            position = len(text) if end < 0 else end
            continue
        if char in "\"'":
            if start is None:
                start = position
            position = _string_end(text, position)
            continue
        if char in "[{":
            if depth == 0 and start is None:
                start = position
            depth += 1
        elif char in "]}":
            if depth == 0:
                if start is not None:
                    yield number, start, position
                return
            depth -= 1
        elif char == "," and depth == 0:
            if start is not None:
                yield number, start, position
            number, start = number + 1, None
        elif not char.isspace() and start is None:
            start = position
        position += 1


def _string_end(text: str, position: int) -> int:
    """Just past the TOML string starting at `position` (basic, literal, multi-line)."""
    quote = text[position]
    if text.startswith(quote * 3, position):
        end = text.find(quote * 3, position + 3)
        if quote == '"':
            while end > 0 and _escaped(text, end):
                end = text.find(quote * 3, end + 1)
        return len(text) if end < 0 else end + 3
    position += 1
    while position < len(text) and text[position] not in (quote, "\n"):
        position += 2 if quote == '"' and text[position] == "\\" else 1
    return position + 1


def _escaped(text: str, position: int) -> bool:
    slashes = 0
    while position - slashes - 1 >= 0 and text[position - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1


def toml_error_span(text: str, problem: str) -> Span:
    """Where tomllib said a syntax error is ("... (at line 3, column 5)"), else the first line."""
    lines = split_lines(text)
    found = _TOML_POSITION.search(problem)
    if found is None:
        return _line_span(lines, 1, 0)
    line = max(min(int(found.group(1)), len(lines)), 1)
    column = int(found.group(2)) - 1
    if column >= len(lines[line - 1].rstrip()):
        column = 0  # at the end of the line: mark the whole line rather than an empty range
    return _line_span(lines, line, column)


def _line_span(lines: Sequence[str], line: int, column: int) -> Span:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    end = len(text.rstrip())
    column = min(max(column, len(text) - len(text.lstrip())), end)
    return Span(line, column, line, end)


def _common_prefix(path: Sequence[str], target: Sequence[str]) -> int:
    count = 0
    for have, want in zip(path, target):
        if have != want:
            break
        count += 1
    return count
