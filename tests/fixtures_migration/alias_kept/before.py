# Seed 000: the factory class, imported under an alias.
# fix: unsafe
from netra_backend.app.websocket_core.factory import WebSocketFactory as LegacyFactory

factory = LegacyFactory()
