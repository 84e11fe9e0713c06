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
        for word, regex in (self._bytes if is_bytes else self._str):
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
