"""What a rule reports: a `Diagnostic` with an optional `Fix` made of text `Edit`s."""

from __future__ import annotations

from dataclasses import dataclass, field

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
