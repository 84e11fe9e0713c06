"""SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif).

Rules carry the documentation from the rule docstrings; locations are percent-encoded relative
URIs under `%SRCROOT%` (the project root: the directory of the pyproject.toml the configuration
came from, so a run from a subdirectory names files as a run from the root does), `file:` URIs
outside it, and regions count 1-based characters, `endColumn` exclusive, as the specification
says. Each result's `partialFingerprints` is its baseline key (file, code, legacy path,
normalised statement text, occurrence), hashed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

from flake8_ssot.reporters import INFORMATION_URI, Report
from flake8_ssot.rules import RULES
from flake8_ssot.checking.runner import SYNTAX_ERROR_CODE, SYNTAX_ERROR_NAME
from flake8_ssot.rules.docs import RuleDoc, rule_docs_for, rule_url

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning"}


# `--show-syntax-errors` reports a file Python cannot parse as SSOT000 (see checking.runner).
SYNTAX_ERROR_DOC = RuleDoc(
    SYNTAX_ERROR_CODE, SYNTAX_ERROR_NAME, "a file Python cannot parse, checked with error recovery",
    "Python could not parse the file; its violations were found with error recovery, which may miss some.",
)


def render(report: Report) -> str:
    pairs = list(report.diagnostics())
    codes = sorted({diagnostic.code for _, diagnostic in pairs} | _builtin_codes())
    config = report.configs[0] if report.configs else None
    docs = [SYNTAX_ERROR_DOC if doc.code == SYNTAX_ERROR_CODE else doc
            for doc in rule_docs_for(codes, _merged_patterns(report) or config)]
    index = {doc.code: position for position, doc in enumerate(docs)}
    rules = [
        {
            "id": doc.code,
            "name": doc.name,
            "shortDescription": {"text": doc.summary},
            "fullDescription": {"text": doc.what_it_does},
            "help": {"text": doc.text(), "markdown": doc.markdown()},
            "helpUri": rule_url(doc.code),
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["maintainability"]},
        }
        for doc in docs
    ]
    results = []
    occurrences: dict[tuple, int] = {}
    baseline_keys: dict[int, tuple] = {}
    if report.baseline_keys is not None:
        for result in report.results:
            for diagnostic, key in zip(result.diagnostics, report.baseline_keys(result.path, result.diagnostics)):
                baseline_keys[id(diagnostic)] = tuple(key)
    root = source_root(report)
    for result, diagnostic in pairs:
        uri = artifact_uri(report, result.path, root)
        statement_key = baseline_keys.get(id(diagnostic)) or (diagnostic.code, diagnostic.subject, diagnostic.statement)
        key = (uri, *statement_key)
        occurrence = occurrences.get(key, 0)
        occurrences[key] = occurrence + 1
        span = diagnostic.span
        location = {
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": {
                    "startLine": span.line,
                    "startColumn": span.column + 1,
                    "endLine": span.end_line,
                    "endColumn": span.end_column + 1,
                },
            }
        }
        if not uri.startswith("file:"):
            location["physicalLocation"]["artifactLocation"]["uriBaseId"] = "%SRCROOT%"
        results.append({
            "ruleId": diagnostic.code,
            "ruleIndex": index[diagnostic.code],
            "level": LEVELS.get(diagnostic.severity, "error"),
            "message": {"text": diagnostic.message},
            "locations": [location],
            "partialFingerprints": {
                "ssotStatement/v1": _fingerprint(key, occurrence),
            },
        })
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ssot",
                    "fullName": "flake8-ssot",
                    "version": report.version,
                    "semanticVersion": report.version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "originalUriBaseIds": {"%SRCROOT%": {"uri": _directory_uri(root)}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def source_root(report: Report) -> str:
    """`%SRCROOT%`: the project root, where the configuration's relative paths start (the
    directory of the pyproject.toml found; the working directory for `--config` or without
    one, as ruff resolves them); with several configurations, the directory holding their
    roots. Not simply the working directory: code scanning matches alerts across runs by
    their files' URIs, and `ssot check` run from a subdirectory finds the same project."""
    roots = sorted({os.path.abspath(config.root) for config in report.configs})
    if not roots:
        return os.path.abspath(report.cwd)
    return roots[0] if len(roots) == 1 else os.path.commonpath(roots)


def artifact_uri(report: Report, path: str, root: str | None = None) -> str:
    """A valid URI reference to `path`: relative to `root` (`source_root`) and percent-encoded
    under `%SRCROOT%`, else a `file:` URI. Spaces, `#`, `%`, `?`, control characters and
    non-ASCII are encoded (an undecodable file name by its raw bytes); `/` and RFC 3986's
    sub-delimiters are kept."""
    relative = report.uri_path(path, root)
    if relative.startswith("/") or os.path.isabs(relative):
        return Path(os.path.abspath(path)).as_uri()
    return quote(relative, safe="/!$&'()*+,;=@", errors="surrogateescape")


def _directory_uri(directory: str) -> str:
    uri = Path(directory).as_uri()
    return uri if uri.endswith("/") else uri + "/"  # relative URIs resolve inside it, not beside it


def _builtin_codes() -> set[str]:
    return {rule.CODE for rule in RULES}


def _merged_patterns(report: Report):
    """The first configuration that declares pattern rules (their docs come from there)."""
    for config in report.configs:
        if config.patterns:
            return config
    return None


def _fingerprint(key: tuple, occurrence: int) -> str:
    """The file and the baseline key with its occurrence among equal keys: no line number, so
    code scanning keeps an alert's identity when code moves or is reformatted."""
    text = "\0".join(str(part) for part in (*key, occurrence))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
