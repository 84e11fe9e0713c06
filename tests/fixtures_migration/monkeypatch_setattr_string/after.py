# monkeypatch.setattr with a dotted target under a module key.
# fix: safe
def test_manager_factory_is_replaced(monkeypatch):
    monkeypatch.setattr("netra_backend.app.websocket_core.websocket_manager.WebSocketManagerFactory", object)
