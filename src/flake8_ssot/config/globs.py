"""File globs (`allow`, `exclude`, `per-file-ignores`), matched relative to the configuration root.

gitignore-style semantics through pathspec: `tests/**` is anchored, a pattern without a
slash (`conftest.py`) matches at any depth.
"""

from __future__ import annotations

import contextlib
import os
from typing import Iterable, Iterator


class InvalidGlob(ValueError):
    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(f"{pattern!r}: {reason}")
        self.pattern, self.reason = pattern, reason


class GlobSet:
    """Patterns, compiled by pathspec when made (a bad one is a configuration error then), or,
    while `patterns_proven` holds, when first matched: pathspec's import alone is 20-25 ms,
    which a run after an edit that matches no glob need not pay."""

    __slots__ = ("patterns", "root", "_spec")

    def __init__(self, patterns: Iterable[str] = (), root: str = "") -> None:
        self.patterns = tuple(patterns)
        self.root = root
        self._spec = _LATER if _proven and self.patterns else self._compiled()

    def _compiled(self):
        for pattern in self.patterns:
            if pattern.count("[") != pattern.count("]"):
                raise InvalidGlob(pattern, "unbalanced '[' ']'")
        if not self.patterns:
            return None
        import pathspec

        try:
            return pathspec.GitIgnoreSpec.from_lines(self.patterns)
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
        spec = self._spec
        if spec is _LATER:
            spec = self._spec = self._compiled()
        if spec is None:
            return False
        relative = relative_to(path, self.root)
        return spec.match_file(relative + "/" if is_dir else relative)


_LATER = object()  # (a GlobSet's spec, compiled when first matched)
_proven = False


@contextlib.contextmanager
def patterns_proven(proven: bool) -> Iterator[None]:
    """While it holds, with `proven`, the globs made are compiled when first matched: the
    caller knows that each was compiled already, by a run that read the same configuration
    files and command line (a replay record's, replay.py) and would have stopped had one not."""
    global _proven
    saved, _proven = _proven, proven
    try:
        yield
    finally:
        _proven = saved


def relative_to(path: str, root: str) -> str:
    absolute = os.path.abspath(path)
    if root and (absolute.startswith(root + os.sep)):
        absolute = absolute[len(root) + 1:]
    return absolute.replace(os.sep, "/")


def _invalid(pattern: str) -> bool:
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except Exception:
        return True
    return False
