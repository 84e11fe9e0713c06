from app.context import *


def context(user_id):
    return UserExecutionContext(user_id)  # SSOT002
