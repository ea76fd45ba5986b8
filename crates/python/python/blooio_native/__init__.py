"""blooio_native: a native (Rust) client for the Blooio API's chat-background endpoints.

    import blooio_native

    with blooio_native.Client() as client:  # BLOOIO_API_KEY, BLOOIO_BASE_URL
        client.set_chat_background("+15551234567", "beach.jpg")
        print(client.get_chat_background("+15551234567"))

``AsyncClient`` offers the same calls as coroutines. Every error is a ``BlooioError``.

Each attempt is logged to the ``logging`` logger ``blooio_native`` (INFO: one line per attempt;
DEBUG: retry decisions too). ``BLOOIO_LOG=info`` or ``debug`` also sets that level and puts a
stderr handler on the root logger (``logging.basicConfig``), as the official SDK does.
"""

import os as _os

if _os.environ.get("BLOOIO_LOG", "").strip().lower() in ("info", "debug"):
    from ._log import _setup_from_env

    _setup_from_env(_os.environ["BLOOIO_LOG"].strip().lower())

from ._async import AsyncClient
from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    APITLSError,
    APIUserAbortError,
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
    "APIUserAbortError",
    "ResponseDecodeError",
]
