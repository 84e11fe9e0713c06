"""From the evidence of every module to policy entries: each replacement checked against the
project index, each entry compared with the policy already configured, each with its
evidence and a confidence. Reads files; writes nothing.

Only a text search reads every file (definitions, imports, construction sites); a module is
parsed when its text can hold evidence (it says "deprecat", it has no definition of its
own, its docstrings speak of construction), so discovery costs about what a cold check does.
"""

from __future__ import annotations

import ast
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from flake8_ssot.checking.discovery import discover as files_under
from flake8_ssot.config import Config
from flake8_ssot.discover.evidence import (
    Definition,
    Deprecation,
    ModuleScan,
    Quote,
    definition_of,
    deprecates_the_object,
    mentions_deprecation,
    scan,
)
from flake8_ssot.dotted import is_dotted_path, module_name
from flake8_ssot.files import SourceError, decode_source, read_bytes
from flake8_ssot.index import MODULE, ProjectIndex, index_for
from flake8_ssot.index.policy import (
    CONFIGURED,
    CONFLICT,
    exports_not_configured,
    standing,
)

HIGH, MEDIUM, LOW = "high", "medium", "low"
# Status of a proposal: proposed (written by --write), a candidate for a person to judge, a
# conflict with the policy, or reported only (a target the index cannot find, a shim that is
# not pure).
PROPOSED, CANDIDATE = "proposed", "candidate"
SKIPPED = "skipped"
SECTIONS = ("legacy", "canonical", "factories", "deprecated-exports")

_TEST_PARTS = frozenset({"tests", "test", "testing"})
_COMPAT_WORDS = re.compile(r"compat|deprecat|legacy|backward|shim|alias", re.IGNORECASE)
# Both start with a line break (the text is searched with one put in front): a literal first
# character lets the regex engine skip to the next line, several times faster than `^` with
# re.MULTILINE over a large tree.
_DEFINITION_LINE = re.compile(rb"\n(class|def|async[ \t]+def)[ \t]+([A-Za-z_]\w*)")
_IMPORT_LINE = re.compile(
    rb"\n[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]*))"
)
_FACTORY_PREFIXES = (b"create_", b"get_", b"make_", b"build_", b"new_")
# On the lowered text: the phrases `evidence` looks for in docstrings, and the words of a
# compatibility module's docstring (near the top: a shim that is not pure, to report; such a
# module defines little of its own).
_CONSTRUCTION_WORDS = re.compile(
    rb"(?:not|never|n't)\s+(?:be\s+)?(?:instantiat|construct|creat|buil|call)[^.]{0,80}directly"
    rb"|(?:instantiat|construct|creat|buil)\w*\s+(?:only\s+)?(?:through|via|using)\s"
)
_COMPAT_TEXT = re.compile(rb"compatib|backward|shim")
_RETURNS_A_CLASS = re.compile(rb"\n[ \t]+return[ \t]+[A-Z]\w*\(")


@dataclass
class Proposal:
    section: str  # legacy, canonical, factories, deprecated-exports
    key: str  # the dotted path (the module, for deprecated-exports)
    use: str | None  # the replacement or factory; None for canonical and deprecated-exports
    confidence: str
    evidence: list[tuple[Quote, str]]  # (where, what it shows: "warns at import time")
    status: str = PROPOSED
    names: list[str] = field(default_factory=list)  # deprecated-exports
    note: str = ""  # a candidate's similarity, a conflict's policy line, why one is only reported
    message: str = ""  # a legacy entry without a replacement: what the warning says

    @property
    def quote(self) -> Quote:
        return self.evidence[0][0]


class Discovered(NamedTuple):
    proposals: list[Proposal]  # in the order shown: by section, then key
    files: int  # files read
    parsed: int  # files parsed


def is_test_file(path: str) -> bool:
    parts = path.replace(os.sep, "/").split("/")
    name = parts[-1]
    return (name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
            or any(part in _TEST_PARTS for part in parts[:-1]))


def discover_policy(paths: Sequence[str], config: Config, kinds: Iterable[str] = SECTIONS,
                    deprecations_only: bool = False) -> Discovered:
    """Every proposal for the tree under `paths` (the project's `src` roots when none),
    checked against the index of `config.src` and compared with `config`.
    `deprecations_only`: only what warnings, decorators and comments say (`--show-policy`)."""
    found = files_under(paths or [config.root], lambda directory: config, boundary=config.root)
    files = [path for path in found.files if path.endswith(".py") and not is_test_file(config.relative(path))]
    tree = _Tree(config, index_for(config.src))
    for path in files:
        tree.read(path, deprecations_only)
    proposals = tree.deprecations()
    if not deprecations_only:
        proposals += tree.shims() + tree.duplicates() + tree.factories()
    merged = _merged(proposals, config)
    return Discovered(merged, len(files), tree.parsed)


class _Tree:
    def __init__(self, config: Config, index: ProjectIndex) -> None:
        self.config, self.index = config, index
        self.scans: list[ModuleScan] = []
        self.definitions: dict[str, list[tuple[str, str, Definition | None, int]]] = defaultdict(list)
        self.files: dict[str, str] = {}  # module -> file
        self.importers: dict[str, set[str]] = defaultdict(set)  # module -> modules importing it
        self.texts: dict[str, bytes] = {}  # module -> source, for construction sites
        self.parsed = 0
        index.begin()

    def read(self, path: str, deprecations_only: bool) -> None:
        try:
            data = read_bytes(path)
        except (OSError, SourceError):
            return  # `ssot check` reports an unreadable file; discovery proposes nothing from it
        module, is_package = module_name(path, self.config.src)
        if not module:
            return
        self.files[module] = path
        deprecated = worth_parsing = mentions_deprecation(data)
        if not deprecations_only:
            lined = b"\n" + data
            definitions = list(_DEFINITION_LINE.finditer(lined))
            worth_parsing = (worth_parsing or (not definitions and b"import" in data)
                             or (len(definitions) <= 3 and _COMPAT_TEXT.search(data[:2000].lower()) is not None)
                             or (b"class" in data and _says_build_through_a_factory(data))
                             or (any(found.group(2).startswith(_FACTORY_PREFIXES) for found in definitions)
                                 and _RETURNS_A_CLASS.search(data) is not None))
            self.texts[module] = data
            self._count_imports(data, module, is_package)
        if not worth_parsing:
            if not deprecations_only:
                for found in definitions:
                    kind = "class" if found.group(1) == b"class" else "function"
                    line = lined.count(b"\n", 0, found.start()) + 1
                    self._define(module, path, found.group(2).decode(), kind, None, line)
            return
        try:
            source = decode_source(data)
        except (SourceError, SyntaxError, ValueError):
            return
        self.parsed += 1
        result = scan(source, path, module, is_package, deprecations=deprecated)
        if result is None:
            return
        self.scans.append(result)
        if not deprecations_only:
            for definition in result.definitions:
                self._define(module, path, definition.name, definition.kind, definition, definition.line)

    def _define(self, module: str, path: str, name: str, kind: str, definition: Definition | None, line: int) -> None:
        if name.startswith("_") or module.rpartition(".")[2] == "__main__" or (kind == "function" and name == "main"):
            return
        self.definitions[f"{module.split('.')[0]}:{name}"].append((module, path, definition, line))

    def _count_imports(self, data: bytes, module: str, is_package: bool) -> None:
        for found in _IMPORT_LINE.finditer(b"\n" + data):
            source, names, plain = found.groups()
            if plain is not None:
                for part in plain.decode("utf-8", "replace").split(","):
                    imported = part.split(" as ")[0].strip()
                    if imported:
                        self.importers[imported].add(module)
                continue
            base = _absolute(source.decode("utf-8", "replace"), module, is_package)
            if base is None:
                continue
            self.importers[base].add(module)
            for part in names.decode("utf-8", "replace").strip("()").split(","):
                name = part.split(" as ")[0].strip()
                if name.isidentifier():
                    self.importers[f"{base}.{name}"].add(module)

    # ------------------------------------------------------------------ deprecations

    def deprecations(self) -> list[Proposal]:
        proposals = []
        for result in self.scans:
            for deprecation in result.deprecations:
                proposal = self._legacy(deprecation)
                if proposal is not None:
                    proposals.append(proposal)
            if result.deprecated_exports:
                proposals.append(Proposal(
                    "deprecated-exports", result.module, None, HIGH,
                    [(quote, f"'{name}' in __all__, said deprecated") for name, quote in result.deprecated_exports],
                    names=[name for name, _ in result.deprecated_exports],
                ))
        return proposals

    def _legacy(self, deprecation: Deprecation) -> Proposal | None:
        subject, quote = deprecation.subject, deprecation.quote
        evidence = [(quote, deprecation.how)]
        if not deprecates_the_object(deprecation):
            return None  # a deprecated argument or behaviour of a callable that stays
        if deprecation.target is None:
            return Proposal("legacy", subject, None, MEDIUM, evidence, message=quote.text)
        target, why_not = self._replacement(deprecation)
        if target is None:
            return Proposal("legacy", subject, deprecation.target, LOW, evidence, status=SKIPPED, note=why_not)
        return Proposal("legacy", subject, target, HIGH, evidence)

    def _replacement(self, deprecation: Deprecation) -> tuple[str | None, str]:
        """The canonical path for the subject, checked against the index, or why there is none."""
        written, subject = deprecation.target, deprecation.subject
        symbol = subject != _module_part(subject, self.files)
        candidates = [written]
        if "." not in written:  # `use get_websocket_manager`: the name as the subject's module binds it
            candidates = [f"{_module_part(subject, self.files)}.{written}"]
        for candidate in candidates:
            if not is_dotted_path(candidate) or candidate == subject:
                continue
            origin = self.index.resolve(candidate)
            if not origin.known:
                continue
            if origin.kind == MODULE:
                if symbol:  # a function moved to a module: the same name there
                    inner = self.index.resolve(f"{origin.path}.{subject.rpartition('.')[2]}")
                    return (f"{origin.path}.{subject.rpartition('.')[2]}", "") if inner.known else (None, (
                        f"names the module '{written}', which has no '{subject.rpartition('.')[2]}'"))
                return origin.path if origin.path == candidate else candidate, ""
            if not symbol:  # a module's warning naming a symbol: its module is the replacement
                return candidate.rpartition(".")[0], ""
            if origin.path == subject:
                return None, f"names '{written}', which is the deprecated object itself"
            return candidate, ""
        return None, f"names '{written}', which the index cannot find in the tree"

    # ------------------------------------------------------------------ shims

    def shims(self) -> list[Proposal]:
        proposals = []
        for result in self.scans:
            if result.not_pure_shim is not None:
                proposals.append(Proposal(
                    "legacy", result.module, None, LOW, [(result.not_pure_shim, "defines something of its own")],
                    status=SKIPPED, note="re-exports another module's names but is not a pure shim",
                ))
            if result.shim is None:
                continue
            homes = {path.rpartition(".")[0] for path in result.shim.sources.values()}
            compat = _COMPAT_WORDS.search(result.shim.quote.text) is not None
            evidence = [(result.shim.quote, "re-exports " + ", ".join(sorted(result.shim.sources)) + " only")]
            if len(homes) == 1:
                home = homes.pop()
                if self.index.module_file(home)[0] is None:
                    continue  # re-exports a library: a facade of the project, not a shim of it
                proposals.append(Proposal("legacy", result.module, home, HIGH if compat else MEDIUM, evidence))
                continue
            for name, path in sorted(result.shim.sources.items()):
                if self.index.resolve(path).known:
                    proposals.append(Proposal("legacy", f"{result.module}.{name}", path, LOW, evidence,
                                              status=CANDIDATE, note="the shim re-exports several modules"))
        return proposals

    # ------------------------------------------------------------------ duplicates

    def duplicates(self) -> list[Proposal]:
        proposals = []
        for key, places in self.definitions.items():
            modules = {module for module, *_ in places}
            if len(modules) < 2:
                continue
            ranked = sorted(places, key=lambda place: (-self._importers(place[0], key), place[0]))
            name = key.partition(":")[2]
            best_module, best_path, best, best_line = ranked[0]
            best = best or self._definition(best_module, name, best_line)
            others = []
            for module, path, definition, line in ranked[1:]:
                definition = definition or self._definition(module, name, line)
                others.append(f"{module} ({self._importers(module, key)} importers, {_similarity(best, definition)})")
            what = f"{best.kind if best else 'definition'} {name}"
            evidence = [(Quote(best_path, best.line if best else best_line, what),
                         f"imported by {self._importers(best_module, key)} modules")]
            evidence += [(Quote(path, (definition.line if definition else line) or 1, f"{name}"), "defined again")
                         for module, path, definition, line in ranked[1:]]
            proposals.append(Proposal("canonical", f"{best_module}.{name}", None, LOW, evidence, status=CANDIDATE,
                                      note="also defined in " + "; ".join(others)))
        return proposals

    def _importers(self, module: str, key: str) -> int:
        name = key.partition(":")[2]
        return len((self.importers.get(f"{module}.{name}", set()) | self.importers.get(module, set())) - {module})

    def _definition(self, module: str, name: str, line: int) -> Definition | None:
        """The shape of a definition the text search found: only its own lines are parsed."""
        lines = self.texts.get(module, b"").split(b"\n")
        if not 0 < line <= len(lines):
            return None
        end = line
        while end < len(lines) and (not lines[end].strip() or lines[end][:1] in b" \t#)]}"):
            end += 1
        try:
            tree = ast.parse(b"\n".join(lines[line - 1:end]).decode("utf-8"))
        except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError):
            return None
        node = tree.body[0] if tree.body else None
        if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) or node.name != name:
            return None
        return definition_of(node)._replace(line=line)

    # ------------------------------------------------------------------ factories

    def factories(self) -> list[Proposal]:
        proposals = []
        by_use = []
        for result in list(self.scans):
            for hint in result.factory_hints:
                factory = next((function for function, (built, _) in result.factories.items()
                                if built.rpartition(".")[2] == hint.name), None)
                named = hint.factory
                if named:
                    path = (named if "." in named and not named.startswith(hint.name + ".")
                            else f"{result.module}.{named}")
                    if self.index.resolve(path).known:
                        factory = path
                elif factory:
                    factory = f"{result.module}.{factory}"
                if factory and "." not in factory:
                    factory = f"{result.module}.{factory}"
                key = f"{result.module}.{hint.name}"
                evidence = [(hint.quote, "warns against direct construction")]
                if factory is None:
                    proposals.append(Proposal("factories", key, named, LOW, evidence,
                                              status=SKIPPED, note="names no factory the index can find"))
                    continue
                proposals.append(Proposal("factories", key, factory, MEDIUM, evidence))
            hinted = {hint.name for hint in result.factory_hints}
            for function, (built, line) in result.factories.items():
                if built not in hinted and "." not in built and any(
                        d.name == built and d.kind == "class" for d in result.definitions):
                    by_use.append((result, function, built, line))
        return proposals + self._factories_by_use(by_use)

    def _factories_by_use(self, candidates: list[tuple[ModuleScan, str, str, int]]) -> list[Proposal]:
        """Classes that every construction site outside their module builds through their
        factory: one search over the tree for all the classes and factories at once."""
        if not candidates:
            return []
        words = {word for _, function, built, _ in candidates for word in (function, built)}
        calls = re.compile(rb"(?<![\w.])(" + b"|".join(re.escape(w.encode()) for w in sorted(words)) + rb")\(")
        callers: dict[str, set[str]] = defaultdict(set)
        for module, text in self.texts.items():
            for word in set(calls.findall(text)):
                callers[word.decode()].add(module)
        proposals = []
        for result, function, built, line in candidates:
            outside = {module for module in callers[built] if module != result.module}
            uses = len({module for module in callers[function] if module != result.module})
            if outside or uses < 2:
                continue
            path = self.files[result.module]
            proposals.append(Proposal(
                "factories", f"{result.module}.{built}", f"{result.module}.{function}", LOW,
                [(Quote(path, line, f"def {function}(...): return {built}(...)"),
                  f"the factory {uses} modules call; none constructs {built} directly")],
                status=CANDIDATE, note="every construction outside its module goes through the factory",
            ))
        return proposals


def _says_build_through_a_factory(data: bytes) -> bool:
    """The prefilter for a docstring warning against direct construction: the regex runs
    only on the text just before each "directly", "through", "via" or "using"."""
    lowered = data.lower()
    for word in (b"directly", b"through", b" via ", b"using"):
        at = lowered.find(word)
        while at >= 0:
            if _CONSTRUCTION_WORDS.search(lowered, max(0, at - 100), at + len(word) + 1):
                return True
            at = lowered.find(word, at + 1)
    return False


def _module_part(path: str, files: dict[str, str]) -> str:
    """The module part of a dotted path, as far as the tree's files go."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        if ".".join(parts[:end]) in files:
            return ".".join(parts[:end])
    return path.rpartition(".")[0]


def _absolute(source: str, module: str, is_package: bool) -> str | None:
    level = len(source) - len(source.lstrip("."))
    name = source[level:]
    if not level:
        return name or None
    parts = module.split(".")
    if not is_package:
        parts = parts[:-1]
    if level - 1 > len(parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, *([name] if name else [])]) or None


def _similarity(one: Definition | None, other: Definition | None) -> str:
    if one is None or other is None:
        return "not compared"
    if one.kind != other.kind:
        return f"a {other.kind}, not a {one.kind}"
    if one.shape == other.shape:
        return "the same " + ("fields and methods" if one.kind == "class" else "parameters")
    shared = len(one.shape & other.shape)
    members = "members" if one.kind == "class" else "parameters"
    return f"{shared} of {len(one.shape | other.shape)} {members} shared"


def _merged(proposals: list[Proposal], config: Config) -> list[Proposal]:
    """One proposal per entry, evidence pooled; those the policy already has left out; the
    ones contradicting it marked as conflicts; sorted for the output."""
    by_key: dict[tuple[str, str], Proposal] = {}
    for proposal in proposals:
        known = by_key.get((proposal.section, proposal.key))
        if known is None:
            by_key[(proposal.section, proposal.key)] = proposal
            continue
        rank = {PROPOSED: 0, CANDIDATE: 1, SKIPPED: 2}
        first, second = sorted([known, proposal], key=lambda p: (rank[p.status], p.use is None))
        if second.use not in (None, first.use) and second.status == first.status == PROPOSED:
            first.status, first.note = SKIPPED, f"the code names two replacements: '{first.use}' and '{second.use}'"
        first.evidence += [item for item in second.evidence if item not in first.evidence]
        first.names += [name for name in second.names if name not in first.names]
        by_key[(proposal.section, proposal.key)] = first
    result = []
    for proposal in by_key.values():
        if proposal.section == "deprecated-exports":
            proposal.names = exports_not_configured(config, proposal.key, proposal.names)
            if proposal.names:
                result.append(proposal)
            continue
        where, what = standing(config, proposal.section, proposal.key, proposal.use)
        if where == CONFIGURED:
            continue
        if where == CONFLICT:
            proposal.status, proposal.note = CONFLICT, what
        result.append(proposal)
    order = {section: position for position, section in enumerate(SECTIONS)}
    result.sort(key=lambda p: (order[p.section], p.key))
    return result
