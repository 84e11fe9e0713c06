__all__ = ["UserExecutionContext", "create_defensive_user_execution_context"]


class UserExecutionContext:
    def __init__(self, user_id, thread_id=None):
        self.user_id, self.thread_id = user_id, thread_id


def create_defensive_user_execution_context(user_id, websocket_client_id=None):
    return UserExecutionContext(user_id, websocket_client_id)
