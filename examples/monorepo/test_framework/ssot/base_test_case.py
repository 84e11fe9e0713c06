"""SSotBaseTestCase: the one base class for backend tests."""

from __future__ import annotations

import os
import unittest
import uuid


class SSotBaseTestCase(unittest.TestCase):
    """Gives each test unique user and thread ids and an isolated environment."""

    def setUp(self) -> None:
        super().setUp()
        self.test_user_id_1 = f"user_{uuid.uuid4().hex[:8]}"
        self.test_user_id_2 = f"user_{uuid.uuid4().hex[:8]}"
        self.test_thread_id_1 = f"thread_{uuid.uuid4().hex[:8]}"
        self.test_thread_id_2 = f"thread_{uuid.uuid4().hex[:8]}"
        self._saved_env = dict(os.environ)
        os.environ["NETRA_ENV"] = "test"

    def tearDown(self) -> None:
        os.environ.clear()
        os.environ.update(self._saved_env)
        super().tearDown()


class SSotAsyncTestCase(unittest.IsolatedAsyncioTestCase, SSotBaseTestCase):
    """Async flavour of SSotBaseTestCase."""
