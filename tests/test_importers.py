"""`ProjectIndex.importer_of` answers from a map of the words that can matter (index/importers.py,
#16): the same answers, the same summaries read and the same dependencies as the full scan it
replaced (kept below as the reference, as it was at 2d90e8f), on the fixture trees and on
generated trees that spell the import every way the text test knows.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_index import _IMPORTING, _trees

from flake8_ssot.index import MENTIONS, MentionsDependency, ProjectIndex, importers, module_of

# --------------------------------------------------------------------------- the reference

_GAP = rb"(?:\s|\\|#[^\n]*)*"
_IMPORTED = re.compile(rb"import(?!\w)(?:[ \t]|\\\r?\n)*(?:\((?:[^)#]|#[^\n]*)*|(?:[ \t\w.,]|\\\r?\n)*)")
_RELATIVE = re.compile(rb"from" + _GAP + rb"\.")


def _word(text: bytes) -> re.Pattern[bytes]:
    literal = re.escape(text)
    return re.compile(literal + rb"(?!\w)(?<!\w" + literal + rb")")


def _could_import(module: str, name: str):
    last = module.rpartition(".")[2].encode()
    word = name.encode()
    named = _word(word)
    spelled = _word(last)
    attribute = re.compile(rb"\." + _GAP + re.escape(word) + rb"(?!\w)")
    ends_in_last = re.compile(re.escape(last) + rb"(?<!\w" + re.escape(last) + rb")(?:\s|\\)*import(?!\w)")
    source = (_GAP + rb"\." + _GAP).join(re.escape(part.encode()) for part in module.split("."))
    from_module = re.compile(rb"(?<!\w)from" + _GAP + rb"(?:" + source + rb"|\.[\w.\s\\]*?(?<!\w)" + re.escape(last)
                             + rb")(?:\s|\\)*import(?!\w)")
    dotted_last = re.compile(rb"\." + _GAP + re.escape(last) + rb"(?!\w)")

    def could(data: bytes, inside: bool) -> bool:
        if not named.search(data):
            return False
        if inside and _RELATIVE.search(data):
            return True
        if not spelled.search(data):
            return False
        if ends_in_last.search(data) and from_module.search(data):
            return True
        if not attribute.search(data):
            return False
        return bool(dotted_last.search(data)
                    or any(spelled.search(names.group(0)) for names in _IMPORTED.finditer(data)))

    return could


def _mentioning(index: ProjectIndex, name: str) -> list[tuple[str, bytes, str, bool]]:
    read: dict[str, list] = index.__dict__.setdefault("_reference_mentions", {})
    if name in read:
        return read[name]
    needle, word, found = name.encode(), _word(name.encode()), []
    for file in index._python_files():
        try:
            data = Path(file).read_bytes()
        except OSError:
            continue
        if needle in data:
            found.append((file, data, module_of(file, index.roots), bool(word.search(data))))
    read[name] = found
    return found


def reference_importer_of(index: ProjectIndex, module: str, name: str, skip: str = "") -> str | None:
    """`ProjectIndex.importer_of` before the map: the text test on every mentioning file."""
    path = f"{module}.{name}"
    skip = os.path.abspath(skip) if skip else ""
    could_import = _could_import(module, name)
    for file, data, other, as_word in _mentioning(index, name):
        if file == skip:
            continue
        index._stat(file)
        if path.encode() in data:
            return other or file
        if not as_word or not other or not could_import(data, other.startswith(module + ".")):
            continue
        summary = index.summary(other)
        if summary is not None and importers._takes(summary, path, data):  # (an attribute read counts too)
            return other
    return None


# --------------------------------------------------------------------------- comparing

def _consulted(index: ProjectIndex, skip: str = "") -> list[tuple]:
    """The dependencies recorded, a group of mentions (`MentionsDependency`, for a None answer)
    as its files: the group holds every mention, the asking file `skip` too, which the
    reference skips (a check's own file is no dependency of it). A summary read rides along
    (`ReadDependency`) where the reference read one: today many are not (`importers._may_take`
    proves the answer from the module-level statements), so only the files are compared."""
    found = {d.path: ("Dependency", *d) for d in index.consulted if type(d) is not MentionsDependency}
    skip = os.path.abspath(skip) if skip else ""
    for group in (d for d in index.consulted if type(d) is MentionsDependency):
        assert group.size == len(group.files) and group.path == MENTIONS + group.path.split("\0")[-1]
        for file in group.files:
            if file.path in found:
                assert tuple(found[file.path][1:]) == tuple(file)  # the same stat, once per check
            elif file.path != skip:
                found[file.path] = ("Dependency", *file)
    return sorted(found.values())


def _agree(roots: list[str], names: set[str], modules: list[str] | None = None) -> tuple[int, int]:
    """Every (module, name) asked of both, each as a check of the module's own file would ask
    (skipping it) and without a skip: same answer, same dependencies. (asked, answered)."""
    new, old = ProjectIndex(roots), ProjectIndex(roots)
    files = new._python_files()
    if modules is None:
        modules = sorted({module_of(file, roots) for file in files} - {""})
    own = {module_of(file, roots): file for file in files}
    asked = answered = 0
    for name in sorted(names):
        for module in modules:
            for skip in ("", own.get(module, "")):
                new.begin()
                old.begin()
                expected = reference_importer_of(old, module, name, skip)
                assert new.importer_of(module, name, skip) == expected, (roots, module, name, skip)
                assert _consulted(new, skip) == _consulted(old), (roots, module, name, skip)
                asked += 1
                answered += expected is not None
    return asked, answered


def _names_in(files: list[str]) -> set[str]:
    """The names imported or read as attributes somewhere (the ones with answers), and a
    sample of every other word (the big tree's 280 words times 60 modules took seconds)."""
    texts = [Path(file).read_bytes() for file in files]
    words = sorted({word.decode() for text in texts for word in re.findall(rb"[A-Za-z_]\w*", text)})
    taken = {word.decode() for text in texts for word in re.findall(rb"(?:import|\.)[ \t(\\]*([A-Za-z_]\w*)", text)}
    return taken | set(words[::len(words) // 25 + 1])


def test_the_same_answers_and_dependencies_on_the_fixture_trees(tmp_path):
    asked = answered = 0
    for roots in _trees(tmp_path):
        files = ProjectIndex(roots)._python_files()
        # every word is a name some rename could ask about; modules, and a few that are not
        # ASCII identifiers (the fallback that reads every mention)
        modules = sorted({module_of(file, roots) for file in files} - {""}) + ["pkg.my-mod", "café", "pkg.last-x"]
        done = _agree(roots, _names_in(files), modules)
        asked, answered = asked + done[0], answered + done[1]
    assert asked > 5_000 and answered > 100, (asked, answered)


# --------------------------------------------------------------------------- generated trees

_PLACES = ["pkg/__init__.py", "pkg/last.py", "pkg/alast.py", "pkg/sub/__init__.py", "pkg/sub/last.py",
           "pkg/sub/core.py", "last.py", "core.py", "other/__init__.py", "other/last_x.py"]
_MODULES = ["pkg", "pkg.last", "pkg.alast", "pkg.sub", "pkg.sub.last", "pkg.sub.core", "last", "core", "other.last_x"]
_NAMES = ["Name", "Names", "xName"]

_name = st.sampled_from(_NAMES)
_module = st.sampled_from(_MODULES)
_last = st.sampled_from(["last", "alast", "core", "sub", "last_x", "import"])
_comment = st.sampled_from(["", "  # why", "  # see pkg.last", "  # a last", "  # xlast.", "  # ) core", "  # end. #xcore",
                            "  # see.  # alast", "  # see.\n# more: alast"])
_gap = st.sampled_from([" ", "", "\\\n", "  # last\n", "  # ends here.\n  # alast\n", "\n"])


def _line(draw) -> str:
    kind = draw(st.integers(0, 20))
    module, name, last, comment = draw(_module), draw(_name), draw(_last), draw(_comment)
    parent, _, leaf = module.rpartition(".")
    if kind == 0:
        return f"from {module} import {name}{comment}\n"
    if kind == 1:
        return f"from {module} import ({comment}\n    Other,\n    {name},  # {last}\n)\n"
    if kind == 2:
        return f"from {module} \\\n    import {name}\n"
    if kind == 3:
        return f"import {module} as m{comment}\nx = (m.{draw(_gap)}{name})\n"
    if kind == 4:
        return f"import {module}\ny = {module}.{name}\n"
    if kind == 5:
        return f"from .{draw(st.sampled_from(['', 'last', 'sub', '.', '.last', 'core']))} import {name}\n"
    if kind == 6:
        return f"TARGET = '{module}.{name}'{comment}\n"
    if kind == 7:
        return f"# {last}.{draw(_gap)}{name}\n"
    if kind == 8:
        return f"from {parent or leaf} import {leaf}\nz = {leaf}.{draw(_gap)}{name}\n" if parent else f"import {leaf}\n"
    if kind == 9:
        return f"def f():\n    from {module} import {name}\n    return {name}\n"
    if kind == 10:
        return f"{last}import {name}\n"
    if kind == 11:
        return f"value = thing.{draw(_gap)}{last}  # {name}\n"
    if kind == 12:
        return f"from {module} import *\nw = {name}\n"
    if kind == 13:
        return f"{name}{draw(st.sampled_from(['', 's', '_v2']))} = 1{comment}\n"
    if kind == 14:
        return f"import {module}.{name}\n"
    if kind == 15 and draw(st.booleans()):
        return f"{last} = object()\n"
    if kind == 15:
        return f"n = {draw(st.sampled_from(['a', 'x.pkg', '']))}.{last}.{name}\n"
    if kind == 16:
        return f"from {module} import Other as {last}\nq = {last}.{name}{comment}\n"
    # Definitions that do not spell the name, around the statements that do (importers._may_take
    # reads the module-level statements alone): a class body, a broken definition, TYPE_CHECKING.
    helper = "def helper(rows):\n    return [row for row in rows]\n"
    if kind == 17:
        return f"{helper}class Holder:\n    from {module} import {name}\n"
    if kind == 18:
        return f"def broken(:\n    pass\nfrom {module} import {name}\n"
    if kind == 19:
        return f"{helper}if TYPE_CHECKING:\n    from {module} import {name}\n{helper.replace('helper', 'after')}"
    return f"@decorated\n{helper}import {module} as m\nalias = m.{name}\n"


@st.composite
def _trees_generated(draw) -> dict[str, str]:
    places = draw(st.lists(st.sampled_from(_PLACES), min_size=2, max_size=7, unique=True))
    return {place: "".join(_line(draw) for _ in range(draw(st.integers(0, 5)))) for place in places}


@settings(max_examples=30, deadline=None)
@given(_trees_generated())
def test_the_same_answers_and_dependencies_on_generated_trees(tree):
    with tempfile.TemporaryDirectory() as directory:
        for relative, text in tree.items():
            path = Path(directory, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        roots = [directory]
        _agree(roots, set(_NAMES), _MODULES + ["pkg.sub.my-mod"])


def test_the_reference_finds_what_the_fixture_says(tmp_path):
    """The reference is today's behaviour, not a copy that drifted: it finds the spellings."""
    _trees(tmp_path)
    index = ProjectIndex([str(tmp_path / "importing")])
    assert reference_importer_of(index, "pkg.last", "Name") is not None
    assert reference_importer_of(index, "pkg.home", "Name") == "pkg.home.inner"
    assert len(_IMPORTING) > 20


def test_a_line_of_hashes_after_a_dot_does_not_hang_the_text_tests():
    """A comment of many `#` (a divider in a stdlib test file) after a `.`: each text pattern
    that skips comments must read it one way. With `#[^\\n]*` free to stop anywhere, a failing
    search tried every split of the line into comments (2**n): `ssot check` on the standard
    library hung in `Mentions`. Run in a child process, so a regression fails instead of hanging."""
    import subprocess
    import sys

    code = """if True:
        from flake8_ssot.index import importers, aliases
        from flake8_ssot.rules import direct_construction
        data = b"value." + b"#" * 64 + b"\\\\nrest = 1\\\\n"
        import re
        attribute = re.compile(rb"\\\\." + importers._GAP + re.escape(b"Tuple") + rb"(?!\\\\w)")
        assert attribute.search(data) is None
        assert importers._DOT_COMMENTS.findall(data)
        importers._could_import("pkg.typing", "Tuple")(data + b" Tuple typing", False)  # returns at all
        assert aliases._AS.match(b" " + b"#" * 64 + b"\\\\n x") is None
        assert direct_construction._AFTER_CALLED.match("  " + "#" * 64 + "\\\\n x") is None
    """
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
