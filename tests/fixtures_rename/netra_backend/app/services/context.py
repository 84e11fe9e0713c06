"""Deprecated: the context moved to user_execution_context."""

from netra_backend.app.services.user_execution_context import UserExecutionContext as UserContext
from netra_backend.app.services.user_execution_context import create_user_execution_context as create_user_context
