#!/bin/sh
# gdl train --folds 10 at the adenocarcinoma study's scale: genotype-mlp.json and
# genotype-linear.json on a simulated 4,653 x 75,203 cohort, and deepsea.json on 1,000-bp
# sequences (2,000 of them, 2 epochs a fold: samples/s is the figure to scale from). Wall time, samples/s and peak RSS. $1 = gdl binary; $THREADS [2].
set -eu
GDL=${1:?usage: bench_cv.sh GDL}
T=${THREADS:-2}
here=$(cd "$(dirname "$0")" && pwd)
d="$here/data"
mkdir -p "$d"
cfg="$here/../../configs"
timeit() { # label, then the command: prints wall seconds and peak RSS
    label=$1; shift
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f "%e %M" -o "$d/time.txt" "$@" 2>"$d/err.txt"
        read -r secs kb <"$d/time.txt"
    else
        s0=$(date +%s.%N); "$@" 2>"$d/err.txt"; secs=$(echo "$(date +%s.%N) - $s0" | bc); kb=NA
    fi
    printf '%-44s %8.1f s  %8s KB peak RSS\n' "$label" "$secs" "$kb"
}
if [ ! -s "$d/cv_cohort.gdl" ]; then
    "$GDL" simulate genotypes -q -o "$d/cv" -n 4653 -m 75203 -k 20 -p 5 -s 11
    "$GDL" encode -q -@ "$T" "$d/cv.vcf.gz" --maf 0.005 --pheno "$d/cv.pheno.tsv" --pheno-col disease -o "$d/cv_cohort.gdl"
fi
cols=$("$GDL" inspect "$d/cv_cohort.gdl" | awk -F '\t' '$1 == "meta" && $2 == "input:genotypes.variants" { print $3 }')
echo "genotype-mlp.json, 10 folds: 4653 samples x $cols variants (MAF >= 0.5%), $T threads"
timeit "gdl train --folds 10 (genotype-mlp)" "$GDL" train -@ "$T" -c "$cfg/genotype-mlp.json" -d "$d/cv_cohort.gdl" \
    -o "$d/cv_model.gdl" --folds 10 --oof "$d/cv_oof.tsv" --log "$d/cv_log.tsv"
awk -F '\t' 'NR > 1 { n++; s += $6 } END { printf "  %d epochs over the 10 folds, %.2f s per epoch\n", n, s / n }' "$d/cv_log.tsv"
grep '10 folds:' "$d/err.txt" | sed 's/^/  /'
rate=$(awk -F '\t' 'NR > 1 { s += $6; n++ } END { print 4653 * 0.9 * n / s }' "$d/cv_log.tsv")
echo "  training samples/s (forward, backward, Adam; validation included): $rate"

echo "genotype-linear.json, 10 folds (the penalty chosen by 5 inner folds of each), same cohort, $T threads"
timeit "gdl train --folds 10 (genotype-linear)" "$GDL" train -@ "$T" -c "$cfg/genotype-linear.json" -d "$d/cv_cohort.gdl" \
    -o "$d/cv_linear.gdl" --folds 10 --oof "$d/cv_linear_oof.tsv"
grep '10 folds:' "$d/err.txt" | sed 's/^/  /'

if [ ! -s "$d/cv_seq.gdl" ]; then
    "$GDL" simulate sequences -q -o "$d/cvseq" --n 2000 --length 1000 --motif TGACTCAT --motif CACGTG --seed 5
    "$GDL" encode -q "$d/cvseq.fa" -l "$d/cvseq.labels.tsv" -o "$d/cv_seq.gdl"
fi
echo "deepsea.json, 10 folds x 2 epochs: 2000 sequences of 1000 bp, 2 targets, $T threads"
timeit "gdl train --folds 10 --epochs 2 (deepsea)" "$GDL" train -@ "$T" -c "$cfg/deepsea.json" -d "$d/cv_seq.gdl" \
    -o "$d/cv_seq_model.gdl" --folds 10 --epochs 2 --log "$d/cv_seq_log.tsv"
awk -F '\t' 'NR > 1 { s += $6; n++ } END { printf "  %.1f training samples/s (2000 x 0.81 per epoch, validation included)\n", 2000 * 0.81 * n / s }' "$d/cv_seq_log.tsv"
