#!/bin/sh
# make demo: the adenocarcinoma study's workflow on the shipped simulated cohort, end to end, in build/demo/.
# Argument: the gdl binary. Every step is a command from the README's tutorial.
set -eu
GDL=${1:-./gdl}
here=$(cd "$(dirname "$0")" && pwd)
out=${DEMO_OUT:-$here/../build/demo}
mkdir -p "$out/plots"
cd "$here/.."
step() { printf '\n== %s\n' "$*" >&2; }

step "encode the cohort: variants with MAF >= 1%, genes, the disease label"
"$GDL" encode data/cohort.vcf.gz --maf 0.01 --genes data/cohort.genes.bed \
    --pheno data/cohort.pheno.tsv --pheno-col disease -o "$out/cohort.gdl"

step "10-fold cross-validation of the genotype MLP (the adenocarcinoma study's proof of concept)"
"$GDL" train -q -c configs/genotype-mlp.json -d "$out/cohort.gdl" -o "$out/model.gdl" \
    --folds 10 --oof "$out/oof.tsv" --folds-out "$out/folds.tsv" --log "$out/train.tsv" --refit

step "out-of-fold metrics and ROC/PR curves"
"$GDL" eval -p "$out/oof.tsv" -o "$out/metrics.json" --tsv "$out/per_target.tsv" \
    --plot "$out/plots/cv" >"$out/metrics.txt"
cat "$out/metrics.txt" >&2

step "which variants, genes and variant pairs drive the refitted model"
"$GDL" attribute -q -m "$out/model.gdl" -d "$out/cohort.gdl" --method gradxinput --assoc -o "$out/variants.tsv"
"$GDL" attribute -q -m "$out/model.gdl" -d "$out/cohort.gdl" --method gradxinput --level gene --null 200 \
    -o "$out/genes.tsv"
"$GDL" attribute -q -m "$out/model.gdl" -d "$out/cohort.gdl" --method ism --pairs 20 -o "$out/pairs.tsv"

step "every pair of variants tested for interaction (BOOST), without a model"
"$GDL" epistasis -q -@ 2 -d "$out/cohort.gdl" -o "$out/epistasis.tsv" --top 20

auc=$(awk '$1 == "disease" { print $4; exit }' "$out/metrics.txt")
planted=$(awk -F '\t' '$1 == "additive" { print $2 }' data/cohort.truth.tsv)
found=0
for v in $planted; do
    awk -F '\t' -v v="$v" 'NR > 1 && NR <= 11 && $2 == v { f = 1 } END { exit !f }' "$out/variants.tsv" && found=$((found + 1))
done
cat >&2 <<TXT

== summary
out-of-fold ROC AUC (10 folds): $auc
top variants (gradient x input; planted additive variants in the top 10: $found of 5):
$(head -6 "$out/variants.tsv" | cut -f1-6,9 | expand -t 13 | sed 's/^/  /')
top genes:
$(head -4 "$out/genes.tsv" | expand -t 13 | sed 's/^/  /')
top variant pairs (interaction by in-silico mutation):
$(head -4 "$out/pairs.tsv" | expand -t 13 | sed 's/^/  /')
top pairs of the exhaustive scan (gdl epistasis: $(awk -F '\t' '$1 == "# part" { print $6 }' "$out/epistasis.tsv") tests):
$(grep -v '^#' "$out/epistasis.tsv" | head -3 | cut -f1-10 | expand -t 13 | sed 's/^/  /')
files in $out:
  cohort.gdl            the encoded cohort (gdl inspect --catalog shows its variants)
  model.gdl             the model refitted on all samples; model.fold1..10.gdl the fold models
  oof.tsv, folds.tsv    out-of-fold predictions and the fold of each sample
  metrics.json          every metric, per fold and pooled
  plots/cv.roc.svg      ROC curves (plots/cv.folds.roc.svg per fold; .pr.svg: precision-recall)
  variants.tsv, genes.tsv, pairs.tsv   the attribution tables; the truth is data/cohort.truth.tsv
  epistasis.tsv         the pair scan's best pairs with p-values and genotype counts
TXT
