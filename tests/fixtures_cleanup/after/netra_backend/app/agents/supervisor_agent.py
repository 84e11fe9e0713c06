"""Supervisor agent: one context per user request, built for each sub-agent it runs."""


# The context class carries the user's ids through every agent (issue #1116).
from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context


class SupervisorAgent:
    def __init__(self, user_id: str) -> None:
        self.user_id = user_id

    def start(self, thread_id: str):
        context = create_defensive_user_execution_context(
            user_id=self.user_id,  # the authenticated user
            websocket_client_id=thread_id,
        )
        return context

    def child(self, thread_id: str, request_id: str):
        return create_defensive_user_execution_context(user_id=self.user_id, websocket_client_id=thread_id, request_id=request_id)

    def retry(self, thread_id: str):
        return create_defensive_user_execution_context(user_id=self.user_id, websocket_client_id=thread_id)
