import logging

from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context

logger = logging.getLogger(__name__)


def build(uid, tid):
    logger.info("building a context for %s", uid)
    return create_defensive_user_execution_context(user_id=uid, websocket_client_id=tid)
