# A helper module that moved without changing its name: patch targets are safe to rewrite.
# fix: safe
import pytest
from unittest import mock

utils = pytest.importorskip("netra_backend.app.websocket_core.compat.utils")  # SSOT004


@mock.patch("netra_backend.app.websocket_core.compat.utils.format_ws_message")  # SSOT004
def test_format(format_message, monkeypatch):
    monkeypatch.delattr("netra_backend.app.websocket_core.compat.utils.MAX_RETRIES")  # SSOT004
    assert format_message is not None
