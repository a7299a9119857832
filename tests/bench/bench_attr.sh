#!/bin/sh
# Attribution cost. (1) gdl attribute --method gradxinput over a simulated cohort of 4,653
# samples x 75,203 variants (the size of the adenocarcinoma study's cohort) with configs/genotype-mlp.json
# trained for one epoch. (2) --method ism with configs/deepsea.json over 1,000-bp sequences:
# each example costs 3,000 forward passes, so a subset of ISM_N examples (default 2) is timed
# and the time for 1,000 examples extrapolated linearly (printed as such). Wall and CPU time and
# peak RSS from /usr/bin/time -v. Argument: the gdl binary; THREADS (default 2) for -@.
set -eu
GDL=${1:?usage: bench_attr.sh GDL}
THREADS=${THREADS:-2}
ISM_N=${ISM_N:-2}
DIR=$(cd "$(dirname "$0")" && pwd)/data
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$DIR"
. "$(dirname "$0")/lib.sh"

# (1) genotypes
G=$DIR/attr_cohort
[ -s "$G.vcf.gz" ] || "$GDL" simulate genotypes -q -o "$G" -n 4653 -m 75203 -k 10 -p 2 -s 1
[ -s "$G.gdl" ] || "$GDL" encode -q -@ "$THREADS" "$G.vcf.gz" --genes "$G.genes.bed" --pheno "$G.pheno.tsv" \
    --pheno-col disease -o "$G.gdl"
[ -s "$G.model.gdl" ] || "$GDL" train -q -@ "$THREADS" -c "$ROOT/configs/genotype-mlp.json" -d "$G.gdl" \
    -o "$G.model.gdl" --epochs 1
echo "cohort: 4653 samples x 75203 variants (no MAF filter), genotype-mlp, -@ $THREADS"
bench_run "attribute gradxinput (variant table)" "$GDL" attribute -@ "$THREADS" -m "$G.model.gdl" -d "$G.gdl" \
    --method gradxinput -o "$DIR/attr_variants.tsv"
bench_run "attribute gradxinput --level gene" "$GDL" attribute -@ "$THREADS" -m "$G.model.gdl" -d "$G.gdl" \
    --method gradxinput --level gene -o "$DIR/attr_genes.tsv"

# (2) sequences
S=$DIR/attr_seq
[ -s "$S.fa" ] || "$GDL" simulate sequences -q -o "$S" --n 1000 --length 1000 --motif TGACTCAT --seed 4
[ -s "$S.gdl" ] || "$GDL" encode -q "$S.fa" -l "$S.labels.tsv" -o "$S.gdl"
[ -s "$S.model.gdl" ] || "$GDL" train -q -@ "$THREADS" -c "$ROOT/configs/deepsea.json" -d "$S.gdl" \
    -o "$S.model.gdl" --epochs 1
awk -F'\t' 'NR > 1 {print $1}' "$S.labels.tsv" | head -n "$ISM_N" >"$DIR/attr_seq.ids"
echo "sequences: 1000 x 1000 bp, deepsea, ism on the first $ISM_N, -@ $THREADS"
bench_run "attribute ism ($ISM_N sequences)" "$GDL" attribute -@ "$THREADS" -m "$S.model.gdl" -d "$S.gdl" \
    --method ism --ids "$DIR/attr_seq.ids" -o "$DIR/attr_ism.npy"
echo "$LAST_WALL $ISM_N" | awk '{printf "ism over 1000 sequences, extrapolated:     %9.0f s wall (%.1f h)\n", $1 / $2 * 1000, $1 / $2 * 1000 / 3600}'
bench_run "attribute gradxinput (1000 sequences)" "$GDL" attribute -@ "$THREADS" -m "$S.model.gdl" -d "$S.gdl" \
    --method gradxinput -o "$DIR/attr_gx.npy"
