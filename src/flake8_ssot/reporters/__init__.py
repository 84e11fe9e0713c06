"""Reporters: checked files and their diagnostics -> one output format.

Diagnostics carry `Span`s (1-based lines, 0-based character columns); each format's own
position convention is applied here, at the edge: 1-based character columns for text,
JSON, SARIF, GitHub, GitLab and Azure; 1-based UTF-8 byte columns for rdjson (reviewdog's
`Position`). Reporters never read configuration or run checks.
"""

from __future__ import annotations

import importlib
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

from flake8_ssot import __version__
from flake8_ssot.checking.runner import FileResult
from flake8_ssot.config import Config
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.paths import display_path, relative_uri

FORMATS = (
    "full", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit",
    "grouped", "pylint", "azure", "rdjson",
)
TEXT_FORMATS = ("full", "concise", "grouped")  # for people: a summary follows, as ruff prints it
INFORMATION_URI = "https://pypi.org/project/flake8-ssot/"


@dataclass
class Report:
    results: Sequence[FileResult]  # every checked file, in output order
    cwd: str
    # The lines of a checked file (for snippets); None if it cannot be read any more.
    lines_of: Callable[[str], Sequence[str] | None] = lambda path: None
    configs: Sequence[Config] = ()  # for the documentation of pattern rules
    version: str = __version__
    # Which diagnostics `full` and `concise` mark `[*]` (`--fix` would fix them), as ruff does.
    fix_marks: Callable[[FileResult, Diagnostic], bool] | None = None
    # The baseline key of each diagnostic of one file (SARIF's fingerprints); the cli passes
    # baseline.keys, which this layer may not import.
    baseline_keys: Callable[[str, Sequence[Diagnostic]], Sequence[tuple]] | None = None

    def display_path(self, path: str) -> str:
        """Relative to the working directory when inside it, as ruff prints paths."""
        return display_path(path, self.cwd)

    def line_path(self, path: str) -> str:
        """`display_path` for the formats that print one line per finding: a line break or
        another control character in a file name is written as its escape (see `one_line`)."""
        return one_line(display_path(path, self.cwd))

    def uri_path(self, path: str, base: str | None = None) -> str:
        """Forward-slash path relative to `base` (default: the working directory)."""
        return relative_uri(path, base or self.cwd)

    def marked(self, result: FileResult, diagnostic: Diagnostic) -> bool:
        return self.fix_marks is not None and self.fix_marks(result, diagnostic)

    def diagnostics(self) -> Iterator[tuple[FileResult, Diagnostic]]:
        for result in self.results:
            for diagnostic in result.diagnostics:
                yield result, diagnostic


def one_line(text: str) -> str:
    """`text` with line breaks, other control characters and lone surrogates (undecodable file
    names) written as Python escapes (`\\n`, `\\x1b`, `\\udcff`): a file name can neither split
    a line nor forge one."""
    if text.isprintable():  # the common case: nothing to escape
        return text
    return "".join(repr(char)[1:-1] if unicodedata.category(char) in _UNPRINTABLE else char for char in text)


_UNPRINTABLE = frozenset({"Cc", "Cs", "Zl", "Zp"})


_RENDERERS = {
    "full": ("text", "render_full"),
    "concise": ("text", "render_concise"),
    "json": ("json_format", "render_json"),
    "json-lines": ("json_format", "render_json_lines"),
    "sarif": ("sarif", "render"),
    "github": ("github", "render"),
    "gitlab": ("gitlab", "render"),
    "junit": ("junit", "render"),
    "grouped": ("grouped", "render"),
    "pylint": ("pylint", "render"),
    "azure": ("azure", "render"),
    "rdjson": ("rdjson", "render"),
}


def render(output_format: str, report: Report) -> str:
    module, function = _RENDERERS[output_format]  # only the reporter asked for is imported
    return getattr(importlib.import_module(f"flake8_ssot.reporters.{module}"), function)(report)
