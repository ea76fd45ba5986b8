"""HTTPS through the ctypes binding, against the emulator and tinyproxy of
tests/tls/with-tls.sh (`make test-ctypes` runs the suite under it): both endpoints with the CA
by ca_file and by SSL_CERT_FILE, refused certificates after one connection as TLSError, a bad
CA file, and the proxy (CONNECT seen, the key never)."""

from __future__ import annotations

import os
import pathlib
import tempfile
import unittest
from typing import Any

from support import CHAT, ROOT

from blooio_ctypes import BlooioError, Client, Status, TLSError
from emulator_control import Emulator

SAMPLE = (ROOT / "examples" / "assets" / "sample.png").read_bytes()


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise AssertionError(f"{name} is not set: run under tests/tls/with-tls.sh (make test-ctypes does)")
    return value


def control(method: str, path: str, body: Any = None) -> Any:
    return Emulator(env("BLOOIO_TEST_TLS_CONTROL_URL")).control(method, path, body)


def tls_connections() -> int:
    return int(control("GET", "stats")["tls_connections"])


class TLSTest(unittest.TestCase):
    def setUp(self) -> None:
        for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
            os.environ.pop(name, None)
        control("POST", "reset", {})

    def client(self, **kwargs: Any) -> Client:
        return Client(env("BLOOIO_TEST_API_KEY"), env("BLOOIO_TEST_TLS_BASE_URL"), max_retries=3, **kwargs)

    def both_endpoints(self, client: Client, tail: bytes) -> None:
        with client:
            updated = client.set_chat_background_bytes(CHAT, SAMPLE + tail)
            self.assertTrue(updated.background_url and updated.background_url.startswith("https://"))
            self.assertEqual(client.get_chat_background(CHAT).background_id, updated.background_id)

    def test_ca_file(self) -> None:
        before = tls_connections()
        self.both_endpoints(self.client(ca_file=pathlib.Path(env("BLOOIO_TEST_CA_FILE"))), b"1")
        self.assertEqual(tls_connections() - before, 1)

    def test_ssl_cert_file(self) -> None:
        os.environ["SSL_CERT_FILE"] = env("BLOOIO_TEST_CA_FILE")
        try:
            client = self.client()
        finally:
            del os.environ["SSL_CERT_FILE"]
        self.both_endpoints(client, b"2")

    def test_refused_after_one_connection(self) -> None:
        for fault, trust, says in [
            (None, False, "is not trusted (unknown issuer"),
            ("tls_expired_cert", True, "has expired"),
            ("tls_wrong_name_cert", True, "is not valid for the name 127.0.0.1"),
            ("tls_ca_as_leaf", True, "is a CA certificate"),
        ]:
            with self.subTest(fault=fault):
                if fault:
                    control("POST", "script", {"action": fault})
                client = self.client(ca_file=env("BLOOIO_TEST_CA_FILE")) if trust else self.client()
                before = tls_connections()
                with client, self.assertRaises(TLSError) as caught:
                    client.get_chat_background(CHAT)
                error = caught.exception
                self.assertIsInstance(error, BlooioError)
                self.assertEqual(error.status, Status.TLS)
                self.assertEqual(error.attempts, 1)
                self.assertIn(says, error.message)
                self.assertNotIn(env("BLOOIO_TEST_API_KEY"), error.message)
                self.assertEqual(tls_connections() - before, 1)
        self.assertEqual(control("GET", "requests"), [])

    def test_bad_ca_file(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            empty = os.path.join(tmp, "empty.pem")
            open(empty, "w").close()
            for path in (empty, os.path.join(tmp, "missing.pem")):
                with self.assertRaises(BlooioError) as caught:
                    self.client(ca_file=path)
                self.assertEqual(caught.exception.status, Status.INVALID_CONFIG)
                self.assertIn(path, caught.exception.message)

    def test_proxy(self) -> None:
        self.both_endpoints(self.client(ca_file=env("BLOOIO_TEST_CA_FILE"), proxy=env("BLOOIO_TEST_PROXY")), b"3")
        log = pathlib.Path(env("BLOOIO_TEST_PROXY_LOG")).read_text(errors="replace")
        port = env("BLOOIO_TEST_TLS_BASE_URL").split(":")[2].split("/")[0]
        self.assertIn(f"CONNECT 127.0.0.1:{port}", log)
        self.assertNotIn(env("BLOOIO_TEST_API_KEY"), log)
        self.assertNotIn("/chats/", log)


if __name__ == "__main__":
    unittest.main()
