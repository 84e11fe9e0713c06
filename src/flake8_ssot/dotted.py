"""Dotted paths: validation, wildcard matching (most specific key wins), file -> module name.

Pure functions over strings and paths; nothing here reads configuration files.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from typing import Generic, Iterable, Iterator, TypeVar

_COMPONENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_WILD_COMPONENT = re.compile(r"^[A-Za-z0-9_*?\[\]!]+$")
WILDCARD_CHARS = frozenset("*?[")

T = TypeVar("T")


def is_dotted_path(text: str) -> bool:
    return bool(text) and all(_COMPONENT.match(part) for part in text.split("."))


def is_wildcard(text: str) -> bool:
    return any(char in WILDCARD_CHARS for char in text)


def is_dotted_pattern(text: str) -> bool:
    """A dotted path whose components may carry fnmatch wildcards (`pkg.ws.legacy_*`)."""
    return bool(text) and all(
        _COMPONENT.match(part) or (_WILD_COMPONENT.match(part) and is_wildcard(part))
        for part in text.split(".")
    )


def prefixes(path: str) -> Iterator[str]:
    """`a.b.c`, `a.b`, `a`: the path and its parents, longest first."""
    while path:
        yield path
        dot = path.rfind(".")
        path = path[:dot] if dot != -1 else ""


def last_literal_run(pattern: str) -> str:
    """The longest wildcard-free run in the last component, for text prefilters."""
    last = pattern.rsplit(".", 1)[-1]
    runs = re.split(r"[*?]|\[[^\]]*\]", last)
    return max(runs, key=len)


@dataclass(frozen=True)
class Match(Generic[T]):
    entry: T
    key: str  # the configuration key that matched
    matched: str  # the prefix of the looked-up path that the key matched
    rest: str  # what follows the matched prefix ("" or ".x.y")


class PathTable(Generic[T]):
    """Dotted-path keys (some with wildcards) -> entries.

    `lookup(path)` returns the entry whose key matches the longest prefix of `path`;
    among keys matching the same prefix an exact key beats a wildcard, and a wildcard
    with more literal characters beats one with fewer.
    """

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self.exact: dict[str, T] = {}
        self.wild: list[tuple[str, T]] = []
        for key, entry in entries:
            if is_wildcard(key):
                self.wild.append((key, entry))
            else:
                self.exact[key] = entry
        self.wild.sort(key=lambda item: -len(item[0].replace("*", "").replace("?", "")))
        self._wild_depths = {key.count(".") for key, _ in self.wild}

    def __bool__(self) -> bool:
        return bool(self.exact or self.wild)

    def __len__(self) -> int:
        return len(self.exact) + len(self.wild)

    def items(self) -> Iterator[tuple[str, T]]:
        yield from self.exact.items()
        yield from self.wild

    def lookup(self, path: str) -> Match[T] | None:
        for prefix in prefixes(path):
            entry = self.exact.get(prefix)
            if entry is not None:
                return Match(entry, prefix, prefix, path[len(prefix):])
            if self.wild and prefix.count(".") in self._wild_depths:
                for key, wild_entry in self.wild:
                    if fnmatch.fnmatchcase(prefix, key) and key.count(".") == prefix.count("."):
                        return Match(wild_entry, key, prefix, path[len(prefix):])
        return None

    def get_exact(self, path: str) -> T | None:
        return self.exact.get(path)


def module_name(path: str, roots: Iterable[str]) -> tuple[str, bool]:
    """The dotted module name of a file, from the most specific source root that holds it.

    Returns (name, is_package). Roots and path are absolute, normalised paths.
    """
    best = ""
    for root in roots:
        if (path.startswith(root + os.sep) or path == root) and len(root) > len(best):
            best = root
    if best and path != best:
        # `path` is normalised and starts with `best` + separator: slicing is what relpath
        # would compute, without its two abspath calls (this runs once per file checked).
        relative = path[len(best):].lstrip(os.sep)
    elif best:
        relative = os.path.relpath(path, best)
    else:  # under no root (`src` names other directories): its packages, as Python would import it
        relative = os.path.relpath(path, package_top(path))
    parts = relative.replace(os.sep, "/").split("/")
    stem, _, _ = parts[-1].rpartition(".")
    parts[-1] = stem or parts[-1]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    parts = [part for part in parts if part not in ("", ".")]
    return ".".join(parts), is_package


def package_top(path: str) -> str:
    """The directory above the outermost package holding the file `path` (a package: a
    directory with an `__init__.py`); the file's own directory when it is in no package."""
    directory = os.path.dirname(path)
    while os.path.isfile(os.path.join(directory, "__init__.py")) and os.path.dirname(directory) != directory:
        directory = os.path.dirname(directory)
    return directory


def resolve_relative(module: str | None, level: int, current: str, is_package: bool) -> str | None:
    """Resolve `from .x import y` (level 1, module "x") against the current module name."""
    if level == 0:
        return module
    package = current if is_package else current.rpartition(".")[0]
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (level - 1)]
    if module:
        base.append(module)
    return ".".join(base) or None
