#!/usr/bin/env python3
"""Writes the small synthetic image folder used by tutorial 06, with only the
standard library (zlib, struct, random).

    python3 scripts/make_example_images.py [output-dir]

The default output directory is data/images. It holds manifest.csv (path,
label, sex, age, site) and 160 PNG files of 24x24 "scans": a noisy background,
with a bright round lesion for label "lesion" and none for "clear". Two sites
differ in brightness and noise, as scanners do. To show that the loader
converts whatever libpng reads, site A writes 8-bit grayscale and site B
writes 8-bit RGB, and every tenth file is 16-bit grayscale. The files are
committed; rerun this after changing it (output is deterministic).
"""
import math
import os
import random
import struct
import sys
import zlib


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width, height, rows, color_type, bit_depth):
    raw = b"".join(b"\x00" + r for r in rows)
    header = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def scan(rng, size, lesion, brightness, noise):
    cx, cy = rng.uniform(6, size - 6), rng.uniform(6, size - 6)
    radius = rng.uniform(4, 6)
    pixels = []
    for y in range(size):
        row = []
        for x in range(size):
            v = brightness + rng.gauss(0, noise)
            # Anatomy-like gradient, the same for both labels.
            v += 20 * math.sin(x / size * math.pi)
            if lesion and (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2:
                v += 90
            row.append(min(255, max(0, int(round(v)))))
        pixels.append(row)
    return pixels


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "data/images"
    os.makedirs(out, exist_ok=True)
    rng = random.Random(7)
    size = 24
    lines = ["path,label,sex,age,site"]
    sites = {"A": (70, 12), "B": (85, 20)}
    n = 0
    for site, (brightness, noise) in sites.items():
        for i in range(80):
            lesion = rng.random() < 0.4
            sex = "F" if rng.random() < 0.45 else "M"
            age = int(rng.uniform(20, 90))
            pixels = scan(rng, size, lesion, brightness, noise)
            name = f"{site.lower()}{i:03d}.png"
            if n % 10 == 9:
                rows = [b"".join(struct.pack(">H", v * 257) for v in r) for r in pixels]
                data = png(size, size, rows, 0, 16)
            elif site == "A":
                data = png(size, size, [bytes(r) for r in pixels], 0, 8)
            else:
                data = png(size, size, [bytes(c for v in r for c in (v, v, v)) for r in pixels], 2, 8)
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
            lines.append(f"{name},{'lesion' if lesion else 'clear'},{sex},{age},{site}")
            n += 1
    with open(os.path.join(out, "manifest.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {n} images and manifest.csv to {out}")


if __name__ == "__main__":
    main()
