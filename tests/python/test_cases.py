"""The shared case table (tests/cases/cases.json) through blooio_native: every row, no
per-row code.

blooio_native's exceptions carry no status number, so a status name maps to the exception
class the module raises for it (exactly that class, not a subclass of it)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Type

import blooio_native
from conftest import API_KEY, ROOT, Emulator

sys.path.insert(0, str(ROOT / "tests" / "cases"))
import caselib  # noqa: E402

# The class raised for each status of include/blooio.h that a call through this module can
# give.
EXCEPTION_OF: Dict[str, Type[blooio_native.BlooioError]] = {
    "INVALID_ARGUMENT": blooio_native.InvalidArgumentError,
    "INVALID_CONFIG": blooio_native.InvalidConfigError,
    "INVALID_CHAT_ID": blooio_native.InvalidChatIdError,
    "INVALID_IMAGE": blooio_native.InvalidImageError,
    "IO": blooio_native.ImageFileError,
    "BAD_REQUEST": blooio_native.BadRequestError,
    "AUTHENTICATION": blooio_native.AuthenticationError,
    "RATE_LIMITED": blooio_native.RateLimitError,
    "DEVICE_UNAVAILABLE": blooio_native.DeviceError,
    "NO_ACTIVE_NUMBER": blooio_native.NoActiveNumberError,
    "SERVER_ERROR": blooio_native.InternalServerError,
    "HTTP_STATUS": blooio_native.APIStatusError,
    "TIMEOUT": blooio_native.APITimeoutError,
    "CONNECTION": blooio_native.APIConnectionError,
    "DECODE": blooio_native.ResponseDecodeError,
    "CANCELLED": blooio_native.APIUserAbortError,
}
STATUS_OF = {cls: name for name, cls in EXCEPTION_OF.items()}


def run_row(emulator: Emulator, fixtures: Dict[str, Any], row: Dict[str, Any], tmp: Path) -> Dict[str, Any]:
    """Makes the row's call; returns its outcome in caselib's shape."""
    opts = caselib.client_options(row)
    kwargs: Dict[str, Any] = {"base_url": opts["base_url"] or emulator.base_url, "max_retries": opts["max_retries"]}
    if opts["timeout_ms"] is not None:
        kwargs["timeout"] = opts["timeout_ms"] / 1000
    try:
        client = blooio_native.Client(opts["api_key"] if opts["api_key"] is not None else API_KEY, **kwargs)
        with client:
            if row.get("closed"):
                client.close()
            if row["call"] == "get":
                background = client.get_chat_background(row["chat_id"])
            else:
                # A path (str) for set_file, bytes for set_bytes. Python has no NULL buffer:
                # "null_data" sends empty bytes like any other empty image.
                image = caselib.image(fixtures, row["image"], row["call"] == "set_file", tmp)
                background = client.set_chat_background(row["chat_id"], image)
    except blooio_native.BlooioError as e:
        retry_after: Optional[float] = getattr(e, "retry_after", None)
        return {
            "status": STATUS_OF.get(type(e), f"unmapped exception {type(e).__name__}"),
            "http_status": getattr(e, "status_code", None),
            "attempts": e.attempts,
            "retry_after_ms": None if retry_after is None else round(retry_after * 1000),
        }
    return {"status": "OK", "background": background.to_dict()}


def test_every_case(emulator: Emulator, tmp_path: Path) -> None:
    fixtures, rows = caselib.load()
    failures: Dict[str, List[str]] = {}
    for row in rows:
        emulator.reset()
        if "config" in row:
            emulator.config(**row["config"])
        if row.get("script"):
            emulator.script(*row["script"])
        outcome = run_row(emulator, fixtures, row, tmp_path)
        wrong = caselib.check(row, outcome, emulator.requests())
        if wrong:
            failures[row["name"]] = wrong
    print(f"python: ran {len(rows)} cases from {caselib.table_path()}")
    assert rows
    assert not failures, caselib.report(len(rows), failures)
