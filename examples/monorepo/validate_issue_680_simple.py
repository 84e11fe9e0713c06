#!/usr/bin/env python3
"""Simple validation for Issue #680: SSOT WebSocket imports and user isolation.

Usage: python validate_issue_680_simple.py
"""

import os
import re
import sys

LEGACY_PATTERN = re.compile(r'websocket_core\.factory')
SKIP_DIRS = ('.git', '__pycache__', 'node_modules')
LEGACY_MODULES = [
    "netra_backend.app.websocket_core.factory",
    "netra_backend.app.websocket_core.websocket_manager_factory",
]


def scan_for_legacy_imports(root="."):
    violations = []
    for current, dirs, files in os.walk(root):
        if any(skip in current for skip in SKIP_DIRS):
            continue
        for name in files:
            if not name.endswith('.py'):
                continue
            path = os.path.join(current, name)
            try:
                with open(path, 'r', encoding='utf-8') as handle:
                    if LEGACY_PATTERN.search(handle.read()):
                        violations.append(path)
            except (OSError, UnicodeDecodeError):
                pass
    return violations


def check_canonical_imports():
    try:
        from netra_backend.app.websocket_core.websocket_manager import WebSocketManager, get_websocket_manager
        from netra_backend.app.services.user_execution_context import create_defensive_user_execution_context
    except ImportError as exc:
        print(f"FAIL SSOT import issue: {exc}")
        return False
    context = create_defensive_user_execution_context(user_id="validation_user")
    manager = get_websocket_manager(context)
    print(f"OK   canonical imports work ({type(manager).__name__} is {WebSocketManager.__name__})")
    return True


def check_legacy_factory_removed():
    try:
        import netra_backend.app.websocket_core.factory  # noqa: F401
    except ImportError:
        print("OK   legacy websocket factory module is gone")
        return True
    print("FAIL legacy websocket factory module is still importable")
    return False


def check_user_isolation():
    from netra_backend.app.services.user_execution_context import UserExecutionContext
    from netra_backend.app.websocket_core.websocket_manager_factory import create_websocket_manager_sync

    first = create_websocket_manager_sync(UserExecutionContext(user_id="user_a", thread_id="thread_a", run_id="run_a"))
    second = create_websocket_manager_sync(UserExecutionContext(user_id="user_b", thread_id="thread_b", run_id="run_b"))
    isolated = first is not second and first.user_context.user_id != second.user_context.user_id
    print(f"{'OK  ' if isolated else 'FAIL'} managers are isolated per user")
    return isolated


def main():
    violations = scan_for_legacy_imports()
    print(f"Found {len(violations)} files with legacy imports")
    for path in violations:
        print(f"  {path}")
    checks = [check_canonical_imports(), check_legacy_factory_removed(), check_user_isolation()]
    return 0 if all(checks) and not violations else 1


if __name__ == "__main__":
    sys.exit(main())
