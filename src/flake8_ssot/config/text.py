"""A policy read from bytes instead of a file on disk: `ssot progress` reads each commit's
`pyproject.toml` from git's object store, where there is no file to stat or open.

Parsing and validation are `config`'s; this module only says which file the bytes stand for.
"""

from __future__ import annotations

import os

from flake8_ssot.config import Config, config_from_document, has_ssot_table, parse_toml

__all__ = ["config_from_bytes", "has_ssot_table"]


def config_from_bytes(data: bytes, file: str) -> Config:
    """The policy in `data`, as if it were the content of `file` (its directory is the root
    that globs and `src` are relative to). Problems are `ConfigError`s naming `file`."""
    file = os.path.abspath(file)
    return config_from_document(parse_toml(data, file), file)
