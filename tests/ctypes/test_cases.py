"""The shared case table (tests/cases/cases.json) through the ctypes binding: every row, no
per-row code. Needs BLOOIO_EMULATOR and BLOOIO_LIB, as test_ctypes.py does."""

from __future__ import annotations

import pathlib
import sys
import tempfile
import unittest
from typing import Any, Dict, List

from support import API_KEY, ROOT, Emulator, live

sys.path.insert(0, str(ROOT / "tests" / "cases"))

import caselib  # noqa: E402

from blooio_ctypes import BlooioError, Client  # noqa: E402


def run_row(emulator: Emulator, fixtures: Dict[str, Any], row: Dict[str, Any], tmp: pathlib.Path) -> Dict[str, Any]:
    """Makes the row's call; returns its outcome in caselib's shape."""
    opts = caselib.client_options(row)
    timeout = opts["timeout_ms"] / 1000 if opts["timeout_ms"] is not None else None
    try:
        client = Client(
            opts["api_key"] if opts["api_key"] is not None else API_KEY,
            opts["base_url"] or emulator.base_url,
            timeout=timeout,
            max_retries=opts["max_retries"],
        )
        try:
            if row.get("closed"):
                client.close()
            if row["call"] == "get":
                background = client.get_chat_background(row["chat_id"])
            elif row["call"] == "set_file":
                path = caselib.image(fixtures, row["image"], True, tmp)
                background = client.set_chat_background_file(row["chat_id"], path)
            else:
                data = None if row.get("null_data") else caselib.image(fixtures, row["image"], False, tmp)
                background = client.set_chat_background_bytes(row["chat_id"], data)  # type: ignore[arg-type]
        finally:
            client.close()
    except BlooioError as e:
        return {
            "status": getattr(e.status, "name", str(e.status)),
            "http_status": e.http_status,
            "attempts": e.attempts,
            "retry_after_ms": e.retry_after_ms,
        }
    return {"status": "OK", "background": background.to_dict()}


class CasesTest(unittest.TestCase):
    def test_every_case(self) -> None:
        fixtures, rows = caselib.load()
        emulator = Emulator()
        assert emulator.proc.stdout is not None
        self.addCleanup(emulator.proc.stdout.close)
        self.addCleanup(emulator.stop)
        live_before = live()
        failures: Dict[str, List[str]] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for row in rows:
                emulator.control("POST", "reset")
                if "config" in row:
                    emulator.control("POST", "config", row["config"])
                if row.get("script"):
                    emulator.control("POST", "script", row["script"])
                outcome = run_row(emulator, fixtures, row, pathlib.Path(tmp))
                wrong = caselib.check(row, outcome, emulator.requests())
                if wrong:
                    failures[row["name"]] = wrong
        print(f"\nctypes: ran {len(rows)} cases from {caselib.table_path()}", file=sys.stderr)
        self.assertGreater(len(rows), 0)
        self.assertEqual(live(), live_before, "every object the library handed over is freed")
        self.assertFalse(failures, caselib.report(len(rows), failures))


if __name__ == "__main__":
    unittest.main()
