"""Which names can be a class under another name (`ProjectIndex.renamed`): SSOT002 finds a
factory-only class called through a re-export that renames it (`Context = UserExecutionContext`
in `app/context.py`, then `from app.context import Context; Context(...)`), issue #14.

Finding those calls meant resolving, through the index, every name a checked file imports from
the class's package and calls: one module summary (a parse) per module imported, about 3,200 on
the 10M-line benchmark tree, nearly all of them ordinary functions (#16). One pass over the
tree's text, before the checks, gives the few names that can be such an alias instead.

Why the set is complete. `ProjectIndex.resolve` follows a chain of module-level bindings, each
read from a module's summary: `from m import W as Y` (target `m.W`), `Y = path.W` (an alias:
the path's last step is the attribute `W` of a module), a star import (same name), until a
definition. The name changes only at a binding whose target's last component differs from the
name it binds. So a chain that starts at `m.X` and ends at the definition of a class `C` passes
through names `X = Y_k <- ... <- Y_0 = C`, each bound from the one before: `X` is in the
closure of `names` under "a module of the tree binds Y with a target whose last component is in
the set" (`renamed_aliases`). Every such binding spells its target's last component `W` in its
module's text, either followed by `as` (an import's alias) or inside an assignment's value:
after an `=` on its line, or at the start of a line (after brackets and a dotted prefix: a
value continued from the line before). `may_rename` accepts every occurrence of `W` in those
positions (and more); only the files it accepts are summarised, and their summaries decide.

The set depends on every file of the tree, not on the few a check reads: checking/renamed.py
decides when a run computes it and how the cache stays right when it does (every check has it,
and so does the flake8 plugin), and server/renamed.py how the editor's stays right as buffers
and files change.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

from flake8_ssot.files import file_texts
from flake8_ssot.index.summary import Summary, summarise_module_level

if TYPE_CHECKING:
    from flake8_ssot.index import ProjectIndex

# After the word: an import's ` as ` (spaces, continuations or comments in between).
_AS = re.compile(rb"(?:\s|\\|#[^\n]*(?![^\n]))+as(?!\w)")  # a comment runs to its line's end
# After the word, on its line: a call (`W(...)` builds, it does not name).
_CALL = re.compile(rb"[ \t]*\(")
# Before the word, on its line: an assignment's `=` (not `==`, `!=`, `<=`, `>=`).
_ASSIGN = re.compile(rb"(?<![=!<>])=(?!=)")
# Before the word, on its line: nothing but brackets, spaces and a dotted prefix (`pkg.mod.`).
_LINE_START = re.compile(rb"[ \t(\[{,\\]*(?:\w+[ \t]*\.[ \t]*)*")


def may_rename(data: bytes, word: bytes) -> bool:
    """Can `data` (a file's text) bind another name with a target ending in `word`?"""
    size = len(word)
    start = data.find(word)
    while start >= 0:
        end = start + size
        before = data[start - 1:start] if start else b""
        after = data[end:end + 1]
        if not (before.isalnum() or before == b"_" or after.isalnum() or after == b"_"):
            if _AS.match(data, end):
                return True
            if not _CALL.match(data, end):
                line = data.rfind(b"\n", 0, start) + 1
                prefix = data[line:start]
                if _ASSIGN.search(prefix) or _LINE_START.fullmatch(prefix):
                    return True
        start = data.find(word, end)
    return False


def renames_of(summary: Summary, known: Iterable[str]) -> set[str]:
    """The names `summary`'s module binds, at module level, to a target whose last component
    is in `known`, under a name that is not."""
    known = set(known)
    found = set()
    for name, kind, target in summary.bindings:
        if kind in ("from", "alias") and target and name not in known and target.rpartition(".")[2] in known:
            found.add(name)
    return found


# A round of `renamed_aliases` over some files, in parts perhaps: (files, words, found) -> each
# name it adds with where (`grow_in`: the file that bound it, the last file of its part).
Rounds = Callable[[Sequence[str], Sequence[bytes], frozenset], "dict[str, list[tuple[str, str]]]"]


def renamed_aliases(index: ProjectIndex, names: Iterable[str], rounds: Rounds | None = None) -> frozenset[str]:
    """`names` and every name a module of the tree binds to one of them under another name,
    followed through renames of renames (the closure in the module docstring).

    A round reads files (`grow_in`) and looks in each for the names known when it gets there:
    a name found in one file is looked for in the files after it, in the same read. The next
    round reads only the files some new name was not looked for in (those up to the first that
    bound it, and the other part's, when the round was split): each file is still searched for
    each name of the closure once the name is known, so the closure is the one a round per
    level of renaming found, each re-reading the whole tree (two reads on the 10M-line
    benchmark tree, where the names are bound in files a fifth of the way in). The last
    round finds none. `rounds(files, words, found)` runs a round over the files, in parts
    perhaps (checking/renamed.py splits it between two processes)."""
    found = set(names)
    files = index._python_files()
    scan = rounds or (lambda part, words, known: grow_in(index, part, words, known))
    todo, frontier = files, sorted(found)
    while frontier:
        discovered = scan(todo, [word.encode() for word in frontier], frozenset(found))
        grown = {name: spots for name, spots in discovered.items() if name not in found}
        if not grown:
            break
        found.update(grown)
        # The files of this round each new name was looked for in: after the file that bound
        # it, to the end of that file's part. A file where every new name was is done with them.
        position = {path: number for number, path in enumerate(todo)}
        searched: set[int] | None = None
        for spots in grown.values():
            after: set[int] = set()
            for at, end in spots:
                after.update(range(position[at] + 1, position[end] + 1))
            searched = after if searched is None else searched & after
        done = {todo[number] for number in searched or ()}
        todo = [path for path in files if path not in done]
        frontier = sorted(grown)
    return frozenset(found)


def renames_in(index: ProjectIndex, files: Sequence[str], words: Sequence[bytes], found: frozenset) -> set[str]:
    """One round over `files`: the names their modules bind, under another name, to a target
    whose last component is in `found`, in the modules whose text may rename one of `words`
    (the names the last round added)."""
    return set(_scan(index, files, words, found, False))


def grow_in(index: ProjectIndex, files: Sequence[str], words: Sequence[bytes],
            found: frozenset) -> dict[str, list[tuple[str, str]]]:
    """`renames_in`, each name found looked for too in the files after the one that bound it
    (and added, if bound): each new name with [(that file, the last of `files`)]."""
    return _scan(index, files, words, found, True)


def _scan(index: ProjectIndex, files: Sequence[str], words: Sequence[bytes], found: frozenset,
          growing: bool) -> dict[str, list[tuple[str, str]]]:
    from flake8_ssot.index import _load, module_of  # the package imports this module

    from flake8_ssot.index.importers import as_python_reads  # (which imports the package too)

    words = list(words)
    known = set(found)  # with `growing`, the names found so far too
    grown: dict[str, list[tuple[str, str]]] = {}
    end = files[-1] if files else ""
    for file, raw in file_texts(files):
        # (`as_python_reads` of ASCII text is the text itself)
        data = raw if raw.isascii() else as_python_reads(raw)  # `import ＵserExecutionContext as Context` renames it too
        for word in words:  # (a loop, not `any` over a generator: this runs for every file of the tree)
            if word in data and may_rename(data, word):
                break
        else:
            continue
        module, is_package = module_of(file, index.roots), file.endswith("__init__.py")
        # The module-level statements first (`summarise_module_level`: a fraction of a parse,
        # and parsing was a third of this pass). The whole file binds the same names when it
        # compiles and none when it does not (no summary), so its renames are theirs or none:
        # where theirs are all known already (a hundred modules of the benchmark tree bind
        # `ExecutionContext`), the whole file adds nothing. Otherwise it is parsed, and decides.
        partial = summarise_module_level(raw, module, is_package, file)
        if partial is not None and renames_of(partial, known).issubset(grown):
            continue
        summary = _load(file, module, is_package)
        if summary is None:
            continue
        for name in renames_of(summary, known):
            if name not in grown:
                grown[name] = [(file, end)]
                if growing:
                    known.add(name)
                    words.append(name.encode())
    return grown
