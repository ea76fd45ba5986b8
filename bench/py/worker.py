"""One Python measurement per process; bench/run.py starts it and reads one JSON line.

    worker.py get   --clients native,official,requests,httpx COMMON --warmup N --calls N --rounds N
    worker.py put   --client NAME COMMON --file PATH --uploads N
    worker.py scale --client NAME COMMON --threads N --calls-per-thread N --rounds N
    COMMON: --base-url URL --api-key KEY --chat ID

Every client is used the way its documentation shows: one long-lived client (one connection
pool), keep-alive, the response decoded into the library's own result type (a dict for
requests/httpx). Retries are switched off where the library has them, so failures show.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import threading
import time
from typing import Any


def peak_rss_kib() -> int:
    """VmHWM of this process, in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


class Native:
    """blooio_native: this project's module."""

    def __init__(self, base_url: str, key: str) -> None:
        import blooio_native

        self.client = blooio_native.Client(key, base_url=base_url, max_retries=0)

    def get(self, chat: str) -> object:
        return self.client.get_chat_background(chat)

    def put(self, chat: str, path: str) -> object:
        return self.client.set_chat_background(chat, path)


class Official:
    """The official `blooio` SDK from PyPI (httpx + pydantic underneath)."""

    def __init__(self, base_url: str, key: str) -> None:
        import blooio

        self.client = blooio.Blooio(api_key=key, base_url=base_url, max_retries=0)

    def get(self, chat: str) -> object:
        return self.client.chats.background.retrieve(chat)

    def put(self, chat: str, path: str) -> object:
        # A path is what a user has; the SDK takes a PathLike (and reads it whole).
        return self.client.chats.background.set(chat, background=pathlib.Path(path))


class _Raw:
    """Shared by requests and httpx used directly: the URL and headers built once, and the two
    calls, written against what both libraries' sessions offer alike (``self.http``)."""

    http: Any

    def __init__(self, base_url: str, key: str) -> None:
        self.base_url = base_url
        self.headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}

    def url(self, chat: str) -> str:
        return f"{self.base_url}/chats/{chat}/background"

    def get(self, chat: str) -> object:
        r = self.http.get(self.url(chat))
        r.raise_for_status()
        return r.json()

    def put(self, chat: str, path: str) -> object:
        with open(path, "rb") as f:
            files = {"background": (os.path.basename(path), f, "image/png")}
            r = self.http.put(self.url(chat), files=files)
        r.raise_for_status()
        return r.json()


class Requests(_Raw):
    def __init__(self, base_url: str, key: str) -> None:
        import requests

        super().__init__(base_url, key)
        self.http = requests.Session()
        self.http.headers.update(self.headers)


class Httpx(_Raw):
    def __init__(self, base_url: str, key: str) -> None:
        import httpx

        super().__init__(base_url, key)
        self.http = httpx.Client(headers=self.headers)


CLIENTS = {"native": Native, "official": Official, "requests": Requests, "httpx": Httpx}


def cmd_get(a: argparse.Namespace) -> dict:
    """Per-call GET time; the clients' rounds interleave so a drifting machine hits all alike."""
    names = a.clients.split(",")
    clients = {n: CLIENTS[n](a.base_url, a.api_key) for n in names}
    for c in clients.values():
        for _ in range(a.warmup):
            c.get(a.chat)
    per_call_ns: dict[str, list[float]] = {n: [] for n in names}
    cpu_per_call_ns: dict[str, list[float]] = {n: [] for n in names}
    perf, cpu = time.perf_counter_ns, time.process_time_ns  # cpu: every thread of the process
    for _ in range(a.rounds):
        for n, c in clients.items():
            get, chat, calls = c.get, a.chat, a.calls
            start, cpu_start = perf(), cpu()
            for _ in range(calls):
                get(chat)
            cpu_end = cpu()
            per_call_ns[n].append((perf() - start) / calls)
            cpu_per_call_ns[n].append((cpu_end - cpu_start) / calls)
    return {"per_call_ns": per_call_ns, "cpu_per_call_ns": cpu_per_call_ns}


def _close(client: object) -> None:
    inner = getattr(client, "client", None) or getattr(client, "session", None)
    if inner is not None:
        inner.close()


def cmd_cold(a: argparse.Namespace) -> dict:
    """Cold start, `--calls` times per client: a new client (its TLS context and trust roots)
    and its first GET (a new connection, over HTTPS a full handshake). One untimed round first,
    so module imports are not counted: `make bench` measures those on their own."""
    names = a.clients.split(",")
    for n in names:
        c = CLIENTS[n](a.base_url, a.api_key)
        c.get(a.chat)
        _close(c)
    per_call_ns: dict[str, list[float]] = {n: [] for n in names}
    cpu_per_call_ns: dict[str, list[float]] = {n: [] for n in names}
    perf, cpu = time.perf_counter_ns, time.process_time_ns
    for _ in range(a.calls):
        for n in names:
            start, cpu_start = perf(), cpu()
            c = CLIENTS[n](a.base_url, a.api_key)
            c.get(a.chat)
            cpu_end, end = cpu(), perf()
            _close(c)
            per_call_ns[n].append(end - start)
            cpu_per_call_ns[n].append(cpu_end - cpu_start)
    return {"per_call_ns": per_call_ns, "cpu_per_call_ns": cpu_per_call_ns}


def cmd_put(a: argparse.Namespace) -> dict:
    """Uploads from a path; peak RSS over an idle client that has made one request."""
    client = CLIENTS[a.client](a.base_url, a.api_key)
    client.get(a.chat)
    idle = peak_rss_kib()
    per_upload_ns = []
    for _ in range(a.uploads):
        start = time.perf_counter_ns()
        client.put(a.chat, a.file)
        per_upload_ns.append(time.perf_counter_ns() - start)
    return {
        "client": a.client,
        "file_bytes": os.path.getsize(a.file),
        "hwm_idle_kib": idle,
        "hwm_after_kib": peak_rss_kib(),
        "per_upload_ns": per_upload_ns,
    }


def cmd_scale(a: argparse.Namespace) -> dict:
    """The same GETs on one thread, then on `threads` threads sharing one client."""
    client = CLIENTS[a.client](a.base_url, a.api_key)
    threads, per_thread, chat = a.threads, a.calls_per_thread, a.chat
    errors: list[BaseException] = []

    def worker(barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            for _ in range(per_thread):
                client.get(chat)
        except BaseException as e:  # reported below, never swallowed
            errors.append(e)

    def parallel() -> int:
        barrier = threading.Barrier(threads + 1)
        pool = [threading.Thread(target=worker, args=(barrier,)) for _ in range(threads)]
        for t in pool:
            t.start()
        barrier.wait()
        start = time.perf_counter_ns()
        for t in pool:
            t.join()
        elapsed = time.perf_counter_ns() - start
        if errors:
            raise errors[0]
        return elapsed

    def serial() -> int:
        start = time.perf_counter_ns()
        for _ in range(threads * per_thread):
            client.get(chat)
        return time.perf_counter_ns() - start

    parallel()  # warm-up: as many pooled connections as threads
    serial_ns, parallel_ns = [], []
    for _ in range(a.rounds):
        serial_ns.append(serial())
        parallel_ns.append(parallel())
    return {
        "client": a.client,
        "threads": threads,
        "requests": threads * per_thread,
        "serial_ns": serial_ns,
        "parallel_ns": parallel_ns,
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["get", "put", "scale", "cold"])
    p.add_argument("--base-url", required=True)
    p.add_argument("--api-key", required=True)
    p.add_argument("--chat", required=True)
    p.add_argument("--clients", default="native")
    p.add_argument("--client", default="native")
    p.add_argument("--warmup", type=int, default=200)
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--file")
    p.add_argument("--uploads", type=int, default=1)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--calls-per-thread", type=int, default=4)
    a = p.parse_args()
    result = {"get": cmd_get, "put": cmd_put, "scale": cmd_scale, "cold": cmd_cold}[a.command](a)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
