#!/usr/bin/env python3
"""JSON Lines loading benchmark: fairgrpo's load_rollouts against Python's json and pandas.

Usage
-----
    swift build -c release --product fairgrpo
    python3 scripts/bench/jsonl_bench.py [--bin .build/release/fairgrpo] [--rows 160000]
                                         [--rounds 3] [--cache-dir /tmp/fairgrpo-jsonl-bench]
                                         [--json out.json]

pandas is needed for its column (``pip install pandas``); without it that row is skipped.

What it measures
----------------
A verl rollout dump (what ``trainer.rollout_data_dir`` holds, one step's file): ``--rows``
rows (default 160,000, about 200 MB) of ``input`` (a ~300-character prompt shared by the
G = 8 rollouts of a prompt), ``output`` (a ~700-character completion with newlines, quotes
and a ``\\boxed{…}`` answer, so strings carry escapes), ``score``, ``step``, and reward
extra fields ``data_source``, ``demo`` (the FairGRPO authors' demographics string) and
``acc``. Generated once with a fixed seed and cached under ``--cache-dir``.

1. fairgrpo (and ``+completions``, the same load with ``completions=true``, which keeps
   every completion's text): ``fairgrpo run`` on a script that reads ``time()``, calls
   ``load_rollouts(path, format="verl")`` and reads ``time()`` again: the file is parsed,
   every row checked, and rollouts grouped by prompt within the step with their
   demographic groups formed (more work than the peers, which only parse).
2. python json: ``[json.loads(line) for line in file]`` (the standard library, C
   accelerated), reading the file included.
3. pandas: ``pandas.read_json(path, lines=True)``.

Each tool runs in a fresh process per round, ``--rounds`` times (default 3), never
concurrently, after the file was read once into the page cache; the best round counts.
Throughput is file size / best time in MB/s (10^6 bytes).

Target
------
fairgrpo ≥ 100 MB/s, and faster than both peers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = Path(".build/release/fairgrpo")
BUILD_HINT = "swift build -c release --product fairgrpo"
SEED = 20261203
G = 8

JSON_WORKER = r"""
import sys, time, json
path = sys.argv[1]
t0 = time.perf_counter()
with open(path, encoding="utf-8") as f:
    rows = [json.loads(line) for line in f if line.strip()]
t1 = time.perf_counter()
print("SECONDS", repr(t1 - t0))
print("ROWS", len(rows))
"""

PANDAS_WORKER = r"""
import sys, time
import pandas as pd
path = sys.argv[1]
t0 = time.perf_counter()
frame = pd.read_json(path, lines=True)
t1 = time.perf_counter()
print("SECONDS", repr(t1 - t0))
print("ROWS", len(frame))
"""

FAIRGRPO_SCRIPT = """t0 = time()
r = load_rollouts("{path}", format="verl", completions={completions})
t1 = time()
print("SECONDS", t1 - t0)
print("ROWS", r.rollouts)
"""

WORDS = ("the patient presents with chest pain and shortness of breath findings suggest "
         "consolidation in the right lower lobe no effusion heart size normal lungs clear "
         "history of smoking fever cough for three days").split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def generate(path: Path, rows: int) -> None:
    """Writes the benchmark file atomically (a temporary file, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    started = time.perf_counter()
    sources = ["chexpert", "ham10000", "vindr", "papila", "brset", "pad_ufes", "hemorrhage"]
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        for q in range(rows // G):
            prompt = f"Case {q}: " + sentence(rng, 50) + "\nWhat is the diagnosis? Answer in \\boxed{}."
            source = sources[q % len(sources)]
            demo = f"sex: {rng.choice(['Male', 'Female'])}, age: {rng.randint(18, 90)}" if q % 10 else ""
            for i in range(G):
                answer = rng.choice(["pneumonia", "normal", "effusion"])
                output = ("<think>" + sentence(rng, 60) + "\n\"" + sentence(rng, 40) + "\"\n" + sentence(rng, 20)
                          + "</think>\nThe answer is \\boxed{" + answer + "}")
                score = 1.0 if answer == "pneumonia" else 0.0
                f.write(json.dumps({"input": prompt, "output": output, "score": score, "step": 1,
                                    "data_source": source, "demo": demo, "acc": score}, ensure_ascii=False) + "\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
    print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f}s", file=sys.stderr)


def resolve_bin(given: str | None) -> Path:
    if given:
        p = Path(given)
        candidates = [p] if p.is_absolute() else [Path.cwd() / p, REPO_ROOT / p]
    else:
        candidates = [REPO_ROOT / DEFAULT_BIN]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    sys.exit(f"jsonl_bench: fairgrpo binary not found ({', '.join(map(str, candidates))}); build it with: {BUILD_HINT}")


def parse(output: str, tool: str) -> tuple[float, int]:
    seconds = re.search(r"^SECONDS\s+([0-9.eE+-]+)\s*$", output, re.M)
    rows = re.search(r"^ROWS\s+([0-9]+)\s*$", output, re.M)
    if not seconds or not rows:
        sys.exit(f"jsonl_bench: could not read the {tool} timing from its output:\n{output}")
    return float(seconds.group(1)), int(rows.group(1))


def run(command: list[str], tool: str) -> tuple[float, int] | None:
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        if tool == "pandas" and "No module named 'pandas'" in proc.stderr:
            return None
        sys.exit(f"jsonl_bench: {tool} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return parse(proc.stdout, tool)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", help=f"fairgrpo binary (default {DEFAULT_BIN})")
    ap.add_argument("--rows", type=int, default=160_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--cache-dir", default="/tmp/fairgrpo-jsonl-bench")
    ap.add_argument("--json", help="also write the results as JSON to this file")
    args = ap.parse_args()
    args.rows -= args.rows % G

    binary = resolve_bin(args.bin)
    path = Path(args.cache_dir) / f"verl_dump_{args.rows}.jsonl"
    if not path.exists():
        generate(path, args.rows)
    size = path.stat().st_size
    with open(path, "rb") as f:  # into the page cache
        while f.read(1 << 24):
            pass
    quoted = str(path).replace("\\", "\\\\").replace('"', '\\"')
    script = Path(args.cache_dir) / "load_rollouts_bench.fg"
    script.write_text(FAIRGRPO_SCRIPT.format(path=quoted, completions="false"))
    # The same load keeping every completion's text (for trace()): every
    # ~700-character output with its escapes decoded into a string.
    with_text = Path(args.cache_dir) / "load_rollouts_completions_bench.fg"
    with_text.write_text(FAIRGRPO_SCRIPT.format(path=quoted, completions="true"))

    tools = {
        "fairgrpo": [str(binary), "run", str(script)],
        "+completions": [str(binary), "run", str(with_text)],
        "python json": [sys.executable, "-c", JSON_WORKER, str(path)],
        "pandas": [sys.executable, "-c", PANDAS_WORKER, str(path)],
    }
    results = {}
    for tool, command in tools.items():
        times = []
        for r in range(args.rounds):
            got = run(command, tool)
            if got is None:
                print(f"  {tool}: not installed, skipped", file=sys.stderr)
                break
            seconds, rows = got
            if rows != args.rows:
                sys.exit(f"jsonl_bench: {tool} read {rows} rows, expected {args.rows}")
            times.append(seconds)
            print(f"  {tool} round {r + 1}: {seconds:.3f}s", file=sys.stderr)
        if times:
            best = min(times)
            results[tool] = {"seconds": times, "best_seconds": best, "mb_per_s": size / 1e6 / best}

    print(f"\nJSONL load: {path} ({size / 1e6:.1f} MB, {args.rows} rows), best of {args.rounds}\n")
    print(f"{'tool':<12} {'best s':>8} {'MB/s':>8} {'× fairgrpo':>11}   rounds (s)")
    ours = results["fairgrpo"]["mb_per_s"]
    for tool, r in results.items():
        rounds = " ".join(f"{s:.3f}" for s in r["seconds"])
        print(f"{tool:<12} {r['best_seconds']:>8.3f} {r['mb_per_s']:>8.1f} {r['mb_per_s'] / ours:>11.2f}   {rounds}")
    print(f"\nfairgrpo: {ours:.1f} MB/s ({'meets' if ours >= 100 else 'misses'} the target ≥ 100 MB/s)")
    kept = results["+completions"]["mb_per_s"]
    print(f"fairgrpo keeping completions: {kept:.1f} MB/s ({'meets' if kept >= 100 else 'misses'} the target ≥ 100 MB/s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"file": str(path), "bytes": size, "rows": args.rows, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
