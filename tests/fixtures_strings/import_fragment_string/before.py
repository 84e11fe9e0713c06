# Seed 001's check that no file still imports from the retired module: the bare fragment.
# fix: unsafe
from pathlib import Path


def test_no_legacy_factory_imports_remain():
    source = Path(__file__).read_text()
    assert "from netra_backend.app.websocket_core.factory" not in source  # SSOT004
    assert "from netra_backend.app.websocket_core.compat.utils import" not in source  # SSOT004
