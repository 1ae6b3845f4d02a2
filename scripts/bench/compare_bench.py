#!/usr/bin/env python3
"""compare() wall time on one worker and on every core.

Usage
-----
    swift build -c release --product fairgrpo
    python3 scripts/bench/compare_bench.py [--bin .build/release/fairgrpo]
                                           [--methods grpo grpo_rs grpo_dro fairgrpo fairgrpo_nd]
                                           [--seeds 4] [--steps 200] [--n 0]
                                           [--workers 1 0] [--repeat 3] [--json out.json]

What it measures
----------------
For each value of ``--workers`` (0: compare()'s default, the number of cores)
and each of ``--repeat`` rounds, ``fairgrpo run`` runs

    c = compare(demo(), methods=METHODS, seeds=[0, …, SEEDS-1], steps=STEPS,
                eval_every=25, n_boot=0, progress=false, workers=W)
    c.table.to_csv(...)

and the process's wall time is taken (demo() built, every run trained and
scored; n_boot=0 leaves the bootstrap, which does not depend on workers, out).
The rounds alternate between the settings, so that a change in the machine's
load hits both alike. The table shows each setting's fastest and median
round, the CPU time (user + system) of its fastest round and the speed-up of
the default over one worker (fastest against fastest, median against median),
and checks that every setting wrote the same table, byte for byte.

Times are wall-clock on whatever else the machine is doing: measure in a
quiet moment (the load average is printed) and compare columns of one run.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from benchbin import find_binary


def run_once(binary, args, workers, workdir, label):
    table = os.path.join(workdir, f"table-{label}.csv")
    script = os.path.join(workdir, f"compare-{label}.fg")
    methods = ", ".join(f'"{m}"' for m in args.methods)
    seeds = ", ".join(str(s) for s in range(args.seeds))
    data = f"demo(n={args.n})" if args.n else "demo()"
    worker_option = f", workers={workers}" if workers else ""
    with open(script, "w") as f:
        f.write(
            f"c = compare({data}, methods=[{methods}], seeds=[{seeds}], steps={args.steps}, "
            f"eval_every=25, n_boot=0, progress=false{worker_option})\n"
            f'c.table.to_csv("{table}")\n'
        )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run([binary, "run", script], capture_output=True, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"compare_bench: fairgrpo run failed (workers={workers or 'default'}):\n{proc.stdout}\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(table) as f:
        return wall, cpu, f.read()


def wall_time_table(binary, args, workdir):
    """Rounds of every --workers setting, alternating; returns the rows and whether the tables agree."""
    walls = {w: [] for w in args.workers}
    cpus = {w: [] for w in args.workers}
    tables = {}
    for r in range(args.repeat):
        for w in args.workers:
            wall, cpu, table = run_once(binary, args, w, workdir, f"w{w}-r{r}")
            walls[w].append(wall)
            cpus[w].append(cpu)
            tables.setdefault(w, table)
            if tables[w] != table:
                sys.exit(f"compare_bench: workers={w or 'default'} wrote a different table in round {r + 1}")
            print(f"  round {r + 1}, workers={w or 'default'}: {wall:.1f} s", file=sys.stderr, flush=True)
    same = len(set(tables.values())) == 1
    base = args.workers[0]
    rows = []
    for w in args.workers:
        fastest, median = min(walls[w]), statistics.median(walls[w])
        rows.append({
            "workers": w or f"default ({os.cpu_count()})",
            "fastest_s": fastest, "median_s": median,
            "cpu_s": cpus[w][walls[w].index(fastest)],
            "speedup_fastest": min(walls[base]) / fastest, "speedup_median": statistics.median(walls[base]) / median,
            "rounds": walls[w],
        })
    return rows, same


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=".build/release/fairgrpo")
    ap.add_argument("--methods", nargs="+", default=["grpo", "grpo_rs", "grpo_dro", "fairgrpo", "fairgrpo_nd"])
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--n", type=int, default=0, help="rows of demo() (0: its default)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 0], help="settings to time (0: the default, every core)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    binary = find_binary(args.bin, "compare_bench")
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as workdir:
        rows, same = wall_time_table(binary, args, workdir)
    print(f"compare(demo{'(n=%d)' % args.n if args.n else '()'}, {len(args.methods)} methods × {args.seeds} seeds, "
          f"{args.steps} steps, n_boot=0): wall time of `fairgrpo run`, {args.repeat} rounds each, "
          f"{os.cpu_count()} cores, load average before {load[0]:.1f}")
    print(f"{'workers':<12} {'fastest s':>10} {'median s':>10} {'CPU s':>8} {'speed-up':>9} {'(median)':>9}")
    for r in rows:
        print(f"{str(r['workers']):<12} {r['fastest_s']:>10.1f} {r['median_s']:>10.1f} {r['cpu_s']:>8.1f} "
              f"{r['speedup_fastest']:>8.2f}× {r['speedup_median']:>8.2f}×")
    print("tables: " + ("identical for every setting (byte for byte)" if same else "DIFFER between settings"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "load_before": load, "rows": rows, "tables_identical": same}, f, indent=2)
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
