# A closure reads the import through two functions; a nested parameter with the name is left.
# fix: safe
from netra_backend.app.services.user_execution_context import create_user_execution_context


def make_handler(prefix):
    def handler(user_id):
        def inner(create_user_context=None):
            return create_user_context
        return create_user_execution_context(f"{prefix}{user_id}"), inner()
    return handler
