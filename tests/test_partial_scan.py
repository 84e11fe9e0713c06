"""The partial parse's text work (facts/partial.py) answers exactly as its plain readings do.

The boundary scan, the stubbed source and recovery's error row were made
cheaper (#16, a cold run's CPU); each is compared here with the plain reading it replaced, on
any text: this project's modules, seed-shaped programs and broken variants of them (a quote, a
bracket, a backslash inserted; a file cut short), where the plain reading also decides what the
partial parse does before the whole file is confirmed (index/summary reads module-level source
of files that may not compile). tests/test_partial_parse.py checks the findings both ways.
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_ssot.facts import partial, recovery

# The scan as first written: every token of the file in turn, brackets counted between them.
_EVERY_TOKEN = re.compile(partial._TOKENS.pattern[1:-1] + "|" + partial._CODE_LINE.pattern, re.DOTALL)


def token_by_token_starts(source: str) -> tuple[list[int], list[int]]:
    lines, offsets = ([0], [0]) if source[:1] not in ("", " ", "\t", "\r", "\n", "#") else ([], [])
    depth = position = line = counted = 0
    for match in _EVERY_TOKEN.finditer(source):
        start = match.start()
        gap = source[position:start]
        depth += sum(map(gap.count, "([{")) - sum(map(gap.count, ")]}"))
        position = match.end()
        if depth == 0 and source[start] == "\n":
            line += source.count("\n", counted, position)
            counted = position
            lines.append(line)
            offsets.append(position)
    return lines, offsets


def line_by_line_stubbed(text_lines: list[str], skipped) -> str:
    partial_lines = list(text_lines)
    for first, header, end, _, _ in skipped:
        for row in range(first, end):
            partial_lines[row] = "\r" if text_lines[row].endswith("\r") else ""
        match = partial._DEFINITION.match(text_lines[header])
        stub = match.group() + (": pass" if match.group().startswith("class") else "(): pass")
        partial_lines[header] = stub + ("\r" if text_lines[header].endswith("\r") else "")
    return "\n".join(partial_lines)


SEED_SHAPED = [
    ('import os\n\n\n@decorator(\n    1,\n)\ndef handle(value=None):\n    """Uses it.\n\nclass Fake: pass\n"""\n'
     '    return os.sep\n\n\nclass Service(Base):\n    def run(self):\n        return [\n1]\n\n\n'
     "x = f(\n1)\ny = 1 + \\\n2\nTEXT = '''\ndef fake():\n    pass\n'''\n\n\nasync def build(): return 2; z = 3\n"),
    ("from netra_backend.app.services.user_execution_context import UserExecutionContext as UEC\n\n\n"
     "def create():\n    s = 'a\\\nb'  # it's\n    return UEC(run_id=1)\n\n\nclass Manager:\n    pass\n"),
]
# Real code of every shape the scan meets: this project's own modules (docstrings holding code,
# strings of every quote and prefix, comments, continued lines, brackets closed at column 0).
OWN_MODULES = sorted(Path(partial.__file__).parent.parent.rglob("*.py"))
BREAKS = ['"', "'", '"""', "'''", "#", "\\", "\\\n", "(", ")", "[", "]", "{", "}", "\n", "\ndef f():\n", "\r\n", "rb'"]


@st.composite
def texts(draw) -> str:
    """A program, as written or broken: a piece inserted somewhere, or cut short."""
    source = draw(st.one_of(st.sampled_from(SEED_SHAPED),
                            st.sampled_from(OWN_MODULES).map(lambda path: path.read_text(encoding="utf-8"))))
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(source)))
        source = source[:at] + draw(st.sampled_from(BREAKS)) + (source[at:] if draw(st.booleans()) else "")
    return source.replace("\n", "\r\n") if draw(st.integers(0, 4)) == 0 else source


PROPERTY = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@PROPERTY
@given(texts())
def test_the_scan_starts_statements_where_reading_every_token_does(source):
    assert partial._starts(source) == token_by_token_starts(source)


@PROPERTY
@given(texts(), st.randoms(use_true_random=False))
def test_the_stubbed_source_is_the_line_by_line_one(source, random):
    text_lines = source.split("\n")
    blocks = partial.definition_blocks(text_lines, *partial._starts(source))
    skipped = [block for block in blocks if random.random() < 0.7]
    assert partial._stubbed(source, text_lines, skipped) == line_by_line_stubbed(text_lines, skipped)


def test_the_seed_shaped_examples_have_blocks_to_stub():
    # The properties above compare something: the examples hold definitions at column 0.
    for source in SEED_SHAPED:
        assert len(partial.definition_blocks(source.split("\n"), *partial._starts(source))) >= 2


BROKEN = [
    "def f(:\n    pass\n",
    # Python's error row (not tree-sitter's: it reads Python 2's print) marks the definition
    # broken: read in full, not as the stub a definition spelling no word stands as.
    "import os\n\n\ndef legacy():\n    sep = os.sep\n    print 'old'\n\n\ndef other():\n    return 1\n",
    "x = (\n1,\n",
    "class A:\n    def f(self):\n  return 1\n",
    'def f():\n    """unterminated\n\nx = 1\n',  # recovery reads a shorter text: parses it again
    "def f():\r\n    return )\r\n",
]


def test_recovery_reads_the_same_error_row_from_the_engine_s_parse_error():
    for source in BROKEN:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                ast.parse(source)
            except SyntaxError as error:
                raised = error
        trees = []
        for handed in (raised, None):
            recovery.recover_facts(source, "/x/m.py", "m", False, on_tree=trees.append, syntax_error="s",
                                   words=("factory",), parse_error=handed)
        handed, parsed = (ast.dump(tree, include_attributes=True) for tree in trees)
        assert handed == parsed, source
