"""Issue 12 through blooio_native: per-call timeout and headers, client default headers
(explicit, and BLOOIO_CUSTOM_HEADERS), request id and attempts on success, logging through the
`logging` module, upload progress. Everything against the emulator, whose request log shows
what reached the wire."""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import os
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import Any, List, Tuple

import pytest

import blooio_native
from blooio_native import AsyncClient, Client
from conftest import API_KEY, PNG, Emulator

CHAT = "+15551234567"
PATH = "/v2/api/chats/%2B15551234567/background"


def headers_of(record: dict[str, Any], name: str) -> List[str]:
    return [v for k, v in record["headers"] if k == name.lower()]


# --- headers ------------------------------------------------------------------------------


def test_default_extra_and_environment_headers_reach_the_wire(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BLOOIO_CUSTOM_HEADERS", "X-Env: from-env\n\nX-Both: env\nX-Team: env-team\n")
    with Client(
        API_KEY,
        base_url=emulator.base_url,
        max_retries=0,
        default_headers={"X-Team": "client-team", "X-Both": "client"},
    ) as client:
        client.get_chat_background(CHAT, extra_headers={"x-both": "call", "X-Call": "c1"})
        client.set_chat_background(CHAT, PNG, extra_headers=[("X-Multi", "1"), ("X-Multi", "2")])
        client.get_chat_background(CHAT)
    first, second, third = emulator.requests()
    assert headers_of(first, "x-env") == ["from-env"]
    assert headers_of(first, "x-team") == ["client-team"]  # explicit beats the environment
    assert headers_of(first, "x-both") == ["call"]  # the call beats both, whatever the case
    assert headers_of(first, "x-call") == ["c1"]
    assert headers_of(second, "x-multi") == ["2"]  # a repeated name: the last value is sent
    assert headers_of(second, "x-call") == []  # per call means per call
    assert headers_of(third, "x-both") == ["client"]
    # The library's own headers are untouched.
    assert headers_of(first, "authorization") == [f"Bearer {API_KEY}"]


@pytest.mark.parametrize(
    "name, value",
    [
        ("X-Bad", "a\r\nInjected: 1"),
        ("X-Bad", "line\nbreak"),
        ("X-Bad", "nul\x00"),
        ("X Bad", "space in name"),
        ("X-Bad:", "colon in name"),
        ("", "empty name"),
        ("Authorization", "Bearer other"),
        ("content-type", "text/plain"),
        ("Content-Length", "1"),
        ("HOST", "example.com"),
        ("Transfer-Encoding", "chunked"),
    ],
)
def test_bad_headers_are_refused_and_nothing_is_sent(
    name: str, value: str, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Client(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
        with pytest.raises(blooio_native.InvalidConfigError) as per_call:
            client.get_chat_background(CHAT, extra_headers={name: value})
        assert per_call.value.attempts == 0
        with pytest.raises(blooio_native.InvalidConfigError):
            client.set_chat_background(CHAT, PNG, extra_headers=[(name, value)])
    with pytest.raises(blooio_native.InvalidConfigError) as at_build:
        Client(API_KEY, base_url=emulator.base_url, default_headers={name: value})
    if name.strip():
        assert name.rstrip(":").lower() in str(at_build.value).lower()
    # The environment cannot hold a NUL, and its lines split at the first ':'.
    if not any(c in name + value for c in "\r\n\x00") and ":" not in name:
        monkeypatch.setenv("BLOOIO_CUSTOM_HEADERS", f"{name}: {value}")
        with pytest.raises(blooio_native.InvalidConfigError) as from_env:
            Client(API_KEY, base_url=emulator.base_url)
        assert "BLOOIO_CUSTOM_HEADERS" in str(from_env.value)
    assert emulator.requests() == []


def test_header_arguments_of_the_wrong_type(client: Client, emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="mapping"):
        client.get_chat_background(CHAT, extra_headers="X-A: 1")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        client.get_chat_background(CHAT, extra_headers={"X-A": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="pair"):
        client.get_chat_background(CHAT, extra_headers=["X-A"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        Client(API_KEY, default_headers=5)  # type: ignore[arg-type]
    assert emulator.requests() == []


def test_user_agent_suffix_and_allow_insecure_http(emulator: Emulator) -> None:
    with Client(API_KEY, base_url=emulator.base_url, user_agent_suffix="my-app/2.1") as client:
        client.get_chat_background(CHAT)
    (record,) = emulator.requests()
    agent = headers_of(record, "user-agent")[0]
    assert agent.endswith(" my-app/2.1") and "python" in agent, agent
    # Plain http to a host that is not loopback is refused unless allowed (nothing is sent:
    # the host does not exist, and the allowed client is never used).
    with pytest.raises(blooio_native.InvalidConfigError, match="http"):
        Client(API_KEY, base_url="http://blooio.invalid/v2/api")
    Client(API_KEY, base_url="http://blooio.invalid/v2/api", allow_insecure_http=True).close()


# --- per-call timeout ---------------------------------------------------------------------


def test_per_call_timeout_against_a_slow_answer(emulator: Emulator) -> None:
    with Client(API_KEY, base_url=emulator.base_url, max_retries=0, timeout=30) as client:
        emulator.script({"delay_ms": 3000})
        start = time.monotonic()
        with pytest.raises(blooio_native.APITimeoutError):
            client.get_chat_background(CHAT, timeout=0.3)
        elapsed = time.monotonic() - start
        assert 0.25 < elapsed < 1.5, elapsed
        print(f"per-call timeout 0.3 s against a 3 s answer: raised after {elapsed * 1000:.0f} ms")
    # And the other way: a call may have longer than its client.
    with Client(API_KEY, base_url=emulator.base_url, max_retries=0, timeout=0.2) as client:
        emulator.script({"delay_ms": 600})
        assert client.get_chat_background(CHAT, timeout=5).chat_id == CHAT
        emulator.script({"delay_ms": 600})
        with pytest.raises(blooio_native.APITimeoutError):
            client.get_chat_background(CHAT)


@pytest.mark.parametrize("timeout", [0.0, -1.0, math.nan, math.inf, 10.0**9])
def test_bad_per_call_timeouts_send_nothing(timeout: float, client: Client, emulator: Emulator) -> None:
    with pytest.raises(blooio_native.InvalidConfigError, match="timeout"):
        client.get_chat_background(CHAT, timeout=timeout)
    with pytest.raises(blooio_native.InvalidConfigError, match="timeout"):
        client.set_chat_background(CHAT, PNG, timeout=timeout)
    assert emulator.requests() == []


# --- request id and attempts --------------------------------------------------------------


def test_request_id_and_attempts(emulator: Emulator) -> None:
    with Client(API_KEY, base_url=emulator.base_url, max_retries=2) as client:
        got = client.get_chat_background(CHAT)
        emulator.script({"status": 502, "headers": {"retry-after-ms": "5"}})
        put = client.set_chat_background(CHAT, PNG)
    first, failed, retried = emulator.requests()
    assert got.request_id == first["request_id"] and got.request_id.startswith("req_")
    assert got.attempts == 1
    assert failed["status"] == 502
    assert put.request_id == retried["request_id"] != failed["request_id"]
    assert put.attempts == 2
    # Call metadata, not part of the background's value.
    assert "request_id" not in got.to_dict() and "attempts" not in got.to_dict()
    assert got == blooio_native.ChatBackground(**got.to_dict())
    assert f"request_id={got.request_id!r}, attempts=1" in repr(got)
    assert blooio_native.ChatBackground().attempts == 0  # built by hand, not by a call


def test_request_id_and_attempts_async(emulator: Emulator) -> None:
    async def main() -> blooio_native.ChatBackground:
        async with AsyncClient(API_KEY, base_url=emulator.base_url, max_retries=1) as client:
            emulator.script({"status": 503, "headers": {"retry-after-ms": "5"}})
            return await client.get_chat_background(CHAT, extra_headers={"X-Async": "yes"})

    got = asyncio.run(main())
    failed, ok = emulator.requests()
    assert (got.attempts, got.request_id) == (2, ok["request_id"])
    assert headers_of(failed, "x-async") == headers_of(ok, "x-async") == ["yes"]


# --- logging ------------------------------------------------------------------------------


def test_log_lines_go_to_the_blooio_native_logger(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="blooio_native")
    with Client(API_KEY, base_url=emulator.base_url, max_retries=1) as client:
        emulator.script({"status": 502, "headers": {"retry-after-ms": "5"}})
        got = client.get_chat_background(CHAT, extra_headers={"X-Secret-Header": "hv-1234"})
    records = [r for r in caplog.records if r.name == "blooio_native"]
    info = [r.getMessage() for r in records if r.levelno == logging.INFO]
    debug = [r.getMessage() for r in records if r.levelno == logging.DEBUG]
    assert len(info) == 2, info  # one per attempt
    assert info[0].startswith(f"GET {PATH} -> 502 in ") and "(attempt 1 of 2" in info[0], info[0]
    assert info[1].startswith(f"GET {PATH} -> 200 in ") and "(attempt 2 of 2" in info[1], info[1]
    assert got.request_id is not None and got.request_id in info[1]
    assert any(line.startswith("retrying in ") and "502" in line for line in debug), debug
    for record in records:
        text = record.getMessage()
        assert API_KEY not in text and "hv-1234" not in text and "IHDR" not in text


def test_info_level_leaves_out_debug_and_warning_level_logs_nothing(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    with Client(API_KEY, base_url=emulator.base_url, max_retries=1) as client:
        caplog.set_level(logging.INFO, logger="blooio_native")
        emulator.script({"status": 502, "headers": {"retry-after-ms": "5"}})
        client.set_chat_background(CHAT, PNG)
        levels = [r.levelno for r in caplog.records if r.name == "blooio_native"]
        assert levels == [logging.INFO, logging.INFO], levels
        caplog.clear()
        # The level is looked at per call: raising it silences the same client.
        caplog.set_level(logging.WARNING, logger="blooio_native")
        client.get_chat_background(CHAT)
        assert [r for r in caplog.records if r.name == "blooio_native"] == []


def test_async_calls_log_too(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="blooio_native")

    async def main() -> None:
        async with AsyncClient(API_KEY, base_url=emulator.base_url) as client:
            await client.set_chat_background(CHAT, PNG)

    asyncio.run(main())
    lines = [r.getMessage() for r in caplog.records if r.name == "blooio_native"]
    assert len(lines) == 1 and lines[0].startswith(f"PUT {PATH} -> 200 in "), lines


@pytest.mark.parametrize("level", ["info", "debug"])
def test_blooio_log_configures_a_stderr_handler(level: str, emulator: Emulator) -> None:
    """As the official SDK: with BLOOIO_LOG set, the lines appear on stderr with no code."""
    script = (
        "import sys, blooio_native\n"
        "c = blooio_native.Client(sys.argv[1], base_url=sys.argv[2], max_retries=1)\n"
        "c.get_chat_background('+15551234567')\n"
    )
    emulator.script({"status": 502, "headers": {"retry-after-ms": "5"}})
    env = {**os.environ, "BLOOIO_LOG": level}
    done = subprocess.run(
        [sys.executable, "-c", script, API_KEY, emulator.base_url],
        env=env, capture_output=True, text=True, timeout=30, check=True,
    )
    lines = done.stderr.splitlines()
    attempts = [line for line in lines if f"GET {PATH} -> " in line]
    assert len(attempts) == 2, done.stderr
    assert " - blooio_native:" in attempts[0] and " - INFO] GET " in attempts[0], attempts[0]
    retries = [line for line in lines if "DEBUG] retrying in " in line]
    assert len(retries) == (1 if level == "debug" else 0), done.stderr
    assert API_KEY not in done.stderr and done.stdout == ""


def test_without_blooio_log_nothing_is_printed_and_logging_is_not_imported(emulator: Emulator) -> None:
    script = (
        "import sys, blooio_native\n"
        "c = blooio_native.Client(sys.argv[1], base_url=sys.argv[2])\n"
        "c.get_chat_background('+15551234567')\n"
        "print('logging' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "BLOOIO_LOG"}
    done = subprocess.run(
        [sys.executable, "-c", script, API_KEY, emulator.base_url],
        env=env, capture_output=True, text=True, timeout=30, check=True,
    )
    assert (done.stdout, done.stderr) == ("False\n", "")


# --- progress -----------------------------------------------------------------------------


def big_png(size: int) -> bytes:
    """A PNG signature padded to `size` bytes: judged a PNG by its bytes, large enough to go
    out in many chunks."""
    return PNG + bytes(size - len(PNG))


@pytest.mark.parametrize("as_path", [False, True])
def test_progress_totals_equal_the_body_length(
    as_path: bool, client: Client, emulator: Emulator, tmp_path: Path
) -> None:
    data = big_png(1 << 20)
    image: Any = data
    if as_path:
        image = tmp_path / "big.png"
        image.write_bytes(data)
    seen: List[Tuple[int, int]] = []
    client.set_chat_background(CHAT, image, progress=lambda sent, total: seen.append((sent, total)))
    (record,) = emulator.requests()
    totals = {total for _, total in seen}
    assert totals == {record["body_len"]}, totals
    assert record["body_len"] > len(data)  # the multipart framing is counted
    sents = [sent for sent, _ in seen]
    assert sents == sorted(sents) and sents[-1] == record["body_len"]
    assert len(seen) > 2, len(seen)


def test_progress_exception_propagates_and_the_connection_is_dropped(
    client: Client, emulator: Emulator
) -> None:
    class Stop(Exception):
        pass

    raised = Stop("enough")
    calls: List[int] = []

    class Callback:
        def __call__(self, sent: int, total: int) -> None:
            calls.append(sent)
            if len(calls) == 2:
                raise raised

    callback = Callback()
    alive = weakref.ref(callback)
    client.get_chat_background(CHAT)  # a pooled connection the upload will use
    start = time.monotonic()
    with pytest.raises(Stop) as caught:
        client.set_chat_background(CHAT, big_png(8 << 20), progress=callback)
    elapsed = time.monotonic() - start
    assert caught.value is raised and len(calls) == 2
    # The exception's traceback holds the callback's frame; drop both, then the callable must
    # be gone (the call kept no reference to it).
    del callback, caught, raised
    client.get_chat_background(CHAT)
    gc.collect()
    assert alive() is None
    records = emulator.requests()
    assert records[1]["method"] == "PUT" and records[1]["client_aborted"], records[1]
    connections = [r["connection_id"] for r in records]
    assert connections[-1] not in connections[:-1], records  # the cut connection is not reused
    print(f"upload stopped by a raising progress callback after {elapsed * 1000:.0f} ms")


def test_progress_returning_false_stops_with_user_abort(client: Client, emulator: Emulator) -> None:
    with pytest.raises(blooio_native.APIUserAbortError) as caught:
        client.set_chat_background(CHAT, big_png(4 << 20), progress=lambda sent, total: False)
    assert isinstance(caught.value, blooio_native.APIError)
    # None (no return statement) goes on; so does any other value.
    client.set_chat_background(CHAT, PNG, progress=lambda sent, total: None)
    client.set_chat_background(CHAT, PNG, progress=lambda sent, total: 0)
    assert emulator.requests()[-1]["status"] == 200


def test_progress_must_be_callable(client: Client, emulator: Emulator) -> None:
    with pytest.raises(TypeError, match="progress"):
        client.set_chat_background(CHAT, PNG, progress=5)  # type: ignore[arg-type]
    assert emulator.requests() == []


def test_async_progress_exception_reaches_the_task(emulator: Emulator) -> None:
    class Stop(Exception):
        pass

    def callback(sent: int, total: int) -> None:
        raise Stop(f"{sent}/{total}")

    async def main() -> None:
        async with AsyncClient(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
            with pytest.raises(Stop):
                await client.set_chat_background(CHAT, big_png(2 << 20), progress=callback)
            seen: List[int] = []
            await client.set_chat_background(CHAT, PNG, progress=lambda s, t: seen.append(t))
            assert seen and seen[-1] == emulator.requests()[-1]["body_len"]

    asyncio.run(main())


def test_async_timeout_and_refused_headers(emulator: Emulator) -> None:
    async def main() -> None:
        async with AsyncClient(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
            with pytest.raises(blooio_native.InvalidConfigError):
                await client.get_chat_background(CHAT, extra_headers={"Host": "example.com"})
            with pytest.raises(blooio_native.InvalidConfigError):
                await client.set_chat_background(CHAT, PNG, timeout=0)
            assert emulator.requests() == []
            emulator.script({"delay_ms": 3000})
            start = time.monotonic()
            with pytest.raises(blooio_native.APITimeoutError):
                await client.get_chat_background(CHAT, timeout=0.3)
            assert time.monotonic() - start < 1.5

    asyncio.run(main())
