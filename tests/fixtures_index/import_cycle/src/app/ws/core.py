"""Where the registry really lives; compat and registry both re-export it."""


class ConnectionRegistry:
    def __init__(self):
        self.connections = {}


def normalise_id(value):
    return str(value).strip().lower()
