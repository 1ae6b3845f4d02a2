#!/usr/bin/env python3
"""Interpreter benchmark: fairgrpo's language against CPython, and REPL startup.

Usage
-----
    swift build -c release --product fairgrpo
    python3 scripts/bench/interpreter_bench.py [--bin .build/release/fairgrpo]
                                               [--n 1000000] [--reps 5]
                                               [--startup-runs 10] [--json out.json]

``--bin`` defaults to ``.build/release/fairgrpo`` under the repository root
(found from this file's location, ``<repo>/scripts/bench/``).

What it measures
----------------
1. A top-level loop over globals, the same program in both languages:

       fairgrpo:  s = 0; for i in range(1000000) { s = s + i }
       CPython:   s = 0
                  for i in range(1000000): s = s + i

   Each side times the loop itself (``time()`` in fairgrpo,
   ``time.perf_counter()`` in Python), so process startup is excluded. The loop
   runs ``--reps`` times in one process and the best time is reported. Both run
   at module level, where every name is a global, so neither side gets the
   local-variable fast path.

2. Startup to the first prompt: the time from spawning ``fairgrpo`` under a
   pseudo-terminal until ``[1]> `` appears, median of ``--startup-runs``
   runs (history off). This includes loading OpenBLAS and, when the CPU needs
   it, the one re-exec that selects a faster OpenBLAS core.

Targets
-------
    loop time ratio fairgrpo / CPython  <= 2.0
    startup to first prompt             <= 50 ms
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import re
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

LOOP_TARGET = 2.0
STARTUP_TARGET_MS = 50.0


def fairgrpo_loop(binary: str, n: int, reps: int) -> list[float]:
    # One timed block per repetition, written out (not in an outer loop) so
    # each is exactly the benchmark program.
    block = (
        "t0 = time()\n"
        "s = 0; for i in range({n}) {{ s = s + i }}\n"
        "t1 = time()\n"
        'print("elapsed", t1 - t0, s)\n'
    ).format(n=n)
    with tempfile.NamedTemporaryFile("w", suffix=".fg", delete=False) as f:
        f.write("\n".join([block] * reps))
        path = f.name
    try:
        env = dict(os.environ, FAIRGRPO_HISTORY="off", SWIFT_BACKTRACE="enable=no")
        out = subprocess.run([binary, "run", path], capture_output=True, text=True, env=env, check=True).stdout
    finally:
        os.unlink(path)
    times, expected = [], n * (n - 1) // 2
    for line in out.splitlines():
        if line.startswith("elapsed "):
            _, seconds, total = line.split()
            if float(total) != expected:
                sys.exit(f"interpreter_bench: fairgrpo computed {total}, expected {expected}")
            times.append(float(seconds))
    if len(times) != reps:
        sys.exit(f"interpreter_bench: unexpected fairgrpo output:\n{out}")
    return times


def python_loop(n: int, reps: int) -> list[float]:
    block = (
        "t0 = time.perf_counter()\n"
        "s = 0\n"
        "for i in range({n}): s = s + i\n"
        "t1 = time.perf_counter()\n"
        'print("elapsed", t1 - t0, s)\n'
    ).format(n=n)
    source = "import time\n" + "\n".join([block] * reps)
    out = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, check=True).stdout
    return [float(line.split()[1]) for line in out.splitlines() if line.startswith("elapsed ")]


def startup_to_prompt(binary: str, timeout: float = 10.0) -> float:
    """Seconds from spawn until the first prompt is on the terminal."""
    env = dict(os.environ, FAIRGRPO_HISTORY="off", SWIFT_BACKTRACE="enable=no", TERM="xterm-256color", INPUTRC="/dev/null")
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(binary, [binary], env)
        finally:
            os._exit(127)
    seen = b""
    try:
        deadline = start + timeout
        while b"[1]> " not in seen:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise RuntimeError(f"no prompt within {timeout} s; output: {seen!r}")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b""
                if not data:
                    raise RuntimeError(f"fairgrpo exited before its prompt; output: {seen!r}")
                seen += data
        elapsed = time.perf_counter() - start
        os.write(fd, b"\x04")  # Ctrl-D
        end = time.time() + 5
        while time.time() < end:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            select.select([fd], [], [], 0.05)
            try:
                os.read(fd, 4096)
            except OSError:
                pass
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        return elapsed
    finally:
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/release/fairgrpo"))
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    binary = args.bin if os.path.isabs(args.bin) or os.path.exists(args.bin) else os.path.join(ROOT, args.bin)
    if not os.access(binary, os.X_OK):
        sys.exit(f"interpreter_bench: {binary} not found; build it with: swift build -c release --product fairgrpo")

    fg = fairgrpo_loop(binary, args.n, args.reps)
    py = python_loop(args.n, args.reps)
    startup = sorted(startup_to_prompt(binary) for _ in range(args.startup_runs))
    fg_best, py_best = min(fg), min(py)
    ratio = fg_best / py_best
    startup_ms = statistics.median(startup) * 1000

    print(f"fairgrpo {binary}")
    print(f"CPython  {platform.python_version()} ({sys.executable})")
    print(f"loop: s = s + i over range({args.n}), globals, best of {args.reps}; startup: median of {args.startup_runs}")
    print()
    header = f"{'benchmark':<28} {'fairgrpo':>10} {'CPython':>10} {'ratio':>7}  {'target':<10} {'ok':<3}"
    print(header)
    print("-" * len(header))
    print(f"{'loop (ms, best)':<28} {fg_best * 1000:>10.1f} {py_best * 1000:>10.1f} {ratio:>7.2f}  "
          f"{'<= ' + str(LOOP_TARGET) + 'x':<10} {'yes' if ratio <= LOOP_TARGET else 'NO':<3}")
    print(f"{'loop (ns per iteration)':<28} {fg_best / args.n * 1e9:>10.1f} {py_best / args.n * 1e9:>10.1f} {ratio:>7.2f}")
    print(f"{'startup to prompt (ms)':<28} {startup_ms:>10.1f} {'':>10} {'':>7}  "
          f"{'<= ' + str(int(STARTUP_TARGET_MS)) + ' ms':<10} {'yes' if startup_ms <= STARTUP_TARGET_MS else 'NO':<3}")
    print()
    print("fairgrpo loop runs (ms): " + ", ".join(f"{t * 1000:.1f}" for t in fg))
    print("CPython loop runs (ms):  " + ", ".join(f"{t * 1000:.1f}" for t in py))
    print("startup runs (ms):       " + ", ".join(f"{t * 1000:.1f}" for t in startup))

    if args.json:
        with open(args.json, "w") as f:
            json.dump({
                "loop": {"n": args.n, "fairgrpo_s": fg, "cpython_s": py, "ratio_best": ratio, "target": LOOP_TARGET},
                "startup_ms": {"runs": [t * 1000 for t in startup], "median": startup_ms, "target": STARTUP_TARGET_MS},
                "python": platform.python_version(),
            }, f, indent=2)


if __name__ == "__main__":
    main()
