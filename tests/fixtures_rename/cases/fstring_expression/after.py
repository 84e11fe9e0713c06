# A use inside an f-string's replacement field is renamed; the literal text around it is not.
# fix: safe
import logging

from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager

logger = logging.getLogger(__name__)


async def open_session(user_context):
    logger.info(f"opening a session through {get_websocket_manager.__name__} for {user_context.user_id}")
    return await get_websocket_manager(user_context)
