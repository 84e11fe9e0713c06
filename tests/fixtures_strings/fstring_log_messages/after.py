# f-string log messages: an import statement followed by prose is rewritten in its literal
# part; prose that only mentions the path is not a reference.
# fix: unsafe
import logging

logger = logging.getLogger(__name__)


def report(error: Exception, user_id: str) -> None:
    logger.error(f"from netra_backend.app.websocket_core.canonical_imports import create_websocket_manager failed: {error}")  # SSOT004
    logger.info(f"Loading netra_backend.app.websocket_core.factory for {user_id}")
    print(f"❌ SSOT import issue: {error}")
