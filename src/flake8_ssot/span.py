"""The one position type, and the conversions at the boundaries.

Python's `ast` gives 1-based lines and UTF-8 byte columns; ast-grep gives 0-based lines and
character columns; LSP wants UTF-16 code units. A `Span` stores 1-based lines and 0-based
character columns; everything else is converted here and nowhere else.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Sequence

# Python's line breaks (as `ast` and `tokenize` count lines); str.splitlines() also splits on
# form feeds, U+2028 and others, which would shift every later line.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Lines by Python's line breaks, without them (what `Span` lines index)."""
    return text.split("\n") if "\r" not in text else LINE_BREAK.split(text)


class Span(NamedTuple):
    line: int  # 1-based
    column: int  # 0-based, in characters (code points)
    end_line: int
    end_column: int

    def contains(self, line: int, column: int) -> bool:
        return (self.line, self.column) <= (line, column) <= (self.end_line, self.end_column)


def byte_to_char_column(line_text: str, byte_column: int) -> int:
    """Turn a UTF-8 byte offset within `line_text` into a character offset."""
    if line_text.isascii():
        return byte_column
    return len(line_text.encode("utf-8")[:byte_column].decode("utf-8", errors="replace"))


def char_to_utf16_column(line_text: str, column: int) -> int:
    """Turn a character offset into UTF-16 code units, as LSP counts them by default."""
    prefix = line_text[:column]
    if prefix.isascii():
        return column
    return len(prefix.encode("utf-16-le")) // 2


def utf16_to_char_column(line_text: str, utf16_column: int) -> int:
    if line_text.isascii():
        return utf16_column
    units = 0
    for index, char in enumerate(line_text):
        if units >= utf16_column:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(line_text)


def span_from_ast(node, lines: Sequence[str]) -> Span:
    """The span of an `ast` node; `lines` are the source lines (without line ends)."""
    line, end_line = node.lineno, getattr(node, "end_lineno", None) or node.lineno
    column = _char_column(lines, line, node.col_offset)
    end_offset = getattr(node, "end_col_offset", None)
    end_column = column if end_offset is None else _char_column(lines, end_line, end_offset)
    return Span(line, column, end_line, end_column)


def _char_column(lines: Sequence[str], line: int, byte_column: int) -> int:
    if 0 < line <= len(lines):
        return byte_to_char_column(lines[line - 1], byte_column)
    return byte_column


def span_from_grep(node) -> Span:
    """The span of an ast-grep node (0-based lines, character columns)."""
    where = node.range()
    return Span(where.start.line + 1, where.start.column, where.end.line + 1, where.end.column)
