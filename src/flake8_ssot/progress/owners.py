"""Who owns a file at a commit: the `CODEOWNERS` file of that commit (GitHub's and GitLab's
places and syntax), read by the `codeowners` library; the last matching rule wins.
GitLab's `[Section]` headers are read as one list of rules."""

from __future__ import annotations

from codeowners import CodeOwners

# GitHub looks in .github/, the root, then docs/; GitLab in the root, docs/, then .gitlab/.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
NO_OWNER = "(no owner)"


class Owners:
    def __init__(self, text: str | None) -> None:
        self.rules = CodeOwners(text) if text else None
        self._memo: dict[str, tuple[str, ...]] = {}

    def of(self, path: str) -> tuple[str, ...]:
        found = self._memo.get(path)
        if found is None:
            owners = self.rules.of(path) if self.rules is not None else []
            found = self._memo[path] = tuple(name for _, name in owners) or (NO_OWNER,)
        return found


def codeowners_file(paths: dict[str, str]) -> tuple[str, str] | None:
    """(path, blob id) of the CODEOWNERS file that applies, among a tree's `paths`."""
    for candidate in CODEOWNERS_PATHS:
        if candidate in paths:
            return candidate, paths[candidate]
    return None
