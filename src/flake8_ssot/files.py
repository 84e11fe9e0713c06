"""Python source files in and out: reading their bytes, decoding them (BOM, PEP 263 cookie),
and replacing a file atomically. The checker, the fixer, the cache and the baseline all read
and write through here; nothing here knows about rules or diagnostics.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
from typing import Callable, Mapping

# The first read asks for this much; most source files fit, so one system call reads them.
FIRST_READ = 1 << 16
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


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


def read_bytes(path: str) -> bytes:
    # os.open/os.read: no buffered file object per file (about 40% faster over a large tree).
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None
    try:
        data = os.read(descriptor, FIRST_READ)
        if len(data) < FIRST_READ:
            return data
        chunks = [data]
        while True:
            chunk = os.read(descriptor, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except OSError as error:
        raise SourceError(f"cannot read: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


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
    the old file or the new one, never part of one (text is written as UTF-8).

    `in_place`: the user's own file is rewritten (a fix): a symbolic link stays a link (its
    target is rewritten), the file's mode is kept, and the data reaches the disk before the
    rename. With `expected`, a file whose content is no longer `expected` is left alone
    (`SourceError`). Any other failure raises `OSError`, for the caller to word.
    """
    import tempfile  # only when writing: a warm run that writes nothing never imports it

    if isinstance(data, str):
        data = data.encode("utf-8")
    target = os.path.realpath(path) if in_place else os.path.abspath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode) if in_place else None
    directory, name = os.path.split(target)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".ssot-tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
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
