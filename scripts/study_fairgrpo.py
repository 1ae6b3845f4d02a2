#!/usr/bin/env python3
"""GRPO against FairGRPO on demo() and heart_cleveland, several seeds.

Usage
-----
    swift build -c release --product fairgrpo
    python3 scripts/study_fairgrpo.py [--fairgrpo-bin .build/release/fairgrpo]
                                      [--seeds 5] [--steps 300] [--G 8] [--batch 128]
                                      [--lr 3e-3] [--hidden 64] [--json study.json]
                                      [--diagnose]

What it does
------------
For each dataset (``demo()``, and ``dataset("heart_cleveland")``), each method
(``grpo``, ``fairgrpo``) and each seed 0..S-1, it writes a small fairgrpo script
and runs it headless (``fairgrpo run``):

    data = demo()                                   # or dataset("heart_cleveland")
    train, test = split(data, test=0.2, seed=0, stratify="label")   # the same split for every run
    p = policy(train, hidden=[H], seed=SEED)
    t = trainer(p, train, method=METHOD, G=G, batch=B, lr=LR, seed=SEED)
    step(t, STEPS, every=STEPS)
    r = evaluate(p, test)
    print("RESULT", r.PP, r.EOD, r.dF1, r.sF1, r.F1, r.Acc)

The seed sets the policy's initialisation, the data order and the sampling;
the split is fixed, so GRPO and FairGRPO with the same seed start from the same
network and differ only in the advantages. Scores are the paper's (see
``help(metrics)``): PP and EOD are the FDR and TPR gaps between the groups of
each attribute (sex; age bins), averaged over attributes, reported x100 as in
the paper's tables; dF1 and sF1 the gap and sample std of the group macro-F1;
F1 and Acc the group-averaged macro-F1 and one-vs-rest accuracy.

The summary gives mean +- sample std over seeds per dataset and method, and
the paired difference FairGRPO - GRPO (same seed) with its std, since the
spread between seeds is often as large as the difference between methods.

``--diagnose`` also prints, for seed 0 of each dataset, FairGRPO's last
``weights(t)`` table and the share of the gradient (sum |A|) each group got
over the run next to its share of the training prompts.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS = {"demo": "demo()", "heart_cleveland": 'dataset("heart_cleveland")'}
METHODS = ("grpo", "fairgrpo")
METRICS = ("PP", "EOD", "dF1", "sF1", "F1", "Acc")
SCALE = {"PP": 100.0, "EOD": 100.0}  # reported x100, as in the paper's tables
LARGEST_DEMO_DOMAIN = "chest_xray"
# Steps per dataset: heart_cleveland has 242 training prompts, so 150 steps of 128 are
# already ~80 passes over it; demo() needs longer for its small domains to be learned.
DEFAULT_STEPS = {"demo": 300, "heart_cleveland": 150}


def steps(dataset: str, args) -> int:
    return args.steps if args.steps else DEFAULT_STEPS[dataset]


def script(dataset: str, method: str, seed: int, args, diagnose: bool) -> str:
    lines = [
        f"data = {DATASETS[dataset]}",
        'train, test = split(data, test=0.2, seed=0, stratify="label")',
        f"p = policy(train, hidden=[{args.hidden}], seed={seed})",
        f't = trainer(p, train, method="{method}", G={args.G}, batch={args.batch}, lr={args.lr}, seed={seed})',
        f"step(t, {steps(dataset, args)}, every={steps(dataset, args)})",
        "r = evaluate(p, test)",
        'print("RESULT", r.PP, r.EOD, r.dF1, r.sF1, r.F1, r.Acc)',
    ]
    if dataset == "demo":
        # The largest domain alone: every method learns it, so its gaps compare like with like.
        lines += [
            f'r = evaluate(p, filter(test, domain="{LARGEST_DEMO_DOMAIN}"))',
            'print("RESULT_DOMAIN", r.PP, r.EOD, r.dF1, r.sF1, r.F1, r.Acc)',
        ]
    if diagnose:
        lines += [
            'print("WEIGHTS")',
            "print(weights(t))",
            'history(t, groups=true).to_csv("groups.csv")',
        ]
    return "\n".join(lines) + "\n"


def run_one(binary: Path, dataset: str, method: str, seed: int, args, diagnose: bool = False) -> dict:
    with tempfile.TemporaryDirectory(prefix="fairgrpo-study-") as tmp:
        path = Path(tmp) / "run.fg"
        path.write_text(script(dataset, method, seed, args, diagnose))
        env = dict(os.environ)
        env.setdefault("FAIRGRPO_DATA", str(REPO_ROOT / "data" / "clinical"))
        t0 = time.perf_counter()
        proc = subprocess.run([str(binary), "run", str(path)], cwd=tmp, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.stderr.write(f"error: {dataset}/{method}/seed {seed} failed:\n{proc.stdout}\n{proc.stderr}")
            sys.exit(1)
        result = None
        domain = None
        for line in proc.stdout.splitlines():
            if line.startswith("RESULT "):
                result = dict(zip(METRICS, [float(v) for v in line.split()[1:]]))
            elif line.startswith("RESULT_DOMAIN "):
                domain = dict(zip(METRICS, [float(v) for v in line.split()[1:]]))
        if result is None:
            sys.stderr.write(f"error: no RESULT line from {dataset}/{method}/seed {seed}:\n{proc.stdout}")
            sys.exit(1)
        out = {"dataset": dataset, "method": method, "seed": seed, "seconds": seconds,
               **{m: result[m] * SCALE.get(m, 1.0) for m in METRICS}}
        if domain is not None:
            out["largest_domain"] = {m: domain[m] * SCALE.get(m, 1.0) for m in METRICS}
        if diagnose:
            text = proc.stdout
            text = text[text.index("WEIGHTS\n") + len("WEIGHTS\n"):]
            out["weights"] = "\n".join(l for l in text.splitlines() if not l.startswith("wrote ")) + "\n"
            out["groups_csv"] = (Path(tmp) / "groups.csv").read_text()
        return out


def mean_std(values: list[float]) -> tuple[float, float]:
    n = len(values)
    m = sum(values) / n
    s = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1)) if n > 1 else float("nan")
    return m, s


def cell_text(mean: float, std: float, metric: str, signed: bool = False) -> str:
    digits = 2 if metric in SCALE else 3
    sign = "+" if signed else ""
    return f"{mean:{sign}.{digits}f} ± {std:.{digits}f}".rjust(17)


def gradient_shares(groups_csv: str) -> list[tuple[str, float, float]]:
    """Per (domain, group): share of the batch prompts and of sum |A| over the whole run."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(groups_csv)))
    prompts: dict[str, float] = {}
    grad: dict[str, float] = {}
    steps = {r["step"] for r in rows}
    for r in rows:
        key = f'{r["domain"]}/{r["group"]}'
        prompts[key] = prompts.get(key, 0.0) + float(r["n_batch"])
        # share is this group's part of the step's sum |A|; steps weigh equally.
        grad[key] = grad.get(key, 0.0) + float(r["share"]) / len(steps)
    total = sum(prompts.values())
    return sorted(((k, prompts[k] / total, grad[k]) for k in prompts), key=lambda t: -t[1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fairgrpo-bin", default=str(REPO_ROOT / ".build/release/fairgrpo"))
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=0, help="steps for every dataset (default: demo 300, heart_cleveland 150)")
    ap.add_argument("--G", type=int, default=8)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS))
    ap.add_argument("--json")
    ap.add_argument("--diagnose", action="store_true")
    args = ap.parse_args(argv)

    binary = Path(args.fairgrpo_bin)
    if not binary.exists():
        sys.stderr.write(f"error: {binary} not found; build it with: swift build -c release --product fairgrpo\n")
        return 1

    runs = []
    t0 = time.perf_counter()
    for dataset in args.datasets:
        for seed in range(args.seeds):
            for method in METHODS:
                r = run_one(binary, dataset, method, seed, args)
                runs.append(r)
                sys.stderr.write(f"{dataset:<16}{method:<10}seed {seed}  "
                                 + "  ".join(f"{m} {r[m]:.3f}" for m in METRICS) + f"  ({r['seconds']:.1f} s)\n")
    total = time.perf_counter() - t0

    step_text = ", ".join(f"{d} {steps(d, args)}" for d in args.datasets)
    print(f"\nGRPO vs FairGRPO: {args.seeds} seeds, steps {step_text}, G={args.G}, batch={args.batch}, "
          f"lr={args.lr}, MLP hidden [{args.hidden}]; test split 20% stratified by label (split seed 0).")
    print("PP and EOD x100 (lower is fairer); dF1, sF1 lower is fairer; F1, Acc higher is better. mean ± std over seeds.\n")
    header = f"{'dataset':<17}{'method':<10}" + "".join(f"{m:>17}" for m in METRICS)
    print(header)
    print("-" * len(header))
    # The table's rows: each dataset, and demo's largest domain evaluated alone.
    views = []
    for dataset in args.datasets:
        views.append((dataset, dataset, lambda r: r))
        if dataset == "demo":
            views.append((f"demo[{LARGEST_DEMO_DOMAIN}]", dataset, lambda r: r["largest_domain"]))
    for label, dataset, pick in views:
        for method in METHODS:
            line = f"{label:<17}{method:<10}"
            for m in METRICS:
                mean, std = mean_std([pick(r)[m] for r in runs if r["dataset"] == dataset and r["method"] == method])
                line += cell_text(mean, std, m)
            print(line)
        # Paired difference, same seed.
        line = f"{'':<17}{'Δ paired':<10}"
        for m in METRICS:
            diffs = []
            for seed in range(args.seeds):
                a = next(pick(r)[m] for r in runs if (r["dataset"], r["method"], r["seed"]) == (dataset, "fairgrpo", seed))
                b = next(pick(r)[m] for r in runs if (r["dataset"], r["method"], r["seed"]) == (dataset, "grpo", seed))
                diffs.append(a - b)
            mean, std = mean_std(diffs)
            line += cell_text(mean, std, m, signed=True)
        print(line)
    print(f"\n{len(runs)} runs in {total:.0f} s")

    diagnostics = {}
    if args.diagnose:
        for dataset in args.datasets:
            r = run_one(binary, dataset, "fairgrpo", 0, args, diagnose=True)
            diagnostics[dataset] = r
            print(f"\n== {dataset}, FairGRPO seed 0: weights(t) after the last step")
            print(r["weights"].rstrip())
            print(f"\n== {dataset}, FairGRPO seed 0: share of the batch prompts vs share of Σ|A|, over all steps")
            print(f"{'domain/group':<28}{'prompts':>9}{'Σ|A|':>9}{'ratio':>8}")
            for key, p, g in gradient_shares(r["groups_csv"]):
                print(f"{key:<28}{p:>9.3f}{g:>9.3f}{(g / p if p > 0 else float('nan')):>8.2f}")

    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "runs": runs,
                                               "diagnostics": {k: {"weights": v["weights"]} for k, v in diagnostics.items()}},
                                              indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
