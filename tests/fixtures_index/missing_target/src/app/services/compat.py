"""An alias of the canonical class through the legacy module: not a second definition."""
from app.services import legacy_context

UserExecutionContext = legacy_context.UserExecutionContext
