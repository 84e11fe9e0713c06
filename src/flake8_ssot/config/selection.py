"""Which codes are enabled for a file: `select`, `extend-select`, `ignore`, `per-file-ignores`.

As in ruff, the most specific prefix wins and `ignore` wins a tie.
"""

from __future__ import annotations

from typing import Iterable

from flake8_ssot.config import Config


def _longest(code: str, prefixes: Iterable[str]) -> int:
    return max((len(prefix) for prefix in prefixes if code.startswith(prefix)), default=-1)


def is_enabled(code: str, select: Iterable[str], ignore: Iterable[str]) -> bool:
    chosen = _longest(code, select)
    return chosen >= 0 and chosen > _longest(code, ignore)


def ignored_for_file(config: Config, path: str) -> tuple[str, ...]:
    ignored: list[str] = list(config.ignore)
    for globs, codes in config.per_file_ignores:
        if globs.matches(path):
            ignored.extend(codes)
    return tuple(ignored)


def enabled_predicate(config: Config, path: str):
    select = (*config.select, *config.extend_select)
    ignore = ignored_for_file(config, path)
    cache: dict[str, bool] = {}

    def enabled(code: str) -> bool:
        if code not in cache:
            cache[code] = is_enabled(code, select, ignore)
        return cache[code]

    return enabled
