"""AsyncClient runs its calls on the library's own threads, not asyncio's default executor: with
a server that holds every request until 64 have arrived, 64 calls at once all complete (on the
default executor's min(32, CPUs + 4) threads they never would), and the executor stays free."""

from __future__ import annotations

import asyncio

from blooio_native import AsyncClient, InvalidChatIdError

from conftest import API_KEY, Emulator


def test_sixty_four_calls_overlap_without_the_default_executor(emulator: Emulator) -> None:
    emulator.control("POST", "reset")
    emulator.control("POST", "config", {"hold_until": 64})
    try:

        async def main() -> list[str | None]:
            loop = asyncio.get_running_loop()
            used_executor = []
            original = loop.run_in_executor

            def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
                used_executor.append(args)
                return original(*args, **kwargs)

            loop.run_in_executor = spy  # type: ignore[method-assign]
            async with AsyncClient(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
                chats = [f"+1555080{i:04d}" for i in range(64)]
                results = await asyncio.gather(*(client.get_chat_background(c) for c in chats))
            assert used_executor == []
            return [r.chat_id for r in results]

        got = asyncio.run(main())
        assert got == [f"+1555080{i:04d}" for i in range(64)]
    finally:
        emulator.control("POST", "config", {"hold_until": None})


def test_errors_and_sets_reach_the_awaiting_task(emulator: Emulator, png_file) -> None:  # type: ignore[no-untyped-def]
    emulator.control("POST", "reset")

    async def main() -> None:
        async with AsyncClient(API_KEY, base_url=emulator.base_url, max_retries=0) as client:
            bg = await client.set_chat_background("+15550810000", png_file)
            assert bg.changed is True
            try:
                await client.get_chat_background("not a chat\n")
            except InvalidChatIdError:
                pass
            else:
                raise AssertionError("an invalid chat id must raise")

    asyncio.run(main())


def test_exit_right_after_the_last_await_never_aborts(emulator: Emulator) -> None:
    """The thread that settles a future may still be inside Python when the program ends; it
    used to abort the process now and then ("Fatal Python error: PyGILState_Release"; this
    test hit it within 40 runs before the fix). An atexit handler now waits for it."""
    import subprocess
    import sys

    script = (
        "import asyncio, sys, blooio_native\n"
        "async def main():\n"
        "    async with blooio_native.AsyncClient(sys.argv[1], base_url=sys.argv[2]) as c:\n"
        "        await asyncio.gather(*(c.get_chat_background('+15551234567') for _ in range(16)))\n"
        "asyncio.run(main())\n"
    )
    for _ in range(40):
        done = subprocess.run(
            [sys.executable, "-c", script, API_KEY, emulator.base_url],
            capture_output=True, text=True, timeout=30,
        )
        assert done.returncode == 0, done.stderr
