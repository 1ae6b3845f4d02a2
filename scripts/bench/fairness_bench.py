#!/usr/bin/env python3
"""Fairness-report benchmark: fairgrpo (Swift) against fairlearn and NumPy, in one run.

Usage
-----
    swift build -c release --product fairgrpo-bench
    pip install numpy pandas scikit-learn fairlearn
    python3 scripts/bench/fairness_bench.py [--rows 1000000] [--seed 1] [--rounds 5]
                                            [--fairlearn-rows N | --skip-fairlearn]
                                            [--swift-bin .build/release/fairgrpo-bench]
                                            [--json out.json]

``--swift-bin`` defaults to ``.build/release/fairgrpo-bench`` under the repository
root (found from this file's location, ``<repo>/scripts/bench/``).

What it measures
----------------
Scoring 10-class predictions on ``--rows`` rows with two attributes, sex (2 groups)
and age bin (4 groups), per group of sex, of age and of their intersection sex×age
(14 groups): the five per-group scores of the paper's table, each one-vs-rest per
class and macro-averaged over the classes present in the group's ground truth
(see Sources/Fairness/Confusion.swift):

    fdr = FP/(TP+FP), recall = TP/(TP+FN), fpr = FP/(FP+TN), f1 = 2TP/(2TP+FP+FN),
    acc = (TP+TN)/n (one-vs-rest accuracy)

Three implementations score identical inputs:

1. fairgrpo: ``fairgrpo-bench fairness``, i.e. ``FairnessReport.evaluate(...,
   intersections: true)``, which also computes the other scores, gaps and σ.
2. NumPy: a vectorised implementation: per grouping, three ``np.bincount`` calls
   over (group, class) give the one-vs-rest counts; the scores follow from them.
3. fairlearn: one ``MetricFrame`` per grouping (sex, age, [sex, age]) with the five
   scores as scikit-learn-based metric functions (those of
   scripts/fairness_reference.py). This takes about a minute on a million rows, so
   ``--fairlearn-rows N`` times it on the first N rows and scales the time linearly
   to ``--rows``; ``--skip-fairlearn`` leaves it out.

Times are the best of ``--rounds`` rounds for fairgrpo and NumPy (one round for
fairlearn), and cover scoring only: the inputs are built before the clock starts.

Inputs
------
Both sides generate the rows from the same counter-based hash, so no data file
is exchanged (see the header of Sources/fairgrpo-bench/FairnessBench.swift):

    h(i, s) = splitmix64(seed * 0xD1B54A32D192ED03 + 8 * i + s)   (mod 2^64)
    sex = h(i,0) % 2, age = h(i,1) % 4, truth = h(i,2) % 10
    pred = truth if h(i,3) % 1000 < 550 + 50*age - 40*sex else (truth + 1 + h(i,4) % 9) % 10

Checks and output
-----------------
All per-group numbers must agree to 1e-9: fairgrpo with NumPy on all rows, and
fairlearn with NumPy on the rows fairlearn scored. The script prints a table of
times with the ratio fairgrpo/numpy (target <= 0.5) and exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SWIFT_BIN = Path(".build/release/fairgrpo-bench")
BUILD_HINT = "swift build -c release --product fairgrpo-bench"
CLASSES = 10
METRICS = ["fdr", "recall", "fpr", "f1", "acc"]
TOLERANCE = 1e-9
TARGET_RATIO = 0.5

SEX_LEVELS = ["female", "male"]
SEX_SHORT = ["F", "M"]
AGE_LEVELS = ["≤25", "26-50", "51-75", ">75"]
AGE_SHORT = ["A1", "A2", "A3", "A4"]


# ---------------------------------------------------------------- inputs

def splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def make_rows(n, seed):
    with np.errstate(over="ignore"):
        base = np.uint64(seed) * np.uint64(0xD1B54A32D192ED03)
        key = base + np.arange(n, dtype=np.uint64) * np.uint64(8)

        def h(s):
            return splitmix64(key + np.uint64(s))

        sex = (h(0) % np.uint64(2)).astype(np.int64)
        age = (h(1) % np.uint64(4)).astype(np.int64)
        truth = (h(2) % np.uint64(10)).astype(np.int64)
        right = (h(3) % np.uint64(1000)).astype(np.int64) < 550 + 50 * age - 40 * sex
        other = (truth + 1 + (h(4) % np.uint64(9)).astype(np.int64)) % 10
    return sex, age, truth, np.where(right, truth, other)


# ---------------------------------------------------------------- NumPy

def numpy_scores(sex, age, truth, pred, k=CLASSES):
    """{(attribute, level): {"n": n, metric: value}} from bincounts per grouping."""
    right = truth == pred
    groupings = [
        ("sex", sex, SEX_LEVELS),
        ("age", age, AGE_LEVELS),
        ("sex×age", sex * len(AGE_LEVELS) + age,
         [f"{s},{a}" for s in SEX_SHORT for a in AGE_SHORT]),
    ]
    out = {}
    for name, codes, levels in groupings:
        g = len(levels)
        base = codes * k
        at_truth = base + truth
        support = np.bincount(at_truth, minlength=g * k).reshape(g, k)
        predicted = np.bincount(base + pred, minlength=g * k).reshape(g, k)
        tp = np.bincount(at_truth[right], minlength=g * k).reshape(g, k)
        n = support.sum(axis=1)
        fp = predicted - tp
        fn = support - tp
        tn = n[:, None] - tp - fp - fn
        negatives = n[:, None] - support
        present = support > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            per_class = {
                "fdr": (fp / predicted, predicted > 0),
                "recall": (tp / support, present),
                "fpr": (fp / negatives, negatives > 0),
                "f1": (2 * tp / (2 * tp + fp + fn), 2 * tp + fp + fn > 0),
                "acc": ((tp + tn) / n[:, None], np.ones_like(present)),
            }
            scores = {}
            for metric, (values, defined) in per_class.items():
                mask = present & defined
                scores[metric] = np.where(mask, values, 0.0).sum(axis=1) / mask.sum(axis=1)
        for i, level in enumerate(levels):
            if n[i] == 0:
                continue
            entry = {"n": int(n[i])}
            for metric in METRICS:
                v = float(scores[metric][i])
                entry[metric] = None if math.isnan(v) else v
            out[(name, level)] = entry
    return out


# ---------------------------------------------------------------- fairlearn

def fairlearn_scores(sex, age, truth, pred):
    import pandas as pd
    from fairlearn.metrics import MetricFrame

    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    import fairness_reference as ref

    metrics = {"fdr": ref.macro_fdr, "recall": ref.macro_recall, "fpr": ref.macro_fpr,
               "f1": ref.macro_f1, "acc": ref.macro_ovr_accuracy}
    sex_names = np.asarray(SEX_LEVELS, dtype=object)[sex]
    age_names = np.asarray(AGE_LEVELS, dtype=object)[age]
    groupings = [
        ("sex", pd.Series(sex_names, name="sex")),
        ("age", pd.Series(age_names, name="age")),
        ("sex×age", pd.DataFrame({"sex": np.asarray(SEX_SHORT, dtype=object)[sex],
                                  "age": np.asarray(AGE_SHORT, dtype=object)[age]})),
    ]
    out = {}
    t0 = time.perf_counter()
    frames = [(name, MetricFrame(metrics=metrics, y_true=truth, y_pred=pred, sensitive_features=sf))
              for name, sf in groupings]
    seconds = time.perf_counter() - t0
    for name, mf in frames:
        for key, row in mf.by_group.iterrows():
            level = ",".join(key) if isinstance(key, tuple) else key
            out[(name, level)] = {m: (None if math.isnan(row[m]) else float(row[m])) for m in METRICS}
    return out, seconds


# ---------------------------------------------------------------- fairgrpo

def resolve_swift_bin(path):
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    return REPO_ROOT / p


def swift_records(cmd):
    """The JSON lines a fairgrpo-bench command prints (exits with its stderr if it fails)."""
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{proc.stderr}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def swift_scores(binary, rows, seed, rounds):
    cmd = [binary, "fairness", "--rows", rows, "--seed", seed, "--rounds", rounds]
    times, groups = [], {}
    for rec in swift_records(cmd):
        if rec.get("bench") == "fairness":
            times.append(rec["seconds"])
        elif rec.get("bench") == "fairness_group":
            groups[(rec["attribute"], rec["level"])] = {k: rec[k] for k in ["n"] + METRICS}
    if not times or not groups:
        sys.exit(f"no fairness lines from {' '.join(map(str, cmd))}")
    return groups, times


# ---------------------------------------------------------------- checks

def compare(label, got, want):
    """Problems found comparing two {(attribute, level): scores} maps."""
    problems = []
    if set(got) != set(want):
        problems.append(f"{label}: groups differ: {sorted(set(got) ^ set(want))}")
    worst = 0.0
    for key in sorted(set(got) & set(want)):
        for metric, w in want[key].items():
            g = got[key].get(metric)
            if (g is None) != (w is None):
                problems.append(f"{label}: {key} {metric}: {g} vs {w}")
            elif g is not None:
                worst = max(worst, abs(g - w))
                if abs(g - w) > TOLERANCE:
                    problems.append(f"{label}: {key} {metric}: {g!r} vs {w!r}")
    return problems, worst


def main():
    parser = argparse.ArgumentParser(description="fairgrpo fairness report vs fairlearn and NumPy")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5, help="rounds for fairgrpo and NumPy (best is reported)")
    parser.add_argument("--fairlearn-rows", type=int, default=None,
                        help="time fairlearn on the first N rows and scale to --rows (default: all rows)")
    parser.add_argument("--skip-fairlearn", action="store_true")
    parser.add_argument("--swift-bin", default=str(DEFAULT_SWIFT_BIN))
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    binary = resolve_swift_bin(args.swift_bin)
    if not binary.exists():
        sys.exit(f"{binary} not found; build it with: {BUILD_HINT}")

    sex, age, truth, pred = make_rows(args.rows, args.seed)
    swift_groups, swift_times = swift_scores(binary, args.rows, args.seed, args.rounds)

    numpy_times = []
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        numpy_groups = numpy_scores(sex, age, truth, pred)
        numpy_times.append(time.perf_counter() - t0)

    problems, worst_swift = compare("fairgrpo vs numpy", swift_groups, numpy_groups)
    results = [("fairgrpo", args.rows, min(swift_times), min(swift_times)),
               ("numpy", args.rows, min(numpy_times), min(numpy_times))]
    worst_fairlearn = None
    if not args.skip_fairlearn:
        m = min(args.fairlearn_rows or args.rows, args.rows)
        fl_groups, fl_seconds = fairlearn_scores(sex[:m], age[:m], truth[:m], pred[:m])
        reference = numpy_groups if m == args.rows else numpy_scores(sex[:m], age[:m], truth[:m], pred[:m])
        reference = {key: {k: v for k, v in s.items() if k != "n"} for key, s in reference.items()}
        more, worst_fairlearn = compare(f"fairlearn vs numpy ({m} rows)", fl_groups, reference)
        problems += more
        results.append(("fairlearn", m, fl_seconds, fl_seconds * args.rows / m))

    numpy_best = min(numpy_times)
    print(f"fairness report: {args.rows} rows, {CLASSES} classes, groups sex (2), age (4), sex×age (8); "
          f"metrics {', '.join(METRICS)}")
    print(f"{'implementation':<14} {'rows timed':>11} {'seconds':>10} {f'at {args.rows} rows':>16} {'vs numpy':>9}")
    for name, rows, seconds, scaled in results:
        print(f"{name:<14} {rows:>11} {seconds:>10.4f} {scaled:>16.4f} {scaled / numpy_best:>9.3f}")
    ratio = min(swift_times) / numpy_best
    print(f"fairgrpo/numpy = {ratio:.3f} (target <= {TARGET_RATIO}: {'met' if ratio <= TARGET_RATIO else 'NOT met'}); "
          f"fairgrpo rounds {', '.join(f'{t:.4f}' for t in swift_times)} s")
    print(f"agreement: fairgrpo vs numpy max |diff| {worst_swift:.2e}"
          + (f", fairlearn vs numpy max |diff| {worst_fairlearn:.2e}" if worst_fairlearn is not None else "")
          + f" (tolerance {TOLERANCE:g})")

    if args.json:
        Path(args.json).write_text(json.dumps({
            "rows": args.rows, "seed": args.seed,
            "results": [{"implementation": n, "rows_timed": r, "seconds": s, "seconds_scaled": sc}
                        for n, r, s, sc in results],
            "ratio_fairgrpo_numpy": ratio, "problems": problems,
            "groups": [{"attribute": a, "level": l, **v} for (a, l), v in sorted(swift_groups.items())],
        }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    if problems:
        print("\n".join(["MISMATCH"] + problems[:20]))
        sys.exit(1)


if __name__ == "__main__":
    main()
