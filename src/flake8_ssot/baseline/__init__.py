"""Baselines: record today's violations in a file and fail only on new ones, for phased migrations.

An entry is keyed by file, code, legacy path and the normalised text of the logical line that
holds the violation, with an occurrence index among equal keys in the file; never by line
number, so inserting lines, reformatting or moving code within a file keeps it matched.
This module reads and writes the file and compares; it does not check files or print reports.
"""

from __future__ import annotations

import ast
import bisect
import hashlib
import io
import json
import keyword
import os
import tokenize
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from flake8_ssot.config import ConfigError
from flake8_ssot.config.selection import enabled_predicate
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.files import source_reader, write_atomic
from flake8_ssot.paths import relative_path
from flake8_ssot.span import split_lines

VERSION = 1
TOOL = "flake8-ssot"
ENTRY_KEYS = ("code", "path", "occurrence", "statement")
_FIELDS = '"version", "tool" and "files"'
# Longer statement texts (a docstring, a registry dict) keep their head and a digest of the rest.
MAX_STATEMENT = 240
HEAD = 160


class BaselineError(ConfigError):
    """A baseline file that cannot be read or written; phrased "FILE: problem" for the user."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(file, "", problem)


class Key(NamedTuple):
    """What a baseline entry matches, within one file."""

    code: str
    path: str  # the legacy path (or symbol) the violation is about
    statement: str  # normalised text of its logical line


# --------------------------------------------------------------------------- statement text

_SKIPPED = frozenset({
    tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
    tokenize.ENCODING, tokenize.ENDMARKER,
})
_OPENING, _CLOSING = frozenset("([{"), frozenset(")]}")
_NO_SPACE_BEFORE = frozenset({")", "]", "}", ",", ":", ".", ";"})
_NO_SPACE_AFTER = frozenset({"(", "[", "{", ".", "@", "~"})
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)  # Python 3.12 splits f-strings
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def _string_text(text: str) -> str:
    """One spelling per string literal ('x' and "x" are the same key); an f-string gets single
    quotes when its text holds no quote or backslash, else it stays as written."""
    prefix = text[:len(text) - len(text.lstrip("rRbBuUfF"))]
    if "f" in prefix.lower():
        rest = text[len(prefix):]
        quote = rest[:3] if rest[:3] in ('"""', "'''") else rest[:1]
        body = rest[len(quote):len(rest) - len(quote)]
        if quote and rest.endswith(quote) and len(rest) >= 2 * len(quote) and not any(c in body for c in "'\"\\"):
            single = "'" * len(quote)
            return "".join(sorted(prefix.lower())) + single + body + single
        return text
    try:
        return repr(ast.literal_eval(text))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text


def normalise(tokens: Sequence[str]) -> str:
    """Token texts joined in one canonical spacing, without the comma before a closing bracket
    and without the optional parentheses of `from x import (...)`, as formatters add them."""
    kept = [text for index, text in enumerate(tokens)
            if not (text == "," and index + 1 < len(tokens) and tokens[index + 1] in _CLOSING)]
    if kept and kept[0] == "from" and "(" in kept and kept[-1] == ")":
        opening = kept.index("(")
        if opening > 0 and kept[opening - 1] == "import":
            kept = kept[:opening] + kept[opening + 1:-1]
    parts: list[str] = []
    for index, text in enumerate(kept):
        if index and text not in _NO_SPACE_BEFORE and kept[index - 1] not in _NO_SPACE_AFTER \
                and not (text in ("(", "[") and _is_callee(kept[index - 1])):
            parts.append(" ")
        parts.append(text)
    return _shorten("".join(parts))


def _is_callee(text: str) -> bool:
    """A call or subscript follows a name or a closing bracket (`f(x)`, `d[k]`), not a keyword."""
    return text in _CLOSING or (text.isidentifier() and not keyword.iskeyword(text))


def _shorten(text: str) -> str:
    if len(text) <= MAX_STATEMENT:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{text[:HEAD]} ... sha256:{digest}"


def _plain_line(line: str) -> str:
    return _shorten(" ".join(line.split()))


class _Segment(NamedTuple):
    start: tuple[int, int]  # (1-based line, 0-based character column) of its first token
    end: tuple[int, int]
    tokens: tuple[str, ...]
    positions: tuple[tuple[int, int], ...]  # where each token starts


class Statements:
    """The logical lines of one source text (statements split at `;` too), to look up the one
    that holds a position. Where tokenizing fails (a file that does not parse), the lines from
    there on stand for themselves, whitespace-collapsed."""

    def __init__(self, source: str) -> None:
        self.lines = split_lines(source)  # Python's line breaks, as the engine's
        self.segments: list[_Segment] = []
        self._tokenize(source)
        self._starts = [segment.start for segment in self.segments]

    def _tokenize(self, source: str) -> None:
        texts: list[str] = []
        positions: list[tuple[int, int]] = []
        start: tuple[int, int] | None = None
        end = (0, 0)
        fstring_depth, fstring_start = 0, (0, 0)
        try:
            for token in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
                kind = token.type
                if fstring_depth:  # Python 3.12: gather an f-string back into one literal
                    if kind == _FSTRING_START:
                        fstring_depth += 1
                    elif kind == _FSTRING_END:
                        fstring_depth -= 1
                        if not fstring_depth:
                            texts.append(_string_text(self._text(fstring_start, token.end)))
                            positions.append(fstring_start)
                            end = token.end
                    continue
                if kind == _FSTRING_START and _FSTRING_START is not None:
                    fstring_depth, fstring_start = 1, token.start
                    if start is None:
                        start = token.start
                    continue
                if kind in (tokenize.NEWLINE, tokenize.ENDMARKER) or (kind == tokenize.OP and token.string == ";"):
                    if texts and start is not None:
                        self.segments.append(_Segment(start, end, tuple(texts), tuple(positions)))
                    texts, positions, start = [], [], None
                    continue
                if kind in _SKIPPED:
                    continue
                if start is None:
                    start = token.start
                texts.append(_string_text(token.string) if kind == tokenize.STRING else token.string)
                positions.append(token.start)
                end = token.end
        except (tokenize.TokenError, SyntaxError):
            pass  # an unclosed bracket or bad dedent: the rest falls back to plain lines

    def _text(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        if start[0] == end[0]:
            return self.lines[start[0] - 1][start[1]:end[1]]
        parts = [self.lines[start[0] - 1][start[1]:], *self.lines[start[0]:end[0] - 1], self.lines[end[0] - 1][:end[1]]]
        return "\n".join(parts)

    def text_at(self, line: int, column: int) -> str:
        """The normalised text of the statement holding (1-based line, 0-based column)."""
        index = bisect.bisect_right(self._starts, (line, column)) - 1
        if index >= 0:
            segment = self.segments[index]
            if segment.end >= (line, column) and segment.start[0] <= line:
                return _statement_text(segment, (line, column))
        # Between statements or past the part that tokenized: this physical line alone.
        if line == 0 or line > len(self.lines):
            return ""
        return _plain_line(self.lines[line - 1])


# Parentheses a formatter may add around a whole tuple at statement level, between these.
_SIDE_STARTS = frozenset({
    "=", "return", "yield", "del", "for", "in", "with", "+=", "-=", "*=", "/=", "//=", "%=",
    "**=", ">>=", "<<=", "&=", "^=", "|=", "@=",
})
_SIDE_ENDS = frozenset({"=", ":", "in"})


Position = tuple[int, int]


def _without_grouping(
    tokens: Sequence[str], positions: Sequence[Position]
) -> tuple[tuple[str, ...], tuple[Position, ...]]:
    """Drop the parentheses that formatters add and remove with the line length: those that
    only group (`x = (\n    f(a)\n)`, `return (a)`) and those around a whole tuple at
    statement level (`(a, b) = (\n    c,\n    d,\n)`, `with (a as b, c):`). Calls keep theirs."""
    if "(" not in tokens:
        return tuple(tokens), tuple(positions)
    matching: dict[int, int] = {}
    stack: list[int] = []
    commas: dict[int, bool] = {}  # an open "(" -> has a comma at its own depth
    top: set[int] = set()  # the brackets opened at depth 0
    for index, text in enumerate(tokens):
        if text in _OPENING:
            if not stack:
                top.add(index)
            stack.append(index)
            commas[index] = False
        elif text in _CLOSING and stack:
            matching[stack.pop()] = index
        elif text == "," and stack:
            commas[stack[-1]] = True
    dropped: set[int] = set()
    for opening, closing in matching.items():
        if tokens[opening] != "(" or closing == opening + 1:
            continue
        if opening > 0 and _is_callee(tokens[opening - 1]):
            continue  # a call, a definition's parameters, a class's bases
        whole_side = opening in top and (opening == 0 or tokens[opening - 1] in _SIDE_STARTS) and (
            closing + 1 == len(tokens) or tokens[closing + 1] in _SIDE_ENDS)
        if commas[opening] and not whole_side:
            continue  # a tuple inside an expression
        dropped.update((opening, closing))
        if tokens[closing - 1] == ",":
            dropped.add(closing - 1)  # the magic trailing comma goes with them
    if not dropped:
        return tuple(tokens), tuple(positions)
    kept = [index for index in range(len(tokens)) if index not in dropped]
    return tuple(tokens[index] for index in kept), tuple(positions[index] for index in kept)


def _statement_text(segment: _Segment, position: tuple[int, int]) -> str:
    """The whole statement; or, for a position inside brackets (an argument, a list or dict
    element, a parameter), the statement's head up to its first bracket and that one element,
    so adding an export to `__all__` or an entry to a registry dict keeps the others matched.
    Imports are always whole: their parentheses are optional, and a copy must not match."""
    tokens, positions = _without_grouping(segment.tokens, segment.positions)
    if not tokens:
        return ""
    if tokens[0] in ("from", "import"):
        return normalise(tokens)
    stack: list[int] = []
    before = 0  # the tokens that start before the position
    for index, start in enumerate(positions):
        if start >= position:
            break
        before = index + 1
        if tokens[index] in _OPENING:
            stack.append(index)
        elif tokens[index] in _CLOSING and stack:
            stack.pop()
    if not stack:
        return normalise(tokens)
    inner = stack[-1]
    first, last, depth = inner + 1, len(tokens), 0
    for index in range(inner + 1, len(tokens)):
        text = tokens[index]
        if text in _OPENING:
            depth += 1
        elif text in _CLOSING:
            if depth == 0:
                last = index
                break
            depth -= 1
        elif text == "," and depth == 0:
            if index < before:
                first = index + 1
            else:
                last = index
                break
    return _shorten(f"{normalise(tokens[:stack[0] + 1])} ... {normalise(tokens[first:last])}")


def keys(diagnostics: Sequence[Diagnostic], source: str | None,
         statements: Statements | Pieces | None = None) -> list[Key]:
    """The key of each diagnostic of one file; `source` None (unreadable now) falls back on
    the statement text the rule recorded. `statements`: the file's, already split (the editor's
    `Pieces`)."""
    if source is None:
        return [Key(d.code, d.subject or d.code, _shorten(d.statement)) for d in diagnostics]
    if statements is None:
        statements = Statements(source)
    return [Key(d.code, d.subject or d.code, statements.text_at(d.span.line, d.span.column)) for d in diagnostics]


class Pieces:
    """A file's statements read top-level statement by top-level statement: each piece, from
    the first line of one top-level statement to the next one's, starts a logical line at
    indentation 0 with no bracket or string open, so it tokenizes alone into the same logical
    lines as in the whole file. The editor re-keys a buffer after every edit: only the pieces
    that hold a violation are read, and a piece whose text did not change is not read again
    (`cache`, text -> its Statements, kept by the caller between versions)."""

    def __init__(self, lines: Sequence[str], starts: Sequence[int], cache: dict[str, Statements]) -> None:
        self.lines = lines
        self.starts = sorted(set(starts) | {0})  # 0-based first lines
        self.previous, self.cache = cache, {}

    def text_at(self, line: int, column: int) -> str:
        index = bisect.bisect_right(self.starts, line - 1) - 1
        first = self.starts[index]
        last = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.lines)
        text = "\n".join(self.lines[first:last])
        statements = self.cache.get(text) or self.previous.get(text) or Statements(text)
        self.cache[text] = statements
        return statements.text_at(line - first, column)


# --------------------------------------------------------------------------- the file


@dataclass
class Baseline:
    """Entries per file (project-root-relative POSIX path): how many of each key are allowed."""

    files: dict[str, Counter] = field(default_factory=dict)

    def count(self) -> int:
        return sum(sum(counter.values()) for counter in self.files.values())

    def file_count(self) -> int:
        return sum(1 for counter in self.files.values() if sum(counter.values()))


def dumps(baseline: Baseline) -> str:
    """Sorted, one entry per line, trailing newline: the same violations give the same bytes."""
    lines = ["{", f'  "version": {VERSION},', f'  "tool": {json.dumps(TOOL)},']
    files = [(name, counter) for name, counter in sorted(baseline.files.items()) if sum(counter.values())]
    if not files:
        lines.append('  "files": {}')
    else:
        lines.append('  "files": {')
        for position, (name, counter) in enumerate(files):
            lines.append(f"    {json.dumps(name, ensure_ascii=False)}: [")
            entries = []
            for key in sorted(counter):
                for occurrence in range(counter[key]):
                    entry = {"code": key.code, "path": key.path, "occurrence": occurrence, "statement": key.statement}
                    entries.append("      " + json.dumps(entry, ensure_ascii=False))
            lines.append(",\n".join(entries))
            lines.append("    ]" + ("," if position < len(files) - 1 else ""))
        lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def loads(text: str, file: str) -> Baseline:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"(line {error.lineno}, column {error.colno})"
        raise BaselineError(file, f"is not valid JSON: {error.msg} {where}") from None
    if not isinstance(document, dict):
        raise BaselineError(file, f"is not a flake8-ssot baseline: expected a JSON object with {_FIELDS}")
    if "version" not in document:
        raise BaselineError(file, "is not a flake8-ssot baseline: no \"version\" field")
    version = document["version"]
    if version != VERSION or isinstance(version, bool):
        raise BaselineError(
            file, f"unknown baseline version {json.dumps(version)} (this flake8-ssot reads version {VERSION}; "
            "upgrade flake8-ssot or write the baseline again with --write-baseline)"
        )
    if document.get("tool") != TOOL:
        tool = json.dumps(document.get("tool"))
        raise BaselineError(file, f"is not a flake8-ssot baseline: \"tool\" is {tool}, expected \"{TOOL}\"")
    unknown = sorted(set(document) - {"version", "tool", "files"})
    if unknown:
        raise BaselineError(file, f"unknown field {json.dumps(unknown[0])} (expected {_FIELDS})")
    files = document.get("files")
    if not isinstance(files, dict):
        raise BaselineError(file, "\"files\" must be an object mapping each file to its list of entries")
    baseline = Baseline()
    for name, entries in files.items():
        where = f"files[{json.dumps(name, ensure_ascii=False)}]"
        if not isinstance(entries, list):
            raise BaselineError(file, f"{where} must be a list of entries")
        occurrences: dict[Key, set[int]] = {}
        for index, entry in enumerate(entries):
            key, occurrence = _entry(entry, file, f"{where}[{index}]")
            occurrences.setdefault(key, set()).add(occurrence)
        # A multiset: an entry allows one violation with its key, whatever its occurrence number.
        baseline.files[name] = Counter({key: len(numbers) for key, numbers in occurrences.items()})
    return baseline


def _entry(entry: object, file: str, where: str) -> tuple[Key, int]:
    if not isinstance(entry, dict):
        raise BaselineError(file, f"{where} must be an object with {', '.join(ENTRY_KEYS)}")
    for name in entry:
        if name not in ENTRY_KEYS:
            raise BaselineError(file, f"{where}: unknown field {json.dumps(name)} (expected {', '.join(ENTRY_KEYS)})")
    for name in ENTRY_KEYS:
        if name not in entry:
            raise BaselineError(file, f"{where}: missing field \"{name}\"")
    for name in ("code", "path", "statement"):
        if not isinstance(entry[name], str):
            raise BaselineError(file, f"{where}.{name} must be a string")
    occurrence = entry["occurrence"]
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or occurrence < 0:
        raise BaselineError(file, f"{where}.occurrence must be a whole number from 0")
    return Key(entry["code"], entry["path"], entry["statement"]), occurrence


def load(path: str, shown: str | None = None) -> Baseline:
    """Read a baseline; errors name it as `shown` (the path as the user wrote it)."""
    shown = shown or path
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise BaselineError(shown, "no such baseline file (create it with --write-baseline)") from None
    except OSError as error:
        raise BaselineError(shown, f"cannot read the baseline: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BaselineError(shown, "is not valid UTF-8") from None
    return loads(text, shown)


def save(path: str, baseline: Baseline, shown: str | None = None) -> None:
    """Write through a temporary file and a rename, so a failed write leaves the old baseline."""
    shown = shown or path
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        write_atomic(path, dumps(baseline))
    except OSError as error:
        raise BaselineError(shown, f"cannot write the baseline: {error.strerror or error}") from None


def load_or_empty(path: str, shown: str | None = None) -> Baseline:
    """A baseline the editor writes to: one not written yet is empty (the first "Add to
    baseline" creates it); any other problem is a `BaselineError`."""
    if not os.path.exists(path):
        return Baseline()
    return load(path, shown)


def edit_file(path: str, name: str, change: Callable[[Counter], Counter], shown: str | None = None) -> Baseline:
    """Replace the entries of file `name` by `change(entries)` and write the baseline back
    (atomically, in `dumps`'s one sorted format, so one added entry is one added line in a
    diff); the other files' entries stay as they are. Returns the baseline written."""
    baseline = load_or_empty(path, shown)
    entries = +change(Counter(baseline.files.get(name, Counter())))
    if entries:
        baseline.files[name] = entries
    else:
        baseline.files.pop(name, None)
    save(path, baseline, shown)
    return baseline


def added(keys: Iterable[Key]) -> Callable[[Counter], Counter]:
    """A change for `edit_file`: one more entry for each key (a key twice: two entries)."""
    return lambda entries: entries + Counter(keys)


def without_stale(found: Sequence[Key], judged: Callable[[str], bool]) -> Callable[[Counter], Counter]:
    """A change for `edit_file`: drop the entries no violation of the file (`found`, its keys
    now) uses; entries of codes the file's configuration does not check (`judged(code)` false)
    are kept, as `--write-baseline` keeps them."""
    def change(entries: Counter) -> Counter:
        judged_entries = Counter({key: count for key, count in entries.items() if judged(key.code)})
        _, stale = matched(judged_entries, found)
        return entries - stale

    return change


# --------------------------------------------------------------------------- comparing


@dataclass
class Current:
    """This run's violations of one file, in file order, with their keys."""

    diagnostics: list[Diagnostic]
    keys: list[Key]

    def counter(self) -> Counter:
        return Counter(self.keys)


def collect(
    files: Iterable[tuple[str, Sequence[Diagnostic]]],
    root: str,
    read: Callable[[str], str | None],
) -> dict[str, Current]:
    """Key this run's violations, file by file; `read` gives a file's source (None if gone).
    Files without violations are still listed: they were checked, so their entries are judged."""
    current: dict[str, Current] = {}
    for path, diagnostics in files:
        ordered = sorted(diagnostics, key=Diagnostic.sort_key)
        current[relative_path(path, root)] = Current(ordered, keys(ordered, read(path) if ordered else None))
    return current


def from_current(current: Mapping[str, Current]) -> Baseline:
    return Baseline({name: found.counter() for name, found in current.items() if found.keys})


@dataclass
class Comparison:
    new: dict[str, list[Diagnostic]]  # per file, in file order
    baselined: list[Diagnostic]
    stale: dict[str, Counter]  # entries of judged files that no longer occur

    @property
    def new_count(self) -> int:
        return sum(len(found) for found in self.new.values())

    @property
    def stale_count(self) -> int:
        return sum(sum(counter.values()) for counter in self.stale.values())


def compare(baseline: Baseline, current: Mapping[str, Current], gone: Iterable[str] = ()) -> Comparison:
    """Per file and key, the first violations in file order up to the baselined count are
    baselined, the rest new. Only the files in `current` (checked in this run) and in `gone`
    (baselined files that no longer exist under the paths checked) have stale entries."""
    new: dict[str, list[Diagnostic]] = {}
    baselined: list[Diagnostic] = []
    stale: dict[str, Counter] = {}
    for name, found in current.items():
        flags, left = matched(baseline.files.get(name, Counter()), found.keys)
        for diagnostic, is_baselined in zip(found.diagnostics, flags):
            if is_baselined:
                baselined.append(diagnostic)
            else:
                new.setdefault(name, []).append(diagnostic)
        if left:
            stale[name] = left
    for name in gone:
        if name not in current and sum(baseline.files.get(name, Counter()).values()):
            stale[name] = +baseline.files[name]
    return Comparison(new, baselined, stale)


def matched(entries: Counter, found: Sequence[Key]) -> tuple[list[bool], Counter]:
    """Which of one file's violations (their keys, in file order) its `entries` cover, and the
    entries left over (stale): per key, the first violations up to the entry count."""
    allowed = Counter(entries)
    flags = []
    for key in found:
        flags.append(allowed[key] > 0)
        if flags[-1]:
            allowed[key] -= 1
    return flags, +allowed


def shrink(
    baseline: Baseline, current: Mapping[str, Current], gone: Iterable[str] = (), add_new: bool = False
) -> Baseline:
    """The baseline to write over an existing one: stale entries of judged files dropped, new
    violations added only with `add_new`, files not checked in this run kept as they were."""
    files = {name: Counter(counter) for name, counter in baseline.files.items()}
    for name in gone:
        if name not in current:
            files.pop(name, None)
    for name, found in current.items():
        now = found.counter()
        kept = now if add_new else now & baseline.files.get(name, Counter())
        if kept:
            files[name] = kept
        else:
            files.pop(name, None)
    return Baseline(files)


def split(baseline: Baseline, enabled: Callable[[str, str], bool] | None) -> tuple[Baseline, Baseline]:
    """The entries this run can judge (their code enabled for their file, `enabled(name, code)`)
    and the rest: `--select SSOT001` must not make the SSOT002 entries look fixed."""
    if enabled is None:
        return baseline, Baseline()
    judged, unjudged = Baseline(), Baseline()
    for name, counter in baseline.files.items():
        for key, count in counter.items():
            side = judged if enabled(name, key.code) else unjudged
            side.files.setdefault(name, Counter())[key] = count
    return judged, unjudged


def merge(first: Baseline, second: Baseline) -> Baseline:
    files = {name: Counter(counter) for name, counter in first.files.items()}
    for name, counter in second.files.items():
        files[name] = files.get(name, Counter()) + counter
    return Baseline(files)


def enabled_codes(root: str, configurations) -> Callable[[str, str], bool]:
    """`enabled(name, code)` for entries named relative to `root`, from the command line's
    configurations (config.resolve.Configurations: the nearest configuration of each file, overrides applied)."""
    predicates: dict[str, Callable[[str], bool]] = {}

    def enabled(name: str, code: str) -> bool:
        predicate = predicates.get(name)
        if predicate is None:
            path = inside_root(root, name)
            # An entry outside the project is judged by the project's configuration: a
            # baseline is input, and must not make the run read configurations elsewhere.
            directory = root if path is None else os.path.dirname(path)
            config = configurations.for_directory(directory)
            predicate = predicates[name] = enabled_predicate(config, path or os.path.join(root, name))
        return predicate(code)

    return enabled


def inside_root(root: str, name: str) -> str | None:
    """The absolute path of the entry `name` when it lies inside the project `root`, else None
    (`../outside/x.py`, `/etc/passwd`: entries the file system is never asked about)."""
    path = os.path.normpath(os.path.join(root, name))
    root = os.path.normpath(root)
    return path if path.startswith(root.rstrip(os.sep) + os.sep) else None


def gone_files(baseline: Baseline, root: str, checked: Sequence[str], current: Mapping[str, Current]) -> Iterator[str]:
    """Baselined files that no longer exist and lie under one of the paths checked: deleted or
    renamed files, whose entries are stale. Files that exist but were not checked are left alone."""
    roots = [os.path.abspath(path) for path in checked]
    for name in baseline.files:
        if name in current:
            continue
        absolute = inside_root(root, name)
        if absolute is None or os.path.exists(absolute):
            continue  # outside the project: the baseline cannot make the run look there
        for top in roots:
            if absolute == top or absolute.startswith(top.rstrip(os.sep) + os.sep):
                yield name
                break


# --------------------------------------------------------------------------- the command line


@dataclass
class Applied:
    """A check against a baseline: the results with only new violations, and what to say."""

    results: list  # runner.FileResult, diagnostics replaced by the new ones
    baselined: list[Diagnostic]
    notes: list[str]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _checked(results: Sequence, root: str, read: Callable[[str], str | None]) -> dict[str, Current]:
    # A file that could not be read is not judged: its violations are unknown, its entries kept.
    return collect(((r.path, r.diagnostics) for r in results if r.error is None), root, read)


def check_against(
    file: str,
    shown: str,
    results: Sequence,
    root: str,
    checked: Sequence[str],
    read: Callable[[str], str | None],
    enabled: Callable[[str, str], bool] | None = None,
) -> Applied:
    """`ssot check --baseline FILE`: `shown` is FILE as the user should read it."""
    baseline, _ = split(load(file, shown), enabled)
    current = _checked(results, root, read)
    comparison = compare(baseline, current, gone_files(baseline, root, checked, current))
    filtered = []
    for result in results:
        if result.error is None and result.diagnostics:
            new = comparison.new.get(relative_path(result.path, root), [])
            result = replace(result, diagnostics=tuple(new))
        filtered.append(result)
    notes = []
    if comparison.baselined:
        count = len(comparison.baselined)
        notes.append(f"{_plural(count, 'baselined violation')} not shown ({shown}).")
    if comparison.stale_count:
        count = comparison.stale_count
        verb, them = ("no longer occurs", "it") if count == 1 else ("no longer occur", "them")
        notes.append(f"{_plural(count, 'baselined violation')} {verb}; run --write-baseline {shown} to drop {them}.")
    return Applied(filtered, comparison.baselined, notes)


def write(
    file: str,
    shown: str,
    results: Sequence,
    root: str,
    checked: Sequence[str],
    read: Callable[[str], str | None],
    reference: str | None,
    add_new: bool,
    enabled: Callable[[str, str], bool] | None = None,
) -> list[str]:
    """`ssot check --write-baseline FILE`: record this run's violations. Over an existing
    baseline (`reference`: `--baseline`, else FILE itself when it exists) only shrink it,
    unless `add_new`. Returns the lines to tell the user."""
    current = _checked(results, root, read)
    notes = []
    if reference is None:
        written = from_current(current)
    else:
        old, unjudged = split(load(reference, shown if reference == file else None), enabled)
        gone = list(gone_files(old, root, checked, current))
        comparison = compare(old, current, gone)
        written = merge(shrink(old, current, gone, add_new), unjudged)
        if comparison.stale_count:
            count = comparison.stale_count
            if count == 1:
                notes.append("Dropped 1 entry whose violation no longer occurs.")
            else:
                notes.append(f"Dropped {count} entries whose violations no longer occur.")
        if comparison.new_count:
            if add_new:
                notes.append(f"Added {_plural(comparison.new_count, 'new violation')}.")
            else:
                new = _plural(comparison.new_count, "new violation")
                notes.append(f"{new} not added (pass --add-new to add them).")
    save(file, written, shown)
    count, files = _plural(written.count(), "violation"), _plural(written.file_count(), "file")
    notes.insert(0, f"Wrote {shown}: {count} in {files}.")
    return notes


@dataclass
class Plan:
    """What `ssot check` does with baselines in this run, decided (and the files read) before
    any file is checked, so a bad baseline is exit 2 at once."""

    root: str  # the project root: entries name files relative to it
    cwd: str
    against: str | None = None  # --baseline FILE, or `baseline` in [tool.ssot]
    write_to: str | None = None  # --write-baseline FILE
    add_new: bool = False

    @classmethod
    def make(cls, root: str, cwd: str, against: str | None, write_to: str | None, add_new: bool,
             configured: str | None) -> Plan | None:
        if write_to is None:
            against = against or configured
        if against is None and write_to is None:
            return None
        plan = cls(root, cwd, against and os.path.abspath(against), write_to and os.path.abspath(write_to), add_new)
        for file in (plan.against, plan.reference):
            if file is not None:
                load(file, plan.shown(file))
        return plan

    @property
    def reference(self) -> str | None:
        """The baseline a write shrinks: --baseline, else the file written when it exists."""
        if self.write_to is None:
            return None
        if self.against is not None:
            return self.against
        return self.write_to if os.path.exists(self.write_to) else None

    def shown(self, file: str) -> str:
        absolute = os.path.abspath(file)
        prefix = self.cwd.rstrip(os.sep) + os.sep
        return absolute[len(prefix):] if absolute.startswith(prefix) else absolute

    def check(
        self, results: Sequence, sources: Mapping[str, str], checked: Sequence[str], configurations=None
    ) -> Applied:
        assert self.against is not None
        enabled = None if configurations is None else enabled_codes(self.root, configurations)
        return check_against(self.against, self.shown(self.against), results, self.root, checked,
                             source_reader(sources), enabled)

    def write(
        self, results: Sequence, sources: Mapping[str, str], checked: Sequence[str], configurations=None
    ) -> list[str]:
        assert self.write_to is not None
        enabled = None if configurations is None else enabled_codes(self.root, configurations)
        return write(self.write_to, self.shown(self.write_to), results, self.root, checked, source_reader(sources),
                     self.reference, self.add_new, enabled)
