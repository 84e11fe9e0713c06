"""`rdjson`: the Reviewdog Diagnostic Format (one `DiagnosticResult` object) for `reviewdog
-f=rdjson`, which posts the violations as pull-request review comments and their fixes as
suggested changes.

Lines are 1-based; columns are 1-based UTF-8 byte counts, as reviewdog's `Position` defines
them, and range ends are exclusive. Every fix, safe or not, is offered as suggestions: a
reviewer applies them by hand.
"""

from __future__ import annotations

import json
from typing import Sequence

from flake8_ssot.reporters import INFORMATION_URI, Report
from flake8_ssot.rules.docs import rule_url
from flake8_ssot.span import Span

SEVERITIES = {"error": "ERROR", "warning": "WARNING"}


def _position(lines: Sequence[str] | None, line: int, column: int) -> dict:
    if lines is not None and 0 < line <= len(lines):
        column = len(lines[line - 1][:column].encode("utf-8"))
    return {"line": line, "column": column + 1}


def _range(lines: Sequence[str] | None, span: Span) -> dict:
    return {"start": _position(lines, span.line, span.column), "end": _position(lines, span.end_line, span.end_column)}


def render(report: Report) -> str:
    diagnostics = []
    for result in report.results:
        lines = report.lines_of(result.path) if result.diagnostics else None
        for diagnostic in result.diagnostics:
            item = {
                "message": diagnostic.message,
                "location": {"path": report.uri_path(result.path), "range": _range(lines, diagnostic.span)},
                "severity": SEVERITIES.get(diagnostic.severity, "ERROR"),
                "code": {"value": diagnostic.code, "url": rule_url(diagnostic.code)},
            }
            if diagnostic.fix is not None and diagnostic.fix.edits:
                item["suggestions"] = [
                    {"range": _range(lines, edit.span), "text": edit.replacement} for edit in diagnostic.fix.edits
                ]
            diagnostics.append(item)
    document = {"source": {"name": "ssot", "url": INFORMATION_URI}, "diagnostics": diagnostics}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
