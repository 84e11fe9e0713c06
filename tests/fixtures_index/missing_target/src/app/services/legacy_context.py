from app.services.user_execution_context import UserExecutionContext


def create_user_context(user_id):
    return UserExecutionContext(user_id)
