"""`pylint`: `path:line: [CODE] message`, one line per violation, as flake8's and ruff's
pylint formats print it for tools that parse pylint's parseable output (no column)."""

from __future__ import annotations

from flake8_ssot.reporters import Report


def render(report: Report) -> str:
    return "".join(
        f"{report.line_path(result.path)}:{diagnostic.line}: [{diagnostic.code}] {diagnostic.message}\n"
        for result, diagnostic in report.diagnostics()
    )
