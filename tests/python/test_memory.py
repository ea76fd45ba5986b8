"""An upload from a path is streamed: peak memory does not grow with the file's size.

Measured in a fresh interpreter (so nothing else in the test session moves the high-water mark)
from /proc/self/status VmHWM, around a 10 MiB upload. The same process then uploads the file as
bytes, which must show a copy: that proves the measurement can see one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import API_KEY, PNG, Emulator

MIB = 1024 * 1024

PROBE = """
import json, sys, blooio_native

def hwm_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

base_url, key, small, big = sys.argv[1:5]
with blooio_native.Client(key, base_url=base_url, max_retries=0) as client:
    client.set_chat_background("grp_mem", small)  # warm up: connection, buffers
    before = hwm_kib()
    client.set_chat_background("grp_mem", big)
    streamed = hwm_kib() - before
    before = hwm_kib()
    with open(big, "rb") as f:
        data = f.read()
    client.set_chat_background("grp_mem2", data)
    from_bytes = hwm_kib() - before
print(json.dumps({"streamed_kib": streamed, "bytes_kib": from_bytes}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_path_upload_does_not_grow_with_the_file(emulator: Emulator, tmp_path: Path) -> None:
    small = tmp_path / "small.png"
    small.write_bytes(PNG)
    big = tmp_path / "big.png"
    with open(big, "wb") as f:
        f.write(PNG[:16])
        f.truncate(10 * MIB - 4096)  # sparse: the filler costs no disk
    done = subprocess.run(
        [sys.executable, "-c", PROBE, emulator.base_url, API_KEY, str(small), str(big)],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    growth = json.loads(done.stdout)
    assert growth["streamed_kib"] < 2 * 1024, growth
    # The control: the same file read into memory shows up, so the first figure means something.
    assert growth["bytes_kib"] > 9 * 1024, growth
