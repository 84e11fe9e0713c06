# An isinstance check and the `del` that keeps the module namespace clean are renamed together.
# fix: safe
from netra_backend.app.services.user_execution_context import UserExecutionContext


def validate_context(candidate):
    if not isinstance(candidate, UserExecutionContext):
        raise TypeError(f"expected a user execution context, got {type(candidate).__name__}")
    return candidate


CONTEXT_TYPES = (UserExecutionContext,)
del UserExecutionContext
