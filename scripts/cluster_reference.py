#!/usr/bin/env python3
"""Reference values for the Cluster module's tests, computed with scikit-learn and NumPy.

Usage
-----
    pip install scikit-learn numpy        # once
    python3 scripts/cluster_reference.py  # rewrites Tests/ClusterTests/Fixtures/cluster_reference.json

Run it from anywhere: the output path is found from this file's location
(``<repo>/scripts/``). ``--out PATH`` writes elsewhere. The output is
deterministic (fixed seeds, no timestamps), so rerunning it with the same
scikit-learn and NumPy versions leaves the file unchanged.

What it writes
--------------
One JSON object with three sections, read by Tests/ClusterTests/ReferenceTests.swift:

``agreement``
    A list of labeling pairs ``{name, a, b, ari, nmi, table, a_levels, b_levels}``:
    ``ari`` = ``adjusted_rand_score(a, b)``, ``nmi`` =
    ``normalized_mutual_info_score(a, b, average_method="arithmetic")`` and
    ``table`` = ``contingency_matrix(a, b)`` (rows: the sorted distinct values of
    ``a``, columns: those of ``b``). The pairs cover random labelings, identical
    and permuted ones, one or both trivial (a single cluster), singletons,
    different numbers of clusters and non-contiguous label values.

``silhouette``
    A small dataset ``x`` (float32 values, written exactly as float64) and
    labelings ``{name, labels, score}`` with ``score`` =
    ``silhouette_score(x, labels, metric="euclidean")`` on all points (no sampling).

``pca``
    A dataset ``x`` (float32 values) and, from NumPy's SVD of the centred data,
    the leading ``components`` (rows of Vt, with scikit-learn's sign convention:
    the entry of largest magnitude in each component is positive), the
    ``explained_variance`` (S² / (n − 1)) and ``explained_variance_ratio``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import sklearn
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score
from sklearn.metrics.cluster import contingency_matrix

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "Tests" / "ClusterTests" / "Fixtures" / "cluster_reference.json"


def labeling_pairs(rng: np.random.Generator) -> list[tuple[str, list[int], list[int]]]:
    n = 40
    base = rng.integers(0, 4, size=n)
    permutation = np.array([2, 0, 3, 1])
    noisy = base.copy()
    flip = rng.choice(n, size=8, replace=False)
    noisy[flip] = rng.integers(0, 4, size=8)
    coarse = base // 2  # merges clusters 0,1 and 2,3
    pairs = [
        ("random 4 vs 4", rng.integers(0, 4, size=n), rng.integers(0, 4, size=n)),
        ("random 3 vs 5", rng.integers(0, 3, size=n), rng.integers(0, 5, size=n)),
        ("random 2 vs 2, n=200", rng.integers(0, 2, size=200), rng.integers(0, 2, size=200)),
        ("identical", base, base.copy()),
        ("permuted", base, permutation[base]),
        ("noisy copy", base, noisy),
        ("merged clusters (4 vs 2)", base, coarse),
        ("one trivial", base, np.zeros(n, dtype=int)),
        ("trivial first", np.zeros(n, dtype=int), base),
        ("both trivial", np.zeros(n, dtype=int), np.full(n, 7)),
        ("all singletons vs 4", np.arange(n), base),
        ("both all singletons", np.arange(n), np.arange(n)[::-1].copy()),
        ("trivial vs all singletons", np.zeros(n, dtype=int), np.arange(n)),
        ("with singletons", np.array([0, 0, 0, 1, 1, 1, 2, 3, 4, 4, 5, 5, 5, 6]),
         np.array([0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5])),
        ("non-contiguous values", np.array([10, 10, 3, 3, 3, 42, 42, 7, 7, 7, 7, 10]),
         np.array([5, 5, 5, 1, 1, 1, 9, 9, 9, 9, 2, 2])),
        ("textbook -0.5", np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])),
        ("two items split", np.array([0, 0]), np.array([0, 1])),
        ("different sizes 2 vs 6, n=60", rng.integers(0, 2, size=60), rng.integers(0, 6, size=60)),
    ]
    return [(name, [int(v) for v in a], [int(v) for v in b]) for name, a, b in pairs]


def agreement_section(rng: np.random.Generator) -> list[dict]:
    out = []
    for name, a, b in labeling_pairs(rng):
        out.append({
            "name": name,
            "a": a,
            "b": b,
            "ari": float(adjusted_rand_score(a, b)),
            "nmi": float(normalized_mutual_info_score(a, b, average_method="arithmetic")),
            "table": contingency_matrix(a, b).tolist(),
            "a_levels": sorted(set(a)),
            "b_levels": sorted(set(b)),
        })
    return out


def silhouette_section(rng: np.random.Generator) -> dict:
    centres = np.array([[0.0, 0.0, 0.0], [4.0, 1.0, -1.0], [1.0, 5.0, 2.0]])
    sizes = [14, 10, 12]
    x = np.concatenate([c + rng.normal(scale=0.9, size=(s, 3)) for c, s in zip(centres, sizes)])
    x = x.astype(np.float32).astype(np.float64)  # what the Swift side stores
    n = x.shape[0]
    truth = np.repeat(np.arange(3), sizes)
    with_singleton = truth.copy()
    with_singleton[0] = 3  # a cluster of one point scores 0
    labelings = [
        ("true blobs", truth),
        ("random 3", rng.integers(0, 3, size=n)),
        ("two clusters", np.where(truth == 2, 1, 0)),
        ("with a singleton", with_singleton),
        ("n-1 clusters", np.concatenate([[0, 0], np.arange(1, n - 1)])),
        ("non-contiguous values", np.array([9, -1, 5])[truth]),
    ]
    return {
        "x": x.tolist(),
        "labelings": [
            {"name": name, "labels": [int(v) for v in labels],
             "score": float(silhouette_score(x, labels, metric="euclidean"))}
            for name, labels in labelings
        ],
    }


def pca_section(rng: np.random.Generator) -> dict:
    n, d, k = 80, 5, 3
    # Correlated features with distinct variances along a random rotation.
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    scales = np.array([5.0, 2.5, 1.2, 0.5, 0.2])
    x = (rng.normal(size=(n, d)) * scales) @ q.T + np.array([1.0, -2.0, 0.5, 3.0, 0.0])
    x = x.astype(np.float32).astype(np.float64)
    centred = x - x.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    # scikit-learn's svd_flip(u_based_decision=False): largest |entry| of each row of Vt positive.
    signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
    vt = vt * signs[:, None]
    variance = s**2 / (n - 1)
    return {
        "x": x.tolist(),
        "components": vt[:k].tolist(),
        "explained_variance": variance[:k].tolist(),
        "explained_variance_ratio": (variance[:k] / variance.sum()).tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    rng = np.random.default_rng(20240611)
    fixture = {
        "generator": f"scripts/cluster_reference.py (scikit-learn {sklearn.__version__}, numpy {np.__version__})",
        "agreement": agreement_section(rng),
        "silhouette": silhouette_section(rng),
        "pca": pca_section(rng),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
