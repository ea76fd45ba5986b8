"""Issue 7.4 through Python: 8 threads x 2,000 requests on one client against the emulator with a
share of 502s; no unexpected error, and RSS after the run within 1 MiB of RSS after warm-up.

`make soak-python` runs this file alone; `make test` runs it too. BLOOIO_SOAK_REQUESTS sets the
requests per thread (default 2,000).
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from typing import Any

import pytest
from conftest import API_KEY, GIF, PNG, Emulator

import blooio_native as bn

THREADS = 8
PER_THREAD = int(os.environ.get("BLOOIO_SOAK_REQUESTS", "2000"))
WARM_UP = 250  # requests per thread before the first measurement
MIB = 1024 * 1024


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def settle() -> int:
    gc.collect()
    time.sleep(0.2)  # let idle pooled connections and freed buffers settle
    gc.collect()
    return rss_bytes()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads RSS from /proc")
@pytest.mark.timeout(600)
def test_soak(emulator: Emulator) -> None:
    # Two kinds of 502: every 500th request (the client backs off 0.5 s and retries), and a
    # stream of scripted ones that ask for a 1 ms wait (Retry-After honoured).
    emulator.config(fail_every={"n": 500, "status": 502})
    scripted_502 = {"status": 502, "headers": {"retry-after-ms": "1"}}
    # Enough retries that two faults in a row for one call cannot make a flaky failure.
    client = bn.Client(API_KEY, base_url=emulator.base_url, max_retries=4, timeout=30)

    errors: list[BaseException] = []
    done = threading.Event()
    phase = threading.Barrier(THREADS + 1)  # the workers and this thread
    counts = [0] * THREADS
    started = time.monotonic()

    def requests(worker: int, n: int) -> None:
        for i in range(n):
            chat = f"+1555{worker:03d}{i % 50:04d}"
            kind = i % 4
            if kind == 0:
                bg = client.set_chat_background(chat, PNG if i % 8 else GIF)
                assert bg.has_background is True
            elif kind == 1:
                bg = client.set_chat_background(chat, bytearray(PNG))
                assert bg.changed is not None
            else:
                bg = client.get_chat_background(chat)
                assert bg.chat_id == chat
            counts[worker] += 1

    def worker(worker_id: int) -> None:
        try:
            requests(worker_id, WARM_UP)
            phase.wait()  # warm-up done: measure
            phase.wait()  # measured: go
            requests(worker_id, PER_THREAD)
        except BaseException as e:  # reported below
            errors.append(e)
            phase.abort()

    def chaos() -> None:
        # One fault at a time, so no call meets more than the odd two in a row (pauses included).
        while not done.wait(0.01):
            if emulator.stats()["queued_faults"] == 0:
                emulator.script(scripted_502)

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    chaos_thread = threading.Thread(target=chaos)
    chaos_thread.start()
    try:
        for t in workers:
            t.start()
        phase.wait()
        rss_warm = settle()
        before: dict[str, Any] = emulator.stats()
        started = time.monotonic()
        phase.wait()
    except threading.BrokenBarrierError:
        pass  # a worker failed: its error is reported below
    finally:
        for t in workers:
            t.join()
        elapsed = time.monotonic() - started
        done.set()
        chaos_thread.join()
    assert errors == [], errors[:3]
    after: dict[str, Any] = emulator.stats()
    rss_end = settle()
    client.close()

    assert sum(counts) == THREADS * (WARM_UP + PER_THREAD)
    sent = after["requests"] - before["requests"]
    retried = sent - THREADS * PER_THREAD
    growth = rss_end - rss_warm
    report = (
        f"soak: {THREADS} threads x {PER_THREAD} calls in {elapsed:.1f}s ({sent} HTTP requests, "
        f"{retried} of them retries after a 502); RSS after warm-up {rss_warm / MIB:.2f} MiB, "
        f"after the run {rss_end / MIB:.2f} MiB, growth {growth / 1024:+.0f} KiB"
    )
    print(report)
    # At least one 502 in every 500 requests, each answered with a retry that succeeded.
    assert retried >= THREADS * PER_THREAD // 500, report
    assert growth < MIB, report
