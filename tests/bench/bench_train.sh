#!/bin/sh
# Training and inference speed of four models at the seeds' scale (issue 8), measured with gdl's
# own commands: `gdl train` (forward + backward + optimizer step; samples/s from the per-epoch
# seconds of --log, median of the epochs after the first, which is the warm-up) and
# `gdl predict` (samples/s from wall time, median of REPEATS runs after a warm-up run), with peak
# RSS from /usr/bin/time. Inputs are generated once under tests/bench/data/. The sequence models
# predict on BENCH_INFER_N (1,024) sequences, four batches of 256, so that the process start,
# the model load and the first batch's first touch of memory weigh what they weigh in real use
# rather than being the whole measurement (PyTorch's number is a warm loop).
#   (a) mlp        genotype MLP 75,203 -> 512 -> 128 -> 1 (tests/bench/mlp.json), sparse first
#                  layer, 4,653 samples, ~2% non-zero dosages, batch 64, Adam
#   (b) deepsea    configs/deepsea.json, 1,000-bp one-hot, 64 targets (encode's limit; 919 in the paper), batch 64
#   (c) danq       configs/danq.json, same data, batch 64
#   (d) twobranch  the expression study's model (tests/bench/two-branch.json): hm (5, 100) + dna (4, 10,000),
#                  batch 100, MSE
# Usage: bench_train.sh GDL [THREADS=2] [MODELS="mlp deepsea danq twobranch"]
# Env: BENCH_EPOCHS (4), BENCH_REPEATS (3), BENCH_SEQ_N (256), BENCH_INFER_N (1024), BENCH_TB_N (400),
# BENCH_RESULTS (the results file),
# GDL_TRAIN_ARGS.
# Writes the table to stdout and tests/bench/data/train_results.tsv (read by bench_torch.py).
set -eu
GDL=${1:?usage: bench_train.sh GDL [THREADS] [MODELS]}
THREADS=${2:-2}
MODELS=${3:-mlp deepsea danq twobranch}
EPOCHS=${BENCH_EPOCHS:-4}
REPEATS=${BENCH_REPEATS:-3}
SEQ_N=${BENCH_SEQ_N:-256}
INFER_N=${BENCH_INFER_N:-1024}
TB_N=${BENCH_TB_N:-400}
PY=${PYTHON:-/usr/bin/python3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DIR=$HERE/data
mkdir -p "$DIR"
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
log() { echo "$*" >&2; }

# ---- inputs (made once) -----------------------------------------------------------------------
if [ ! -s "$DIR/mlp.gdl" ]; then
    log "making $DIR/mlp.gdl (4,653 x 75,203 genotypes, ~2% non-zero)"
    cc -O2 -o "$DIR/gen_vcf" "$HERE/gen_vcf.c" -lm
    "$DIR/gen_vcf" 4653 75203 "$DIR/mlp.pheno.tsv" |
        "$GDL" encode -q - --pheno "$DIR/mlp.pheno.tsv" --pheno-col disease -o "$DIR/mlp.gdl"
fi
if [ ! -s "$DIR/seq1k.gdl" ]; then
    log "making $DIR/seq1k.gdl ($SEQ_N x 1,000 bp, 64 targets: gdl encode takes up to 64 label columns)"
    "$PY" "$HERE/gen_seq.py" fasta "$DIR/seq1k" "$SEQ_N" 1000 64
    "$GDL" encode -q "$DIR/seq1k.fa" -l "$DIR/seq1k.labels.tsv" -o "$DIR/seq1k.gdl"
fi
if [ ! -s "$DIR/seq1k_infer.gdl" ]; then
    log "making $DIR/seq1k_infer.gdl ($INFER_N x 1,000 bp, 64 targets)"
    "$PY" "$HERE/gen_seq.py" fasta "$DIR/seq1k_infer" "$INFER_N" 1000 64
    "$GDL" encode -q "$DIR/seq1k_infer.fa" -l "$DIR/seq1k_infer.labels.tsv" -o "$DIR/seq1k_infer.gdl"
fi
if [ ! -s "$DIR/twobranch.gdl" ]; then
    log "making $DIR/twobranch.gdl ($TB_N x (hm 5 x 100, dna 10,000 bp), 1 target)"
    "$PY" "$HERE/gen_seq.py" tracks "$DIR/hm" "$TB_N" 5 100
    "$PY" "$HERE/gen_seq.py" fasta "$DIR/dna10k" "$TB_N" 10000 1
    "$GDL" encode -q --shape 5,100 -n hm -l "$DIR/hm.labels.tsv" "$DIR/hm.tsv" -o "$DIR/hm.gdl"
    "$GDL" encode -q -n dna "$DIR/dna10k.fa" -o "$DIR/dna10k.gdl"
    "$GDL" join -o "$DIR/twobranch.gdl" "$DIR/hm.gdl" "$DIR/dna10k.gdl"
fi

# ---- measuring --------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rss_mb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" | awk '{ printf "%.0f", $1 / 1024 }'; }
wall_s() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
           awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'; }

examples() { "$GDL" inspect --json "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["gdl.examples"])'; }

bench_model() { # NAME CONFIG DATA BATCH [PREDICT_DATA]
    name=$1 cfg=$2 data=$3 batch=$4 pdata=${5:-$3}
    n=$(examples "$data")
    pn=$(examples "$pdata")
    rm -f "$DIR/$name.log.tsv"
    # shellcheck disable=SC2086
    /usr/bin/time -v "$GDL" train -q -c "$cfg" -d "$data" -o "$DIR/$name.model.gdl" -@ "$THREADS" \
        --epochs "$EPOCHS" --batch "$batch" --val-frac 0 --patience 0 -s 1 --log "$DIR/$name.log.tsv" \
        ${GDL_TRAIN_ARGS:-} 2>"$DIR/$name.train.time" || { cat "$DIR/$name.train.time" >&2; return 1; }
    train_sps=$(awk -F'\t' -v n="$n" 'NR > 2 && $6 > 0 { print n / $6 }' "$DIR/$name.log.tsv" | median)
    train_rss=$(rss_mb "$DIR/$name.train.time")
    "$GDL" predict -q -m "$DIR/$name.model.gdl" -d "$pdata" -o /dev/null -@ "$THREADS" >/dev/null # warm-up
    : >"$DIR/$name.pred.walls"
    r=0
    while [ "$r" -lt "$REPEATS" ]; do
        /usr/bin/time -v "$GDL" predict -q -m "$DIR/$name.model.gdl" -d "$pdata" -o /dev/null \
            -@ "$THREADS" 2>"$DIR/$name.pred.time" >/dev/null || { cat "$DIR/$name.pred.time" >&2; return 1; }
        wall_s "$DIR/$name.pred.time" >>"$DIR/$name.pred.walls"
        r=$((r + 1))
    done
    pred_sps=$(awk -v n="$pn" '$1 > 0 { print n / $1 }' "$DIR/$name.pred.walls" | median)
    pred_rss=$(rss_mb "$DIR/$name.pred.time")
    params=$("$GDL" inspect --json "$DIR/$name.model.gdl" | "$PY" -c '
import json, sys
from functools import reduce
t = json.load(sys.stdin)["tensors"]
print(sum(reduce(lambda a, b: a * b, e["shape"], 1) for e in t if e["name"].startswith("param:")))')
    printf '%s\t%s\t%s\t%.1f\t%s\t%.1f\t%s\t%s\n' "$name" "$n" "$batch" "$train_sps" "$train_rss" \
        "$pred_sps" "$pred_rss" "$params" >>"$RES"
}

RES=${BENCH_RESULTS:-$DIR/train_results.tsv}
printf 'model\tn\tbatch\ttrain_sps\ttrain_rss_mb\tinfer_sps\tinfer_rss_mb\tparams\n' >"$RES"
for m in $MODELS; do
    case $m in
    mlp) bench_model mlp "$HERE/mlp.json" "$DIR/mlp.gdl" 64 ;;
    deepsea) bench_model deepsea "$ROOT/configs/deepsea.json" "$DIR/seq1k.gdl" 64 "$DIR/seq1k_infer.gdl" ;;
    danq) bench_model danq "$ROOT/configs/danq.json" "$DIR/seq1k.gdl" 64 "$DIR/seq1k_infer.gdl" ;;
    twobranch) bench_model twobranch "$HERE/two-branch.json" "$DIR/twobranch.gdl" 100 ;;
    *) echo "unknown model $m" >&2; exit 1 ;;
    esac
done
echo "$("$GDL" --version 2>/dev/null | head -1), $THREADS threads, $(nproc) cores, load:$(uptime | sed 's/.*load average://')"
echo "train: median of epochs 2..$EPOCHS (epoch 1 = warm-up); predict (its default batch: 256 for the sequence models, 2,048 for mlp; whole command, $INFER_N sequences for deepsea and danq): median of $REPEATS runs after a warm-up"
awk -F'\t' 'NR == 1 { printf "%-10s %6s %5s %12s %9s %12s %9s %11s\n", "model", "n", "batch", "train smp/s", "train MB", "infer smp/s", "infer MB", "params"; next }
            { printf "%-10s %6s %5s %12s %9s %12s %9s %11s\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$RES"
