"""SSOT100-SSOT899 user pattern rules: ast-grep rules declared in `[[tool.ssot.patterns]]`.

## What it does
Runs each declared ast-grep rule (a `pattern`, or a full rule table with `kind`, `has`,
`inside`, `not`, `all`, `any`) over the file and reports every match with the rule's own
code and message. A `fix` template may reuse the pattern's metavariables (`$NAME`,
`$$$ARGS`). `files` limits a rule to some globs; `allow` exempts some.

## Why is this bad?
Each team's migration has shapes no built-in rule knows: a retired accessor, a call with a
now-forbidden argument. A pattern rule turns the shape into a check with a code that noqa,
baselines and per-file-ignores understand.

## Example
```toml
[[tool.ssot.patterns]]
code = "SSOT101"
pattern = "get_websocket_manager_factory($$$ARGS)"
message = "the factory accessor is retired"
fix = "get_websocket_manager($$$ARGS)"
```

## Use instead
Whatever the rule's `fix` or message says.
"""

from __future__ import annotations

import difflib
import keyword
import re
from typing import Any, Iterator, Mapping

from flake8_ssot.config import Config, PatternRule
from flake8_ssot.diagnostic import Diagnostic
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.rewrites import pattern_fix
from flake8_ssot.span import span_from_grep

CODE = "SSOT1xx-SSOT8xx"
NAME = "pattern-rules"

_METAVARIABLE = re.compile(r"\$\$\$([A-Z_][A-Z0-9_]*)?|\$([A-Z_][A-Z0-9_]*)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_LOWER_METAVARIABLE = re.compile(r"\$+[a-z][A-Za-z0-9_]*")
_ATOMIC = ("pattern", "kind", "regex", "nthChild", "range")
_RELATIONAL = ("inside", "has", "precedes", "follows")
_RULE_KEYS = (*_ATOMIC, *_RELATIONAL, "all", "any", "not", "matches")
_RELATION_KEYS = (*_RULE_KEYS, "stopBy", "field")
_PATTERN_OBJECT_KEYS = ("context", "selector", "strictness")


def compile_rule(rule: Mapping[str, Any], fix: str | None) -> tuple[str, ...]:
    """Validate an ast-grep rule; return words a file must contain for it to match (prefilter).

    Raises ValueError saying what is wrong and where inside the rule table (`has.kind: ...`);
    ast-grep's own explanation is used for what only it can judge, trimmed to its last cause.
    """
    _check_rule(rule, "")
    if not _is_positive(rule):
        raise ValueError("the rule would match every node: it needs a 'pattern' or a 'kind' outside 'not'")
    _ast_grep_accepts(rule, "")
    if fix is not None:
        known = _metavariables(rule)
        for match in _METAVARIABLE.finditer(fix):
            name = match.group(1) or match.group(2)
            if name and name not in known:
                raise ValueError(f"the fix uses ${name}, which the pattern does not capture")
    return _anchors(rule) or ()


def _check_rule(rule: Any, where: str, relation: bool = False) -> None:
    """The shape of a rule table, with the key path of the first problem."""
    if not isinstance(rule, Mapping):
        raise ValueError(f"{where}: must be a table (an ast-grep rule), not {_kind_of(rule)}")
    allowed = _RELATION_KEYS if relation else _RULE_KEYS
    for key, value in rule.items():
        path = f"{where}.{key}" if where else key
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(allowed)}"
            raise ValueError(f"{path}: unknown key; {hint}")
        if key == "pattern":
            if isinstance(value, Mapping):
                _check_pattern_object(value, path)
            elif isinstance(value, str):
                _check_pattern(value)
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
    if len([child for child in root.children() if child.kind() != "comment"]) > 1:
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
    for key in ("pattern", "kind", "regex"):
        if key in rule:
            path = f"{where}.{key}" if where else key
            if key == "kind" and not _compiles({"kind": rule[key]}):
                raise ValueError(f"{path}: {rule[key]!r} is not a kind of node in ast-grep's Python grammar"
                                 " (e.g. 'call', 'attribute', 'function_definition', 'class_definition')")
            _compile({"kind": "identifier", key: rule[key]} if key == "regex" else {key: rule[key]}, path)
    for key in (*_RELATIONAL, "not"):
        if isinstance(rule.get(key), Mapping):
            inner = {k: v for k, v in rule[key].items() if k not in ("stopBy", "field")}
            _ast_grep_accepts(inner, f"{where}.{key}" if where else key)
    for key in ("all", "any"):
        for index, item in enumerate(rule.get(key) or ()):
            _ast_grep_accepts(item, f"{where}.{key}[{index}]" if where else f"{key}[{index}]")
    if not where:
        _compile(rule, "")


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
        words = [w for w in _WORD.findall(_METAVARIABLE.sub(" ", pattern)) if not keyword.iskeyword(w)]
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


def _grep_root(text: str):
    from ast_grep_py import SgRoot

    return SgRoot(text, "python").root()


def _kind_of(value: Any) -> str:
    return {
        dict: "a table", list: "an array", str: "a string", bool: "a boolean", int: "an integer", float: "a float",
    }.get(type(value), type(value).__name__)


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    from ast_grep_py import SgRoot

    rules = [rule for rule in config.patterns if _applies(rule, facts)]
    if not rules:
        return
    root = SgRoot(facts.source, "python").root()
    for rule in rules:
        for node in root.find_all(config={"rule": dict(rule.rule)}):
            span = span_from_grep(node)
            fix = None
            if rule.fix is not None:
                fix = pattern_fix(facts, span, _expand(rule.fix, node), rule.code)
            yield Diagnostic(
                code=rule.code,
                message=rule.message,
                span=span,
                subject=rule.code,
                severity=rule.severity,
                fix=fix,
                statement=" ".join(node.text().split()),
            )


def _applies(rule: PatternRule, facts: ModuleFacts) -> bool:
    if rule.files is not None and not rule.files.matches(facts.path):
        return False
    if rule.allow and rule.allow.matches(facts.path):
        return False
    return not rule.anchors or any(anchor in facts.source for anchor in rule.anchors)


def _expand(template: str, node: Any) -> str:
    def substitute(match: re.Match) -> str:
        if match.group(0).startswith("$$$"):
            name = match.group(1)
            nodes = node.get_multiple_matches(name) if name else []
            if not nodes:
                return ""
            source = node.get_root().root().text()
            text = source[nodes[0].range().start.index:nodes[-1].range().end.index]
            if nodes[-1].kind() == "comment":  # what the template puts after it must not become comment
                end_line = source.rfind("\n", 0, node.range().end.index) + 1
                text += "\n" + re.match(r"[ \t]*", source[end_line:]).group(0)
            return text
        captured = node.get_match(match.group(2))
        return captured.text() if captured is not None else match.group(0)

    return _METAVARIABLE.sub(substitute, template)


def _patterns_in(rule: Any) -> Iterator[str]:
    if isinstance(rule, Mapping):
        for key, value in rule.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns_in(value)
    elif isinstance(rule, list):
        for item in rule:
            yield from _patterns_in(item)


def _metavariables(rule: Any) -> set[str]:
    """Metavariables a match binds: those of its patterns, except under `not` (never bound)."""
    names: set[str] = set()
    positive = {k: v for k, v in rule.items() if k != "not"} if isinstance(rule, Mapping) else rule
    for pattern in _patterns_in(positive):
        names.update(m.group(1) or m.group(2) for m in _METAVARIABLE.finditer(pattern) if m.group(1) or m.group(2))
    return names


def _last_cause(text: str) -> str:
    """ast-grep's error without its backtrace: the innermost of its numbered causes."""
    text = text.split("Stack backtrace:")[0].strip()
    if "Caused by:" in text:
        text = re.split(r"^\s*\d+: ", text.split("Caused by:", 1)[1], flags=re.MULTILINE)[-1]
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
