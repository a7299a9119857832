# gdl eval's micro average, computed by merging each target's sorted scores, equals
# scikit-learn's pooled ROC AUC and average precision on 2,900 rows x 400 binary targets (over
# 2^20 pairs, so the merge runs in its 16 parallel ranges): scores tied within and across targets
# (grids of 0.01 and 0.001), full-precision float scores, missing labels, a target without
# positives, five folds (each fold's micro average, and their mean); at 1 and 3 threads alike.
# And values held as float scores equal the previous build's (b8a1cd8, scores as doubles) to
# 1e-6 on the bench generator's 3,000 x 12 file with a fold column: the default threshold, and
# best-F1 thresholds with 10 bootstrap replicates (tests/data/eval/prev.*.json).
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
here=$(cd "$(dirname "$0")" && pwd)
DATA=$here/../data/eval

"$PYTHON" - "$TMP" <<'PY' || fail "micro fixture" "python3 with numpy and sklearn is needed"
import json, sys
import numpy as np
from sklearn import metrics as skm
d = sys.argv[1]
rng = np.random.default_rng(19)
n, T = 2900, 400
Y = (rng.random((n, T)) < rng.uniform(0.02, 0.3, T)).astype(int)
Y[:, 9] = 0  # no positives
S = np.clip(rng.random((n, T)) * 0.8 + Y * 0.25 * rng.random(T), 0, 1).astype(np.float32)
text = np.empty((n, T), dtype=object)
for t in range(T):
    if t % 3 == 0:
        col = np.round(S[:, t].astype(float), 2)  # heavy ties, across targets too
        text[:, t] = [repr(float(v)) for v in col]
    elif t % 3 == 1:
        col = np.round(S[:, t].astype(float), 3)
        text[:, t] = [repr(float(v)) for v in col]
    else:
        col = S[:, t].astype(float)  # float32 values at full precision
        text[:, t] = ["%.9g" % v for v in col]
    S[:, t] = col  # what gdl holds: the float of the text
known = rng.random((n, T)) >= 0.05
fold = rng.integers(1, 6, n)
with open(f"{d}/micro.tsv", "w") as f:
    f.write("id\tfold\t" + "\t".join(f"t{t}:label\tt{t}:score" for t in range(T)) + "\n")
    for i in range(n):
        cells = []
        for t in range(T):
            if known[i, t]:
                cells += [str(Y[i, t]), text[i, t]]
            else:
                cells += ["", "" if (i + t) % 2 else text[i, t]]
        f.write(f"r{i}\t{fold[i]}\t" + "\t".join(cells) + "\n")
def micro(rows):
    y, s = Y[rows][known[rows]], S[rows][known[rows]].astype(np.float64)
    return skm.roc_auc_score(y, s), skm.average_precision_score(y, s)
want = {"all": micro(np.arange(n))}
for f in range(1, 6):
    want[str(f)] = micro(np.flatnonzero(fold == f))
json.dump(want, open(f"{d}/want.json", "w"))
PY

check_micro() { # NAME JSON
    "$PYTHON" - "$TMP/want.json" "$2" <<'PY' && pass "$1" || fail "$1"
import json, sys
want, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sets = {"all": got["micro"]}
sets.update({str(f["fold"]): f["micro"] for f in got["folds"]})
bad = 0
for k, (auc, ap) in want.items():
    g = sets[k]
    if abs(g["roc_auc"] - auc) > 1e-12 or abs(g["pr_auc"] - ap) > 1e-12:
        print(f"  {k}: roc_auc {g['roc_auc']!r} pr_auc {g['pr_auc']!r}, sklearn {auc!r} {ap!r}", file=sys.stderr)
        bad = 1
mean = sum(sets[k]["roc_auc"] for k in want if k != "all") / 5
if abs(got["fold_mean"]["micro"]["roc_auc"] - mean) > 1e-12:
    print(f"  fold_mean micro roc_auc {got['fold_mean']['micro']['roc_auc']!r}, folds' mean {mean!r}", file=sys.stderr)
    bad = 1
sys.exit(bad)
PY
}

expect "micro: eval runs" 0 "$GDL" eval -p "$TMP/micro.tsv" -o "$TMP/m1.json" -@ 1
check_micro "micro ROC and PR AUC equal sklearn's (all rows, each fold, fold mean)" "$TMP/m1.json"
expect "micro: eval runs at 3 threads" 0 "$GDL" eval -p "$TMP/micro.tsv" -o "$TMP/m3.json" -@ 3
same "micro: 3 threads give the same metrics.json" "$TMP/m1.json" "$TMP/m3.json"
# without folds the all-rows pass leaves the targets sorted for the merge: the same values (the
# AP to rounding: its 16 ranges are split at quantiles of other runs, so summed in other parts)
cut -f 1,3- "$TMP/micro.tsv" >"$TMP/nofold.tsv"
expect "micro: eval without folds runs" 0 "$GDL" eval -p "$TMP/nofold.tsv" -o "$TMP/nf.json"
"$PYTHON" - "$TMP/m1.json" "$TMP/nf.json" <<'PY' && pass "micro: the same without the fold column" || fail "micro: the same without the fold column"
import json, sys
a, b = (json.load(open(p))["micro"] for p in sys.argv[1:3])
sys.exit(0 if a.keys() == b.keys() and all(abs(a[k] - b[k]) <= 1e-12 for k in a) and a["roc_auc"] == b["roc_auc"] else 1)
PY

# ---- the previous build's values (scores as doubles) to 1e-6 ----------------------------------------
${CC:-cc} -O2 -o "$TMP/gen" "$here/../bench/gen_predictions.c" -lm || fail "compile gen_predictions"
"$TMP/gen" 3000 12 7 | awk 'BEGIN { FS = OFS = "\t" } NR == 1 { $1 = "id\tfold"; print; next } { $1 = $1 "\t" ((NR - 2) % 5 + 1); print }' >"$TMP/prev.tsv"
expect "previous values: eval runs" 0 "$GDL" eval -p "$TMP/prev.tsv" -o "$TMP/pd.json"
if "$PYTHON" "$here/json_close.py" "$DATA/prev.default.json" "$TMP/pd.json" 1e-6 >"$TMP/cmp"; then
    pass "float scores equal the previous build's values to 1e-6 ($(cat "$TMP/cmp"))"
else fail "float scores equal the previous build's values to 1e-6"; fi
expect "previous values: best-f1 and bootstrap run" 0 "$GDL" eval -p "$TMP/prev.tsv" -t best-f1 -b 10 -o "$TMP/pb.json"
if "$PYTHON" "$here/json_close.py" "$DATA/prev.best-f1.json" "$TMP/pb.json" 1e-6 >"$TMP/cmp"; then
    pass "best-f1 and bootstrap equal the previous build's to 1e-6 ($(cat "$TMP/cmp"))"
else fail "best-f1 and bootstrap equal the previous build's to 1e-6"; fi
finish
