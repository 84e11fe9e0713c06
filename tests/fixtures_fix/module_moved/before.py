"""Message formatting for the agent pipeline; the websocket helpers moved out of compat.

The module kept its name (compat.utils -> utils), so rewriting the imports is safe, except
for the plain `import` that binds `netra_backend` and reaches the module by its full path.
"""

import json
from netra_backend.app.websocket_core.compat.utils import format_ws_message, is_websocket_connected
from netra_backend.app.websocket_core.compat import utils as ws_utils
import netra_backend.app.websocket_core.compat.utils as legacy_utils
import logging, netra_backend.app.websocket_core.compat.utils

logger = logging.getLogger(__name__)


def encode(event: dict) -> str:
    if not is_websocket_connected(event.get("socket")):
        logger.warning("dropping %s", json.dumps(event))
    return format_ws_message(ws_utils.normalise(event), legacy_utils.DEFAULT_ENCODING)
