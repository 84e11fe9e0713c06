"""A second class with the canonical name: a real duplicate."""


class UserExecutionContext:
    pass
