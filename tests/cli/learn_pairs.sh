# Pair features chosen inside each training fold (configs/genotype-linear-pairs.json): on a cohort
# with two planted XOR pairs (no marginal effects) the out-of-fold ROC AUC is clearly above
# genotype-linear's on the same folds and far above a label-permuted run; each fold model's pair
# columns are exactly what the scan finds on that fold's training samples (their IDs from
# --folds-out), so no held-out sample chose them; predict and attribute compute the columns again.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
cfgs="$(dirname "$0")/../../configs"
T=$TMP

"$GDL" simulate genotypes -q -o "$T/s" -n 1500 -m 400 -k 4 -p 2 --pair-kind xor -s 3 &&
    "$GDL" encode -q "$T/s.vcf.gz" --pheno "$T/s.pheno.tsv" --pheno-col disease -o "$T/s.gdl" || fail "cohort"

auc() { "$GDL" eval -q -p "$1" -o "$1.json" >/dev/null && "$PYTHON" -c 'import json, sys; print("%.4f" % json.load(open(sys.argv[1]))["targets"]["disease"]["roc_auc"])' "$1.json"; }
"$GDL" train -q -c "$cfgs/genotype-linear.json" -d "$T/s.gdl" -o "$T/lin.gdl" --folds 3 --oof "$T/lin.oof" ||
    fail "genotype-linear trains"
expect "genotype-linear-pairs trains" 0 "$GDL" train -v -c "$cfgs/genotype-linear-pairs.json" -d "$T/s.gdl" \
    -o "$T/pairs.gdl" --folds 3 --oof "$T/pairs.oof"
grep 'pair column' "$T/err" >"$T/chosen"
lines "each of the 3 folds chose its pair columns" "$T/chosen" 3
a_lin=$(auc "$T/lin.oof") a_pairs=$(auc "$T/pairs.oof")
awk -v a="$a_pairs" -v b="$a_lin" 'BEGIN { exit !(a >= b + 0.04 && a >= 0.68) }' &&
    pass "out-of-fold ROC AUC with fold-chosen pairs $a_pairs >= 0.68 and >= genotype-linear's $a_lin + 0.04" ||
    fail "pairs do not help" "with pairs $a_pairs, without $a_lin"

# labels permuted: no pair passes Bonferroni, and the model stays near chance
awk -F'\t' 'NR == 1 { print "id\tdisease"; next } { id[NR] = $1; y[NR] = $2 } END { srand(11); n = NR;
    for (i = n; i > 2; i--) { j = 2 + int(rand() * (i - 1)); t = y[i]; y[i] = y[j]; y[j] = t }
    for (i = 2; i <= n; i++) print id[i] "\t" y[i] }' "$T/s.pheno.tsv" >"$T/perm.tsv"
"$GDL" encode -q "$T/s.vcf.gz" --pheno "$T/perm.tsv" --pheno-col disease -o "$T/perm.gdl" &&
    "$GDL" train -q -c "$cfgs/genotype-linear-pairs.json" -d "$T/perm.gdl" -o "$T/perm.m.gdl" --folds 3 --oof "$T/perm.oof" ||
    fail "permuted run"
a_perm=$(auc "$T/perm.oof")
awk -v a="$a_perm" -v b="$a_pairs" 'BEGIN { exit !(a < 0.6 && b > a + 0.1) }' &&
    pass "label-permuted run: ROC AUC $a_perm < 0.6, far below $a_pairs" || fail "permuted labels" "AUC $a_perm"

# honesty, by the recorded IDs: fold k's pair columns are the scan's on the samples outside fold k.
# With a loose threshold (p <= 0.001, top 20) most of the 20 are chance pairs that depend on
# which samples the scan sees: the scan of every sample gives other ones, so the check can fail.
sed 's/"pairs": {"top": 20}/"pairs": {"top": 20, "p": 0.001}/' "$cfgs/genotype-linear-pairs.json" >"$T/loose.json"
"$GDL" train -q -c "$T/loose.json" -d "$T/s.gdl" -o "$T/loose.gdl" --folds 3 --folds-out "$T/folds.tsv" ||
    fail "loose pairs train"
P=0.001
"$GDL" epistasis -q -d "$T/s.gdl" -o "$T/scan_all.tsv" --top 20 --screen "$P" --pvalue "$P"
awk -F'\t' '!/^#/ && $1 != "rank" { print $2 "*" $3 }' "$T/scan_all.tsv" | sort >"$T/want_all"
for k in 1 2 3; do
    awk -F'\t' -v k=$k 'NR > 1 && $2 != k { print $1 }' "$T/folds.tsv" >"$T/train$k.ids"
    "$GDL" encode -q "$T/s.vcf.gz" -S "$T/train$k.ids" --pheno "$T/s.pheno.tsv" --pheno-col disease -o "$T/train$k.gdl" &&
        "$GDL" epistasis -q -d "$T/train$k.gdl" -o "$T/scan$k.tsv" --top 20 --screen "$P" --pvalue "$P" ||
        fail "scan of fold $k's training samples"
    awk -F'\t' '!/^#/ && $1 != "rank" { print $2 "*" $3 }' "$T/scan$k.tsv" | sort >"$T/want$k"
    "$GDL" attribute -q -m "$T/loose.fold$k.gdl" -d "$T/s.gdl" --method gradxinput -o "$T/attr$k.tsv" ||
        fail "attribute fold $k's model"
    awk -F'\t' 'NR > 1 && $2 ~ /\*/ { print $2 }' "$T/attr$k.tsv" | sort >"$T/got$k"
    if [ -s "$T/got$k" ] && cmp -s "$T/want$k" "$T/got$k" && ! cmp -s "$T/want_all" "$T/got$k"; then
        pass "fold $k: its $(wc -l <"$T/got$k") pair columns = the scan of its $(wc -l <"$T/train$k.ids") training samples, not of all"
    else fail "fold $k's pairs" "model: $(tr '\n' ' ' <"$T/got$k"); scan: $(tr '\n' ' ' <"$T/want$k")"; fi
done
# the shipped config (Bonferroni) chose the two planted pairs in every fold
awk -F'\t' '$1 == "xor" { print $2 "*" $8; print $8 "*" $2 }' "$T/s.truth.tsv" >"$T/planted"
"$GDL" attribute -q -m "$T/pairs.fold1.gdl" -d "$T/s.gdl" --method gradxinput -o "$T/attr.tsv" || fail "attribute"
awk -F'\t' 'NR > 1 && $2 ~ /\*/ { print $2 }' "$T/attr.tsv" >"$T/got"
n_planted=$(grep -cxFf "$T/planted" "$T/got")
[ "$n_planted" -eq 2 ] && [ "$(wc -l <"$T/got")" -eq 2 ] && pass "fold 1's pair columns are the 2 planted pairs" ||
    fail "fold 1's pair columns" "$(cat "$T/got")"
awk -F'\t' 'NR > 1 && NR <= 11 && $2 ~ /\*/ { n++ } END { exit n != 2 }' "$T/attr.tsv" &&
    pass "attribution ranks both pair columns in its top 10" || fail "attribution of the pair columns" "$(head -11 "$T/attr1.tsv" | cut -f1,2)"

# predict recomputes the pair columns: fold 1's model on the cohort gives its out-of-fold scores
expect "predict with fold 1's model" 0 "$GDL" predict -m "$T/pairs.fold1.gdl" -d "$T/s.gdl" -o "$T/pred1.tsv"
"$PYTHON" - "$T/pred1.tsv" "$T/pairs.oof" <<'PY' && pass "its scores of fold 1's samples = the out-of-fold scores" || fail "predict != oof"
import sys
pred = {l.split('\t')[0]: float(l.split('\t')[2]) for l in list(open(sys.argv[1]))[1:]}
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[2])][1:]
fold1 = [(r[0], float(r[3])) for r in rows if r[1] == '1']
assert len(fold1) > 400 and all(abs(pred[i] - s) < 1e-6 for i, s in fold1)
PY
# a quantitative first target: the pairs come from the linear interaction test, and help too
"$GDL" encode -q "$T/s.vcf.gz" --pheno "$T/s.pheno.tsv" --pheno-col trait -o "$T/q.gdl" &&
    "$GDL" train -q -c "$cfgs/genotype-linear.json" -d "$T/q.gdl" -o "$T/qlin.gdl" --folds 3 --oof "$T/qlin.oof" &&
    "$GDL" train -v -c "$cfgs/genotype-linear-pairs.json" -d "$T/q.gdl" -o "$T/qpairs.gdl" --folds 3 --oof "$T/qpairs.oof" \
        2>"$T/q.err" || fail "quantitative trait trains"
r2() { "$GDL" eval -q -p "$1" -o "$1.json" >/dev/null && "$PYTHON" -c 'import json, sys; print("%.4f" % json.load(open(sys.argv[1]))["targets"]["trait"]["r2"])' "$1.json"; }
q_lin=$(r2 "$T/qlin.oof") q_pairs=$(r2 "$T/qpairs.oof")
[ "$(grep -c 'pair columns\? chosen' "$T/q.err")" -eq 3 ] && awk -v a="$q_pairs" -v b="$q_lin" 'BEGIN { exit !(a >= b + 0.05) }' &&
    pass "trait: out-of-fold r2 with fold-chosen pairs $q_pairs >= genotype-linear's $q_lin + 0.05" ||
    fail "pairs on the trait" "with $q_pairs, without $q_lin; $(grep 'pair column' "$T/q.err" | head -1)"
# a config error names its path
sed 's/"pairs": {"top": 20}/"pairs": {"top": 0}/' "$cfgs/genotype-linear-pairs.json" >"$T/bad.json"
expect "pairs.top 0: exit 2" 2 "$GDL" train -c "$T/bad.json" -d "$T/s.gdl" -o "$T/bad.gdl"
contains "the JSON path is named" "$T/err" "inputs[0].pairs.top"
finish
