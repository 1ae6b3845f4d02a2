#!/usr/bin/env python3
"""Tensor benchmark: fairgrpo (Swift) against a NumPy peer, in one run.

Usage
-----
    swift build -c release --product fairgrpo-bench
    python3 scripts/bench/tensor_bench.py [--swift-bin .build/release/fairgrpo-bench]
                                          [--steps 50] [--warmup 10] [--rounds 3]
                                          [--json out.json]

``--swift-bin`` defaults to ``.build/release/fairgrpo-bench`` under the repository
root (found from this file's location, ``<repo>/scripts/bench/``). A relative path
is looked up from the current directory first, then from the repository root.

What it measures
----------------
Both sides run the same benchmarks, one after the other (never concurrently):

1. sgemm: square float32 ``C = A @ B`` at n = 64, 256 and 1024, reported in
   GFLOP/s with flops = 2 n^3. Calls are timed in batches for ~0.3 s per size and
   the best batch is reported. The OpenBLAS core each side runs (e.g. "SkylakeX")
   and its thread count are reported too; for NumPy they come from threadpoolctl
   (``pip install threadpoolctl``), "unknown" without it.

2. One MLP training step in float32: forward, softmax cross-entropy (mean over
   rows), backward and an Adam update (lr 1e-3, betas 0.9/0.999, eps 1e-8).
   Layers are ``y = x @ W + b`` with W of shape [in, out], ReLU between hidden
   layers and no activation on the output:

       W1: 256 rows,  64 -> 128 -> 128 -> 5
       W2: 1024 rows, 256 -> 512 -> 512 -> 10

   Reported as the median of ``--steps`` timed steps after ``--warmup`` untimed
   ones, in ms per step.

The NumPy side runs in a subprocess (``tensor_bench.py --numpy-worker``) with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment, so a core
override meant for another program does not slow NumPy's own OpenBLAS down.

Protocol
--------
The Swift binary is run as ``<swift-bin> tensor --steps S --warmup W``. It and the
NumPy worker both print one JSON object per line on stdout (other lines are
ignored):

    {"bench":"sgemm","n":64,"gflops":12.3,"core":"SkylakeX","threads":2}
    {"bench":"mlp_step","workload":"W1","median_ms":0.42,"core":"SkylakeX","threads":2}

Targets
-------
The ratio column is fairgrpo / numpy. For step times (lower is better) the
targets are:

    W1 step-time ratio <= 0.5
    W2 step-time ratio <= 0.9

sgemm rows are informational (higher ratio is better) and have no target.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SWIFT_BIN = Path(".build/release/fairgrpo-bench")
BUILD_HINT = "swift build -c release --product fairgrpo-bench"

SGEMM_SIZES = (64, 256, 1024)
SGEMM_MIN_TIME = 0.3  # seconds of timed work per size
SGEMM_MIN_BATCH_TIME = 0.002  # seconds per timed batch, so timer overhead is negligible

WORKLOADS = {
    # name: (rows, layer widths)
    "W1": (256, (64, 128, 128, 5)),
    "W2": (1024, (256, 512, 512, 10)),
}
TARGETS = {"W1": 0.5, "W2": 0.9}

SEED = 1234
ADAM_LR = 1e-3
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8

# Environment variables removed for the NumPy worker.
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# --------------------------------------------------------------------------
# NumPy worker
# --------------------------------------------------------------------------


def blas_info() -> tuple[str, int | None]:
    """Return (OpenBLAS core, thread count) of the BLAS NumPy is using."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown", None
    core, threads = "unknown", None
    for entry in threadpool_info():
        if entry.get("internal_api") == "openblas":
            core = entry.get("architecture") or "unknown"
            threads = entry.get("num_threads")
            break
        if entry.get("user_api") == "blas" and threads is None:
            threads = entry.get("num_threads")
    return core, threads


def bench_sgemm(n: int, rng, min_time: float = SGEMM_MIN_TIME) -> float:
    """Best-of-batches GFLOP/s of a square float32 matmul."""
    import numpy as np

    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)

    # Warm up and pick a batch size long enough to time reliably.
    np.matmul(a, b, out=c)
    batch = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(batch):
            np.matmul(a, b, out=c)
        dt = time.perf_counter() - t0
        if dt >= SGEMM_MIN_BATCH_TIME:
            break
        batch *= 2

    best = dt / batch
    spent = 0.0
    while spent < min_time:
        t0 = time.perf_counter()
        for _ in range(batch):
            np.matmul(a, b, out=c)
        dt = time.perf_counter() - t0
        spent += dt
        best = min(best, dt / batch)
    return 2.0 * n**3 / best / 1e9


class NumpyMLP:
    """MLP with ReLU hidden layers, softmax cross-entropy loss and Adam.

    All activations, gradients and optimizer scratch space are allocated once, so
    a training step does little allocation beyond small per-row temporaries.
    """

    def __init__(self, widths, rows, rng, dtype=None):
        import numpy as np

        self.np = np
        dtype = np.float32 if dtype is None else dtype
        self.dtype = dtype
        self.rows = rows
        self.params = []  # [W0, b0, W1, b1, ...]
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            bound = 1.0 / math.sqrt(fan_in)
            w = rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype)
            b = rng.uniform(-bound, bound, size=(fan_out,)).astype(dtype)
            self.params += [w, b]
        self.grads = [np.zeros_like(p) for p in self.params]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]
        self.t = 0

        # outs[i] is the output of layer i (after ReLU for hidden layers);
        # deltas[i] is dLoss/d(pre-activation of layer i).
        self.outs = [np.empty((rows, w), dtype=dtype) for w in widths[1:]]
        self.deltas = [np.empty((rows, w), dtype=dtype) for w in widths[1:]]
        self.masks = [np.empty((rows, w), dtype=bool) for w in widths[1:-1]]
        self.row_buf = np.empty((rows, 1), dtype=dtype)
        self.row_idx = np.arange(rows)

    @property
    def n_layers(self) -> int:
        return len(self.params) // 2

    def forward_backward(self, x, y) -> float:
        """Compute the mean cross-entropy loss and fill self.grads."""
        np = self.np
        L = self.n_layers
        n = x.shape[0]

        # Forward.
        h = x
        for i in range(L):
            w, b = self.params[2 * i], self.params[2 * i + 1]
            z = self.outs[i]
            np.matmul(h, w, out=z)
            z += b
            if i < L - 1:
                np.maximum(z, 0, out=z)
            h = z

        # Softmax cross-entropy; the probabilities become dLoss/dlogits in place.
        logits = self.outs[-1]
        p = self.deltas[-1]
        rb = self.row_buf
        np.max(logits, axis=1, keepdims=True, out=rb)
        np.subtract(logits, rb, out=p)
        picked = p[self.row_idx, y]  # shifted logit of the true class
        np.exp(p, out=p)
        np.sum(p, axis=1, keepdims=True, out=rb)
        loss = float(np.log(rb).mean() - picked.mean())
        p /= rb
        p[self.row_idx, y] -= 1
        p *= 1.0 / n

        # Backward.
        for i in range(L - 1, -1, -1):
            d = self.deltas[i]
            h_in = x if i == 0 else self.outs[i - 1]
            np.matmul(h_in.T, d, out=self.grads[2 * i])
            np.sum(d, axis=0, out=self.grads[2 * i + 1])
            if i > 0:
                d_prev = self.deltas[i - 1]
                np.matmul(d, self.params[2 * i].T, out=d_prev)
                # ReLU'(z) is 1 exactly where the ReLU output is positive.
                mask = self.masks[i - 1]
                np.greater(self.outs[i - 1], 0, out=mask)
                d_prev *= mask
        return loss

    def adam(self, lr=ADAM_LR, betas=ADAM_BETAS, eps=ADAM_EPS) -> None:
        np = self.np
        b1, b2 = betas
        self.t += 1
        bc1 = 1.0 - b1**self.t
        bc2 = 1.0 - b2**self.t
        step = lr / bc1
        inv_sqrt_bc2 = 1.0 / math.sqrt(bc2)
        for p, g, m, v, s in zip(self.params, self.grads, self.m, self.v, self.scratch):
            # m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
            m *= b1
            np.multiply(g, 1.0 - b1, out=s)
            m += s
            v *= b2
            np.multiply(g, g, out=s)
            s *= 1.0 - b2
            v += s
            # p -= lr * m_hat / (sqrt(v_hat) + eps)
            np.sqrt(v, out=s)
            s *= inv_sqrt_bc2
            s += eps
            np.divide(m, s, out=s)
            s *= step
            p -= s

    def step(self, x, y) -> float:
        loss = self.forward_backward(x, y)
        self.adam()
        return loss


def make_workload(name: str, rng, dtype=None):
    import numpy as np

    rows, widths = WORKLOADS[name]
    dtype = np.float32 if dtype is None else dtype
    model = NumpyMLP(widths, rows, rng, dtype=dtype)
    x = rng.standard_normal((rows, widths[0])).astype(dtype)
    y = rng.integers(0, widths[-1], size=rows)
    return model, x, y


def bench_mlp(name: str, steps: int, warmup: int, rng) -> float:
    """Median ms per training step."""
    import numpy as np

    model, x, y = make_workload(name, rng)
    for _ in range(warmup):
        model.step(x, y)
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        model.step(x, y)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3


def numpy_worker(steps: int, warmup: int) -> int:
    import numpy as np

    core, threads = blas_info()
    rng = np.random.default_rng(SEED)

    def emit(obj):
        print(json.dumps(obj), flush=True)

    emit({"bench": "info", "numpy": np.__version__, "core": core, "threads": threads})
    for n in SGEMM_SIZES:
        gflops = bench_sgemm(n, rng)
        emit({"bench": "sgemm", "n": n, "gflops": round(gflops, 3),
              "core": core, "threads": threads})
    for name in WORKLOADS:
        ms = bench_mlp(name, steps, warmup, rng)
        emit({"bench": "mlp_step", "workload": name, "median_ms": round(ms, 4),
              "core": core, "threads": threads})
    return 0


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def parse_results(text: str) -> dict:
    """Collect the JSON-lines output of either side.

    Returns {"sgemm": {n: record}, "mlp_step": {workload: record}, "info": record}.
    Lines that are not JSON objects with a "bench" key are ignored.
    """
    out: dict = {"sgemm": {}, "mlp_step": {}, "info": {}}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(rec, dict):
            continue
        kind = rec.get("bench")
        if kind == "sgemm" and "n" in rec:
            out["sgemm"][int(rec["n"])] = rec
        elif kind == "mlp_step" and "workload" in rec:
            out["mlp_step"][str(rec["workload"])] = rec
        elif kind == "info":
            out["info"] = rec
    return out


def best_of(previous: dict | None, current: dict) -> dict:
    """Keeps, per benchmark, the better of two rounds (higher GFLOP/s, lower ms)."""
    if previous is None:
        return current
    merged = {"sgemm": dict(previous["sgemm"]), "mlp_step": dict(previous["mlp_step"]),
              "info": previous["info"] or current["info"]}
    for n, rec in current["sgemm"].items():
        old = merged["sgemm"].get(n)
        if old is None or rec.get("gflops", 0) > old.get("gflops", 0):
            merged["sgemm"][n] = rec
    for w, rec in current["mlp_step"].items():
        old = merged["mlp_step"].get(w)
        if old is None or rec.get("median_ms", float("inf")) < old.get("median_ms", float("inf")):
            merged["mlp_step"][w] = rec
    return merged


def side_meta(results: dict) -> tuple[str, int | None]:
    """(core, threads) for one side, taken from the first record that has them."""
    recs = [results["info"], *results["sgemm"].values(), *results["mlp_step"].values()]
    core = next((r["core"] for r in recs if r.get("core")), "unknown")
    threads = next((r["threads"] for r in recs if r.get("threads") is not None), None)
    return str(core), threads


def resolve_swift_bin(arg: str | None) -> Path:
    if arg is None:
        return REPO_ROOT / DEFAULT_SWIFT_BIN
    p = Path(arg).expanduser()
    if p.is_absolute() or p.exists():
        return p
    return REPO_ROOT / p


def run_command(cmd: list[str], env=None, label: str = "") -> str:
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, cwd=REPO_ROOT)
    if proc.returncode != 0:
        sys.stderr.write(f"error: {label} failed (exit {proc.returncode}): {' '.join(cmd)}\n")
        if proc.stderr:
            sys.stderr.write(proc.stderr)
        sys.exit(1)
    if proc.stderr.strip():
        sys.stderr.write(proc.stderr)
    return proc.stdout


def run_swift(bin_path: Path, steps: int, warmup: int) -> dict:
    cmd = [str(bin_path), "tensor", "--steps", str(steps), "--warmup", str(warmup)]
    return parse_results(run_command(cmd, label="fairgrpo bench"))


def run_numpy(steps: int, warmup: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_OVERRIDES}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--numpy-worker",
           "--steps", str(steps), "--warmup", str(warmup)]
    return parse_results(run_command(cmd, env=env, label="numpy worker"))


def build_rows(swift: dict, numpy: dict) -> list[dict]:
    rows = []
    for n in SGEMM_SIZES:
        f = swift["sgemm"].get(n, {})
        p = numpy["sgemm"].get(n, {})
        rows.append({"name": f"sgemm {n} GFLOP/s", "kind": "gflops",
                     "fairgrpo": f.get("gflops"), "fairgrpo_core": f.get("core"),
                     "numpy": p.get("gflops"), "numpy_core": p.get("core"),
                     "target": None})
    for name in WORKLOADS:
        f = swift["mlp_step"].get(name, {})
        p = numpy["mlp_step"].get(name, {})
        rows.append({"name": f"{name} step ms", "kind": "ms",
                     "fairgrpo": f.get("median_ms"), "fairgrpo_core": f.get("core"),
                     "numpy": p.get("median_ms"), "numpy_core": p.get("core"),
                     "target": TARGETS.get(name)})
    for r in rows:
        a, b = r["fairgrpo"], r["numpy"]
        r["ratio"] = (a / b) if (a is not None and b) else None
        if r["target"] is None:
            r["status"] = None
        elif r["ratio"] is None:
            r["status"] = "n/a"
        else:
            r["status"] = "ok" if r["ratio"] <= r["target"] else "MISS"
    return rows


def fmt_value(value, core, kind: str) -> str:
    if value is None:
        return "-"
    num = f"{value:.1f}" if kind == "gflops" else f"{value:.3f}"
    return f"{num} ({core or 'unknown'})"


def render_table(rows: list[dict], swift: dict, numpy: dict) -> str:
    f_core, f_threads = side_meta(swift)
    n_core, n_threads = side_meta(numpy)
    lines = []
    np_ver = numpy["info"].get("numpy")
    lines.append(f"fairgrpo: OpenBLAS core {f_core}, {f_threads or '?'} thread(s)")
    lines.append(f"numpy{(' ' + np_ver) if np_ver else ''}: OpenBLAS core {n_core}, "
                 f"{n_threads or '?'} thread(s)")
    lines.append("")
    header = f"{'benchmark':<20} {'fairgrpo (core)':<22} {'numpy (core)':<22} " \
             f"{'ratio':>7}   target"
    lines.append(header)
    lines.append("-" * len(header))
    for r in rows:
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}"
        if r["target"] is None:
            target = "-"
        else:
            target = f"<= {r['target']:.2f}  {r['status']}"
        lines.append(f"{r['name']:<20} "
                     f"{fmt_value(r['fairgrpo'], r['fairgrpo_core'], r['kind']):<22} "
                     f"{fmt_value(r['numpy'], r['numpy_core'], r['kind']):<22} "
                     f"{ratio:>7}   {target}")
    lines.append("")
    lines.append("ratio = fairgrpo / numpy. GFLOP/s: higher is better. "
                 "Step ms: lower is better (target is an upper bound).")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Benchmark fairgrpo tensors against NumPy (sgemm, MLP training step).")
    ap.add_argument("--swift-bin", default=None,
                    help=f"fairgrpo bench binary (default: <repo>/{DEFAULT_SWIFT_BIN})")
    ap.add_argument("--steps", type=int, default=50, help="timed MLP steps (default 50)")
    ap.add_argument("--warmup", type=int, default=10, help="untimed warm-up steps (default 10)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternate the two sides this many times and keep each side's best "
                         "figure (default 3; the machine's speed drifts, alternating keeps it fair)")
    ap.add_argument("--json", metavar="PATH", help="also write the collected figures here")
    ap.add_argument("--numpy-worker", action="store_true",
                    help="run the NumPy side and print JSON lines (used internally)")
    args = ap.parse_args(argv)
    if args.steps < 1 or args.warmup < 0:
        ap.error("--steps must be >= 1 and --warmup >= 0")

    if args.numpy_worker:
        return numpy_worker(args.steps, args.warmup)

    swift_bin = resolve_swift_bin(args.swift_bin)
    if not (swift_bin.is_file() and os.access(swift_bin, os.X_OK)):
        sys.stderr.write(
            f"error: fairgrpo bench binary not found: {swift_bin}\n"
            f"Build it first with:\n\n    {BUILD_HINT}\n\n"
            "or pass its location with --swift-bin.\n")
        return 2

    swift = numpy = None
    for r in range(max(1, args.rounds)):
        print(f"round {r + 1}: fairgrpo bench ({swift_bin}) ...", file=sys.stderr, flush=True)
        swift = best_of(swift, run_swift(swift_bin, args.steps, args.warmup))
        print(f"round {r + 1}: numpy worker ...", file=sys.stderr, flush=True)
        numpy = best_of(numpy, run_numpy(args.steps, args.warmup))

    rows = build_rows(swift, numpy)
    print(render_table(rows, swift, numpy))

    if args.json:
        f_core, f_threads = side_meta(swift)
        n_core, n_threads = side_meta(numpy)
        payload = {
            "steps": args.steps,
            "warmup": args.warmup,
            "swift_bin": str(swift_bin),
            "fairgrpo": {"core": f_core, "threads": f_threads,
                         "sgemm": {str(k): v for k, v in swift["sgemm"].items()},
                         "mlp_step": swift["mlp_step"]},
            "numpy": {"core": n_core, "threads": n_threads,
                      "version": numpy["info"].get("numpy"),
                      "sgemm": {str(k): v for k, v in numpy["sgemm"].items()},
                      "mlp_step": numpy["mlp_step"]},
            "rows": rows,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
