# Seed 003's mission critical test: a mock.patch target keeps the attribute after the module.
# fix: unsafe
from unittest import mock


def test_legacy_factory_is_patched_out():
    with mock.patch("netra_backend.app.websocket_core.canonical_imports.create_websocket_manager") as legacy_create:
        legacy_create.assert_not_called()
