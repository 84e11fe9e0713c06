"""Facts for files Python cannot parse, from ast-grep-py's error-tolerant tree-sitter parse.

The tolerant tree is lowered into the subset of Python `ast` nodes that `facts.collect_facts`
reads, so name resolution and every rule run unchanged. Broken regions keep what they still
show: a top-level statement that holds an ERROR is re-parsed line group by line group (an
unclosed bracket otherwise swallows the rest of the file), and inside ERROR nodes `import`,
`from ... import`, `class` and `def` are re-assembled from loose tokens. Must never raise on
any input; positions are tree-sitter's (0-based rows, character columns), turned into the
1-based lines and UTF-8 byte columns `ast` nodes carry, in one place (`_Lowering.place`).
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from typing import Callable, Iterator, NamedTuple, Sequence

from flake8_ssot.facts import ModuleFacts, bound_to_words, collect_facts

# Lowered nesting deeper than this is flattened: `collect_facts` recurses per level and the
# tree of a pathological file (100k nested brackets) would exhaust Python's stack.
MAX_DEPTH = 100

_CONFLICT_MARKER = re.compile(r"^(?:<{7}|={7}|>{7}|\|{7})(?:\s|$)")
# Lines that continue the statement above them at the same indentation.
_CONTINUATION = re.compile(r"^(?:else|elif|except|finally|case)\b|^[)\]}.]")
_TRIPLE_QUOTE = re.compile(r"^[A-Za-z]*('''|\"\"\")")
_SKIPPED = frozenset({"comment", "line_continuation"})
_STATEMENT_SUFFIXES = ("_statement", "_definition")
_TOKEN_GROUPS = frozenset({"dotted_name", "aliased_import", "relative_import", "import_prefix", "wildcard_import"})
_STRINGS = frozenset({"string", "concatenated_string"})
_COLLECTIONS = {"list": ast.List, "set": ast.Set, "tuple": ast.Tuple, "expression_list": ast.Tuple,
                "pattern_list": ast.Tuple, "tuple_pattern": ast.Tuple, "list_pattern": ast.List}
_COMPREHENSIONS = {"list_comprehension": ast.ListComp, "set_comprehension": ast.SetComp,
                   "generator_expression": ast.GeneratorExp}


def recover_facts(source: str, path: str, module: str, is_package: bool,
                  on_tree: Callable[[ast.Module], None] | None = None,
                  syntax_error: str | None = None, words: Sequence[str] | None = None,
                  parse_error: SyntaxError | None = None) -> ModuleFacts:
    """Module facts from the error-tolerant parse of `source` (which Python could not parse:
    `syntax_error` says why). `on_tree`, if given, is shown the lowered module before its
    facts are collected. `words` (see `Prefilter.region_words`): lower in full only the
    definitions that spell one of them, the others as stubs that keep what they bind
    (`_Lowering.stub`); None lowers the whole file. `parse_error`: what `ast.parse(source)`
    raised, when the caller has it (the engine): Python's error row is then not parsed again."""
    text = _sanitise(source)
    lines = text.split("\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # literal_eval of odd escapes warns; not ours to report
        text, root, errors = _without_unterminated_tail(text)
        if parse_error is not None and text == source:
            # The same text, parsed the same way (`_python_error_row`): the same error.
            error_row = parse_error.lineno - 1 if parse_error.lineno else None
        else:
            error_row = _python_error_row(text)
        for depth in (MAX_DEPTH, MAX_DEPTH // 4):
            try:
                tree, facts = _lowered(root, errors, lines, depth, error_row, words, path, module, is_package,
                                       source, syntax_error)
                if words is not None:
                    # A module-level alias of a policy path (`UEC` of `... import
                    # UserExecutionContext as UEC`) spells no word where it is used: the
                    # definitions that spell one are read in full too. Module-level statements
                    # other than definitions are always read in full, and a stub binds only its
                    # own name, so the first reading has every such alias.
                    aliases = bound_to_words(facts, words) - set(words)
                    if aliases:
                        tree, facts = _lowered(root, errors, lines, depth, error_row, (*words, *sorted(aliases)),
                                               path, module, is_package, source, syntax_error)
                if on_tree is not None:
                    on_tree(tree)
                return facts
            except RecursionError:
                continue  # called from deep inside someone's stack: flatten harder
    return ModuleFacts(path=path, module=module, is_package=is_package, source=source, lines=lines,
                       syntax_error=syntax_error)


def _lowered(root, errors, lines, depth, error_row, words, path, module, is_package, source,
             syntax_error) -> tuple[ast.Module, ModuleFacts]:
    lowering = _Lowering(lines, depth, error_row, words)
    tree = lowering.module(root, errors)
    return tree, collect_facts(tree, path, module, is_package, source, lines, syntax_error=syntax_error,
                               broken_body=lowering.inside_broken_body)


class Tree(NamedTuple):
    """A tree-sitter parse of part of a file: pattern rules match on it, keeping the matches
    that start outside `skip` (rows covered by another tree) and moving them down by `row`."""

    row: int  # the file's 0-based row where `text` starts
    text: str  # what was parsed: match offsets index it
    root: object  # ast-grep's root node
    skip: tuple[tuple[int, int], ...] = ()  # 0-based (first, last) rows of `text` left to other trees


def whole_tree(source: str) -> Tree:
    """The tree of a whole file, for pattern rules. tree-sitter counts rows at `\\n` only and
    takes no lone surrogates, so the text is sanitised first; every column stays where it was."""
    text = _sanitise(source)
    return Tree(0, text, _parse(text))


def pattern_trees(source: str) -> list[Tree]:
    """The trees pattern rules match on in a file Python cannot parse, as `recover_facts` reads
    it: the whole file's error-tolerant tree for its sound top-level statements, and each broken
    one re-parsed line group by line group (else an unclosed bracket hides every match after
    it). Text after an unterminated triple-quoted string is that string, not code."""
    text = _sanitise(source)
    lines = text.split("\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text, root, errors = _without_unterminated_tail(text)
        lowering = _Lowering(lines, MAX_DEPTH, _python_error_row(text))
    lowering._index_errors(root, errors)
    trees, skip = [], []
    for nodes, broken in lowering.top_level(root):
        if broken:
            groups = lowering.regroup(nodes)
            if groups is not None:
                skip.append((nodes[0].range().start.line, nodes[-1].range().end.line))
                trees.extend(Tree(top, group, _parse(group)) for top, group in groups)
    return [Tree(0, text, root, tuple(skip)), *trees]


class RowsReading(NamedTuple):
    """What `recover_facts` and `pattern_trees` read from some rows of a file (see `read_rows`)."""

    statements: list[ast.stmt]  # the statements lowered from the rows, in order
    trees: list[Tree]  # the whole file's tree (skipping re-read regions) and the rows' own groups
    lowering: "_Lowering"  # its `inside_broken_body` filters definitions, as `recover_facts` does
    groups: list[tuple[int, int, str]]  # (first row, last row, text) of the re-read groups outside the rows

    def trees_for(self, ranges: Sequence[tuple[int, int]]) -> list[Tree]:
        """The pattern trees that hold the rows and the line ranges [first, end): the groups
        outside the rows that overlap a range are parsed too, as `pattern_trees` parses them."""
        extra = [Tree(top, text, _parse(text)) for top, bottom, text in self.groups
                 if any(first <= bottom and top < end for first, end in ranges)]
        return [*self.trees, *extra]


def read_rows(source: str, start: int, end: int, starts: Sequence[int],
              window: tuple[int, int] | None = None) -> RowsReading | None:
    """How the error-tolerant reading of `source` (which Python cannot parse) reads its rows
    [start, end) (0-based), when it reads them apart from the rest: None unless every part of
    it that reaches outside them reads exactly one statement of the file as Python would.

    `starts` are the first rows of the file's top-level statements outside the rows, as the
    last version that parsed had them (lines moved to where they are now). A broken region
    that reaches past the rows (a bracket left open takes in the statements after it) is
    re-read line group by line group; each group outside the rows must then be one of those
    statements, alone. The language server checks the rows this way and keeps what it found
    elsewhere (incremental.py).

    `window` (first row, end row, each the first row of a top-level statement, or the file's
    end): tree-sitter parses only those rows, a fraction of a long file's cost. Its reading
    there stands for the whole file's when the damage is local: the window's first statement
    reads clean (or the window starts the file), and every broken region and the row where
    Python's parser fails lie inside it, followed by clean statements (`_settled`); None
    otherwise (then ask for the whole file's reading)."""
    text = _sanitise(source)
    lines = text.split("\n")
    starts = sorted(set(starts))
    parsed = text if window is None else "\n" * window[0] + "\n".join(lines[window[0]:window[1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cut, root, errors = _without_unterminated_tail(parsed)
        if cut != parsed:
            return None  # the rest of the file is read as a string
        # Python's parser fails in the rows or after them: everything before them is whole
        # statements that parsed, so it reports the same row for the text from the rows on
        # (a `__future__` import that changes the grammar aside), at a fraction of the cost.
        if "barry_as_FLUFL" in text:
            error_row = _python_error_row(text)
        else:
            error_row = _python_error_row("\n" * start + "\n".join(lines[start:]))
        if error_row is None or error_row < start or (window is not None and error_row >= window[1]):
            return None
        lowering = _Lowering(lines, MAX_DEPTH, error_row)
        lowering._index_errors(root, errors)
        statements: list[ast.stmt] = []
        trees: list[Tree] = []
        outside: list[tuple[int, int, str]] = []
        skip = []
        seen: list[tuple[int, int, bool]] = []  # (first row, last row, broken) of each top-level part
        try:
            for nodes, broken in lowering.top_level(root):
                where, stop = nodes[0].range().start, nodes[-1].range().end
                first, last = where.line, stop.line
                seen.append((first, last, broken))
                inside = first < end and last >= start
                if not broken:
                    if inside and (first < start or last >= end):
                        return None  # a statement across the rows' edge
                    if inside:
                        statements.extend(lowering.stmts_of(nodes[0]))
                    continue
                if where.column:
                    return None
                groups = lowering.regroup(nodes)
                if groups is None:
                    if not inside and any(lowering.is_dirty(node) for node in nodes):
                        return None  # tree-sitter cannot read a statement Python could
                    if inside and (first < start or last >= end):
                        return None
                    if inside:
                        statements.extend(lowering._region(nodes, None))
                    continue
                skip.append((first, last))
                tops = {top for top, _ in groups}
                if any(first < row <= last and row not in tops for row in starts if not start <= row < end):
                    return None  # a statement of the file read as part of another group
                mine = []
                for top, group in groups:
                    bottom = top + group.count("\n")
                    if start <= top < end:
                        if bottom >= end:
                            return None
                        mine.append((top, group))
                        continue
                    outside.append((top, bottom, group))
                    index = bisect.bisect_right(starts, top)
                    following = starts[index] if index < len(starts) else len(lines)
                    if not index or starts[index - 1] != top or bottom >= following:
                        return None  # a group that is not one statement
                    last_code = following - 1
                    while last_code > top and (not lines[last_code].strip() or lines[last_code].lstrip()[:1] == "#"):
                        last_code -= 1
                    if bottom < last_code:
                        return None  # a statement's first lines (a decorator), the rest read apart
                    if following > start and top < start:
                        return None
                if mine:
                    statements.extend(lowering._region(nodes, mine, trees))
        except RecursionError:
            return None
    if window is not None and not _settled(seen, window, len(lines)):
        return None
    return RowsReading(statements, [Tree(0, parsed, root, tuple(skip)), *trees], lowering, outside)


# A window's reading stands for the whole file's only with this many clean top-level statements,
# and rows, after its last broken region: tree-sitter's error recovery keeps competing readings
# alive for a while after an error, and one that skips tokens costs more with every row it skips.
SETTLED_STATEMENTS = 2
SETTLED_ROWS = 40


def _settled(seen: Sequence[tuple[int, int, bool]], window: tuple[int, int], count: int) -> bool:
    """Does a parse of the rows `window` only read its top-level parts (`seen`: first row, last
    row, broken) as a parse of the whole file (`count` rows) does? Text before the window
    parsed as statements, and so does the text after it: when the window's first statement
    reads clean, no error recovery reached back into the text before it (an error still open
    at the end of the text wraps everything before it in one ERROR, the window's first
    statement too); when its broken regions are followed by clean statements, the recovery
    had settled before the text after it. Of 3,400 lines half typed into the 10M corpus's
    agents/ files, 1,360 windows settled (margins down to one statement and no rows), and
    each read as the whole file does."""
    first, end = window
    broken = [last for _, last, is_broken in seen if is_broken]
    if not broken:
        return False
    if first > 0 and (seen[0][2] or seen[0][0] != first):
        return False
    if end >= count:
        return True
    after = [row for row, _, is_broken in seen if not is_broken and row > max(broken)]
    return len(after) >= SETTLED_STATEMENTS and end - max(broken) >= SETTLED_ROWS


def _python_error_row(text: str) -> int | None:
    """The 0-based row where Python's parser fails on `text`, if it says."""
    try:
        compile(text, "<recovery>", "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as error:
        return error.lineno - 1 if error.lineno else None
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def _sanitise(source: str) -> str:
    """One newline convention (Python's: `\\r\\n`, `\\r`, `\\n`) and no lone surrogates, which
    tree-sitter cannot take; every character keeps its column."""
    text = source.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _parse(text: str):
    from ast_grep_py import SgRoot

    return SgRoot(text, "python").root()


def _without_unterminated_tail(text: str):
    """Cut the text at an unterminated triple-quoted string: Python reads the rest of the file
    as that string, whereas tree-sitter would read it (a truncated docstring) as code.
    Returns the text, its tree and the tree's ERROR nodes."""
    root = _parse(text)
    for _ in range(3):
        cut = None
        errors = root.find_all(kind="ERROR")
        for error in errors:
            for start in error.children():
                if start.kind() == "string_start" and _TRIPLE_QUOTE.match(start.text()):
                    index = start.range().start.index
                    cut = index if cut is None else min(cut, index)
        if cut is None:
            return text, root, errors
        text = text[:cut]
        root = _parse(text)
    return text, root, root.find_all(kind="ERROR")


class _Token:
    """A leaf of a broken region: what the import scanner reads."""

    __slots__ = ("text", "kind", "node")

    def __init__(self, node) -> None:
        self.node = node
        self.kind = node.kind()
        self.text = node.text()

    def word(self) -> str:
        return self.text if self.kind in ("identifier", self.text) else ""


class _Lowering:
    def __init__(self, lines: Sequence[str], max_depth: int, error_row: int | None = None,
                 words: Sequence[str] | None = None) -> None:
        self.lines = lines
        self.words = words  # None: every top-level definition is lowered in full
        self.error_row = error_row  # 0-based row of the first error Python's parser reported
        self.max_depth = max_depth
        self.depth = 0
        self.row = 0  # row offset of the tree being lowered (a re-parsed line group)
        self.errors: list[tuple[int, int]] = []  # (start, end) indexes of ERROR nodes in that tree
        self.error_starts: list[int] = []
        self.hoisted: list[ast.stmt] = []  # statements found inside expressions (in broken code)
        self.broken: list[tuple[int, int]] = []  # 1-based line ranges of re-parsed regions

    # ------------------------------------------------------------------ positions

    def place(self, target: ast.AST, node, end=None) -> ast.AST:
        """Give an ast node the position of a tree-sitter node (or from `node` to `end`)."""
        start = node.range().start
        stop = (end or node).range().end
        target.lineno, target.col_offset = self._point(start.line, start.column)
        target.end_lineno, target.end_col_offset = self._point(stop.line, stop.column)
        return target

    def _point(self, row: int, column: int) -> tuple[int, int]:
        row += self.row
        line = self.lines[row] if 0 <= row < len(self.lines) else ""
        if not line.isascii():
            column = len(line[:column].encode("utf-8"))
        return row + 1, column

    def inside_broken_body(self, span) -> bool:
        """A definition inside a re-parsed region that is indented: a method or a nested
        function of a broken class or def, not a module-level definition."""
        return span.column > 0 and any(first <= span.line <= last for first, last in self.broken)

    # ------------------------------------------------------------------ regions

    def module(self, root, errors=None) -> ast.Module:
        self._index_errors(root, errors)
        body: list[ast.stmt] = []
        for nodes, broken in self.top_level(root):
            if broken:
                body.extend(self._region(nodes))
            elif self.words is not None and self._unmentioned(nodes[0]):
                body.extend(self.stub(nodes[0]))
            else:
                body.extend(self.stmts_of(nodes[0]))
        return ast.Module(body=body, type_ignores=[])

    # Region-only recovery: most of a broken file is definitions that spell no policy word,
    # and lowering them costs most of its recovery. Why a stub finds the same (a hypothesis
    # property and the benchmark's --compare-recovery check it over the corpus):
    # - every finding is reported at a name, attribute, call, string, import, export or
    #   definition that spells a policy word (the prefilter's words and fragments, `__all__`
    #   in an export module), so it lies in a definition that is lowered in full;
    # - what the rules read beyond the finding's own statement is the module's bindings:
    #   module-level names (the stub binds the def/class name, at the same place), imports
    #   anywhere in the file (the stub keeps every import inside the definition, in a
    #   non-module scope as before; the rules only tell module scope from the rest), and
    #   names bound anywhere that spell a policy word (their definition is lowered in full);
    # - a definition that says `global` or `nonlocal` can bind module names from inside: it is
    #   lowered in full. Broken regions, and statements other than definitions, always are.
    _DEFINITIONS = ("function_definition", "class_definition", "decorated_definition")
    _IMPORTS = ("import_statement", "import_from_statement", "future_import_statement")

    def _unmentioned(self, node) -> bool:
        if node.kind() not in self._DEFINITIONS:
            return False
        text = node.text()
        return not any(word in text for word in self.words) and "global" not in text and "nonlocal" not in text

    def stub(self, node) -> list[ast.stmt]:
        """A top-level def/class that spells no policy word: its name, where it is written, and
        the imports it holds (they load modules); no body, decorators, bases or parameters."""
        definition = node.field("definition") if node.kind() == "decorated_definition" else node
        if definition is None or definition.kind() not in ("function_definition", "class_definition"):
            return self.stmts_of(node)
        name = definition.field("name")
        imports = [statement for kind in self._IMPORTS for found in definition.find_all(kind=kind)
                   for statement in self.stmts_of(found)]
        imports.sort(key=lambda statement: (statement.lineno, statement.col_offset))
        fields = {"name": name.text() if name else "", "body": imports or [self.place(ast.Pass(), definition)],
                  "decorator_list": []}
        if definition.kind() == "class_definition":
            kind = ast.ClassDef
            fields.update(bases=[], keywords=[])
        else:
            kind = ast.AsyncFunctionDef if _starts_with(definition, "async") else ast.FunctionDef
            fields.update(args=_no_arguments(), returns=None)
        return [_end_at_body(self.place(_definition(kind, **fields), definition))]

    def top_level(self, root) -> Iterator[tuple[list, bool]]:
        """The top-level statements, one by one; a broken one together with the statements that
        start on a row it ends on (tree-sitter can end a broken statement mid-line and start the
        next there: re-parsing them apart would cut both lines) or indented (the rest of a
        broken statement's block, which tree-sitter let go of). A statement is broken when it
        holds an ERROR or the line where Python's parser failed: tree-sitter accepts some code
        Python does not (`class` at the end of a line, joined with the next line's name)."""
        children = _named(root)
        index = 0
        while index < len(children):
            nodes = [children[index]]
            broken = self.is_dirty(nodes[0]) or self._holds_python_error(nodes[0])
            if broken:
                last = nodes[0].range().end.line
                while index + 1 < len(children) and (children[index + 1].range().start.line <= last
                                                     or children[index + 1].range().start.column > 0):
                    index += 1
                    nodes.append(children[index])
                    last = max(last, children[index].range().end.line)
            yield nodes, broken
            index += 1

    def _holds_python_error(self, node) -> bool:
        where = node.range()
        return self.error_row is not None and where.start.line <= self.error_row <= where.end.line

    def _index_errors(self, root, errors=None) -> None:
        if errors is None:
            errors = root.find_all(kind="ERROR")
        spans = sorted((e.range().start.index, e.range().end.index) for e in errors)
        self.errors = spans
        self.error_starts = [start for start, _ in spans]

    def is_dirty(self, node) -> bool:
        """Does the node hold an ERROR (or is one)?"""
        if not self.errors:
            return False
        where = node.range()
        start, end = where.start.index, where.end.index
        position = bisect.bisect_left(self.error_starts, start)
        if position >= len(self.errors):
            return False
        return self.error_starts[position] < end or self.errors[position] == (start, end)

    def _region(self, nodes, groups=False, trees: list[Tree] | None = None) -> list[ast.stmt]:
        """Broken top-level statements: re-parse them in groups of lines that start at their own
        indentation (an unclosed bracket swallows the statements after it), merge-conflict
        marker lines blanked; within each group, ERROR nodes are read token by token.
        `groups`: only these of `self.regroup(nodes)`, whose trees are added to `trees`."""
        first, last = nodes[0].range().start.line, nodes[-1].range().end.line
        self.broken.append((first + 1, last + 1))
        if groups is False:
            groups = self.regroup(nodes)
        if groups is None:
            return [statement for node in nodes for statement in self.stmts_of(node)]
        saved = (self.row, self.errors, self.error_starts)
        body: list[ast.stmt] = []
        for top, text in groups:
            root = _parse(text)
            if trees is not None:
                trees.append(Tree(top, text, root))
            self.row = top
            self._index_errors(root)
            for child in _named(root):
                body.extend(self.stmts_of(child))
        self.row, self.errors, self.error_starts = saved
        return body

    def regroup(self, nodes) -> list[tuple[int, str]] | None:
        """The line groups broken top-level statements are re-parsed in, as (first row, text),
        or None when they are one statement in one group without conflict markers (its tree is
        as good). Text before the first and after the last statement on their rows is blanked."""
        start, end = nodes[0].range().start, nodes[-1].range().end
        first, last = start.line, end.line
        groups = list(self._groups(nodes, first, last))
        if (
            len(nodes) == 1
            and groups == [(first, last)]
            and not any(_CONFLICT_MARKER.match(self.lines[r]) for r in range(first, last + 1))
        ):
            return None
        result = []
        for top, bottom in groups:
            rows = []
            for row in range(top, bottom + 1):
                line = self.lines[row] if row < len(self.lines) else ""
                if _CONFLICT_MARKER.match(line):
                    line = ""
                if row == last:
                    line = line[: end.column]
                if row == first:
                    line = " " * start.column + line[start.column :]
                rows.append(line)
            result.append((top, "\n".join(rows)))
        return result

    def _groups(self, nodes, first: int, last: int) -> Iterator[tuple[int, int]]:
        indent = _indent(self.lines[first])
        inside_strings = set()
        for node in nodes:
            for string in node.find_all(kind="string"):
                top, bottom = string.range().start.line, string.range().end.line
                inside_strings.update(range(top + 1, bottom + 1))
        start = first
        for row in range(first + 1, last + 1):
            line = self.lines[row]
            stripped = line.strip()
            if row in inside_strings or not stripped or stripped.startswith("#"):
                continue
            if _CONFLICT_MARKER.match(line) or (_indent(line) <= indent and not _CONTINUATION.match(stripped)):
                yield start, row - 1
                start = row
        yield start, last

    # ------------------------------------------------------------------ statements

    def stmts_of(self, node) -> list[ast.stmt]:
        """The statements a tree-sitter node stands for, with statements hoisted out of its
        expressions (in broken code) placed before it."""
        saved, self.hoisted = self.hoisted, []
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                result = self._soup(node, structural=False)
            else:
                result = self._stmt(node)
        finally:
            self.depth -= 1
        hoisted, self.hoisted = self.hoisted, saved
        return hoisted + result

    def block(self, node) -> list[ast.stmt]:
        if node is None:
            return []
        if node.kind() != "block":
            return self.stmts_of(node)
        body: list[ast.stmt] = []
        for child in _named(node):
            body.extend(self.stmts_of(child))
        return body

    def _stmt(self, node) -> list[ast.stmt]:
        return [_end_at_body(statement) for statement in self._lower_stmt(node)]

    def _lower_stmt(self, node) -> list[ast.stmt]:
        kind = node.kind()
        if kind == "ERROR" or (kind in ("import_statement", "import_from_statement") and self.is_dirty(node)):
            return self._soup(node)
        method = getattr(self, "_s_" + kind, None)
        if method is not None:
            return method(node)
        if kind in ("module", "block"):
            return self.block(node) if kind == "block" else [s for c in _named(node) for s in self.stmts_of(c)]
        if kind.endswith(_STATEMENT_SUFFIXES) or kind.endswith("_clause"):
            return [self._generic_stmt(node)]
        return [self._expression_statement(self.expr(node), node)]

    def _generic_stmt(self, node) -> ast.stmt:
        """A statement no rule looks into (`raise`, `assert`, `print x`, `match`, ...): its
        expressions and its blocks, in a shape `collect_facts` walks."""
        values, body = [], []
        for child in _named(node):
            kind = child.kind()
            if (
                kind in ("block", "case_clause")
                or kind.endswith(_STATEMENT_SUFFIXES)
                or kind.endswith("_clause")
                and kind != "if_clause"
            ):
                body.extend(self.block(child) if kind == "block" else self.stmts_of(child))
            elif kind not in ("case_pattern", "keyword_separator", "positional_separator"):
                values.append(self.expr(child))
        test = self.place(ast.Tuple(elts=values, ctx=ast.Load()), node)
        if body:
            return self.place(ast.If(test=test, body=body, orelse=[]), node)
        return self.place(ast.Expr(value=test), node)

    def _expression_statement(self, value: ast.expr, node) -> ast.stmt:
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and node.kind() not in _STRINGS:
            value = self.place(ast.Tuple(elts=[value], ctx=ast.Load()), node)  # a loose string is no docstring
        return self.place(ast.Expr(value=value), node)

    def _s_expression_statement(self, node) -> list[ast.stmt]:
        children = _named(node)
        if len(children) == 1:
            child = children[0]
            kind = child.kind()
            if kind == "assignment":
                return [self._assignment(child, node)]
            if kind == "augmented_assignment":
                return [
                    self.place(
                        ast.AugAssign(
                            target=self.target(child.field("left")), op=ast.Add(), value=self.expr(child.field("right"))
                        ),
                        node,
                    )
                ]
            if not any(part.kind() == "," for part in node.children()):
                return [self.place(ast.Expr(value=self.expr(child)), node)]
        # `a, b` and `"pkg.mod.name",` (a trailing comma makes a tuple: a string in it is no
        # docstring, it is a reference)
        return [self.place(ast.Expr(value=self._collection(ast.Tuple, children, node)), node)]

    def _assignment(self, node, statement) -> ast.stmt:
        targets = []
        while node is not None and node.kind() == "assignment":
            left, annotation, right = node.field("left"), node.field("type"), node.field("right")
            if annotation is not None:
                return self.place(
                    ast.AnnAssign(
                        target=self.target(left),
                        annotation=self.expr(annotation),
                        value=None if right is None else self.expr(right),
                        simple=1,
                    ),
                    statement,
                )
            if left is not None:
                targets.append(self.target(left))
            node = right
        value = self.expr(node) if node is not None else self.place(ast.Constant(value=None), statement)
        if not targets:
            return self.place(ast.Expr(value=value), statement)
        return self.place(ast.Assign(targets=targets, value=value), statement)

    def _s_import_statement(self, node) -> list[ast.stmt]:
        names = [self._alias(child) for child in node.field_children("name")]
        return [self.place(ast.Import(names=names), node)] if names else []

    def _s_import_from_statement(self, node) -> list[ast.stmt]:
        source = node.field("module_name")
        level, module = 0, None
        if source is not None and source.kind() == "relative_import":
            for part in _named(source):
                if part.kind() == "import_prefix":
                    level = part.text().count(".")
                elif part.kind() == "dotted_name":
                    module = _dotted(part)
        elif source is not None:
            module = _dotted(source)
        names = [self._alias(child) for child in node.field_children("name")]
        if any(child.kind() == "wildcard_import" for child in _named(node)):
            names.append(self.place(ast.alias(name="*", asname=None), node))
        return [self.place(ast.ImportFrom(module=module, names=names, level=level), node)]

    def _s_future_import_statement(self, node) -> list[ast.stmt]:
        names = [self._alias(child) for child in node.field_children("name")]
        if any(child.kind() == "wildcard_import" for child in _named(node)):
            names.append(self.place(ast.alias(name="*", asname=None), node))
        return [self.place(ast.ImportFrom(module="__future__", names=names, level=0), node)]

    def _alias(self, node) -> ast.alias:
        if node.kind() == "aliased_import":
            name, alias = node.field("name"), node.field("alias")
            return self.place(
                ast.alias(name=_dotted(name) if name else "", asname=alias.text() if alias else None), node
            )
        return self.place(ast.alias(name=_dotted(node), asname=None), node)

    def _s_decorated_definition(self, node) -> list[ast.stmt]:
        definition = node.field("definition")
        if definition is None:
            return [self._generic_stmt(node)]
        lowered = self.stmts_of(definition)
        decorators = [self.expr(_first_named(d) or d) for d in _named(node) if d.kind() == "decorator"]
        for statement in lowered:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                statement.decorator_list = decorators + statement.decorator_list
                break
        else:
            lowered = [self.place(ast.Expr(value=ast.Tuple(elts=decorators, ctx=ast.Load())), node)] + lowered
        return lowered

    def _s_function_definition(self, node) -> list[ast.stmt]:
        name = node.field("name")
        kind = ast.AsyncFunctionDef if _starts_with(node, "async") else ast.FunctionDef
        returns = node.field("return_type")
        body = self.block(node.field("body")) or [self.place(ast.Pass(), node)]
        return [
            self.place(
                _definition(
                    kind,
                    name=name.text() if name else "",
                    args=self.parameters(node.field("parameters")),
                    body=body,
                    decorator_list=[],
                    returns=None if returns is None else self.expr(returns),
                ),
                node,
            )
        ]

    def _s_class_definition(self, node) -> list[ast.stmt]:
        name = node.field("name")
        bases, keywords = self.arguments(node.field("superclasses"))
        body = self.block(node.field("body")) or [self.place(ast.Pass(), node)]
        return [
            self.place(
                _definition(
                    ast.ClassDef,
                    name=name.text() if name else "",
                    bases=bases,
                    keywords=keywords,
                    body=body,
                    decorator_list=[],
                ),
                node,
            )
        ]

    def _s_if_statement(self, node) -> list[ast.stmt]:
        return [self._if(node, node.field("condition"), node.field("consequence"), node.field_children("alternative"))]

    def _if(self, node, condition, consequence, alternatives) -> ast.If:
        orelse: list[ast.stmt] = []
        if alternatives:
            following = alternatives[0]
            if following.kind() == "elif_clause":
                orelse = [
                    self._if(following, following.field("condition"), following.field("consequence"), alternatives[1:])
                ]
            else:
                orelse = self.block(following.field("body"))
        test = self.expr(condition) if condition is not None else self.place(ast.Constant(value=None), node)
        return _end_at_body(self.place(ast.If(test=test, body=self.block(consequence), orelse=orelse), node))

    def _s_for_statement(self, node) -> list[ast.stmt]:
        kind = ast.AsyncFor if _starts_with(node, "async") else ast.For
        left, right = node.field("left"), node.field("right")
        alternative = node.field("alternative")
        return [
            self.place(
                kind(
                    target=self.target(left) if left else self.place(ast.Tuple(elts=[], ctx=ast.Store()), node),
                    iter=self.expr(right) if right else self.place(ast.Constant(value=None), node),
                    body=self.block(node.field("body")),
                    orelse=self.block(alternative.field("body")) if alternative else [],
                ),
                node,
            )
        ]

    def _s_while_statement(self, node) -> list[ast.stmt]:
        condition, alternative = node.field("condition"), node.field("alternative")
        return [
            self.place(
                ast.While(
                    test=self.expr(condition) if condition else self.place(ast.Constant(value=None), node),
                    body=self.block(node.field("body")),
                    orelse=self.block(alternative.field("body")) if alternative else [],
                ),
                node,
            )
        ]

    def _s_try_statement(self, node) -> list[ast.stmt]:
        handlers, orelse, final = [], [], []
        for child in _named(node):
            kind = child.kind()
            if kind == "except_clause" or kind == "except_group_clause":
                handlers.append(self._handler(child))
            elif kind == "else_clause":
                orelse = self.block(child.field("body"))
            elif kind == "finally_clause":
                final = self.block(_first_named(child, "block"))
        return [
            self.place(
                ast.Try(body=self.block(node.field("body")), handlers=handlers, orelse=orelse, finalbody=final), node
            )
        ]

    def _handler(self, node) -> ast.ExceptHandler:
        kind, name, body = None, None, []
        for child in _named(node):
            if child.kind() == "block":
                body = self.block(child)
            elif child.kind() == "as_pattern" and kind is None:
                parts = _named(child)
                kind = self.expr(parts[0]) if parts else None
                target = child.field("alias")
                if target is not None and target.kind() == "as_pattern_target":
                    target = _first_named(target)
                name = target.text() if target is not None and target.kind() == "identifier" else None
            elif kind is None:
                kind = self.expr(child)
        return _end_at_body(self.place(ast.ExceptHandler(type=kind, name=name, body=body), node))

    def _s_with_statement(self, node) -> list[ast.stmt]:
        kind = ast.AsyncWith if _starts_with(node, "async") else ast.With
        items = []
        for clause in _named(node):
            if clause.kind() != "with_clause":
                continue
            for item in _named(clause):
                value = item.field("value") or _first_named(item)
                if value is None:
                    continue
                if value.kind() == "as_pattern":
                    parts = _named(value)
                    target = value.field("alias")
                    if target is not None and target.kind() == "as_pattern_target":
                        target = _first_named(target)
                    items.append(
                        ast.withitem(
                            context_expr=self.expr(parts[0]) if parts else self.place(ast.Constant(value=None), value),
                            optional_vars=self.target(target) if target is not None else None,
                        )
                    )
                else:
                    items.append(ast.withitem(context_expr=self.expr(value), optional_vars=None))
        return [self.place(kind(items=items, body=self.block(node.field("body"))), node)]

    def _s_return_statement(self, node) -> list[ast.stmt]:
        value = _first_named(node)
        return [self.place(ast.Return(value=self.expr(value) if value is not None else None), node)]

    # ------------------------------------------------------------------ broken regions

    def _soup(self, node, structural: bool = True) -> list[ast.stmt]:
        """An ERROR node (or anything too deep to lower): the complete pieces it holds, and the
        imports, classes and functions its loose tokens still spell."""
        items = list(self._flatten(node, structural))
        body: list[ast.stmt] = []
        index = 0
        while index < len(items):
            item = items[index]
            if isinstance(item, _Token):
                word = item.word()
                consumed = None
                if word == "from":
                    consumed = self._scan_from(items, index, body)
                elif word == "import":
                    consumed = self._scan_import(items, index, body)
                elif word in ("class", "def"):
                    consumed = self._scan_definition(items, index, body, word)
                index = consumed if consumed else index + 1
                continue
            if isinstance(item, ast.stmt):
                body.append(item)
            else:
                body.append(self._expression_statement(item, node))
            index += 1
        return body

    def _flatten(self, node, structural: bool) -> Iterator[_Token | ast.AST]:
        """Leaves (as tokens) and complete sub-trees (lowered) of a broken node, in source order."""
        stack = [node]
        while stack:
            current = stack.pop()
            kind = current.kind()
            if kind in _SKIPPED:
                continue
            children = current.children()
            if not children:
                yield _Token(current)
                continue
            if current is not node and current.is_named() and kind not in _TOKEN_GROUPS and kind != "ERROR":
                if kind in _STRINGS and not self.is_dirty(current):
                    yield self.expr_leaf(current)
                    continue
                if structural and not self.is_dirty(current):
                    if kind.endswith(_STATEMENT_SUFFIXES) or kind == "block":
                        yield from self.stmts_of(current)
                    else:
                        yield self.expr(current)
                    continue
            stack.extend(reversed(children))

    def _scan_from(self, items, index: int, body: list) -> int | None:
        position = index + 1
        level, parts = 0, []
        while (
            position < len(items)
            and isinstance(items[position], _Token)
            and items[position].text.strip(".") == ""
            and items[position].text
        ):
            level += len(items[position].text)
            position += 1
        position, parts = _dotted_tokens(items, position)
        if not (position < len(items) and _is_token(items[position], "import")):
            return None
        last = items[position]
        position, names, last = self._scan_names(items, position + 1, last, star=True)
        module = ".".join(parts) or None
        if module is None and level == 0:
            return None
        statement = ast.ImportFrom(module=module, names=names, level=level)
        body.append(self._place_tokens(statement, items[index], last))
        return position

    def _scan_import(self, items, index: int, body: list) -> int | None:
        position, names, last = self._scan_names(items, index + 1, items[index], star=False)
        if not names:
            return None
        body.append(self._place_tokens(ast.Import(names=names), items[index], last))
        return position

    def _scan_names(self, items, position: int, last, star: bool):
        names = []
        if position < len(items) and _is_token(items[position], "("):
            last = items[position]
            position += 1
        while position < len(items):
            if star and _is_token(items[position], "*"):
                names.append(self._place_tokens(ast.alias(name="*", asname=None), items[position], items[position]))
                last = items[position]
                position += 1
                break
            first = position
            position, parts = _dotted_tokens(items, position)
            if not parts:
                break
            end = items[position - 1]
            asname = None
            if position + 1 < len(items) and _is_token(items[position], "as") and _is_name(items[position + 1]):
                asname, end = items[position + 1].text, items[position + 1]
                position += 2
            names.append(self._place_tokens(ast.alias(name=".".join(parts), asname=asname), items[first], end))
            last = end
            if position < len(items) and _is_token(items[position], ","):
                last = items[position]
                position += 1
                continue
            break
        if position < len(items) and _is_token(items[position], ")"):
            last = items[position]
            position += 1
        return position, names, last

    def _scan_definition(self, items, index: int, body: list, word: str) -> int | None:
        if index + 1 >= len(items) or not _is_name(items[index + 1]):
            return None
        keyword, name = items[index], items[index + 1]
        if word == "class":
            statement = _definition(ast.ClassDef, name=name.text, bases=[], keywords=[], body=[], decorator_list=[])
        else:
            statement = _definition(
                ast.FunctionDef, name=name.text, args=_no_arguments(), body=[], decorator_list=[], returns=None
            )
        self._place_tokens(statement, keyword, name)
        statement.body = [self._place_tokens(ast.Pass(), keyword, name)]
        body.append(statement)
        return index + 2

    def _place_tokens(self, target: ast.AST, first: _Token, last: _Token) -> ast.AST:
        return self.place(target, first.node, last.node)

    # ------------------------------------------------------------------ expressions

    def expr(self, node) -> ast.expr:
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                return self._flat(node)
            return self._expr(node)
        finally:
            self.depth -= 1

    def _flat(self, node) -> ast.expr:
        """Too deep to lower: keep the strings and the imports spelled by its tokens."""
        return self._broken_expr(node, structural=False)

    def _expr(self, node) -> ast.expr:
        kind = node.kind()
        if kind == "identifier":
            return self.place(ast.Name(id=node.text(), ctx=ast.Load()), node)
        if kind == "attribute":
            value, attribute = node.field("object"), node.field("attribute")
            if value is not None and attribute is not None:
                return self.place(ast.Attribute(value=self.expr(value), attr=attribute.text(), ctx=ast.Load()), node)
        elif kind == "call":
            function, arguments = node.field("function"), node.field("arguments")
            if function is not None:
                if arguments is not None and arguments.kind() == "generator_expression":
                    args, keywords = [self.expr(arguments)], []
                else:
                    args, keywords = self.arguments(arguments)
                return self.place(ast.Call(func=self.expr(function), args=args, keywords=keywords), node)
        elif kind in _STRINGS:
            return self.expr_leaf(node)
        elif kind == "parenthesized_expression":
            inner = _named(node)
            if len(inner) == 1:
                return self.expr(inner[0])
        elif kind in _COLLECTIONS:
            return self._collection(_COLLECTIONS[kind], _named(node), node)
        elif kind == "dictionary":
            return self._dictionary(node)
        elif kind == "subscript":
            value = node.field("value")
            if value is not None:
                parts = [self.expr(part) for part in node.field_children("subscript")]
                index = parts[0] if len(parts) == 1 else self.place(ast.Tuple(elts=parts, ctx=ast.Load()), node)
                return self.place(ast.Subscript(value=self.expr(value), slice=index, ctx=ast.Load()), node)
        elif kind == "binary_operator":
            left, right = node.field("left"), node.field("right")
            operator = node.field("operator")
            if left is not None and right is not None:
                op = ast.Add() if operator is not None and operator.text() == "+" else ast.BitOr()
                return self.place(ast.BinOp(left=self.expr(left), op=op, right=self.expr(right)), node)
        elif kind == "named_expression":
            name, value = node.field("name"), node.field("value")
            if name is not None and value is not None:
                target = self.place(ast.Name(id=name.text(), ctx=ast.Store()), name)
                return self.place(ast.NamedExpr(target=target, value=self.expr(value)), node)
        elif kind == "lambda":
            body = node.field("body")
            return self.place(
                ast.Lambda(
                    args=self.parameters(node.field("parameters")),
                    body=self.expr(body) if body is not None else self.place(ast.Constant(value=None), node),
                ),
                node,
            )
        elif kind in _COMPREHENSIONS or kind == "dictionary_comprehension":
            return self._comprehension(node, kind)
        elif kind in ("list_splat", "list_splat_pattern"):
            inner = _first_named(node)
            if inner is not None:
                return self.place(ast.Starred(value=self.expr(inner), ctx=ast.Load()), node)
        elif kind == "type":
            inner = _named(node)
            if len(inner) == 1:
                return self.expr(inner[0])
        elif kind == "ERROR":
            return self._broken_expr(node)
        elif kind.endswith(_STATEMENT_SUFFIXES) or kind == "block":
            self.hoisted.extend(self.stmts_of(node))
            return self.place(ast.Constant(value=None), node)
        children = [
            child for child in _named(node) if child.kind() not in ("keyword_separator", "positional_separator")
        ]
        if not children:
            return self.place(ast.Constant(value=None), node)
        return self._collection(ast.Tuple, children, node)

    def expr_leaf(self, node) -> ast.expr:
        """A string literal: its value, as Python would read it; an f-string as `_fstring` reads it."""
        text = node.text()
        value = _literal(text)
        if isinstance(value, (str, bytes)):
            return self.place(ast.Constant(value=value), node)
        if value is _FSTRING:
            return self._fstring(text, self.place(ast.JoinedStr(values=[]), node))
        return self.place(ast.Constant(value=None), node)

    def _fstring(self, text: str, opaque: ast.JoinedStr) -> ast.expr:
        """An f-string (or a concatenation holding one) as Python reads it alone: its literal
        text and its placeholders' code, at the places the file has them (the expression parsed
        at column 0 after a `(`, then moved to where `opaque` sits). Left `opaque` (no text, no
        code) when Python cannot read it, or when its code nests deeper than the lowering may."""
        try:
            parsed = ast.parse("(" + text + "\n)", mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return opaque
        if not isinstance(parsed, ast.JoinedStr):
            return opaque
        line, column = opaque.lineno - 1, opaque.col_offset - 1  # the `(` stands at column 0 of line 1
        pending = [(parsed, self.depth)]
        while pending:
            sub, depth = pending.pop()
            if depth > self.max_depth:
                return opaque
            if "end_lineno" in sub._attributes:  # expressions, and keywords, arguments, aliases
                if sub.lineno == 1:
                    sub.col_offset += column
                if sub.end_lineno == 1:
                    sub.end_col_offset += column
                sub.lineno += line
                sub.end_lineno += line
            pending.extend((child, depth + 1) for child in ast.iter_child_nodes(sub))
        return parsed

    def _broken_expr(self, node, structural: bool = True) -> ast.expr:
        values = []
        for statement in self._soup(node, structural):
            if isinstance(statement, ast.Expr):
                values.append(statement.value)
            else:
                self.hoisted.append(statement)
        return self.place(ast.Tuple(elts=values, ctx=ast.Load()), node)

    def _collection(self, kind, children, node) -> ast.expr:
        elts = [_unsplat(self.expr(child)) for child in children]
        if kind is ast.Set:
            return self.place(ast.Set(elts=elts), node)
        return self.place(kind(elts=elts, ctx=ast.Load()), node)

    def _dictionary(self, node) -> ast.expr:
        keys, values = [], []
        for child in _named(node):
            if child.kind() == "pair":
                key, value = child.field("key"), child.field("value")
                keys.append(self.expr(key) if key is not None else None)
                values.append(self.expr(value) if value is not None else self.place(ast.Constant(value=None), child))
            elif child.kind() == "dictionary_splat":
                inner = _first_named(child)
                if inner is not None:
                    keys.append(None)
                    values.append(self.expr(inner))
            else:
                keys.append(None)
                values.append(self.expr(child))
        return self.place(ast.Dict(keys=keys, values=values), node)

    def _comprehension(self, node, kind: str) -> ast.expr:
        generators: list[ast.comprehension] = []
        body = node.field("body")
        for child in _named(node):
            if child.kind() == "for_in_clause":
                left, right = child.field("left"), child.field("right")
                generators.append(
                    ast.comprehension(
                        target=self.target(left) if left else ast.Tuple(elts=[], ctx=ast.Store()),
                        iter=self.expr(right) if right else self.place(ast.Constant(value=None), child),
                        ifs=[],
                        is_async=int(_starts_with(child, "async")),
                    )
                )
            elif child.kind() == "if_clause" and generators:
                condition = _first_named(child)
                if condition is not None:
                    generators[-1].ifs.append(self.expr(condition))
        if not generators:
            return self._collection(ast.Tuple, _named(node), node)
        if kind == "dictionary_comprehension":
            key = body.field("key") if body is not None and body.kind() == "pair" else None
            value = body.field("value") if body is not None and body.kind() == "pair" else body
            none = self.place(ast.Constant(value=None), node)
            return self.place(
                ast.DictComp(
                    key=self.expr(key) if key is not None else none,
                    value=self.expr(value) if value is not None else none,
                    generators=generators,
                ),
                node,
            )
        element = self.expr(body) if body is not None else self.place(ast.Constant(value=None), node)
        return self.place(_COMPREHENSIONS[kind](elt=element, generators=generators), node)

    def target(self, node) -> ast.expr:
        """An assignment target: names are bound, everything else is read."""
        kind = node.kind()
        if kind == "identifier":
            return self.place(ast.Name(id=node.text(), ctx=ast.Store()), node)
        if kind in _COLLECTIONS:
            return self.place(ast.Tuple(elts=[self.target(child) for child in _named(node)], ctx=ast.Store()), node)
        if kind in ("list_splat_pattern", "list_splat"):
            inner = _first_named(node)
            if inner is not None:
                return self.place(ast.Starred(value=self.target(inner), ctx=ast.Store()), node)
        if kind == "parenthesized_expression":
            inner = _named(node)
            if len(inner) == 1:
                return self.target(inner[0])
        return self.expr(node)

    def arguments(self, node) -> tuple[list[ast.expr], list[ast.keyword]]:
        args: list[ast.expr] = []
        keywords: list[ast.keyword] = []
        if node is None:
            return args, keywords
        for child in _named(node):
            kind = child.kind()
            if kind == "keyword_argument":
                name, value = child.field("name"), child.field("value")
                if value is not None:
                    keywords.append(
                        self.place(ast.keyword(arg=name.text() if name else None, value=self.expr(value)), child)
                    )
            elif kind == "dictionary_splat":
                inner = _first_named(child)
                if inner is not None:
                    keywords.append(self.place(ast.keyword(arg=None, value=self.expr(inner)), child))
            else:
                args.append(_unsplat(self.expr(child)))
        return args, keywords

    def parameters(self, node) -> ast.arguments:
        arguments = _no_arguments()
        if node is None:
            return arguments
        for child in _named(node):
            kind = child.kind()
            name = child if kind == "identifier" else child.field("name")
            annotation = child.field("type") if kind.startswith("typed") else None
            value = child.field("value") if kind.endswith("default_parameter") else None
            if name is None or name.kind() != "identifier":
                name = _first_named(child, "identifier") or (_first_named(_first_named(child) or child, "identifier"))
            if name is None:
                continue
            argument = self.place(
                ast.arg(arg=name.text(), annotation=None if annotation is None else self.expr(annotation)), child
            )
            splat = _first_named(child)
            if kind == "list_splat_pattern" or (splat is not None and splat.kind() == "list_splat_pattern"):
                arguments.vararg = argument
            elif kind == "dictionary_splat_pattern" or (
                splat is not None and splat.kind() == "dictionary_splat_pattern"
            ):
                arguments.kwarg = argument
            else:
                arguments.args.append(argument)
                if value is not None:
                    arguments.defaults.append(self.expr(value))
        return arguments


# ---------------------------------------------------------------------- small pieces

_FSTRING = object()


def _literal(text: str):
    """The value of a string literal's source text; `_FSTRING` for f-strings; None if broken."""
    quote = text[:1]
    if quote in ("'", '"') and "\\" not in text:
        for delimiter in (quote * 3, quote):
            if len(text) >= 2 * len(delimiter) and text.startswith(delimiter) and text.endswith(delimiter):
                inner = text[len(delimiter) : -len(delimiter)]
                if delimiter not in inner and (len(delimiter) == 3 or "\n" not in inner):
                    return inner
                break
    try:
        return ast.literal_eval("(" + text + "\n)")
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    prefix = re.match(r"^[A-Za-z]*", text).group(0).lower()
    return _FSTRING if "f" in prefix or ("f" in text and re.search(r"(?i)(?:^|\s)[rb]?f[rb]?['\"]", text)) else None


def _named(node) -> list:
    return [child for child in node.children() if child.is_named() and child.kind() not in _SKIPPED]


def _first_named(node, kind: str | None = None):
    for child in _named(node):
        if kind is None or child.kind() == kind:
            return child
    return None


def _starts_with(node, word: str) -> bool:
    first = node.child(0)
    return first is not None and first.text() == word


def _dotted(node) -> str:
    """`a . b` (with spaces, comments or a line continuation inside) -> `a.b`."""
    if node.kind() == "identifier":
        return node.text()
    return ".".join(part.text() for part in node.children() if part.kind() == "identifier")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t\f"))


def _is_token(item, text: str) -> bool:
    return isinstance(item, _Token) and item.text == text


def _is_name(item) -> bool:
    return (
        isinstance(item, _Token)
        and item.kind in ("identifier", "__future__")
        and item.text.isidentifier()
        and item.text not in ("import", "from", "as", "class", "def")
    )


def _dotted_tokens(items, position: int) -> tuple[int, list[str]]:
    parts: list[str] = []
    while position < len(items) and _is_name(items[position]):
        parts.append(items[position].text)
        if position + 2 < len(items) and _is_token(items[position + 1], ".") and _is_name(items[position + 2]):
            position += 2
        else:
            position += 1
            break
    return position, parts


def _unsplat(value: ast.expr) -> ast.expr:
    """tree-sitter reads `[*a.b()]` as `(*a).b()`; move the star back out, as Python reads it."""
    chain, base = [], value
    while isinstance(base, (ast.Call, ast.Attribute, ast.Subscript)):
        chain.append(base)
        base = base.func if isinstance(base, ast.Call) else base.value
    if not chain or not isinstance(base, ast.Starred):
        return value
    inner, last = base.value, chain[-1]
    if isinstance(last, ast.Call):
        last.func = inner
    else:
        last.value = inner
    for link in chain:
        link.lineno, link.col_offset = inner.lineno, inner.col_offset
    starred = ast.Starred(value=value, ctx=ast.Load())
    starred.lineno, starred.col_offset = base.lineno, base.col_offset
    starred.end_lineno, starred.end_col_offset = value.end_lineno, value.end_col_offset
    return starred


def _end_at_body(statement: ast.AST) -> ast.AST:
    """A compound statement ends where its last statement does, as in `ast` (tree-sitter's
    block also holds the comments after it)."""
    for field in ("finalbody", "orelse", "handlers", "body"):
        last = getattr(statement, field, None)
        if isinstance(last, list) and last and hasattr(last[-1], "end_lineno"):
            statement.end_lineno, statement.end_col_offset = last[-1].end_lineno, last[-1].end_col_offset
            break
    return statement


def _no_arguments() -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])


def _definition(kind, **fields) -> ast.stmt:
    if "type_params" in kind._fields:  # Python 3.12+
        fields["type_params"] = []
    return kind(**fields)
