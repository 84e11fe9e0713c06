"""Service layer.

``UserContextManager`` is re-exported here for the session middleware (allowed by the
SSOT registry); everything else imports it from ``user_execution_context``.
"""

from .user_execution_context import UserContextManager, create_defensive_user_execution_context

__all__ = ["UserContextManager", "create_defensive_user_execution_context"]
