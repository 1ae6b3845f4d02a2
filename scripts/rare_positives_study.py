#!/usr/bin/env python3
"""GRPO and FairGRPO on rare-positive clinical tables: the paper's reward against
the balanced reward with dynamic sampling, several seeds.

Usage
-----
    swift build -c release --product fairgrpo
    python3 scripts/rare_positives_study.py [--fairgrpo-bin .build/release/fairgrpo]
                                           [--seeds 5] [--steps 300] [--G 8] [--batch 128]
                                           [--lr 3e-3] [--hidden 64] [--json out.json]

What it does
------------
For each table (``covid_testing``: SARS-CoV-2 tests at CHOP, ~6% positive, 7 sites as
domains; ``nhefs_death``: NHEFS deaths by 1992, ~20% positive), each setting, each
method (``grpo``, ``fairgrpo``) and each seed 0..S-1, it writes a fairgrpo script and
runs it headless (``fairgrpo run``):

    data = dataset(TABLE)
    train, test = split(data, test=0.2, seed=0, stratify="label")   # same split for every run
    p = policy(train, hidden=[H], seed=SEED)
    t = trainer(p, train, method=METHOD, G=G, batch=B, lr=LR, seed=SEED, OPTIONS)
    step(t, STEPS, every=STEPS)
    ... evaluate(p, test), predict(p, test), history(t)["live"]

Settings (OPTIONS):
  paper        the paper's correctness reward, nothing else (the reference behaviour);
  bal+DS       reward="balanced", dynamic_sampling=true (max_resample 3): the options as
               first proposed. With the default scale_rewards="group" a per-prompt
               reward scale cancels in (r - mean)/std, so for GRPO this is dynamic sampling alone;
  bal+DS+batch the same with scale_rewards="batch", under which the balanced weights
               reach the advantages (the gradient is then that of balanced accuracy);
  +entropy     bal+DS+batch with entropy_coef=0.01;
  cost8+DS+batch  a cost matrix instead: a missed positive costs 8, a false alarm 1
               (reward 1 - cost/8), milder than "balanced" (whose ratio is the class
               ratio, ~16 on covid_testing), with the same sampling and scaling.

Columns: PP, EOD (x100, the paper's FDR and TPR gaps between groups), dF1, sF1 (gap and
std of the group macro-F1), F1 (the paper's: macro-F1 over the classes present in each
group, averaged over groups), mF1 (overall macro-F1 over both classes, as scikit-learn's
f1_score(average="macro")), Acc (exact accuracy), pos (share of test predictions that
are positive; the true rate is printed below the table), live (share of the prompts
drawn in a step whose rollouts disagree, before dynamic sampling's selection, which
would otherwise make it 1 by construction; mean over the last 50 steps), mean +- sample
std over seeds. The majority-class baseline (always the most frequent training label) is scored
by the same metrics() call.
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
TABLES = ("covid_testing", "nhefs_death")
METHODS = ("grpo", "fairgrpo")
SETTINGS = {
    "paper": "",
    "bal+DS": 'reward="balanced", dynamic_sampling=true, max_resample=3',
    "bal+DS+batch": 'reward="balanced", dynamic_sampling=true, max_resample=3, scale_rewards="batch"',
    "+entropy": 'reward="balanced", dynamic_sampling=true, max_resample=3, scale_rewards="batch", entropy_coef=0.01',
    "cost8+DS+batch": 'reward=[[0, 1], [8, 0]], dynamic_sampling=true, max_resample=3, scale_rewards="batch"',
}
COLUMNS = ("PP", "EOD", "dF1", "sF1", "F1", "mF1", "Acc", "pos", "live")
SCALE = {"PP": 100.0, "EOD": 100.0}
LIVE_WINDOW = 50


def script(table: str, method: str, seed: int, setting: str, args) -> str:
    options = SETTINGS[setting]
    return "\n".join([
        f'data = dataset("{table}")',
        'train, test = split(data, test=0.2, seed=0, stratify="label")',
        f"p = policy(train, hidden=[{args.hidden}], seed={seed})",
        f't = trainer(p, train, method="{method}", G={args.G}, batch={args.batch}, lr={args.lr}, seed={seed}'
        + (", " + options if options else "") + ")",
        f"step(t, {args.steps}, every={args.steps})",
        "r = evaluate(p, test)",
        "pred = predict(p, test)",
        "pos = 0",
        "for v in pred { if v == 1 { pos = pos + 1 } }",
        'print("RESULT", r.PP, r.EOD, r.dF1, r.sF1, r.F1, r.overall.macro_f1_sklearn, r.overall.exact_accuracy, pos / len(pred))',
        # Means computed here: print() shows only the first 100 items of a long list.
        'live = history(t)["live_drawn"]',
        "tail = 0",
        "every = 0",
        f"for i in range(len(live)) {{ every = every + live[i]; if i >= len(live) - {LIVE_WINDOW} {{ tail = tail + live[i] }} }}",
        f"window = {LIVE_WINDOW}",
        "if len(live) < window { window = len(live) }",
        'print("LIVE", tail / window, every / len(live))',
    ]) + "\n"


def baseline_script(table: str) -> str:
    # The majority class of the training labels, predicted for every test row.
    return "\n".join([
        f'data = dataset("{table}")',
        'train, test = split(data, test=0.2, seed=0, stratify="label")',
        "ones = 0",
        "for v in train.labels { if v == 1 { ones = ones + 1 } }",
        "major = 0",
        "if ones * 2 > len(train.labels) { major = 1 }",
        "guess = []",
        "for v in test.labels { guess.append(major) }",
        "r = metrics(test.labels, guess, test)",
        "pos = 0",
        "for v in test.labels { if v == 1 { pos = pos + 1 } }",
        'print("RESULT", r.PP, r.EOD, r.dF1, r.sF1, r.F1, r.overall.macro_f1_sklearn, r.overall.exact_accuracy, major, pos / len(test.labels), len(train.labels), len(test.labels))',
    ]) + "\n"


def run_script(binary: Path, text: str, what: str) -> str:
    with tempfile.TemporaryDirectory(prefix="fairgrpo-rare-") as tmp:
        path = Path(tmp) / "run.fg"
        path.write_text(text)
        env = dict(os.environ)
        env.setdefault("FAIRGRPO_DATA", str(REPO_ROOT / "data" / "clinical"))
        proc = subprocess.run([str(binary), "run", str(path)], cwd=tmp, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            sys.stderr.write(f"error: {what} failed:\n{proc.stdout}\n{proc.stderr}")
            sys.exit(1)
        return proc.stdout


def run_one(binary: Path, table: str, method: str, seed: int, setting: str, args) -> dict:
    t0 = time.perf_counter()
    out = run_script(binary, script(table, method, seed, setting, args), f"{table}/{setting}/{method}/seed {seed}")
    seconds = time.perf_counter() - t0
    result = live = None
    warnings = 0
    for line in out.splitlines():
        if line.startswith("RESULT "):
            result = [float(v) for v in line.split()[1:]]
        elif line.startswith("LIVE "):
            live = [float(v) for v in line.split()[1:]]
        elif line.startswith("warning: "):
            warnings += 1
    if result is None or live is None:
        sys.stderr.write(f"error: no RESULT/LIVE from {table}/{setting}/{method}/seed {seed}:\n{out}")
        sys.exit(1)
    row = dict(zip(("PP", "EOD", "dF1", "sF1", "F1", "mF1", "Acc", "pos"), result))
    for k, s in SCALE.items():
        row[k] *= s
    row["live"], row["live_all"] = live
    return {"table": table, "setting": setting, "method": method, "seed": seed, "seconds": seconds,
            "warnings": warnings, **row}


def mean_std(values: list[float]) -> tuple[float, float]:
    n = len(values)
    m = sum(values) / n
    s = math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1)) if n > 1 else float("nan")
    return m, s


def cell(m: float, s: float, column: str) -> str:
    d = 1 if column in SCALE else 3
    return f"{m:.{d}f}±{s:.{d}f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fairgrpo-bin", default=str(REPO_ROOT / ".build/release/fairgrpo"))
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--G", type=int, default=8)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--tables", nargs="+", default=list(TABLES))
    ap.add_argument("--settings", nargs="+", default=list(SETTINGS))
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    binary = Path(args.fairgrpo_bin)
    if not binary.exists():
        sys.stderr.write(f"error: {binary} not found; build it with: swift build -c release --product fairgrpo\n")
        return 1

    baselines = {}
    for table in args.tables:
        out = run_script(binary, baseline_script(table), f"{table}/majority")
        line = next(l for l in out.splitlines() if l.startswith("RESULT "))
        v = [float(x) for x in line.split()[1:]]
        baselines[table] = {"PP": v[0] * 100, "EOD": v[1] * 100, "dF1": v[2], "sF1": v[3], "F1": v[4], "mF1": v[5],
                            "Acc": v[6], "pos": v[7], "true_pos": v[8], "train": int(v[9]), "test": int(v[10])}

    runs = []
    t0 = time.perf_counter()
    for table in args.tables:
        for setting in args.settings:
            for seed in range(args.seeds):
                for method in METHODS:
                    r = run_one(binary, table, method, seed, setting, args)
                    runs.append(r)
                    sys.stderr.write(f"{table:<14}{setting:<15}{method:<9}seed {seed} "
                                     + " ".join(f"{c} {r[c]:.3f}" for c in COLUMNS) + f" ({r['seconds']:.1f} s)\n")
    total = time.perf_counter() - t0

    print(f"\nRare positives: {args.seeds} seeds, {args.steps} steps, G={args.G}, batch={args.batch}, lr={args.lr}, "
          f"MLP hidden [{args.hidden}]; test split 20% stratified by label (split seed 0).")
    print("PP, EOD x100; dF1, sF1 lower is fairer; F1 (paper's, group-averaged), mF1 (overall macro-F1), Acc (exact) "
          f"higher is better; pos = predicted-positive rate; live = live share of the drawn prompts, last {LIVE_WINDOW} steps. mean±std over seeds.\n")
    header = f"{'table':<14}{'setting':<15}{'method':<9}" + "".join(f"{c:>14}" for c in COLUMNS)
    print(header)
    print("-" * len(header))
    summary = {}
    for table in args.tables:
        b = baselines[table]
        print(f"{table:<14}{'majority':<15}{'-':<9}" + "".join(
            f"{(f'{b[c]:.1f}' if c in SCALE else f'{b[c]:.3f}') if c in b and c != 'live' else '-':>14}" for c in COLUMNS))
        for setting in args.settings:
            for method in METHODS:
                sel = [r for r in runs if r["table"] == table and r["setting"] == setting and r["method"] == method]
                if not sel:
                    continue
                stats = {c: mean_std([r[c] for r in sel]) for c in COLUMNS}
                summary[(table, setting, method)] = stats
                print(f"{table:<14}{setting:<15}{method:<9}" + "".join(f"{cell(*stats[c], c):>14}" for c in COLUMNS))
        print(f"{'':<14}true positive rate on the test split: {b['true_pos']:.3f} "
              f"(train {b['train']} rows, test {b['test']} rows)")
    print()

    # The targets, per table and setting with options.
    print("Targets (with the options): no collapse (pos > 0 in every seed), mF1 >= majority mF1 + 0.05, "
          "FairGRPO's dF1 and PP below GRPO's.")
    for table in args.tables:
        for setting in args.settings:
            if setting == "paper" or (table, setting, "grpo") not in summary:
                continue
            line = [f"  {table:<14}{setting:<15}"]
            for method in METHODS:
                sel = [r for r in runs if r["table"] == table and r["setting"] == setting and r["method"] == method]
                collapsed = sum(1 for r in sel if r["pos"] == 0 or r["pos"] == 1)
                m = summary[(table, setting, method)]["mF1"][0]
                line.append(f"{method}: collapsed in {collapsed}/{len(sel)} seeds, mF1 - majority = {m - baselines[table]['mF1']:+.3f};")
            g, f = summary[(table, setting, "grpo")], summary[(table, setting, "fairgrpo")]
            def verdict(a: float, b: float) -> str:
                return "equal" if abs(a - b) < 1e-9 else ("lower" if a < b else "NOT lower")
            line.append(f"FairGRPO dF1 {verdict(f['dF1'][0], g['dF1'][0])} ({f['dF1'][0]:.3f} vs {g['dF1'][0]:.3f}), "
                        f"PP {verdict(f['PP'][0], g['PP'][0])} ({f['PP'][0]:.1f} vs {g['PP'][0]:.1f})")
            print(" ".join(line))
    print(f"\n{len(runs)} runs in {total:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": runs, "baselines": baselines}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
