from app.services.legacy_context import UserExecutionContext, create_user_context


def start(user_id):
    context = create_user_context(user_id)
    return isinstance(context, UserExecutionContext), context.user_id
