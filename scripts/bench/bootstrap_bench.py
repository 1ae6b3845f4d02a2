#!/usr/bin/env python3
"""Bootstrap benchmark: fairgrpo's intervals against fairlearn's MetricFrame(n_boot=...) and NumPy.

Usage
-----
    swift build -c release --product fairgrpo-bench
    pip install numpy pandas scikit-learn fairlearn
    python3 scripts/bench/bootstrap_bench.py [--rows 100000] [--resamples 1000] [--seed 1] [--rounds 3]
                                             [--fairlearn-resamples 3 | --skip-fairlearn]
                                             [--numpy-resamples 50]
                                             [--swift-bin .build/release/fairgrpo-bench]

What it measures
----------------
1,000 bootstrap resamples (``--resamples``) of ``--rows`` 10-class predictions with sex
(2 groups), age bin (4) and their intersection (14 groups in all): the rows of
scripts/bench/fairness_bench.py, generated on both sides from the same counter-based hash.

1. fairgrpo: ``fairgrpo-bench bootstrap``, i.e. ``FairnessReport.evaluate(...,
   intersections: true, bootstrap:)``: rows resampled within each sex × age cell, and
   on every resample every group score, gap, σ and headline metric recomputed (about
   190 quantities), then percentile intervals of each. Best of ``--rounds``.
2. fairlearn: one ``MetricFrame(metrics, ..., n_boot=R, ci_quantiles=[0.025, 0.975])``
   per grouping (sex, age, [sex, age]) with the paper's five macro scores (fdr, recall,
   fpr, f1, ovr accuracy; scripts/fairness_reference.py's functions). fairlearn
   recomputes every frame per resample, which takes seconds, so it is timed without
   resamples (t0) and with ``--fairlearn-resamples`` R (tR); the time at ``--resamples`` B
   is t0 + (tR − t0)·B/R (the per-resample cost is constant). It computes fewer
   quantities than fairgrpo.
3. NumPy: a vectorised peer doing what fairgrpo does, rows resampled within cells and
   the group scores from bincounts per resample (fairness_bench.py's ``numpy_scores``,
   the five scores only), ``--numpy-resamples`` resamples scaled linearly.

All times cover resampling and scoring; inputs are built before the clock starts. The
script checks that fairgrpo's group F1 on the unresampled rows equals NumPy's (1e-9)
and that every fairgrpo F1 interval holds its point estimate, prints a table with each
peer's time at ``--resamples`` resamples and the ratio to fairgrpo, and exits 1 if a
check fails. The target is under one second for fairgrpo on two cores.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fairness_bench as fb  # noqa: E402

TARGET_SECONDS = 1.0


def swift_bootstrap(binary, rows, resamples, seed, rounds):
    cmd = [binary, "bootstrap", "--rows", rows, "--resamples", resamples, "--seed", seed, "--rounds", rounds]
    times, groups = [], {}
    for rec in fb.swift_records(cmd):
        if rec.get("bench") == "bootstrap":
            times.append(rec["seconds"])
        elif rec.get("bench") == "bootstrap_group":
            groups[(rec["attribute"], rec["level"])] = (rec["f1"], rec["lo"], rec["hi"])
    if not times or not groups:
        sys.exit(f"no bootstrap lines from {' '.join(map(str, cmd))}")
    return times, groups


def fairlearn_bootstrap(sex, age, truth, pred, resamples):
    import pandas as pd
    from fairlearn.metrics import MetricFrame

    sys.path.insert(0, str(fb.REPO_ROOT / "scripts"))
    import fairness_reference as ref

    metrics = {"fdr": ref.macro_fdr, "recall": ref.macro_recall, "fpr": ref.macro_fpr,
               "f1": ref.macro_f1, "acc": ref.macro_ovr_accuracy}
    groupings = [
        pd.Series(np.asarray(fb.SEX_LEVELS, dtype=object)[sex], name="sex"),
        pd.Series(np.asarray(fb.AGE_LEVELS, dtype=object)[age], name="age"),
        pd.DataFrame({"sex": np.asarray(fb.SEX_SHORT, dtype=object)[sex],
                      "age": np.asarray(fb.AGE_SHORT, dtype=object)[age]}),
    ]
    def timed(n_boot):
        t0 = time.perf_counter()
        for sf in groupings:
            if n_boot:
                mf = MetricFrame(metrics=metrics, y_true=truth, y_pred=pred, sensitive_features=sf,
                                 n_boot=n_boot, ci_quantiles=[0.025, 0.975], random_state=0)
                _ = mf.by_group_ci
            else:
                _ = MetricFrame(metrics=metrics, y_true=truth, y_pred=pred, sensitive_features=sf).by_group
        return time.perf_counter() - t0

    base = timed(0)
    return base, timed(resamples)


def numpy_bootstrap(sex, age, truth, pred, resamples, seed):
    """Rows resampled within each sex × age cell; group scores by bincount on every resample."""
    rng = np.random.default_rng(seed)
    cell = sex * 4 + age
    order = np.argsort(cell, kind="stable")
    sizes = np.bincount(cell, minlength=8)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    t0 = time.perf_counter()
    for _ in range(resamples):
        idx = np.concatenate([order[s + rng.integers(0, n, n)] for s, n in zip(starts, sizes) if n > 0])
        fb.numpy_scores(sex[idx], age[idx], truth[idx], pred[idx])
    return time.perf_counter() - t0


def main():
    parser = argparse.ArgumentParser(description="fairgrpo bootstrap intervals vs fairlearn n_boot and NumPy")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--fairlearn-resamples", type=int, default=3)
    parser.add_argument("--skip-fairlearn", action="store_true")
    parser.add_argument("--numpy-resamples", type=int, default=50)
    parser.add_argument("--swift-bin", default=str(fb.DEFAULT_SWIFT_BIN))
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    binary = fb.resolve_swift_bin(args.swift_bin)
    if not binary.exists():
        sys.exit(f"{binary} not found; build it with: {fb.BUILD_HINT}")

    sex, age, truth, pred = fb.make_rows(args.rows, args.seed)
    swift_times, swift_groups = swift_bootstrap(binary, args.rows, args.resamples, args.seed, args.rounds)

    # Checks: point F1 equals NumPy's; each interval holds its point.
    problems = []
    reference = fb.numpy_scores(sex, age, truth, pred)
    for key, (f1, lo, hi) in swift_groups.items():
        want = reference[key]["f1"]
        if abs(f1 - want) > fb.TOLERANCE:
            problems.append(f"{key} F1 {f1!r} vs numpy {want!r}")
        if not lo <= f1 <= hi:
            problems.append(f"{key} F1 {f1} outside its interval [{lo}, {hi}]")
    if len(swift_groups) != 14:
        problems.append(f"{len(swift_groups)} groups, expected 14")

    best = min(swift_times)
    results = [("fairgrpo", args.resamples, best, best)]
    n_np = min(args.numpy_resamples, args.resamples)
    np_seconds = numpy_bootstrap(sex, age, truth, pred, n_np, args.seed)
    results.append(("numpy", n_np, np_seconds, np_seconds * args.resamples / n_np))
    if not args.skip_fairlearn:
        n_fl = min(args.fairlearn_resamples, args.resamples)
        fl_base, fl_seconds = fairlearn_bootstrap(sex, age, truth, pred, n_fl)
        results.append(("fairlearn", n_fl, fl_seconds, fl_base + (fl_seconds - fl_base) * args.resamples / n_fl))

    print(f"bootstrap: {args.rows} rows, {fb.CLASSES} classes, 14 groups (sex, age, sex×age), "
          f"{args.resamples} resamples")
    print(f"{'implementation':<14} {'resamples':>10} {'seconds':>10} {f'at {args.resamples}':>12} {'vs fairgrpo':>12}")
    for name, n, seconds, scaled in results:
        print(f"{name:<14} {n:>10} {seconds:>10.3f} {scaled:>12.3f} {scaled / best:>12.1f}")
    print(f"fairgrpo: {best:.3f} s (target < {TARGET_SECONDS:g} s on two cores: "
          f"{'met' if best < TARGET_SECONDS else 'NOT met'}); rounds {', '.join(f'{t:.3f}' for t in swift_times)} s")
    for name, _, _, scaled in results[1:]:
        print(f"{name}/fairgrpo = {scaled / best:.1f}")
    if problems:
        print("\n".join(["MISMATCH"] + problems[:20]))
        sys.exit(1)


if __name__ == "__main__":
    main()
