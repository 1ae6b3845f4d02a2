#!/usr/bin/env python3
"""k-means benchmark: fairgrpo's KMeans (Swift) against scikit-learn's, on the same data.

Usage
-----
    swift build -c release --product fairgrpo-bench
    pip install scikit-learn          # once
    python3 scripts/bench/kmeans_bench.py [--swift-bin .build/release/fairgrpo-bench]
                                          [--rows 200000] [--dims 32] [--k 8]
                                          [--rounds 3] [--std 4.0] [--workdir DIR] [--json out.json]

``--swift-bin`` defaults to ``.build/release/fairgrpo-bench`` under the repository
root (found from this file's location, ``<repo>/scripts/bench/``). A relative path
is looked up from the current directory first, then from the repository root.

What it measures
----------------
1. Data: ``rows`` × ``dims`` float32 Gaussian blobs around ``k`` centres
   (``sklearn.datasets.make_blobs(centers=k, cluster_std=4.0, random_state=0)``;
   ``--std`` changes the spread: around 10 the blobs overlap and Lloyd runs longer),
   written to ``<workdir>/kmeans_data.f32`` as raw little-endian float32,
   row-major. Both sides read exactly these values.

2. fairgrpo: ``fairgrpo-bench kmeans --data <file> --rows --dims --k --n-init 4
   --max-iter 100 --tol 1e-4 --seed 0 --rounds R --labels <workdir>/kmeans_labels_swift.txt``
   runs ``KMeans(k: k, nInit: 4, maxIter: 100, tol: 1e-4)`` and prints one JSON
   line per round (seconds of the fit alone, inertia, iterations).

3. scikit-learn: ``KMeans(n_clusters=k, algorithm="lloyd", init="k-means++",
   n_init=4, max_iter=100, tol=1e-4, random_state=0)`` on the same float32 array,
   in a subprocess (``kmeans_bench.py --sklearn-worker``) with OPENBLAS_CORETYPE
   and OPENBLAS_L2_SIZE removed from its environment, so a core override meant
   for another program does not slow NumPy's OpenBLAS. Each round times ``fit``.

Both sides run one after the other (never concurrently) and use every core of
the machine (OpenBLAS and OpenMP threads). The best round of each is reported.

Table
-----
    side         seconds  inertia  iterations
    fairgrpo     ...
    scikit-learn ...
    time ratio (fairgrpo / scikit-learn)            target <= 1.0
    inertia difference |fg - sk| / sk               target <= 0.5 %
    ARI between the two labelings                   target >= 0.99

The inertias compared are each side's own (fairgrpo accumulates the squared
distances in float64 from float32 distances; scikit-learn in float32).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SWIFT_BIN = Path(".build/release/fairgrpo-bench")
BUILD_HINT = "swift build -c release --product fairgrpo-bench"

N_INIT = 4
MAX_ITER = 100
TOL = 1e-4
SEED = 0
CLUSTER_STD = 4.0
TARGETS = {"ratio": 1.0, "inertia_pct": 0.5, "ari": 0.99}

# Environment variables removed for the scikit-learn worker.
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def make_data(rows: int, dims: int, k: int, std: float = CLUSTER_STD):
    import numpy as np
    from sklearn.datasets import make_blobs

    x, _ = make_blobs(n_samples=rows, n_features=dims, centers=k, cluster_std=std, random_state=0)
    return np.ascontiguousarray(x, dtype="<f4")


def load_data(path: Path, rows: int, dims: int):
    import numpy as np

    x = np.fromfile(path, dtype="<f4")
    if x.size != rows * dims:
        sys.exit(f"error: {path} holds {x.size} floats, expected {rows} x {dims}")
    return x.reshape(rows, dims).astype(np.float32, copy=False)


# --------------------------------------------------------------------------
# scikit-learn worker
# --------------------------------------------------------------------------


def sklearn_worker(args) -> int:
    import numpy as np
    import sklearn
    from sklearn.cluster import KMeans

    x = load_data(args.data, args.rows, args.dims)
    try:
        from threadpoolctl import threadpool_info

        info = threadpool_info()
    except ImportError:
        info = []
    openmp = next((e.get("num_threads") for e in info if e.get("user_api") == "openmp"), None)
    core = next((e.get("architecture") for e in info if e.get("internal_api") == "openblas"), "unknown")
    print(json.dumps({"bench": "info", "sklearn": sklearn.__version__, "numpy": np.__version__,
                      "openmp_threads": openmp, "core": core}), flush=True)
    labels = None
    for r in range(args.rounds):
        model = KMeans(n_clusters=args.k, algorithm="lloyd", init="k-means++", n_init=N_INIT,
                       max_iter=MAX_ITER, tol=TOL, random_state=SEED)
        t0 = time.perf_counter()
        model.fit(x)
        seconds = time.perf_counter() - t0
        labels = model.labels_
        print(json.dumps({"bench": "kmeans", "round": r, "seconds": seconds,
                          "inertia": float(model.inertia_), "iterations": int(model.n_iter_)}),
              flush=True)
    if args.labels is not None and labels is not None:
        np.savetxt(args.labels, labels, fmt="%d")
    return 0


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def parse_records(text: str) -> tuple[list[dict], dict]:
    rounds, info = [], {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if rec.get("bench") == "kmeans":
            rounds.append(rec)
        elif rec.get("bench") == "info":
            info = rec
    return rounds, info


def run_command(cmd: list[str], env=None, label: str = "") -> str:
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, cwd=REPO_ROOT)
    if proc.returncode != 0:
        sys.stderr.write(f"error: {label} failed (exit {proc.returncode}): {' '.join(cmd)}\n")
        sys.stderr.write(proc.stdout[-2000:])
        sys.stderr.write(proc.stderr[-4000:])
        sys.exit(1)
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    return proc.stdout


def resolve_swift_bin(arg: str | None) -> Path:
    if arg is None:
        return REPO_ROOT / DEFAULT_SWIFT_BIN
    p = Path(arg).expanduser()
    if p.is_absolute() or p.exists():
        return p
    return REPO_ROOT / p


def best(rounds: list[dict]) -> dict:
    return min(rounds, key=lambda r: r["seconds"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--swift-bin", default=None)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--dims", type=int, default=32)
    parser.add_argument("--k", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--std", type=float, default=CLUSTER_STD,
                        help="the blobs' standard deviation (larger: overlapping blobs, more iterations)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fairgrpo-kmeans-bench"))
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--skip-swift", action="store_true", help="run scikit-learn only")
    # Internal: the scikit-learn side, run in a subprocess.
    parser.add_argument("--sklearn-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--labels", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.sklearn_worker:
        return sklearn_worker(args)

    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    args.workdir.mkdir(parents=True, exist_ok=True)
    data_path = args.workdir / "kmeans_data.f32"
    swift_labels = args.workdir / "kmeans_labels_swift.txt"
    sk_labels = args.workdir / "kmeans_labels_sklearn.txt"
    x = make_data(args.rows, args.dims, args.k, args.std)
    x.tofile(data_path)
    print(f"data: {args.rows} x {args.dims} float32 blobs around {args.k} centres "
          f"(std {args.std}) -> {data_path}")

    swift = None
    if not args.skip_swift:
        bin_path = resolve_swift_bin(args.swift_bin)
        if not bin_path.exists():
            sys.exit(f"error: {bin_path} not found; build it with: {BUILD_HINT}")
        cmd = [str(bin_path), "kmeans", "--data", str(data_path), "--rows", str(args.rows),
               "--dims", str(args.dims), "--k", str(args.k), "--n-init", str(N_INIT),
               "--max-iter", str(MAX_ITER), "--tol", str(TOL), "--seed", str(SEED),
               "--rounds", str(args.rounds), "--labels", str(swift_labels)]
        rounds, _ = parse_records(run_command(cmd, label="fairgrpo-bench kmeans"))
        if not rounds:
            sys.exit("error: fairgrpo-bench printed no kmeans result")
        swift = best(rounds)
        swift["all_seconds"] = [r["seconds"] for r in rounds]

    env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_OVERRIDES}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--sklearn-worker", "--data", str(data_path),
           "--rows", str(args.rows), "--dims", str(args.dims), "--k", str(args.k),
           "--rounds", str(args.rounds), "--labels", str(sk_labels)]
    rounds, info = parse_records(run_command(cmd, env=env, label="scikit-learn worker"))
    sk = best(rounds)
    sk["all_seconds"] = [r["seconds"] for r in rounds]

    print(f"scikit-learn {info.get('sklearn', '?')} (OpenMP threads {info.get('openmp_threads')}, "
          f"OpenBLAS core {info.get('core')})"
          + (f"; fairgrpo OpenBLAS core {swift.get('core')}, threads {swift.get('threads')}" if swift else ""))
    print()
    print(f"{'side':<14}{'best s':>10}{'rounds (s)':>28}{'inertia':>20}{'iterations':>12}")
    for name, rec in (("fairgrpo", swift), ("scikit-learn", sk)):
        if rec is None:
            continue
        rounds_text = " ".join(f"{s:.3f}" for s in rec["all_seconds"])
        print(f"{name:<14}{rec['seconds']:>10.3f}{rounds_text:>28}{rec['inertia']:>20.6g}{rec['iterations']:>12}")

    result = {"rows": args.rows, "dims": args.dims, "k": args.k, "std": args.std, "sklearn": sk, "fairgrpo": swift}
    if swift is not None:
        ratio = swift["seconds"] / sk["seconds"]
        inertia_pct = abs(swift["inertia"] - sk["inertia"]) / sk["inertia"] * 100
        ari = adjusted_rand_score(np.loadtxt(sk_labels, dtype=np.int64),
                                  np.loadtxt(swift_labels, dtype=np.int64))

        def verdict(ok: bool) -> str:
            return "ok" if ok else "MISSED"

        print()
        print(f"{'time ratio (fairgrpo / scikit-learn)':<44}{ratio:>10.3f}   target <= {TARGETS['ratio']:.1f}   "
              f"{verdict(ratio <= TARGETS['ratio'])}")
        print(f"{'inertia difference':<44}{inertia_pct:>9.4f}%   target <= {TARGETS['inertia_pct']}%   "
              f"{verdict(inertia_pct <= TARGETS['inertia_pct'])}")
        print(f"{'ARI between the labelings':<44}{ari:>10.6f}   target >= {TARGETS['ari']}  "
              f"{verdict(ari >= TARGETS['ari'])}")
        result.update({"ratio": ratio, "inertia_diff_pct": inertia_pct, "ari": ari})
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
