"""What the Python suites share, stdlib only: the emulator's control API over urllib, and a
thread that shows the GIL is free while a native call waits. `conftest.py` here and the ctypes
suite (tests/ctypes/support.py) both use it; each starts the emulator its own way."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from typing import Any, Dict, List, Optional


class Emulator:
    """A running blooio-emulator's control API. ``base_url`` is the API's (``.../v2/api``) or
    the bare origin the control API is served on."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.origin = base_url.split("/v2/api")[0]

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.origin}/__emulator/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"} if data is not None else {},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def script(self, *faults: Dict[str, Any]) -> None:
        """Queues faults, applied in order to the next API requests."""
        self.control("POST", "script", list(faults))

    def config(self, **changes: Any) -> Any:
        return self.control("POST", "config", changes)

    def requests(self) -> List[Dict[str, Any]]:
        result: List[Dict[str, Any]] = self.control("GET", "requests")
        return result

    def stats(self) -> Dict[str, Any]:
        result: Dict[str, Any] = self.control("GET", "stats")
        return result

    def reset(self) -> None:
        self.control("POST", "reset", {})

    def media(self, url: str) -> bytes:
        with urllib.request.urlopen(url, timeout=10) as response:
            data: bytes = response.read()
            return data


class Spinner:
    """A pure-Python thread that counts (in ``count``) for as long as it gets the GIL, with
    ``pause`` seconds between counts: started on entering the ``with`` block, stopped and joined
    on leaving it."""

    def __init__(self, pause: float = 0.0) -> None:
        self.pause = pause
        self.count = 0
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def _spin(self) -> None:
        while not self._stop.is_set():
            self.count += 1
            if self.pause:
                time.sleep(self.pause)

    def __enter__(self) -> Spinner:
        self._thread = threading.Thread(target=self._spin)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
