"""Typed helpers for contexts."""
from typing_extensions import deprecated

from netra.ctx.user_context import UserExecutionContext, create_defensive_user_execution_context


@deprecated("Use netra.ctx.user_context.create_defensive_user_execution_context")
def make_context(user_id: str) -> UserExecutionContext:
    return create_defensive_user_execution_context(user_id)


@deprecated("build_context is deprecated; use netra.ctx.user_context.create_defensive_user_execution_context")
def build_context(user_id: str) -> UserExecutionContext:
    return create_defensive_user_execution_context(user_id)
