# Every name the file takes from the star is exported by the canonical module.
# fix: safe
from netra_backend.app.websocket_core.websocket_factory import *  # noqa: F403

DEFAULT = create_factory("default")
print(isinstance(DEFAULT, WebSocketFactory))
