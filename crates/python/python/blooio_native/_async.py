"""AsyncClient: the native client's calls as coroutines for asyncio.

Each call runs the blocking native call (which releases the GIL) in a worker thread with
``asyncio.to_thread``, so the event loop keeps running while a request is in flight. How many
requests run at once is bounded by the loop's default executor; give the loop a bigger one with
``loop.set_default_executor`` for many concurrent calls. Cancelling the awaiting task stops the
wait at once; the request itself finishes in its thread (bounded by the timeouts).
"""

from __future__ import annotations

from ._native import ChatBackground, Client

# Not `from typing import TYPE_CHECKING`: importing typing would triple the package's import
# time. Type checkers recognise the name.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from types import TracebackType

    from ._native import _ImageInput

__all__ = ["AsyncClient"]


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

    async def get_chat_background(self, chat_id: str) -> ChatBackground:
        """``GET /chats/{chat_id}/background``: the chat's current background."""
        import asyncio  # already loaded by whatever runs this coroutine

        return await asyncio.to_thread(self._client.get_chat_background, chat_id)

    async def set_chat_background(self, chat_id: str, image: _ImageInput) -> ChatBackground:
        """``PUT /chats/{chat_id}/background``; ``image`` as for ``Client.set_chat_background``.
        A file object is read in the worker thread too."""
        import asyncio

        return await asyncio.to_thread(self._client.set_chat_background, chat_id, image)

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
