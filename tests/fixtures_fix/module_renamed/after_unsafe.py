"""Phase 1 of issue #1128: a test module that still imports the retired websocket factory.

The factory module was renamed to canonical_imports, so every rewrite here is unsafe by
default: `ssot check --fix` leaves the file alone, `--unsafe-fixes` migrates it.
"""

from __future__ import annotations

import pytest

from netra_backend.app.websocket_core.canonical_imports import create_websocket_manager  # the retired path
from netra_backend.app.websocket_core.canonical_imports import (
    WebSocketFactory,
    create_websocket_manager as make_manager,  # old helper name
)
from netra_backend.app.websocket_core import canonical_imports
import netra_backend.app.websocket_core.canonical_imports as ws_factory
import netra_backend.app.websocket_core.canonical_imports


@pytest.mark.asyncio
async def test_canonical_websocket_manager_import_and_initialization(user_context):
    manager = await create_websocket_manager(user_context)
    assert manager is not None
    assert isinstance(WebSocketFactory(), canonical_imports.WebSocketFactory)
    assert make_manager is ws_factory.create_websocket_manager
    assert netra_backend.app.websocket_core.canonical_imports.create_websocket_manager is make_manager
