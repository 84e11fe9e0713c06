"""The engine: (source, path, configuration) -> diagnostics. Every front-end calls `check_source`.

Pipeline: prefilter (can any configured name occur here?) -> parse (Python's `ast`, or the
error-tolerant tree-sitter parse for files that do not parse) -> module facts -> rules ->
selection, per-file-ignores and noqa -> sorted diagnostics. No I/O happens here.
"""

from __future__ import annotations

import ast
import os
import warnings
from typing import NamedTuple, Sequence

from flake8_ssot.config import Config
from flake8_ssot.config.selection import enabled_predicate
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.dotted import last_literal_run, module_name
from flake8_ssot.engine.noqa import filter_noqa
from flake8_ssot.facts import EVERYTHING, Interest, ModuleFacts, collect_facts
from flake8_ssot.facts.partial import WholeTreeNeeded, confirm, partial_facts
from flake8_ssot.index import ProjectIndex, consulting
from flake8_ssot.rules import RULES, patterns
from flake8_ssot.rules.rewrites import fixes_wanted


class CheckResult(NamedTuple):
    diagnostics: list[Diagnostic]
    syntax_error: str | None = None  # "line N: what", when Python could not parse the file
    parsed: bool = True  # False when the prefilter proved there is nothing to find
    depends: tuple = ()  # the files of other modules the decisions read (index.Dependency)


def may_match(source: str | bytes, module: str, config: Config, strict: bool = False) -> bool:
    """Can any rule fire in this file? Sound: False means there is nothing to report."""
    prefilter = config.prefilter
    return prefilter.may_match(source, module, strict) or (
        isinstance(source, str) and prefilter.may_match_normalised(source, module, strict))


def file_module(path: str, config: Config) -> tuple[str, bool]:
    return module_name(os.path.abspath(path), config.src)


def check_source(
    source: str,
    path: str,
    config: Config,
    tree: ast.Module | None = None,
    lines: Sequence[str] | None = None,
    noqa: bool = True,
    prefilter: bool = True,
    trees: list | None = None,
    index: ProjectIndex | None = None,
    fixes: bool = True,
    fix_lines: Sequence[tuple[int, int]] | None = None,
) -> CheckResult:
    """Check one file's source. `tree`/`lines` may be passed by a front-end that has them, and
    `trees` (recovery.Tree) for pattern rules to match on instead of the source's own tree,
    when it parses. `index`: the project index decisions about other modules may consult;
    None decides from this file alone. `fixes` False: the caller shows messages only, and the
    fixes no message depends on are not built (rewrites.fixes_wanted); `fix_lines`: the 0-based
    line ranges whose findings the caller keeps, the only ones an import's fix is built for."""
    absolute = os.path.abspath(path)
    module, is_package = module_name(absolute, config.src)
    if prefilter and not may_match(source, module, config):
        return CheckResult([], None, parsed=False)
    words = config.prefilter.region_words(module)
    facts = _facts(source, absolute, module, is_package, tree, lines, interest(config), trees, words,
                   partial=partial_words(config))
    try:
        diagnostics = check_facts(facts, config, noqa, index, fixes, fix_lines)
        confirm(facts)  # from a partial parse: only if the whole file compiles
    except WholeTreeNeeded:  # or a rule needs the whole tree a partial parse does not have
        facts = _facts(source, absolute, module, is_package, tree, lines, interest(config), trees, words)
        diagnostics = check_facts(facts, config, noqa, index, fixes, fix_lines)
    depends = tuple(sorted(d for d in index.consulted if d.path != facts.path)) if index is not None else ()
    return CheckResult(diagnostics, facts.syntax_error, depends=depends)


def check_facts(facts: ModuleFacts, config: Config, noqa: bool = True,
                index: ProjectIndex | None = None, fixes: bool = True,
                fix_lines: Sequence[tuple[int, int]] | None = None) -> list[Diagnostic]:
    """Every enabled rule's diagnostics on a module's facts (`facts.path` is absolute)."""
    enabled = enabled_predicate(config, facts.path)
    diagnostics: list[Diagnostic] = []
    with consulting(index), fixes_wanted(fixes, fix_lines):
        for rule in RULES:
            if enabled(rule.CODE):
                diagnostics.extend(rule.check(facts, config))
    if config.patterns:
        diagnostics.extend(d for d in patterns.check(facts, config) if enabled(d.code))
    if noqa:
        diagnostics = filter_noqa(diagnostics, facts.source)
    diagnostics.sort(key=Diagnostic.sort_key)
    return _unique(diagnostics)


_INTERESTS: dict[int, tuple[Config, Interest]] = {}


def interest(config: Config) -> Interest:
    """The calls and attribute chains this configuration's rules can use (see facts.Interest)."""
    cached = _INTERESTS.get(id(config))
    if cached is not None and cached[0] is config:
        return cached[1]
    calls = frozenset(key.rpartition(".")[2] for key in config.factories.exact)
    names = frozenset(key.rpartition(".")[2] for key in config.legacy.exact)
    fragments = []
    for key, _ in config.legacy.wild:
        run = last_literal_run(key.rpartition(".")[2])
        if not run:
            names = None  # a last component of wildcards only: every chain may match
            break
        fragments.append(run)
    result = Interest(calls, names, tuple(fragments)) if names is not None else Interest(calls, None)
    if len(_INTERESTS) > 64:
        _INTERESTS.clear()
    _INTERESTS[id(config)] = (config, result)
    return result


def _facts(source, path, module, is_package, tree, lines, interest: Interest = EVERYTHING,
           trees: list | None = None, words: Sequence[str] | None = None,
           partial: Sequence[str] | None = None) -> ModuleFacts:
    """The module's facts; for a file Python cannot parse, the error-tolerant reading's, with
    `syntax_error` set (and the pattern rules' `trees` left for it to build), lowered in full
    only where `words` are spelled (see recovery.recover_facts). `partial` (see `partial_words`):
    for a large file that parses, from a parse of only its definitions that can matter
    (facts.partial; a rule asking for the whole tree raises WholeTreeNeeded)."""
    if tree is None and partial is not None:
        found = partial_facts(source, path, module, is_package, lines, interest, trees, partial)
        if found is not None:
            return found
    if tree is None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escape sequences etc. are not ours to report
                tree = ast.parse(source, filename=path)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            from flake8_ssot.facts.recovery import recover_facts  # ~30 ms to import: broken files only

            return recover_facts(source, path, module, is_package, syntax_error=_describe(error), words=words,
                                 parse_error=error if isinstance(error, SyntaxError) else None)
    try:
        return collect_facts(tree, path, module, is_package, source, lines, interest, trees=trees)
    except RecursionError:
        from flake8_ssot.facts.recovery import recover_facts

        return recover_facts(source, path, module, is_package,
                             syntax_error="too deeply nested for Python's parser", words=words)


def partial_words(config: Config) -> tuple[str, ...] | None:
    """What a top-level definition must spell to be parsed by a partial parse (facts.partial),
    or None to parse whole files: the policy's words and fragments, and `__all__`. Unlike
    recovery's region words, not widened by the module's own name: a relative import is kept
    and the names it binds to a path that spells a word join the words there."""
    prefilter = config.prefilter
    if prefilter.everything:
        return None
    return (*prefilter.words, *prefilter.fragments, "__all__")


def _describe(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        # The column (1-based, in characters) places `--show-syntax-errors`' SSOT000 diagnostic.
        column = f", column {error.offset}" if error.lineno and error.offset else ""
        where = f"line {error.lineno}{column}: " if error.lineno else ""
        return f"{where}{error.msg}"
    if isinstance(error, RecursionError):
        return "too deeply nested for Python's parser"
    return str(error) or type(error).__name__


def _unique(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    result, seen = [], set()
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.span, diagnostic.message)
        if key not in seen:
            seen.add(key)
            result.append(diagnostic)
    return result
