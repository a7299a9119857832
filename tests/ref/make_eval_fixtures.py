#!/usr/bin/python3
"""Writes the gdl eval acceptance fixtures into tests/data/eval/: small predictions files and
expected.json, the values scikit-learn and SciPy give for them.

Run by hand with Debian's python3-sklearn (apt-get install -y python3-sklearn):
    /usr/bin/python3 tests/ref/make_eval_fixtures.py
`make test` compares gdl's metrics.json with expected.json (tests/cli/eval.sh, via
tests/ref/compare_json.py) and needs neither sklearn nor SciPy.

expected.json: {FILE: {"args": [extra gdl eval options], "checks": [[[json path...], value]]}}
with value null where gdl must write null."""
import json
import os
import sys

import numpy as np
import scipy.stats
from sklearn import metrics as skm

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "eval")
rng = np.random.default_rng(20261122)
expected = {}


def fmt(x):
    return repr(float(x))


def write(name, header, rows):
    with open(os.path.join(OUT, name), "w") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


def binary_checks(path, y, s, thr=0.5):
    """sklearn's values for one binary target (y 0/1, s scores), at score >= thr"""
    out = []
    n, npos = len(y), int(y.sum())
    out += [(path + ["n"], n), (path + ["n_pos"], npos)]
    if npos == 0 or npos == n:
        return out + [(path + [m], None) for m in ("roc_auc", "pr_auc", "accuracy", "f1", "mcc")]
    p = (s >= thr).astype(int)
    out += [(path + ["roc_auc"], skm.roc_auc_score(y, s)),
            (path + ["pr_auc"], skm.average_precision_score(y, s)),
            (path + ["accuracy"], skm.accuracy_score(y, p)),
            (path + ["precision"], skm.precision_score(y, p, zero_division=0)),
            (path + ["recall"], skm.recall_score(y, p)),
            (path + ["f1"], skm.f1_score(y, p, zero_division=0)),
            (path + ["mcc"], skm.matthews_corrcoef(y, p))]
    return out


def best_f1(y, s):
    """F1-maximising threshold over the distinct scores, the highest on ties (brute force)"""
    best, bt = -1.0, None
    for t in sorted(set(s.tolist()), reverse=True):
        f = skm.f1_score(y, (s >= t).astype(int), zero_division=0)
        if f > best:
            best, bt = f, t
    return bt, best


def scores(n, kind):
    """scores with many ties ('coarse'), a few ('fine'), or none"""
    x = rng.random(n)
    if kind == "coarse":
        return np.round(x * rng.integers(2, 12)) / 10
    if kind == "fine":
        return np.round(x, 3)
    return x


# 1. many random binary sets with ties, each target its own size through missing labels
T, N = 60, 300
cols, labels, S = [], [], []
checks = []
for t in range(T):
    n = int(rng.integers(2, N + 1)) if t > 2 else [2, 3, 5][t]
    rows = rng.choice(N, size=n, replace=False)
    prev = rng.choice([0.05, 0.2, 0.5, 0.8])
    y = (rng.random(n) < prev).astype(int)
    y[0], y[-1] = 1, 0  # both classes present
    s = scores(n, ["coarse", "fine", "none"][t % 3])
    # scores that carry the label make AUCs spread over [0.5, 1]
    s = np.clip(s + y * rng.random() * 0.5, 0, 1.5)
    s = np.round(s, 2) if t % 3 == 0 else s
    lab = [""] * N
    sc = [fmt(v) for v in np.round(rng.random(N), 3)]  # scores of unlabelled rows are not read
    for i, r in enumerate(rows):
        lab[r], sc[r] = str(y[i]), fmt(s[i])
    labels.append(lab), S.append(sc)
    checks += binary_checks(["targets", f"t{t}"], y, s)
header = ["id"] + [c for t in range(T) for c in (f"t{t}:label", f"t{t}:score")]
write("binary.tsv", header, [[f"r{i}"] + [v for t in range(T) for v in (labels[t][i], S[t][i])]
                             for i in range(N)])
expected["binary.tsv"] = {"args": [], "checks": checks}

# 2. tiny sets: 2 examples, tied and not; best-F1 thresholds on the random sets
write("tiny.tsv", ["id", "a:label", "a:score", "b:label", "b:score", "c:label", "c:score"],
      [["x", "1", "0.3", "0", "0.5", "1", "0.9"], ["y", "0", "0.7", "1", "0.5", "0", "0.1"]])
checks = []
for name, y, s in (("a", [1, 0], [0.3, 0.7]), ("b", [0, 1], [0.5, 0.5]), ("c", [1, 0], [0.9, 0.1])):
    checks += binary_checks(["targets", name], np.array(y), np.array(s))
expected["tiny.tsv"] = {"args": [], "checks": checks}

checks = []
for t in range(0, T, 7):
    y = np.array([int(v) for v in labels[t] if v != ""])
    s = np.array([float(S[t][i]) for i in range(N) if labels[t][i] != ""])
    thr, f = best_f1(y, s)
    p = (s >= thr).astype(int)
    checks += [(["targets", f"t{t}", "threshold"], thr), (["targets", f"t{t}", "f1"], f),
               (["targets", f"t{t}", "mcc"], skm.matthews_corrcoef(y, p)),
               (["targets", f"t{t}", "roc_auc"], skm.roc_auc_score(y, s))]
expected["binary.tsv#best-f1"] = {"file": "binary.tsv", "args": ["--threshold", "best-f1"], "checks": checks}

# 3. heavy imbalance: 1 positive in 10,000 (at a random rank, then tied with many negatives)
n = 10000
y = np.zeros(n, dtype=int)
y[rng.integers(n)] = 1
s1 = np.round(rng.random(n), 6)
s2 = np.round(rng.random(n), 2)
s3 = s1.copy()
s3[y == 1] = 0.999999  # near the top
write("imbalance.tsv", ["id", "a:label", "a:score", "b:label", "b:score", "c:label", "c:score"],
      [[f"r{i}", str(y[i]), fmt(s1[i]), str(y[i]), fmt(s2[i]), str(y[i]), fmt(s3[i])] for i in range(n)])
checks = []
for name, s in (("a", s1), ("b", s2), ("c", s3)):
    checks += binary_checks(["targets", name], y, s)
expected["imbalance.tsv"] = {"args": [], "checks": checks}

# 4. multi-label aggregates: no missing labels; one target without positives (null, counted)
n, T = 400, 12
Y = (rng.random((n, T)) < rng.uniform(0.03, 0.5, T)).astype(int)
Y[:, 5] = 0
Ssc = np.round(np.clip(rng.random((n, T)) * 0.7 + Y * 0.3 * rng.random(T), 0, 1), 3)
header = ["id"] + [c for t in range(T) for c in (f"m{t}:label", f"m{t}:score")]
write("multilabel.tsv", header, [[f"r{i}"] + [v for t in range(T) for v in (str(Y[i, t]), fmt(Ssc[i, t]))]
                                 for i in range(n)])
ok = [t for t in range(T) if 0 < Y[:, t].sum() < n]
P = (Ssc >= 0.5).astype(int)
checks = [(["summary", "n_single_class"], 1), (["targets", "m5", "roc_auc"], None),
          (["macro", "n_targets"], len(ok))]
for t in range(T):
    checks += binary_checks(["targets", f"m{t}"], Y[:, t], Ssc[:, t])
per = {m: [f(Y[:, t], Ssc[:, t]) for t in ok] for m, f in
       (("roc_auc", skm.roc_auc_score), ("pr_auc", skm.average_precision_score))}
per["f1"] = [skm.f1_score(Y[:, t], P[:, t], zero_division=0) for t in ok]
per["mcc"] = [skm.matthews_corrcoef(Y[:, t], P[:, t]) for t in ok]
for m in per:
    checks += [(["macro", m], float(np.mean(per[m]))), (["median", m], float(np.median(per[m])))]
checks += [(["weighted", "roc_auc"], skm.roc_auc_score(Y[:, ok], Ssc[:, ok], average="weighted")),
           (["weighted", "pr_auc"], skm.average_precision_score(Y[:, ok], Ssc[:, ok], average="weighted")),
           (["weighted", "f1"], skm.f1_score(Y[:, ok], P[:, ok], average="weighted", zero_division=0)),
           (["macro", "roc_auc"], skm.roc_auc_score(Y[:, ok], Ssc[:, ok], average="macro")),
           (["micro", "roc_auc"], skm.roc_auc_score(Y, Ssc, average="micro")),
           (["micro", "pr_auc"], skm.average_precision_score(Y, Ssc, average="micro")),
           (["micro", "f1"], skm.f1_score(Y, P, average="micro")),
           (["micro", "precision"], skm.precision_score(Y, P, average="micro")),
           (["micro", "recall"], skm.recall_score(Y, P, average="micro")),
           (["micro", "accuracy"], skm.accuracy_score(Y.ravel(), P.ravel())),
           (["micro", "mcc"], skm.matthews_corrcoef(Y.ravel(), P.ravel())),
           (["micro", "n"], n * T), (["micro", "n_pos"], int(Y.sum()))]
expected["multilabel.tsv"] = {"args": [], "checks": checks}

# 5. regression, with tied labels and predictions (Spearman's average ranks)
n, T = 250, 4
header = ["id"] + [c for t in range(T) for c in (f"r{t}:label", f"r{t}:score")]
Ylab = rng.normal(size=(n, T)) * 3
Pred = Ylab * rng.uniform(0.2, 1, T) + rng.normal(size=(n, T))
for t, (a, b) in enumerate(((2, 3), (0, 0), (1, 2), (3, 1))):
    Ylab[:, t], Pred[:, t] = np.round(Ylab[:, t], a), np.round(Pred[:, t], b)
miss = rng.random((n, T)) < 0.1
rows = []
for i in range(n):
    r = [f"r{i}"]
    for t in range(T):
        r += ["" if miss[i, t] else fmt(Ylab[i, t]), fmt(Pred[i, t])]
    rows.append(r)
write("regression.tsv", header, rows)
checks = []
for t in range(T):
    k = ~miss[:, t]
    y, p = Ylab[k, t], Pred[k, t]
    path = ["targets", f"r{t}"]
    checks += [(path + ["kind"], "regression"), (path + ["n"], int(k.sum())),
               (path + ["mse"], skm.mean_squared_error(y, p)),
               (path + ["rmse"], float(np.sqrt(skm.mean_squared_error(y, p)))),
               (path + ["mae"], skm.mean_absolute_error(y, p)),
               (path + ["r2"], skm.r2_score(y, p)),
               (path + ["pearson"], scipy.stats.pearsonr(y, p)[0]),
               (path + ["spearman"], scipy.stats.spearmanr(y, p).correlation)]
expected["regression.tsv"] = {"args": [], "checks": checks}

# 6. multi-class, with tied scores
n = 300
rows, checks = [], []
specs = (("g", ["A", "B", "C"]), ("h", ["c1", "c2", "c3", "c4"]))
data = {}
for name, cls in specs:
    K = len(cls)
    y = rng.integers(0, K, n)
    s = rng.random((n, K)) + np.eye(K)[y] * rng.random((n, 1)) * 0.8
    s = np.round(s / s.sum(1, keepdims=True), 2)
    data[name] = (y, s)
    pred = s.argmax(1)  # numpy: the first on ties, as gdl
    path = ["targets", name]
    checks += [(path + ["kind"], "multiclass"), (path + ["n"], n),
               (path + ["accuracy"], skm.accuracy_score(y, pred)),
               (path + ["balanced_accuracy"], skm.balanced_accuracy_score(y, pred))]
    aucs, aps = [], []
    for k in range(K):
        aucs.append(skm.roc_auc_score(y == k, s[:, k]))
        aps.append(skm.average_precision_score(y == k, s[:, k]))
        checks += [(path + ["class_roc_auc", cls[k]], aucs[-1]), (path + ["class_pr_auc", cls[k]], aps[-1])]
    checks += [(path + ["roc_auc"], float(np.mean(aucs))), (path + ["pr_auc"], float(np.mean(aps)))]
    cm = skm.confusion_matrix(y, pred, labels=list(range(K)))
    for a in range(K):
        for b in range(K):
            checks.append((path + ["confusion", a, b], int(cm[a, b])))
header = ["id"] + [f"{nm}:label" for nm, _ in specs[:1]] + [f"g:score:{c}" for c in specs[0][1]] + \
         ["h:label"] + [f"h:score:{c}" for c in specs[1][1]]
for i in range(n):
    yg, sg = data["g"]
    yh, sh = data["h"]
    rows.append([f"r{i}", specs[0][1][yg[i]]] + [fmt(v) for v in sg[i]] +
                [specs[1][1][yh[i]]] + [fmt(v) for v in sh[i]])
write("multiclass.tsv", header, rows)
expected["multiclass.tsv"] = {"args": [], "checks": checks}

# 7. folds: per-fold values, their mean and sd (n - 1), and the pooled value
n, T, F = 500, 3, 5
fold = rng.integers(0, F, n)
Y = (rng.random((n, T)) < 0.3).astype(int)
Sf = np.round(rng.random((n, T)) * 0.8 + Y * 0.25, 2)
header = ["id", "fold"] + [c for t in range(T) for c in (f"f{t}:label", f"f{t}:score")]
write("folds.tsv", header, [[f"r{i}", str(fold[i])] + [v for t in range(T) for v in (str(Y[i, t]), fmt(Sf[i, t]))]
                            for i in range(n)])
checks = [(["summary", "n_folds"], F)]
for t in range(T):
    per = []
    for f in range(F):
        k = fold == f
        v = skm.roc_auc_score(Y[k, t], Sf[k, t])
        per.append(v)
        checks.append((["folds", f, "targets", f"f{t}", "roc_auc"], v))
        checks.append((["folds", f, "targets", f"f{t}", "pr_auc"], skm.average_precision_score(Y[k, t], Sf[k, t])))
    checks += [(["targets", f"f{t}", "fold_mean", "roc_auc"], float(np.mean(per))),
               (["targets", f"f{t}", "fold_sd", "roc_auc"], float(np.std(per, ddof=1))),
               (["targets", f"f{t}", "roc_auc"], skm.roc_auc_score(Y[:, t], Sf[:, t]))]
macro = [np.mean([skm.roc_auc_score(Y[fold == f, t], Sf[fold == f, t]) for t in range(T)]) for f in range(F)]
checks += [(["fold_mean", "macro", "roc_auc"], float(np.mean(macro))),
           (["fold_sd", "macro", "roc_auc"], float(np.std(macro, ddof=1)))]
for f in range(F):
    checks.append((["folds", f, "fold"], str(f)))
expected["folds.tsv"] = {"args": [], "checks": checks}


def plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return float(v)
    return v


for k in expected:
    expected[k]["checks"] = [[p, plain(v)] for p, v in expected[k]["checks"]]
with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, indent=0)
    f.write("\n")
total = sum(os.path.getsize(os.path.join(OUT, x)) for x in os.listdir(OUT))
print(f"wrote {len(expected)} fixtures ({sum(len(e['checks']) for e in expected.values())} checks, "
      f"{total} bytes) into {os.path.normpath(OUT)}", file=sys.stderr)
