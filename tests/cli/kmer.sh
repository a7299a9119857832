# The k-mer count model (a kmer layer filled by training.solver count) equals counts done by hand:
# - context=centre (center-base-kmer.json) on an order-2 Markov genome: every test position's
#   predicted base probabilities equal a Python count's (pseudocount split by the base
#   frequencies), and its accuracy beats the majority base by far where a permuted genome's stays;
# - context=window (kmer-counts.json): scikit-learn's MultinomialNB on the 4-mer counts, for two
#   binary targets and for a 3-class target, out-of-fold on gdl's folds;
# - the same layer trained by the optimizer is a logistic regression on the k-mer counts and
#   learns a planted motif; configs the solver cannot fill are refused naming the key.
. "$(dirname "$0")/lib.sh"
cfgs="$(dirname "$0")/../../configs"
py="$(cd "$(dirname "$0")/../python" && pwd)"
T=$TMP
"$PYTHON" - "$T" <<'PY' || fail "Markov genomes"
import random, sys
d = sys.argv[1]
rng = random.Random(4)
B = "ACGT"
# each 2-base context prefers one base (p 0.7), then another (0.2)
table = {}
for a in B:
    for b in B:
        first, second = rng.sample(B, 2)
        table[a + b] = [0.7 * (x == first) + 0.2 * (x == second) + 0.05 * (x not in (first, second)) for x in B]
def genome(n):
    s = [rng.choice(B), rng.choice(B)]
    while len(s) < n:
        u, acc, p = rng.random(), 0.0, table[s[-2] + s[-1]]
        for x, q in zip(B, p):
            acc += q
            if u < acc:
                break
        s.append(x)
    for i in rng.sample(range(n), n // 200):
        s[i] = "N"  # a few Ns: contexts holding one fall back to the base frequencies
    return "".join(s)
for name, n in (("train", 30000), ("test", 8000)):
    s = genome(n)
    with open(f"{d}/{name}.fa", "w") as f:
        f.write(f">{name}\n" + "".join(s[i:i + 60] + "\n" for i in range(0, n, 60)))
    shuffled = list(s); rng.shuffle(shuffled)
    with open(f"{d}/{name}.perm.fa", "w") as f:
        f.write(f">{name}\n" + "".join(shuffled) + "\n")
PY
sed 's/"k": 5/"k": 2/' "$cfgs/center-base-kmer.json" >"$T/k2.json"
for g in train test train.perm test.perm; do
    "$GDL" encode -q --task center-base --ref "$T/$g.fa" --flank 3 --stride 1 -o "$T/$g.gdl" || fail "encode $g"
done
for g in "" .perm; do
    "$GDL" train -q -c "$T/k2.json" -d "$T/train$g.gdl" -o "$T/k2$g.gdl" --val-frac 0 &&
        "$GDL" predict -q -m "$T/k2$g.gdl" -d "$T/test$g.gdl" -o "$T/k2$g.pred.tsv" || fail "k-mer model on train$g"
done
"$PYTHON" - "$T/train.fa" "$T/test.fa" "$T/k2.pred.tsv" <<'PY' && pass "centre context: every test position's probabilities are the hand count's" ||
import sys
from collections import Counter
B, k, F, alpha = "ACGT", 2, 3, 1.0
def seq(p): return "".join(l.strip() for l in open(p) if not l.startswith(">"))
def examples(s):  # centre-base rows of flank F: the centre base must be a base
    for p in range(F, len(s) - F):
        if s[p] in B:
            yield p, s[p - k:p] + s[p + 1:p + 1 + k], s[p]
train, test = seq(sys.argv[1]), seq(sys.argv[2])
n, seen = Counter(), Counter()
for _, ctx, c in examples(train):
    seen[c] += 1
    if all(b in B for b in ctx):
        n[ctx, c] += 1
N = sum(seen.values())
prior = {c: (seen[c] + alpha) / (N + 4 * alpha) for c in B}
want = {}
for p, ctx, c in examples(test):
    if all(b in B for b in ctx):
        nw = sum(n[ctx, b] for b in B)
        want[p] = [(n[ctx, b] + alpha * prior[b]) / (nw + alpha) for b in B]
    else:
        want[p] = [prior[b] for b in B]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[3])][1:]
assert len(rows) == len(want), (len(rows), len(want))
worst = max(abs(float(v) - w) for r in rows for v, w in zip(r[2:], want[int(r[0].split(":")[1]) - 1]))
assert worst < 2e-6, worst
PY
    fail "centre context: probabilities differ from the hand count"
acc() { "$GDL" eval -p "$1" --tsv "$1.m.tsv" >/dev/null && awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i }
    NR == 2 { printf "%.4f\n", $c["accuracy"] }' "$1.m.tsv"; }
real=$(acc "$T/k2.pred.tsv") perm=$(acc "$T/k2.perm.pred.tsv")
awk -v r="$real" -v p="$perm" 'BEGIN { exit !(r >= 0.6 && p < 0.36 && r >= p + 0.3) }' &&
    pass "centre context: test accuracy $real on the Markov genome, $perm on its shuffle (chance 0.25)" ||
    fail "centre context: test accuracy $real (floor 0.6), shuffled genome $perm (must stay below 0.36 and 0.3 below the real)"

# window: naive Bayes over 4-mers against scikit-learn, out of fold
"$GDL" simulate sequences -q -o "$T/s" -n 300 --length 120 --motif TGACTCAT --motif CACGTG --seed 8 &&
    "$GDL" encode -q "$T/s.fa" -l "$T/s.labels.tsv" -o "$T/s.gdl" || fail "motif sequences"
"$PYTHON" "$(dirname "$0")/splice_like.py" "$T/sp" 600 3 &&
    "$GDL" encode -q "$T/sp.fa" -l "$T/sp.labels.tsv" -o "$T/sp.gdl" || fail "splice-like sequences"
for d in s sp; do
    "$GDL" train -q -c "$cfgs/kmer-counts.json" -d "$T/$d.gdl" -o "$T/nb.$d.gdl" --folds 3 --oof "$T/nb.$d.oof.tsv" ||
        fail "kmer-counts on $d"
    PYTHONPATH="$py" "$PYTHON" - "$T/$d.fa" "$T/$d.labels.tsv" "$T/nb.$d.oof.tsv" <<'PY' && pass "window: $d out-of-fold scores equal scikit-learn's MultinomialNB" ||
import sys
import numpy as np
from itertools import product
from sklearn.naive_bayes import MultinomialNB
from fasta import read_fasta
seqs = read_fasta(sys.argv[1])
col = {"".join(w): i for i, w in enumerate(product("ACGT", repeat=4))}
lab = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
targets, labels = lab[0][1:], {r[0]: r[1:] for r in lab[1:]}
oof = [l.rstrip("\n").split("\t") for l in open(sys.argv[3])]
head, rows = oof[0], oof[1:]
ids = [r[0] for r in rows]; fold = np.array([r[1] for r in rows])
X = np.zeros((len(ids), 256))
for i, s in enumerate(ids):
    for p in range(len(seqs[s]) - 3):
        X[i, col[seqs[s][p:p + 4]]] += 1
worst = 0
for t, name in enumerate(targets):
    y = np.array([labels[s][t] for s in ids])
    classes = sorted(set(y))
    for f in sorted(set(fold)):
        tr, te = fold != f, fold == f
        N = [np.sum(y[tr] == c) for c in classes]
        prior = [(n + 1) / (tr.sum() + len(classes)) for n in N]
        m = MultinomialNB(alpha=1.0, class_prior=prior).fit(X[tr], y[tr])
        p = m.predict_proba(X[te])
        if len(classes) == 2:  # binary: the score of class 1
            got = np.array([float(r[head.index(f"{name}:score")]) for r, k in zip(rows, te) if k])
            worst = max(worst, np.abs(got - p[:, 1]).max())
        else:
            for j, c in enumerate(m.classes_):
                got = np.array([float(r[head.index(f"{name}:score:{c}")]) for r, k in zip(rows, te) if k])
                worst = max(worst, np.abs(got - p[:, j]).max())
assert worst < 1e-3, worst
PY
        fail "window: $d out-of-fold scores differ from MultinomialNB"
done

# the optimizer's kmer layer: logistic regression on the 4-mer counts
sed 's/"training": {.*}/"training": {"optimizer": "adam", "lr": 0.01, "batch": 32, "epochs": 30, "patience": 5, "weight_decay": 0.001}/' \
    "$cfgs/kmer-counts.json" >"$T/lr.json"
"$GDL" train -q -c "$T/lr.json" -d "$T/s.gdl" -o "$T/lr.gdl" --folds 3 --oof "$T/lr.oof.tsv" || fail "kmer by gradient"
"$GDL" eval -p "$T/lr.oof.tsv" --tsv "$T/lr.m.tsv" >/dev/null
auc=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { printf "%.4f\n", $c["roc_auc"] }' "$T/lr.m.tsv")
awk -v a="$auc" 'BEGIN { exit !(a >= 0.75) }' && pass "kmer by gradient: out-of-fold ROC AUC $auc >= 0.75 on motif_1" ||
    fail "kmer by gradient: out-of-fold ROC AUC $auc, below 0.75"

# what the count solver cannot fill is refused, naming the key
sed 's/"pseudocount": 1/"pseudocount": 0/' "$cfgs/kmer-counts.json" >"$T/p0.json"
expect "pseudocount 0 is refused" 2 "$GDL" train -c "$T/p0.json" -d "$T/s.gdl" -o "$T/x.gdl"
contains "pseudocount 0: the key named" "$T/err" "training.pseudocount: must be positive"
sed 's/"solver": "count"/"solver": "count", "restarts": 2/' "$cfgs/kmer-counts.json" >"$T/r2.json"
expect "count with restarts is refused" 2 "$GDL" train -c "$T/r2.json" -d "$T/s.gdl" -o "$T/x.gdl"
contains "count with restarts: the key named" "$T/err" "training.solver: count cannot be combined with restarts"
sed 's/"solver": "count"/"solver": "count"/; s/"k": 4, "context": "window", "units": "outputs"/"k": 4, "units": 8},\n    {"name": "out", "type": "dense", "input": "counts", "units": "outputs"/; s/"layer": "counts"/"layer": "out"/' \
    "$cfgs/kmer-counts.json" >"$T/two.json"
expect "count on two layers is refused" 2 "$GDL" train -c "$T/two.json" -d "$T/s.gdl" -o "$T/x.gdl"
contains "count on two layers: why" "$T/err" "count fills one kmer layer"
sed 's/"k": 4/"k": 13/' "$cfgs/kmer-counts.json" >"$T/k13.json"
expect "k 13 is refused" 2 "$GDL" train -c "$T/k13.json" -d "$T/s.gdl" -o "$T/x.gdl"
contains "k 13: the limit named" "$T/err" "<= 12"
"$GDL" train -q -c "$cfgs/kmer-counts.json" -d "$T/s.gdl" -o "$T/nb.gdl" || fail "kmer-counts on all rows"
expect "a gradient attribution of a count model is refused" 2 "$GDL" attribute -m "$T/nb.gdl" -d "$T/s.gdl" \
    --target motif_1 --method saliency -o "$T/x.tsv"
contains "the refusal names the layer" "$T/err" "layer 'counts' (kmer) passes no gradient to input 'dna'"
[ ! -e "$T/x.gdl" ] && [ ! -e "$T/x.tsv" ] && pass "refused runs write no model" || fail "a refused run left a model"
finish
