"""The sound text prefilter: can any rule fire in this file? False means nothing to report.

Every violation spells the last component of a configured path as a whole identifier
somewhere in the file (an import, attribute, call, string or definition), or inherits it
from the file's own module name through a relative import; `__all__` matters only in
modules listed under deprecated-exports; pattern rules contribute their literal words.
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
    def build(cls, words, fragments, export_modules, everything: bool) -> "Prefilter":
        prefilter = cls(tuple(sorted(set(words))), tuple(sorted(set(fragments))),
                        frozenset(export_modules), everything)
        object.__setattr__(prefilter, "_str", [(w, re.compile(_whole_word(w))) for w in prefilter.words])
        object.__setattr__(prefilter, "_bytes", [
            (w.encode("ascii"), re.compile(_whole_word(w).encode("ascii"))) for w in prefilter.words
        ])
        object.__setattr__(prefilter, "_fragment_bytes", [f.encode("ascii") for f in prefilter.fragments])
        groups = anchor_groups(prefilter.words)
        regex_of = dict(prefilter._str)
        object.__setattr__(prefilter, "_str_groups", [
            (anchor, tuple((w, regex_of[w]) for w in members)) for anchor, members in groups
        ])
        regex_of_bytes = dict(prefilter._bytes)
        object.__setattr__(prefilter, "_bytes_groups", [
            (anchor.encode("ascii"), tuple((w.encode("ascii"), regex_of_bytes[w.encode("ascii")]) for w in members))
            for anchor, members in groups
        ])
        return prefilter

    def may_match(self, text: str | bytes, module: str) -> bool:
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
                if len(members) == 1:
                    if members[0][1].search(text):
                        return True
                    continue
                for word, regex in members:
                    if word in text and regex.search(text):
                        return True
        if module:
            for word in self.words:
                if word in module:
                    return True
            for fragment in self.fragments:
                if fragment in module:
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
