"""``BLOOIO_LOG=info|debug``: what the official SDK does with its variable, for our logger.

Imported only when the variable is set, so that a program that does not log never imports
``logging`` on our account (the native module then skips logging altogether).
"""

from __future__ import annotations

import logging

LOGGER_NAME = "blooio_native"


def _setup_from_env(value: str) -> None:
    # The official SDK's format: [2026-12-02 01:02:03 - blooio_native:0 - INFO] GET /v2/...
    logging.basicConfig(
        format="[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
    )
    logging.getLogger(LOGGER_NAME).setLevel(logging.DEBUG if value == "debug" else logging.INFO)
