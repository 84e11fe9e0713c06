import app.context as c
from app.context import UserExecutionContext
from app.models import UserExecutionContext as ModelsContext


def contexts(user_id):
    return [
        UserExecutionContext(user_id),  # SSOT002
        c.UserExecutionContext(user_id),  # SSOT002
        ModelsContext(user_id),  # SSOT002
    ]
