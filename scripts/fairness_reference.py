#!/usr/bin/env python3
"""Reference numbers for the Fairness module, computed with scikit-learn and fairlearn.

Writes the JSON fixtures that Tests/FairnessTests/ReferenceTests.swift compares
`FairnessReport.evaluate` against (to 1e-9):

    Tests/FairnessTests/Fixtures/binary.json      2 classes, sex (2 groups) and age bin (4), one domain
    Tests/FairnessTests/Fixtures/multiclass.json  4 classes, sex and age bin, with empty cells and a
                                                  single-class group (FPR, precision undefined)
    Tests/FairnessTests/Fixtures/domains.json     3 classes, two domains (the second records sex only),
                                                  to check averaging over attributes, then domains

Run from the repository root (needs numpy, pandas, scikit-learn, fairlearn):

    pip install numpy pandas scikit-learn fairlearn
    python3 scripts/fairness_reference.py            # rewrite the fixtures
    python3 scripts/fairness_reference.py --check    # exit 1 if a fixture would change

The inputs come from a seeded numpy generator, so the files are identical on every run
(floats are written with repr, which round-trips exactly).

Conventions, matching the doc comments in Sources/Fairness/Confusion.swift and Report.swift:

* Group scores are one-vs-rest per class, macro-averaged over the classes present in the
  group's ground truth, leaving out classes where the per-class value is undefined
  (precision/FDR of a class never predicted, FPR of a class every row belongs to).
  A group score whose every class is undefined is null in the fixture.
* Groups are formed per attribute within each domain, plus the intersection of all
  attributes ("sex×age", levels "F,A1", ...). Rows whose attribute is missing (code -1)
  are left out of that attribute's groups. Each (domain, attribute) is one fairlearn
  MetricFrame over the domain's rows that record the attribute; its `overall` is what
  `difference(method='to_overall')` compares with. Where fewer than two groups have a
  score, its `between_groups` difference is left out (fairlearn would give 0), as the
  report does.
* Selection rate (fraction predicted as class 1), the class-1 TPR/FPR of equalized odds,
  and fairlearn's demographic parity / equalized odds differences are binary-task only.
* Beside the paper's scores: NPV = TN/(TN+FN) and FOR = FN/(TN+FN) per group, of class 1 on
  binary tasks (as Aequitas reports them) and macro one-vs-rest over the classes present
  otherwise (a class every row is predicted as is left out); the FOR gap (FOR_diff, which is
  also the NPV gap since NPV = 1 − FOR); on binary tasks fairlearn's equal_opportunity_difference
  (EOpD), demographic_parity_ratio (DPR), equal_opportunity_ratio (EOpR) and equalized_odds_ratio
  (EOdR); MetricFrame.ratio(method='between_groups'|'to_overall') per (domain, attribute).
* Calibration, from the fixture's class probabilities `y_prob`: ECE over 10 equal-width bins
  of the confidence (the probability of the predicted class; bin ⌊10·conf⌋, 1 in the last),
  ECE = Σ_b |Σ_{i∈b} (correct_i − conf_i)| / n, and scikit-learn's brier_score_loss (binary: of
  class 1; multi-class: Σ over classes). Per group with MetricFrame (probabilities passed as
  sample_params), overall, and the gaps dECE, dBrier averaged like the paper's gaps. The
  tolerance is 1e-9 as everywhere here.
* The paper's table (PP, EOD, FPR diff, ΔF1, σF1, ΔAcc, σAcc, F1, Acc, F1_ES, Acc_ES, and
  for binary tasks fairlearn's demographic parity / equalized odds differences) uses the
  attributes only (not the intersection): per (domain, attribute) gap = max − min and
  σ = sample std (ddof=1) over the groups where the score is defined (at least two),
  averaged over the domain's attributes, then over domains with equal weight. These are
  computed here with numpy/pandas from the group scores, independently of the Swift code.
"""

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    multilabel_confusion_matrix,
    precision_score,
    recall_score,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "FairnessTests" / "Fixtures"

# Report names of the group scores (Metric.rawValue in Confusion.swift).
GROUP_METRICS = ["precision", "recall", "fpr", "fdr", "f1", "acc", "exact_accuracy", "macro_f1_sklearn", "npv", "for"]
# Metrics whose gap and σ the report keeps (FairnessReport.spreadMetrics).
SPREAD_METRICS = ["fdr", "recall", "fpr", "f1", "acc", "for"]
CALIBRATION_BINS = 10


# ---------------------------------------------------------------- group scores

def _present(y_true):
    return np.unique(y_true)


def _nanmean(values):
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else math.nan


def macro_precision(y_true, y_pred):
    present = _present(y_true)
    per_class = precision_score(y_true, y_pred, labels=present, average=None, zero_division=np.nan)
    return _nanmean(per_class)


def macro_recall(y_true, y_pred):
    present = _present(y_true)
    return _nanmean(recall_score(y_true, y_pred, labels=present, average=None, zero_division=np.nan))


def _mcm(y_true, y_pred):
    # rows of [[tn, fp], [fn, tp]] for each present class
    return multilabel_confusion_matrix(y_true, y_pred, labels=_present(y_true)).astype(float)


def macro_fdr(y_true, y_pred):
    m = _mcm(y_true, y_pred)
    tp, fp = m[:, 1, 1], m[:, 0, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return _nanmean(np.where(tp + fp > 0, fp / (tp + fp), np.nan))


def macro_fpr(y_true, y_pred):
    m = _mcm(y_true, y_pred)
    tn, fp = m[:, 0, 0], m[:, 0, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return _nanmean(np.where(fp + tn > 0, fp / (fp + tn), np.nan))


def macro_f1(y_true, y_pred):
    present = _present(y_true)
    return _nanmean(f1_score(y_true, y_pred, labels=present, average=None, zero_division=np.nan))


def macro_ovr_accuracy(y_true, y_pred):
    m = _mcm(y_true, y_pred)
    return _nanmean((m[:, 1, 1] + m[:, 0, 0]) / len(y_true))


def false_omission_rate(y_true, y_pred, binary):
    """FN/(FN+TN): of class 1 on binary tasks, macro over the present classes otherwise."""
    if binary:
        negatives = y_pred == 0
        return float((y_true[negatives] == 1).mean()) if negatives.any() else math.nan
    m = _mcm(y_true, y_pred)
    tn, fn = m[:, 0, 0], m[:, 1, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return _nanmean(np.where(tn + fn > 0, fn / (tn + fn), np.nan))


def negative_predictive_value(y_true, y_pred, binary):
    if binary:
        negatives = y_pred == 0
        return float((y_true[negatives] == 0).mean()) if negatives.any() else math.nan
    m = _mcm(y_true, y_pred)
    tn, fn = m[:, 0, 0], m[:, 1, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        return _nanmean(np.where(tn + fn > 0, tn / (tn + fn), np.nan))


def expected_calibration_error(y_true, y_pred, proba):
    """Top-label ECE over CALIBRATION_BINS equal-width bins of the predicted class's probability."""
    if len(y_true) == 0:
        return math.nan
    conf = proba[np.arange(len(y_pred)), y_pred]
    bins = np.clip(np.floor(conf * CALIBRATION_BINS).astype(int), 0, CALIBRATION_BINS - 1)
    gap = (y_true == y_pred).astype(float) - conf
    return float(sum(abs(gap[bins == b].sum()) for b in range(CALIBRATION_BINS)) / len(y_true))


def brier(y_true, y_pred, proba):
    k = proba.shape[1]
    if k == 2:
        return float(brier_score_loss(y_true, proba[:, 1], pos_label=1))
    return float(brier_score_loss(y_true, proba, labels=list(range(k))))


def sklearn_macro_f1(y_true, y_pred):
    return float(f1_score(y_true, y_pred, average="macro", zero_division=0))


def positive_selection_rate(y_true, y_pred):
    return float(selection_rate(y_true, y_pred, pos_label=1))


METRIC_FUNCTIONS = {
    "precision": macro_precision,
    "recall": macro_recall,
    "fpr": macro_fpr,
    "fdr": macro_fdr,
    "f1": macro_f1,
    "acc": macro_ovr_accuracy,
    "exact_accuracy": accuracy_score,
    "macro_f1_sklearn": sklearn_macro_f1,
}


def metric_functions(binary):
    fns = dict(METRIC_FUNCTIONS)
    fns["npv"] = lambda t, p: negative_predictive_value(t, p, binary)
    fns["for"] = lambda t, p: false_omission_rate(t, p, binary)
    if binary:
        fns["selection_rate"] = positive_selection_rate
    return fns


def clean(v):
    """A JSON number, or None for an undefined score."""
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


# ---------------------------------------------------------------- reference

def frames(spec):
    """Every (domain, scheme) with its rows: each attribute, then the intersection."""
    n = len(spec["y_true"])
    domains = np.asarray(spec["domains"])
    attrs = spec["attributes"]
    codes = [np.asarray(a["codes"]) for a in attrs]
    out = []
    for d, dname in enumerate(spec["domain_names"]):
        for a, attr in zip(codes, attrs):
            rows = np.flatnonzero((domains == d) & (a >= 0))
            if rows.size:
                levels = np.asarray(attr["levels"], dtype=object)[a[rows]]
                out.append((dname, attr["name"], rows, pd.Series(levels, name=attr["name"]), False))
        if len(attrs) >= 2:
            rows = np.flatnonzero((domains == d) & np.all([c >= 0 for c in codes], axis=0))
            if rows.size:
                cols = {attr["name"]: np.asarray(attr["short_names"], dtype=object)[c[rows]]
                        for c, attr in zip(codes, attrs)}
                out.append((dname, "×".join(a["name"] for a in attrs), rows, pd.DataFrame(cols), True))
    assert n == len(spec["y_pred"])
    return out


def level_name(key, intersection):
    return ",".join(key) if intersection else key


def reference(spec):
    y_true = np.asarray(spec["y_true"])
    y_pred = np.asarray(spec["y_pred"])
    binary = len(spec["class_names"]) == 2
    fns = metric_functions(binary)

    overall = {name: clean(fn(y_true, y_pred)) for name, fn in fns.items()}
    groups, between, to_overall, undefined = [], [], [], []
    ratio_between, ratio_overall = [], []
    proba = np.asarray(spec["y_prob"], dtype=float)
    calibration_groups = []
    spreads = []
    per_domain_attr = {}  # (domain, attribute) -> DataFrame of group scores, attributes only
    parity = {}  # (domain, attribute) -> (DPD, EOdD, EOpD, DPR, EOpR, EOdR), binary only
    per_domain_cal = {}  # (domain, attribute) -> DataFrame of group ECE and Brier, attributes only

    for dname, aname, rows, sf, intersection in frames(spec):
        yt, yp = y_true[rows], y_pred[rows]
        mf = MetricFrame(metrics=fns, y_true=yt, y_pred=yp, sensitive_features=sf)
        by_group = mf.by_group
        counts = MetricFrame(metrics={"n": lambda t, p: len(t)}, y_true=yt, y_pred=yp,
                             sensitive_features=sf).by_group["n"]
        if binary:
            rates = MetricFrame(metrics={"tpr": lambda t, p: true_positive_rate(t, p, pos_label=1),
                                         "fpr": lambda t, p: false_positive_rate(t, p, pos_label=1)},
                                y_true=yt, y_pred=yp, sensitive_features=sf).by_group
        for key, row in by_group.iterrows():
            level = level_name(key, intersection)
            entry = {"domain": dname, "attribute": aname, "level": level, "n": int(counts.loc[key]),
                     "scores": {name: clean(row[name]) for name in fns}}
            if binary:
                entry["positive_tpr"] = clean(rates.loc[key, "tpr"])
                entry["positive_fpr"] = clean(rates.loc[key, "fpr"])
            groups.append(entry)
            missing = []
            if math.isnan(row["precision"]):
                missing.append("precision/fdr")
            if math.isnan(row["fpr"]):
                missing.append("fpr")
            if math.isnan(row["for"]):
                missing.append("npv/for")
            if missing:
                undefined.append({"domain": dname, "attribute": aname, "level": level, "metrics": missing})
        # A gap needs two groups where the score is defined; fairlearn would say 0 for one.
        defined_groups = by_group.notna().sum()
        between.append({"domain": dname, "attribute": aname,
                        "values": {k: clean(v) for k, v in mf.difference(method="between_groups").items()
                                   if defined_groups[k] >= 2}})
        to_overall.append({"domain": dname, "attribute": aname,
                           "values": {k: clean(v) for k, v in mf.difference(method="to_overall").items()}})
        ratio_between.append({"domain": dname, "attribute": aname,
                              "values": {k: clean(v) for k, v in mf.ratio(method="between_groups").items()
                                         if defined_groups[k] >= 2}})
        ratio_overall.append({"domain": dname, "attribute": aname,
                              "values": {k: clean(v) for k, v in mf.ratio(method="to_overall").items()}})
        # Calibration per group: each row's index travels with it as a sample parameter (they
        # must be 1-D), and picks the row's probabilities.
        frame_proba = proba[rows]
        index = np.arange(len(rows))
        cal = MetricFrame(metrics={"ece": lambda t, p, i: expected_calibration_error(t, p, frame_proba[i]),
                                   "brier": lambda t, p, i: brier(t, p, frame_proba[i])},
                          y_true=yt, y_pred=yp, sensitive_features=sf,
                          sample_params={"ece": {"i": index}, "brier": {"i": index}}).by_group
        for key, row in cal.iterrows():
            calibration_groups.append({"domain": dname, "attribute": aname, "level": level_name(key, intersection),
                                       "ece": clean(row["ece"]), "brier": clean(row["brier"])})
        if not intersection:
            per_domain_cal[(dname, aname)] = cal
        # Gap, σ and mean per metric with numpy, over the groups where it is defined (two or more).
        for metric in SPREAD_METRICS + (["selection_rate"] if binary else []):
            values = by_group[metric].to_numpy(dtype=float)
            values = values[~np.isnan(values)]
            if len(by_group) >= 2 and values.size >= 2:
                spreads.append({"domain": dname, "attribute": aname, "metric": metric,
                                "gap": float(values.max() - values.min()),
                                "sigma": float(np.std(values, ddof=1)),
                                "mean": float(values.mean()), "groups": int(values.size)})
        if not intersection:
            per_domain_attr[(dname, aname)] = by_group
            if binary and len(by_group) >= 2:
                parity[(dname, aname)] = (
                    float(demographic_parity_difference(yt, yp, sensitive_features=sf)),
                    float(equalized_odds_difference(yt, yp, sensitive_features=sf)),
                    float(equal_opportunity_difference(yt, yp, sensitive_features=sf)),
                    float(demographic_parity_ratio(yt, yp, sensitive_features=sf)),
                    float(equal_opportunity_ratio(yt, yp, sensitive_features=sf)),
                    float(equalized_odds_ratio(yt, yp, sensitive_features=sf)),
                )

    # The paper's table, attributes only, averaged over attributes then domains.
    def averaged(stat):
        rows = []
        for (dname, aname), by_group in per_domain_attr.items():
            if len(by_group) < 2:
                continue
            v = stat(by_group)
            if v is not None and not math.isnan(v):
                rows.append((dname, v))
        if not rows:
            return None
        frame = pd.DataFrame(rows, columns=["domain", "value"])
        return float(frame.groupby("domain", sort=False)["value"].mean().mean())

    def defined(by_group, metric):
        v = by_group[metric].to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        return v if v.size >= 2 else None

    def gap(metric):
        return lambda g: None if (v := defined(g, metric)) is None else float(v.max() - v.min())

    def sigma(metric):
        return lambda g: None if (v := defined(g, metric)) is None else float(np.std(v, ddof=1))

    def mean(metric):
        return lambda g: None if (v := defined(g, metric)) is None else float(v.mean())

    table = {
        "PP": averaged(gap("fdr")), "EOD": averaged(gap("recall")), "FPR_diff": averaged(gap("fpr")),
        "dF1": averaged(gap("f1")), "sF1": averaged(sigma("f1")),
        "dAcc": averaged(gap("acc")), "sAcc": averaged(sigma("acc")),
        "F1": averaged(mean("f1")), "Acc": averaged(mean("acc")),
    }
    table["F1_ES"] = table["F1"] / (1 + table["sF1"])
    table["Acc_ES"] = table["Acc"] / (1 + table["sAcc"])
    table["FOR_diff"] = averaged(gap("for"))
    parity_names = ["DPD", "EOdD", "EOpD", "DPR", "EOpR", "EOdR"]
    if binary:
        def parity_avg(i):
            frame = pd.DataFrame([(d, v[i]) for (d, _), v in parity.items()], columns=["domain", "value"])
            return clean(frame.groupby("domain", sort=False)["value"].mean().mean())
        for i, name in enumerate(parity_names):
            table[name] = parity_avg(i)
    else:
        for name in parity_names:
            table[name] = None

    # Calibration: overall, and the gaps between groups averaged like the paper's.
    calibration = {"overall": {"ece": clean(expected_calibration_error(y_true, y_pred, proba)),
                               "brier": clean(brier(y_true, y_pred, proba))},
                   "groups": calibration_groups}
    table["ECE"] = calibration["overall"]["ece"]
    table["Brier"] = calibration["overall"]["brier"]
    for column, metric in [("dECE", "ece"), ("dBrier", "brier")]:
        rows = []
        for (dname, aname), cal in per_domain_cal.items():
            v = cal[metric].to_numpy(dtype=float)
            v = v[~np.isnan(v)]
            if len(cal) >= 2 and v.size >= 2:
                rows.append((dname, float(v.max() - v.min())))
        frame = pd.DataFrame(rows, columns=["domain", "value"])
        table[column] = float(frame.groupby("domain", sort=False)["value"].mean().mean()) if rows else None

    return {"overall": overall, "groups": groups, "undefined": undefined, "spreads": spreads,
            "difference": {"between_groups": between, "to_overall": to_overall},
            "ratio": {"between_groups": ratio_between, "to_overall": ratio_overall},
            "calibration": calibration, "table": table}


# ---------------------------------------------------------------- fixture inputs

SEX = {"name": "sex", "levels": ["female", "male"], "short_names": ["F", "M"]}
AGE = {"name": "age", "levels": ["≤25", "26-50", "51-75", ">75"], "short_names": ["A1", "A2", "A3", "A4"]}


def noisy_predictions(rng, y, k, accuracy):
    """y with each row kept with probability accuracy[row], otherwise a random other class."""
    keep = rng.random(len(y)) < accuracy
    other = (y + rng.integers(1, k, size=len(y))) % k
    return np.where(keep, y, other)


def probabilities(rng, y_pred, k):
    """Class probabilities leaning to the prediction: a Dirichlet draw with extra weight on it."""
    alpha = np.ones((len(y_pred), k))
    alpha[np.arange(len(y_pred)), y_pred] += 3
    return np.array([rng.dirichlet(a) for a in alpha])


def binary_fixture():
    rng = np.random.default_rng(20240501)
    n = 80
    sex = rng.integers(0, 2, n)
    age = rng.integers(0, 4, n)
    y = (rng.random(n) < 0.35 + 0.1 * sex).astype(int)
    p = noisy_predictions(rng, y, 2, 0.85 - 0.08 * age + 0.05 * sex)
    age[[3, 17, 42]] = -1  # missing age: left out of the age groups and the intersection
    sex[[9]] = -1
    return {
        "name": "binary",
        "description": "binary task; sex (2 groups) and age bin (4 groups); one domain; a few missing codes",
        "class_names": ["negative", "positive"], "domain_names": ["clinic"],
        "attributes": [dict(SEX, codes=sex.tolist()), dict(AGE, codes=age.tolist())],
        "domains": [0] * n, "y_true": y.tolist(), "y_pred": p.tolist(),
        "y_prob": probabilities(rng, p, 2).tolist(),
    }


def multiclass_fixture():
    rng = np.random.default_rng(7)
    n = 96
    sex = rng.integers(0, 2, n)
    age = rng.integers(0, 3, n)
    y = rng.integers(0, 4, n)
    # Empty cell: no row of class 3 among women (their ground truth never holds it).
    y = np.where((sex == 0) & (y == 3), 2, y)
    p = noisy_predictions(rng, y, 4, 0.6 + 0.1 * age)
    # A class never predicted in a group: men are never predicted class 1.
    p = np.where((sex == 1) & (p == 1), 0, p)
    # A single-class group: every >75 row is class 2 and never predicted 2, so its FPR,
    # precision and FDR are undefined.
    old = np.arange(n - 6, n)
    age[old] = 3
    y[old] = 2
    p[old] = [0, 1, 3, 0, 3, 0]
    sex[old] = [0, 0, 0, 1, 1, 1]
    return {
        "name": "multiclass",
        "description": "4 classes; sex and age bin; class 3 absent from women's truth, class 1 never "
                       "predicted for men, the >75 group holds class 2 only (FPR, precision undefined)",
        "class_names": ["normal", "pneumonia", "effusion", "nodule"], "domain_names": ["chest_xray"],
        "attributes": [dict(SEX, codes=sex.tolist()), dict(AGE, codes=age.tolist())],
        "domains": [0] * n, "y_true": y.tolist(), "y_pred": p.tolist(),
        "y_prob": probabilities(rng, p, 4).tolist(),
    }


def domains_fixture():
    rng = np.random.default_rng(99)
    n1, n2 = 70, 44
    sex1 = rng.integers(0, 2, n1)
    age1 = rng.integers(0, 3, n1)
    y1 = rng.integers(0, 3, n1)
    p1 = noisy_predictions(rng, y1, 3, 0.75 - 0.15 * sex1)
    sex1[[5, 6]] = -1
    sex2 = rng.integers(0, 2, n2)
    y2 = rng.integers(0, 3, n2)
    p2 = noisy_predictions(rng, y2, 3, 0.5 + 0.3 * sex2)
    # Interleave the domains so rows of a domain are not contiguous.
    order = rng.permutation(n1 + n2)
    dom = np.concatenate([np.zeros(n1, int), np.ones(n2, int)])[order]
    sex = np.concatenate([sex1, sex2])[order]
    age = np.concatenate([age1, -np.ones(n2, int)])[order]  # the second domain never records age
    y = np.concatenate([y1, y2])[order]
    p = np.concatenate([p1, p2])[order]
    return {
        "name": "domains",
        "description": "3 classes; two domains, the second records sex only, so the table averages "
                       "(sex, age) within the first domain, then the two domains",
        "class_names": ["benign", "malignant", "other"], "domain_names": ["chest_xray", "derm"],
        "attributes": [dict(SEX, codes=sex.tolist()), dict(AGE, codes=age.tolist())],
        "domains": dom.tolist(), "y_true": y.tolist(), "y_pred": p.tolist(),
        "y_prob": probabilities(rng, p, 3).tolist(),
    }


# ---------------------------------------------------------------- JSON

def dumps(value, indent=0):
    """JSON with lists of scalars kept on one line; deterministic."""
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f'{pad}  {json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 1)}' for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            return "[" + ", ".join(dumps(v) for v in value) + "]"
        return "[\n" + ",\n".join(f"{pad}  {dumps(v, indent + 1)}" for v in value) + "\n" + pad + "]"
    if isinstance(value, float):
        assert math.isfinite(value)
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed fixtures instead of writing")
    args = parser.parse_args()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    changed = []
    for spec in [binary_fixture(), multiclass_fixture(), domains_fixture()]:
        doc = dict(spec)
        doc["expected"] = reference(spec)
        text = dumps(doc) + "\n"
        path = FIXTURES / f"{spec['name']}.json"
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                changed.append(path)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)} ({len(doc['expected']['groups'])} groups)")
    if changed:
        print("out of date: " + ", ".join(str(p.relative_to(ROOT)) for p in changed))
        sys.exit(1)


if __name__ == "__main__":
    import warnings
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    warnings.filterwarnings("ignore", category=UserWarning)
    main()
