"""The short name some handlers still use for the user context."""

from netra_backend.app.services.user_execution_context import UserExecutionContext

Context = UserExecutionContext
