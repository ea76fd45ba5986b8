"""The exceptions blooio_native raises: one base class, one subclass per kind of failure.

Named like the official ``blooio`` SDK's where it has a name, so code can switch over. The
native module picks the class from the core's error kind and fills in the attributes; ``str()``
of any of them is the core's complete message, which never contains the API key.
"""

from __future__ import annotations

import os

# The public list is blooio_native.__all__ (the one place that names them all); this module is
# private and every class below is imported from it there.


class BlooioError(Exception):
    """Base class of every error this library raises.

    ``attempts`` is how many HTTP requests were made: 0 when the call was refused before
    anything was sent, more than 1 when it was retried.
    """

    message: str
    attempts: int

    def __init__(self, message: str = "", *, attempts: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.attempts = attempts

    def __str__(self) -> str:
        return self.message


class InvalidConfigError(BlooioError, ValueError):
    """The client's settings are unusable: no API key, a bad base URL, a bad timeout...
    Nothing was sent."""


class InvalidArgumentError(BlooioError, ValueError):
    """The call cannot be made at all: the client is closed (C's ``BLOOIO_STATUS_INVALID_ARGUMENT``,
    which every binding answers for a closed client). A ``ValueError``, as Python's own I/O on a
    closed file is. Nothing was sent."""


class InvalidChatIdError(BlooioError, ValueError):
    """The chat id cannot name a chat (empty, a control character, a malformed phone number...).
    Nothing was sent."""


class InvalidImageError(BlooioError, ValueError):
    """The image is empty, over 10 MiB, or not a JPEG, PNG, GIF, WebP, HEIC or HEIF (judged by
    its bytes). ``path`` names the file when the image was given as a path. Nothing was sent."""

    path: str | None

    def __init__(self, message: str = "", *, path: str | None = None, attempts: int = 0) -> None:
        super().__init__(message, attempts=attempts)
        self.path = path


class ImageFileError(BlooioError, OSError):
    """The image file could not be opened or read. Also an ``OSError``: ``errno``, ``strerror``
    and ``filename`` are set as the operating system reported them; ``path`` is ``filename``."""

    path: str | None

    def __init__(
        self,
        message: str = "",
        *,
        path: str | None = None,
        errno: int | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.path = path
        self.errno = errno
        self.strerror = os.strerror(errno) if errno is not None else None
        self.filename = path

    def __reduce__(self) -> tuple[object, ...]:
        # OSError's own __reduce__ would pass (errno, strerror, filename) to __init__.
        state = dict(self.__dict__, errno=self.errno, strerror=self.strerror, filename=self.filename)
        return (type(self), (self.message,), state)


class APIError(BlooioError):
    """A failure talking to the API: an error status, a lost connection or an unreadable
    answer."""


class APIStatusError(APIError):
    """The API answered with an error status. This class itself is raised for statuses without
    a subclass of their own (403, 404, a redirect, ...).

    ``status_code`` is the HTTP status; ``server_message`` and ``code`` come from the JSON error
    body when it had them; ``body`` is the body's text (at most 64 KiB); ``request_id`` is the
    ``x-request-id`` header, to quote to Blooio support; ``retry_after`` is how many seconds the
    server asked us to wait, when it did.
    """

    status_code: int
    server_message: str | None
    code: str | None
    request_id: str | None
    body: str | None
    retry_after: float | None

    def __init__(
        self,
        message: str = "",
        *,
        status_code: int = 0,
        server_message: str | None = None,
        code: str | None = None,
        request_id: str | None = None,
        body: str | None = None,
        retry_after: float | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.status_code = status_code
        self.server_message = server_message
        self.code = code
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after


class BadRequestError(APIStatusError):
    """HTTP 400: the API refused the request's parameters."""


class AuthenticationError(APIStatusError):
    """HTTP 401: the API key is missing, wrong or revoked."""


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests; see ``retry_after``."""


class DeviceError(APIStatusError):
    """HTTP 502: the API could not talk to the device. Usually temporary."""


class NoActiveNumberError(APIStatusError):
    """HTTP 503: the account has no active number."""


class InternalServerError(APIStatusError):
    """Any other HTTP 5xx."""


class APIConnectionError(APIError):
    """The connection could not be made or was lost."""


class APITimeoutError(APIConnectionError):
    """An attempt ran out of time (``timeout`` or ``connect_timeout``)."""


class APITLSError(APIConnectionError):
    """The server's certificate was refused (unknown issuer, expired, not valid for the host, a
    CA used as the leaf) or the TLS handshake failed for good. Never retried. Behind a
    TLS-inspecting proxy, pass ``ca_file=`` or set ``SSL_CERT_FILE`` to its CA bundle."""


class APIUserAbortError(APIError):
    """The caller stopped the call: a ``progress`` callback returned ``False``. Its connection
    was dropped; the server may or may not have acted on the request. (Ctrl-C raises
    ``KeyboardInterrupt``, a cancelled asyncio task ``CancelledError``, and an exception raised
    by ``progress`` propagates as itself; each also cancels the request.)"""


class ResponseDecodeError(APIError):
    """A success response whose body is not the chat background JSON object.
    ``status_code`` and ``request_id`` describe that response."""

    status_code: int | None
    request_id: str | None

    def __init__(
        self,
        message: str = "",
        *,
        status_code: int | None = None,
        request_id: str | None = None,
        attempts: int = 0,
    ) -> None:
        super().__init__(message, attempts=attempts)
        self.status_code = status_code
        self.request_id = request_id


# Shown as blooio_native.X in tracebacks and reprs, where users import them from.
for _cls in [c for c in globals().values() if isinstance(c, type) and issubclass(c, BlooioError)]:
    _cls.__module__ = "blooio_native"
del _cls
