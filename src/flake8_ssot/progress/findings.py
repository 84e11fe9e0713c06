"""One file's findings at one commit, cached by content: (path, blob id, policy digest) ->
the findings, so a commit costs only the blobs it changed, and a second walk over the same
history checks no blob at all. Also which policy governs each path of a commit's tree.

The engine runs through `checking.runner.check_bytes`, exactly as `ssot check` runs it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple

from flake8_ssot import __version__
from flake8_ssot.checking.cache import CACHE_DIR_NAME, _prepare_directory
from flake8_ssot.checking.discovery import DEFAULT_EXCLUDES, PYTHON_SUFFIXES
from flake8_ssot.checking.runner import check_bytes
from flake8_ssot.config import Config, ConfigError
from flake8_ssot.config.resolve import Overrides
from flake8_ssot.config.text import config_from_bytes, has_ssot_table
from flake8_ssot.files import write_atomic

FORMAT = 1
POLICY_FILE = "pyproject.toml"


class Finding(NamedTuple):
    """A diagnostic as the counts need it; `statistics()` reads code, subject and message."""

    code: str
    subject: str
    message: str
    canonical: str  # where the canonical replacement lives, when the rule knows it
    path: str  # relative to the repository root, forward slashes
    line: int


@dataclass(frozen=True)
class Policy:
    config: Config
    digest: str  # what the findings depend on besides the file: version, policy text, place, overrides


def policy_digest(data: bytes, file: str, overrides: Overrides) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{__version__}\0{FORMAT}\0{file}\0{overrides.key()}\0".encode())
    digest.update(data)
    return digest.hexdigest()[:16]


def load_policy(data: bytes, file: str, overrides: Overrides) -> Policy:
    """Raises `ConfigError` for a broken policy."""
    return Policy(overrides.apply(config_from_bytes(data, file)), policy_digest(data, file, overrides))


class Policies:
    """Which policy governs each path of one tree: the nearest `pyproject.toml` with a
    `[tool.ssot]` table above it (as `ssot check` finds it), or the one `--config` names."""

    def __init__(self, by_directory: dict[str, Policy], explicit: Policy | None = None) -> None:
        self.by_directory = by_directory  # "" is the repository root, else "a/b"
        self.explicit = explicit
        self._memo: dict[str, Policy | None] = {}

    def for_directory(self, directory: str) -> Policy | None:
        if self.explicit is not None:
            return self.explicit
        if directory in self._memo:
            return self._memo[directory]
        policy = self.by_directory.get(directory)
        if policy is None and directory:
            policy = self.for_directory(directory.rpartition("/")[0])
        self._memo[directory] = policy
        return policy

    def key(self) -> tuple:
        if self.explicit is not None:
            return (self.explicit.digest,)
        return tuple(sorted((d, p.digest) for d, p in self.by_directory.items()))


class PolicyReader:
    """Policies of many commits, each distinct `pyproject.toml` blob parsed once."""

    def __init__(self, root: str, overrides: Overrides, read: Callable[[str], bytes]) -> None:
        self.root, self.overrides, self.read = root, overrides, read
        self._memo: dict[tuple[str, str], Policy | ConfigError | None] = {}

    def policies(self, policy_files: dict[str, str], explicit: Policy | None) -> Policies:
        """`policy_files`: path -> blob id of every pyproject.toml in the tree. Raises
        `ConfigError` when one that has a `[tool.ssot]` table is broken."""
        if explicit is not None:
            return Policies({}, explicit)
        by_directory = {}
        for path, blob in policy_files.items():
            policy = self._policy(path, blob)
            if policy is not None:
                by_directory[path.rpartition("/")[0]] = policy
        return Policies(by_directory)

    def _policy(self, path: str, blob: str) -> Policy | None:
        key = (path, blob)
        if key not in self._memo:
            data = self.read(blob)
            if not has_ssot_table(data):
                self._memo[key] = None
            else:
                try:
                    self._memo[key] = load_policy(data, os.path.join(self.root, path), self.overrides)
                except ConfigError as error:
                    self._memo[key] = error
        found = self._memo[key]
        if isinstance(found, ConfigError):
            raise found
        return found


def is_policy_file(path: str) -> bool:
    return path == POLICY_FILE or path.endswith("/" + POLICY_FILE)


class Selection:
    """Which paths of a tree `ssot check` would look at: `.py`/`.pyi` files outside hidden and
    default-excluded directories and the policy's `exclude`, under the PATHS asked for.
    `.gitignore` is not applied to committed files: git already holds only what was added."""

    def __init__(self, root: str, prefixes: Iterable[str] = ()) -> None:
        self.root = root
        self.prefixes = tuple(prefixes)  # relative to the root, no trailing slash; () = all

    def under_prefixes(self, path: str) -> bool:
        return not self.prefixes or any(path == p or path.startswith(p + "/") for p in self.prefixes)

    def wanted(self, path: str) -> bool:
        """Before any policy: suffix, default excludes, PATHS."""
        if not path.endswith(PYTHON_SUFFIXES):
            return False
        if not self.under_prefixes(path):
            return False
        parts = path.split("/")[:-1]
        return not any(part in DEFAULT_EXCLUDES or part.startswith(".") for part in parts)

    def excluded(self, path: str, config: Config) -> bool:
        if not config.exclude:
            return False
        absolute = os.path.join(self.root, path)
        if config.exclude.matches(absolute, is_dir=False):
            return True
        directory = path.rpartition("/")[0]
        while directory:
            if config.exclude.matches(os.path.join(self.root, directory), is_dir=True):
                return True
            directory = directory.rpartition("/")[0]
        return False


class FindingCache:
    """(policy digest, blob id, path) -> findings, kept in the cache directory across runs.

    `checked` counts the files the engine actually ran on, so a test can prove a second run
    over the same history checks none."""

    def __init__(self, directory: str | None) -> None:
        self.file = os.path.join(directory, "progress", __version__, "findings.json") if directory else None
        self.entries: dict[str, object] = {}
        self.checked = 0
        self.changed = False
        if self.file is not None:
            try:
                with open(self.file, encoding="utf-8") as handle:
                    document = json.load(handle)
                if isinstance(document, dict) and document.get("format") == FORMAT:
                    self.entries = document.get("entries") or {}
            except (OSError, ValueError):
                pass  # no cache, or a broken one: start afresh

    def findings(self, root: str, path: str, blob: str, policy: Policy, read: Callable[[str], bytes]) -> object:
        """A tuple of `Finding`s, or a string saying why the file could not be checked."""
        key = f"{policy.digest}:{blob}:{path}"
        cached = self.entries.get(key)
        if cached is None:
            cached = self.entries[key] = self._check(root, path, read(blob), policy.config)
            self.changed = True
        return _decode(cached, path)

    def findings_of_bytes(self, root: str, path: str, data: bytes, policy: Policy, blob: str) -> object:
        return self.findings(root, path, blob, policy, lambda _: data)

    def _check(self, root: str, path: str, data: bytes, config: Config) -> object:
        if b"\0" in data:
            return "binary file, not checked"
        self.checked += 1
        result = check_bytes(data, os.path.join(root, path), config, project=False)  # a past commit's blob
        if result.error is not None:
            return result.error
        if not result.diagnostics:
            return 0
        return [[d.code, d.subject, d.message, d.canonical, d.line] for d in result.diagnostics]

    def save(self, directory: str | None = None) -> None:
        if self.file is None or not self.changed:
            return
        try:
            cache_root = os.path.dirname(os.path.dirname(os.path.dirname(self.file)))
            _prepare_directory(cache_root)
            os.makedirs(os.path.dirname(self.file), exist_ok=True)
            write_atomic(self.file, json.dumps({"format": FORMAT, "entries": self.entries}, separators=(",", ":")))
        except OSError:
            pass  # a read-only checkout still gets its answer, only slower next time


_EMPTY: tuple = ()


def _decode(cached: object, path: str) -> object:
    if cached == 0:
        return _EMPTY
    if isinstance(cached, str):
        return cached
    return tuple(Finding(code, subject, message, canonical, path, line)
                 for code, subject, message, canonical, line in cached)  # type: ignore[union-attr]


def default_cache_dir(root: str) -> str:
    return os.path.join(root, CACHE_DIR_NAME)
