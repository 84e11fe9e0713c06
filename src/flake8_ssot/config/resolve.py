"""The configuration of each checked directory: the nearest `[tool.ssot]` above it (or
`--config`), with the command-line overrides applied once per configuration file.

It only resolves and caches configurations; loading and validating them is `config`'s.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from flake8_ssot.config import Config, ConfigError, config_for, config_from_document, find_config_file, parse_toml
from flake8_ssot.config.globs import GlobSet


@dataclasses.dataclass(frozen=True)
class Overrides:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()  # globs added to `exclude`, relative to each configuration's root
    settings: tuple[str, ...] = ()  # `--config 'KEY = VALUE'`: TOML lines applied on top of [tool.ssot]

    def settings_table(self) -> dict[str, Any]:
        """The `--config 'KEY = VALUE'` lines as one table, a later line winning (as in ruff)."""
        table: dict[str, Any] = {}
        for line in self.settings:
            table.update(parse_toml(line.encode("utf-8"), "--config"))
        return table

    def apply(self, config: Config) -> Config:
        """As in ruff, a command-line `--select` replaces the configured select and ignore."""
        if self.settings:
            config = self._with_settings(config)
        changes: dict = {}
        if self.extend_exclude:
            changes["exclude"] = GlobSet((*config.exclude.patterns, *self.extend_exclude), config.root)
        if self.select is not None:
            changes.update(select=self.select, ignore=(), extend_select=())
        if self.ignore:
            changes["ignore"] = (*changes.get("ignore", config.ignore), *self.ignore)
        if self.extend_select:
            changes["extend_select"] = (*changes.get("extend_select", config.extend_select), *self.extend_select)
        return dataclasses.replace(config, **changes) if changes else config

    def key(self) -> str:
        chosen = (self.select, self.ignore, self.extend_select)
        if self.settings:
            return repr((*chosen, self.extend_exclude, self.settings))
        return repr((*chosen, self.extend_exclude) if self.extend_exclude else chosen)

    def _with_settings(self, config: Config) -> Config:
        """The configuration rebuilt from its [tool.ssot] table with the `--config` lines on
        top, validated as a whole (a `select` may name a pattern the file declares)."""
        table: dict[str, Any] = {}
        if config.file is not None:
            with open(config.file, "rb") as handle:
                tool = parse_toml(handle.read(), config.file).get("tool", {})
            table = dict(tool.get("ssot", {}))
        overridden = self.settings_table()
        table.update(overridden)
        path = config.file or os.path.join(config.root, "pyproject.toml")
        try:
            rebuilt = config_from_document({"tool": {"ssot": table}}, path, config.root)
        except ConfigError as error:  # a mistake in a `--config` value is the command line's
            key = error.key_path.removeprefix("tool.ssot.").split(".")[0].split("[")[0]
            if key in overridden:
                raise ConfigError("--config", error.key_path, error.problem) from None
            raise
        return rebuilt if config.file is not None else dataclasses.replace(rebuilt, file=None)


class Configurations:
    """The configuration of each directory (the nearest one above it, or `--config`), with the
    command-line overrides applied once per configuration file."""

    def __init__(self, explicit: str | None, overrides: Overrides) -> None:
        self.explicit = explicit
        self.overrides = overrides
        self.by_directory: dict[str, int] = {}
        self.configs: list[Config] = []
        self._index: dict[str | None, int] = {}

    def index_for_directory(self, directory: str) -> int:
        index = self.by_directory.get(directory)
        if index is None and self.explicit and self.configs:
            # `--config`: every directory's configuration is that file, loaded once per run
            # (not stat'ed again for each of a large tree's thousands of directories).
            index = self.by_directory[directory] = 0
        if index is None:
            base = config_for(directory, self.explicit)
            index = self._index.get(base.file)
            if index is None:
                index = self._index[base.file] = len(self.configs)
                self.configs.append(self.overrides.apply(base))
            self.by_directory[directory] = index
        return index

    def add(self, base: Config) -> int:
        """The index of a configuration loaded from `base.file` (the run-level cache restores them)."""
        index = self._index.get(base.file)
        if index is None:
            index = self._index[base.file] = len(self.configs)
            self.configs.append(self.overrides.apply(base))
        return index

    def for_directory(self, directory: str) -> Config:
        return self.configs[self.index_for_directory(directory)]

    def index_for_file(self, path: str) -> int:
        # Discovery gives absolute paths: no abspath per file (config_for normalises the directory).
        directory, separator, _ = path.rpartition(os.sep)
        if not (directory and separator and os.sep == "/" and path.startswith("/")):
            directory = os.path.dirname(os.path.abspath(path))
        return self.index_for_directory(directory)


def project_root(cwd: str, explicit: str | None) -> str:
    """The directory of the nearest pyproject.toml with [tool.ssot], else cwd; with `--config`,
    cwd, as ruff does (the file may live outside the tree: its relative paths are cwd's too)."""
    if explicit:
        return cwd
    found = find_config_file(cwd)
    return os.path.dirname(found) if found else cwd
