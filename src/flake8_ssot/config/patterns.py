"""Validation of `[[tool.ssot.patterns]]` rules, done once when the configuration loads.

Checks the shape of an ast-grep rule table (with the key path of the first problem), that
ast-grep compiles it, that the fix and message templates use only captured metavariables,
and finds the words every match must contain (the prefilter's anchors). Matching files
against the rules is `rules.patterns`'s job, not this module's.
"""

from __future__ import annotations

import io
import keyword
import re
import tokenize
from typing import Any, Iterator, Mapping

_METAVARIABLE = re.compile(r"\$\$\$([A-Z_][A-Z0-9_]*)?|\$([A-Z_][A-Z0-9_]*)")


_LOWER_METAVARIABLE = re.compile(r"\$+[a-z][A-Za-z0-9_]*")
_ATOMIC = ("pattern", "kind", "regex", "nthChild", "range")
_RELATIONAL = ("inside", "has", "precedes", "follows")
_RULE_KEYS = (*_ATOMIC, *_RELATIONAL, "all", "any", "not", "matches")
_RELATION_KEYS = (*_RULE_KEYS, "stopBy", "field")
_PATTERN_OBJECT_KEYS = ("context", "selector", "strictness")
# Named node kinds of tree-sitter-python, for "did you mean" (ast-grep itself decides what is valid).
_KINDS = (
    "aliased_import", "argument_list", "as_pattern", "as_pattern_target", "assert_statement", "assignment",
    "attribute", "augmented_assignment", "await", "binary_operator", "block", "boolean_operator",
    "break_statement", "call", "case_clause", "case_pattern", "chevron", "class_definition", "class_pattern",
    "comment", "comparison_operator", "concatenated_string", "conditional_expression", "continue_statement",
    "decorated_definition", "decorator", "default_parameter", "delete_statement", "dictionary",
    "dictionary_comprehension", "dictionary_splat", "dictionary_splat_pattern", "dotted_name", "elif_clause",
    "ellipsis", "else_clause", "escape_sequence", "except_clause", "exec_statement", "expression_list",
    "expression_statement", "false", "finally_clause", "float", "for_in_clause", "for_statement",
    "format_expression", "format_specifier", "function_definition", "future_import_statement",
    "generator_expression", "generic_type", "global_statement", "identifier", "if_clause", "if_statement",
    "import_from_statement", "import_prefix", "import_statement", "integer", "interpolation", "keyword_argument",
    "keyword_pattern", "keyword_separator", "lambda", "lambda_parameters", "line_continuation", "list",
    "list_comprehension", "list_splat", "list_splat_pattern", "match_statement", "module", "named_expression",
    "none", "nonlocal_statement", "not_operator", "pair", "parameters", "parenthesized_expression",
    "pass_statement", "pattern_list", "positional_separator", "print_statement", "raise_statement",
    "relative_import", "return_statement", "set", "set_comprehension", "slice", "string", "string_content",
    "string_end", "string_start", "subscript", "true", "try_statement", "tuple", "tuple_pattern", "type",
    "type_conversion", "type_parameter", "typed_default_parameter", "typed_parameter", "unary_operator",
    "union_pattern", "union_type", "while_statement", "wildcard_import", "with_clause", "with_item",
    "with_statement", "yield",
)


def compile_rule(rule: Mapping[str, Any], fix: str | None, message: str = "") -> tuple[str, ...]:
    """Validate an ast-grep rule; return words a file must contain for it to match (prefilter).

    Raises ValueError saying what is wrong and where inside the rule table (`has.kind: ...`);
    ast-grep's own explanation is used for what only it can judge, trimmed to its last cause.
    A problem of the fix template or the message raises `TemplateError` naming that key.
    """
    _check_rule(rule, "")
    if not _is_positive(rule):
        raise ValueError("the rule would match every node: it needs a 'pattern' or a 'kind' outside 'not'")
    _ast_grep_accepts(rule, "")
    known = _metavariables(rule)
    for key, template in (("fix", fix), ("message", message)):
        for match in _METAVARIABLE.finditer(template or ""):
            name, multiple = match.group(1) or match.group(2), match.group(0).startswith("$$$")
            if not name:
                continue
            if name not in known:
                captured = ", ".join(sorted(("$$$" if many else "$") + n for n, many in known.items())) or "nothing"
                raise TemplateError(
                    key, f"uses {match.group(0)}, which the rule does not capture (it captures: {captured})")
            if known[name] != multiple:
                right = ("$$$" if known[name] else "$") + name
                what = "several nodes" if known[name] else "one node"
                raise TemplateError(
                    key, f"uses {match.group(0)}, but the rule captures {right} ({what}): write {right}")
    return _anchors(rule) or ()


class TemplateError(ValueError):
    """A `fix` or `message` that refers to a metavariable the rule does not capture."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key


def _check_rule(rule: Any, where: str, relation: bool = False) -> None:
    """The shape of a rule table, with the key path of the first problem."""
    if not isinstance(rule, Mapping):
        raise ValueError(f"{where}: must be a table (an ast-grep rule), not {_kind_of(rule)}")
    allowed = _RELATION_KEYS if relation else _RULE_KEYS
    for key, value in rule.items():
        path = f"{where}.{key}" if where else key
        if key not in allowed:
            from difflib import get_close_matches  # only for a 'did you mean' message: not every run's import
            close = get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(allowed)}"
            raise ValueError(f"{path}: unknown key; {hint}")
        if key == "pattern":
            if isinstance(value, Mapping):
                _check_pattern_object(value, path)
            elif isinstance(value, str):
                try:
                    _check_pattern(value)
                except ValueError as error:
                    raise ValueError(f"{path}: {error}" if where else str(error)) from None
            else:
                raise ValueError(f"{path}: must be a string or a table with 'context', not {_kind_of(value)}")
        elif key in ("kind", "regex", "field", "matches"):
            if not isinstance(value, str):
                raise ValueError(f"{path}: must be a string, not {_kind_of(value)}")
            if key == "matches":
                raise ValueError(f"{path}: utility rules are not supported (there is no 'utils' table to refer to)")
        elif key in _RELATIONAL or key == "not":
            _check_rule(value, path, relation=key != "not")
        elif key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise ValueError(f"{path}: must be a non-empty array of rule tables, not {_kind_of(value)}")
            for index, item in enumerate(value):
                _check_rule(item, f"{path}[{index}]")
        elif key == "stopBy":
            if isinstance(value, Mapping):
                _check_rule(value, path)
            elif value not in ("neighbor", "end"):
                raise ValueError(f"{path}: must be 'neighbor', 'end' or a rule table, not {value!r}")


def _check_pattern(pattern: str) -> None:
    if not pattern.strip():
        raise ValueError("the pattern is empty")
    lower = _LOWER_METAVARIABLE.search(pattern)
    if lower:
        raise ValueError(
            f"the pattern {pattern!r} uses {lower.group(0)!r}: metavariable names are upper case ($A, $$$ARGS)"
        )
    root = _grep_root(_METAVARIABLE.sub("_metavariable", pattern))
    if root.find(kind="ERROR") is not None:
        raise ValueError(f"the pattern {pattern!r} is not valid Python")
    if any(child.kind() == "comment" for child in root.children()):
        raise ValueError(f"the pattern {pattern!r} holds a comment: a pattern is code only")
    if len(root.children()) > 1:
        raise ValueError(f"the pattern {pattern!r} is more than one statement: a pattern matches one node")


def _check_pattern_object(pattern: Mapping[str, Any], where: str) -> None:
    for key, value in pattern.items():
        if key not in _PATTERN_OBJECT_KEYS:
            raise ValueError(f"{where}.{key}: unknown key; expected one of: {', '.join(_PATTERN_OBJECT_KEYS)}")
        if not isinstance(value, str):
            raise ValueError(f"{where}.{key}: must be a string, not {_kind_of(value)}")
    if "context" not in pattern:
        raise ValueError(f"{where}.context: is required (the code the pattern is cut from)")


def _ast_grep_accepts(rule: Mapping[str, Any], where: str) -> None:
    """Let ast-grep judge kinds, regexes and the rest, sub-rule by sub-rule so that the
    message can say where."""
    for key in ("pattern", "kind", "regex", "nthChild", "range"):
        if key in rule:
            path = f"{where}.{key}" if where else key
            if key == "pattern" and isinstance(rule[key], Mapping):
                _pattern_object_accepted(rule[key], path)
                continue
            if key == "kind" and not _compiles({"kind": rule[key]}):
                from difflib import get_close_matches  # only for a 'did you mean' message: not every run's import
                close = get_close_matches(rule[key], _KINDS, n=1, cutoff=0.6)
                hint = (f"; did you mean {close[0]!r}?" if close else
                        " (e.g. 'call', 'attribute', 'function_definition', 'class_definition')")
                raise ValueError(f"{path}: {rule[key]!r} is not a kind of node in ast-grep's Python grammar{hint}")
            atomic = key in ("regex", "nthChild", "range")  # these narrow a kind; alone they match nothing
            _compile({"kind": "identifier", key: rule[key]} if atomic else {key: rule[key]}, path)
    for key in (*_RELATIONAL, "not"):
        if isinstance(rule.get(key), Mapping):
            inner = {k: v for k, v in rule[key].items() if k not in ("stopBy", "field")}
            _ast_grep_accepts(inner, f"{where}.{key}" if where else key)
    for key in ("all", "any"):
        for index, item in enumerate(rule.get(key) or ()):
            _ast_grep_accepts(item, f"{where}.{key}[{index}]" if where else f"{key}[{index}]")
    if not where:
        _compile(rule, "")


def _pattern_object_accepted(pattern: Mapping[str, Any], where: str) -> None:
    """`pattern = { context, selector, strictness }`: the key ast-grep refuses, named."""
    accepted: dict[str, Any] = {}
    for key in ("context", "selector", "strictness"):
        if key in pattern:
            accepted[key] = pattern[key]
            _compile({"pattern": dict(accepted)}, f"{where}.{key}")


def _compile(rule: Mapping[str, Any], where: str) -> None:
    try:
        _grep_root("").find_all(config={"rule": dict(rule)})
    except Exception as error:  # ast-grep raises RuntimeError or a bare Exception
        cause = _last_cause(str(error))
        raise ValueError(f"{where}: {cause}" if where else cause) from None


def _compiles(rule: Mapping[str, Any]) -> bool:
    try:
        _compile(rule, "")
    except ValueError:
        return False
    return True


def _is_positive(rule: Any) -> bool:
    """Does the rule pin down which nodes it matches (rather than everything but some)?"""
    if not isinstance(rule, Mapping):
        return False
    if "pattern" in rule or "kind" in rule:
        return True
    if any(_is_positive(item) for item in rule.get("all") or ()):
        return True
    branches = rule.get("any") or ()
    return bool(branches) and all(_is_positive(item) for item in branches)


def _anchors(rule: Any) -> tuple[str, ...] | None:
    """Words one of which every file with a match contains, or None if there are none.

    A string pattern's longest word is in the match itself; the sub-rules of `has`, `inside`,
    `precedes` and `follows` must match in the same file, so their words serve as well; `all`
    needs any one of its parts' words, `any` one word from each branch.
    """
    if not isinstance(rule, Mapping):
        return None
    candidates: list[tuple[str, ...]] = []
    pattern = rule.get("pattern")
    if isinstance(pattern, str):
        words = _pattern_words(pattern)
        if words:
            candidates.append((max(words, key=len),))
    for key in _RELATIONAL:
        found = _anchors(rule.get(key))
        if found:
            candidates.append(found)
    for item in rule.get("all") or ():
        found = _anchors(item)
        if found:
            candidates.append(found)
    branches = [_anchors(item) for item in rule.get("any") or ()]
    if branches and all(branches):
        candidates.append(tuple(sorted({word for branch in branches for word in branch})))
    if not candidates:
        return None
    return min(candidates, key=lambda words: (len(words), -min(len(word) for word in words)))


def _pattern_words(pattern: str) -> list[str]:
    """The identifiers a pattern spells out: every match spells them too, as whole words.

    Only NAME tokens count: not the digits and letters of numbers (`0xFF`, `1_000`), not the
    text of strings (escapes) or comments, not keywords; ASCII only, as the prefilter reads
    raw bytes of any ASCII-compatible encoding.
    """
    text = _METAVARIABLE.sub(" _metavariable ", pattern)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text.strip() + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    return [
        token.string for token in tokens
        if token.type == tokenize.NAME and token.string.isascii() and token.string != "_metavariable"
        and not keyword.iskeyword(token.string)
    ]


def _grep_root(text: str):
    from ast_grep_py import SgRoot

    return SgRoot(text, "python").root()


def _kind_of(value: Any) -> str:
    return {
        dict: "a table", list: "an array", str: "a string", bool: "a boolean", int: "an integer", float: "a float",
    }.get(type(value), type(value).__name__)


def looks_around(rule: Any) -> bool:
    """Does the rule read code outside the matched node (`inside`, `follows`, `precedes`, at any
    depth)? Then an edit elsewhere in the file can change whether it matches."""
    if isinstance(rule, Mapping):
        return any(key in ("inside", "follows", "precedes") or looks_around(value) for key, value in rule.items())
    if isinstance(rule, list):
        return any(looks_around(item) for item in rule)
    return False


def _patterns_in(rule: Any) -> Iterator[str]:
    """The patterns whose metavariables a match binds: not those under `not`, at any depth."""
    if isinstance(rule, Mapping):
        for key, value in rule.items():
            if key == "not":
                continue
            if key == "pattern":
                if isinstance(value, str):
                    yield value
                elif isinstance(value, Mapping) and isinstance(value.get("context"), str):
                    yield value["context"]
            else:
                yield from _patterns_in(value)
    elif isinstance(rule, list):
        for item in rule:
            yield from _patterns_in(item)


def _metavariables(rule: Any) -> dict[str, bool]:
    """Metavariables a match binds, each with whether it captures several nodes (`$$$NAME`)."""
    names: dict[str, bool] = {}
    for pattern in _patterns_in(rule):
        for match in _METAVARIABLE.finditer(pattern):
            name = match.group(1) or match.group(2)
            if name and not name.startswith("_"):  # `$_X` matches without capturing
                names.setdefault(name, match.group(0).startswith("$$$"))
    return names


def _last_cause(text: str) -> str:
    """ast-grep's error without its backtrace: the innermost of its numbered causes."""
    text = text.split("Stack backtrace:")[0].strip()
    if "Caused by:" in text:
        text = re.split(r"^\s*\d+: ", text.split("Caused by:", 1)[1], flags=re.MULTILINE)[-1]
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
