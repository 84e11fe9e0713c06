"""`github`: workflow commands that GitHub Actions shows as inline annotations.

`::error file=PATH,line=L,col=C,endLine=L,endColumn=C,title=CODE::message`, with 1-based
character columns and the escaping of actions/toolkit (`%`, CR, LF everywhere; `:` and `,`
in properties too).
"""

from __future__ import annotations

from flake8_ssot.reporters import Report


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    out = []
    for result, diagnostic in report.diagnostics():
        span = diagnostic.span
        command = "warning" if diagnostic.severity == "warning" else "error"
        properties = ",".join(
            f"{name}={escape_property(str(value))}"
            for name, value in (
                ("file", report.uri_path(result.path)),
                ("line", span.line),
                ("col", span.column + 1),
                ("endLine", span.end_line),
                ("endColumn", span.end_column + 1),
                ("title", diagnostic.code),
            )
        )
        out.append(f"::{command} {properties}::{escape_data(diagnostic.message)}\n")
    return "".join(out)
