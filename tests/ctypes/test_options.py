"""Issues 12 and 13 through the ctypes binding, against the emulator: per-call ``timeout=`` and
``extra_headers=``, ``default_headers=`` and BLOOIO_CUSTOM_HEADERS, ``request_id`` and
``attempts`` on results, a ``logging`` logger and BLOOIO_LOG, ``progress=`` with stop and
raise, and cancellation by a CancelToken from another thread and by Ctrl-C (SIGINT) in a child
process, with the latency measured and the connection not reused."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unittest
from typing import Any, List, Tuple

from support import API_KEY, CHAT, ROOT, SAMPLE, LibraryTest

from blooio_ctypes import CancelledError, CancelToken, Client, Status

PATH = "/v2/api/chats/%2B15551234567/background"
BIG = SAMPLE.read_bytes() + bytes(3 * 1024 * 1024)


def header_values(request: Any, name: str) -> List[str]:
    return [v for n, v in request["headers"] if n == name]


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[Tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, record.getMessage()))


class OptionsTest(LibraryTest):
    client_options = {"max_retries": 0}

    def cut_short(self) -> List[Any]:
        """The recorded requests the client cut short, polled (the flag comes a moment after)."""
        for _ in range(200):
            aborted = [r for r in self.emulator.requests() if r.get("client_aborted")]
            if aborted:
                return aborted
            time.sleep(0.01)
        return []

    def test_request_id_and_attempts(self) -> None:
        got = self.client.get_chat_background(CHAT)
        (request,) = self.emulator.requests()
        self.assertRegex(got.request_id or "", r"^req_")
        self.assertEqual(got.request_id, request["request_id"])
        self.assertEqual(got.attempts, 1)
        self.assertNotIn("request_id", got.to_dict(), "not part of the chat's JSON")
        self.assertNotIn("attempts", got.to_json())

        retrying = self.new_client(max_retries=2)
        self.emulator.control("POST", "reset")
        self.emulator.control("POST", "script", {"status": 502, "repeat": 2})
        third = retrying.get_chat_background(CHAT)
        records = self.emulator.requests()
        self.assertEqual(third.attempts, 3)
        self.assertEqual(third.request_id, records[2]["request_id"])

    def test_headers_on_the_wire(self) -> None:
        client = self.new_client(default_headers={"X-App": "default", "X-Tenant": "acme"})
        client.get_chat_background(CHAT)
        client.get_chat_background(CHAT, extra_headers=[("X-App", "call"), ("X-Multi", "1"), ("X-Multi", "2")])
        client.set_chat_background_file(CHAT, SAMPLE, extra_headers={"X-Trace": "t"})
        first, second, third = self.emulator.requests()
        self.assertEqual(header_values(first, "x-app"), ["default"])
        self.assertEqual(header_values(second, "x-app"), ["call"])
        self.assertEqual(header_values(second, "x-tenant"), ["acme"])
        self.assertEqual(header_values(second, "x-multi"), ["2"], "a later header of one name replaces it")
        self.assertEqual(header_values(third, "x-trace"), ["t"])
        self.assertEqual(header_values(third, "x-app"), ["default"])

    def test_custom_headers_from_the_environment(self) -> None:
        os.environ["BLOOIO_CUSTOM_HEADERS"] = "X-From-Env: env\n\nX-Both: env"
        try:
            client = self.new_client(default_headers={"x-both": "explicit"})
        finally:
            del os.environ["BLOOIO_CUSTOM_HEADERS"]
        client.get_chat_background(CHAT)
        (request,) = self.emulator.requests()
        self.assertEqual(header_values(request, "x-from-env"), ["env"])
        self.assertEqual(header_values(request, "x-both"), ["explicit"])
        os.environ["BLOOIO_CUSTOM_HEADERS"] = "Host: evil.example"
        try:
            error = self.assert_error(Status.INVALID_CONFIG, Client, API_KEY, self.emulator.base_url)
        finally:
            del os.environ["BLOOIO_CUSTOM_HEADERS"]
        self.assertIn("BLOOIO_CUSTOM_HEADERS", error.message)

    def test_bad_headers_are_refused_with_nothing_sent(self) -> None:
        for name, value in [
            ("Authorization", "Bearer x"),
            ("Content-Type", "text/plain"),
            ("content-length", "1"),
            ("Host", "evil.example"),
            ("Transfer-Encoding", "chunked"),
            ("Bad Name", "v"),
            ("X-Split", "a\r\nX-Injected: 1"),
            ("X-Nul", "a\0b"),
        ]:
            with self.subTest(name=name, value=value):
                self.assert_error(
                    Status.INVALID_CONFIG, Client, API_KEY, self.emulator.base_url, default_headers=[(name, value)]
                )
                error = self.assert_error(
                    Status.INVALID_CONFIG, self.client.get_chat_background, CHAT, extra_headers={name: value}
                )
                self.assertEqual(error.attempts, 0)
                self.assertIn(name.lower(), error.message.lower())
        with self.assertRaises(TypeError):
            self.client.get_chat_background(CHAT, extra_headers={"X-Number": 1})
        self.assertEqual(self.emulator.requests(), [])

    def test_per_call_timeout(self) -> None:
        self.emulator.control("POST", "script", {"delay_ms": 3000})
        started = time.monotonic()
        error = self.assert_error(Status.TIMEOUT, self.client.get_chat_background, CHAT, timeout=0.3)
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, 0.25)
        self.assertLess(elapsed, 2.0)
        self.assertEqual(error.attempts, 1)
        self.emulator.control("POST", "script", {"delay_ms": 500})
        self.assertIs(self.client.get_chat_background(CHAT).has_background, False, "the client's timeout again")
        self.emulator.control("POST", "reset")
        self.assert_error(Status.INVALID_CONFIG, self.client.get_chat_background, CHAT, timeout=0)
        self.assertEqual(self.emulator.requests(), [])

    def test_logger_lines(self) -> None:
        logger = logging.getLogger("blooio_ctypes.test")
        logger.setLevel(logging.DEBUG)
        handler = ListHandler()
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        client = self.new_client(max_retries=1, logger=logger)
        self.emulator.control("POST", "script", {"status": 502})
        got = client.get_chat_background(CHAT, extra_headers={"X-Secretish": "value-not-logged"})
        records = self.emulator.requests()
        info = [line for level, line in handler.records if level == logging.INFO]
        debug = [line for level, line in handler.records if level == logging.DEBUG]
        self.assertEqual(len(info), 2, handler.records)
        self.assertRegex(
            info[0],
            "^GET " + re.escape(PATH) + r" -> 502 in \d+ ms \(attempt 1 of 2, request id "
            + re.escape(records[0]["request_id"]) + r"\)$",
        )
        self.assertRegex(info[1], r"-> 200 in \d+ ms \(attempt 2 of 2, request id " + re.escape(got.request_id or "?"))
        self.assertTrue(any(re.match(r"^retrying in \d+ ms after 502 \(attempt 1 of 2\)$", d) for d in debug), debug)
        for _, line in handler.records:
            self.assertNotIn(API_KEY, line)
            self.assertNotIn("value-not-logged", line)

    def test_blooio_log_prints_to_stderr(self) -> None:
        code = (
            "import blooio_ctypes\n"
            f"c = blooio_ctypes.Client({API_KEY!r}, {self.emulator.base_url!r})\n"
            f"print(c.get_chat_background({CHAT!r}).request_id)\n"
        )
        env = {**os.environ, "BLOOIO_LOG": "info", "PYTHONPATH": str(ROOT / "bindings" / "python-ctypes")}
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 0, run.stderr)
        request_id = run.stdout.strip()
        self.assertRegex(
            run.stderr,
            "blooio: GET " + re.escape(PATH) + r" -> 200 in \d+ ms \(attempt 1 of \d+, request id " + re.escape(request_id),
        )
        self.assertNotIn(API_KEY, run.stderr)

    def test_progress_totals_equal_the_body_length(self) -> None:
        seen: List[Tuple[int, int]] = []
        self.client.set_chat_background_bytes(CHAT, BIG, progress=lambda s, t: seen.append((s, t)))
        (request,) = self.emulator.requests()
        self.assertGreaterEqual(len(seen), 2)
        self.assertEqual({t for _, t in seen}, {request["body_len"]})
        self.assertEqual(seen[-1][0], request["body_len"])
        self.assertEqual([s for s, _ in seen], sorted(s for s, _ in seen))

    def test_progress_stop_and_raise_abort_the_upload(self) -> None:
        self.client.get_chat_background(CHAT)
        (warm,) = self.emulator.requests()
        calls = []

        def stop(sent: int, total: int) -> bool:
            calls.append(sent)
            return False

        error = self.assert_error(Status.CANCELLED, self.client.set_chat_background_bytes, CHAT, BIG, progress=stop)
        self.assertIsInstance(error, CancelledError)
        self.assertEqual(len(calls), 1)
        cut = self.cut_short()
        self.assertEqual([r["method"] for r in cut], ["PUT"], "the emulator saw the upload cut short")
        self.assertLess(cut[0]["body_len"], len(BIG))

        class Boom(Exception):
            pass

        def boom(sent: int, total: int) -> None:
            raise Boom("the user closed the window")

        with self.assertRaises(Boom):
            self.client.set_chat_background_file(CHAT, SAMPLE, progress=boom)
        self.client.get_chat_background(CHAT)
        records = self.emulator.requests()
        self.assertEqual([r for r in records if r["method"] == "PUT" and r["status"] < 300], [])
        self.assertNotEqual(records[-1]["connection_id"], warm["connection_id"], "the connection was not pooled")

    def test_cancel_token_from_another_thread(self) -> None:
        self.client.get_chat_background(CHAT)
        (warm,) = self.emulator.requests()
        latencies = []
        for _ in range(5):
            self.emulator.control("POST", "script", {"delay_ms": 5000})
            token = CancelToken()
            cancelled_at: List[float] = []

            def cancel_soon(token: CancelToken = token, at: List[float] = cancelled_at) -> None:
                time.sleep(0.15)
                at.append(time.monotonic())
                token.cancel()

            thread = threading.Thread(target=cancel_soon)
            thread.start()
            with self.assertRaises(CancelledError):
                self.client.get_chat_background(CHAT, cancel=token)
            latencies.append(time.monotonic() - cancelled_at[0])
            thread.join()
            self.assertTrue(token.cancelled)
            cut = self.cut_short()
            self.assertEqual(len(cut), 1, "the emulator saw the request cut short")
            self.assertEqual(cut[0]["status"], 0)
            self.emulator.control("POST", "reset")
        latencies.sort()
        print(f"\n# cancel -> CancelledError: median {latencies[2] * 1000:.1f} ms, worst {latencies[-1] * 1000:.1f} ms")
        self.assertLess(latencies[-1], 0.5)
        self.client.get_chat_background(CHAT)
        (after,) = self.emulator.requests()
        self.assertNotEqual(after["connection_id"], warm["connection_id"])
        # A token cancelled before the call: nothing is sent.
        self.emulator.control("POST", "reset")
        token = CancelToken()
        token.cancel()
        error = self.assert_error(Status.CANCELLED, self.client.set_chat_background_file, CHAT, SAMPLE, cancel=token)
        self.assertEqual(error.attempts, 0)
        self.assertEqual(self.emulator.requests(), [])

    def test_ctrl_c_stops_a_call_within_half_a_second(self) -> None:
        code = (
            "import signal, sys, time, blooio_ctypes\n"
            # Python's own handler, as under Ctrl-C in a terminal, even if this process was
            # started with SIGINT ignored (a background job of a script, some CI runners).
            "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
            f"c = blooio_ctypes.Client({API_KEY!r}, {self.emulator.base_url!r}, max_retries=0)\n"
            "print('calling', flush=True)\n"
            "try:\n"
            f"    c.get_chat_background({CHAT!r})\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted', time.monotonic(), flush=True)\n"
            "    sys.exit(3)\n"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT / "bindings" / "python-ctypes")}
        self.emulator.control("POST", "script", {"delay_ms": 10000})
        child = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        self.assertEqual(child.stdout.readline().strip(), "calling")
        for _ in range(200):  # until the request is at the server
            if self.emulator.control("GET", "stats")["requests"] >= 1:
                break
            time.sleep(0.01)
        time.sleep(0.1)
        sent_at = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=10)
        exited = time.monotonic() - sent_at
        self.assertEqual(child.returncode, 3, out)
        interrupted_at = float(out.split()[1])
        latency = interrupted_at - sent_at
        print(f"\n# SIGINT -> KeyboardInterrupt: {latency * 1000:.1f} ms (child exited after {exited * 1000:.0f} ms)")
        self.assertLess(latency, 0.5)


if __name__ == "__main__":
    unittest.main()
