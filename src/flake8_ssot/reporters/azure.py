"""`azure`: Azure Pipelines logging commands, which the build summary shows as errors and
warnings on the file and line:

`##vso[task.logissue type=error;sourcepath=PATH;linenumber=L;columnnumber=C;code=CODE;]message`

Columns are 1-based characters. Values are escaped as azure-pipelines-task-lib escapes
them (`%`, CR and LF everywhere; `;` and `]` in properties too), so a path or message can
neither end the command early nor start a second one.
"""

from __future__ import annotations

from flake8_ssot.reporters import Report


def escape_data(text: str) -> str:
    return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace("]", "%5D").replace(";", "%3B")


def render(report: Report) -> str:
    out = []
    for result, diagnostic in report.diagnostics():
        kind = "warning" if diagnostic.severity == "warning" else "error"
        properties = "".join(
            f"{name}={escape_property(str(value))};"
            for name, value in (
                ("type", kind),
                ("sourcepath", report.uri_path(result.path)),
                ("linenumber", diagnostic.line),
                ("columnnumber", diagnostic.column + 1),
                ("code", diagnostic.code),
            )
        )
        out.append(f"##vso[task.logissue {properties}]{escape_data(diagnostic.message)}\n")
    return "".join(out)
