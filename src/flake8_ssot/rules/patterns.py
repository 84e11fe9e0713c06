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

import keyword
import re
from typing import Any, Iterator, Mapping

from flake8_ssot.config import Config, PatternRule
from flake8_ssot.diagnostic import SAFE, Diagnostic, Edit, Fix
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.span import span_from_grep

CODE = "SSOT1xx-SSOT8xx"
NAME = "pattern-rules"

_METAVARIABLE = re.compile(r"\$\$\$([A-Z_][A-Z0-9_]*)?|\$([A-Z_][A-Z0-9_]*)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def compile_rule(rule: Mapping[str, Any], fix: str | None) -> tuple[str, ...]:
    """Validate an ast-grep rule; return literal words every match contains (for prefilters).

    Raises ValueError with ast-grep's own explanation, trimmed of its backtrace.
    """
    from ast_grep_py import SgRoot

    for pattern in _patterns_in(rule):
        if not pattern.strip():
            raise ValueError("the pattern is empty")
        probe = _METAVARIABLE.sub("_metavariable", pattern)
        if SgRoot(probe, "python").root().find(kind="ERROR") is not None:
            raise ValueError(f"the pattern {pattern!r} is not valid Python")
    try:
        SgRoot("", "python").root().find_all(config={"rule": dict(rule)})
    except Exception as error:  # ast-grep raises RuntimeError or a bare Exception
        raise ValueError(_first_lines(str(error))) from None
    if fix is not None:
        known = _metavariables(rule)
        for match in _METAVARIABLE.finditer(fix):
            name = match.group(1) or match.group(2)
            if name and name not in known:
                raise ValueError(f"the fix uses ${name}, which the pattern does not capture")
    pattern = rule.get("pattern")
    if isinstance(pattern, str):
        words = [w for w in _WORD.findall(_METAVARIABLE.sub(" ", pattern)) if not keyword.iskeyword(w)]
        if words:
            return (max(words, key=len),)
    return ()


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
                fix = Fix((Edit(span, _expand(rule.fix, node)),), SAFE, f"apply the fix of {rule.code}")
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
            return source[nodes[0].range().start.index:nodes[-1].range().end.index]
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
    names: set[str] = set()
    for pattern in _patterns_in(rule):
        names.update(m.group(1) or m.group(2) for m in _METAVARIABLE.finditer(pattern) if m.group(1) or m.group(2))
    return names


def _first_lines(text: str) -> str:
    text = text.split("Stack backtrace:")[0].strip()
    return " ".join(line.strip() for line in text.splitlines() if line.strip())
