"""File paths as the user sees them: relative to the working directory or project root.

Pure functions on strings and `os.path`; nothing here reads the file system.
"""

from __future__ import annotations

import os


def display_path(path: str, cwd: str) -> str:
    absolute = os.path.abspath(path)
    if absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        return absolute[len(cwd.rstrip(os.sep)) + 1:]
    return absolute


def relative_path(path: str, root: str) -> str:
    """`path` relative to `root` with forward slashes, as the cache and the baseline name files
    (`../x` outside `root`; the absolute path on another drive, on Windows)."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        return absolute.replace(os.sep, "/")
    return relative.replace(os.sep, "/")


def relative_uri(path: str, base: str) -> str:
    """A URI reference to `path` from `base` (SARIF, GitLab): relative inside `base`, else absolute."""
    relative = relative_path(path, base)
    if relative.startswith(".."):
        return os.path.abspath(path).replace(os.sep, "/")
    return relative
