"""Fixtures: one emulator process for the session, reset before each test, driven through its
control API with urllib (emulator_control.py). This file builds nothing: `make test-python`
builds the emulator and passes its path in BLOOIO_EMULATOR."""

from __future__ import annotations

import os
import struct
import subprocess
import time
import zlib
from pathlib import Path
from typing import Iterator

import pytest

import blooio_native
from emulator_control import Emulator

# Distinctive, so that a leak is easy to search for.
API_KEY = "bl_test_K3Y-must-never-leak-9f2c41"
ROOT = Path(__file__).resolve().parents[2]


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


PNG = _png(2, 2, (255, 0, 0))
PNG_OTHER = _png(3, 1, (0, 0, 255))
# A 1x1 GIF.
GIF = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


# Everything here talks to the emulator on loopback; a proxy from the environment must not
# intercept it (urllib and the native client would both use one).
for _var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
    os.environ.pop(_var, None)


def _emulator_path() -> Path:
    explicit = os.environ.get("BLOOIO_EMULATOR")
    if explicit:
        return Path(explicit)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "blooio-emulator"


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    path = _emulator_path()
    if not path.exists():
        pytest.fail(f"no emulator at {path}: run `make test-python`, or set BLOOIO_EMULATOR")
    logs = tmp_path_factory.mktemp("emulator")
    out_path, err_path = logs / "stdout", logs / "stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        # --exit-on-stdin-eof: if this process dies, the emulator goes with it.
        process = subprocess.Popen(
            [str(path), "--listen", "127.0.0.1:0", "--api-key", API_KEY, "--exit-on-stdin-eof"],
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 30
        while b"\n" not in out_path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the emulator did not start: {err_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.01)
        base_url = out_path.read_text().splitlines()[0].strip()
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/v2/api"), base_url
        yield Emulator(base_url)
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def emulator(emulator_process: Emulator) -> Emulator:
    """The session's emulator, fresh: no backgrounds, faults, records, latency or rules."""
    emulator_process.reset()
    return emulator_process


@pytest.fixture
def client(emulator: Emulator) -> Iterator[blooio_native.Client]:
    with blooio_native.Client(API_KEY, base_url=emulator.base_url, max_retries=0) as c:
        yield c


@pytest.fixture
def png_file(tmp_path: Path) -> Path:
    path = tmp_path / "background.png"
    path.write_bytes(PNG)
    return path


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests say what they mean: no key or base URL from the environment."""
    monkeypatch.delenv("BLOOIO_API_KEY", raising=False)
    monkeypatch.delenv("BLOOIO_BASE_URL", raising=False)
