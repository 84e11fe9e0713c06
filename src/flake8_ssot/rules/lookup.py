"""Questions rules share about the configuration: "is this path a legacy one, and what replaces
it?", "is this path a factory class or canonical symbol, even through a re-export?".
"""

from __future__ import annotations

from functools import lru_cache

from flake8_ssot.config import Config, Entry
from flake8_ssot.dotted import Match, PathTable
from flake8_ssot.facts import ModuleFacts


def legacy_match(config: Config, path: str, facts: ModuleFacts) -> Match[Entry] | None:
    """The legacy entry `path` falls under, unless this file is exempt from it.

    Exempt: files in the entry's `allow` globs, and the legacy module itself (a retired
    module may still use its own parts while it is being emptied).
    """
    match = config.legacy.lookup(path)
    if match is None:
        return None
    own = facts.module
    if own and (own == match.matched or own.startswith(match.matched + ".")):
        return None
    if match.entry.allow and match.entry.allow.matches(facts.path):
        return None
    return match


def replacement(match: Match[Entry]) -> str | None:
    """The canonical path for the looked-up path: the entry's `use` plus what followed the key."""
    return match.entry.use + match.rest if match.entry.use else None


def is_shim(facts: ModuleFacts, match: Match[Entry]) -> bool:
    """Is this file the legacy module of the entry, or a package `__init__` re-exporting from it?

    Such a file is what keeps the legacy path working while callers migrate: its imports are
    reported, but rewriting them would change or remove the compatibility shim itself.
    """
    own = facts.module
    if not own or not match.matched.startswith(own + "."):
        return False
    return facts.is_package or "." not in match.matched[len(own) + 1:]


def canonical_module(config: Config, match: Match[Entry], module_rest: str) -> str | None:
    """The canonical module replacing a legacy *module* that lies `module_rest` below the key.

    `use` plus the sub-path is only a module when the canonical target is a package that
    mirrors the legacy layout; a plain module has no `canon.mod.sub`. Without a project index
    the policy is the evidence: the sub-path is carried only when some entry names that
    module or a path inside it. None: no module can be named without guessing.
    """
    use = match.entry.use
    if not use:
        return None
    if not module_rest:
        return use
    module = use + module_rest
    return module if _policy_names(config, module) else None


@lru_cache(maxsize=64)
def _policy_paths(*tables: PathTable[Entry]) -> frozenset[str]:
    """Canonical paths the policy names: the canonical table's keys and every entry's `use`."""
    paths = {key for key, _ in tables[0].items()}
    for table in tables[1:]:
        paths.update(entry.use for _, entry in table.items() if entry.use)
    return frozenset(paths)


def _policy_names(config: Config, module: str) -> bool:
    paths = _policy_paths(config.canonical, config.legacy, config.factories)
    return any(path == module or path.startswith(module + ".") for path in paths)


def with_message(text: str, entry_message: str) -> str:
    """The finding and the entry's `message`, in parentheses once: a message the user already
    wrote in parentheses is not wrapped again."""
    if not entry_message:
        return text
    wrapped = entry_message.startswith("(") and entry_message.endswith(")")
    return f"{text} {entry_message}" if wrapped else f"{text} ({entry_message})"


def symbol_entry(table: PathTable[Entry], path: str) -> tuple[str, Entry] | None:
    """The entry for `path`, by exact key or through a re-export from a parent package.

    `pkg.ctx.UserExecutionContext` names `pkg.ctx.user_context.UserExecutionContext` when
    the class's name is the same and `pkg.ctx` is a package above the class's module.
    """
    entry = table.get_exact(path)
    if entry is not None:
        return path, entry
    parent, _, name = path.rpartition(".")
    for key in canonical_by_name(table).get(name, ()):
        if key.startswith(parent + ".") and parent:
            return key, table.exact[key]
    return None


def reexport_target(table: PathTable[Entry], path: str) -> tuple[str, Entry] | None:
    """The canonical symbol `path` re-exports: same name, same top-level package, other module."""
    parent, _, name = path.rpartition(".")
    top = path.split(".", 1)[0]
    for key in canonical_by_name(table).get(name, ()):
        if key != path and key.split(".", 1)[0] == top:
            return key, table.exact[key]
    return None


@lru_cache(maxsize=64)
def canonical_by_name(table: PathTable[Entry]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for key in table.exact:
        index.setdefault(key.rsplit(".", 1)[-1], []).append(key)
    return {name: tuple(keys) for name, keys in index.items()}


def entry_message(
    config: Config, subject: str, tables: tuple[str, ...] = ("legacy", "canonical", "factories")
) -> str | None:
    """The `message` of the configuration entry keyed `subject` in the first of `tables` (names
    of `Config` tables) that has one, None when none has: what an editor shows beside a finding."""
    for name in tables:
        for key, entry in getattr(config, name).items():
            if key == subject:
                return entry.message
    return None
