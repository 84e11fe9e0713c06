# The context class is renamed in annotations, string annotations included.
# fix: safe
from typing import Optional

from netra_backend.app.services.user_execution_context import UserExecutionContext


class AgentRun:
    context: UserExecutionContext

    def __init__(self, context: "UserExecutionContext", parent: Optional["UserExecutionContext"] = None) -> None:
        self.context = context
        self.parent = parent

    def child(self) -> "AgentRun":
        return AgentRun(UserExecutionContext(self.context.user_id, thread_id="child"), parent=self.context)


def contexts(runs: list[AgentRun]) -> "list[UserExecutionContext]":
    return [run.context for run in runs]
