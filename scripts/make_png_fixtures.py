#!/usr/bin/env python3
"""Writes the small PNG files the Data tests decode, using only zlib and struct.

    python3 scripts/make_png_fixtures.py [output-dir]

The default output directory is Tests/DataTests/Fixtures/png. The files are
committed; rerun this after changing it. Every image is tiny and its pixel
values are listed here, so the tests can state the exact decoded values.

Valid images (one per colour type / bit depth libpng has to convert):

    gray8.png      3x2 gray, 8-bit:    0 128 255 / 10 20 30
    gray16.png     2x2 gray, 16-bit:   0 32896 / 65535 2570   (k*257, i.e. 0 128 / 255 10)
    gray1.png      5x2 gray, 1-bit:    1 0 1 1 0 / 0 1 0 1 1  (rows padded to a byte)
    gray2.png      3x1 gray, 2-bit:    0 1 3                  (0 85 255)
    rgb8.png       2x2 RGB, 8-bit:     red green / blue (100,100,100)
    rgba8.png      3x1 RGBA, 8-bit:    (200,100,50,255) (255,255,255,0) (255,255,255,128)
    palette4.png   3x2 palette, 4-bit: indices 0 1 2 / 2 1 0 into black, white, (10,200,30)
    palette8.png   2x2 palette, 8-bit: indices 0 1 / 2 1 with the same palette
    graya8.png     2x1 gray+alpha:     (100,255) (200,0)
    rgb16.png      1x2 RGB, 16-bit:    (65535,0,32896) / (2570,2570,2570)
    graya16.png    3x1 gray+alpha, 16-bit: (65535,65535) (65535,32896) (32896,0)

Corrupt ones (decoding must fail with an error naming the file):

    truncated.png  the first 50 bytes of gray8.png (cut inside the IDAT data)
    bad_crc.png    gray8.png with the IDAT CRC changed
    not_png.png    a text file
    empty.png      zero bytes
    bad_ihdr.png   a valid signature and an IHDR claiming bit depth 3
"""

import os
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, bit_depth, color_type, rows, palette=None):
    """rows: the filtered scanlines' payload bytes (filter type 0 is prepended here)."""
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    out = SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0))
    if palette is not None:
        out += chunk(b"PLTE", b"".join(bytes(c) for c in palette))
    out += chunk(b"IDAT", zlib.compress(raw, 9))
    out += chunk(b"IEND", b"")
    return out


def pack_bits(values, depth):
    """Packs small integers MSB-first into bytes, padding the last byte with zeros."""
    out, acc, used = [], 0, 0
    for v in values:
        acc = (acc << depth) | v
        used += depth
        if used == 8:
            out.append(acc)
            acc, used = 0, 0
    if used:
        out.append(acc << (8 - used))
    return out


def u16(values):
    return b"".join(struct.pack(">H", v) for v in values)


def images():
    palette = [(0, 0, 0), (255, 255, 255), (10, 200, 30)]
    yield "gray8.png", png(3, 2, 8, 0, [[0, 128, 255], [10, 20, 30]])
    yield "gray16.png", png(2, 2, 16, 0, [u16([0, 32896]), u16([65535, 2570])])
    yield "gray1.png", png(5, 2, 1, 0, [pack_bits([1, 0, 1, 1, 0], 1), pack_bits([0, 1, 0, 1, 1], 1)])
    yield "gray2.png", png(3, 1, 2, 0, [pack_bits([0, 1, 3], 2)])
    yield "rgb8.png", png(2, 2, 8, 2, [[255, 0, 0, 0, 255, 0], [0, 0, 255, 100, 100, 100]])
    yield "rgba8.png", png(3, 1, 8, 6, [[200, 100, 50, 255, 255, 255, 255, 0, 255, 255, 255, 128]])
    yield "palette4.png", png(3, 2, 4, 3, [pack_bits([0, 1, 2], 4), pack_bits([2, 1, 0], 4)], palette)
    yield "palette8.png", png(2, 2, 8, 3, [[0, 1], [2, 1]], palette)
    yield "graya8.png", png(2, 1, 8, 4, [[100, 255, 200, 0]])
    yield "rgb16.png", png(1, 2, 16, 2, [u16([65535, 0, 32896]), u16([2570, 2570, 2570])])
    yield "graya16.png", png(3, 1, 16, 4, [u16([65535, 65535, 65535, 32896, 32896, 0])])


def corrupt(valid):
    gray8 = valid["gray8.png"]
    yield "truncated.png", gray8[:50]
    # The IDAT chunk follows the 8-byte signature and the 25-byte IHDR chunk.
    idat_start = 8 + 25
    (length,) = struct.unpack(">I", gray8[idat_start:idat_start + 4])
    crc_at = idat_start + 8 + length
    bad = bytearray(gray8)
    bad[crc_at] ^= 0xFF
    yield "bad_crc.png", bytes(bad)
    yield "not_png.png", b"this is a text file, not a PNG image\n"
    yield "empty.png", b""
    ihdr = struct.pack(">IIBBBBB", 2, 2, 3, 0, 0, 0, 0)
    yield "bad_ihdr.png", SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "Tests", "DataTests", "Fixtures", "png")
    os.makedirs(out_dir, exist_ok=True)
    valid = dict(images())
    for name, data in list(valid.items()) + list(corrupt(valid)):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
