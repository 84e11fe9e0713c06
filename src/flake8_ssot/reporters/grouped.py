"""`grouped`: ruff's layout by file, the path once, then `line:column CODE message` under it
with the line numbers right-aligned and the columns padded, a blank line after each file.

Columns are 1-based characters; `[*]` marks what `--fix` would fix, as in `concise`.
"""

from __future__ import annotations

from flake8_ssot.reporters import Report
from flake8_ssot.reporters.text import code_and_message


def render(report: Report) -> str:
    out = []
    for result in report.results:
        if not result.diagnostics:
            continue
        line_width = max(len(str(d.line)) for d in result.diagnostics)
        column_width = max(len(str(d.column + 1)) for d in result.diagnostics)
        out.append(f"{report.line_path(result.path)}:\n")
        for diagnostic in result.diagnostics:
            line, column = str(diagnostic.line), str(diagnostic.column + 1)
            out.append(
                f"  {line:>{line_width}}:{column:<{column_width}} "
                f"{code_and_message(diagnostic, report.marked(result, diagnostic))}\n"
            )
        out.append("\n")
    return "".join(out)
