#!/usr/bin/env python3
"""CSV loading benchmark: fairgrpo's load_csv against pandas.read_csv.

Usage
-----
    swift build -c release --product fairgrpo
    python3 scripts/bench/csv_bench.py [--bin .build/release/fairgrpo] [--rows 2200000]
                                       [--rounds 3] [--cache-dir /tmp/fairgrpo-csv-bench]
                                       [--json out.json]

``--bin`` defaults to ``.build/release/fairgrpo`` under the repository root (found
from this file's location, ``<repo>/scripts/bench/``). pandas is needed on the
Python side (``pip install pandas``).

What it measures
----------------
A numeric CSV of ``--rows`` rows (default 2.2 million, about 200 MB): ten float
columns ``f0``..``f9`` drawn from N(0, 10²) and written with 6 decimals, and an
integer ``label`` column in 0..2. It is generated once with a fixed seed and
cached under ``--cache-dir`` (delete it to regenerate).

1. fairgrpo: ``fairgrpo run`` on a script that reads ``time()``, calls
   ``load_csv(path, label="label")`` and reads ``time()`` again, so only the load
   is timed (type inference, both parsing passes, feature matrix and scaling),
   not process start-up. Each round is a fresh process.
2. pandas: ``pandas.read_csv(path)`` with the default (C) engine, timed with
   ``time.perf_counter`` around the call only, in a fresh Python process per
   round.

The file is read once before timing so both sides start from the page cache.
Each side runs ``--rounds`` times (default 3), one after the other, never
concurrently; the best round counts. Throughput is file size / best time in
MB/s (10^6 bytes).

Target
------
fairgrpo's throughput ≥ pandas' (ratio fairgrpo / pandas ≥ 1).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = Path(".build/release/fairgrpo")
BUILD_HINT = "swift build -c release --product fairgrpo"
SEED = 20240611
COLUMNS = 10

PANDAS_WORKER = r"""
import sys, time
import pandas as pd
path = sys.argv[1]
t0 = time.perf_counter()
frame = pd.read_csv(path)
t1 = time.perf_counter()
print("SECONDS", repr(t1 - t0))
print("ROWS", len(frame))
"""

FAIRGRPO_SCRIPT = """t0 = time()
data = load_csv("{path}", label="label")
t1 = time()
print("SECONDS", t1 - t0)
print("ROWS", data.count)
"""


def generate(path: Path, rows: int) -> None:
    """Writes the benchmark CSV atomically (a temporary file, then a rename)."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    chunk = 200_000
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    started = time.perf_counter()
    with os.fdopen(fd, "w", newline="\n") as f:
        f.write(",".join([f"f{i}" for i in range(COLUMNS)] + ["label"]) + "\n")
        fmt = ",".join(["%.6f"] * COLUMNS) + ",%d"
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            values = rng.normal(0.0, 10.0, size=(n, COLUMNS))
            labels = rng.integers(0, 3, size=n)
            block = np.empty((n, COLUMNS + 1), dtype=object)
            block[:, :COLUMNS] = values
            block[:, COLUMNS] = labels
            np.savetxt(f, block, fmt=fmt, delimiter=",")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s", file=sys.stderr)


def resolve_bin(given: str | None) -> Path:
    candidates = []
    if given:
        p = Path(given)
        candidates = [p] if p.is_absolute() else [Path.cwd() / p, REPO_ROOT / p]
    else:
        candidates = [REPO_ROOT / DEFAULT_BIN]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    sys.exit(f"csv_bench: fairgrpo binary not found ({', '.join(map(str, candidates))}); build it with: {BUILD_HINT}")


def parse(output: str, tool: str) -> tuple[float, int]:
    seconds = re.search(r"^SECONDS\s+([0-9.eE+-]+)\s*$", output, re.M)
    rows = re.search(r"^ROWS\s+([0-9]+)\s*$", output, re.M)
    if not seconds or not rows:
        sys.exit(f"csv_bench: could not read the {tool} timing from its output:\n{output}")
    return float(seconds.group(1)), int(rows.group(1))


def run_fairgrpo(binary: Path, script: Path) -> tuple[float, int]:
    proc = subprocess.run([str(binary), "run", str(script)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"csv_bench: fairgrpo failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return parse(proc.stdout, "fairgrpo")


def run_pandas(path: Path) -> tuple[float, int]:
    proc = subprocess.run([sys.executable, "-c", PANDAS_WORKER, str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"csv_bench: the pandas worker failed (is pandas installed? pip install pandas):\n{proc.stderr}")
    return parse(proc.stdout, "pandas")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", help=f"fairgrpo binary (default {DEFAULT_BIN})")
    ap.add_argument("--rows", type=int, default=2_200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cache-dir", default="/tmp/fairgrpo-csv-bench")
    ap.add_argument("--json", help="also write the results as JSON to this file")
    args = ap.parse_args()

    binary = resolve_bin(args.bin)
    path = Path(args.cache_dir) / f"numeric_{args.rows}x{COLUMNS}.csv"
    if not path.exists():
        generate(path, args.rows)
    size = path.stat().st_size
    with open(path, "rb") as f:  # into the page cache
        while f.read(1 << 24):
            pass

    script = Path(args.cache_dir) / "load_csv_bench.fg"
    script.write_text(FAIRGRPO_SCRIPT.format(path=str(path).replace("\\", "\\\\").replace('"', '\\"')))

    results = {}
    for tool, run in (("fairgrpo", lambda: run_fairgrpo(binary, script)), ("pandas", lambda: run_pandas(path))):
        times = []
        for r in range(args.rounds):
            seconds, rows = run()
            if rows != args.rows:
                sys.exit(f"csv_bench: {tool} read {rows} rows, expected {args.rows}")
            times.append(seconds)
            print(f"  {tool} round {r + 1}: {seconds:.3f}s", file=sys.stderr)
        best = min(times)
        results[tool] = {"seconds": times, "best_seconds": best, "mb_per_s": size / 1e6 / best}

    ratio = results["fairgrpo"]["mb_per_s"] / results["pandas"]["mb_per_s"]
    print(f"\nCSV load: {path} ({size / 1e6:.1f} MB, {args.rows} rows × {COLUMNS + 1} columns), best of {args.rounds}\n")
    print(f"{'tool':<10} {'best s':>8} {'MB/s':>8}   rounds (s)")
    for tool in ("fairgrpo", "pandas"):
        r = results[tool]
        rounds = " ".join(f"{s:.3f}" for s in r["seconds"])
        print(f"{tool:<10} {r['best_seconds']:>8.3f} {r['mb_per_s']:>8.1f}   {rounds}")
    verdict = "meets" if ratio >= 1 else "misses"
    print(f"\nthroughput ratio fairgrpo / pandas: {ratio:.2f} ({verdict} the target ≥ 1.00)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"file": str(path), "bytes": size, "rows": args.rows, "results": results, "ratio": ratio}, f, indent=2)


if __name__ == "__main__":
    main()
