#!/usr/bin/env python3
"""Reference numbers for the bootstrap intervals of fairness reports.

Writes two JSON fixtures that Tests/FairnessTests/BootstrapTests.swift checks against:

    Tests/FairnessTests/Fixtures/bootstrap.json
        Exact check. For each input of scripts/fairness_reference.py (binary, multiclass,
        domains), the resample indices are regenerated here with NumPy from the documented
        recipe (Sources/Fairness/Bootstrap.swift), every score, gap and headline metric is
        recomputed with NumPy on every resample, and the percentile intervals are taken with
        numpy.quantile. The Swift intervals must agree to 1e-9, and the first resample's
        indices exactly. The NumPy scores are checked here against the scikit-learn/fairlearn
        reference on the unresampled rows, so they are not Swift's code transcribed.

    Tests/FairnessTests/Fixtures/bootstrap_fairlearn.json
        Statistical check. 4,000 binary predictions with sex and age groups; fairlearn's
        MetricFrame(n_boot=1000, ci_quantiles=[0.025, 0.975]) intervals per group. fairlearn
        resamples all rows together (group sizes vary between resamples) and uses its own
        random numbers, so the Swift intervals (rows resampled within groups) are expected to
        agree only up to Monte Carlo error: the test allows 0.25 of the interval's width.

Run from the repository root (needs numpy, pandas, scikit-learn, fairlearn):

    python3 scripts/bootstrap_reference.py            # rewrite the fixtures
    python3 scripts/bootstrap_reference.py --check    # exit 1 if a fixture would change
"""

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fairness_reference as fr  # noqa: E402

GAMMA = np.uint64(0x9E3779B97F4A7C15)
SEED_MULTIPLIER = np.uint64(0xD1B54A32D192ED03)
# Order of Metric.allCases in Sources/Fairness/Confusion.swift.
METRICS = ["precision", "recall", "fpr", "fdr", "f1", "acc", "exact_accuracy", "macro_f1_sklearn", "selection_rate", "npv", "for"]
TABLE = ["PP", "EOD", "FPR_diff", "dF1", "sF1", "dAcc", "sAcc", "F1", "Acc", "F1_ES", "Acc_ES", "DPD", "EOdD",
         "FOR_diff", "EOpD", "DPR", "EOpR", "EOdR", "ECE", "dECE", "Brier", "dBrier"]

RESAMPLES = 200
LEVEL = 0.9
SEED = 11


# ---------------------------------------------------------------- resampling

def mix(z):
    """splitmix64's output function on uint64 arrays (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def cells(spec):
    """Rows grouped by cell (domain and every attribute's code), cells in order of first appearance."""
    keys = np.stack([np.asarray(spec["domains"])] + [np.asarray(a["codes"]) for a in spec["attributes"]], axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=int)
    rank[np.argsort(first)] = np.arange(len(first))  # cell number by first appearance
    cell_of_row = rank[inverse.ravel()]
    order = np.argsort(cell_of_row, kind="stable")
    sizes = np.bincount(cell_of_row, minlength=len(first))
    return order, sizes


def resample_indices(order, sizes, seed, b):
    n = len(order)
    with np.errstate(over="ignore"):
        base = mix(np.uint64(seed) * SEED_MULTIPLIER + np.uint64(b) + GAMMA)
        h = mix(base + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * GAMMA)
    u = (h >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    cell_size = np.repeat(sizes, sizes).astype(np.float64)
    start = np.repeat(np.concatenate([[0], np.cumsum(sizes)[:-1]]), sizes)
    j = np.minimum(np.floor(u * cell_size).astype(np.int64), (cell_size - 1).astype(np.int64))
    return order[start + j]


# ---------------------------------------------------------------- scores with numpy

def scores(y_true, y_pred, k):
    """Every group score of Confusion.swift's `Scores`, from one confusion matrix."""
    n = len(y_true)
    out = {m: math.nan for m in METRICS}
    if n == 0:
        return out
    cm = np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k).astype(float)
    tp = np.diag(cm)
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)
    fp, fn = predicted - tp, support - tp
    tn = n - tp - fp - fn
    present = support > 0

    def macro(values):
        v = values[present]
        v = v[~np.isnan(v)]
        return float(v.mean()) if v.size else math.nan

    with np.errstate(invalid="ignore", divide="ignore"):
        out["precision"] = macro(np.where(predicted > 0, tp / predicted, np.nan))
        out["fdr"] = macro(np.where(predicted > 0, fp / predicted, np.nan))
        out["recall"] = macro(np.where(support > 0, tp / support, np.nan))
        out["fpr"] = macro(np.where(n - support > 0, fp / (n - support), np.nan))
        d = 2 * tp + fp + fn
        f1 = np.where(d > 0, 2 * tp / d, np.nan)
        out["f1"] = macro(f1)
        out["acc"] = macro((tp + tn) / n)
        out["exact_accuracy"] = float(tp.sum() / n)
        labels = (support > 0) | (predicted > 0)
        out["macro_f1_sklearn"] = float(np.where(d > 0, f1, 0)[labels].mean())
        if k == 2:
            out["selection_rate"] = float(predicted[1] / n)
            # Of class 1: rows predicted 0, and how many of them are of class 1.
            negatives = cm[:, 0].sum()
            out["for"] = float(cm[1, 0] / negatives) if negatives > 0 else math.nan
        else:
            pred_negatives = n - predicted
            out["for"] = macro(np.where(pred_negatives > 0, fn / pred_negatives, np.nan))
        out["npv"] = 1 - out["for"] if not math.isnan(out["for"]) else math.nan
    return out


def calibration(y_true, y_pred, proba):
    """ECE (10 equal-width bins of the predicted class's probability) and Brier score, with numpy."""
    n = len(y_true)
    if n == 0:
        return math.nan, math.nan
    conf = proba[np.arange(n), y_pred]
    bins = np.clip(np.floor(conf * 10).astype(int), 0, 9)
    gap = (y_true == y_pred).astype(float) - conf
    ece = float(np.abs(np.bincount(bins, weights=gap, minlength=10)).sum() / n)
    onehot = np.eye(proba.shape[1])[y_true]
    b = ((proba - onehot) ** 2).sum(axis=1).mean()
    return ece, float(b / 2 if proba.shape[1] == 2 else b)


def positive_rates(y_true, y_pred):
    pos, neg = y_true == 1, y_true == 0
    tpr = float((y_pred[pos] == 1).mean()) if pos.any() else math.nan
    fpr = float((y_pred[neg] == 1).mean()) if neg.any() else math.nan
    return tpr, fpr


def report(spec, rows):
    """Overall scores, group scores and the headline table of the rows `rows` (with repeats)."""
    k = len(spec["class_names"])
    y_true = np.asarray(spec["y_true"])[rows]
    y_pred = np.asarray(spec["y_pred"])[rows]
    proba = np.asarray(spec["y_prob"], dtype=float)[rows]
    domains = np.asarray(spec["domains"])[rows]
    attrs = spec["attributes"]
    codes = [np.asarray(a["codes"])[rows] for a in attrs]
    groups = {}
    per_domain = {}  # domain -> list of per-attribute dicts of table stats
    for d, dname in enumerate(spec["domain_names"]):
        schemes = [(a["name"], c, a["levels"], False) for a, c in zip(attrs, codes)]
        if len(attrs) >= 2:
            schemes.append(("×".join(a["name"] for a in attrs), None, None, True))
        for name, c, levels, intersection in schemes:
            if intersection:
                mask = (domains == d) & np.all([cc >= 0 for cc in codes], axis=0)
                labels = np.array([",".join(a["short_names"][cc[i]] for a, cc in zip(attrs, codes)) if mask[i] else ""
                                   for i in range(len(rows))], dtype=object)
            else:
                mask = (domains == d) & (c >= 0)
                labels = np.asarray(levels, dtype=object)[np.where(c >= 0, c, 0)]
            found = {}
            for level in sorted(set(labels[mask])):
                m = mask & (labels == level)
                s = scores(y_true[m], y_pred[m], k)
                s["ece"], s["brier"] = calibration(y_true[m], y_pred[m], proba[m])
                groups[(dname, name, level)] = s
                if k == 2:
                    s["_tpr"], s["_fpr"] = positive_rates(y_true[m], y_pred[m])
                found[level] = s
            if intersection or len(found) < 2:
                continue
            stats = {}

            def defined(metric):
                v = np.array([s[metric] for s in found.values()], dtype=float)
                v = v[~np.isnan(v)]
                return v if v.size >= 2 else None

            for col, metric, stat in [("PP", "fdr", "gap"), ("EOD", "recall", "gap"), ("FPR_diff", "fpr", "gap"),
                                      ("dF1", "f1", "gap"), ("sF1", "f1", "std"), ("dAcc", "acc", "gap"),
                                      ("sAcc", "acc", "std"), ("F1", "f1", "mean"), ("Acc", "acc", "mean"),
                                      ("DPD", "selection_rate", "gap"), ("FOR_diff", "for", "gap"),
                                      ("dECE", "ece", "gap"), ("dBrier", "brier", "gap")]:
                v = defined(metric)
                if v is None or (col == "DPD" and k != 2):
                    continue
                stats[col] = {"gap": v.max() - v.min(), "std": np.std(v, ddof=1), "mean": v.mean()}[stat]
            if k == 2:
                gaps, ratios = [], []
                for r in ["_tpr", "_fpr"]:
                    v = defined(r)
                    if v is not None:
                        gaps.append(v.max() - v.min())
                        if v.max() > 0:
                            ratios.append(v.min() / v.max())
                        if r == "_tpr":
                            stats["EOpD"] = v.max() - v.min()
                            if v.max() > 0:
                                stats["EOpR"] = v.min() / v.max()
                if gaps:
                    stats["EOdD"] = max(gaps)
                if ratios:
                    stats["EOdR"] = min(ratios)
                v = defined("selection_rate")
                if v is not None and v.max() > 0:
                    stats["DPR"] = v.min() / v.max()
            per_domain.setdefault(dname, []).append(stats)
    table = {}
    for col in TABLE:
        if col in ("F1_ES", "Acc_ES", "ECE", "Brier"):
            continue
        means = []
        for dname in sorted(per_domain):
            v = [s[col] for s in per_domain[dname] if col in s]
            if v:
                means.append(sum(v) / len(v))
        table[col] = sum(means) / len(means) if means else math.nan
    table["F1_ES"] = table["F1"] / (1 + table["sF1"])
    table["Acc_ES"] = table["Acc"] / (1 + table["sAcc"])
    table["ECE"], table["Brier"] = calibration(y_true, y_pred, proba)
    for g in groups.values():
        g.pop("_tpr", None)
        g.pop("_fpr", None)
    overall = scores(y_true, y_pred, k)
    overall["ece"], overall["brier"] = calibration(y_true, y_pred, proba)
    return {"overall": overall, "groups": groups, "table": table}


def check_against_reference(spec):
    """The numpy scores on the unresampled rows equal the scikit-learn/fairlearn reference."""
    mine = report(spec, np.arange(len(spec["y_true"])))
    ref = fr.reference(spec)

    def same(a, b):
        if b is None:
            return math.isnan(a)
        return abs(a - b) <= 1e-12

    for m, v in ref["overall"].items():
        assert same(mine["overall"][m], v), (spec["name"], "overall", m)
    for m, v in ref["calibration"]["overall"].items():
        assert same(mine["overall"][m], v), (spec["name"], "overall", m)
    for g in ref["groups"]:
        for m, v in g["scores"].items():
            assert same(mine["groups"][(g["domain"], g["attribute"], g["level"])][m], v), (spec["name"], g["level"], m)
    for g in ref["calibration"]["groups"]:
        for m in ["ece", "brier"]:
            assert same(mine["groups"][(g["domain"], g["attribute"], g["level"])][m], g[m]), (spec["name"], g["level"], m)
    for col, v in ref["table"].items():
        assert same(mine["table"][col], v), (spec["name"], col, mine["table"][col], v)


def interval(values, level):
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return None
    q = (1 - level) / 2
    lo, hi = np.quantile(v, [q, 1 - q])
    return [float(lo), float(hi), int(v.size)]


def exact_fixture(spec):
    check_against_reference(spec)
    order, sizes = cells(spec)
    reports = [report(spec, resample_indices(order, sizes, SEED, b)) for b in range(RESAMPLES)]
    point = report(spec, np.arange(len(spec["y_true"])))
    out = {
        "table": {c: interval([r["table"][c] for r in reports], LEVEL) for c in TABLE if not math.isnan(point["table"][c])},
        "overall": {m: interval([r["overall"][m] for r in reports], LEVEL) for m in METRICS + ["ece", "brier"]
                    if not math.isnan(point["overall"][m])},
        "groups": [{"domain": key[0], "attribute": key[1], "level": key[2],
                    "intervals": {m: interval([r["groups"][key][m] for r in reports], LEVEL) for m in METRICS + ["ece", "brier"]
                                  if not math.isnan(point["groups"][key][m])}}
                   for key in point["groups"]],
    }
    return {"name": spec["name"], "resamples": RESAMPLES, "level": LEVEL, "seed": SEED,
            "first_indices": resample_indices(order, sizes, SEED, 0).tolist(), "expected": out, "input": spec}


def fairlearn_fixture():
    from fairlearn.metrics import MetricFrame
    rng = np.random.default_rng(31)
    n = 4000
    sex = rng.integers(0, 2, n)
    age = rng.integers(0, 4, n)
    y = (rng.random(n) < 0.3 + 0.1 * sex).astype(int)
    p = fr.noisy_predictions(rng, y, 2, 0.82 - 0.06 * age + 0.04 * sex)
    spec = {"name": "fairlearn", "class_names": ["negative", "positive"], "domain_names": ["clinic"],
            "attributes": [dict(fr.SEX, codes=sex.tolist()), dict(fr.AGE, codes=age.tolist())],
            "domains": [0] * n, "y_true": y.tolist(), "y_pred": p.tolist()}
    metrics = {m: fr.metric_functions(True)[m] for m in ["recall", "exact_accuracy", "selection_rate"]}
    groups = []
    for attr, codes in [(fr.SEX, sex), (fr.AGE, age)]:
        sf = np.asarray(attr["levels"], dtype=object)[codes]
        mf = MetricFrame(metrics=metrics, y_true=y, y_pred=p, sensitive_features=sf,
                         n_boot=1000, ci_quantiles=[0.025, 0.975], random_state=0)
        lo, hi = mf.by_group_ci
        for level in lo.index:
            groups.append({"domain": "clinic", "attribute": attr["name"], "level": level,
                           "intervals": {m: [float(lo.loc[level, m]), float(hi.loc[level, m])] for m in metrics}})
    return {"name": "fairlearn", "n_boot": 1000, "ci": 0.95, "groups": groups, "input": spec}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed fixtures instead of writing")
    parser.add_argument("--only", choices=["exact", "fairlearn"], help="one of the two fixtures (fairlearn's takes minutes)")
    args = parser.parse_args()
    docs = {
        "bootstrap.json": lambda: {"fixtures": [exact_fixture(s) for s in
                                                [fr.binary_fixture(), fr.multiclass_fixture(), fr.domains_fixture()]]},
        "bootstrap_fairlearn.json": fairlearn_fixture,
    }
    if args.only:
        docs = {k: v for k, v in docs.items() if (k == "bootstrap.json") == (args.only == "exact")}
    changed = []
    for name, make in docs.items():
        text = fr.dumps(make()) + "\n"
        path = fr.FIXTURES / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                changed.append(path)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(fr.ROOT)}")
    if changed:
        print("out of date: " + ", ".join(str(p.relative_to(fr.ROOT)) for p in changed))
        sys.exit(1)


if __name__ == "__main__":
    import warnings
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    main()
