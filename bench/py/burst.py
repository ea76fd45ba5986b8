"""`make bench`'s concurrency section, Python asyncio: N GETs at once on one event loop.

    burst.py --client native|official|httpx --base-url URL --api-key K --chat C --n N --rounds R

Prints one JSON object: the wall time of each round's burst (ns). One warm-up burst first, so
that connections and threads exist. Retries are off where the library has them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.parse


def client_for(name: str, base_url: str, key: str):  # type: ignore[no-untyped-def]
    if name == "native":
        import blooio_native

        c = blooio_native.AsyncClient(key, base_url=base_url, max_retries=0)
        return c.get_chat_background, c.close
    if name == "official":
        import blooio

        o = blooio.AsyncBlooio(api_key=key, base_url=base_url, max_retries=0)
        return o.chats.background.retrieve, o.close
    if name == "httpx":
        import httpx

        h = httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"},
                              limits=httpx.Limits(max_connections=None, max_keepalive_connections=None))

        async def get(chat: str) -> object:
            r = await h.get(f"{base_url}/chats/{urllib.parse.quote(chat, safe='')}/background")
            r.raise_for_status()
            return r.json()

        return get, h.aclose
    raise SystemExit(f"unknown client {name}")


async def main(a: argparse.Namespace) -> dict:
    get, close = client_for(a.client, a.base_url, a.api_key)
    rounds = []
    for r in range(a.rounds + 1):
        t0 = time.perf_counter_ns()
        await asyncio.gather(*(get(a.chat) for _ in range(a.n)))
        if r > 0:
            rounds.append(time.perf_counter_ns() - t0)
    result = close()
    if asyncio.iscoroutine(result):
        await result
    return {"client": a.client, "n": a.n, "wall_ns": rounds}


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    for opt in ("--client", "--base-url", "--api-key", "--chat"):
        p.add_argument(opt, required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--rounds", type=int, default=3)
    print(json.dumps(asyncio.run(main(p.parse_args()))))
