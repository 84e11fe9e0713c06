# Patch targets below a module key keep their attribute chain; mocker and monkeypatch too.
# fix: mixed
def test_manager_is_replaced(mocker, monkeypatch):
    mocker.patch("netra_backend.app.websocket_core.websocket_manager.WebSocketManagerFactory")  # SSOT004
    monkeypatch.setattr("netra_backend.app.websocket_core.utils.MAX_RETRIES", 1)  # SSOT004
    mocker.patch("netra_backend.app.websocket_core.utils.Formatter.render")  # SSOT004
