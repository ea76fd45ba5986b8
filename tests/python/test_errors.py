"""Every exception class from real emulator answers; bad input refused with nothing sent; the key
never in any repr, str or exception."""

from __future__ import annotations

import asyncio
import errno
import io
import pickle
import socket
import traceback
from pathlib import Path
from typing import Any

import pytest
from conftest import API_KEY, PNG, Emulator

import blooio_native as bn
from blooio_native import Client

PHONE = "+15551234567"
COMMON = (bn.BlooioError, bn.APIError)


def _caught(call: Any, *args: Any) -> bn.BlooioError:
    with pytest.raises(bn.BlooioError) as info:
        call(*args)
    return info.value


def _assert_no_key(*things: object) -> None:
    for thing in things:
        if isinstance(thing, BaseException):
            texts = [str(thing), repr(thing), repr(thing.args), repr(vars(thing))]
            texts.append("".join(traceback.format_exception(type(thing), thing, thing.__traceback__)))
        else:
            texts = [str(thing), repr(thing)]
        for text in texts:
            assert API_KEY not in text
            assert API_KEY[8:20] not in text  # nor a recognisable piece of it


# (scripted fault, expected class, expected status) with no retries: one attempt each.
STATUS_CASES = [
    ({"status": 400}, bn.BadRequestError, 400),
    ({"status": 401}, bn.AuthenticationError, 401),
    ({"status": 403}, bn.APIStatusError, 403),
    ({"status": 404}, bn.APIStatusError, 404),
    ({"status": 409}, bn.APIStatusError, 409),
    ({"status": 413}, bn.APIStatusError, 413),
    ({"status": 429, "headers": {"Retry-After": "7"}}, bn.RateLimitError, 429),
    ({"status": 500}, bn.InternalServerError, 500),
    ({"status": 502}, bn.DeviceError, 502),
    ({"status": 503}, bn.NoActiveNumberError, 503),
    ({"status": 504}, bn.InternalServerError, 504),
    ({"status": 302, "headers": {"Location": "https://elsewhere.example/steal"}}, bn.APIStatusError, 302),
]


@pytest.mark.parametrize(("fault", "cls", "status"), STATUS_CASES, ids=[str(c[2]) for c in STATUS_CASES])
@pytest.mark.parametrize("method", ["get", "set"])
def test_status_errors(
    fault: dict[str, Any], cls: type[bn.APIStatusError], status: int, method: str, client: Client, emulator: Emulator
) -> None:
    emulator.script(fault)
    if method == "get":
        error = _caught(client.get_chat_background, PHONE)
    else:
        error = _caught(client.set_chat_background, PHONE, PNG)
    assert type(error) is cls
    assert isinstance(error, bn.APIStatusError) and isinstance(error, COMMON)
    assert not isinstance(error, ValueError)
    assert error.status_code == status
    assert error.attempts == 1
    assert error.request_id is not None and error.request_id.startswith("req_")
    assert error.request_id == emulator.requests()[0]["request_id"]
    assert str(error) == error.message == error.args[0]
    assert error.body is not None
    if status != 302:  # the emulator's standard JSON error body
        assert error.code is not None and error.server_message is not None
        assert error.server_message in str(error)
    if status == 429:
        assert error.retry_after == 7.0
    assert len(emulator.requests()) == 1  # a redirect is not followed
    _assert_no_key(error)


def test_wrong_key_is_an_authentication_error(emulator: Emulator) -> None:
    with Client("bl_test_not-the-right-key", base_url=emulator.base_url) as client:
        error = _caught(client.get_chat_background, PHONE)
    assert type(error) is bn.AuthenticationError
    assert error.server_message == "invalid API key" and error.code == "UNAUTHORIZED"
    assert error.attempts == 1  # 401 is not retried
    assert "bl_test_not-the-right-key" not in repr(vars(error)) + str(error)


def test_no_active_number_from_the_server(client: Client, emulator: Emulator) -> None:
    emulator.config(no_active_number=True)
    error = _caught(client.get_chat_background, PHONE)
    assert type(error) is bn.NoActiveNumberError and error.code == "NO_ACTIVE_NUMBER"


def test_html_error_page(client: Client, emulator: Emulator) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    emulator.script({"status": 502, "headers": {"Content-Type": "text/html"}, "body": html})
    error = _caught(client.get_chat_background, PHONE)
    assert type(error) is bn.DeviceError
    assert error.body == html and error.code is None
    assert error.server_message is not None and "502 Bad Gateway" in error.server_message


def test_retries_are_counted_in_attempts(emulator: Emulator) -> None:
    with Client(API_KEY, base_url=emulator.base_url) as client:  # 2 retries by default
        emulator.script({"status": 502, "headers": {"retry-after-ms": "1"}, "repeat": 3})
        error = _caught(client.get_chat_background, PHONE)
        assert type(error) is bn.DeviceError and error.attempts == 3
        assert "3 attempts" in str(error)
        emulator.script({"status": 502, "headers": {"retry-after-ms": "1"}})
        assert client.set_chat_background(PHONE, PNG).changed is True
    assert [r["status"] for r in emulator.requests()] == [502, 502, 502, 502, 200]


def test_undecodable_success_body(client: Client, emulator: Emulator) -> None:
    emulator.script({"status": 200, "headers": {"Content-Type": "text/html"}, "body": "<html>hi</html>"})
    error = _caught(client.get_chat_background, PHONE)
    assert type(error) is bn.ResponseDecodeError and isinstance(error, bn.APIError)
    assert error.status_code == 200 and error.request_id is not None and error.attempts == 1
    assert "<html>hi</html>" in str(error)


def test_connection_reset(client: Client, emulator: Emulator) -> None:
    emulator.script({"action": "reset_before_response"})
    error = _caught(client.get_chat_background, PHONE)
    assert type(error) is bn.APIConnectionError and error.attempts == 1
    _assert_no_key(error)


def test_connection_refused() -> None:
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Client(API_KEY, base_url=f"http://127.0.0.1:{port}/v2/api", max_retries=0) as client:
        error = _caught(client.get_chat_background, PHONE)
    assert type(error) is bn.APIConnectionError and error.attempts == 1
    assert f"127.0.0.1:{port}" in str(error)


def test_timeout(emulator: Emulator) -> None:
    emulator.script({"delay_ms": 3000})
    with Client(API_KEY, base_url=emulator.base_url, timeout=0.3, max_retries=0) as client:
        error = _caught(client.get_chat_background, PHONE)
    assert type(error) is bn.APITimeoutError
    assert isinstance(error, bn.APIConnectionError) and error.attempts == 1
    _assert_no_key(error)


# --- bad input: refused before anything is sent ----------------------------------------------


@pytest.mark.parametrize("chat_id", ["", "   ", "+1 555 123", "+", "+1234567890123456", "a\nb", ".", "..", "a,,b"])
def test_invalid_chat_ids(chat_id: str, client: Client, emulator: Emulator) -> None:
    for call, args in [(client.get_chat_background, ()), (client.set_chat_background, (PNG,))]:
        error = _caught(call, chat_id, *args)
        assert type(error) is bn.InvalidChatIdError
        assert isinstance(error, ValueError) and error.attempts == 0
    assert emulator.requests() == []


def test_invalid_images(client: Client, emulator: Emulator, tmp_path: Path) -> None:
    text = tmp_path / "notes.png"
    text.write_text("not really a png")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    too_big = bytearray(10 * 1024 * 1024 + 1)
    too_big[: len(PNG)] = PNG
    cases: list[tuple[Any, str | None, str]] = [
        (b"", None, "empty"),
        (b"GIF90a not an image", None, "not a supported image"),
        (bytes(too_big), None, "10 MiB"),
        (io.BytesIO(b"<svg/>"), None, "not a supported image"),
        (text, str(text), "not a supported image"),
        (empty, str(empty), "empty"),
        (tmp_path, str(tmp_path), "not a regular file"),
    ]
    for image, path, words in cases:
        error = _caught(client.set_chat_background, PHONE, image)
        assert type(error) is bn.InvalidImageError and isinstance(error, ValueError)
        assert error.path == path and error.attempts == 0
        assert words in str(error)
    assert emulator.requests() == []


def test_unreadable_image_file(client: Client, emulator: Emulator, tmp_path: Path) -> None:
    missing = tmp_path / "missing.png"
    error = _caught(client.set_chat_background, PHONE, missing)
    assert type(error) is bn.ImageFileError
    assert isinstance(error, OSError) and isinstance(error, bn.BlooioError)
    assert error.errno == errno.ENOENT and error.strerror
    assert error.filename == error.path == str(missing)
    assert str(missing) in str(error) and error.attempts == 0
    assert emulator.requests() == []


WRONG_IMAGES = pytest.mark.parametrize(
    "image",
    [None, 42, 3.5, ["a.png"], io.StringIO("text"), object()],
    ids=["None", "int", "float", "list", "text-file", "object"],
)


@WRONG_IMAGES
def test_wrong_image_types(image: Any, client: Client, emulator: Emulator) -> None:
    with pytest.raises(TypeError) as info:
        client.set_chat_background(PHONE, image)
    assert not isinstance(info.value, bn.BlooioError)
    assert emulator.requests() == []


@WRONG_IMAGES
def test_wrong_image_types_async(image: Any, emulator: Emulator) -> None:
    # The same TypeError as the blocking call, raised when the call is made; None in
    # particular is not taken for "no image" (a get).
    async def main() -> None:
        async with bn.AsyncClient(API_KEY, base_url=emulator.base_url) as client:
            with pytest.raises(TypeError) as info:
                await client.set_chat_background(PHONE, image)
            assert not isinstance(info.value, bn.BlooioError)

    emulator.control("POST", "reset")
    asyncio.run(main())
    assert emulator.requests() == []


def test_wrong_argument_types(client: Client, emulator: Emulator) -> None:
    with pytest.raises(TypeError):
        client.get_chat_background(15551234567)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.set_chat_background(None, PNG)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Client(API_KEY, emulator.base_url)  # type: ignore[misc]
    assert emulator.requests() == []


def test_read_error_of_a_file_object_propagates(client: Client, emulator: Emulator) -> None:
    class Broken(io.RawIOBase):
        def read(self, size: int = -1) -> bytes:
            raise OSError(errno.EIO, "disk on fire")

    with pytest.raises(OSError, match="disk on fire"):
        client.set_chat_background(PHONE, Broken())
    assert emulator.requests() == []


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"api_key": None}, "no API key"),
        ({"api_key": ""}, "empty"),
        ({"api_key": API_KEY + "\n"}, "trailing newline"),
        ({"api_key": "bl live " + API_KEY}, "space"),
        ({"base_url": "http://example.com/v2/api"}, "clear text"),
        ({"base_url": "ftp://127.0.0.1/v2/api"}, "https"),
        ({"base_url": "not a url"}, "base URL"),
        ({"base_url": "https://user:pw@api.blooio.com"}, "credentials"),
        ({"timeout": 0}, "greater than zero"),
        ({"timeout": -1.0}, "greater than zero"),
        ({"timeout": float("nan")}, "greater than zero"),
        ({"connect_timeout": float("inf")}, "greater than zero"),
        ({"max_retries": -1}, "max_retries"),
    ],
)
def test_invalid_config(kwargs: dict[str, Any], words: str, emulator: Emulator) -> None:
    with pytest.raises(bn.InvalidConfigError) as info:
        Client(**{"api_key": API_KEY, "base_url": emulator.base_url, **kwargs})
    error = info.value
    assert isinstance(error, ValueError) and error.attempts == 0
    assert words in str(error)
    _assert_no_key(error)
    assert emulator.requests() == []


# --- the key ---------------------------------------------------------------------------------


def test_key_is_never_shown(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(API_KEY, base_url=emulator.base_url, max_retries=0)
    async_client = bn.AsyncClient(API_KEY, base_url=emulator.base_url)
    monkeypatch.setenv("BLOOIO_API_KEY", API_KEY)
    from_env = Client(base_url=emulator.base_url)
    _assert_no_key(client, async_client, from_env, dir(client), client.base_url)
    with pytest.raises(TypeError) as info:
        pickle.dumps(client)
    _assert_no_key(info.value)

    errors: list[BaseException] = []
    for fault in [{"status": s} for s in (400, 401, 403, 429, 500, 502, 503)] + [
        {"action": "reset_before_response"},
        {"status": 200, "body": "nonsense"},
    ]:
        emulator.script(fault)
        errors.append(_caught(client.get_chat_background, PHONE))
    errors.append(_caught(client.get_chat_background, "bad\nid"))
    errors.append(_caught(client.set_chat_background, PHONE, b"not an image"))
    for key in [API_KEY + "\r\n", API_KEY + " trailing", "\x00" + API_KEY]:
        with pytest.raises(bn.InvalidConfigError) as config_error:
            Client(key, base_url=emulator.base_url)
        errors.append(config_error.value)
    _assert_no_key(*errors)
    client.close()


# --- the exceptions themselves ---------------------------------------------------------------


def test_hierarchy() -> None:
    assert issubclass(bn.InvalidChatIdError, ValueError) and issubclass(bn.InvalidImageError, ValueError)
    assert issubclass(bn.InvalidConfigError, ValueError) and issubclass(bn.ImageFileError, OSError)
    assert issubclass(bn.APITimeoutError, bn.APIConnectionError)
    assert issubclass(bn.APIUserAbortError, bn.APIError)
    assert not issubclass(bn.APIUserAbortError, bn.APIConnectionError)
    for cls in (
        bn.BadRequestError,
        bn.AuthenticationError,
        bn.RateLimitError,
        bn.DeviceError,
        bn.NoActiveNumberError,
        bn.InternalServerError,
    ):
        assert issubclass(cls, bn.APIStatusError)
    for name in bn.__all__:
        obj = getattr(bn, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            assert issubclass(obj, bn.BlooioError), name


def test_exceptions_pickle(client: Client, emulator: Emulator, tmp_path: Path) -> None:
    emulator.script({"status": 429, "headers": {"Retry-After": "3"}})
    errors = [
        _caught(client.get_chat_background, PHONE),
        _caught(client.set_chat_background, PHONE, tmp_path / "missing.png"),
        _caught(client.set_chat_background, PHONE, b""),
        _caught(client.get_chat_background, ""),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)
        assert vars(copy) == vars(error)
        if isinstance(error, OSError):
            assert (copy.errno, copy.strerror, copy.filename) == (error.errno, error.strerror, error.filename)
