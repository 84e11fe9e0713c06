"""`--statistics`: violation counts per code and per subject (the legacy path, factory class,
canonical symbol or deprecated export), so a team sees its migration shrink."""

from __future__ import annotations

import json
from collections import Counter
from typing import Iterable

from flake8_ssot.checking.runner import SYNTAX_ERROR_CODE, SYNTAX_ERROR_NAME
from flake8_ssot.diagnostic import Diagnostic


def _name(code: str) -> str:
    if code == SYNTAX_ERROR_CODE:
        return SYNTAX_ERROR_NAME
    from flake8_ssot.rules import BY_CODE  # the rules: imported when a table names them

    rule = BY_CODE.get(code)
    return rule.NAME if rule is not None else "pattern-rule"


def statistics(diagnostics: Iterable[Diagnostic]) -> dict:
    by_code: Counter = Counter()
    by_subject: Counter = Counter()
    messages: dict[tuple[str, str], set[str]] = {}
    for diagnostic in diagnostics:
        by_code[diagnostic.code] += 1
        key = (diagnostic.subject or diagnostic.code, diagnostic.code)
        by_subject[key] += 1
        if key[0] == diagnostic.code:
            messages.setdefault(key, set()).add(diagnostic.message)
    rows = []
    for (subject, code), count in sorted(by_subject.items(), key=lambda item: (-item[1], item[0])):
        row = {"subject": subject, "code": code, "count": count}
        said = messages.get((subject, code), ())
        if len(said) == 1:
            row["message"] = next(iter(said))  # a pattern rule's subject is its code: say what it flags
        rows.append(row)
    return {
        "total": sum(by_code.values()),
        "by_code": [
            {"code": code, "name": _name(code), "count": count}
            for code, count in sorted(by_code.items(), key=lambda item: (-item[1], item[0]))
        ],
        "by_subject": rows,
    }


def _subject(row: dict) -> str:
    return row.get("message") or row["subject"]


def render_text(stats: dict) -> str:
    if not stats["total"]:
        return ""
    if "baselined" in stats:
        return _render_split(stats)
    width = len(str(max(row["count"] for row in stats["by_code"])))
    code_width = max(len(row["code"]) for row in stats["by_code"])
    lines = ["Violations by code:"]
    for row in stats["by_code"]:
        lines.append(f"  {row['count']:>{width}}  {row['code']:<{code_width}}  {row['name']}")
    lines += ["", "Violations by legacy path or symbol:"]
    for row in stats["by_subject"]:
        lines.append(f"  {row['count']:>{width}}  {row['code']:<{code_width}}  {_subject(row)}")
    return "\n".join(lines) + "\n"


def _render_split(stats: dict) -> str:
    width = max(len("new"), len(str(max(row["new"] for row in stats["by_code"]))))
    base_width = len("baselined")
    code_width = max(len(row["code"]) for row in stats["by_code"])
    header = f"  {'new':>{width}}  {'baselined':>{base_width}}  "

    def line(row: dict, what: str) -> str:
        return f"  {row['new']:>{width}}  {row['baselined']:>{base_width}}  {row['code']:<{code_width}}  {what}"

    lines = [f"Violations by code (baseline: {stats['new']} new, {stats['baselined']} baselined):", header.rstrip()]
    lines += [line(row, row["name"]) for row in stats["by_code"]]
    lines += ["", "Violations by legacy path or symbol:", header.rstrip()]
    lines += [line(row, _subject(row)) for row in stats["by_subject"]]
    return "\n".join(lines) + "\n"


def render_json(stats: dict) -> str:
    return json.dumps(stats, indent=2, ensure_ascii=False) + "\n"


def split_statistics(new: Iterable[Diagnostic], baselined: Iterable[Diagnostic]) -> dict:
    """With a baseline: new versus baselined counts per code and per subject, so a team sees
    which legacy paths still have old uses and which got new ones."""
    new, baselined = list(new), list(baselined)
    stats = statistics([*new, *baselined])
    fresh, old = statistics(new), statistics(baselined)
    stats["new"], stats["baselined"] = fresh["total"], old["total"]
    for name, key in (("by_code", ("code",)), ("by_subject", ("subject", "code"))):
        counts_new = {tuple(row[k] for k in key): row["count"] for row in fresh[name]}
        counts_old = {tuple(row[k] for k in key): row["count"] for row in old[name]}
        for row in stats[name]:
            row["new"] = counts_new.get(tuple(row[k] for k in key), 0)
            row["baselined"] = counts_old.get(tuple(row[k] for k in key), 0)
    return stats
