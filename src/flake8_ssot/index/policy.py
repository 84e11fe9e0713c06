"""The policy checked against the code: entries whose paths name nothing the tree has.

A `use` or canonical path whose module does not define or export the name (a typo, a move not
done yet), a factory class that is not there, a legacy key under one of the tree's packages
that matches no module or name of it. Only what the index can see is judged: a path under a
package outside the tree (a third-party API the policy bans) is never a problem here.
"""

from __future__ import annotations

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
