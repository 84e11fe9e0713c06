# Seed 003's mission critical test: mock.patch targets keep what follows the legacy prefix.
# fix: mixed
from unittest import mock


@mock.patch("netra_backend.app.websocket_core.compat.utils.format_ws_message")  # SSOT004
@mock.patch("netra_backend.app.websocket_core.websocket_manager_factory.create_websocket_manager")  # SSOT004
def test_factory_is_patched_out(legacy_create, format_message):
    with mock.patch("netra_backend.app.websocket_core.compat.utils.send_json") as send:  # SSOT004
        legacy_create.assert_not_called()
        send.assert_not_called()
