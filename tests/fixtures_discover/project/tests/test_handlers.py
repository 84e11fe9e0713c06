import warnings

from netra.app.handlers import handle


def test_handle() -> None:
    warnings.warn("use netra.ws.nowhere instead", DeprecationWarning)
    assert handle("u1")
