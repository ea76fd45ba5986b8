"""The stdlib-only ctypes binding against the emulator.

The shared scenario (set from a file, get, set from bytes, a bad key), then what is
particular to it: None and bytes that cannot cross, threads sharing one client while other
Python code keeps running, close() with calls in flight, and every object freed.

Needs BLOOIO_EMULATOR (the emulator binary) and BLOOIO_LIB (libblooio.so); `make test-ctypes`
passes both. Runs with `python3 -m unittest` or pytest.
"""

from __future__ import annotations

import json
import threading
import time
import unittest
from typing import Any, List, Optional

# support first: it puts the binding and emulator_control on sys.path.
from support import API_KEY, CHAT, SAMPLE, LibraryTest, live

import blooio_ctypes
from blooio_ctypes import Background, BlooioError, Client, Status
from emulator_control import Spinner


class CtypesTest(LibraryTest):
    def test_scenario(self) -> None:
        client = self.client
        set_ = client.set_chat_background_file(CHAT, SAMPLE)
        self.assertEqual(set_.chat_id, CHAT)
        self.assertIs(set_.has_background, True)
        self.assertIsInstance(set_.background_id, str)
        self.assertEqual(set_.background_version, 1)
        self.assertIs(set_.changed, True)

        got = client.get_chat_background(CHAT)
        self.assertIs(got.has_background, True)
        self.assertEqual(got.background_id, set_.background_id)
        self.assertEqual(got.background_version, set_.background_version)
        self.assertEqual(got.background_url, set_.background_url)
        self.assertIsNone(got.changed, "a get has no `changed`")
        self.assertNotIn("changed", json.loads(got.to_json()))

        data = SAMPLE.read_bytes()
        again = client.set_chat_background_bytes(CHAT, bytearray(data))
        self.assertIs(again.has_background, True)
        self.assertIsInstance(again.changed, bool)

        sent = self.emulator.requests()
        self.assertEqual(
            [(r["method"], r["raw_path"]) for r in sent],
            [("PUT", "/v2/api/chats/%2B15551234567/background"),
             ("GET", "/v2/api/chats/%2B15551234567/background"),
             ("PUT", "/v2/api/chats/%2B15551234567/background")],
        )
        part = sent[0]["parts"][0]
        self.assertEqual((part["name"], part["content_type"], part["len"]), ("background", "image/png", len(data)))
        agent = dict((k, v) for k, v in sent[0]["headers"])["user-agent"]
        self.assertIn("blooio-ctypes/", agent)

    def test_bad_key_is_authentication_with_the_server_message(self) -> None:
        secret = "bl_wrong_key_9f8e7d6c5b4a"
        bad = self.new_client(api_key=secret, max_retries=0)
        error = self.assert_error(Status.AUTHENTICATION, bad.get_chat_background, CHAT)
        self.assertEqual(error.http_status, 401)
        self.assertEqual(error.server_message, "invalid API key")
        self.assertEqual(error.code, "UNAUTHORIZED")
        self.assertTrue(error.request_id and error.request_id.startswith("req_"))
        self.assertEqual(error.attempts, 1)
        self.assertIn("invalid API key", str(error))
        for shown in (str(error), repr(error), repr(bad), repr(error.__dict__)):
            self.assertNotIn(secret, shown)
        self.assert_error(Status.AUTHENTICATION, bad.set_chat_background_file, CHAT, SAMPLE)

    def test_invalid_chat_ids_send_nothing(self) -> None:
        for chat_id in ("", ".", "..", "+", "+1555x", "a\x01b"):
            error = self.assert_error(Status.INVALID_CHAT_ID, self.client.get_chat_background, chat_id)
            self.assertEqual((error.attempts, error.http_status), (0, None))
            self.assert_error(Status.INVALID_CHAT_ID, self.client.set_chat_background_file, chat_id, SAMPLE)
        self.assertEqual(self.emulator.requests(), [])

    def test_none_and_arguments_that_cannot_cross(self) -> None:
        c = self.client
        error = self.assert_error(Status.INVALID_ARGUMENT, c.get_chat_background, None)
        self.assertIn("chat_id", error.message)
        error = self.assert_error(Status.INVALID_ARGUMENT, c.set_chat_background_file, CHAT, None)
        self.assertIn("path", error.message)
        # No data is an empty image, as in every binding: the library answers NULL with 0 bytes.
        self.assert_error(Status.INVALID_IMAGE, c.set_chat_background_bytes, CHAT, None)
        self.assert_error(Status.INVALID_ARGUMENT, c.get_chat_background, CHAT + "\0evil")
        self.assert_error(Status.INVALID_IMAGE, c.set_chat_background_bytes, CHAT, b"")
        self.assert_error(Status.INVALID_IMAGE, c.set_chat_background_bytes, CHAT, b"not an image")
        error = self.assert_error(Status.IO, c.set_chat_background_file, CHAT, "/nonexistent/beach.jpg")
        self.assertIn("/nonexistent/beach.jpg", error.message)
        with self.assertRaises(TypeError):
            c.get_chat_background(15551234567)  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            c.set_chat_background_bytes(CHAT, "not bytes")  # type: ignore[arg-type]
        self.assertEqual(self.emulator.requests(), [])

    def test_unusable_configuration(self) -> None:
        with self.assertRaises(BlooioError) as caught:
            Client("k", "http://example.com/v2/api")
        self.assertEqual(caught.exception.status, Status.INVALID_CONFIG)
        with self.assertRaises(BlooioError) as caught:
            Client("k", self.emulator.base_url, timeout=0)
        # The bounds are the core's, checked when the client is built, in every binding.
        self.assertEqual(caught.exception.status, Status.INVALID_CONFIG)
        self.assertIn("at most one day", caught.exception.message)
        with self.assertRaises(BlooioError) as caught:
            Client("k", self.emulator.base_url, max_retries=-1)
        self.assertEqual(caught.exception.status, Status.INVALID_ARGUMENT)

    def test_server_failures_carry_their_detail(self) -> None:
        flaky = self.new_client(max_retries=1)
        self.emulator.control("POST", "script", {"status": 502, "repeat": 2})
        error = self.assert_error(Status.DEVICE_UNAVAILABLE, flaky.get_chat_background, CHAT)
        self.assertEqual((error.http_status, error.attempts), (502, 2))
        self.emulator.control("POST", "script", {"status": 503})
        self.assert_error(Status.NO_ACTIVE_NUMBER, flaky.get_chat_background, CHAT)

    def test_the_gil_is_released_during_a_call(self) -> None:
        self.emulator.control("POST", "config", {"latency_ms": 300})
        with Spinner(pause=0.005) as spinner:
            started = time.monotonic()
            self.assertIs(self.client.get_chat_background(CHAT).has_background, False)
            elapsed = time.monotonic() - started
        ticks = spinner.count
        self.assertGreaterEqual(elapsed, 0.29)
        self.assertGreaterEqual(ticks, 10, f"another thread ran only {ticks} times in {elapsed:.2f}s")

    def test_threads_share_one_client_and_each_error_is_its_own(self) -> None:
        bad = self.new_client(api_key="bl_wrong_key", max_retries=0)
        failures: List[str] = []

        def work(worker: int) -> None:
            for round_ in range(8):
                try:
                    if worker % 3 == 0:
                        chat_id = f"+1555{worker:03d}{round_:04d}"
                        got: Optional[Background] = (
                            self.client.set_chat_background_file(chat_id, SAMPLE)
                            if round_ % 2 == 0
                            else self.client.get_chat_background(chat_id)
                        )
                        assert got is not None and got.chat_id == chat_id, got
                    elif worker % 3 == 1:
                        chat_id = f"+1555x{worker}-{round_}"
                        try:
                            self.client.get_chat_background(chat_id)
                            raise AssertionError("accepted " + chat_id)
                        except BlooioError as e:
                            assert e.status == Status.INVALID_CHAT_ID and chat_id in e.message, e
                    else:
                        try:
                            bad.get_chat_background(CHAT)
                            raise AssertionError("a bad key was accepted")
                        except BlooioError as e:
                            assert e.status == Status.AUTHENTICATION and e.http_status == 401, e
                except Exception as e:  # collected and reported by the main thread
                    failures.append(f"worker {worker} round {round_}: {e!r}")

        threads = [threading.Thread(target=work, args=(w,)) for w in range(9)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])

    def test_close_waits_for_running_calls(self) -> None:
        client = Client(API_KEY, self.emulator.base_url)
        self.emulator.control("POST", "config", {"latency_ms": 200})
        result: List[Any] = []
        runner = threading.Thread(target=lambda: result.append(client.get_chat_background(CHAT)))
        runner.start()
        time.sleep(0.05)
        client.close()
        runner.join()
        self.assertIs(result[0].has_background, False)
        client.close()
        self.assertTrue(client.closed)
        error = self.assert_error(Status.INVALID_ARGUMENT, client.get_chat_background, CHAT)
        self.assertIn("closed", error.message)

    def test_a_client_dropped_unclosed_is_freed(self) -> None:
        client = Client(API_KEY, self.emulator.base_url)
        client.get_chat_background(CHAT)
        self.assertEqual(live(), self.live_before + 1)
        del client
        self.assertEqual(live(), self.live_before)

    def test_status_matches_the_library(self) -> None:
        lib = blooio_ctypes._load()
        for status in Status:
            self.assertEqual(lib.status_name(status).decode(), status.name.lower())
        self.assertEqual(lib.status_name(len(Status)).decode(), "unknown", "the library has a status Status lacks")

    def test_library_version(self) -> None:
        self.assertEqual(blooio_ctypes.library_version(), blooio_ctypes.__version__)


if __name__ == "__main__":
    unittest.main()
