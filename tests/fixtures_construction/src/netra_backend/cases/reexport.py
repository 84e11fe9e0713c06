import logging

from netra_backend.app.services import UserExecutionContext

logger = logging.getLogger(__name__)


def build(uid, tid):
    logger.info("building a context for %s", uid)
    return UserExecutionContext(user_id=uid, thread_id=tid)
