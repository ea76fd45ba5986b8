"""A client shared across fork(): created (and its pool warmed) before the fork, used after it
by the parent and every child at once. Every answer must name the chat its own process asked
for; a child that used an inherited keep-alive connection would share one socket with the
parent, and answers would cross or fail to parse. The emulator echoes the chat id it was asked
about, so a crossed answer is seen."""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import API_KEY, Emulator

import blooio_native

CHILDREN = 4
CALLS = 200
ROUNDS = 3


def _hammer(client: blooio_native.Client, chat: str, calls: int = CALLS) -> list[str]:
    """`calls` GETs of `chat`; what went wrong (empty when every answer was its own)."""
    bad = []
    for _ in range(calls):
        try:
            got = client.get_chat_background(chat).chat_id
        except blooio_native.BlooioError as e:
            bad.append(f"{type(e).__name__}: {e}")
            continue
        if got != chat:
            bad.append(f"answer for {got!r}")
    return bad


def test_os_fork_parent_and_children_get_their_own_answers(emulator: Emulator) -> None:
    with blooio_native.Client(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
        parent_chat = "+15553000000"
        for round_ in range(ROUNDS):
            # A warm pool of several connections, as a threaded server's would be.
            with ThreadPoolExecutor(4) as pool:
                assert not any(pool.map(lambda _: _hammer(client, parent_chat, 5), range(4)))
            pids = []
            for i in range(CHILDREN):
                pid = os.fork()
                if pid == 0:  # the child: report through the exit status only
                    code = 1
                    try:
                        bad = _hammer(client, f"+155531{round_:02d}{i:03d}")
                        if bad:
                            print(f"child {i}: {len(bad)} wrong or failed: {bad[:3]}", file=sys.stderr)
                        code = 0 if not bad else 1
                    finally:
                        os._exit(code)
                pids.append(pid)
            parent_bad = _hammer(client, parent_chat)
            statuses = [os.waitpid(pid, 0)[1] for pid in pids]
            assert not parent_bad, parent_bad[:5]
            assert [os.waitstatus_to_exitcode(s) for s in statuses] == [0] * CHILDREN

    requests = emulator.requests()
    parent_connections = {r["connection_id"] for r in requests if r["chat_id"] == parent_chat}
    for round_ in range(ROUNDS):
        for i in range(CHILDREN):
            chat = f"+155531{round_:02d}{i:03d}"
            mine = [r for r in requests if r["chat_id"] == chat]
            assert len(mine) == CALLS
            assert not {r["connection_id"] for r in mine} & parent_connections, chat


# multiprocessing's fork context: the pool's workers inherit the module-level client.
_module_client: blooio_native.Client | None = None


def _worker(chat: str) -> tuple[int, list[str]]:
    assert _module_client is not None
    return os.getpid(), _hammer(_module_client, chat, 50)


def test_multiprocessing_fork_pool_workers_get_their_own_answers(emulator: Emulator) -> None:
    global _module_client
    _module_client = blooio_native.Client(API_KEY, base_url=emulator.base_url, max_retries=0)
    try:
        assert not _hammer(_module_client, "+15553200000", 5)  # warm
        chats = [f"+155532{i:05d}" for i in range(16)]
        with multiprocessing.get_context("fork").Pool(CHILDREN) as pool:
            results = pool.map(_worker, chats, chunksize=1)
        assert not [bad for _, bad in results if bad]
        assert len({pid for pid, _ in results} - {os.getpid()}) > 1, "the work ran in several workers"
        assert not _hammer(_module_client, "+15553200000", 20), "the parent's client still works"
    finally:
        _module_client.close()
        _module_client = None


APP = """
import os
import blooio_native

# Created and used at import: gunicorn --preload imports this in the master, before it forks.
client = blooio_native.Client(os.environ["APP_API_KEY"], base_url=os.environ["APP_BASE_URL"], max_retries=0)
client.get_chat_background("+15553300000")


def app(environ, start_response):
    chat = environ["QUERY_STRING"].replace("%2B", "+")
    try:
        body = f"{os.getpid()} {client.get_chat_background(chat).chat_id}".encode()
        status = "200 OK"
    except blooio_native.BlooioError as e:
        body, status = f"{os.getpid()} error {e}".encode(), "500 Internal Server Error"
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.timeout(120)
def test_gunicorn_preload_workers_share_a_module_level_client(emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "fork_app.py").write_text(textwrap.dedent(APP))
    port = _free_port()
    env = {**os.environ, "APP_API_KEY": API_KEY, "APP_BASE_URL": emulator.base_url}
    gunicorn = [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(CHILDREN)]
    gunicorn += ["--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--chdir", str(tmp_path)]
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as err:
        server = subprocess.Popen([*gunicorn, "fork_app:app"], env=env, stderr=err)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)

        def ask(n: int) -> tuple[str, str, str]:
            chat = f"+155533{n:05d}"
            url = f"http://127.0.0.1:{port}/?{chat.replace('+', '%2B')}"
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    pid, answer = response.read().decode().split(" ", 1)
            except urllib.error.HTTPError as e:
                pid, answer = e.read().decode().split(" ", 1)
            return chat, pid, answer

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(ask, range(800)))
        wrong = [(chat, answer) for chat, _, answer in answers if answer != chat]
        assert not wrong, f"{len(wrong)} of {len(answers)} answers wrong: {wrong[:5]}"
        assert len({pid for _, pid, _ in answers}) > 1, "the requests were served by several workers"
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_parent_keeps_its_connections_while_children_come_and_go(emulator: Emulator) -> None:
    """Children that re-arm do not disturb the parent: its kept-alive connection carries on."""
    with blooio_native.Client(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
        assert not _hammer(client, "+15553400000", 3)
        pid = os.fork()
        if pid == 0:
            os._exit(0 if not _hammer(client, "+15553400001", 10) else 1)
        assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
        assert not _hammer(client, "+15553400000", 3)
    parent = [r["connection_id"] for r in emulator.requests() if r["chat_id"] == "+15553400000"]
    assert len(set(parent)) == 1, "the parent reused its one connection throughout"
