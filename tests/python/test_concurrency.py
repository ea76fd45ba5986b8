"""The GIL is released during requests: threads sharing one client overlap, Python threads keep
running, and the AsyncClient never blocks the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from conftest import API_KEY, GIF, PNG, Emulator
from emulator_control import Spinner

import blooio_native as bn
from blooio_native import AsyncClient, Client

LATENCY = 0.4  # seconds the emulator waits before each answer


def test_threads_sharing_one_client_overlap(emulator: Emulator) -> None:
    emulator.config(latency_ms=int(LATENCY * 1000))
    threads_n = 8
    results: dict[int, bn.ChatBackground] = {}
    errors: list[BaseException] = []
    start_line = threading.Barrier(threads_n)

    with Client(API_KEY, base_url=emulator.base_url, max_retries=0) as client:

        def work(i: int) -> None:
            try:
                start_line.wait()
                chat = f"+1555000{i:04d}"
                image = PNG if i % 2 else GIF
                results[i] = client.set_chat_background(chat, image)
                assert client.get_chat_background(chat).background_id == results[i].background_id
            except BaseException as e:  # reported below
                errors.append(e)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started

    assert errors == []
    assert all(r.changed for r in results.values()) and len(results) == threads_n
    # 16 requests of 0.4 s each: 6.4 s one after another, 0.8 s when the threads overlap.
    assert elapsed < 0.5 * threads_n * 2 * LATENCY, elapsed
    puts = sorted(r["at_ms"] for r in emulator.requests() if r["method"] == "PUT")
    assert len(puts) == threads_n
    # Every upload reached the emulator before the first one was answered.
    assert puts[-1] - puts[0] < LATENCY * 1000, puts
    print(f"8 threads x (PUT + GET) at {LATENCY}s latency: {elapsed:.2f}s; PUT arrivals span {puts[-1] - puts[0]} ms")


def test_python_threads_run_during_a_request(emulator: Emulator) -> None:
    """A pure-Python loop needs the GIL; it keeps counting while the main thread waits on the
    network inside the native call."""
    emulator.config(latency_ms=500)
    with Client(API_KEY, base_url=emulator.base_url) as client, Spinner() as spinner:
        time.sleep(0.05)
        before = spinner.count
        client.get_chat_background("+15551234567")
        during = spinner.count - before
    assert during > 100_000, during


def test_async_client_keeps_the_loop_responsive(emulator: Emulator) -> None:
    emulator.config(latency_ms=600)

    async def main() -> tuple[float, list[float], bn.ChatBackground]:
        loop = asyncio.get_running_loop()
        ticks: list[float] = []

        async def ticker() -> None:
            while True:
                ticks.append(loop.time())
                await asyncio.sleep(0.01)

        async with AsyncClient(API_KEY, base_url=emulator.base_url) as client:
            task = asyncio.create_task(ticker())
            started = loop.time()
            background = await client.get_chat_background("+15551234567")
            elapsed = loop.time() - started
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        return elapsed, ticks, background

    elapsed, ticks, background = asyncio.run(main())
    assert background.has_background is False
    assert elapsed >= 0.6
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert len(ticks) >= 20 and max(gaps) < 0.25, (len(ticks), max(gaps))


def test_async_calls_run_concurrently(emulator: Emulator, png_file: Path) -> None:
    emulator.config(latency_ms=int(LATENCY * 1000))

    async def main() -> tuple[float, list[bn.ChatBackground]]:
        async with AsyncClient(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
            started = time.monotonic()
            with open(png_file, "rb") as f:
                results = await asyncio.gather(
                    client.set_chat_background("+15550000001", png_file),
                    client.set_chat_background("+15550000002", PNG),
                    client.set_chat_background("+15550000003", f),
                    client.get_chat_background("+15550000004"),
                )
            return time.monotonic() - started, list(results)

    elapsed, results = asyncio.run(main())
    assert [r.changed for r in results] == [True, True, True, None]
    assert elapsed < 3 * LATENCY, elapsed


def test_async_errors_and_close(emulator: Emulator) -> None:
    async def main() -> None:
        client = AsyncClient(API_KEY, base_url=emulator.base_url, max_retries=0)
        assert repr(client).startswith(f"AsyncClient(base_url={emulator.base_url!r}")
        assert (client.timeout, client.connect_timeout, client.max_retries) == (60.0, 5.0, 0)
        assert client.base_url == emulator.base_url
        emulator.script({"status": 502})
        with pytest.raises(bn.DeviceError) as info:
            await client.get_chat_background("+15551234567")
        assert info.value.attempts == 1
        with pytest.raises(bn.InvalidImageError):
            await client.set_chat_background("+15551234567", b"nope")
        with pytest.raises(bn.InvalidChatIdError):
            await client.get_chat_background("")
        async with client:
            pass
        assert client.closed
        with pytest.raises(bn.InvalidArgumentError, match="closed"):
            await client.get_chat_background("+15551234567")

    asyncio.run(main())
    assert len(emulator.requests()) == 1


def test_close_while_requests_run(emulator: Emulator) -> None:
    """Requests already running when another thread closes the client finish normally."""
    emulator.config(latency_ms=300)
    client = Client(API_KEY, base_url=emulator.base_url, max_retries=0)
    results: list[object] = []

    def call() -> None:
        try:
            results.append(client.get_chat_background("+15551234567"))
        except BaseException as e:  # checked below
            results.append(e)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.1)  # all four are waiting on the emulator
    client.close()
    for t in threads:
        t.join()
    assert len(results) == 4 and all(isinstance(r, bn.ChatBackground) for r in results), results
    with pytest.raises(bn.InvalidArgumentError, match="closed"):
        client.get_chat_background("+15551234567")


def test_async_call_can_be_cancelled(emulator: Emulator) -> None:
    emulator.config(latency_ms=800)

    async def main() -> float:
        async with AsyncClient(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
            task = asyncio.create_task(client.get_chat_background("+15551234567"))
            await asyncio.sleep(0.1)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic() - started

    assert asyncio.run(main()) < 0.2
