"""Colour for `full` and `concise` on a terminal, in ruff's styles: the path bold, the `:`
separators cyan, the code bold red, `[*]` cyan, the caret line red.

`--color auto` (the default) colours only a terminal; `NO_COLOR` (non-empty) turns it off and
`FORCE_COLOR` (non-empty) on, `NO_COLOR` winning (no-color.org, force-color.org);
`--color always|never` beats both. Piped output is never coloured in auto mode, so a report
redirected to a file is byte-for-byte what `--color never` prints.
"""

from __future__ import annotations

import os
import re
from typing import Iterable, TextIO

BOLD, RED_BOLD, CYAN, RED, RESET = "\x1b[1m", "\x1b[1;31m", "\x1b[36m", "\x1b[31m", "\x1b[0m"
CHOICES = ("auto", "always", "never")
# `PATH:LINE:COL: CODE`, then ` [*]` when --fix would fix it; PATH is checked against the report.
_HEADER = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<code>[A-Z]+[0-9]+)(?P<mark> \[\*\])?")
_CARETS = re.compile(r"^(?P<gutter>\s*\|\s*)(?P<carets>\^+)")


def wanted(choice: str, stream: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def coloured(text: str, paths: Iterable[str]) -> str:
    """`text` with each finding's header and caret line styled; `paths` are the report's own
    spellings of the checked files, so a source line that looks like a header stays plain."""
    known = set(paths)
    lines = text.split("\n")
    for index, line in enumerate(lines):
        header = _HEADER.match(line)
        if header is not None and header.group("path") in known:
            mark = f" {CYAN}[*]{RESET}" if header.group("mark") else ""
            lines[index] = (
                f"{BOLD}{header.group('path')}{RESET}{CYAN}:{RESET}{header.group('line')}{CYAN}:{RESET}"
                f"{header.group('column')}{CYAN}:{RESET} {RED_BOLD}{header.group('code')}{RESET}{mark}"
                + line[header.end():]
            )
            continue
        carets = _CARETS.match(line)
        if carets is not None:
            lines[index] = f"{carets.group('gutter')}{RED}{line[carets.end('gutter'):]}{RESET}"
    return "\n".join(lines)
