"""File globs (`allow`, `exclude`, `per-file-ignores`), matched relative to the configuration root.

gitignore-style semantics through pathspec: `tests/**` is anchored, a pattern without a
slash (`conftest.py`) matches at any depth.
"""

from __future__ import annotations

import os
from typing import Iterable

import pathspec


class InvalidGlob(ValueError):
    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"{pattern!r}: {reason}")
        self.pattern, self.reason = pattern, reason


class GlobSet:
    __slots__ = ("patterns", "root", "_spec")

    def __init__(self, patterns: Iterable[str] = (), root: str = "") -> None:
        self.patterns = tuple(patterns)
        self.root = root
        for pattern in self.patterns:
            if pattern.count("[") != pattern.count("]"):
                raise InvalidGlob(pattern, "unbalanced '[' ']'")
        try:
            self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns) if self.patterns else None
        except Exception as error:  # pathspec raises several types for bad patterns
            bad = next((p for p in self.patterns if _invalid(p)), self.patterns[0])
            raise InvalidGlob(bad, str(error)) from None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GlobSet) and (self.patterns, self.root) == (other.patterns, other.root)

    def __hash__(self) -> int:
        return hash((self.patterns, self.root))

    def __repr__(self) -> str:
        return f"GlobSet({list(self.patterns)!r})"

    def matches(self, path: str, is_dir: bool = False) -> bool:
        """`path` is absolute or relative to the working directory; `is_dir` lets
        directory-only patterns (`build/`) match the directory itself."""
        if self._spec is None:
            return False
        relative = relative_to(path, self.root)
        return self._spec.match_file(relative + "/" if is_dir else relative)


def relative_to(path: str, root: str) -> str:
    absolute = os.path.abspath(path)
    if root and (absolute.startswith(root + os.sep)):
        absolute = absolute[len(root) + 1:]
    return absolute.replace(os.sep, "/")


def _invalid(pattern: str) -> bool:
    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except Exception:
        return True
    return False
