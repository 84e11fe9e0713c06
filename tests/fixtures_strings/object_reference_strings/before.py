# Entry-point style `module:attribute` references: a renamed symbol takes its canonical
# module and name; an attribute chain after the name is kept.
# fix: unsafe
HANDLERS = {
    "manager": "netra_backend.app.websocket_core.websocket_manager_factory:create_websocket_manager",  # SSOT004
    "factory": "netra_backend.app.websocket_core.factory:WebSocketFactory.create",  # SSOT004
}
