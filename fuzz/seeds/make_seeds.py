#!/usr/bin/env python3
"""Writes the checked-in seed corpora under fuzz/seeds/<target>/ (standard library only).

Run from anywhere: `python3 fuzz/seeds/make_seeds.py`. The seeds are small on purpose: each
is a real example of an input the target sees (a tiny image of each format, the API's own
response and error bodies, real header values), for libFuzzer to mutate from. Re-running it
rewrites the same files; the long runs' grown corpora are minimised into these directories
with `make fuzz-cmin` and only that result is committed.
"""

import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    idat = zlib.compress(b"\x00\xff\x80\x00")  # filter 0, one orange pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def gif_1x1() -> bytes:
    header = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0)  # 2-colour global table
    palette = b"\x00\x00\x00\xff\xff\xff"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0)
    data = b"\x02\x02\x44\x01\x00"  # LZW min code size 2, one sub-block, terminator
    return header + palette + image + data + b"\x3b"


def jpeg_1x1() -> bytes:
    """A baseline greyscale 1x1 JPEG: every coefficient 0, so one-code Huffman tables do."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    app0 = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = segment(0xDB, b"\x00" + b"\x01" * 64)
    sof0 = segment(0xC0, struct.pack(">BHHB", 8, 1, 1, 1) + b"\x01\x11\x00")
    one_code = b"\x01" + b"\x00" * 15 + b"\x00"  # one code of length 1, for symbol 0
    dht = segment(0xC4, b"\x00" + one_code) + segment(0xC4, b"\x10" + one_code)
    sos = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    scan = b"\x3f"  # DC category 0 ('0'), end of block ('0'), padded with ones
    return b"\xff\xd8" + app0 + dqt + sof0 + dht + sos + scan + b"\xff\xd9"


def riff_webp(chunk_kind: bytes, payload: bytes) -> bytes:
    if len(payload) % 2:
        payload += b"\x00"
    body = b"WEBP" + chunk_kind + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def ftyp(major: bytes, compatible: list[bytes], size: int | None = None) -> bytes:
    box = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    declared = len(box) + 8 if size is None else size
    return struct.pack(">I", declared) + b"ftyp" + box


def meta_box() -> bytes:
    # What follows `ftyp` in an encoder's HEIF: a `meta` full box opening with its handler.
    hdlr = struct.pack(">I", 33) + b"hdlr" + b"\x00" * 8 + b"pict" + b"\x00" * 13
    return struct.pack(">I", 12 + len(hdlr)) + b"meta" + b"\x00" * 4 + hdlr


IMAGES = {
    "png-1x1.png": png_1x1(),
    "gif-1x1.gif": gif_1x1(),
    "gif87a-header.gif": b"GIF87a\x01\x00\x01\x00\x00\x00\x00;",
    "jpeg-1x1.jpg": jpeg_1x1(),
    # VP8L 1x1: signature 0x2f, 14-bit width-1 and height-1 (0), no alpha, version 0.
    "webp-lossless-1x1.webp": riff_webp(b"VP8L", b"\x2f\x00\x00\x00\x00\x88\x88\x08\x00"),
    "webp-extended-header.webp": riff_webp(b"VP8X", b"\x10" + b"\x00" * 9),
    "heic-libheif-ftyp.heic": ftyp(b"heic", [b"mif1", b"heic"]) + meta_box(),
    "heic-by-compatible.heic": ftyp(b"mif1", [b"heic", b"miaf"]) + meta_box(),
    "heif-mif1.heif": ftyp(b"mif1", [b"mif1", b"miaf"]) + meta_box(),
    "heif-sequence.heif": ftyp(b"msf1", [b"iso8", b"msf1"]) + meta_box(),
    "heic-to-end.heic": ftyp(b"mif1", [b"heic"], size=0),
    "avif-refused.avif": ftyp(b"avif", [b"avif", b"mif1", b"miaf"]) + meta_box(),
    "mp4-refused.mp4": ftyp(b"isom", [b"isom", b"mp41"]),
    "wav-refused.wav": b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00",
    "svg-refused.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
}

# The API reference's response example, and the variants a server sends.
SUCCESS = {
    "reference-example.json": b'{  "chat_id": "chat_a1b2c3d4",  "has_background": true,  "background_id": "obj_a1b2c3d4",  "background_url": "https://example.com",  "background_version": 0,  "changed": false}',
    "set-changed.json": b'{"chat_id":"+15551234567","has_background":true,"background_id":"bg_7","background_url":"https://cdn.example/bg_7.png","background_version":7,"changed":true}',
    "no-background.json": b'{"chat_id":"grp_abc123","has_background":false,"background_id":null,"background_url":null,"background_version":null}',
    "empty-object.json": b"{}",
    "unknown-fields.json": b'{"chat_id":"a@b.co","extra":{"nested":[1,2.5,"x",null]},"background_version":-1}',
    "array.json": b"[1]",
    "html.html": b"<html><body><h1>502 Bad Gateway</h1></body></html>",
}

ERRORS = {
    "unauthorized.json": b'{"error":"unauthorized","message":"Invalid API key","status":401,"code":"AUTH_INVALID"}',
    "nested.json": b'{"error":{"message":"Device offline","code":42}}',
    "error-only.json": b'{"error":"device offline"}',
    "detail.json": b'{"detail":"Not Found"}',
    "rate-limited.json": b'{"error":"rate_limited","message":"Too many requests","status":429,"code":"RATE_LIMITED"}',
    "proxy.html": b"<html><head><title>503 Service Unavailable</title></head><body>upstream connect error</body></html>",
    "blank.txt": b"  \r\n",
}

CHAT_IDS = {
    "e164.txt": b"+15551234567",
    "email.txt": b"alice@example.com",
    "group.txt": b"grp_abc123",
    "list.txt": b"+15551234567,bob@example.com",
    "opaque.txt": b"chat_a1b2c3d4",
    "unicode.txt": "caf\u00e9 \u2603/x?y#z%".encode(),
    "dots.txt": b"..",
    "newline.txt": b"+1555\n",
}

# retry_hints: retry-after-ms, 0xFF, Retry-After, 0xFF, x-should-retry, 0xFF, status (2 bytes)
# and retries done.
def hints(ms: bytes, after: bytes, should: bytes, status: int, retries: int = 0) -> bytes:
    return ms + b"\xff" + after + b"\xff" + should + b"\xff" + struct.pack(">HB", status, retries)


RETRY = {
    "seconds-429.bin": hints(b"", b"3", b"", 429),
    "fraction-503.bin": hints(b"", b"1.5", b"", 503),
    "date-503.bin": hints(b"", b"Tue, 14 Nov 2023 22:13:30 GMT", b"", 503),
    "ms-wins.bin": hints(b"120", b"5", b"false", 502, 2),
    "should-retry-400.bin": hints(b"", b"", b"true", 400),
    "too-long.bin": hints(b"", b"61", b"", 429),
    "garbage.bin": hints(b"NaN", b"soon", b"maybe", 500, 17),
}


def multipart(select: int, flags: int, name: bytes, content: bytes) -> bytes:
    return bytes([select, flags]) + bytes(range(16)) + (name + b"\x00" if flags & 1 else b"") + content


MULTIPART = {
    "jpeg-bytes.bin": multipart(0, 0, b"", jpeg_1x1()[3:]),
    "png-named.bin": multipart(1, 1, b"beach.png", png_1x1()[8:]),
    "gif-quoted-name.bin": multipart(2, 1, b'my "best" \\ pic\r\n.gif', gif_1x1()[6:]),
    "heic-crlf-body.bin": multipart(4, 0, b"", b"\r\n--blooio-\r\n--\r\n"),
}

FFI = {
    # Unstructured bytes: an operation choice followed by its arguments; any bytes are valid.
    "options-then-client.bin": b"\x00\x02\x01\x06" + b"\x10http://127.0.0.1:1/" + b"\x00" * 8,
    "get-valid-id.bin": b"\x01\x01\x0c+15551234567\x02\x02",
    "put-bytes.bin": b"\x02\x02\x0c+15551234567\x08\xff\xd8\xff\xe0\x00\x10JF\x03\x05\x02",
    "put-file.bin": b"\x03\x02\x05a@b.c\x10\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x02\x02",
    "not-handles.bin": b"\x04\x01\xaa\xbb\xcc\xdd\x05\x03\x06\x07\x7f\x00\x00\x00\x01",
    "nulls.bin": b"\x07\x07\x07\x07",
}

TARGETS = {
    "image_sniff": IMAGES,
    "success_body": SUCCESS,
    "error_body": ERRORS | {"success-" + k: v for k, v in SUCCESS.items() if k.endswith(".json")},
    "chat_id": CHAT_IDS,
    "retry_hints": RETRY,
    "multipart": MULTIPART,
    "ffi": FFI,
}


def main() -> None:
    for target, seeds in TARGETS.items():
        directory = HERE / target
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (directory / name).write_bytes(data)


if __name__ == "__main__":
    main()
