#!/usr/bin/env python3
"""GRPO / FairGRPO training-step benchmark: fairgrpo (Swift) against a NumPy peer.

Usage
-----
    swift build -c release --product fairgrpo-bench
    python3 scripts/bench/grpo_step_bench.py [--swift-bin .build/release/fairgrpo-bench]
                                             [--steps N] [--warmup N] [--rounds 5]
                                             [--workloads W1 W2] [--methods grpo fairgrpo]
                                             [--prefill 1000000] [--json out.json]

What one step is
----------------
Both sides run the same training step on synthetic prompts:

1. the next B prompts of a shuffled order (reshuffled each epoch);
2. a forward pass of the policy MLP without gradients, softmax at temperature 1,
   and G answers sampled per prompt (inverse CDF), with their log-probabilities;
3. rewards 1 for the correct class, 0 otherwise;
4. advantages: GRPO, s = (r - mean_q) / (std_q + 1e-6) with the sample std and
   s = 0 for prompts whose rewards agree; for FairGRPO additionally the batch is
   added to running sums per domain and per (domain, group) (prompts, reward sum,
   reward count), then T_d = max(sqrt(N_d) mu_d, eps), factor = T_d sqrt(N_g) mu_g,
   s' = s / factor (s where not finite), A = s' / (sample std of s' + eps);
5. the PPO-clip loss -mean(min(rho A, clip(rho, 0.8, 1.2) A)) over all B*G
   rollouts, forward and a hand-written backward through log-softmax and the MLP;
6. gradient clipping to global norm 1 and Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8);
7. the step's metrics: the entropy of the updated policy on the batch (one more
   forward pass, as the Swift trainer logs it), mean reward and clip fraction.

Workloads (float32 network, float64 advantages):

    W1: 256 prompts,  G = 8,  64 features,  MLP 64 -> 128 -> 128 -> 5
    W2: 1024 prompts, G = 16, 256 features, MLP 256 -> 512 -> 512 -> 10

Data: 4*B prompts, features N(0, 1) standardised per column, label = argmax of
a fixed random linear map, three domains and groups sex x 4 age bins, all
labelled. Reported: the median ms per step of --steps timed steps (default
W1 200, W2 40) after --warmup untimed ones (W1 20, W2 5); over --rounds rounds
(Swift and NumPy alternate, one after the other, never concurrently) the best
median of each side is kept.

The Swift side also has its logging inside the step (the per-group table that
weights(t) shows, the numbers trace(t) is built from, and a transactional
snapshot so that a failed step leaves the trainer unchanged); the NumPy side
has none of that, so the comparison is conservative for Swift.

History independence
--------------------
FairGRPO's statistics are running sums, so a step must cost the same with a
million prompts already in the history as with none. With --prefill N (default
1,000,000) two identical FairGRPO W1 trainers are built in one process, N
labelled prompts with random rewards are added to the second one's statistics
(`fairgrpo-bench grpo --prefill N --paired`), and their steps alternate so
both see the same machine load; the two medians must be within 10%. The NumPy
peer is timed the same way for reference.

Targets (ratio = fairgrpo / numpy, lower is better):

    W1 step time <= 0.5 x NumPy
    W2 step time <= 0.85 x NumPy
    FairGRPO W1 with a 1M-prompt history within 10% of an empty history
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

WORKLOADS = {
    # name: (prompts B, generations G, features, hidden widths, classes)
    "W1": (256, 8, 64, (128, 128), 5),
    "W2": (1024, 16, 256, (512, 512), 10),
}
TARGETS = {"W1": 0.5, "W2": 0.85}
DEFAULT_STEPS = {"W1": (200, 20), "W2": (40, 5)}  # (timed, warm-up): W1 steps take ~1 ms, W2 ~25 ms
PREFILL_TOLERANCE = 0.10

EPS = 1e-6
CLIP = 0.2
MAX_GRAD_NORM = 1.0
ADAM_LR, ADAM_B1, ADAM_B2, ADAM_EPS = 1e-3, 0.9, 0.999, 1e-8
DOMAINS = 3
GROUPS = 8  # sex x 4 age bins

OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# --------------------------------------------------------------------------
# NumPy peer
# --------------------------------------------------------------------------


class NumpyGRPO:
    """One GRPO/FairGRPO trainer in NumPy with a hand-written backward pass."""

    def __init__(self, workload: str, method: str, seed: int = 0):
        import numpy as np

        self.np = np
        b, g, f, hidden, k = WORKLOADS[workload]
        self.B, self.G, self.K = b, g, k
        self.method = method
        rng = np.random.default_rng(seed)
        self.rng = rng
        n = 4 * b
        x = rng.standard_normal((n, f)).astype(np.float32)
        teacher = rng.standard_normal((f, k)).astype(np.float32)
        self.labels = (x @ teacher).argmax(axis=1)
        self.x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
        domain = rng.integers(0, DOMAINS, n)
        group = rng.integers(0, GROUPS, n)
        self.domain = domain
        self.cell = domain * GROUPS + group
        widths = (f, *hidden, k)
        self.params = []
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            bound = 1.0 / math.sqrt(fan_in)
            self.params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
            self.params.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
        self.grads = [np.zeros_like(p) for p in self.params]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.scratch = [np.empty_like(p) for p in self.params]
        self.t = 0
        self.layers = len(widths) - 1
        self.outs = [np.empty((b, w), dtype=np.float32) for w in widths[1:]]
        self.deltas = [np.empty((b, w), dtype=np.float32) for w in widths[1:]]
        # Running sums: prompts, reward sum, reward count per domain and per (domain, group).
        self.dom = np.zeros((DOMAINS, 3))
        self.cells = np.zeros((DOMAINS * GROUPS, 3))
        self.order = np.empty(0, dtype=np.int64)
        self.cursor = 0
        self.row_idx = np.arange(b)

    def prefill(self, prompts: int) -> None:
        """Adds labelled prompts with random rewards to the running sums."""
        np = self.np
        rng = np.random.default_rng(1)
        done = 0
        while done < prompts:
            c = min(prompts - done, 100_000)
            d = rng.integers(0, DOMAINS, c)
            cell = d * GROUPS + rng.integers(0, GROUPS, c)
            r = (rng.integers(0, self.K, (c, self.G)) == 0).astype(np.float64)
            self._accumulate(d, cell, r)
            done += c

    def _accumulate(self, d, cell, r) -> None:
        np = self.np
        totals = r.sum(axis=1)
        for table, idx, size in ((self.dom, d, DOMAINS), (self.cells, cell, DOMAINS * GROUPS)):
            table[:, 0] += np.bincount(idx, minlength=size)
            table[:, 1] += np.bincount(idx, weights=totals, minlength=size)
            table[:, 2] += np.bincount(idx, minlength=size) * r.shape[1]

    def _batch(self):
        np = self.np
        parts = []
        need = self.B
        while need > 0:
            if self.cursor >= len(self.order):
                self.order = self.rng.permutation(len(self.labels))
                self.cursor = 0
            take = min(need, len(self.order) - self.cursor)
            parts.append(self.order[self.cursor:self.cursor + take])
            self.cursor += take
            need -= take
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def _forward(self, x):
        np = self.np
        h = x
        for i in range(self.layers):
            z = self.outs[i]
            np.matmul(h, self.params[2 * i], out=z)
            z += self.params[2 * i + 1]
            if i < self.layers - 1:
                np.maximum(z, 0, out=z)
            h = z
        return h

    def _log_softmax(self, z):
        np = self.np
        shifted = z - z.max(axis=1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))

    def advantages(self, rows, rewards):
        np = self.np
        mean = rewards.mean(axis=1, keepdims=True)
        std = rewards.std(axis=1, ddof=1, keepdims=True)
        s = (rewards - mean) / (std + EPS)
        s[(rewards == rewards[:, :1]).all(axis=1)] = 0.0
        if self.method == "grpo":
            return s
        d, cell = self.domain[rows], self.cell[rows]
        self._accumulate(d, cell, rewards)
        with np.errstate(divide="ignore", invalid="ignore"):
            mu_d = self.dom[:, 1] / self.dom[:, 2]
            t_d = np.maximum(np.sqrt(self.dom[:, 0]) * mu_d, EPS)
            mu_g = self.cells[:, 1] / self.cells[:, 2]
            factor = t_d[d] * np.sqrt(self.cells[cell, 0]) * mu_g[cell]
            scaled = s / factor[:, None]
        scaled = np.where(np.isfinite(scaled), scaled, s)
        return scaled / (scaled.std(ddof=1) + EPS)

    def step(self) -> dict:
        np = self.np
        B, G, K = self.B, self.G, self.K
        rows = self._batch()
        x = self.x[rows]
        # Sampling.
        logp = self._log_softmax(self._forward(x))
        cdf = np.cumsum(np.exp(logp), axis=1)
        u = self.rng.random((B, G), dtype=np.float32) * cdf[:, -1:]
        answers = np.minimum((u[:, :, None] >= cdf[:, None, :]).sum(axis=2), K - 1)
        old = np.take_along_axis(logp, answers, axis=1)
        rewards = (answers == self.labels[rows][:, None]).astype(np.float64)
        adv = self.advantages(rows, rewards).astype(np.float32)

        # PPO-clip loss and its gradient with respect to the chosen log-probabilities.
        z = self._forward(x)
        logp = self._log_softmax(z)
        lp = np.take_along_axis(logp, answers, axis=1)
        ratio = np.exp(lp - old)
        clipped = np.clip(ratio, 1 - CLIP, 1 + CLIP)
        unclipped_term, clipped_term = ratio * adv, clipped * adv
        use_unclipped = unclipped_term <= clipped_term
        loss = -float(np.minimum(unclipped_term, clipped_term).mean())
        inside = (ratio > 1 - CLIP) & (ratio < 1 + CLIP)
        d_ratio = np.where(use_unclipped | inside, adv, 0.0).astype(np.float32)
        g_lp = d_ratio * ratio * np.float32(-1.0 / (B * G))  # d loss / d lp, [B, G]
        # lp = logp[answer]: d lp / d z = onehot(answer) - softmax(z).
        dz = self.deltas[-1]
        np.multiply(np.exp(logp), -g_lp.sum(axis=1, keepdims=True), out=dz)
        np.add.at(dz, (np.repeat(self.row_idx, G), answers.ravel()), g_lp.ravel())

        # Backward through the MLP.
        for i in range(self.layers - 1, -1, -1):
            d = self.deltas[i]
            h_in = x if i == 0 else self.outs[i - 1]
            np.matmul(h_in.T, d, out=self.grads[2 * i])
            np.sum(d, axis=0, out=self.grads[2 * i + 1])
            if i > 0:
                prev = self.deltas[i - 1]
                np.matmul(d, self.params[2 * i].T, out=prev)
                prev *= self.outs[i - 1] > 0

        # Clip the global gradient norm, then Adam.
        norm = math.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in self.grads))
        if norm > MAX_GRAD_NORM:
            scale = np.float32(MAX_GRAD_NORM / (norm + 1e-6))
            for g in self.grads:
                g *= scale
        self.t += 1
        step = ADAM_LR / (1 - ADAM_B1 ** self.t)
        inv_bc2 = 1 / math.sqrt(1 - ADAM_B2 ** self.t)
        for p, g, m, v, s in zip(self.params, self.grads, self.m, self.v, self.scratch):
            m *= ADAM_B1
            np.multiply(g, 1 - ADAM_B1, out=s)
            m += s
            v *= ADAM_B2
            np.multiply(g, g, out=s)
            s *= 1 - ADAM_B2
            v += s
            np.sqrt(v, out=s)
            s *= inv_bc2
            s += ADAM_EPS
            np.divide(m, s, out=s)
            s *= step
            p -= s

        # Metrics: entropy of the updated policy, clip fraction, mean reward.
        after = self._log_softmax(self._forward(x))
        entropy = float(-(np.exp(after) * after).sum() / B)
        clip_frac = float((((ratio < 1 - CLIP) & (adv < 0)) | ((ratio > 1 + CLIP) & (adv > 0))).mean())
        return {"loss": loss, "reward": float(rewards.mean()), "entropy": entropy, "clip": clip_frac}


def numpy_worker(workload: str, method: str, steps: int, warmup: int, prefill: int, paired: bool) -> int:
    import numpy as np

    runs = [(NumpyGRPO(workload, method), 0), (NumpyGRPO(workload, method), prefill)] if paired \
        else [(NumpyGRPO(workload, method), prefill)]
    for trainer, count in runs:
        if count:
            trainer.prefill(count)
    times = [[] for _ in runs]
    rewards = [[] for _ in runs]
    for i in range(warmup + steps):
        for r, (trainer, _) in enumerate(runs):  # paired runs alternate, step by step
            t0 = time.perf_counter()
            log = trainer.step()
            dt = time.perf_counter() - t0
            if i >= warmup:
                times[r].append(dt)
                rewards[r].append(log["reward"])
    for r, (_, count) in enumerate(runs):
        print(json.dumps({
            "bench": "grpo_step", "workload": workload, "method": method, "prefill": count, "paired": paired,
            "steps": steps, "median_ms": float(np.median(times[r])) * 1e3, "min_ms": min(times[r]) * 1e3,
            "mean_reward": float(np.mean(rewards[r])), "numpy": np.__version__,
        }), flush=True)
    return 0


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def resolve_swift_bin(arg: str | None) -> Path:
    if arg is None:
        return REPO_ROOT / DEFAULT_SWIFT_BIN
    p = Path(arg).expanduser()
    if p.is_absolute() or p.exists():
        return p
    return REPO_ROOT / p


def run_json(cmd: list[str], env=None, label: str = "") -> list[dict]:
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    if proc.returncode != 0:
        sys.stderr.write(f"error: {label} failed (exit {proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
        sys.exit(1)
    records = []
    for line in proc.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            rec = json.loads(line)
            if rec.get("bench") == "grpo_step":
                records.append(rec)
    if not records:
        sys.stderr.write(f"error: {label} printed no result:\n{proc.stdout}\n{proc.stderr}")
        sys.exit(1)
    return records


def run_swift(bin_path: Path, workload, method, steps, warmup, prefill=0, paired=False) -> list[dict]:
    cmd = [str(bin_path), "grpo", "--workload", workload, "--method", method,
           "--steps", str(steps), "--warmup", str(warmup), "--prefill", str(prefill)]
    return run_json(cmd + (["--paired"] if paired else []), label="fairgrpo-bench grpo")


def run_numpy(workload, method, steps, warmup, prefill=0, paired=False) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k not in OPENBLAS_OVERRIDES}
    cmd = [sys.executable, str(Path(__file__).resolve()), "--numpy-worker", "--workload", workload,
           "--method", method, "--steps", str(steps), "--warmup", str(warmup), "--prefill", str(prefill)]
    return run_json(cmd + (["--paired"] if paired else []), env=env, label="numpy worker")


def keep_best(best: dict, key, rec: dict) -> None:
    if key not in best or rec["median_ms"] < best[key]["median_ms"]:
        best[key] = rec


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--swift-bin")
    ap.add_argument("--steps", type=int, default=None, help="timed steps (default: W1 200, W2 40)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed steps first (default: W1 20, W2 5)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workloads", nargs="+", default=list(WORKLOADS))
    ap.add_argument("--methods", nargs="+", default=["grpo", "fairgrpo"])
    ap.add_argument("--prefill", type=int, default=1_000_000)
    ap.add_argument("--json")
    ap.add_argument("--numpy-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--workload", default="W1", help=argparse.SUPPRESS)
    ap.add_argument("--method", default="grpo", help=argparse.SUPPRESS)
    ap.add_argument("--paired", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    def steps(w):
        timed, warm = DEFAULT_STEPS[w]
        return (args.steps if args.steps is not None else timed, args.warmup if args.warmup is not None else warm)

    if args.numpy_worker:
        timed, warm = steps(args.workload)
        return numpy_worker(args.workload, args.method, timed, warm, args.prefill, args.paired)

    bin_path = resolve_swift_bin(args.swift_bin)
    if not bin_path.exists():
        sys.stderr.write(f"error: {bin_path} not found; build it with: {BUILD_HINT}\n")
        return 1

    swift, numpy = {}, {}
    history = {"swift": [], "numpy": []}  # (empty, pre-filled) medians of each paired round
    for rnd in range(args.rounds):
        for w in args.workloads:
            for m in args.methods:
                keep_best(swift, (w, m, 0), run_swift(bin_path, w, m, *steps(w))[0])
                keep_best(numpy, (w, m, 0), run_numpy(w, m, *steps(w))[0])
        if args.prefill:
            for side, records in (
                ("swift", run_swift(bin_path, "W1", "fairgrpo", *steps("W1"), args.prefill, paired=True)),
                ("numpy", run_numpy("W1", "fairgrpo", *steps("W1"), args.prefill, paired=True)),
            ):
                empty = next(r for r in records if r["prefill"] == 0)
                full = next(r for r in records if r["prefill"] == args.prefill)
                history[side].append((empty["median_ms"], full["median_ms"]))
                keep_best(swift if side == "swift" else numpy, ("W1", "fairgrpo", args.prefill), full)
        sys.stderr.write(f"round {rnd + 1}/{args.rounds} done\n")

    core = next(iter(swift.values())).get("core", "unknown")
    threads = next(iter(swift.values())).get("threads")
    print(f"GRPO training step, median ms per step (W1 {steps('W1')[0]} steps, W2 {steps('W2')[0]}, after warm-up), best of {args.rounds} rounds "
          f"(fairgrpo OpenBLAS core {core}, {threads} threads)")
    header = f"{'workload':<9}{'method':<10}{'history':>10}{'fairgrpo ms':>13}{'numpy ms':>11}{'ratio':>8}{'target':>9}  status"
    print(header)
    print("-" * len(header))
    ok = True
    rows = []
    for key in sorted(swift, key=lambda k: (k[0], k[1], k[2])):
        w, m, pre = key
        s, n = swift[key], numpy[key]
        ratio = s["median_ms"] / n["median_ms"]
        target = TARGETS[w] if pre == 0 else None
        status = "-" if target is None else ("ok" if ratio <= target else "MISSED")
        ok &= status != "MISSED"
        print(f"{w:<9}{m:<10}{pre:>10}{s['median_ms']:>13.3f}{n['median_ms']:>11.3f}{ratio:>8.2f}"
              f"{('<= %.2f' % target) if target else '':>9}  {status}")
        rows.append({"workload": w, "method": m, "prefill": pre, "swift": s, "numpy": n, "ratio": ratio,
                     "target": target, "status": status})
    if args.prefill:
        # The two trainers of a paired run alternate step by step, so they see the same load;
        # the round whose pre-filled trainer was fastest is reported.
        print(f"\nFairGRPO W1 step with {args.prefill:,} prompts already in the history vs an empty history "
              f"(paired runs, alternating steps; best round):")
        for side in ("swift", "numpy"):
            empty, full = min(history[side], key=lambda pair: pair[1])
            change = full / empty - 1
            status = ("ok" if abs(change) <= PREFILL_TOLERANCE else "MISSED") if side == "swift" else "-"
            ok &= status != "MISSED"
            name = "fairgrpo" if side == "swift" else "numpy"
            all_changes = ", ".join(f"{f / e - 1:+.1%}" for e, f in history[side])
            print(f"  {name:<9}{full:.3f} ms vs {empty:.3f} ms ({change:+.1%}; every round: {all_changes})"
                  f"{'; target within ±%d%%' % round(PREFILL_TOLERANCE * 100) if side == 'swift' else ''} {status}")
            rows.append({"history_check": {"side": side, "empty_ms": empty, "full_ms": full, "change": change,
                                           "rounds": history[side], "status": status}})
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
