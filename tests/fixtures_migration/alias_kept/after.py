# Seed 000: the factory class, imported under an alias.
# fix: unsafe
from netra_backend.app.websocket_core.canonical_imports import WebSocketFactory as LegacyFactory

factory = LegacyFactory()
