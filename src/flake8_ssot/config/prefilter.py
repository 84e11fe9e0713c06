"""The sound text prefilter: can any rule fire in this file? False means nothing to report.

Every violation spells the last component of a configured path as a whole identifier
somewhere in the file (an import, attribute, call, string or definition), or inherits it
from the file's own module name through a relative import; `__all__` matters only in
modules listed under deprecated-exports; pattern rules contribute their literal words.
In strict mode (the flake8 plugin) a word counts only where the file can reach the
top-level package of a path ending in it: the first component occurs as a whole word too,
or the file is in that package (relative imports); `List` in a docstring cannot be
`typing.List` without `typing` (see `_requirement`). Like the words themselves, this
assumes a path is spelled in one piece, not split by implicit string concatenation.
A substring search (C speed) finds candidates; a literal-first regex then confirms a
whole-word occurrence, so `imp` is not found in every `import`. Works on `str` and on raw
bytes: anchors are ASCII and every Python source encoding is ASCII-compatible.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_IDENTIFIER_CHAR = "A-Za-z0-9_"


def _whole_word(word: str) -> str:
    # The literal comes first so the regex engine can skip ahead with a fast search;
    # the look-behind repeats the word to check the character before it.
    escaped = re.escape(word)
    return f"{escaped}(?![{_IDENTIFIER_CHAR}])(?<![{_IDENTIFIER_CHAR}]{escaped})"


@dataclass(frozen=True)
class Prefilter:
    words: tuple[str, ...]  # must occur as whole identifiers
    fragments: tuple[str, ...]  # must occur as substrings (literal runs of wildcard keys)
    export_modules: frozenset[str]
    everything: bool  # a rule without a literal anchor: every file may match

    @classmethod
    def build(cls, words, fragments, export_modules, everything: bool, requires=None) -> "Prefilter":
        """`requires`: word -> the first components of the configured paths it ends (see
        `_requirement`); a word missing from it, or mapped to None, needs nothing more."""
        prefilter = cls(tuple(sorted(set(words))), tuple(sorted(set(fragments))),
                        frozenset(export_modules), everything)
        object.__setattr__(prefilter, "_fragment_bytes", [f.encode("ascii") for f in prefilter.fragments])
        requires = dict(requires or {})
        object.__setattr__(prefilter, "requires", {
            word: tuple(sorted(firsts)) for word, firsts in requires.items()
            if firsts is not None and word in prefilter.words and word not in firsts
        })
        groups = anchor_groups(prefilter.words)

        def member(word: str, as_bytes: bool):
            firsts = prefilter.requires.get(word)
            requirement = None if firsts is None else tuple(
                (first, first.encode("ascii") if as_bytes else first,
                 re.compile(_whole_word(first).encode("ascii") if as_bytes else _whole_word(first)))
                for first in firsts
            )
            regex = re.compile(_whole_word(word).encode("ascii") if as_bytes else _whole_word(word))
            return (word.encode("ascii") if as_bytes else word), regex, requirement

        object.__setattr__(prefilter, "_str_groups", [
            (anchor, tuple(member(w, False) for w in members)) for anchor, members in groups
        ])
        object.__setattr__(prefilter, "_bytes_groups", [
            (anchor.encode("ascii"), tuple(member(w, True) for w in members)) for anchor, members in groups
        ])
        return prefilter

    def may_match(self, text: str | bytes, module: str, strict: bool = False) -> bool:
        """`strict` also asks for the word's top-level package (see `_requirement`): it rules
        out more files, which then are not parsed at all (their syntax errors are neither
        reported nor counted); `ssot check` and the flake8 plugin use it (#16)."""
        if self.everything:
            return True
        is_bytes = isinstance(text, bytes)
        if module in self.export_modules and (b"__all__" if is_bytes else "__all__") in text:
            return True
        for fragment in (self._fragment_bytes if is_bytes else self.fragments):
            if fragment in text:
                return True
        # One substring scan per anchor, shared by the words that contain it; a hit is then
        # confirmed word by word (the whole-word regex starts with its literal, so it is fast).
        for anchor, members in (self._bytes_groups if is_bytes else self._str_groups):
            if anchor in text:
                for word, regex, requirement in members:
                    if (len(members) == 1 or word in text) and regex.search(text):
                        if not strict or requirement is None or _requirement(requirement, text, module):
                            return True
        if module:
            for word in self.words:
                if word in module:
                    return True
            for fragment in self.fragments:
                if fragment in module:
                    return True
        return False


    def region_words(self, module: str) -> tuple[str, ...] | None:
        """What a definition of a broken file must spell to be lowered in full by the
        error-tolerant reading (facts.recovery's region-only recovery), or None to lower
        the whole file: when any file may match (`everything`), or when the module's own name
        holds a word (a relative import can then reach a configured path without spelling it)."""
        if self.everything or any(word in module for word in (*self.words, *self.fragments)):
            return None
        exports = ("__all__",) if module in self.export_modules else ()
        return (*self.words, *self.fragments, *exports)


def _requirement(firsts, text, module: str) -> bool:
    """Does the file reach the top-level package of a path ending in the word found?

    A name resolves to `pkg.x.Word` only through an import, a string or a dynamic import
    that spells `pkg` (the first component, as a whole word), or through a relative import
    inside `pkg` itself (the file's own module is in `pkg`); SSOT005 compares definitions
    only within the canonical symbol's top-level package. So `List` in prose or in
    `from mylib import List` cannot be `typing.List` unless `typing` occurs too.
    """
    for first, spelled, regex in firsts:
        if module and (module == first or module.startswith(first + ".")):
            return True
        if spelled in text and regex.search(text):
            return True
    return False


# Anchors shared by several words are at least this long, so that they stay rare in code.
MIN_SHARED_ANCHOR = 8


def anchor_groups(words) -> list[tuple[str, tuple[str, ...]]]:
    """Substrings to scan for, each with the words containing it; every word is covered.

    Scanning a file costs about the same for every needle, so words that share a long
    substring (`create_websocket_manager`, `unified_manager` and `..._manager_factory` share
    `_manager`) are found with one scan instead of one each. Sound by construction: a word
    that occurs contains its anchor, so the anchor's scan hits and the word is then checked.
    A word sharing nothing is its own anchor. Deterministic (sorted) for a given word set.
    """
    words = sorted(set(words))
    contains: dict[str, set[str]] = {}
    for word in words:
        for start in range(len(word)):
            for end in range(start + MIN_SHARED_ANCHOR, len(word) + 1):
                contains.setdefault(word[start:end], set()).add(word)
    shared = sorted(
        ((anchor, members) for anchor, members in contains.items() if len(members) > 1),
        key=lambda item: (-len(item[1]), -len(item[0]), item[0]),
    )
    groups: list[tuple[str, tuple[str, ...]]] = []
    covered: set[str] = set()
    for anchor, members in shared:
        fresh = sorted(members - covered)
        if len(fresh) > 1:
            groups.append((anchor, tuple(fresh)))
            covered.update(fresh)
    groups.extend((word, (word,)) for word in words if word not in covered)
    return groups
