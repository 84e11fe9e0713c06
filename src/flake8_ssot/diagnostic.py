"""What a rule reports: a `Diagnostic` with an optional `Fix` made of text `Edit`s."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from flake8_ssot.span import Span

SAFE = "safe"
UNSAFE = "unsafe"


@dataclass(frozen=True)
class Edit:
    span: Span
    replacement: str


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    applicability: str = SAFE  # "safe" or "unsafe"
    description: str = ""


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    # The dotted path the violation is about (legacy path, factory class, canonical
    # symbol, deprecated export), used by statistics and baselines.
    subject: str = ""
    severity: str = "error"  # "error" or "warning"
    fix: Fix | None = None
    # Normalised text of the statement, a stable baseline key that survives line moves.
    statement: str = ""
    # Where the canonical replacement is defined, when the rule knows it.
    canonical: str = field(default="", compare=False)

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    def sort_key(self) -> tuple:
        return (self.span.line, self.span.column, self.code, self.message)


def is_fixable(diagnostic: Diagnostic, unsafe: bool = False) -> bool:
    """Would `--fix` (with `--unsafe-fixes` when `unsafe`) apply this diagnostic's fix?"""
    fix = diagnostic.fix
    return fix is not None and bool(fix.edits) and (unsafe or fix.applicability == SAFE)


def count_fixable(diagnostics: Iterable[Diagnostic], unsafe: bool = False) -> tuple[int, int]:
    """(fixable now, fixable only with --unsafe-fixes): the numbers a summary reports."""
    fixable = hidden = 0
    for diagnostic in diagnostics:
        if is_fixable(diagnostic, unsafe):
            fixable += 1
        elif is_fixable(diagnostic, unsafe=True):
            hidden += 1
    return fixable, hidden
