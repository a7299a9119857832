# Every shipped genotype config learns: on a small simulated cohort with linkage (LD 0.9 in
# blocks of 50) and 6 additive causal variants, each config's 3-fold out-of-fold ROC AUC is
# above a floor and above the same config trained on permuted labels (which stays near 0.5);
# genotype-linear also on the quantitative trait (Pearson r of the out-of-fold values).
. "$(dirname "$0")/lib.sh"
cfgs="$(dirname "$0")/../../configs"
T=$TMP
"$GDL" simulate genotypes -q -o "$T/c" -n 800 -m 600 -k 6 -p 0 --ld 0.9 -s 21 &&
    "$GDL" encode -q "$T/c.vcf.gz" --maf 0.01 --genes "$T/c.genes.bed" --pheno "$T/c.pheno.tsv" --pheno-col disease \
        -o "$T/c.gdl" || fail "LD cohort"
# the same genotypes with the disease column shuffled by a fixed permutation
awk -F '\t' 'NR == 1 { print; next } { id[NR] = $1; y[NR] = $2; t[NR] = $3 }
    END { n = NR; srand(5); for (i = 2; i <= n; i++) p[i] = i
          for (i = n; i > 2; i--) { j = 2 + int(rand() * (i - 1)); k = p[i]; p[i] = p[j]; p[j] = k }
          for (i = 2; i <= n; i++) print id[i] "\t" y[p[i]] "\t" t[i] }' "$T/c.pheno.tsv" >"$T/perm.pheno.tsv"
"$GDL" encode -q "$T/c.vcf.gz" --maf 0.01 --genes "$T/c.genes.bed" --pheno "$T/perm.pheno.tsv" --pheno-col disease \
    -o "$T/perm.gdl" || fail "permuted cohort"

auc() { # predictions.tsv -> pooled ROC AUC
    "$GDL" eval -p "$1" --tsv "$1.metrics.tsv" >/dev/null &&
        awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print $c["roc_auc"] }' "$1.metrics.tsv"
}
learns_with() { # config-file name floor
    for d in c perm; do
        "$GDL" train -q -@ 2 -c "$1" -d "$T/$d.gdl" -o "$T/$2.$d.gdl" --folds 3 --oof "$T/$2.$d.oof.tsv" ||
            fail "$2 trains on $d"
    done
    real=$(auc "$T/$2.c.oof.tsv") perm=$(auc "$T/$2.perm.oof.tsv")
    if awk -v r="$real" -v p="$perm" -v f="$3" 'BEGIN { exit !(r >= f && r >= p + 0.1 && p < 0.62) }'; then
        pass "$2: out-of-fold ROC AUC $real >= $3, permuted labels $perm"
    else
        fail "$2: out-of-fold ROC AUC $real (floor $3), permuted labels $perm (must stay below 0.62)"
    fi
}
learns() { learns_with "$cfgs/$1.json" "$1" "$2"; } # shipped-config floor
learns genotype-linear 0.78

# genotype-linear's penalty and l1_ratio: chosen by 5 inner folds of each fold's training rows
# (coordinate descent along the path), the path then run on all of them to that step (no
# validation split), the same bytes on 1 and 2 threads
for t in 1 2; do
    "$GDL" train -@ $t -c "$cfgs/genotype-linear.json" -d "$T/c.gdl" -o "$T/pf$t.gdl" --folds 3 --fold 2 \
        2>"$T/pf$t.err" || fail "genotype-linear --fold 2 on $t threads"
done
cmp -s "$T/pf1.fold2.gdl" "$T/pf2.fold2.gdl" && pass "inner-fold path: the same model on 1 and 2 threads" ||
    fail "inner-fold path: the model differs between 1 and 2 threads"
chosen=$(sed -n 's/.*l1 path: l1_ratio [0-9.]*, step \([0-9]*\) of 30 (lambda [0-9.e+-]*) chosen by 5 folds of the training rows.*/\1/p' "$T/pf1.err")
[ "$(grep -c 'path fold [1-5]/5  l1_ratio [0-9.]*  step 1/30' "$T/pf1.err")" = 20 ] &&
    pass "inner-fold path: five inner runs for each of the four l1 ratios" ||
    fail "inner-fold path: not five inner runs per l1 ratio"
held=$(sed -n 's/.*fold 2\/3: \([0-9]*\) training examples (the path.s step chosen by 5 folds of them), \([0-9]*\) held out.*/\1 \2/p' "$T/pf1.err")
[ -n "$held" ] && [ $(echo "$held" | awk '{ print $1 + $2 }') = 800 ] &&
    pass "inner-fold path: every row outside the held-out fold trains ($held)" ||
    fail "inner-fold path: training rows + held out != 800 ('$held')"
"$GDL" inspect "$T/pf1.fold2.gdl" | awk -F '\t' -v e="$chosen" '$2 == "gdl.epochs" { ok = $3 == e && e > 0 } END { exit !ok }' &&
    pass "inner-fold path: the model stops at the chosen step ($chosen)" ||
    fail "inner-fold path: epochs_run is not the chosen step '$chosen'"

# the optimizer's path (training.solver gradient) with inner folds: one epoch a step
sed 's/"solver": "cd"/"solver": "gradient", "optimizer": "adam", "lr": 0.01, "batch": 32, "epochs": 100/;
     s/"l1_ratio": \[[0-9., ]*\]/"l1_ratio": 0.5/; s/"early_stop": "loss"/"early_stop": "metric"/' \
    "$cfgs/genotype-linear.json" >"$T/sgd.json"
grep -q '"solver": "gradient"' "$T/sgd.json" && grep -q '"l1_ratio": 0.5' "$T/sgd.json" || fail "the gradient config"
learns_with "$T/sgd.json" genotype-linear-gradient 0.70
for t in 1 2; do
    "$GDL" train -@ $t -c "$T/sgd.json" -d "$T/c.gdl" -o "$T/sg$t.gdl" --folds 3 --fold 2 \
        2>"$T/sg$t.err" || fail "the gradient path --fold 2 on $t threads"
done
cmp -s "$T/sg1.fold2.gdl" "$T/sg2.fold2.gdl" && pass "gradient inner-fold path: the same model on 1 and 2 threads" ||
    fail "gradient inner-fold path: the model differs between 1 and 2 threads"
[ "$(grep -c 'path fold [1-5]/5  epoch 1/30' "$T/sg1.err")" = 5 ] && pass "gradient inner-fold path: five inner runs" ||
    fail "gradient inner-fold path: not five inner runs"
# the wide & deep configs (training.linear_by_cd): their linear layer is genotype-linear's fit on
# the same rows and inner folds, bit for bit, and stays so (frozen) while the deep part trains;
# the deep part is kept only where it beats the linear model on the validation split, so on this
# additive trait each config is within 0.005 of genotype-linear's out-of-fold AUC
linear_auc=$(auc "$T/genotype-linear.c.oof.tsv") # learns genotype-linear above made its fold models
py="$(dirname "$0")/../python"
wide() { # config floor
    learns "$1" "$2"
    awk -v r="$real" -v l="$linear_auc" 'BEGIN { exit !(r >= l - 0.005) }' &&
        pass "$1: out-of-fold ROC AUC $real within 0.005 of genotype-linear's $linear_auc or above" ||
        fail "$1: out-of-fold ROC AUC $real below genotype-linear's $linear_auc - 0.005"
    "$PYTHON" - "$py" "$T" "$1" <<'PY' && pass "$1: each fold's linear layer is genotype-linear's fold model, bit for bit" ||
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from read_gdl import read_gdl
for k in (1, 2, 3):
    w, _ = read_gdl("%s/%s.c.fold%d.gdl" % (sys.argv[2], sys.argv[3], k))
    l, _ = read_gdl("%s/genotype-linear.c.fold%d.gdl" % (sys.argv[2], k))
    for part in ("weight", "bias"):
        a, b = np.asarray(w["param:linear." + part]).ravel(), np.asarray(l["param:logits." + part]).ravel()
        assert a.tobytes() == b.tobytes(), (k, part, np.abs(a - b).max())
    assert np.count_nonzero(np.asarray(w["param:linear.weight"])) > 0
PY
        fail "$1: a fold's linear layer differs from genotype-linear's fold model"
}
wide genotype-mlp 0.78
"$GDL" encode -q "$T/c.vcf.gz" --maf 0.01 --encoding genotype --pheno "$T/c.pheno.tsv" --pheno-col disease \
    -o "$T/cg.gdl" || fail "genotype encoding"
expect "genotype-mlp on the genotype encoding" 2 "$GDL" train -q -c "$cfgs/genotype-mlp.json" -d "$T/cg.gdl" -o "$T/cg.model.gdl"
contains "genotype-mlp on the genotype encoding: named" "$TMP/err" "$T/cg.gdl: coordinate descent (training.solver cd, training.linear_by_cd) fits dosage or presence encodings"
wide genotype-cnn-rnn 0.78
[ -e "$cfgs/genotype-gene.json" ] && wide genotype-gene 0.78

# inner folds too small to hold both classes are named and left out of the average, not silently
# averaged in as the worst value (which would pick the first epoch)
"$GDL" simulate genotypes -q -o "$T/tiny" -n 30 -m 50 -s 3 &&
    "$GDL" encode -q "$T/tiny.vcf.gz" --pheno "$T/tiny.pheno.tsv" --pheno-col disease -o "$T/tiny.gdl" || fail "tiny cohort"
sed 's/"l1_path_folds": 5/"l1_path_folds": 20/' "$T/sgd.json" >"$T/pf20.json"
"$GDL" train -c "$T/pf20.json" -d "$T/tiny.gdl" -o "$T/tiny.model.gdl" --folds 5 --fold 1 2>"$T/tiny.err" ||
    fail "20 inner folds of 24 rows"
grep -q 'l1 path: [0-9]* of 20 inner folds gave no finite validation criterion' "$T/tiny.err" &&
    pass "inner folds of one class are counted in a warning" || fail "no warning for inner folds of one class"
grep -q 'l1 path: epoch 1 of 30 chosen' "$T/tiny.err" && fail "inner folds of one class pushed the choice to epoch 1" ||
    pass "inner folds of one class do not decide the epoch"

# the quantitative trait: the linear config as a lasso linear regression
"$GDL" encode -q "$T/c.vcf.gz" --maf 0.01 --pheno "$T/c.pheno.tsv" --pheno-col trait -o "$T/q.gdl" &&
    "$GDL" train -q -@ 2 -c "$cfgs/genotype-linear.json" -d "$T/q.gdl" -o "$T/q.model.gdl" --folds 3 \
        --oof "$T/q.oof.tsv" && "$GDL" eval -p "$T/q.oof.tsv" --tsv "$T/q.tsv" >/dev/null || fail "trait"
r=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print $c["pearson"] }' "$T/q.tsv")
awk -v r="$r" 'BEGIN { exit !(r >= 0.45) }' && pass "genotype-linear on the trait: out-of-fold Pearson r $r >= 0.45" ||
    fail "genotype-linear on the trait: out-of-fold Pearson r $r < 0.45"
# and on its scale: the penalty is chosen by the validation deviance, which keeps the scale (an
# r2 far below r^2 means over-shrunk predictions)
r2=$(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print $c["r2"] }' "$T/q.tsv")
awk -v r="$r2" 'BEGIN { exit !(r >= 0.45) }' && pass "genotype-linear on the trait: out-of-fold r2 $r2 >= 0.45" ||
    fail "genotype-linear on the trait: out-of-fold r2 $r2 < 0.45"

# a categorical target (the trait's thirds): the linear config as a multinomial (softmax) lasso,
# above a floor and above the same labels permuted (macro one-vs-rest ROC AUC)
awk -F '\t' 'NR == 1 { print "id\tband\tshuffled"; next } { id[NR] = $1; b[NR] = $3 < -0.6 ? "low" : $3 < 0.6 ? "mid" : "high" }
    END { n = NR; srand(9); for (i = 2; i <= n; i++) p[i] = i
          for (i = n; i > 2; i--) { j = 2 + int(rand() * (i - 1)); k = p[i]; p[i] = p[j]; p[j] = k }
          for (i = 2; i <= n; i++) print id[i] "\t" b[i] "\t" b[p[i]] }' "$T/c.pheno.tsv" >"$T/band.tsv"
for col in band shuffled; do
    "$GDL" encode -q "$T/c.vcf.gz" --maf 0.01 --pheno "$T/band.tsv" --pheno-col $col -o "$T/$col.gdl" &&
        "$GDL" train -q -@ 2 -c "$cfgs/genotype-linear.json" -d "$T/$col.gdl" -o "$T/$col.model.gdl" --folds 3 \
            --oof "$T/$col.oof.tsv" && "$GDL" eval -p "$T/$col.oof.tsv" --tsv "$T/$col.metrics.tsv" >/dev/null || fail "categorical $col"
done
macro() { awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 { print $c["roc_auc"] }' "$1"; }
real=$(macro "$T/band.metrics.tsv") perm=$(macro "$T/shuffled.metrics.tsv")
awk -v r="$real" -v p="$perm" 'BEGIN { exit !(r >= 0.66 && p < 0.58) }' &&
    pass "genotype-linear on three classes: macro ROC AUC $real >= 0.66, permuted $perm < 0.58" ||
    fail "genotype-linear on three classes: macro ROC AUC $real (floor 0.66), permuted $perm (must stay below 0.58)"
finish
