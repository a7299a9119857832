#!/bin/sh
# Benchmark of gdl eval on a DeepSEA-test-sized file: 455,024 examples x 919 binary targets
# (about 4.6 GB, generated once into tests/bench/data/, which git ignores), timed with
# /usr/bin/time -v: wall time and peak resident set size, which must stay within
# BENCH_EVAL_MAX_KB (default 2 GiB; gdl eval needs about 4.25 bytes per row x binary target).
# Usage: tests/bench/bench_eval.sh GDL [THREADS]   (THREADS default 2); make bench-eval
set -eu
GDL=${1:?usage: bench_eval.sh GDL [THREADS]}
THREADS=${2:-2}
here=$(cd "$(dirname "$0")" && pwd)
data=$here/data
N=455024 T=919
file=$data/deepsea_${N}x${T}.predictions.tsv
mkdir -p "$data"
if [ ! -s "$file" ]; then
    ${CC:-cc} -O2 -o "$data/gen_predictions" "$here/gen_predictions.c" -lm
    echo "bench_eval: writing $file" >&2
    start=$(date +%s)
    "$data/gen_predictions" $N $T 20261122 >"$file.tmp"
    mv "$file.tmp" "$file"
    echo "bench_eval: generated in $(($(date +%s) - start)) s, $(du -h "$file" | cut -f1)" >&2
fi
# warm the page cache so the time is eval's, not the disk's
cat "$file" >/dev/null
timer=""
[ -x /usr/bin/time ] && timer="/usr/bin/time -v"
start=$(date +%s.%N)
$timer "$GDL" eval -@ "$THREADS" -p "$file" -o "$data/metrics.json" --tsv "$data/per_target.tsv" \
    >"$data/table.txt" 2>"$data/time.txt" || { cat "$data/time.txt" >&2; exit 1; }
end=$(date +%s.%N)
kb=$(grep 'Maximum resident' "$data/time.txt" | awk '{print $NF}')
rss=$(echo "${kb:-0}" | awk '{printf "%.2f GiB (%d kB)", $1 / 1048576, $1}')
awk -v s="$start" -v e="$end" -v n=$N -v t=$T -v th="$THREADS" -v rss="${kb:+$rss}" \
    'BEGIN { printf "bench_eval: %d x %d, %s threads: %.1f s, peak RSS %s\n", n, t, th, e - s, rss == "" ? "unknown" : rss }'
echo "bench_eval: $GDL eval -@ $THREADS -p $file -o metrics.json --tsv per_target.tsv"
grep -A 5 '^average' "$data/table.txt"
max=${BENCH_EVAL_MAX_KB:-2097152}
if [ -n "$kb" ] && [ "$kb" -gt "$max" ]; then
    echo "bench_eval: FAIL peak RSS $kb kB is above $max kB" >&2
    exit 1
fi
