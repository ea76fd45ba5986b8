"""Client and ChatBackground against the emulator: each method, each kind of image input."""

from __future__ import annotations

import copy
import inspect
import io
import mmap
import pickle
import subprocess
import sys
from array import array
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import API_KEY, GIF, PNG, PNG_OTHER, Emulator

import blooio_native
from blooio_native import ChatBackground, Client

PHONE = "+15551234567"


def test_get_before_any_set(client: Client, emulator: Emulator) -> None:
    bg = client.get_chat_background(PHONE)
    assert isinstance(bg, ChatBackground)
    assert bg.chat_id == PHONE
    assert bg.has_background is False
    assert (bg.background_id, bg.background_url, bg.background_version) == (None, None, None)
    assert bg.changed is None  # only a set answers `changed`

    (sent,) = emulator.requests()
    assert sent["method"] == "GET"
    assert sent["raw_path"] == "/v2/api/chats/%2B15551234567/background"
    headers = dict(sent["headers"])
    assert headers["authorization"] == f"Bearer {API_KEY}"
    ua = headers["user-agent"]
    assert ua.startswith(f"blooio-native/{blooio_native.__version__} ")
    assert ua == f"blooio-native/{blooio_native.__version__} blooio-python/{blooio_native.__version__}"


def test_set_then_get(client: Client, emulator: Emulator, png_file: Path) -> None:
    first = client.set_chat_background(PHONE, png_file)
    assert first.changed is True and first.has_background is True
    assert first.background_version == 1
    assert first.background_id and first.background_url
    assert emulator.media(first.background_url) == PNG  # exactly the file's bytes arrived

    again = client.set_chat_background(PHONE, png_file)
    assert again.changed is False and again.background_version == 1

    other = client.set_chat_background(PHONE, GIF)
    assert other.changed is True and other.background_version == 2

    now = client.get_chat_background(PHONE)
    assert now.background_id == other.background_id
    assert now.changed is None
    assert now == ChatBackground(**{**other.to_dict(), "changed": None})

    put = emulator.requests()[0]
    assert put["method"] == "PUT"
    (part,) = put["parts"]
    assert part == {"name": "background", "filename": "background.png", "content_type": "image/png", "len": len(PNG)}


def _file_object(path: Path) -> Any:
    return open(path, "rb")  # closed by the test


# Each image form the API documents, and the ones that come with the buffer protocol.
IMAGE_FORMS: dict[str, Callable[[Path], Any]] = {
    "str": lambda p: str(p),
    "Path": lambda p: p,
    "bytes": lambda p: p.read_bytes(),
    "bytearray": lambda p: bytearray(p.read_bytes()),
    "memoryview": lambda p: memoryview(p.read_bytes()),
    "memoryview-slice": lambda p: memoryview(b"xx" + p.read_bytes())[2:],
    "array": lambda p: array("B", p.read_bytes()),
    "BytesIO": lambda p: io.BytesIO(p.read_bytes()),
    "file": _file_object,
    "unbuffered-file": lambda p: open(p, "rb", buffering=0),
}


@pytest.mark.parametrize("form", list(IMAGE_FORMS))
def test_each_image_input(form: str, client: Client, emulator: Emulator, png_file: Path) -> None:
    image = IMAGE_FORMS[form](png_file)
    try:
        bg = client.set_chat_background(PHONE, image)
    finally:
        if hasattr(image, "close"):
            image.close()
    assert bg.changed is True
    assert bg.background_url is not None and emulator.media(bg.background_url) == PNG
    (part,) = emulator.requests()[0]["parts"]
    assert (part["len"], part["content_type"]) == (len(PNG), "image/png")
    # png_file is named background.png, which is also the name given to data in memory.
    assert part["filename"] == "background.png"


def test_path_upload_sends_the_files_own_name(client: Client, emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "holiday photo.gif"
    path.write_bytes(GIF)
    client.set_chat_background(PHONE, path)
    (part,) = emulator.requests()[0]["parts"]
    assert (part["filename"], part["content_type"]) == ("holiday photo.gif", "image/gif")


def test_file_object_is_read_from_its_position(client: Client, emulator: Emulator) -> None:
    stream = io.BytesIO(b"header-to-skip" + PNG)
    stream.seek(len(b"header-to-skip"))
    bg = client.set_chat_background(PHONE, stream)
    assert bg.background_url is not None and emulator.media(bg.background_url) == PNG
    assert stream.read() == b""  # read to its end


def test_mmap_is_sent_whole(client: Client, emulator: Emulator, png_file: Path) -> None:
    with open(png_file, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        bg = client.set_chat_background(PHONE, m)
    assert bg.background_url is not None and emulator.media(bg.background_url) == PNG


def test_bytearray_changed_after_the_call_does_not_matter(client: Client, emulator: Emulator) -> None:
    data = bytearray(PNG)
    bg = client.set_chat_background(PHONE, data)
    data[:] = PNG_OTHER
    assert bg.background_url is not None and emulator.media(bg.background_url) == PNG


def test_chat_ids_are_encoded_as_one_segment(client: Client, emulator: Emulator) -> None:
    for chat_id in ["user@example.com", "grp_abc123", "+15551234567,+15557654321", "chat_a1b2c3d4"]:
        assert client.get_chat_background(chat_id).chat_id == chat_id
    paths = [r["raw_path"] for r in emulator.requests()]
    assert paths == [
        "/v2/api/chats/user%40example.com/background",
        "/v2/api/chats/grp_abc123/background",
        "/v2/api/chats/%2B15551234567%2C%2B15557654321/background",
        "/v2/api/chats/chat_a1b2c3d4/background",
    ]


def test_environment_supplies_key_and_base_url(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BLOOIO_API_KEY", API_KEY)
    monkeypatch.setenv("BLOOIO_BASE_URL", emulator.base_url + "/")
    with Client() as client:
        assert client.base_url == emulator.base_url  # trailing slash trimmed
        assert client.get_chat_background(PHONE).has_background is False


def test_settings_and_defaults(emulator: Emulator) -> None:
    client = Client(API_KEY, base_url=emulator.base_url)
    # The defaults are the core's; the documented signature must agree with them.
    params = inspect.signature(Client).parameters
    assert client.timeout == params["timeout"].default == 60.0
    assert client.connect_timeout == params["connect_timeout"].default == 5.0
    assert client.max_retries == params["max_retries"].default == 2
    # AsyncClient restates Client's parameters (typed, for help() and type checkers): all of
    # them, in order, with the same kinds and defaults.
    async_params = inspect.signature(blooio_native.AsyncClient).parameters
    assert list(async_params) == list(params)
    for name, param in async_params.items():
        assert param.default == params[name].default, name
        assert param.kind == params[name].kind, name
    custom = Client(API_KEY, base_url=emulator.base_url, timeout=1.5, connect_timeout=0.25, max_retries=0)
    assert (custom.timeout, custom.connect_timeout, custom.max_retries) == (1.5, 0.25, 0)
    assert repr(custom) == (
        f"Client(base_url={emulator.base_url!r}, timeout=1.5, connect_timeout=0.25, max_retries=0)"
    )


def test_context_manager_and_close(emulator: Emulator) -> None:
    with Client(API_KEY, base_url=emulator.base_url) as client:
        assert not client.closed
        client.get_chat_background(PHONE)
    assert client.closed
    assert repr(client).endswith("closed=True)")
    with pytest.raises(blooio_native.InvalidArgumentError, match="closed") as info:
        client.get_chat_background(PHONE)
    assert info.value.attempts == 0
    client.close()  # twice is fine
    assert len(emulator.requests()) == 1


def test_chat_background_value_semantics() -> None:
    fields: dict[str, Any] = {
        "chat_id": "+15551234567",
        "has_background": True,
        "background_id": "bg_1",
        "background_url": "https://example.com/x.png",
        "background_version": 3,
        "changed": False,
    }
    bg = ChatBackground(**fields)
    assert bg.to_dict() == fields
    assert list(bg.to_dict()) == list(fields)  # a stable order
    assert bg == ChatBackground(**fields) and hash(bg) == hash(ChatBackground(**fields))
    assert bg != ChatBackground(**{**fields, "changed": None})
    assert bg != fields and bg != "x"
    assert len({bg, ChatBackground(**fields)}) == 1
    assert eval(repr(bg), {"ChatBackground": ChatBackground}) == bg
    assert repr(ChatBackground()) == (
        "ChatBackground(chat_id=None, has_background=None, background_id=None, "
        "background_url=None, background_version=None, changed=None, request_id=None, attempts=0)"
    )
    assert pickle.loads(pickle.dumps(bg)) == bg
    assert copy.deepcopy(bg) == bg and copy.copy(bg) == bg
    with pytest.raises(AttributeError):
        bg.chat_id = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        bg.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        ChatBackground("positional")  # type: ignore[misc]
    d = bg.to_dict()
    d["chat_id"] = "changed"
    assert bg.chat_id == "+15551234567"  # to_dict hands out a copy


def test_package_surface() -> None:
    assert blooio_native.__version__ and blooio_native.__version__[0].isdigit()
    for name in blooio_native.__all__:
        assert hasattr(blooio_native, name), name
    package = Path(blooio_native.__file__).parent
    assert (package / "py.typed").exists() and (package / "_native.pyi").exists()
    assert blooio_native.Client.__module__ == "blooio_native"
    assert blooio_native.AuthenticationError.__module__ == "blooio_native"


def test_import_is_light() -> None:
    """The official SDK takes about 0.2 s to import; this one loads no third-party code and
    not even `typing` or `asyncio` (the AsyncClient imports asyncio when first awaited)."""
    script = (
        "import sys, time\n"
        "before = set(sys.modules)\n"
        "t = time.perf_counter()\n"
        "import blooio_native\n"
        "elapsed = time.perf_counter() - t\n"
        "print(elapsed)\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    elapsed, loaded = out.splitlines()
    added = set(loaded.split())
    assert {"typing", "asyncio", "json", "re", "threading"}.isdisjoint(added), added
    assert {m for m in added if not m.startswith("blooio_native")} <= {"__future__"}, added
    assert float(elapsed) < 0.1, elapsed
    print(f"import blooio_native: {float(elapsed) * 1000:.1f} ms")
