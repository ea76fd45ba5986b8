"""blooio_ctypes: the Blooio chat-background client through libblooio, with only ``ctypes``.

A single module that needs nothing but the Python standard library and ``libblooio.so`` (the
project's C ABI), for places where the compiled ``blooio_native`` extension cannot be
installed. It is thin on purpose: validation, percent-encoding, image sniffing and retries all
happen in the library. ``ctypes`` releases the GIL during each foreign call, so other Python
threads run while a request is in flight, and one ``Client`` may be shared between threads.

    from blooio_ctypes import Client
    with Client() as client:  # BLOOIO_API_KEY, BLOOIO_BASE_URL
        print(client.set_chat_background_file("+15551234567", "beach.jpg"))
        print(client.get_chat_background("+15551234567"))

The library is found through ``library=``, then ``$BLOOIO_LIB``, then the system loader.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import enum
import json
import os
import sys
import threading
from typing import Any, Dict, Optional, Union

__all__ = ["Background", "BlooioError", "Client", "Status", "TLSError", "library_version"]
__version__ = "0.1.0"


class Status(enum.IntEnum):
    """What a call returned: the values of ``blooio_status`` in include/blooio.h."""

    OK = 0
    INVALID_ARGUMENT = 1
    INVALID_CONFIG = 2
    INVALID_CHAT_ID = 3
    INVALID_IMAGE = 4
    IO = 5
    BAD_REQUEST = 6
    AUTHENTICATION = 7
    RATE_LIMITED = 8
    DEVICE_UNAVAILABLE = 9
    NO_ACTIVE_NUMBER = 10
    SERVER_ERROR = 11
    HTTP_STATUS = 12
    TIMEOUT = 13
    CONNECTION = 14
    DECODE = 15
    PANIC = 16
    OTHER = 17
    TLS = 18


class BlooioError(Exception):
    """A failed call, built from the error object the library returned for that call."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        http_status: Optional[int] = None,
        server_message: Optional[str] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
        attempts: int = 0,
        retry_after_ms: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        try:
            self.status: Union[Status, int] = Status(status)
        except ValueError:
            self.status = status
        #: A complete message; it never contains the API key.
        self.message = message
        #: The HTTP status of the last response, or None when there was none.
        self.http_status = http_status
        #: The server's own message from its error body.
        self.server_message = server_message
        #: The server's error code.
        self.code = code
        #: The x-request-id of the last response: quote it to Blooio support.
        self.request_id = request_id
        #: How many HTTP attempts were made: 0 when nothing was sent.
        self.attempts = attempts
        #: How long the server asked the caller to wait, in milliseconds.
        self.retry_after_ms = retry_after_ms

    def __repr__(self) -> str:
        return f"BlooioError({self.status!r}, {self.message!r}, http_status={self.http_status!r})"


class TLSError(BlooioError):
    """``Status.TLS``: the server's certificate was refused (unknown issuer, expired, not valid
    for the host, a CA used as the leaf) or the TLS handshake failed for good. Never retried;
    behind a TLS-inspecting proxy, pass ``ca_file`` or set ``SSL_CERT_FILE``."""


@dataclasses.dataclass(frozen=True)
class Background:
    """A chat's background as the API described it. None: the server did not send the field
    (or sent null). ``changed`` is only set in answer to a set call."""

    chat_id: Optional[str] = None
    has_background: Optional[bool] = None
    background_id: Optional[str] = None
    background_url: Optional[str] = None
    background_version: Optional[int] = None
    changed: Optional[bool] = None

    def to_dict(self) -> Dict[str, Any]:
        """The fields that are present, in the API's own shape."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))


# --- the C declarations --------------------------------------------------------------------

_p = ctypes.c_void_p  # every handle is an opaque pointer
_pp = ctypes.POINTER(ctypes.c_void_p)
_bool_p = ctypes.POINTER(ctypes.c_bool)
_status = ctypes.c_int

_PROTOTYPES = {
    "blooio_version": (ctypes.c_char_p, []),
    "blooio_status_name": (ctypes.c_char_p, [ctypes.c_int]),
    "blooio_options_new": (_status, [_pp, _pp]),
    "blooio_options_free": (None, [_p]),
    "blooio_options_set_api_key": (_status, [_p, ctypes.c_char_p, _pp]),
    "blooio_options_set_base_url": (_status, [_p, ctypes.c_char_p, _pp]),
    "blooio_options_set_timeout_ms": (_status, [_p, ctypes.c_uint64, _pp]),
    "blooio_options_set_connect_timeout_ms": (_status, [_p, ctypes.c_uint64, _pp]),
    "blooio_options_set_max_retries": (_status, [_p, ctypes.c_uint32, _pp]),
    "blooio_options_set_user_agent_suffix": (_status, [_p, ctypes.c_char_p, _pp]),
    "blooio_options_set_allow_insecure_http": (_status, [_p, ctypes.c_bool, _pp]),
    "blooio_options_set_ca_file": (_status, [_p, ctypes.c_char_p, _pp]),
    "blooio_options_set_platform_verifier": (_status, [_p, ctypes.c_bool, _pp]),
    "blooio_options_set_proxy": (_status, [_p, ctypes.c_char_p, _pp]),
    "blooio_client_new": (_status, [_p, _pp, _pp]),
    "blooio_client_free": (None, [_p]),
    "blooio_get_chat_background": (_status, [_p, ctypes.c_char_p, _pp, _pp]),
    "blooio_set_chat_background_file": (_status, [_p, ctypes.c_char_p, ctypes.c_char_p, _pp, _pp]),
    "blooio_set_chat_background_bytes": (
        _status,
        [_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, _pp, _pp],
    ),
    "blooio_background_chat_id": (_status, [_p, _bool_p, ctypes.POINTER(ctypes.c_char_p)]),
    "blooio_background_has_background": (_status, [_p, _bool_p, _bool_p]),
    "blooio_background_background_id": (_status, [_p, _bool_p, ctypes.POINTER(ctypes.c_char_p)]),
    "blooio_background_background_url": (_status, [_p, _bool_p, ctypes.POINTER(ctypes.c_char_p)]),
    "blooio_background_background_version": (_status, [_p, _bool_p, ctypes.POINTER(ctypes.c_int64)]),
    "blooio_background_changed": (_status, [_p, _bool_p, _bool_p]),
    "blooio_background_free": (None, [_p]),
    "blooio_error_status": (_status, [_p]),
    "blooio_error_message": (ctypes.c_char_p, [_p]),
    "blooio_error_http_status": (ctypes.c_uint16, [_p]),
    "blooio_error_server_message": (ctypes.c_char_p, [_p]),
    "blooio_error_server_code": (ctypes.c_char_p, [_p]),
    "blooio_error_request_id": (ctypes.c_char_p, [_p]),
    "blooio_error_attempts": (ctypes.c_uint32, [_p]),
    "blooio_error_retry_after_ms": (ctypes.c_bool, [_p, ctypes.POINTER(ctypes.c_uint64)]),
    "blooio_error_free": (None, [_p]),
}


class _Library:
    """libblooio with its functions declared; one per path."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.cdll = ctypes.CDLL(path)
        for name, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(self.cdll, name)
            fn.restype = restype
            fn.argtypes = argtypes
            setattr(self, name[len("blooio_") :], fn)
        # Objects received from the library and not yet freed; the tests read it to show that
        # every one is given back.
        self.live = 0
        self._live_lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # Only reached for a name the loop above did not set: the declared functions are
        # instance attributes, typed here for checkers as any callable.
        raise AttributeError(f"libblooio has no declared function blooio_{name}")

    def received(self, ptr: Optional[int]) -> None:
        if ptr:
            with self._live_lock:
                self.live += 1

    def release(self, free: Any, ptr: Optional[int]) -> None:
        if ptr:
            free(ptr)
            with self._live_lock:
                self.live -= 1


_libraries: Dict[str, _Library] = {}
_libraries_lock = threading.Lock()


def _default_library() -> str:
    if sys.platform == "win32":
        return "blooio.dll"
    if sys.platform == "darwin":
        return "libblooio.dylib"
    return ctypes.util.find_library("blooio") or "libblooio.so"


def _load(library: Optional[Union[str, "os.PathLike[str]"]] = None) -> _Library:
    path = os.fspath(library) if library else os.environ.get("BLOOIO_LIB") or _default_library()
    with _libraries_lock:
        lib = _libraries.get(path)
        if lib is None:
            lib = _libraries[path] = _Library(path)
        return lib


def library_version(library: Optional[str] = None) -> str:
    """The version of the loaded libblooio, such as ``"0.1.0"``."""
    version: bytes = _load(library).version()
    return version.decode()


def _text(value: Optional[bytes]) -> Optional[str]:
    return None if value is None else value.decode("utf-8", "replace")


def _take_error(lib: _Library, status: int, err: ctypes.c_void_p) -> BlooioError:
    """Reads a failed call's error object, frees it, and returns the BlooioError."""
    ptr = err.value
    if not ptr:
        name = lib.status_name(status).decode()
        return BlooioError(status, f"libblooio failed: {name}")
    lib.received(ptr)
    try:
        http_status = lib.error_http_status(ptr)
        retry_after = ctypes.c_uint64()
        has_retry_after = lib.error_retry_after_ms(ptr, ctypes.byref(retry_after))
        error_class = TLSError if status == Status.TLS else BlooioError
        return error_class(
            lib.error_status(ptr),
            _text(lib.error_message(ptr)) or "",
            http_status=http_status or None,
            server_message=_text(lib.error_server_message(ptr)),
            code=_text(lib.error_server_code(ptr)),
            request_id=_text(lib.error_request_id(ptr)),
            attempts=lib.error_attempts(ptr),
            retry_after_ms=retry_after.value if has_retry_after else None,
        )
    finally:
        lib.release(lib.error_free, ptr)


def _check(lib: _Library, status: int, err: ctypes.c_void_p) -> None:
    if status != Status.OK:
        raise _take_error(lib, status, err)


def _take_background(lib: _Library, ptr: Optional[int]) -> Background:
    """Copies a background's fields into Python objects and frees it."""
    lib.received(ptr)
    try:
        fields: Dict[str, Any] = {}
        for name, ctype in (
            ("chat_id", ctypes.c_char_p),
            ("has_background", ctypes.c_bool),
            ("background_id", ctypes.c_char_p),
            ("background_url", ctypes.c_char_p),
            ("background_version", ctypes.c_int64),
            ("changed", ctypes.c_bool),
        ):
            present = ctypes.c_bool()
            value = ctype()
            getter = getattr(lib, "background_" + name)
            status = getter(ptr, ctypes.byref(present), ctypes.byref(value))
            if status != Status.OK:
                raise BlooioError(status, f"reading the background's {name} failed")
            if present.value:
                v = value.value
                fields[name] = _text(v) if isinstance(v, bytes) else v
        return Background(**fields)
    finally:
        lib.release(lib.background_free, ptr)


def _c_string(value: Optional[Union[str, bytes]], name: str) -> Optional[bytes]:
    """A str or bytes argument as a C string; None becomes NULL, which the library refuses by
    name. A NUL inside would cut the C string short, so it is refused here."""
    if value is None:
        return None
    if isinstance(value, str):
        data = value.encode("utf-8", "surrogateescape")
    elif isinstance(value, bytes):
        data = value
    else:
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    if b"\0" in data:
        raise BlooioError(Status.INVALID_ARGUMENT, f"{name} contains a NUL character")
    return data


def _milliseconds(seconds: float, name: str) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{name} must be a number of seconds")
    # Negative gives 0, which the library refuses with its own message.
    return max(0, int(seconds * 1000))


class Client:
    """A client for the chat-background endpoints, safe to share between threads.

    Settings left as None come from the environment (``BLOOIO_API_KEY``,
    ``BLOOIO_BASE_URL``), then the library's defaults. Timeouts are in seconds. Raises
    :class:`BlooioError` with ``Status.INVALID_CONFIG`` for an unusable configuration; nothing
    is sent until the first call.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        *,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        user_agent_suffix: Optional[str] = None,
        allow_insecure_http: Optional[bool] = None,
        ca_file: Optional[Union[str, "os.PathLike[str]"]] = None,
        proxy: Optional[str] = None,
        platform_verifier: Optional[bool] = None,
        library: Optional[Union[str, "os.PathLike[str]"]] = None,
    ) -> None:
        self._ptr: Optional[int] = None
        self._lib = lib = _load(library)
        self._cond = threading.Condition()
        self._in_flight = 0
        self._closed = False
        err = ctypes.c_void_p()
        opts = ctypes.c_void_p()
        _check(lib, lib.options_new(ctypes.byref(opts), ctypes.byref(err)), err)
        lib.received(opts.value)
        try:
            o = opts.value
            e = ctypes.byref(err)
            if api_key is not None:
                _check(lib, lib.options_set_api_key(o, _c_string(api_key, "api_key"), e), err)
            if base_url is not None:
                _check(lib, lib.options_set_base_url(o, _c_string(base_url, "base_url"), e), err)
            if timeout is not None:
                ms = _milliseconds(timeout, "timeout")
                _check(lib, lib.options_set_timeout_ms(o, ms, e), err)
            if connect_timeout is not None:
                ms = _milliseconds(connect_timeout, "connect_timeout")
                _check(lib, lib.options_set_connect_timeout_ms(o, ms, e), err)
            if max_retries is not None:
                if not isinstance(max_retries, int) or not 0 <= max_retries <= 0xFFFFFFFF:
                    raise BlooioError(
                        Status.INVALID_ARGUMENT, "max_retries must be an int from 0 to 4294967295"
                    )
                _check(lib, lib.options_set_max_retries(o, max_retries, e), err)
            suffix = user_agent_suffix if user_agent_suffix is not None else f"blooio-ctypes/{__version__}"
            _check(lib, lib.options_set_user_agent_suffix(o, _c_string(suffix, "user_agent_suffix"), e), err)
            if allow_insecure_http is not None:
                _check(lib, lib.options_set_allow_insecure_http(o, bool(allow_insecure_http), e), err)
            if ca_file is not None:
                _check(lib, lib.options_set_ca_file(o, _c_string(os.fspath(ca_file), "ca_file"), e), err)
            if proxy is not None:
                _check(lib, lib.options_set_proxy(o, _c_string(proxy, "proxy"), e), err)
            if platform_verifier is not None:
                _check(lib, lib.options_set_platform_verifier(o, bool(platform_verifier), e), err)
            client = ctypes.c_void_p()
            _check(lib, lib.client_new(o, ctypes.byref(client), e), err)
            lib.received(client.value)
            self._ptr = client.value
        finally:
            lib.release(lib.options_free, opts.value)

    def get_chat_background(self, chat_id: str) -> Background:
        """``GET /chats/{chat_id}/background``: the chat's current background."""
        return self._call(self._lib.get_chat_background, _c_string(chat_id, "chat_id"))

    def set_chat_background_file(self, chat_id: str, path: Union[str, "os.PathLike[str]"]) -> Background:
        """``PUT /chats/{chat_id}/background`` with an image file (JPEG, PNG, GIF, WebP, HEIC or
        HEIF judged by its bytes, at most 10 MiB), streamed from disk by the library."""
        c_path = None if path is None else _c_string(os.fsencode(path), "path")
        return self._call(self._lib.set_chat_background_file, _c_string(chat_id, "chat_id"), c_path)

    def set_chat_background_bytes(self, chat_id: str, data: Union[bytes, bytearray, memoryview]) -> Background:
        """``PUT /chats/{chat_id}/background`` with image bytes."""
        c_id = _c_string(chat_id, "chat_id")
        if data is None:
            return self._call(self._lib.set_chat_background_bytes, c_id, None, 0)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data must be bytes-like, not {type(data).__name__}")
        # An immutable copy (none for bytes): the caller may change its buffer meanwhile.
        blob = bytes(data)
        return self._call(self._lib.set_chat_background_bytes, c_id, blob, len(blob))

    def _call(self, fn: Any, *args: Any) -> Background:
        with self._cond:
            if self._closed:
                raise BlooioError(Status.INVALID_ARGUMENT, "the client is closed")
            self._in_flight += 1
        try:
            background = ctypes.c_void_p()
            err = ctypes.c_void_p()
            # ctypes releases the GIL for the duration of the foreign call.
            status = fn(self._ptr, *args, ctypes.byref(background), ctypes.byref(err))
            _check(self._lib, status, err)
            return _take_background(self._lib, background.value)
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    def close(self) -> None:
        """Frees the client after the calls running on it finish. Later calls raise
        ``BlooioError(Status.INVALID_ARGUMENT)``. Closing twice is harmless."""
        with self._cond:
            self._closed = True
            while self._in_flight:
                self._cond.wait()
            ptr, self._ptr = self._ptr, None
        if ptr:
            self._lib.release(self._lib.client_free, ptr)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # A client that was never closed; nothing can be running on it any more.
        ptr = getattr(self, "_ptr", None)
        if ptr:
            self._ptr = None
            self._lib.release(self._lib.client_free, ptr)

    def __repr__(self) -> str:
        return f"<blooio_ctypes.Client closed={self._closed}>"
