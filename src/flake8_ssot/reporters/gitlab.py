"""`gitlab`: a Code Quality report (a JSON array) for merge-request widgets.

Paths are relative to `$CI_PROJECT_DIR` (else the working directory). The fingerprint
hashes the path, code, subject, the statement's normalised text and its occurrence index,
never the line, so a violation keeps its identity when code above it moves.
"""

from __future__ import annotations

import hashlib
import json
import os

from flake8_ssot.reporters import Report

SEVERITIES = {"error": "major", "warning": "minor"}


def fingerprint(path: str, code: str, subject: str, statement: str, occurrence: int) -> str:
    text = "\0".join((path, code, subject, statement, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def render(report: Report) -> str:
    base = os.environ.get("CI_PROJECT_DIR") or report.cwd
    issues = []
    occurrences: dict[tuple, int] = {}
    for result, diagnostic in report.diagnostics():
        path = report.uri_path(result.path, base)
        key = (path, diagnostic.code, diagnostic.subject, diagnostic.statement or diagnostic.message)
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        issues.append({
            "description": f"{diagnostic.code}: {diagnostic.message}",
            "check_name": diagnostic.code,
            "fingerprint": fingerprint(*key, occurrence),
            "severity": SEVERITIES.get(diagnostic.severity, "major"),
            "location": {
                "path": path,
                "lines": {"begin": diagnostic.span.line, "end": diagnostic.span.end_line},
            },
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
