"""Validation of SARIF output against the vendored SARIF 2.1.0 schema, URI formats included
(jsonschema checks `uri`/`uri-reference` only with rfc3986-validator installed: required here)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema

SCHEMA = Path(__file__).parent / "schemas" / "sarif-2.1.0.json"


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft4Validator:
    checker = jsonschema.FormatChecker()
    assert {"uri", "uri-reference"} <= set(checker.checkers), "pip install rfc3986-validator"
    return jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")), format_checker=checker)


def assert_valid_sarif(document: dict) -> None:
    errors = sorted(_validator().iter_errors(document), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(error.path)}: {error.message}" for error in errors)
