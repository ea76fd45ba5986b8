"""Set a chat's background from an image file, then read it back.

    BLOOIO_API_KEY=... [BLOOIO_BASE_URL=...] python examples/python/main.py CHAT_ID IMAGE

Against the emulator: start `blooio-emulator --listen 127.0.0.1:0 --api-key test-key`, then
set BLOOIO_API_KEY=test-key and BLOOIO_BASE_URL to the URL it prints.
"""

from __future__ import annotations

import sys

import blooio_native


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(f"usage: {argv[0]} CHAT_ID IMAGE", file=sys.stderr)
        return 2
    chat_id, image = argv[1], argv[2]
    try:
        # The key and base URL come from BLOOIO_API_KEY and BLOOIO_BASE_URL.
        with blooio_native.Client() as client:
            updated = client.set_chat_background(chat_id, image)
            print(f"set:  {updated}")
            current = client.get_chat_background(chat_id)
            print(f"get:  {current}")
    except blooio_native.APIStatusError as e:
        print(f"error: {e} (HTTP {e.status_code}, request id {e.request_id})", file=sys.stderr)
        return 1
    except blooio_native.BlooioError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
