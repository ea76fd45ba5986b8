"""Type stubs of the native extension module; import from ``blooio_native`` instead."""

import os
import sys
from types import TracebackType
from typing import Any, Callable, Protocol, Union, final, type_check_only

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
    def get_chat_background(self, chat_id: str) -> ChatBackground: ...
    def set_chat_background(self, chat_id: str, image: _ImageInput) -> ChatBackground: ...
    # For AsyncClient: the call runs on a library thread, which then calls done(ok, value).
    def _get_chat_background_async(self, chat_id: str, done: Callable[[bool, Any], object]) -> None: ...
    def _set_chat_background_async(
        self, chat_id: str, image: _ImageInput, done: Callable[[bool, Any], object]
    ) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Client: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
        /,
    ) -> None: ...
