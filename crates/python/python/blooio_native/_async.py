"""AsyncClient: the native client's calls as coroutines for asyncio.

Each call runs on one of the library's own threads (a pool that grows with the calls in flight,
up to 256, and shrinks when idle), not in asyncio's default executor: the GIL is not held while
a request waits, and the result reaches the event loop through ``loop.call_soon_threadsafe``.
So many calls run at once, and the executor stays free for the application. Cancelling the
awaiting task cancels the request itself: it stops within about 100 ms wherever it is
(connecting, sending, waiting for or reading the answer, or sleeping before a retry), and its
connection is dropped, not reused.
"""

from __future__ import annotations

from ._native import ChatBackground, Client

# Not `from typing import TYPE_CHECKING`: importing typing would triple the package's import
# time. Type checkers recognise the name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from types import TracebackType
    from typing import Any, Callable

    from ._native import _HeadersInput, _ImageInput

__all__ = ["AsyncClient"]


def _completion() -> tuple[Any, Any]:
    """A future of the running loop, and the ``done(ok, value)`` that the library's thread calls
    to settle it on the loop."""
    import asyncio  # already loaded by whatever runs this coroutine

    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if future.cancelled():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def done(ok: bool, value: Any) -> None:
        try:
            loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:
            pass  # the loop is closed: no one is waiting any more

    return future, done


async def _outcome(future: Any, call: Any) -> ChatBackground:
    """Awaits the call's future; if the awaiting task is cancelled, cancels the request too."""
    try:
        result: ChatBackground = await future
    except BaseException:
        # CancelledError (the task was cancelled) or anything else that ends the wait early:
        # the request must not run on with no one waiting. A call that already ended ignores it.
        call.cancel()
        raise
    return result


class AsyncClient:
    """Like :class:`Client`, with coroutine methods that never block the event loop.

    Takes the same arguments as ``Client``; ``async with AsyncClient() as client:`` closes it at
    the end.
    """

    __slots__ = ("_client",)

    def __init__(
        self,
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
    ) -> None:
        # Building a client sends nothing, so it is fine on the event loop.
        self._client = Client(
            api_key,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            ca_file=ca_file,
            proxy=proxy,
            platform_verifier=platform_verifier,
            default_headers=default_headers,
            user_agent_suffix=user_agent_suffix,
            allow_insecure_http=allow_insecure_http,
        )

    @property
    def base_url(self) -> str:
        return self._client.base_url

    @property
    def timeout(self) -> float:
        return self._client.timeout

    @property
    def connect_timeout(self) -> float:
        return self._client.connect_timeout

    @property
    def max_retries(self) -> int:
        return self._client.max_retries

    @property
    def closed(self) -> bool:
        return self._client.closed

    async def get_chat_background(
        self,
        chat_id: str,
        *,
        timeout: float | None = None,
        extra_headers: _HeadersInput | None = None,
    ) -> ChatBackground:
        """``GET /chats/{chat_id}/background``: the chat's current background. ``timeout`` and
        ``extra_headers`` as for ``Client.get_chat_background``."""
        future, done = _completion()
        call = self._client._get_chat_background_async(
            chat_id, done, timeout=timeout, extra_headers=extra_headers
        )
        return await _outcome(future, call)

    async def set_chat_background(
        self,
        chat_id: str,
        image: _ImageInput,
        *,
        timeout: float | None = None,
        extra_headers: _HeadersInput | None = None,
        progress: Callable[[int, int], object] | None = None,
    ) -> ChatBackground:
        """``PUT /chats/{chat_id}/background``; ``image`` as for ``Client.set_chat_background``.
        A path is streamed from disk on the library's thread; bytes-like data is kept or
        copied, and a file object read, before the call is queued. ``progress`` is called on
        the library's thread, not the event loop's."""
        future, done = _completion()
        call = self._client._set_chat_background_async(
            chat_id, image, done, timeout=timeout, extra_headers=extra_headers, progress=progress
        )
        return await _outcome(future, call)

    async def close(self) -> None:
        """Releases the connection pool; see ``Client.close``."""
        self._client.close()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "Async" + repr(self._client)
