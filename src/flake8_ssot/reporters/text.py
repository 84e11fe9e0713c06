"""`full` (ruff-style: the source line with a caret under the violation) and `concise`
(`path:line:column: CODE message`). Columns are 1-based characters. A diagnostic that `--fix`
would fix is marked `CODE [*]`, as ruff marks it."""

from __future__ import annotations

import unicodedata
from typing import Sequence

from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.reporters import Report

CONTEXT = 1  # source lines shown above and below the violation


def headline(report: Report, path: str, diagnostic: Diagnostic, fixable: bool = False) -> str:
    location = f"{report.line_path(path)}:{diagnostic.line}:{diagnostic.column + 1}"
    return f"{location}: {code_and_message(diagnostic, fixable)}"


def code_and_message(diagnostic: Diagnostic, fixable: bool = False) -> str:
    """`CODE [*] [warning] message`, as `concise` and `grouped` print it."""
    mark = " [*]" if fixable else ""
    severity = " [warning]" if diagnostic.severity == "warning" else ""
    return f"{diagnostic.code}{mark}{severity} {diagnostic.message}"


def render_concise(report: Report) -> str:
    return "".join(
        headline(report, result.path, d, report.marked(result, d)) + "\n" for result, d in report.diagnostics()
    )


def render_full(report: Report) -> str:
    blocks = []
    for result in report.results:
        if not result.diagnostics:
            continue
        lines = report.lines_of(result.path)
        for diagnostic in result.diagnostics:
            block = [headline(report, result.path, diagnostic, report.marked(result, diagnostic))]
            if lines:
                block.extend(snippet(lines, diagnostic))
            blocks.append("\n".join(block) + "\n")
    return "\n".join(blocks)


def snippet(lines: Sequence[str], diagnostic: Diagnostic) -> list[str]:
    span = diagnostic.span
    if not 1 <= span.line <= len(lines):
        return []
    first = max(1, span.line - CONTEXT)
    last = min(len(lines), span.line + CONTEXT)
    width = len(str(last))
    gutter = " " * width + " |"
    out = [gutter]
    for number in range(first, last + 1):
        text = lines[number - 1].rstrip("\r\n")
        out.append(f"{number:>{width}} | {text}".rstrip())
        if number == span.line:
            end = span.end_column if span.end_line == span.line else len(text)
            end = max(end, span.column + 1)
            marker = _indent(text[:span.column]) + "^" * max(1, display_width(text[span.column:end]))
            out.append(f"{gutter} {marker} {diagnostic.code}")
    out.append(gutter)
    return out


def _indent(prefix: str) -> str:
    """Blank space as wide on screen as `prefix`, keeping its tabs so carets line up."""
    return "".join("\t" if char == "\t" else " " * display_width(char) for char in prefix)


def display_width(text: str) -> int:
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width
