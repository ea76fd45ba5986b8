"""blooio_native: a native (Rust) client for the Blooio API's chat-background endpoints.

    import blooio_native

    with blooio_native.Client() as client:  # BLOOIO_API_KEY, BLOOIO_BASE_URL
        client.set_chat_background("+15551234567", "beach.jpg")
        print(client.get_chat_background("+15551234567"))

``AsyncClient`` offers the same calls as coroutines. Every error is a ``BlooioError``.
"""

from ._async import AsyncClient
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    APITLSError,
    AuthenticationError,
    BadRequestError,
    BlooioError,
    DeviceError,
    ImageFileError,
    InternalServerError,
    InvalidArgumentError,
    InvalidChatIdError,
    InvalidConfigError,
    InvalidImageError,
    NoActiveNumberError,
    RateLimitError,
    ResponseDecodeError,
)
from ._native import ChatBackground, Client, __version__

# The one list of the public names, written out in full: mypy's stub analysis, and so
# stubtest, only sees a literal list. A new exception is imported above and named here.
__all__ = [
    "__version__",
    "Client",
    "AsyncClient",
    "ChatBackground",
    "BlooioError",
    "InvalidArgumentError",
    "InvalidConfigError",
    "InvalidChatIdError",
    "InvalidImageError",
    "ImageFileError",
    "APIError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "RateLimitError",
    "DeviceError",
    "NoActiveNumberError",
    "InternalServerError",
    "APIConnectionError",
    "APITimeoutError",
    "APITLSError",
    "ResponseDecodeError",
]
