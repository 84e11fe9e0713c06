"""A policy read from bytes instead of a file on disk: `ssot progress` reads each commit's
`pyproject.toml` from git's object store, where there is no file to stat or open.

Validation is `config`'s; this module only parses the TOML and says which file it stands for.
"""

from __future__ import annotations

import os
import sys

from flake8_ssot.config import Config, ConfigError, _build, _type_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


def has_ssot_table(data: bytes) -> bool:
    """Does this pyproject.toml content hold a `[tool.ssot]` table? A broken file says yes, so
    that loading it reports the problem instead of skipping the policy silently."""
    if b"ssot" not in data:
        return False
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return True
    tool = document.get("tool")
    return isinstance(tool, dict) and "ssot" in tool


def config_from_bytes(data: bytes, file: str) -> Config:
    """The policy in `data`, as if it were the content of `file` (its directory is the root
    that globs and `src` are relative to). Problems are `ConfigError`s naming `file`."""
    file = os.path.abspath(file)
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(file, "", "is not valid UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(file, "", f"is not valid TOML: {error}") from None
    tool = document.get("tool", {})
    table = tool.get("ssot", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(file, "tool.ssot", f"must be a table, not {_type_name(table)}")
    return _build(table, file=file, root=os.path.dirname(file))
