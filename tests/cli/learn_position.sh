# position-cnn.json learns where position is everything: on a 3-class splice-site-like set (1,000
# windows of 60 bp, donor / acceptor / neither; splice_like.py), its 5-fold out-of-fold accuracy
# is within 2 points of a scikit-learn penalised logistic regression on the one-hot bases fitted
# on the same folds, well above simple-cnn.json (global pooling cannot tell where a base is),
# and the same config on permuted labels stays at chance. A shipped config whose loss does not
# fit the target kind is refused with the loss that would.
. "$(dirname "$0")/lib.sh"
cfgs="$(dirname "$0")/../../configs"
py="$(cd "$(dirname "$0")/../python" && pwd)"
T=$TMP
"$PYTHON" "$(dirname "$0")/splice_like.py" "$T/sp" 1000 2 || fail "splice-like set"
"$GDL" encode -q "$T/sp.fa" -l "$T/sp.labels.tsv" -o "$T/sp.gdl" || fail "encode the splice-like set"
awk -F '\t' 'NR == 1 { print; next } { id[NR] = $1; y[NR] = $2 }
    END { n = NR; srand(7); for (i = 2; i <= n; i++) p[i] = i
          for (i = n; i > 2; i--) { j = 2 + int(rand() * (i - 1)); k = p[i]; p[i] = p[j]; p[j] = k }
          for (i = 2; i <= n; i++) print id[i] "\t" y[p[i]] }' "$T/sp.labels.tsv" >"$T/perm.labels.tsv"
"$GDL" encode -q "$T/sp.fa" -l "$T/perm.labels.tsv" -o "$T/perm.gdl" || fail "encode the permuted set"

metric() { # predictions.tsv column -> pooled value
    "$GDL" eval -p "$1" --tsv "$1.metrics.tsv" >/dev/null &&
        awk -F '\t' -v m="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { printf "%.4f\n", $c[m] }' "$1.metrics.tsv"
}
oof() { # config data name
    "$GDL" train -q -@ 2 -c "$cfgs/$1.json" -d "$T/$2.gdl" -o "$T/$3.gdl" --folds 5 --oof "$T/$3.oof.tsv" ||
        fail "$1 trains on $2"
}
oof position-cnn sp pc
oof position-cnn perm pcperm
oof simple-cnn sp sc
pc=$(metric "$T/pc.oof.tsv" accuracy) sc=$(metric "$T/sc.oof.tsv" accuracy)
perm=$(metric "$T/pcperm.oof.tsv" balanced_accuracy)

# the baseline: L2 logistic regression on the 240 one-hot values, C chosen by 5 inner folds,
# trained on each of gdl's training folds and scored on its held-out fold
lr=$(PYTHONPATH="$py" "$PYTHON" - "$T/sp.fa" "$T/sp.labels.tsv" "$T/pc.oof.tsv" <<'PY'
import sys
import numpy as np
from sklearn.linear_model import LogisticRegressionCV
from fasta import read_fasta
seqs = read_fasta(sys.argv[1])
label = dict(l.rstrip("\n").split("\t") for l in list(open(sys.argv[2]))[1:])
fold = dict(l.split("\t")[:2] for l in list(open(sys.argv[3]))[1:])
ids = sorted(fold)
X = np.array([[b == c for b in seqs[i] for c in "ACGT"] for i in ids], dtype=float)
y = np.array([label[i] for i in ids]); f = np.array([fold[i] for i in ids])
right = 0
for k in sorted(set(f)):
    m = LogisticRegressionCV(Cs=8, cv=5, max_iter=2000).fit(X[f != k], y[f != k])
    right += int((m.predict(X[f == k]) == y[f == k]).sum())
print(f"{right / len(ids):.4f}")
PY
) || fail "scikit-learn baseline"
if awk -v p="$pc" -v l="$lr" -v s="$sc" 'BEGIN { exit !(p >= 0.9 && p >= l - 0.02 && p >= s + 0.05) }'; then
    pass "position-cnn: 5-fold accuracy $pc >= 0.90, >= logistic regression $lr - 0.02, >= simple-cnn $sc + 0.05"
else
    fail "position-cnn: 5-fold accuracy $pc (floor 0.90, logistic regression $lr - 0.02, simple-cnn $sc + 0.05)"
fi
awk -v p="$perm" 'BEGIN { exit !(p < 0.42) }' && pass "position-cnn on permuted labels: balanced accuracy $perm (chance 1/3)" ||
    fail "position-cnn on permuted labels: balanced accuracy $perm, not below 0.42"

# a loss that cannot serve the target kind is refused, naming the losses that can
sed 's/"loss": "auto"/"loss": "bce"/' "$cfgs/position-cnn.json" >"$T/bce.json"
expect "a bce config on a 3-class target is refused" 2 "$GDL" train -c "$T/bce.json" -d "$T/sp.gdl" -o "$T/bce.gdl"
contains "the refusal names the loss that fits" "$T/err" "output.loss: bce does not fit categorical targets (use softmax_ce or auto)"
[ ! -e "$T/bce.gdl" ] && pass "the refused run writes no model" || fail "the refused run left a model"
finish
