# Uses inside a comprehension, a lambda and a class body are renamed; a comprehension
# variable with the old name is not.
# fix: safe
from netra_backend.app.services.user_execution_context import create_user_execution_context


class ContextPool:
    default = create_user_execution_context("system")
    make = staticmethod(lambda user_id: create_user_execution_context(user_id))

    def build(self, user_ids):
        return [create_user_execution_context(user_id) for user_id in user_ids]


def factories(table):
    return [create_user_context for create_user_context in table.values()]
