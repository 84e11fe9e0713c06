# The context class is renamed in annotations, string annotations included.
# fix: safe
from typing import Optional

from netra_backend.app.services.context import UserContext


class AgentRun:
    context: UserContext

    def __init__(self, context: "UserContext", parent: Optional["UserContext"] = None) -> None:
        self.context = context
        self.parent = parent

    def child(self) -> "AgentRun":
        return AgentRun(UserContext(self.context.user_id, thread_id="child"), parent=self.context)


def contexts(runs: list[AgentRun]) -> "list[UserContext]":
    return [run.context for run in runs]
