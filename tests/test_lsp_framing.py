"""`ssot server` survives malformed input: each bad frame is answered or discarded, and the
next good request is answered (raw bytes over a real `python -m flake8_ssot server`).

Issue #22 item 3: one malformed frame used to leave the server deaf for good. After each
malformed input below a probe (a hover request) must get its answer, within a timeout so
that a hang fails the test instead of blocking it. The reader itself is also fed the same
bytes in every chunking, down to one byte at a time.
"""

from __future__ import annotations

import io
import itertools
import json
import queue
import subprocess
import sys
import threading
import time

import pytest
from projects import read_lsp_messages

pytest.importorskip("pygls", reason="the server extra (pygls) is not installed")

from flake8_ssot.server.transport import MAX_CONTENT_LENGTH, FrameReader, NotJson  # noqa: E402

SERVER = [sys.executable, "-m", "flake8_ssot", "server"]  # the real subcommand, as an editor starts it
TIMEOUT = 20.0
URI = "file:///nowhere/module.py"  # never opened: a hover on it is answered with null


def frame(message: dict, header: bytes = b"Content-Length: %d\r\n\r\n") -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
    return header % len(body) + body


def raw(body: bytes, header: bytes = b"Content-Length: %d\r\n\r\n") -> bytes:
    return header % len(body) + body


def hover(number: int, position: object = None, params: object = None) -> dict:
    if params is None:
        params = {"textDocument": {"uri": URI}, "position": position or {"line": 0, "character": 0}}
    return {"id": number, "method": "textDocument/hover", "params": params}


INITIALIZE = {"id": "init", "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}


class RawSession:
    """A server subprocess spoken to in bytes; its framed output read on a thread."""

    def __init__(self, tmp_path) -> None:
        self.log = tmp_path / "server.log"
        self.log_file = open(self.log, "wb")
        self.process = subprocess.Popen(
            SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log_file, cwd=tmp_path
        )
        self.inbox: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        read_lsp_messages(self.process.stdout, self.inbox)

    def send(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def answers_until(self, number: object) -> list[dict]:
        """The responses the server sent up to and including the one to request `number`."""
        answers = []
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                message = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"no answer to request {number!r}; server log:\n{self.server_log()}") from None
            if message is None:
                raise AssertionError(f"the server closed its output before answering {number!r}:\n{self.server_log()}")
            if "method" in message:  # a notification or a request from the server
                continue
            answers.append(message)
            if message.get("id") == number:
                return answers

    def exit_code(self) -> int:
        try:
            return self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the server did not exit; log:\n{self.server_log()}") from None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)
        self.reader.join(timeout=TIMEOUT)
        self.process.stdin.close()
        self.process.stdout.close()
        self.log_file.close()

    def server_log(self) -> str:
        self.log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One initialized server for all the malformed frames: each must leave it answering."""
    session = RawSession(tmp_path_factory.mktemp("framing"))
    session.send(frame(INITIALIZE) + frame({"method": "initialized", "params": {}}))
    (initialized,) = session.answers_until("init")
    assert "capabilities" in initialized["result"]
    yield session
    session.close()


def error(number: object, code: int, message: str) -> dict:
    return {"jsonrpc": "2.0", "id": number, "error": {"code": code, "message": message}}


def answered(number: int) -> dict:
    return {"jsonrpc": "2.0", "id": number, "result": None}


HOVER_ON_A_STRING = (
    "textDocument/hover: invalid params: invalid value for type, expected TextDocumentIdentifier"
    " @ $.params.text_document; invalid value for type, expected Position @ $.params.position"
)
NEGATIVE_LINE = (
    "textDocument/hover: invalid params: Position.line should be in range [0:2147483647], but was -1."
    " @ $.params.position"
)
BODY = json.dumps({"jsonrpc": "2.0", "method": "$/ignored", "params": {}}).encode()

# (what is wrong, the bytes, the answers before the probe's). Each is followed by a hover
# request, sent in the same write, whose answer must come.
MALFORMED = [
    ("misspelt Content-Length", b"Content-Lenght: %d\r\n\r\n%s" % (len(BODY), BODY), []),
    ("no Content-Length", b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + BODY, []),
    ("non-numeric Content-Length", b"Content-Length: twelve\r\n\r\n" + BODY, []),
    ("negative Content-Length", b"Content-Length: -5\r\n\r\n" + BODY, []),
    ("empty Content-Length", b"Content-Length:\r\n\r\n" + BODY, []),
    ("conflicting Content-Lengths", b"Content-Length: 3\r\nContent-Length: 4\r\n\r\n" + BODY, []),
    ("a line that is no header", b"garbage without a colon\r\n\r\n" + BODY, []),
    ("body shorter than announced", b"Content-Length: %d\r\n\r\n%s" % (len(BODY) + 500, BODY), []),
    ("body shorter, the announced length ending inside the next header",
     b"Content-Length: %d\r\n\r\n%s" % (len(BODY) + 9, BODY), []),
    ("body longer than announced", b"Content-Length: 10\r\n\r\n" + BODY,
     [error(None, -32700, "the message is not JSON: Expecting ':' delimiter: line 1 column 11 (char 10)")]),
    ("Content-Length: 100000000000", b"Content-Length: 100000000000\r\n\r\n" + BODY, []),
    ("Content-Length over the limit", b"Content-Length: %d\r\n\r\n%s" % (MAX_CONTENT_LENGTH + 1, BODY), []),
    ("garbage before a header", b"}]} trailing bytes" + frame({"method": "$/ignored", "params": {}}), []),
    ("body not JSON", raw(b'{"jsonrpc": oops}'),
     [error(None, -32700, "the message is not JSON: Expecting value: line 1 column 13 (char 12)")]),
    ("body not UTF-8", raw(b'{"jsonrpc": "\xff"}'),
     [error(None, -32700, "the message is not JSON: 'utf-8' codec can't decode byte 0xff in position 13: "
            "invalid start byte")]),
    ("empty body", b"Content-Length: 0\r\n\r\n",
     [error(None, -32700, "the message is not JSON: Expecting value: line 1 column 1 (char 0)")]),
    ("a JSON array (no batches in LSP)", raw(b"[1, 2]"), [error(None, -32600, "a message must be a JSON object")]),
    ("jsonrpc 1.0", frame({"jsonrpc": "1.0", "id": 7, "method": "shutdown"}),
     [error(7, -32600, 'jsonrpc must be "2.0"')]),
    ("an id that is a list", frame({"id": [7], "method": "shutdown"}),
     [error(None, -32600, "the id [7] is not a number or a string")]),
    ("a method that is not a string", frame({"id": 8, "method": 8}), [error(8, -32600, "the method is not a string")]),
    ("params of the wrong type", frame(hover(9, params="abc")), [error(9, -32602, HOVER_ON_A_STRING)]),
    ("a negative position", frame(hover(10, position={"line": -1, "character": 0})),
     [error(10, -32602, NEGATIVE_LINE)]),
    ("a notification whose params do not deserialise", frame({"method": "textDocument/didOpen", "params": 5}), []),
    ("an unknown method", frame({"id": 11, "method": "ssot/unknown"}),
     [error(11, -32601, "Method Not Found: ssot/unknown")]),
    ("a message that is neither a request, a notification nor a response", frame({"id": 12}), []),
]

probes = itertools.count(1000)


@pytest.mark.parametrize(("what", "data", "before"), MALFORMED, ids=[case[0] for case in MALFORMED])
def test_a_malformed_frame_is_answered_or_dropped_and_the_next_request_answered(server, what, data, before):
    number = next(probes)
    server.send(data + frame(hover(number)))
    assert server.answers_until(number) == [*before, answered(number)]


@pytest.mark.parametrize(
    "header",
    [b"Content-Length: %d\n\n", b"content-length: %d\r\n\r\n", b"CONTENT-LENGTH:%d\r\nContent-Type: x\n\r\n",
     b"\r\nContent-Length: %d\r\n\r\n"],
    ids=["LF-only lines", "lower-case name", "no space, mixed line ends", "a blank line before"],
)
def test_headers_are_read_case_insensitively_with_crlf_or_lf(server, header):
    number = next(probes)
    server.send(frame(hover(number), header))
    assert server.answers_until(number) == [answered(number)]


def test_a_frame_sent_in_pieces_and_a_body_mentioning_content_length(server):
    number = next(probes)
    text = 'HEADER = "Content-Length: 12\\r\\n\\r\\n"\nBIG = """\n' + "x = 1\n" * 50_000 + '"""\n'
    data = frame({"method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": URI, "languageId": "plaintext", "version": 1, "text": text}}}) + frame(hover(number))
    for start in range(0, len(data), 65_000):
        server.send(data[start:start + 65_000])
        time.sleep(0.01)
    assert server.answers_until(number) == [answered(number)]


def test_the_lifecycle_before_initialize_and_after_shutdown(tmp_path):
    session = RawSession(tmp_path)
    try:
        session.send(frame(hover(1)) + frame({"method": "initialized", "params": {}}) + frame(INITIALIZE))
        answers = session.answers_until("init")
        assert answers[0] == error(1, -32002, "textDocument/hover: the server is not initialized")
        assert "capabilities" in answers[1]["result"] and len(answers) == 2
        session.send(frame(hover(2)) + frame({"id": 3, "method": "shutdown"}))
        assert session.answers_until(3) == [answered(2), answered(3)]
        session.send(
            frame(hover(4)) + frame({"id": 5, "method": "shutdown"}) + frame({"id": 6, "method": "initialize"})
        )
        assert session.answers_until(6) == [
            error(4, -32600, "textDocument/hover: the server is shut down, only exit is accepted"),
            error(5, -32600, "shutdown: the server is shut down, only exit is accepted"),
            error(6, -32600, "initialize: the server is shut down, only exit is accepted"),
        ]
        session.send(frame({"method": "exit"}))
        assert session.exit_code() == 0
    finally:
        session.close()


def test_exit_without_shutdown_exits_1(tmp_path):
    session = RawSession(tmp_path)
    try:
        session.send(frame(INITIALIZE))
        session.answers_until("init")
        session.send(frame({"method": "exit"}))
        assert session.exit_code() == 1
    finally:
        session.close()


def test_exit_before_initialize_exits_1_and_the_end_of_input_exits_0(tmp_path):
    session = RawSession(tmp_path)
    try:
        session.send(frame({"method": "exit"}))
        assert session.exit_code() == 1
    finally:
        session.close()
    session = RawSession(tmp_path)
    try:
        session.send(b"Content-Length: 100\r\n\r\n{")  # the input ends inside a frame
        session.process.stdin.close()
        assert session.exit_code() == 0
    finally:
        session.close()


# --------------------------------------------------------------------------- the reader alone


def read_all(data: bytes, chunk: int) -> list:
    stream = io.BytesIO(data)
    return list(FrameReader(lambda size: stream.read(min(size, chunk))).messages())


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 65_536])
@pytest.mark.parametrize(("what", "data", "before"), MALFORMED, ids=[case[0] for case in MALFORMED])
def test_the_reader_finds_the_next_frame_however_the_bytes_arrive(what, data, before, chunk):
    probe = hover(1)
    messages = read_all(data + frame(probe), chunk)
    assert messages[-1] == {"jsonrpc": "2.0", **probe}
    assert len(messages) <= 2
    assert all(isinstance(message, (dict, list, NotJson)) for message in messages)


def test_the_reader_never_reads_an_oversized_body():
    reads = []

    def read(size: int) -> bytes:
        reads.append(size)
        return b"Content-Length: 100000000000\r\n\r\n" if len(reads) == 1 else b""

    assert list(FrameReader(read).messages()) == []
    assert max(reads) <= 64 * 1024


def test_the_reader_skips_a_huge_line_and_finds_a_header_split_across_reads():
    probe = hover(1)
    messages = read_all(b"Content-Type: x\r\n\r\n" + b"y" * 100_000 + frame(probe), 8_191)
    assert messages == [{"jsonrpc": "2.0", **probe}]
