"""The LSP transport of `ssot server`: frames read from standard input, and what a message
must be (JSON-RPC, in the initialize/shutdown lifecycle, with params that deserialise)
before pygls handles it. It answers or drops a bad message; it decides nothing about checks.

Upstream note (pygls 2.1, `pygls.io_.run_async`, used by `JsonRPCServer.start_io`): the
reader matches `Content-Length: N\\r\\n` byte for byte and never resynchronises, so after a
misspelt, missing, non-numeric or negative Content-Length, LF-only header lines, or a body
shorter or longer than announced, every later frame is misread and the server never answers
again; it reads the announced length in one call (`Content-Length: 100000000000` raises
MemoryError and the process hangs); a request whose params do not deserialise gets no
answer, requests before `initialize` are served and requests after `shutdown` are dropped
unanswered; `exit` ends the process with 0 even without `shutdown` (`start_io` swallows
the SystemExit). `serve` replaces `start_io`: it reads frames itself and hands pygls only
messages that passed (`JsonRPCProtocol.handle_message`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import cattrs
from cattrs.errors import BaseValidationError
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCProtocol

logger = logging.getLogger(__name__)

# Far above any source file an editor sends, small enough to hold: a larger announced
# length is refused before a byte of its body is read.
MAX_CONTENT_LENGTH = 64 * 1024 * 1024
# Header lines are short; a longer "line" is the body of a frame whose header was refused.
MAX_HEADER_LINE = 8 * 1024
READ_SIZE = 64 * 1024

_HEADER_NAME = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP token
_CONTENT_LENGTH = b"content-length:"
_CONTENT_LENGTH_AT = re.compile(re.escape(_CONTENT_LENGTH), re.IGNORECASE)
# A JSON text has no raw line break inside a string and no bare word outside one, so a
# whole Content-Length header line inside a body means the next frame began before the
# announced length ran out: the body was shorter than announced.
_HEADER_LINE_IN_BODY = re.compile(rb"content-length:[ \t]{0,16}[0-9]{1,20}[ \t]{0,16}\r?\n", re.IGNORECASE)
_OVERLAP = 64  # longer than any match of _HEADER_LINE_IN_BODY


class NotJson(NamedTuple):
    """A well-framed body that is not JSON: answered with a parse error."""

    reason: str


class FrameReader:
    """Content-Length frames from a byte stream, resynchronising after a bad one.

    Header names are case-insensitive and lines may end in CRLF or LF. A frame whose header
    is unusable is discarded with a log line, and so is everything after it up to the next
    `Content-Length:`; the body is read as it arrives, never allocated up front.
    """

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read  # like os.read: what is there (at most n bytes), b"" at the end
        self._buffer = bytearray()
        self._ended = False

    def messages(self) -> Iterator[Any]:
        """Each good frame's body parsed as JSON, or `NotJson`; ends with the input."""
        while True:
            length = self._header()
            if length is None:
                return
            body = self._body(length)
            if body is None:
                continue  # discarded; at the end of input the next header is None
            try:
                yield json.loads(body)
            except ValueError as error:  # JSONDecodeError, or bytes that are no Unicode text
                start = _next_frame_in(body)
                if start is None:
                    logger.warning("LSP input: a frame's body is not JSON (%s)", error)
                    yield NotJson(str(error))
                else:
                    self._buffer[:0] = body[start:]
                    logger.warning(
                        "LSP input: discarded a frame whose body (%d bytes) is shorter than its Content-Length (%d):"
                        " the next frame began inside it",
                        start,
                        length,
                    )

    def _header(self) -> int | None:
        """The Content-Length of the next frame with a usable header; None at the end of input."""
        headers: dict[bytes, list[bytes]] = {}
        skipping = False  # after a refused header: drop bytes up to the next Content-Length
        skipped = 0
        while True:
            line = self._line()
            if not line:
                if skipped or headers:
                    logger.warning("LSP input: the input ended inside a frame's header (%d bytes dropped)", skipped)
                return None
            found = _CONTENT_LENGTH_AT.search(line)
            if found is not None and (skipping or found.start() > 0):
                skipped += found.start()
                if skipped:
                    logger.warning("LSP input: skipped %d bytes up to the next Content-Length header", skipped)
                self._buffer[:0] = line[found.start() :]
                headers, skipping, skipped = {}, False, 0
                continue
            if skipping:
                if not line.endswith(b"\n") and len(line) >= len(_CONTENT_LENGTH):
                    # keep what could be the start of a header split by the line limit
                    keep = len(_CONTENT_LENGTH) - 1
                    self._buffer[:0] = line[-keep:]
                    line = line[:-keep]
                skipped += len(line)
                continue
            text = line.rstrip(b"\r\n")
            if not text:
                if not headers:
                    continue  # a blank line between frames
                length, problem = _content_length(headers)
                if length is not None:
                    return length
                logger.warning("LSP input: discarded a frame: %s", problem)
                headers, skipping = {}, True
                continue
            name, colon, value = text.partition(b":")
            if not colon or not line.endswith(b"\n") or not _HEADER_NAME.fullmatch(name):
                logger.warning("LSP input: discarded a frame: %r is not a header line", bytes(text[:80]))
                headers, skipping, skipped = {}, True, len(line)
                continue
            headers.setdefault(name.lower(), []).append(value.strip())

    def _body(self, length: int) -> bytes | None:
        """The next `length` bytes; None when the next frame's header or the end of input comes first."""
        body = bytearray()
        while len(body) < length:
            if not self._buffer and not self._fill():
                logger.warning("LSP input: the input ended %d bytes into a frame of %d", len(body), length)
                return None
            take = min(length - len(body), len(self._buffer))
            scan_from = max(0, len(body) - _OVERLAP)
            body += self._buffer[:take]
            del self._buffer[:take]
            if body.find(b"\n", scan_from) < 0:
                continue  # the usual body: compact JSON, no line break at all
            found = _HEADER_LINE_IN_BODY.search(body, scan_from)
            if found is not None:
                self._buffer[:0] = body[found.start() :]
                logger.warning(
                    "LSP input: discarded a frame whose body (%d bytes) is shorter than its Content-Length (%d):"
                    " the next frame began inside it",
                    found.start(),
                    length,
                )
                return None
        return bytes(body)

    def _line(self) -> bytes:
        """The next line with its line break, at most MAX_HEADER_LINE bytes; b"" at the end."""
        searched = 0
        while True:
            end = self._buffer.find(b"\n", searched, MAX_HEADER_LINE)
            if end >= 0:
                cut = end + 1
                break
            if len(self._buffer) >= MAX_HEADER_LINE:
                cut = MAX_HEADER_LINE
                break
            searched = len(self._buffer)
            if not self._fill():
                cut = len(self._buffer)
                break
        line = bytes(self._buffer[:cut])
        del self._buffer[:cut]
        return line

    def _fill(self) -> bool:
        """Append what the client sent since; False at the end of input."""
        if self._ended:
            return False
        data = self._read(READ_SIZE)
        if not data:
            self._ended = True
            return False
        self._buffer += data
        return True


def _content_length(headers: dict[bytes, list[bytes]]) -> tuple[int | None, str]:
    """The body length a header announces, or None and why it is unusable."""
    values = headers.get(b"content-length")
    if not values:
        names = ", ".join(name.decode("ascii") for name in headers)
        return None, f"no Content-Length header (headers: {names})"
    if len(set(values)) > 1:
        return None, f"conflicting Content-Length headers {[value.decode('latin-1') for value in values]}"
    value = values[0]
    if not value.isdigit():  # ASCII digits only: "-5", "+5", "1e3" and "" are refused
        return None, f"Content-Length {value.decode('latin-1')!r} is not a byte count"
    if int(value) > MAX_CONTENT_LENGTH:
        return None, f"Content-Length {int(value)} is over the limit of {MAX_CONTENT_LENGTH // 2**20} MiB"
    return int(value), ""


def _next_frame_in(body: bytes) -> int | None:
    """Where a Content-Length header starts in a broken body (perhaps cut off at its end)."""
    found = _CONTENT_LENGTH_AT.search(body)
    if found is not None:
        return found.start()
    tail = body[-(len(_CONTENT_LENGTH) - 1) :].lower()
    for start in range(len(tail)):
        if _CONTENT_LENGTH.startswith(tail[start:]):
            return len(body) - len(tail) + start
    return None


# --------------------------------------------------------------------------- messages


class Connection:
    """The JSON-RPC and LSP rules a message must follow before pygls handles it.

    Before `initialize` only `initialize` and `exit` are served (other requests get
    ServerNotInitialized); after `shutdown` only `exit` (other requests get InvalidRequest);
    a request whose params do not deserialise gets InvalidParams. A bad notification or
    response is logged and dropped: the client expects no answer to it.
    """

    def __init__(self, protocol: JsonRPCProtocol) -> None:
        self.protocol = protocol
        self.initialized = False
        self.shut_down = False

    def receive(self, payload: Any) -> int | None:
        """Handle one message from `FrameReader.messages`; the exit code once the client said exit."""
        refusal = self._refusal(payload)
        if refusal is not None:
            self._refuse(payload, *refusal)
            return None
        method = payload.get("method")
        if method is not None and "params" not in payload and self.protocol.get_message_type(method) is None:
            # JSON-RPC lets params out; pygls's message for a method it does not know needs them
            payload = {**payload, "params": None}
        try:
            message = self.protocol.structure_message(payload)
        except Exception as error:  # pygls raises JsonRpcInvalidParams (or InternalError) from cattrs's error
            what = method if method is not None else f"the response to {payload['id']!r}"
            self._refuse(payload, lsp.ErrorCodes.InvalidParams, f"{what}: invalid params: {_why(error)}")
            return None
        if "id" in payload and method == lsp.INITIALIZE:
            self.initialized = True
        if "id" in payload and method == lsp.SHUTDOWN:
            self.shut_down = True
        try:
            self.protocol.handle_message(message)
        except SystemExit as exit:  # pygls's `exit` handler: 0 after shutdown, 1 without
            return exit.code if isinstance(exit.code, int) else 1
        return None

    def _refusal(self, payload: Any) -> tuple[lsp.ErrorCodes, str] | None:
        """Why `payload` must not reach pygls (the error code and message), or None."""
        if isinstance(payload, NotJson):
            return lsp.ErrorCodes.ParseError, f"the message is not JSON: {payload.reason}"
        if not isinstance(payload, dict):
            return lsp.ErrorCodes.InvalidRequest, "a message must be a JSON object"
        if "id" in payload and not _is_id(payload["id"]):
            return lsp.ErrorCodes.InvalidRequest, f"the id {payload['id']!r} is not a number or a string"
        if payload.get("jsonrpc") != JsonRPCProtocol.VERSION:
            return lsp.ErrorCodes.InvalidRequest, 'jsonrpc must be "2.0"'
        if "method" not in payload:
            if "id" in payload and ("result" in payload or "error" in payload):
                return None  # a response to a request of the server's
            return lsp.ErrorCodes.InvalidRequest, "a message needs a method, or an id and a result or an error"
        method = payload["method"]
        if not isinstance(method, str):
            return lsp.ErrorCodes.InvalidRequest, "the method is not a string"
        if method == lsp.EXIT:
            return None
        if self.shut_down:
            return lsp.ErrorCodes.InvalidRequest, f"{method}: the server is shut down, only exit is accepted"
        if not self.initialized and method != lsp.INITIALIZE:
            return lsp.ErrorCodes.ServerNotInitialized, f"{method}: the server is not initialized"
        return None

    def _refuse(self, payload: Any, code: lsp.ErrorCodes, why: str) -> None:
        """Answer a request with the error; drop anything else, for which no answer is awaited.

        A message whose id cannot be read (not JSON, not an object, an id of the wrong
        type) is answered with the id null, as JSON-RPC asks.
        """
        if not isinstance(payload, dict) or ("id" in payload and not _is_id(payload["id"])):
            msg_id = None
        elif "id" in payload and "method" in payload:
            msg_id = payload["id"]
        else:
            logger.warning("LSP input: dropped a message (%s): %.200s", why, payload)
            return
        logger.warning("LSP input: answered request %s with error %d: %s", json.dumps(msg_id), code, why)
        # A plain dict: lsprotocol's ResponseErrorMessage leaves out an id of None, and
        # JSON-RPC wants `"id": null` when the request's id could not be read.
        self.protocol._send_data(
            {"jsonrpc": JsonRPCProtocol.VERSION, "id": msg_id, "error": {"code": int(code), "message": why}}
        )


def _is_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _why(error: Exception) -> str:
    """cattrs's reasons, each with the path of the value (`$.params.position.line`)."""
    cause = error.__cause__
    if isinstance(cause, BaseValidationError):
        return "; ".join(cattrs.transform_error(cause, format_exception=_describe))
    return str(cause or error)


def _describe(exception: BaseException, type_: Any) -> str:
    if isinstance(exception, ValueError):  # lsprotocol's range checks say what was wrong
        return str(exception)
    return cattrs.v.format_exception(exception, type_)


# --------------------------------------------------------------------------- serving


class Output:
    """Standard output as pygls's writer, quiet after `exit` closed it.

    pygls closes the writer on `exit`; a message sent later (the answer to a request whose work
    ended while the server shut down, such as a workspace check stopped by `shutdown`) would
    fail, and pygls reports a failed send by sending an error message, which fails in turn: a
    cascade of nested tracebacks in the log for seconds. Such a message is dropped instead.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.closed = False

    def close(self) -> None:
        self.closed = True
        self._stream.close()

    def write(self, data: bytes) -> None:
        if self.closed:
            logger.debug("not sent after exit: %.200s", data)
            return
        self._stream.write(data)
        self._stream.flush()


def serve(server: LanguageServer) -> int:
    """Serve LSP on standard input/output until `exit` or the end of input; the exit code."""
    server.protocol.set_writer(Output(sys.stdout.buffer))
    # os.read, not sys.stdin.buffer: the reading thread must not hold the buffer's lock
    # when the interpreter exits, and it buffers (and looks ahead) itself.
    reader = FrameReader(lambda size: os.read(sys.stdin.fileno(), size))
    try:
        return asyncio.run(_serve(reader, Connection(server.protocol)))
    finally:
        server.shutdown()


async def _serve(reader: FrameReader, connection: Connection) -> int:
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[int] = loop.create_future()

    def receive(payload: Any) -> None:
        if ended.done():
            return
        try:
            code = connection.receive(payload)
        except BrokenPipeError:
            logger.error("Connection to the client is lost! Shutting down the server.")
            code = 0
        except Exception:
            logger.exception("Unable to handle message")
            return
        if code is not None:
            ended.set_result(code)

    def end(code: int) -> None:
        if not ended.done():
            ended.set_result(code)

    def read() -> None:
        # A daemon thread: a blocking read must not keep the process alive after `exit`.
        try:
            for payload in reader.messages():
                loop.call_soon_threadsafe(receive, payload)
            loop.call_soon_threadsafe(end, 0)
        except RuntimeError:  # the loop is closed: the server has exited
            pass

    threading.Thread(target=read, name="ssot-lsp-input", daemon=True).start()
    return await ended
