#!/usr/bin/env python3
"""Cost of FairGRPO's latent-group clustering as training goes on.

Usage
-----
    swift build -c release --product fairgrpo
    python3 scripts/bench/recluster_bench.py [--bin .build/release/fairgrpo]
                                             [--steps 400] [--every 1 10 50]
                                             [--at 10 50 100 200 400] [--window 5]
                                             [--n 20000] [--batch 64] [--G 8]
                                             [--method fairgrpo_nd] [--json out.json]

What it measures
----------------
The reference re-clusters, at every step, the whole history of each domain's
prompts without demographics (k-means with k = 1..3 and the elbow rule). For
``fairgrpo_nd`` every prompt is in that history, so the work per step grows
with the number of steps taken. ``recluster_every=N`` re-clusters only every N
steps and lets new prompts join the nearest centroid in between.

For each value of ``--every`` a script is run with ``fairgrpo run``:

    d = demo(n=N, seed=0)                 # seven domains, as the paper's datasets
    p = policy(d, hidden=[64], seed=0)
    t = trainer(p, d, method="fairgrpo_nd", G=8, batch=64, seed=0, recluster_every=E)
    step(t, STEPS, every=STEPS)
    history(t).to_csv(...)

and the per-step columns ``ms`` (the whole step), ``cluster_ms`` (the
FairGRPO weighting, clustering included) and ``reclustered`` of ``history(t)``
are read back. At each step s of ``--at`` the table shows, per setting, the
mean step time and mean clustering time over the last max(``--window``, N)
steps ending at s (so for N > 1 one re-clustering is in the window: the
amortised cost), the clustering time of the last re-clustering step up to s
(``refit``), and the history size (prompts clustered) at that step.

The runs go one after the other (never concurrently); times are wall-clock
on whatever else the machine is doing, so compare columns of one run.

Before and after: clustering the distinct reward vectors
---------------------------------------------------------
``--before-after`` runs ``recluster_every=1`` twice instead: with
``cluster_distinct=false`` (every row of the history is clustered, the former
computation, "rows") and with the default ``cluster_distinct=true`` (the
history's distinct reward vectors weighted by their counts, "distinct"). Both
give the same clusters; the table shows, at each step of ``--at``, the median
clustering time (``cluster_ms``) over the window ending there for each, their
ratio, and the whole step time (``ms``):

    python3 scripts/bench/recluster_bench.py --before-after --steps 1000 --at 10 50 100 200 400 1000
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

from benchbin import find_binary


def run(binary, every, args, workdir, extra="", name=None):
    name = name or f"every{every}"
    out = os.path.join(workdir, f"history_{name}.csv")
    script = os.path.join(workdir, f"recluster_{name}.fg")
    with open(script, "w") as f:
        f.write(
            f'd = demo(n={args.n}, seed=0)\n'
            f'p = policy(d, hidden=[64], seed=0)\n'
            f't = trainer(p, d, method="{args.method}", G={args.G}, batch={args.batch}, seed=0, recluster_every={every}{extra})\n'
            f'step(t, {args.steps}, every={args.steps})\n'
            f'history(t).to_csv("{out}")\n'
        )
    proc = subprocess.run([binary, "run", script], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"recluster_bench: fairgrpo run failed for {name}:\n{proc.stdout}\n{proc.stderr}")
    with open(out) as f:
        rows = list(csv.DictReader(f))
    if not rows or "cluster_ms" not in rows[0]:
        sys.exit("recluster_bench: history(t) has no cluster_ms column (is the method fairgrpo_nd?)")
    return rows


def window_mean(rows, column, at, window):
    values = [float(r[column]) for r in rows[max(0, at - window):at]]
    return sum(values) / len(values)


def window_median(rows, column, at, window):
    values = sorted(float(r[column]) for r in rows[max(0, at - window):at])
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def before_after(binary, args, at):
    """The clustering time per step of every row against the distinct vectors."""
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, extra in (("rows", ", cluster_distinct=false"), ("distinct", "")):
            results[name] = run(binary, 1, args, workdir, extra=extra, name=name)
    print(f"{args.method}, demo n={args.n}, batch {args.batch}, G {args.G}, recluster_every=1; ms, median over the "
          f"{args.window} steps ending at each step; rows: every row clustered (cluster_distinct=false), "
          f"distinct: the distinct reward vectors weighted by their counts (the default)")
    print(f"{'step':>5} {'history':>8} {'rows cluster':>13} {'distinct':>9} {'ratio':>7} {'rows step':>10} {'distinct':>9}")
    table = []
    for s in at:
        entry = {"step": s, "history": s * args.batch}
        for name in results:
            entry[name] = {"cluster_ms": window_median(results[name], "cluster_ms", s, args.window),
                           "step_ms": window_median(results[name], "ms", s, args.window)}
        rows, distinct = entry["rows"], entry["distinct"]
        ratio = rows["cluster_ms"] / distinct["cluster_ms"] if distinct["cluster_ms"] > 0 else float("inf")
        print(f"{s:>5} {s * args.batch:>8} {rows['cluster_ms']:>13.2f} {distinct['cluster_ms']:>9.2f} {ratio:>6.0f}x "
              f"{rows['step_ms']:>10.2f} {distinct['step_ms']:>9.2f}")
        table.append(entry)
    totals = {name: sum(float(r["ms"]) for r in results[name]) / 1000 for name in results}
    clustering = {name: sum(float(r["cluster_ms"]) for r in results[name]) / 1000 for name in results}
    print("total seconds for all steps (clustering): " +
          ", ".join(f"{name}: {totals[name]:.1f} ({clustering[name]:.1f})" for name in results))
    same = all(a.get("ari") == b.get("ari") and a.get("reward") == b.get("reward") for a, b in zip(results["rows"], results["distinct"]))
    print("same rewards and ARI at every step: " + ("yes" if same else "NO"))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "before_after": table, "total_seconds": totals,
                       "clustering_seconds": clustering, "same": same}, f, indent=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=".build/release/fairgrpo")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--every", type=int, nargs="+", default=[1, 10, 50])
    ap.add_argument("--at", type=int, nargs="+", default=[10, 50, 100, 200, 400])
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--G", type=int, default=8)
    ap.add_argument("--method", default="fairgrpo_nd")
    ap.add_argument("--json")
    ap.add_argument("--before-after", action="store_true",
                    help="recluster_every=1 with every row clustered against the distinct vectors")
    args = ap.parse_args()
    binary = find_binary(args.bin, "recluster_bench")
    at = [s for s in args.at if s <= args.steps]
    if args.before_after:
        before_after(binary, args, at)
        return
    results = {}
    with tempfile.TemporaryDirectory() as workdir:
        for every in args.every:
            results[every] = run(binary, every, args, workdir)
    print(f"{args.method}, demo n={args.n}, batch {args.batch}, G {args.G}; ms, mean over the last "
          f"max({args.window}, N) steps ending at each step; refit: clustering ms of the last re-clustering step")
    header = f"{'step':>5} {'history':>8}" + "".join(
        f" {'N=' + str(e) + ' step':>11} {'cluster':>8} {'refit':>8}" for e in args.every)
    print(header)
    table = []
    for s in at:
        history = s * args.batch
        line = f"{s:>5} {history:>8}"
        entry = {"step": s, "history": history}
        for e in args.every:
            w = max(args.window, e)
            step_ms = window_mean(results[e], "ms", s, w)
            cluster_ms = window_mean(results[e], "cluster_ms", s, w)
            refits = [float(r["cluster_ms"]) for r in results[e][:s] if float(r["reclustered"]) == 1]
            refit = refits[-1] if refits else float("nan")
            line += f" {step_ms:>11.1f} {cluster_ms:>8.1f} {refit:>8.1f}"
            entry[f"every{e}"] = {"step_ms": step_ms, "cluster_ms": cluster_ms, "refit_ms": refit}
        print(line)
        table.append(entry)
    totals = {e: sum(float(r["ms"]) for r in results[e]) / 1000 for e in args.every}
    print("total seconds for all steps: " + ", ".join(f"every={e}: {totals[e]:.1f}" for e in args.every))
    last = {e: results[e][-1] for e in args.every}
    print("ARI / NMI against the true groups at the last step: " +
          ", ".join(f"every={e}: {last[e].get('ari', '-')} / {last[e].get('nmi', '-')}" for e in args.every))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "table": table, "total_seconds": totals}, f, indent=2)


if __name__ == "__main__":
    main()
