#!/bin/sh
# Thread scaling on benchmark (b), issue 8: DeepSEA training and inference (bench_train.sh)
# at 1 and at 2 threads in one invocation, and the ratio (target: 2 threads >= 1.7x one).
# Usage: bench_scaling.sh GDL [MODEL=deepsea]
set -eu
GDL=${1:?usage: bench_scaling.sh GDL [MODEL]}
MODEL=${2:-deepsea}
HERE=$(cd "$(dirname "$0")" && pwd)
for t in 1 2; do
    BENCH_RESULTS="$HERE/data/scaling.$t.tsv" sh "$HERE/bench_train.sh" "$GDL" "$t" "$MODEL" >/dev/null
done
awk -F'\t' 'FNR == 1 { f++; next } { tr[f] = $4; inf[f] = $6; name = $1 }
    END { printf "%s: 1 thread train %.1f, infer %.1f samples/s; 2 threads train %.1f, infer %.1f; ratio train %.2f, infer %.2f\n",
          name, tr[1], inf[1], tr[2], inf[2], tr[2] / tr[1], inf[2] / inf[1] }' \
    "$HERE/data/scaling.1.tsv" "$HERE/data/scaling.2.tsv"
