# A triple-quoted import statement with parentheses, as a test feeds to exec().
# fix: unsafe
LEGACY_BLOCK = """from netra_backend.app.websocket_core.factory import (
    WebSocketFactory,
    create_websocket_manager,
)"""  # SSOT004 SSOT004
