"""The renamed-class names a front-end that checks one file at a time computed, kept in a file
of their own so that the next process does not read the whole tree again (checking/renamed.py).

The flake8 plugin and the server take the names `ssot check` kept in the per-file cache while
they hold. When it kept none that holds (no `ssot check` since an upgrade of flake8-ssot: the
per-file cache is keyed on the code's identity; or none ever ran), they compute them: one read
of the tree, about 3 s on the 24,000-file benchmark tree, which a flake8 run per saved file in
an editor would pay every time. So the names computed are saved, beside the per-file cache's
files (`<cache dir>/<version>/renamed-<key>.bin`, keyed on the version, the code's identity,
the roots and the classes' names: the only things the set depends on besides the tree), with
the tree's file list and each file's `os.stat` (modification and change times, size, inode)
taken before it was read.

A later process lists the tree and stats each file; the names hold while no file can have
added one, by the trust rules of the per-file cache's kept set:

- a file that is new, or whose stat differs, is read: one round of `aliases.renames_in` with
  the kept names, as `kept_names_hold` does; a file that binds one of them to a new name
  makes the process compute the set again (and save it);
- a deleted file can only shrink the set: the kept names stay (a name too many costs a file's
  full check, never a finding);
- a file changed less than `RACY_NS` before the save may change again within the same clock
  tick, its stat the same: it is recorded with an inode number no file has (`SMUDGED`, as
  checking/runstate.py smudges one), so it is read again next time.

The file is input: a checksum turns accidental damage away, marshal builds only data, and
every value is checked for its type and shape; a damaged file, or one not as this code writes
it (another format, tree or set of classes, names without the classes'), is ignored. (The
checksum is no signature: whoever can write the cache directory can make the plugin miss a
renamed name, as they can edit the per-file cache's entries.) A
directory that cannot be written costs the next process its read of the tree, nothing else.
The stats are kept as two arrays of machine integers (times and sizes, inode numbers): on
the benchmark tree the usual answer, nothing changed, is one comparison of each: 0.15 s with
the stats of its 24,000 files.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import struct
import sys
import time
import zlib
from array import array
from typing import Sequence

from flake8_ssot import __version__
from flake8_ssot.checking.cache import RACY_NS, SMUDGED
from flake8_ssot.files import write_atomic
from flake8_ssot.index import ProjectIndex
from flake8_ssot.index.aliases import renamed_aliases, renames_in
from flake8_ssot.replay import code_identity, prune

FORMAT = 1
MAGIC = b"SSOTNAM1"
_CHECKSUM = struct.Struct("<I")  # crc32 of the marshalled body
# The times and size of a file gone between the listing of the tree and its stat.
_GONE = (0, 0, -1)
# Files of this kind in one directory (one per set of roots and classes, and version of the
# code): beyond this many, the least recently written go.
MAX_FILES = 16


def _observe(files: Sequence[str]) -> tuple[array, array]:
    """Each file's (modification time, change time, size), three numbers a file, and its inode
    number, as they are now (a file gone since the tree was listed: `_GONE`, and 0)."""
    times, inodes = array("q"), array("Q")
    add_times, add_inode = times.extend, inodes.append
    for path in files:
        try:
            status = os.stat(path)
        except OSError:
            add_times(_GONE)
            add_inode(0)
            continue
        add_times((status.st_mtime_ns, status.st_ctime_ns, status.st_size))
        try:
            add_inode(status.st_ino)
        except OverflowError:  # a 128-bit file id (Windows, ReFS: Python 3.12+), folded
            add_inode(status.st_ino % SMUDGED)
    return times, inodes


class KeptNames:
    """The names file of one tree (`roots`) and set of classes (`names`) in a cache directory."""

    def __init__(self, directory: str, roots: Sequence[str], names: frozenset[str]) -> None:
        self.directory = directory
        self.roots = tuple(os.path.abspath(root) for root in roots)
        self.names = tuple(sorted(names))
        digest = hashlib.sha1(usedforsecurity=False)
        digest.update(f"{__version__}\0{code_identity()}\0{FORMAT}\0{sys.byteorder}\0".encode())
        digest.update("\0".join(("roots", *self.roots, "names", *self.names)).encode("utf-8", "surrogateescape"))
        self.path = os.path.join(directory, __version__, f"renamed-{digest.hexdigest()[:20]}.bin")

    def names_of_tree(self, index: ProjectIndex) -> frozenset[str]:
        """The names the file kept while they hold, else computed (and saved)."""
        start = time.time_ns()
        files = index._python_files()
        times, inodes = _observe(files)  # before any file is read
        kept = self._load()
        if kept is not None:
            found, listed, kept_times, kept_inodes = kept
            if times == kept_times and inodes == kept_inodes and listed == "\0".join(files):
                return found  # the usual answer: nothing changed
            changed = _changed(files, times, inodes, listed, kept_times, kept_inodes)
            if not changed:  # only files gone: they can only have taken names away
                self._save(files, times, inodes, found, start)  # the next process's answer is the usual one
                return found
            words = [name.encode() for name in sorted(found)]
            if not renames_in(index, changed, words, found) - found:
                self._save(files, times, inodes, found, start)  # the changed files' stats, as read now
                return found
        found = renamed_aliases(index, frozenset(self.names))
        self._save(files, times, inodes, found, start)
        return found

    # ------------------------------------------------------------------ the file

    def _load(self) -> tuple[frozenset[str], str, array, array] | None:
        """(the names, the files "\0"-joined, their times and sizes, their inode numbers), or
        None: no file, or one that is damaged, of another tree or set of classes, or not what
        this module writes."""
        try:
            with open(self.path, "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        body = len(MAGIC) + _CHECKSUM.size
        if not data.startswith(MAGIC) or len(data) < body:
            return None
        if zlib.crc32(memoryview(data)[body:]) != _CHECKSUM.unpack_from(data, len(MAGIC))[0]:
            return None
        try:
            document = marshal.loads(data[body:])
        except (EOFError, ValueError, TypeError):
            return None
        if type(document) is not tuple or len(document) != 7:
            return None
        form, roots, names, found, listed, time_bytes, inode_bytes = document
        if type(form) is not int or form != FORMAT or roots != self.roots or names != self.names:
            return None
        if type(found) is not tuple or not all(type(name) is str for name in found) or not set(names) <= set(found):
            return None
        if type(listed) is not str or type(time_bytes) is not bytes or type(inode_bytes) is not bytes:
            return None
        count = listed.count("\0") + 1 if listed else 0
        times, inodes = array("q"), array("Q")
        if len(time_bytes) != count * 3 * times.itemsize or len(inode_bytes) != count * inodes.itemsize:
            return None
        times.frombytes(time_bytes)
        inodes.frombytes(inode_bytes)
        return frozenset(found), listed, times, inodes

    def _save(self, files: Sequence[str], times: array, inodes: array, found: frozenset[str], start: int) -> None:
        """Keep `found` with each file's stat as it was before this process read it (a file
        changed since then reads as changed next time); a racy one is smudged, a gone one left out."""
        if not os.path.isdir(self.directory):
            return  # its front-end uses no cache here
        limit = start - RACY_NS
        paths: list[str] = []
        kept_times, kept_inodes = array("q"), array("Q")
        for number, path in enumerate(files):
            mtime, ctime, size = times[3 * number:3 * number + 3]
            if size < 0 or "\0" in path:
                continue
            kept_times.extend((mtime, ctime, size))
            kept_inodes.append(SMUDGED if max(mtime, ctime) >= limit else inodes[number])
            paths.append(path)
        found_names = tuple(sorted(found))
        body = marshal.dumps((FORMAT, self.roots, self.names, found_names, "\0".join(paths),
                              kept_times.tobytes(), kept_inodes.tobytes()), 4)
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, MAGIC + _CHECKSUM.pack(zlib.crc32(body)) + body)
            prune(os.path.dirname(self.path), keep=self.path, prefix="renamed-", limit=MAX_FILES)
        except OSError:
            pass  # the names still serve this process; the next one computes them again


def _changed(files: Sequence[str], times: array, inodes: array, listed: str, kept_times: array,
             kept_inodes: array) -> list[str]:
    """The files new since the save, or whose stat differs from the one kept (a smudged one
    always does); not those gone since the listing."""
    kept = {path: number for number, path in enumerate(listed.split("\0"))} if listed else {}
    changed = []
    for number, path in enumerate(files):
        now = times[3 * number:3 * number + 3]
        if now[2] < 0:
            continue
        before = kept.get(path)
        if before is None or now != kept_times[3 * before:3 * before + 3] or inodes[number] != kept_inodes[before]:
            changed.append(path)
    return changed
