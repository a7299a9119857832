#!/bin/sh
# make bench-vep: gdl vep's cost per variant against the same model's gdl predict, and against
# PyTorch's inference of the same network. configs/deepsea.json on 1,000-bp windows with 64
# targets (weights from one short epoch: speed does not depend on them), a random 2 Mb
# reference and VCF_N variants (80% SNVs, 10% insertions, 10% deletions, a 2-sample GT column).
# Reported: vep variants/s; predict samples/s on the very windows vep scored (its --windows
# FASTA, encoded); the ratio vep seconds per variant / (2 x predict seconds per window), which
# is 1.0 when reading, windowing and writing cost nothing (target <= 1.1; with --rc the same
# against 4 passes); and PyTorch's samples/s / 2 on the same network (tests/bench/bench_torch.py,
# one-hot tensors made in advance: the most PyTorch could do per variant), when it is present.
# The OpenBLAS kernels in use are named: an OPENBLAS_CORETYPE narrower than the CPU (`gdl
# --version` says so) slows gdl's convolutions, not PyTorch's (oneDNN picks its own).
# Usage: bench_vep.sh GDL [THREADS=2]. Environment: VCF_N [4000], BENCH_OUT [build/bench].
set -eu
G=$1
THREADS=${2:-2}
here=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${BENCH_OUT:-$here/build/bench}/vep
N=${VCF_N:-4000}
mkdir -p "$OUT"
cd "$OUT"
/usr/bin/python3 - "$N" <<'PY'
import random, sys
n = int(sys.argv[1])
r = random.Random(5)
L = 2_000_000
g = "".join(r.choice("ACGT") for _ in range(L))
with open("ref.fa", "w") as f:
    f.write(">chr1\n" + "".join(g[i:i + 60] + "\n" for i in range(0, L, 60)))
pos = sorted(r.sample(range(1000, L - 1000), n))
with open("v.vcf", "w") as f:
    f.write("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=%d>\n" % L)
    f.write('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n')
    f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts2\n")
    for p in pos:
        ref, u = g[p - 1], r.random()
        if u < 0.8:
            alt = r.choice([b for b in "ACGT" if b != ref])
        elif u < 0.9:
            alt = ref + "".join(r.choice("ACGT") for _ in range(r.randint(1, 10)))
        else:
            ref = g[p - 1:p + r.randint(1, 10)]
            alt = ref[0]
        f.write(f"chr1\t{p}\t.\t{ref}\t{alt}\t.\t.\t.\tGT\t0|1\t0|0\n")
with open("train.fa", "w") as f, open("train.labels.tsv", "w") as lab:
    lab.write("id" + "".join(f"\tt{t}" for t in range(64)) + "\n")
    for i in range(256):
        s = r.randrange(0, L - 1000)
        f.write(f">w{i}\n{g[s:s + 1000]}\n")
        lab.write(f"w{i}" + "".join("\t%d" % r.randint(0, 1) for _ in range(64)) + "\n")
PY
"$G" encode -q train.fa -l train.labels.tsv -o train.gdl
"$G" train -q -@ "$THREADS" -c "$here/configs/deepsea.json" -d train.gdl -o deepsea.gdl --epochs 1 --val-frac 0
"$G" vep -q -@ "$THREADS" -m deepsea.gdl -i v.vcf --ref ref.fa -o vep.tsv --windows windows.fa
"$G" encode -q windows.fa -o windows.gdl
n_var=$(grep -c ':alt$' windows.fa)
n_win=$((2 * n_var))
min3() { # command... -> the least wall time of 3 runs, in seconds
    m=""
    for _ in 1 2 3; do
        t0=$(date +%s%N)
        "$@" >/dev/null
        t1=$(date +%s%N)
        d=$(( (t1 - t0) / 1000 ))
        if [ -z "$m" ] || [ "$d" -lt "$m" ]; then m=$d; fi
    done
    echo "$m" | awk '{ printf "%.3f", $1 / 1e6 }'
}
t_vep=$(min3 "$G" vep -q -@ "$THREADS" -m deepsea.gdl -i v.vcf --ref ref.fa -o vep.tsv)
t_rc=$(min3 "$G" vep -q -@ "$THREADS" --rc -m deepsea.gdl -i v.vcf --ref ref.fa -o vep_rc.tsv)
t_pred=$(min3 "$G" predict -q -@ "$THREADS" -m deepsea.gdl -d windows.gdl -o pred.tsv)
torch_rate=NA
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    # as make bench-torch runs it (torch.sh): OpenMP OpenBLAS with gdl's kernels, glibc keeping memory
    : "${OPENBLAS_CORETYPE:=$("$G" --version | awk '/^OpenBLAS/ && /DYNAMIC_ARCH/ { print $(NF - 1) }')}"
    [ -n "$OPENBLAS_CORETYPE" ] && export OPENBLAS_CORETYPE
    torch_rate=$(LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp BENCH_THREADS=$THREADS OMP_NUM_THREADS=$THREADS \
        MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_MMAP_MAX_=0 \
        /usr/bin/python3 "$here/tests/bench/bench_torch.py" run deepsea infer | cut -d' ' -f1)
fi
kernels=$("$G" --version | awk '/^OpenBLAS/ { print $(NF - 1) }')
awk -v kern="$kernels" -v nv="$n_var" -v nw="$n_win" -v tv="$t_vep" -v trc="$t_rc" -v tp="$t_pred" -v torch="$torch_rate" -v th="$THREADS" 'BEGIN {
    printf "gdl vep, deepsea.json, 1,000-bp windows, 64 targets, %d threads, %d variants, OpenBLAS %s kernels\n", th, nv, kern
    printf "  vep          %8.1f variants/s  (%.2f s)\n", nv / tv, tv
    printf "  vep --rc     %8.1f variants/s  (%.2f s)\n", nv / trc, trc
    printf "  predict      %8.1f windows/s   (%.2f s for the %d windows vep scored)\n", nw / tp, tp, nw
    printf "  vep / (2 predict passes)        %.3f  (target <= 1.1)\n", (tv / nv) / (tp / nw * 2)
    printf "  vep --rc / (4 predict passes)   %.3f\n", (trc / nv) / (tp / nw * 4)
    if (torch != "NA") printf "  PyTorch      %8.1f windows/s, %.1f variants/s at best; gdl vep / PyTorch %.2fx\n", torch, torch / 2, (nv / tv) / (torch / 2)
}'
