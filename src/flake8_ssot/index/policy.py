"""The policy checked against the code: entries whose paths name nothing the tree has, and
where the policy stands on what the code itself says is deprecated (`ssot discover`).

A `use` or canonical path whose module does not define or export the name (a typo, a move not
done yet), a factory class that is not there, a legacy key under one of the tree's packages
that matches no module or name of it. Only what the index can see is judged: a path under a
package outside the tree (a third-party API the policy bans) is never a problem here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from flake8_ssot.config import Config, quote_key
from flake8_ssot.dotted import is_wildcard
from flake8_ssot.index import MISSING, ProjectIndex, index_for
from flake8_ssot.paths import display_path


class PolicyProblem(NamedTuple):
    file: str  # the configuration file ("" for the defaults)
    key_path: str  # `tool.ssot.legacy."pkg.old".use`
    message: str
    # The module is there and lacks the name (a typo, a move not done yet), rather than the
    # module itself being absent (a legacy module already deleted, a partial checkout).
    name_only: bool = False

    def shown(self, cwd: str) -> str:
        where = f"{display_path(self.file, cwd)}: " if self.file else ""
        return f"{where}{self.key_path}: {self.message}"


def policy_problems(config: Config, index: ProjectIndex) -> list[PolicyProblem]:
    index.begin()  # after a --fix run: read the files as they are now
    problems = []
    for section in ("legacy", "canonical", "factories"):
        for key, entry in getattr(config, section).items():
            key_path = f"tool.ssot.{section}.{quote_key(key)}"
            if not is_wildcard(key):
                what, name_only = _absent(index, key)
                if what is not None:
                    if section == "legacy":
                        what = f"'{key}' matches no module or name of the tree"
                    problems.append(PolicyProblem(config.file or "", key_path, what, name_only and section != "legacy"))
            if entry.use:
                what, name_only = _absent(index, entry.use)
                if what is not None:
                    problems.append(PolicyProblem(config.file or "", f"{key_path}.use", what, name_only))
    return problems


def _absent(index: ProjectIndex, path: str) -> tuple[str | None, bool]:
    """Why `path` names nothing of the tree (None: it does, or the index cannot tell), and
    whether only the name is missing from a module that exists."""
    origin = index.resolve(path)
    if origin.kind != MISSING:
        return None, False
    module, _, name = origin.path.rpartition(".")
    file, is_package = index.module_file(module)
    if file is None:  # the module itself is absent: a partial tree or a finished migration
        return f"no module '{module}' in the tree", False
    if is_package:
        return f"'{module}' has no module '{origin.path}' and does not define or export '{name}'", False
    return f"'{module}' does not define or export '{name}'", origin.path == path


SHOWN_IN_SUMMARY = 5


def policy_notes(configs, cwd: str) -> list[str]:
    """The summary's warnings about the policies of a run: the first few targets a module of
    the tree lacks, and how to list every problem. They never change the exit code. An absent
    module is left to `--show-policy`: it is what a partial checkout or a finished migration
    (the legacy module deleted, its entry kept to stop it coming back) looks like."""
    problems = [problem for config in configs if not config.is_empty
                for problem in policy_problems(config, index_for(config.src)) if problem.name_only]
    notes = [f"warning: {problem.shown(cwd)}" for problem in problems[:SHOWN_IN_SUMMARY]]
    if len(problems) > SHOWN_IN_SUMMARY:
        notes.append(f"warning: {len(problems) - SHOWN_IN_SUMMARY} more policy targets are not defined or "
                     "exported where the policy says (ssot check --show-policy lists them all)")
    return notes


# --------------------------------------------------------------------------- what the code says


NEW, CONFIGURED, CONFLICT = "new", "configured", "conflict"


def standing(config: Config, section: str, key: str, use: str | None = None) -> tuple[str, str]:
    """Where the policy stands on a proposed entry (`ssot discover`): (NEW, ""), (CONFIGURED,
    the key that already covers it) or (CONFLICT, what the policy says instead)."""
    if section == "legacy":
        exact = config.legacy.get_exact(key)
        if exact is not None:
            if use is None or exact.use == use:
                return CONFIGURED, key
            return CONFLICT, f"tool.ssot.legacy.{quote_key(key)} says use '{exact.use}'"
        if config.canonical.get_exact(key) is not None:
            return CONFLICT, f"tool.ssot.canonical.{quote_key(key)} calls it canonical"
        covering = config.legacy.lookup(key)
        if covering is not None:
            return CONFIGURED, covering.key
        if use is not None and config.legacy.lookup(use) is not None:
            return CONFLICT, f"tool.ssot.legacy.{quote_key(config.legacy.lookup(use).key)} calls '{use}' legacy"
        return NEW, ""
    if section == "canonical":
        if config.canonical.get_exact(key) is not None:
            return CONFIGURED, key
        covering = config.legacy.lookup(key)
        if covering is not None:
            return CONFLICT, f"tool.ssot.legacy.{quote_key(covering.key)} calls it legacy"
        top, name = key.split(".", 1)[0], key.rpartition(".")[2]
        for other, _ in config.canonical.items():
            if other.split(".", 1)[0] == top and other.rpartition(".")[2] == name:
                return CONFLICT, f"tool.ssot.canonical.{quote_key(other)} is its canonical home"
        return NEW, ""
    if section == "factories":
        exact = config.factories.get_exact(key)
        if exact is None:
            return NEW, ""
        if use is None or exact.use == use:
            return CONFIGURED, key
        return CONFLICT, f"tool.ssot.factories.{quote_key(key)} says use '{exact.use}'"
    raise ValueError(f"no such section: {section}")


def exports_not_configured(config: Config, module: str, names: Iterable[str]) -> list[str]:
    """The deprecated names of `module` that `[tool.ssot.deprecated-exports]` does not list yet."""
    known = config.deprecated_exports.get(module)
    return [name for name in names if known is None or name not in known.names]


class PolicyHint(NamedTuple):
    """A deprecation the code states and the policy does not know (`--show-policy`)."""

    file: str  # where the code says it
    line: int
    message: str

    def shown(self, cwd: str) -> str:
        return f"hint: {display_path(self.file, cwd)}:{self.line}: {self.message}"
