"""SSOT100-SSOT899 user pattern rules: ast-grep rules declared in `[[tool.ssot.patterns]]`.

## What it does
Runs each declared ast-grep rule (a `pattern`, or a full rule table with `kind`, `has`,
`inside`, `not`, `all`, `any`) over the file and reports every match with the rule's own
code and message. The message and a `fix` template may reuse the rule's metavariables
(`$NAME`, `$$$ARGS`). `files` limits a rule to some globs; `allow` exempts some. Files that
do not parse are matched on tree-sitter's error-tolerant parse.

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

import re
from dataclasses import replace
from typing import Any, Iterator

from flake8_ssot.config import Config, PatternRule
from flake8_ssot.config.patterns import _METAVARIABLE
from flake8_ssot.diagnostic import SAFE, UNSAFE, Diagnostic
from flake8_ssot.facts import ModuleFacts
from flake8_ssot.rules.rewrites import pattern_fix
from flake8_ssot.span import span_from_grep

CODE = "SSOT1xx-SSOT8xx"
NAME = "pattern-rules"


def check(facts: ModuleFacts, config: Config) -> Iterator[Diagnostic]:
    rules = [rule for rule in config.patterns if _applies(rule, facts)]
    if not rules:
        return
    trees = _trees(facts)
    for rule in rules:
        for tree in trees:
            for node in tree.root.find_all(config={"rule": dict(rule.rule)}):
                start = node.range().start.line
                if any(first <= start <= last for first, last in tree.skip):
                    continue
                yield _diagnostic(rule, node, tree, facts)


def _trees(facts: ModuleFacts) -> list:
    """What to match on: the file's tree; for a file Python cannot parse, the trees of its
    error-tolerant reading (recovery.pattern_trees)."""
    from flake8_ssot.facts.recovery import pattern_trees, whole_tree

    if facts.trees is not None:
        return facts.trees
    if facts.syntax_error is not None:
        return pattern_trees(facts.source)
    return [whole_tree(facts.source)]


def _diagnostic(rule: PatternRule, node: Any, tree: Any, facts: ModuleFacts) -> Diagnostic:
    span = span_from_grep(node)
    if tree.row:
        span = span._replace(line=span.line + tree.row, end_line=span.end_line + tree.row)
    fix = None
    if rule.fix is not None:
        replacement = _expand(rule.fix, node, tree.text)
        fix = pattern_fix(facts, span, replacement, rule.code)
        if fix.applicability == SAFE and _drops_a_comment(node, replacement):
            fix = replace(fix, applicability=UNSAFE)
    return Diagnostic(
        code=rule.code,
        message=_interpolate(rule.message, node, tree.text),
        span=span,
        subject=rule.code,
        severity=rule.severity,
        fix=fix,
        statement=" ".join(node.text().split()),
    )


def _drops_a_comment(node: Any, replacement: str) -> bool:
    """Would the replacement lose a comment of the matched code? Then the fix is unsafe (as in ruff)."""
    return any(comment.text() not in replacement for comment in node.find_all(kind="comment"))


def _interpolate(message: str, node: Any, source: str) -> str:
    """A message with the text of the metavariables it names, on one line."""
    if "$" not in message:
        return message

    def substitute(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        if not name:
            return match.group(0)
        if match.group(0).startswith("$$$"):
            nodes = node.get_multiple_matches(name)
            code = [item for item in nodes if item.kind() != "comment"]
            if not code:
                return ""
            start, end = code[0].range().start.index, code[-1].range().end.index
            pieces, position = [], start
            for comment in nodes:  # comments between the captured nodes are not message text
                where = comment.range()
                if comment.kind() == "comment" and start <= where.start.index and where.end.index <= end:
                    pieces.append(source[position:where.start.index])
                    position = where.end.index
            text = "".join(pieces) + source[position:end]
        else:
            captured = node.get_match(name)
            if captured is None:
                return match.group(0)
            text = captured.text()
        return " ".join(text.split())

    return _METAVARIABLE.sub(substitute, message)


def _applies(rule: PatternRule, facts: ModuleFacts) -> bool:
    if rule.files is not None and not rule.files.matches(facts.path):
        return False
    if rule.allow and rule.allow.matches(facts.path):
        return False
    return not rule.anchors or any(anchor in facts.source for anchor in rule.anchors)


def _expand(template: str, node: Any, source: str) -> str:
    """The fix template with the metavariables' text; `source` is the text the node was parsed from
    (offsets index it; the root node's own text starts at the first token, not at offset 0)."""
    def substitute(match: re.Match) -> str:
        if match.group(0).startswith("$$$"):
            name = match.group(1)
            nodes = node.get_multiple_matches(name) if name else []
            if not nodes:
                return ""
            text = source[nodes[0].range().start.index:nodes[-1].range().end.index]
            if nodes[-1].kind() == "comment":  # what the template puts after it must not become comment
                end_line = source.rfind("\n", 0, node.range().end.index) + 1
                text += "\n" + re.match(r"[ \t]*", source[end_line:]).group(0)
            return text
        captured = node.get_match(match.group(2))
        return captured.text() if captured is not None else match.group(0)

    return _METAVARIABLE.sub(substitute, template)
