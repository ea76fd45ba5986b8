"""Type stubs of the native extension module; import from ``blooio_native`` instead."""

import os
import sys
from types import TracebackType
from typing import Any, Callable, Iterable, Mapping, Protocol, Union, final, type_check_only

if sys.version_info >= (3, 10):
    from typing import TypeAlias
else:
    from typing_extensions import TypeAlias

__all__ = ["ChatBackground", "Client", "__version__"]
__version__: str

@type_check_only
class _BinaryReader(Protocol):
    """A file object opened in binary mode."""
    def read(self) -> bytes: ...

_ImageInput: TypeAlias = Union[
    str, os.PathLike[str], bytes, bytearray, memoryview, _BinaryReader
]

# Header names to values, or (name, value) pairs (of a repeated name, the last value is sent).
_HeadersInput: TypeAlias = Union[Mapping[str, str], Iterable[tuple[str, str]]]

# progress(sent, total): raise to stop the upload (the exception propagates), or return False
# to stop it with APIUserAbortError; any other return value goes on.
_Progress: TypeAlias = Callable[[int, int], object]

@type_check_only
class _CallHandle(Protocol):
    """An AsyncClient call in flight."""
    def cancel(self) -> None: ...
    @property
    def cancelled(self) -> bool: ...

@final
class ChatBackground:
    """A chat's background; every attribute is None when the server did not send it."""

    def __new__(
        cls,
        *,
        chat_id: str | None = None,
        has_background: bool | None = None,
        background_id: str | None = None,
        background_url: str | None = None,
        background_version: int | None = None,
        changed: bool | None = None,
        request_id: str | None = None,
        attempts: int = 0,
    ) -> ChatBackground: ...
    @property
    def chat_id(self) -> str | None: ...
    @property
    def has_background(self) -> bool | None: ...
    @property
    def background_id(self) -> str | None: ...
    @property
    def background_url(self) -> str | None: ...
    @property
    def background_version(self) -> int | None: ...
    @property
    def changed(self) -> bool | None: ...
    @property
    def request_id(self) -> str | None: ...
    @property
    def attempts(self) -> int: ...
    def to_dict(self) -> dict[str, str | bool | int | None]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __getnewargs_ex__(self) -> tuple[tuple[()], dict[str, str | bool | int | None]]: ...

@final
class Client:
    """A client for the Blooio chat-background endpoints; safe to share between threads."""

    def __new__(
        cls,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 5.0,
        max_retries: int = 2,
        ca_file: str | os.PathLike[str] | None = None,
        proxy: str | None = None,
        platform_verifier: bool = False,
        default_headers: _HeadersInput | None = None,
        user_agent_suffix: str | None = None,
        allow_insecure_http: bool = False,
    ) -> Client: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def connect_timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def closed(self) -> bool: ...
    def get_chat_background(
        self,
        chat_id: str,
        *,
        timeout: float | None = None,
        extra_headers: _HeadersInput | None = None,
    ) -> ChatBackground: ...
    def set_chat_background(
        self,
        chat_id: str,
        image: _ImageInput,
        *,
        timeout: float | None = None,
        extra_headers: _HeadersInput | None = None,
        progress: _Progress | None = None,
    ) -> ChatBackground: ...
    # For AsyncClient: the call runs on a library thread, which then calls done(ok, value).
    def _get_chat_background_async(
        self,
        chat_id: str,
        done: Callable[[bool, Any], object],
        *,
        timeout: float | None = None,
        extra_headers: _HeadersInput | None = None,
    ) -> _CallHandle: ...
    def _set_chat_background_async(
        self,
        chat_id: str,
        image: _ImageInput,
        done: Callable[[bool, Any], object],
        *,
        timeout: float | None = None,
        extra_headers: _HeadersInput | None = None,
        progress: _Progress | None = None,
    ) -> _CallHandle: ...
    def close(self) -> None: ...
    def __enter__(self) -> Client: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None: ...
