"""A sibling module that re-exports the factory-only class."""
from app.models.user_context import UserExecutionContext

Context = UserExecutionContext
