#!/usr/bin/env python3
"""Independent NumPy check of the hand-computed FairGRPO example in
Tests/RLTests/FairGRPOExampleTests.swift.

Written from the FairGRPO reference formulas (Dai et al., 2025, as the
authors' training code computes them), not from the Swift code: GRPO advantage with the sample std and eps = 1e-6 (one rollout: mean 0,
std 1; equal rewards: 0), the batch added to the cumulative per-domain and
per-(domain, group) history first, T_d = max(sqrt(N_d) * mu_d, eps),
factor = T_d * sqrt(N_g) * mu_g, s' = s / factor (s kept where s' is not
finite), then A = s' / (sample std of s' over the batch + eps) without mean
subtraction.

Usage: python3 scripts/fairgrpo_reference_check.py

It prints, for each step and prompt, N_d, mu_d, T_d, N_g, mu_g, factor and
the final advantages with 17 significant digits; those are the literals the
Swift test asserts (tolerance 1e-12).
"""

from __future__ import annotations

import numpy as np

EPS = 1e-6

# Two domains (A, B), three (domain, group) cells (A/F, A/M, B/F), G = 4, two steps.
STEPS = [
    [  # step 1
        ("A", "F", [1, 0, 0, 0]),
        ("A", "F", [1, 1, 0, 0]),
        ("A", "M", [1, 1, 1, 0]),
        ("B", "F", [0, 1, 0, 0]),
        ("B", "F", [1, 1, 1, 1]),  # all equal: s = 0
    ],
    [  # step 2
        ("A", "M", [1, 0, 1, 0]),
        ("B", "F", [0, 0, 0, 1]),
        ("A", "F", [0, 0, 0, 0]),  # all equal: s = 0
    ],
]


def grpo(r: np.ndarray) -> np.ndarray:
    """Step 1 for one prompt's G rewards."""
    if r.size == 1:
        mean, std = 0.0, 1.0
    else:
        if np.all(r == r[0]):
            return np.zeros_like(r)
        mean, std = r.mean(), r.std(ddof=1)
    return (r - mean) / (std + EPS)


def main() -> None:
    # Cumulative history as lists of reward vectors (deliberately not running
    # sums, so this is a different computation from the Swift one).
    domain_hist: dict[str, list[np.ndarray]] = {}
    group_hist: dict[tuple[str, str], list[np.ndarray]] = {}
    np.set_printoptions(precision=17)
    for step, batch in enumerate(STEPS, start=1):
        rewards = [np.array(r, dtype=np.float64) for _, _, r in batch]
        s = [grpo(r) for r in rewards]
        for (d, g, _), r in zip(batch, rewards):  # the batch is added first
            domain_hist.setdefault(d, []).append(r)
            group_hist.setdefault((d, g), []).append(r)
        scaled = []
        print(f"step {step}")
        for q, ((d, g, _), sq) in enumerate(zip(batch, s), start=1):
            n_d = len(domain_hist[d])
            mu_d = float(np.concatenate(domain_hist[d]).mean())
            t_d = max(np.sqrt(n_d) * mu_d, EPS)
            n_g = len(group_hist[(d, g)])
            mu_g = float(np.concatenate(group_hist[(d, g)]).mean())
            factor = t_d * np.sqrt(n_g) * mu_g
            with np.errstate(divide="ignore", invalid="ignore"):
                sp = sq / factor
            sp = np.where(np.isfinite(sp), sp, sq)
            scaled.append(sp)
            print(f"  q{q} {d}/{g}: N_d={n_d} mu_d={mu_d!r} T_d={float(t_d)!r} N_g={n_g} mu_g={mu_g!r} factor={float(factor)!r}")
            print(f"      s  = {[float(v) for v in sq]!r}")
            print(f"      s' = {[float(v) for v in sp]!r}")
        flat = np.concatenate(scaled)
        sigma = flat.std(ddof=1)
        print(f"  sigma(s') = {float(sigma)!r}")
        for q, sp in enumerate(scaled, start=1):
            a = sp / (sigma + EPS)
            print(f"  A q{q} = {[float(v) for v in a]!r}")


if __name__ == "__main__":
    main()
