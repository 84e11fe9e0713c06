"""Python source files in and out: reading their bytes, decoding them (BOM, PEP 263 cookie),
and replacing a file atomically. The checker, the fixer, the cache and the baseline all read
and write through here; nothing here knows about rules or diagnostics. Only regular files of
at most `MAX_SOURCE_BYTES` are read: a FIFO is never opened, a huge file never stalls a run.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import time
import tokenize
from typing import Callable, Iterable, Iterator, Mapping

# The first read asks for this much; most source files fit, so one system call reads them.
FIRST_READ = 1 << 16
# O_NONBLOCK: should a FIFO replace the file between stat and open, opening it does not wait
# for a writer (it is refused right after, by fstat).
_READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
)

# Above this size a file is reported as skipped, in every front-end alike. Measured with
# `ssot check`: a real 4.4 MB generated module costs 4 s and 140 MB, but a dense 5 MB one 20 s
# and 780 MB (2 MB: 8 s, 330 MB), and the server needs more than the command line (a 10 MB
# document: 1.1 GB) yet must stay under 500 MB. Hand-written modules stay well below 1 MB.
MAX_SOURCE_BYTES = 2 * 1024 * 1024

# Temporary files of `write_atomic`: `.NAME.PID.RANDOM.ssot-tmp` beside the file they replace.
TEMPORARY_SUFFIX = ".ssot-tmp"
# Earlier versions wrote `.NAME.XXXXXXXX.ssot-fix` (tempfile.mkstemp: no process id to probe).
# Such a file is removed once its mtime is this old: a write of one file lasts well under a
# second, so a live run's temporary is never that old, and a killed run's is garbage.
OLD_TEMPORARY_SUFFIX = ".ssot-fix"
OLD_TEMPORARY_STALE_SECONDS = 10 * 60
_MKSTEMP_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


class SourceError(Exception):
    """A file that cannot be read, decoded, encoded or written; the message is meant for the user."""


class UndecodableSource(SourceError):
    """Bytes that are not text in the file's encoding. `str()` is what `ssot check` reports;
    `brief` is the fixer's shorter wording of the same fact."""

    def __init__(self, line: int, encoding: str, byte: str, reason: str) -> None:
        super().__init__(
            f"cannot decode line {line} as {encoding} (byte 0x{byte}: {reason}); "
            f"save the file as UTF-8 or declare its encoding (PEP 263)"
        )
        self.brief = f"cannot decode line {line} as {encoding}: {reason}"


def file_texts(paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """Each path with its bytes, a path that cannot be read (gone, a directory, no permission)
    left out: for the passes that look for words in many files of a tree (the project index).

    These passes read every file of the tree, some of them more than once (95,000 reads on the
    24,000-file benchmark tree, #16): os.open/os.read, as `read_bytes`, without a buffered file
    object per file, nearly halves the cost of a read. No size limit (a large module is read
    whole, as before); a FIFO is not waited on (O_NONBLOCK: it reads as empty), and a file
    that fills the first read is read on only when it is a regular file (not a device)."""
    for path in paths:
        try:
            descriptor = os.open(path, _READ_FLAGS)
        except OSError:
            continue
        try:
            data = os.read(descriptor, FIRST_READ)
            if len(data) == FIRST_READ:
                if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                    continue
                chunks = [data]
                while chunk := os.read(descriptor, 1 << 20):
                    chunks.append(chunk)
                data = b"".join(chunks)
        except OSError:
            continue
        finally:
            os.close(descriptor)
        yield path, data


def read_bytes(path: str) -> bytes:
    """The bytes of a regular file of at most `MAX_SOURCE_BYTES`, else `SourceError`."""
    # os.open/os.read: no buffered file object per file (about 40% faster over a large tree).
    # stat first: a FIFO, socket or device is never opened (opening one can wait, or act on
    # the device); fstat after opening still catches a file replaced in between.
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise SourceError("not a regular file")
        descriptor = os.open(path, _READ_FLAGS)
    except OSError as error:
        raise SourceError(_unreadable(path, error)) from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise SourceError("not a regular file")
        refusal = size_refusal(status.st_size)
        if refusal is not None:
            raise SourceError(refusal)
        data = os.read(descriptor, FIRST_READ)
        if len(data) < FIRST_READ:
            return data
        chunks = [data]
        size = len(data)
        while True:
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_SOURCE_BYTES:  # it grew while being read
                raise SourceError(size_refusal(size))
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def _unreadable(path: str, error: OSError) -> str:
    """Why `path` cannot be opened, in the user's words for symbolic links gone wrong."""
    if error.errno == errno.ELOOP:
        return "cannot read: symbolic link loop"
    if error.errno == errno.ENOENT and os.path.islink(path):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"cannot read: the symbolic link points at nothing ({target})"
    return f"cannot read: {error.strerror or error}"


def size_refusal(size: int) -> str | None:
    """Why a file of `size` bytes is not checked (over `MAX_SOURCE_BYTES`), or None.
    Every front-end words the limit with this one message."""
    if size <= MAX_SOURCE_BYTES:
        return None
    return f"skipped: the file is {size / 2**20:.1f} MiB, over the {MAX_SOURCE_BYTES // 2**20} MiB limit"


def text_refusal(text: str) -> str | None:
    """`size_refusal` for text already in memory (flake8, the editor), measured in UTF-8 bytes."""
    if 4 * len(text) <= MAX_SOURCE_BYTES:  # the common case: no need to encode it
        return None
    return size_refusal(len(text.encode("utf-8", "surrogatepass")))


def decode(data: bytes, cr_line_breaks: bool = False) -> tuple[str, str]:
    """(text, encoding) of a Python source file: UTF-8 unless a BOM or PEP 263 cookie says otherwise.

    `cr_line_breaks`: also look for the cookie in a file whose lines end in a bare `\\r`
    (`tokenize.detect_encoding` splits only at `\\n`), as the fixer does; `ssot check` does not.
    """
    if data.isascii() and b"coding" not in data[:end_of_second_line(data)]:
        return data.decode("ascii"), "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        encoding = _fallback_encoding(data, error, cr_line_breaks)
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UndecodableSource(line, encoding, data[error.start:error.start + 1].hex(), error.reason) from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r} in its coding declaration") from None


def _fallback_encoding(data: bytes, error: SyntaxError, cr_line_breaks: bool) -> str:
    """The encoding when `detect_encoding` gave up: a bad declaration is an error; no
    declaration means UTF-8, and the decoding error then says where the bad bytes are."""
    if not cr_line_breaks:
        if b"coding" in data[:end_of_second_line(data)]:
            raise SourceError(f"bad encoding declaration: {error.msg}") from None
        return "utf-8"
    unified = data.replace(b"\r", b"\n")
    try:
        return tokenize.detect_encoding(io.BytesIO(unified).readline)[0]
    except SyntaxError:
        if b"coding" in b"\n".join(unified.split(b"\n", 2)[:2]):
            raise SourceError(f"bad encoding declaration: {error.msg}") from None
        return "utf-8"


def decode_source(data: bytes) -> str:
    """Text of a Python source file, as `ssot check` decodes it."""
    return decode(data)[0]


def read_source(path: str) -> str:
    return decode(read_bytes(path))[0]


def source_reader(sources: Mapping[str, str]) -> Callable[[str], str | None]:
    """A file's source: what was checked from standard input (`sources`), else the file as it
    is now; None for a file that cannot be read or decoded."""

    def read(path: str) -> str | None:
        if path in sources:
            return sources[path]
        try:
            return read_source(path)
        except SourceError:
            return None

    return read


def end_of_second_line(data: bytes) -> int:
    """Where PEP 263 stops looking for a coding declaration."""
    first = data.find(b"\n")
    if first == -1:
        return len(data)
    second = data.find(b"\n", first + 1)
    return len(data) if second == -1 else second


def write_atomic(path: str, data: str | bytes, *, in_place: bool = False, expected: bytes | None = None) -> None:
    """Replace `path` through a temporary file in its directory and a rename: a reader sees
    the old file or the new one, never part of one (text is written as UTF-8). A file that
    existed keeps its mode; a new one gets the mode `open()` would give it.

    `in_place`: the user's own file is rewritten (a fix): a symbolic link stays a link (its
    target is rewritten) and the data reaches the disk before the rename. With `expected`, a
    file whose content is no longer `expected` is left alone (`SourceError`). Any other
    failure raises `OSError`, for the caller to word. Temporaries that a killed run left
    beside the file are removed first.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    target = os.path.realpath(path) if in_place else os.path.abspath(path)
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        if in_place:
            raise
        mode = None
    directory, name = os.path.split(target)
    remove_stale_temporaries(directory)
    descriptor, temporary = _create_temporary(directory, name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            if in_place:
                stream.flush()
                os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        if expected is not None:
            with open(target, "rb") as current:
                if current.read() != expected:
                    raise SourceError("changed on disk while it was being fixed; not written")
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _create_temporary(directory: str, name: str) -> tuple[int, str]:
    """A new file `.NAME.PID.RANDOM.ssot-tmp`: the process id tells a later run whether its
    writer is still alive. Created with mode 0o666 so the umask applies, as with `open()`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        temporary = os.path.join(directory, f".{name}.{os.getpid()}.{os.urandom(4).hex()}{TEMPORARY_SUFFIX}")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue


# Directories this process has cleared of stale temporaries: each is scanned once, not once
# per file written (a fix run may rewrite thousands of files in one directory).
_CLEARED: set[str] = set()


def remove_stale_temporaries(directory: str) -> None:
    """Remove the temporaries in `directory` whose writer died before renaming them (kill -9
    in the write window). A temporary of a process still running is left alone; one of the
    earlier naming scheme, once it is `OLD_TEMPORARY_STALE_SECONDS` old."""
    if directory in _CLEARED:
        return
    _CLEARED.add(directory)
    now = time.time()
    try:
        with os.scandir(directory) as entries:
            stale = [
                entry.path for entry in entries
                if entry.name.endswith((TEMPORARY_SUFFIX, OLD_TEMPORARY_SUFFIX)) and _is_stale(entry, now)
            ]
    except OSError:
        return
    for temporary in stale:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _is_stale(entry: os.DirEntry, now: float) -> bool:
    if entry.name.endswith(OLD_TEMPORARY_SUFFIX):
        return _is_stale_old_temporary(entry, now)
    if os.name != "posix":  # os.kill(pid, 0) probes a process only on POSIX
        return False
    parts = entry.name[:-len(TEMPORARY_SUFFIX)].rsplit(".", 2)
    if len(parts) != 3 or not parts[0].startswith(".") or len(parts[2]) != 8 or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False  # alive under another user, or not a process id
    return False


def _is_stale_old_temporary(entry: os.DirEntry, now: float) -> bool:
    """`.NAME.XXXXXXXX.ssot-fix`, a regular file (never a link) not modified for a while."""
    parts = entry.name[:-len(OLD_TEMPORARY_SUFFIX)].rsplit(".", 1)
    if len(parts) != 2 or len(parts[0]) < 2 or not parts[0].startswith(".") or len(parts[1]) != 8:
        return False
    if not set(parts[1]) <= _MKSTEMP_CHARACTERS:
        return False
    try:
        status = entry.stat(follow_symlinks=False)
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and now - status.st_mtime > OLD_TEMPORARY_STALE_SECONDS
