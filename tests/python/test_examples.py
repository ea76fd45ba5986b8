"""The example program and the README's Python snippets run as a new user would run them,
against the emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import API_KEY, GIF, ROOT, Emulator

# What the README's snippets name; the emulator judges images by their bytes, as the API does.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def _run(args: list[str], emulator: Emulator, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, BLOOIO_API_KEY=API_KEY, BLOOIO_BASE_URL=emulator.base_url)
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_example_program(emulator: Emulator, tmp_path: Path) -> None:
    image = tmp_path / "beach.gif"
    image.write_bytes(GIF)
    done = _run([str(ROOT / "examples/python/main.py"), "+15551234567", str(image)], emulator, tmp_path)
    assert done.returncode == 0, done.stderr
    set_line, get_line = done.stdout.splitlines()
    assert set_line.startswith("set:  ChatBackground(chat_id='+15551234567', has_background=True")
    assert "changed=True" in set_line
    assert get_line.startswith("get:  ChatBackground(chat_id='+15551234567', has_background=True")
    assert API_KEY not in done.stdout + done.stderr

    failed = _run([str(ROOT / "examples/python/main.py"), "+15551234567", str(tmp_path / "nope.jpg")], emulator, tmp_path)
    assert failed.returncode == 1 and failed.stderr.startswith("error: could not open")


# The Python module's own README and the project's front door: every Python block of both.
README_BLOCKS = [
    block
    for readme in ("crates/python/README.md", "README.md")
    for block in re.findall(r"```python\n(.*?)```", (ROOT / readme).read_text(), re.S)
    if "blooio_ctypes" not in block  # the ctypes binding has its own suite, tests/ctypes
]


@pytest.mark.parametrize("block", range(len(README_BLOCKS)))
def test_readme_snippet(block: int, emulator: Emulator, tmp_path: Path) -> None:
    (tmp_path / "beach.jpg").write_bytes(JPEG)
    (tmp_path / "snippet.py").write_text(README_BLOCKS[block])
    done = _run(["snippet.py"], emulator, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_readme_has_snippets() -> None:
    assert len(README_BLOCKS) >= 2
