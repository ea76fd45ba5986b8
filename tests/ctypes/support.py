"""What the ctypes suites share: the emulator process, the count of live library objects, and a
test case base class with one emulator and one client per class. Importing it puts the binding
(bindings/python-ctypes) and the shared emulator control (tests/python/emulator_control.py) on
sys.path."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import unittest
from typing import Any, Dict

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python-ctypes"))
# Appended, not put first: the Python suite's test modules (test_tls, test_cases) must not
# shadow this suite's.
sys.path.append(str(ROOT / "tests" / "python"))

import blooio_ctypes  # noqa: E402
import emulator_control  # noqa: E402
from blooio_ctypes import BlooioError, Client, Status  # noqa: E402

SAMPLE = ROOT / "examples" / "assets" / "sample.png"
CHAT = "+15551234567"
API_KEY = "bl_test_key_ctypes_0123456789"


class Emulator(emulator_control.Emulator):
    """The emulator, started with --exit-on-stdin-eof and a stdin pipe this process holds, so
    it stops when the tests stop, however they stop."""

    def __init__(self) -> None:
        binary = os.environ.get("BLOOIO_EMULATOR")
        if not binary:
            raise unittest.SkipTest("set BLOOIO_EMULATOR to the blooio-emulator binary")
        self.proc = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--api-key", API_KEY, "--exit-on-stdin-eof", "--quiet"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        base_url = self.proc.stdout.readline().decode().strip()
        if not base_url:
            raise RuntimeError("the emulator printed no URL")
        super().__init__(base_url)

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def live() -> int:
    return blooio_ctypes._load().live


class LibraryTest(unittest.TestCase):
    """One emulator and one client (built with ``client_options``) for the class; the emulator
    reset before each test, and every object the library handed over during a test checked to
    be freed after it."""

    client_options: Dict[str, Any] = {}
    emulator: Emulator
    client: Client

    @classmethod
    def setUpClass(cls) -> None:
        if not os.environ.get("BLOOIO_LIB"):
            raise unittest.SkipTest("set BLOOIO_LIB to libblooio.so")
        cls.emulator = Emulator()
        cls.client = Client(API_KEY, cls.emulator.base_url, **cls.client_options)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.client.close()
        cls.emulator.stop()

    def setUp(self) -> None:
        self.emulator.control("POST", "reset")
        self.live_before = live()
        # Registered first, so it runs after the test's other cleanups (which close clients).
        self.addCleanup(self.assert_all_freed)

    def assert_all_freed(self) -> None:
        self.assertEqual(live(), self.live_before, "every object the library handed over is freed")

    def new_client(self, **kwargs: Any) -> Client:
        kwargs.setdefault("api_key", API_KEY)
        kwargs.setdefault("base_url", self.emulator.base_url)
        client = Client(**kwargs)
        self.addCleanup(client.close)
        return client

    def assert_error(self, status: Status, fn: Any, *args: Any, **kwargs: Any) -> BlooioError:
        with self.assertRaises(BlooioError) as caught:
            fn(*args, **kwargs)
        self.assertEqual(caught.exception.status, status, caught.exception.message)
        return caught.exception
