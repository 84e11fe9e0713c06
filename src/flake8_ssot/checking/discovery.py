"""Which files `ssot check` looks at: `.py`/`.pyi` files under the given paths, minus what
`.gitignore` files, `.git/info/exclude`, the configuration's `exclude` and the default
excludes rule out. A file named explicitly is always checked. Reads directories only; a
`.py` entry that is no regular file (a FIFO, a symbolic link that leads nowhere) is kept,
for the reader to report.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable

import pathspec

from flake8_ssot.config import Config

PYTHON_SUFFIXES = (".py", ".pyi")

# ruff's default excludes, plus our own cache directory; hidden directories are skipped too.
DEFAULT_EXCLUDES = frozenset({
    ".bzr", ".direnv", ".eggs", ".git", ".git-rewrite", ".hg", ".ipynb_checkpoints",
    ".mypy_cache", ".nox", ".pants.d", ".pyenv", ".pytest_cache", ".pytype", ".ruff_cache",
    ".ssot_cache", ".svn", ".tox", ".venv", ".vscode", "__pycache__", "__pypackages__",
    "_build", "buck-out", "build", "dist", "node_modules", "site-packages", "venv",
})


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)  # absolute, normalised, sorted, unique
    missing: list[str] = field(default_factory=list)  # paths as given that do not exist
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (directory, reason)
    # Paths as given under which no file is checked, with what left their files out (a
    # reason such as "`.gitignore`"; none for a directory without Python files).
    empty: list[tuple[str, list[str]]] = field(default_factory=list)


class IgnoreFile:
    """The patterns of one `.gitignore` (or `.git/info/exclude`), relative to `base`.

    pathspec checks patterns one by one (tens of microseconds for a typical file); one
    combined regex answers the common "no pattern matches" case in one step, and only a
    path that some pattern matches pays for pathspec's exact last-match-wins decision.
    """

    __slots__ = ("base", "spec", "_any")

    def __init__(self, base: str, lines: Iterable[str]) -> None:
        self.base = base
        self.spec = pathspec.GitIgnoreSpec.from_lines(list(lines))
        parts = []
        for pattern in self.spec.patterns:
            regex = getattr(pattern, "regex", None)
            if regex is not None and pattern.include is not None:
                parts.append("(?:" + re.sub(r"\(\?P<[a-z_]+>", "(?:", regex.pattern) + ")")
        self._any = re.compile("|".join(parts)) if parts else None

    def __bool__(self) -> bool:
        return self._any is not None

    def decide(self, relative: str) -> bool | None:
        """True: ignored, False: re-included by a `!pattern`, None: no pattern applies."""
        if self._any is None or self._any.match(relative) is None:
            return None
        return self.spec.check_file(relative).include


def read_ignore_file(base: str, path: str) -> IgnoreFile | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            ignore = IgnoreFile(base, handle.read().splitlines())
    except (OSError, ValueError):
        return None  # an unreadable or malformed .gitignore ignores nothing, as git does
    return ignore if ignore else None


def git_root(directory: str) -> str | None:
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _ancestor_ignores(directory: str, boundary: str | None) -> list[IgnoreFile]:
    """The ignore files that apply inside `directory`, from its ancestors up to the repository root."""
    root = git_root(directory)
    top = root or boundary
    if top is None or not (directory == top or directory.startswith(top.rstrip(os.sep) + os.sep)):
        top = directory
    chain = [directory]
    while chain[-1] != top:
        parent = os.path.dirname(chain[-1])
        if parent == chain[-1]:
            break
        chain.append(parent)
    ignores: list[IgnoreFile] = []
    if root is not None:
        exclude = read_ignore_file(root, os.path.join(root, ".git", "info", "exclude"))
        if exclude is not None:
            ignores.append(exclude)
    for ancestor in reversed(chain[1:]):
        found = read_ignore_file(ancestor, os.path.join(ancestor, ".gitignore"))
        if found is not None:
            ignores.append(found)
    return ignores


def is_ignored(path: str, is_dir: bool, ignores: list[IgnoreFile]) -> bool:
    """Deeper ignore files override shallower ones, as in git."""
    for ignore in reversed(ignores):
        relative = path[len(ignore.base):].lstrip(os.sep).replace(os.sep, "/")
        decision = ignore.decide(relative + "/" if is_dir else relative)
        if decision is not None:
            return decision
    return False


def excluded(path: str, is_dir: bool, config: Config) -> bool:
    if not config.exclude:
        return False
    return config.exclude.matches(path, is_dir=is_dir)


def discover(
    paths: Iterable[str],
    config_for_dir: Callable[[str], Config],
    boundary: str | None = None,
    force_exclude: bool = False,
    walked: list[str] | None = None,
) -> Discovery:
    """Python files under `paths`. `config_for_dir(directory)` gives the configuration whose
    `exclude` applies there; `boundary` (the project root) limits how far up `.gitignore`
    files are read outside a git repository. `force_exclude` applies the excludes to
    explicitly named files too (for pre-commit, which names every file). `walked`, if given,
    receives every directory listed (the run-level cache watches them)."""
    result = Discovery()
    seen: set[str] = set()
    for given in paths:
        absolute = os.path.normpath(os.path.abspath(given))
        if os.path.isdir(absolute):
            ignores = _ancestor_ignores(absolute, boundary)
            why = _explicit_excluded(absolute, True, ignores, config_for_dir) if force_exclude else None
            if why is not None:
                result.empty.append((given, [why]))
                continue
            reasons: set[str] = set()
            if not _walk(absolute, ignores, config_for_dir, result, seen, walked, reasons):
                result.empty.append((given, sorted(reasons)))
        elif os.path.exists(absolute) or os.path.islink(absolute):
            if force_exclude:
                parent = os.path.dirname(absolute)
                why = _explicit_excluded(absolute, False, _ancestor_ignores(parent, boundary), config_for_dir)
                if why is not None:
                    result.empty.append((given, [why]))
                    continue
            if absolute not in seen:
                seen.add(absolute)
                result.files.append(absolute)
        else:
            result.missing.append(given)
    result.files.sort()
    return result


# What left a file out, in the words of the warning that names it.
BY_GITIGNORE, BY_EXCLUDE, BY_DEFAULT = "`.gitignore`", "`exclude`", "the default excludes"


def _explicit_excluded(path: str, is_dir: bool, ignores: list[IgnoreFile], config_for_dir) -> str | None:
    """What excludes a path named on the command line (with --force-exclude), or None."""
    directory = path if is_dir else os.path.dirname(path)
    if is_ignored(path, is_dir, ignores):
        return BY_GITIGNORE
    if excluded(path, is_dir, config_for_dir(directory)):
        return BY_EXCLUDE
    name = os.path.basename(path)
    return BY_DEFAULT if is_dir and (name in DEFAULT_EXCLUDES or name.startswith(".")) else None


def _walk(
    top: str, ignores: list[IgnoreFile], config_for_dir, result: Discovery, seen: set[str],
    walked: list[str] | None = None, reasons: set[str] | None = None,
) -> bool:
    """Add the Python files under `top`; True when it has any (some may have been seen
    already). `reasons` receives what left entries out."""
    reasons = set() if reasons is None else reasons
    found = False
    stack = [(top, ignores)]
    while stack:
        directory, inherited = stack.pop()
        if walked is not None:
            walked.append(directory)
        try:
            with os.scandir(directory) as scan:
                entries = list(scan)
        except OSError as error:
            result.unreadable.append((directory, error.strerror or str(error)))
            continue
        local = inherited
        for entry in entries:
            if entry.name == ".gitignore":
                found = read_ignore_file(directory, entry.path)
                if found is not None:
                    local = [*inherited, found]
                break
        config = config_for_dir(directory)
        # Once per directory, not per entry: this loop runs for every file of the tree.
        exclude = config.exclude if config.exclude else None
        files = result.files
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name in DEFAULT_EXCLUDES or name.startswith("."):
                    reasons.add(BY_DEFAULT)
                    continue
                path = entry.path
                if local and is_ignored(path, True, local):
                    reasons.add(BY_GITIGNORE)
                    continue
                if exclude is not None and exclude.matches(path, is_dir=True):
                    reasons.add(BY_EXCLUDE)
                    continue
                stack.append((path, local))
            elif name.endswith(PYTHON_SUFFIXES) and _source_entry(entry):
                path = entry.path
                if local and is_ignored(path, False, local):
                    reasons.add(BY_GITIGNORE)
                    continue
                if exclude is not None and exclude.matches(path, is_dir=False):
                    reasons.add(BY_EXCLUDE)
                    continue
                found = True
                if path not in seen:
                    seen.add(path)
                    files.append(path)
    return found


def _source_entry(entry: os.DirEntry) -> bool:
    """Anything but a directory or a link to one. A regular file is checked; a FIFO, socket or
    device, a symbolic link loop or a dangling link is kept so that the reader reports it (a
    file is never skipped silently; the reader refuses what is not a regular file unopened)."""
    try:
        return entry.is_file() or not entry.is_dir()
    except OSError:
        return True  # a symbolic link loop
