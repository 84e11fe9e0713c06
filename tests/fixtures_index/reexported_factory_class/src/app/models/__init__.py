from app.models.user_context import *  # noqa: F401,F403
