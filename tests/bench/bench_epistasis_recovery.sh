#!/bin/sh
# make bench-epistasis-recovery: does the pair scan find planted pure-interaction pairs, and do
# the pairs it finds inside each training fold make a model better? Over a grid of simulated
# cohorts (gdl simulate genotypes --pair-kind xor: two pairs whose members have no marginal
# effect, plus additive variants): the ranks of the planted pairs in gdl epistasis (default
# screen), and the 5-fold out-of-fold ROC AUC of configs/genotype-linear.json and of
# configs/genotype-linear-pairs.json on the same folds, the pairs chosen on each fold's training
# rows. The label-permuted row shows what chance gives.
#
# Usage: bench_epistasis_recovery.sh GDL        Env: REC_FOLDS (5), REC_SEED (1)
# Data in tests/bench/data/rec_*; the table also goes to tests/bench/data/epistasis_recovery.tsv.
set -eu
GDL=${1:?usage: bench_epistasis_recovery.sh GDL}
FOLDS=${REC_FOLDS:-5}
SEED=${REC_SEED:-1}
here=$(cd "$(dirname "$0")" && pwd)
DIR=$here/data
CFGS=$here/../../configs
mkdir -p "$DIR"
OUT=$DIR/epistasis_recovery.tsv

auc() {
    "$GDL" eval -q -p "$1" -o "$1.json" >/dev/null
    /usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))["targets"]; print("%.4f" % next(iter(d.values()))["roc_auc"])' "$1.json"
}

# scenario NAME SIMULATE-OPTIONS...
scenario() {
    name=$1; shift
    S=$DIR/rec_$name
    "$GDL" simulate genotypes -q -o "$S" -k 6 -p 2 --pair-kind xor -s "$SEED" "$@"
    if [ "$name" = permuted ]; then # the labels of the base scenario, shuffled
        awk -F'\t' 'NR == 1 { print "id\tdisease"; next } { id[NR] = $1; y[NR] = $2 } END { srand(5); n = NR;
            for (i = n; i > 2; i--) { j = 2 + int(rand() * (i - 1)); t = y[i]; y[i] = y[j]; y[j] = t }
            for (i = 2; i <= n; i++) print id[i] "\t" y[i] }' "$S.pheno.tsv" >"$S.perm.tsv"
        mv "$S.perm.tsv" "$S.pheno.tsv"
    fi
    "$GDL" encode -q "$S.vcf.gz" --pheno "$S.pheno.tsv" --pheno-col disease -o "$S.gdl"
    n=$(awk 'END { print NR - 1 }' "$S.pheno.tsv") m=$(zcat "$S.vcf.gz" | grep -vc '^#')
    "$GDL" epistasis -q -@ 2 -d "$S.gdl" -o "$S.pairs.tsv" --top 1000
    ranks=$(awk -F'\t' -v truth="$S.truth.tsv" '
        BEGIN { while ((getline l < truth) > 0) { split(l, t, "\t"); if (t[1] == "xor") { k++; a[k] = t[2]; b[k] = t[8] } } }
        /^#/ || $1 == "rank" { next }
        { for (j = 1; j <= k; j++) if (($2 == a[j] && $3 == b[j]) || ($2 == b[j] && $3 == a[j])) r[j] = $1 }
        END { for (j = 1; j <= k; j++) printf "%s%s", (j > 1 ? "," : ""), (j in r ? r[j] : "-"); print "" }' "$S.pairs.tsv")
    "$GDL" train -q -@ 2 -c "$CFGS/genotype-linear.json" -d "$S.gdl" -o "$S.lin.gdl" --folds "$FOLDS" --oof "$S.lin.oof"
    "$GDL" train -v -@ 2 -c "$CFGS/genotype-linear-pairs.json" -d "$S.gdl" -o "$S.pairs.gdl" --folds "$FOLDS" \
        --oof "$S.pairs.oof" 2>"$S.pairs.log"
    n_pairs=$(awk '/pair columns? chosen/ { s += $2; c++ } END { printf "%.1f", c ? s / c : 0 }' "$S.pairs.log")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$n" "$m" "$ranks" "$n_pairs" "$(auc "$S.lin.oof")" "$(auc "$S.pairs.oof")" | tee -a "$OUT"
}

printf 'scenario\tsamples\tvariants\tplanted_pair_ranks\tpair_columns_per_fold\tlinear_auc\tlinear_pairs_auc\n' | tee "$OUT"
scenario base -n 2000 -m 2000
scenario small -n 1000 -m 2000
scenario large -n 4000 -m 4000
scenario weak -n 2000 -m 2000 --h2 0.25
scenario unbalanced -n 2000 -m 2000 --case-frac 0.2
scenario ld -n 2000 -m 2000 --ld 0.8
scenario rare_pairs -n 2000 -m 2000 --pair-maf 0.08,0.12
scenario polygenic -n 2000 -m 2000 -k 50 --effects normal
scenario permuted -n 2000 -m 2000
