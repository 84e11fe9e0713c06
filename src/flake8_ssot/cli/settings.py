"""`ssot check --show-files` and `--show-settings`: what a run would check, and with which
configuration, without checking anything (as ruff's options of the same names)."""

from __future__ import annotations

import os
import sys
from typing import Any

from flake8_ssot.config import ConfigError, inline_toml, parse_toml, schema
from flake8_ssot.config.resolve import Configurations, Overrides

DEFAULT, COMMAND_LINE = "default", "command line"


def config_arguments(values: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """`--config` values -> (the configuration file, the `KEY = VALUE` lines), as ruff tells them
    apart: an existing file or a `.toml` path is a file; else a TOML line setting one
    [tool.ssot] key. Anything else, or two files, is a `ValueError` worded for the user."""
    file, lines = None, []
    for value in values:
        if os.path.isfile(value) or value.endswith(".toml") and "=" not in value:
            if file is not None:
                raise ValueError(f"--config {value}: only one configuration file can be given (also {file})")
            file = value
            continue
        problem = _setting_problem(value)
        if problem is not None:
            raise ValueError(
                f"invalid value {value!r} for --config: {problem}\n\n"
                "  tip: a --config value must be either a path to a pyproject.toml\n"
                "       or a TOML `KEY = VALUE` pair overriding a [tool.ssot] setting"
            )
        lines.append(value)
    return file, tuple(lines)


def _setting_problem(value: str) -> str | None:
    """Why `value` is not one `KEY = VALUE` TOML line naming a [tool.ssot] key, or None."""
    try:
        table = parse_toml(value.encode("utf-8"), "--config")
    except ConfigError as error:
        return "neither an existing file nor a TOML `KEY = VALUE` pair" if "=" not in value else error.problem
    if len(table) != 1:
        return "give one `KEY = VALUE` pair per --config"
    key = next(iter(table))
    if key not in schema.TOP_KEYS:
        from difflib import get_close_matches  # only for a 'did you mean' message: not every run's import
        close = get_close_matches(key, schema.TOP_KEYS, n=1, cutoff=0.6)
        return f"unknown [tool.ssot] key {key!r}" + (f"; did you mean {close[0]!r}?" if close else "")
    return None


def show_files(paths: list[str], configurations: Configurations, root: str, force_exclude: bool) -> int:
    """The files a check would read, absolute, sorted, one per line (as ruff prints them)."""
    from flake8_ssot.checking.discovery import discover

    found = discover(paths, configurations.for_directory, boundary=root, force_exclude=force_exclude)
    sys.stdout.write("".join(path + "\n" for path in found.files))
    for path in found.missing:
        sys.stderr.write(f"error: {path}: no such file or directory\n")
    for directory, reason in found.unreadable:
        sys.stderr.write(f"error: {directory}: cannot list the directory: {reason}\n")
    return 2 if found.missing or found.unreadable else 0


def show_settings(path: str, configurations: Configurations, cwd: str) -> int:
    """Every top-level setting that applies to `path`, as TOML, each with where it came from:
    the pyproject.toml, a default, or the command line."""
    absolute = os.path.abspath(path)
    directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    config = configurations.for_directory(directory)
    shown_file = os.path.relpath(config.file, cwd) if config.file else None
    lines = [f"Settings for: {path}", f"Configuration file: {shown_file or '(none: the defaults)'}", ""]
    for key, value, origin in settings(config.file, configurations.overrides, shown_file or ""):
        lines.append(f"{key} = {inline_toml(value)}  # {origin}" if value is not None
                     else f"# {key} (not set)  # {origin}")
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


def settings(file: str | None, overrides: Overrides, shown_file: str) -> list[tuple[str, Any, str]]:
    """(key, value, origin) for each top-level key; origin is `shown_file`, DEFAULT or
    COMMAND_LINE, or "FILE + command line" for a list the command line extends."""
    table: dict[str, Any] = {}
    if file is not None:
        with open(file, "rb") as handle:
            document = parse_toml(handle.read(), file)
        table = document.get("tool", {}).get("ssot", {})
    chosen: dict[str, tuple[Any, str]] = {
        key: (table[key], shown_file) if key in table else (schema.default(key), DEFAULT) for key in schema.TOP_KEYS
    }
    for key, value in overrides.settings_table().items():
        chosen[key] = (value, COMMAND_LINE)
    if overrides.select is not None:  # as ruff: --select replaces select, ignore and extend-select
        chosen.update(select=(list(overrides.select), COMMAND_LINE), ignore=([], COMMAND_LINE),
                      **{"extend-select": ([], COMMAND_LINE)})
    for key, extra in (("ignore", overrides.ignore), ("extend-select", overrides.extend_select),
                       ("exclude", overrides.extend_exclude)):
        if extra:
            value, origin = chosen[key]
            chosen[key] = ([*value, *extra], COMMAND_LINE if origin == COMMAND_LINE else f"{origin} + command line")
    return [(key, *chosen[key]) for key in schema.TOP_KEYS]
