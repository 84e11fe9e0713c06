# Seed 001's defensive import: the try branch is rewritten, the fallback stays.
# fix: unsafe
try:
    from netra_backend.app.websocket_core.canonical_imports import WebSocketFactory
except ImportError:  # the module was removed in #1128
    WebSocketFactory = None
