"""`json` (one array, ruff's field names) and `json-lines` (one object per line).

Rows and columns are 1-based; columns count characters; `end_location` is exclusive.
"""

from __future__ import annotations

import json

from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.reporters import Report
from flake8_ssot.span import Span


def _location(line: int, column: int) -> dict:
    return {"row": line, "column": column + 1}


def diagnostic_object(path: str, diagnostic: Diagnostic) -> dict:
    span: Span = diagnostic.span
    fix = None
    if diagnostic.fix is not None:
        fix = {
            "applicability": diagnostic.fix.applicability,
            "message": diagnostic.fix.description or None,
            "edits": [
                {
                    "content": edit.replacement,
                    "location": _location(edit.span.line, edit.span.column),
                    "end_location": _location(edit.span.end_line, edit.span.end_column),
                }
                for edit in diagnostic.fix.edits
            ],
        }
    return {
        "code": diagnostic.code,
        "message": diagnostic.message,
        "severity": diagnostic.severity,
        "filename": path,
        "location": _location(span.line, span.column),
        "end_location": _location(span.end_line, span.end_column),
        "subject": diagnostic.subject or None,
        "canonical": diagnostic.canonical or None,
        "fix": fix,
    }


def objects(report: Report) -> list[dict]:
    return [diagnostic_object(result.path, diagnostic) for result, diagnostic in report.diagnostics()]


def render_json(report: Report) -> str:
    return json.dumps(objects(report), indent=2, ensure_ascii=False) + "\n"


def render_json_lines(report: Report) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in objects(report))
