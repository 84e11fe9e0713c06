# A decorator target under a module that moved without changing its name.
# fix: safe
from unittest import mock


@mock.patch("netra_backend.app.websocket_core.compat.utils.format_ws_message")
def test_format(format_message):
    assert format_message is not None
