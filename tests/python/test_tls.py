"""HTTPS against the emulator and tinyproxy that tests/tls/with-tls.sh starts (make test-python
runs pytest under it): both endpoints with the CA by ca_file= and by SSL_CERT_FILE, refused
certificates after exactly one connection as APITLSError (an APIConnectionError), a bad CA
file, and a proxy that sees CONNECT and never the key."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

import blooio_native

from conftest import PNG, PNG_OTHER, Emulator

CHAT = "+15551234567"


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite under tests/tls/with-tls.sh (make test-python does)")
    return value


@pytest.fixture
def tls(monkeypatch: pytest.MonkeyPatch) -> Emulator:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    emu = Emulator(_env("BLOOIO_TEST_TLS_CONTROL_URL") + "/v2/api")
    emu.base_url = _env("BLOOIO_TEST_TLS_BASE_URL")
    emu.reset()
    return emu


def _client(**kwargs: Any) -> blooio_native.Client:
    return blooio_native.Client(
        _env("BLOOIO_TEST_API_KEY"), base_url=_env("BLOOIO_TEST_TLS_BASE_URL"), max_retries=3, **kwargs
    )


def _both_endpoints(client: blooio_native.Client) -> None:
    with client:
        updated = client.set_chat_background(CHAT, PNG if os.urandom(1)[0] % 2 else PNG_OTHER)
        assert updated.background_url is not None and updated.background_url.startswith("https://")
        current = client.get_chat_background(CHAT)
        assert current.background_id == updated.background_id


def test_both_endpoints_with_ca_file(tls: Emulator) -> None:
    before = tls.stats()["tls_connections"]
    _both_endpoints(_client(ca_file=Path(_env("BLOOIO_TEST_CA_FILE"))))
    assert tls.stats()["tls_connections"] - before == 1  # one kept-alive connection
    assert len(tls.requests()) == 2


def test_both_endpoints_with_ssl_cert_file(tls: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", _env("BLOOIO_TEST_CA_FILE"))
    _both_endpoints(_client())


@pytest.mark.parametrize(
    ("fault", "trust", "says"),
    [
        (None, False, "is not trusted (unknown issuer"),
        ("tls_expired_cert", True, "has expired"),
        ("tls_wrong_name_cert", True, "is not valid for the name 127.0.0.1"),
        ("tls_ca_as_leaf", True, "is a CA certificate"),
    ],
)
def test_refused_certificates_after_one_connection(tls: Emulator, fault: str | None, trust: bool, says: str) -> None:
    if fault is not None:
        tls.script({"action": fault})
    client = _client(ca_file=_env("BLOOIO_TEST_CA_FILE")) if trust else _client()
    before = tls.stats()["tls_connections"]
    with pytest.raises(blooio_native.APITLSError) as caught:
        client.get_chat_background(CHAT)
    error = caught.value
    assert isinstance(error, blooio_native.APIConnectionError)
    assert says in str(error)
    assert error.attempts == 1
    assert "gave up" not in str(error) and _env("BLOOIO_TEST_API_KEY") not in str(error)
    assert tls.stats()["tls_connections"] - before == 1
    assert tls.requests() == []


def test_a_reset_during_the_handshake_is_retried(tls: Emulator) -> None:
    tls.script({"action": "tls_reset_during_handshake"})
    with _client(ca_file=_env("BLOOIO_TEST_CA_FILE")) as client:
        client.get_chat_background(CHAT)
    assert tls.stats()["tls_connections"] >= 2


def test_a_bad_ca_file_is_invalid_config(tls: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    for path in (empty, tmp_path / "missing.pem"):
        with pytest.raises(blooio_native.InvalidConfigError, match=str(path)):
            _client(ca_file=path)
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(blooio_native.InvalidConfigError, match="SSL_CERT_FILE"):
        _client()
    with pytest.raises(blooio_native.InvalidConfigError, match="cannot both be set"):
        _client(ca_file=_env("BLOOIO_TEST_CA_FILE"), platform_verifier=True)


def test_platform_verifier_is_an_opt_in_that_does_not_trust_the_emulator(tls: Emulator) -> None:
    with pytest.raises(blooio_native.APITLSError):
        _client(platform_verifier=True).get_chat_background(CHAT)


def test_through_the_proxy(tls: Emulator) -> None:
    _both_endpoints(_client(ca_file=_env("BLOOIO_TEST_CA_FILE"), proxy=_env("BLOOIO_TEST_PROXY")))
    log = Path(_env("BLOOIO_TEST_PROXY_LOG")).read_text(errors="replace")
    port = _env("BLOOIO_TEST_TLS_BASE_URL").split(":")[2].split("/")[0]
    assert f"CONNECT 127.0.0.1:{port}" in log
    assert _env("BLOOIO_TEST_API_KEY") not in log and "/chats/" not in log
    with pytest.raises(blooio_native.InvalidConfigError) as caught:
        _client(proxy="ftp://user:secretpw@127.0.0.1:1")
    assert "secretpw" not in str(caught.value)


def test_async_client_takes_the_same_options(tls: Emulator) -> None:
    async def run() -> str:
        async with blooio_native.AsyncClient(
            _env("BLOOIO_TEST_API_KEY"),
            base_url=_env("BLOOIO_TEST_TLS_BASE_URL"),
            ca_file=_env("BLOOIO_TEST_CA_FILE"),
            proxy=_env("BLOOIO_TEST_PROXY"),
        ) as client:
            return (await client.get_chat_background(CHAT)).chat_id

    assert asyncio.run(run()) == CHAT
