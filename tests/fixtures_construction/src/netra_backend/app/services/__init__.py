"""Services package: re-exports the user context for older callers."""

from netra_backend.app.services.user_execution_context import UserExecutionContext

__all__ = ["UserExecutionContext"]
