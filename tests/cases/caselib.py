"""The shared case table (tests/cases/cases.json) for the two Python suites: tests/python
(blooio_native) and tests/ctypes (blooio_ctypes). Standard library only.

A runner loads the table, and for each row resets the emulator, applies the row's `config`
and `script`, makes the call through its binding, and hands the outcome and the emulator's
request log to `check`, which compares them with the row's `expect`. Nothing here knows any
particular row.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any, Dict, List, Optional, Tuple, Union

ROOT = pathlib.Path(__file__).resolve().parents[2]


def table_path() -> pathlib.Path:
    """$BLOOIO_CASES, else tests/cases/cases.json in this repository."""
    return pathlib.Path(os.environ.get("BLOOIO_CASES") or ROOT / "tests" / "cases" / "cases.json")


def load() -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """The fixtures and the rows; fails when the table has no rows."""
    with open(table_path(), encoding="utf-8") as f:
        table = json.load(f)
    rows = table["cases"]
    if not rows:
        raise AssertionError(f"{table_path()} has no cases")
    return table["fixtures"], rows


def client_options(row: Dict[str, Any]) -> Dict[str, Any]:
    """The row's client settings with the table's defaults: no retries, the library's timeout,
    the emulator's key and URL (None)."""
    given = row.get("client", {})
    return {
        "max_retries": given.get("max_retries", 0),
        "timeout_ms": given.get("timeout_ms"),
        "api_key": given.get("api_key"),
        "base_url": given.get("base_url"),
    }


def image(fixtures: Dict[str, Any], name: str, as_file: bool, tmp: pathlib.Path) -> Union[bytes, str]:
    """A fixture as bytes (set_bytes) or as the path of a file holding them (set_file)."""
    spec = fixtures[name]
    if spec.get("missing"):
        return str(tmp / f"{name}-does-not-exist.png")
    if spec.get("directory"):
        path = tmp / f"{name}-directory"
        path.mkdir(exist_ok=True)
        return str(path)
    if "hex" in spec:
        data = bytes.fromhex(spec["hex"])
    else:
        head = bytes.fromhex(fixtures[spec["starts_with"]]["hex"])
        data = head + bytes(spec["size"] - len(head))
    if not as_file:
        return data
    path = tmp / f"{name}.img"
    path.write_bytes(data)
    return str(path)


def check(row: Dict[str, Any], outcome: Dict[str, Any], records: List[Dict[str, Any]]) -> List[str]:
    """What differs between the row's `expect` and what happened, as readable lines.

    `outcome`: "status" (a name such as "RATE_LIMITED"), and for a failure "http_status" (None
    when there was no response), "attempts" and "retry_after_ms" (None when not said), or for a
    success "background" (its fields by their snake_case names, absent ones left out)."""
    expect = row["expect"]
    wrong: List[str] = []

    def same(what: str, got: Any, want: Any) -> None:
        if got != want:
            wrong.append(f"{what}: got {got!r}, expected {want!r}")

    same("status", outcome["status"], expect["status"])
    same("requests recorded", len(records), expect["requests"])
    if outcome["status"] == "OK":
        same("attempts (requests recorded)", len(records), expect["attempts"])
    else:
        same("attempts", outcome.get("attempts"), expect["attempts"])
        if "http_status" in expect:
            same("http_status", outcome.get("http_status"), expect["http_status"])
        if "retry_after_ms" in expect:
            same("retry_after_ms", outcome.get("retry_after_ms"), expect["retry_after_ms"])
    if "raw_path" in expect:
        for i, record in enumerate(records):
            same(f"request {i + 1} raw_path", record["raw_path"], expect["raw_path"])
    if "part" in expect:
        last: Optional[Dict[str, Any]] = records[-1] if records else None
        parts = last["parts"] if last else []
        if len(parts) != 1:
            wrong.append(f"the last request has {len(parts)} multipart parts, expected 1")
        else:
            same("part name", parts[0]["name"], expect["part"]["name"])
            same("part content_type", parts[0]["content_type"], expect["part"]["content_type"])
    if "background" in expect and outcome["status"] == "OK":
        for field, want in expect["background"].items():
            same(f"background.{field}", outcome["background"].get(field), want)
    return wrong


def report(ran: int, failures: Dict[str, List[str]]) -> str:
    """One message for every failing row."""
    lines = [f"{len(failures)} of {ran} cases failed:"]
    for name, wrong in failures.items():
        lines.append(f"  {name}:")
        lines.extend(f"    {w}" for w in wrong)
    return "\n".join(lines)
