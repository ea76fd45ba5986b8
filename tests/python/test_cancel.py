"""Issue 13 through blooio_native: Ctrl-C during a blocking call, cancelling an asyncio task,
and the request itself stopping (its connection dropped, not reused). Latencies are printed."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import textwrap
import time
from typing import Any, Iterator, List

import pytest

import blooio_native
from blooio_native import AsyncClient, Client
from conftest import API_KEY, PNG, Emulator

CHAT = "+15551234567"

# The child: one call to pool a connection, then a call the emulator holds for 20 s, which
# SIGINT must interrupt; then one more call, to show the interrupted connection is not reused.
CHILD = textwrap.dedent(
    """
    import sys, time, blooio_native
    client = blooio_native.Client(sys.argv[1], base_url=sys.argv[2], max_retries=0)
    client.get_chat_background("+15551234567")
    print("ready", flush=True)
    sys.stdin.readline()  # the parent has scripted the emulator
    try:
        client.{call}
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", time.monotonic(), flush=True)
    sys.stdin.readline()  # the parent has looked at the emulator
    bg = client.get_chat_background("+15551234567")
    print("after", bg.request_id, flush=True)
    """
)


@contextlib.contextmanager
def child_python(script: str, emulator: Emulator, *, stdin: bool = False) -> Iterator[subprocess.Popen[str]]:
    """A Python child running ``script`` with the API key and the emulator's base URL as its
    arguments, with Python's own SIGINT handler whatever this process ignores, its stdout and stderr
    (and stdin, if asked) piped as text; killed if it is still running at the end of the block, and
    its pipes closed."""
    # A Python started with SIGINT ignored (under nohup, as a background job of a script, by some
    # CI runners) keeps ignoring it; Ctrl-C in a terminal reaches the default handler, as here.
    script = "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n" + script
    child = subprocess.Popen(
        [sys.executable, "-c", script, API_KEY, emulator.base_url],
        stdin=subprocess.PIPE if stdin else None, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for pipe in (child.stdin, child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()


def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for the emulator")
        time.sleep(0.005)


@pytest.mark.parametrize(
    "call, fault",
    [
        # Waiting for the answer.
        ('get_chat_background("+15551234567")', {"delay_ms": 20000}),
        # Reading a body that comes late (the head is out).
        ('get_chat_background("+15551234567")', {"body_delay_ms": 20000}),
        # Sending the body (the emulator holds the answer; the set is under way).
        ('set_chat_background("+15551234567", bytes.fromhex("89504e470d0a1a0a") + bytes(1 << 20))', {"delay_ms": 20000}),
    ],
    ids=["waiting-get", "reading-body", "waiting-set"],
)
def test_sigint_interrupts_a_blocking_call(call: str, fault: dict[str, Any], emulator: Emulator) -> None:
    with child_python(CHILD.replace("{call}", call), emulator, stdin=True) as child:
        assert child.stdin and child.stdout and child.stderr
        assert child.stdout.readline() == "ready\n"
        emulator.script(fault)
        child.stdin.write("go\n")
        child.stdin.flush()
        wait_for(lambda: len(emulator.requests()) == 2)
        time.sleep(0.2)  # well inside the call
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        line = child.stdout.readline().split()
        assert line and line[0] == "interrupted", (line, child.stderr.read() if child.poll() else "")
        latency = float(line[1]) - sent
        assert latency < 0.5, latency
        print(f"SIGINT during a held call ({call.split('(')[0]}, {fault}): KeyboardInterrupt after {latency * 1000:.0f} ms")
        # The emulator saw the client cut the request short.
        wait_for(lambda: bool(emulator.requests()[1]["client_aborted"]))
        records = emulator.requests()
        held = records[1]
        assert held["status"] in (0, fault.get("status", 200)), held
        child.stdin.write("\n")
        child.stdin.flush()
        after = child.stdout.readline().split()
        assert after[0] == "after", after
        records = emulator.requests()
        assert records[-1]["request_id"] == after[1]
        # The interrupted request's connection was dropped: the next call opened a new one.
        assert records[-1]["connection_id"] != held["connection_id"], records
        assert child.wait(timeout=10) == 0, child.stderr.read()


def test_sigint_during_a_retry_sleep(emulator: Emulator) -> None:
    """The same as above, with a client that retries: the wait is the backoff the server asked
    for, not a request in flight."""
    script = textwrap.dedent(
        """
        import sys, time, blooio_native
        client = blooio_native.Client(sys.argv[1], base_url=sys.argv[2], max_retries=2)
        print("ready", flush=True)
        try:
            client.get_chat_background("+15551234567")
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted", time.monotonic(), flush=True)
        """
    )
    emulator.script({"status": 429, "headers": {"Retry-After": "30"}})
    with child_python(script, emulator) as child:
        assert child.stdout and child.stderr
        assert child.stdout.readline() == "ready\n"
        wait_for(lambda: len(emulator.requests()) == 1)
        time.sleep(0.2)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        line = child.stdout.readline().split()
        assert line and line[0] == "interrupted", line
        latency = float(line[1]) - sent
        assert latency < 0.5, latency
        assert child.wait(timeout=10) == 0, child.stderr.read()
        assert len(emulator.requests()) == 1  # no retry went out after the interrupt
        print(f"SIGINT during a 30 s Retry-After sleep: KeyboardInterrupt after {latency * 1000:.0f} ms")


def test_a_signal_handler_that_does_not_raise_lets_the_call_finish(emulator: Emulator) -> None:
    """Only an exception from a handler cancels: a handler that just notes the signal runs
    during the call (promptly) and the call goes on."""
    script = textwrap.dedent(
        """
        import signal, sys, time, blooio_native
        seen = []
        signal.signal(signal.SIGUSR1, lambda *a: seen.append(time.monotonic()))
        client = blooio_native.Client(sys.argv[1], base_url=sys.argv[2], max_retries=0)
        print("ready", flush=True)
        bg = client.get_chat_background("+15551234567")
        print("finished", bg.attempts, seen[0] if seen else None, flush=True)
        """
    )
    emulator.script({"delay_ms": 1500})
    with child_python(script, emulator) as proc:
        assert proc.stdout and proc.stderr
        assert proc.stdout.readline() == "ready\n"
        wait_for(lambda: len(emulator.requests()) == 1)
        sent = time.monotonic()
        proc.send_signal(signal.SIGUSR1)
        words = proc.stdout.readline().split()
        assert words[:2] == ["finished", "1"], (words, proc.stderr.read())
        assert words[2] != "None" and float(words[2]) - sent < 0.5, words
        assert proc.wait(timeout=10) == 0


def test_cancelling_the_task_cancels_the_request(emulator: Emulator) -> None:
    async def main() -> List[float]:
        async with AsyncClient(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
            await client.get_chat_background(CHAT)  # a pooled connection
            emulator.script({"delay_ms": 20000})
            task = asyncio.ensure_future(client.set_chat_background(CHAT, PNG))
            while len(emulator.requests()) < 2:
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.2)
            start = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            task_latency = time.monotonic() - start
            after = await client.get_chat_background(CHAT)
            return [task_latency, float(after.attempts)]

    task_latency, attempts = asyncio.run(main())
    assert task_latency < 0.1 and attempts == 1
    wait_for(lambda: bool(emulator.requests()[1]["client_aborted"]))
    first, held, after = emulator.requests()
    assert held["method"] == "PUT" and held["status"] == 0
    assert after["connection_id"] != held["connection_id"]
    print(f"asyncio task cancel: CancelledError after {task_latency * 1000:.1f} ms")


def test_the_cancelled_request_itself_ends_promptly(emulator: Emulator) -> None:
    """What the task's cancellation does underneath: the call's handle is cancelled and the
    request ends on its thread within about 100 ms, reporting APIUserAbortError to no one
    waiting (here, to us)."""
    with Client(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
        ended: List[Any] = []

        def done(ok: bool, value: Any) -> None:
            ended.append((time.monotonic(), ok, value))

        emulator.script({"delay_ms": 20000})
        handle = client._get_chat_background_async(CHAT, done)
        wait_for(lambda: len(emulator.requests()) == 1)
        time.sleep(0.2)
        start = time.monotonic()
        handle.cancel()
        handle.cancel()  # idempotent
        wait_for(lambda: bool(ended), timeout=5)
        at, ok, value = ended[0]
        latency = at - start
        assert handle.cancelled and not ok
        assert isinstance(value, blooio_native.APIUserAbortError), value
        assert latency < 0.2, latency
        print(f"cancelled request ended on its thread after {latency * 1000:.0f} ms")
        wait_for(lambda: bool(emulator.requests()[0]["client_aborted"]))
        # A cancel after the end changes nothing.
        emulator.script()
        got: List[Any] = []
        h2 = client._get_chat_background_async(CHAT, lambda ok, v: got.append(ok))
        wait_for(lambda: bool(got))
        h2.cancel()
        assert got == [True]


def test_cancel_before_the_call_starts_sends_nothing(emulator: Emulator) -> None:
    async def main() -> None:
        async with AsyncClient(API_KEY, base_url=emulator.base_url) as client:
            task = asyncio.ensure_future(client.get_chat_background(CHAT))
            task.cancel()  # before it ever ran
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    time.sleep(0.1)
    assert emulator.requests() == []


def test_sync_calls_still_overlap_across_threads(emulator: Emulator) -> None:
    """Running each blocking call on a library thread keeps the GIL free while it waits."""
    import threading

    emulator.config(latency_ms=300)
    with Client(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
        start = time.monotonic()
        threads = [threading.Thread(target=client.get_chat_background, args=(CHAT,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
    assert elapsed < 1.5, elapsed
    assert len(emulator.requests()) == 8
