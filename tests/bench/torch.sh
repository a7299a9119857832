#!/bin/sh
# make bench-torch: gdl (bench_train.sh) and PyTorch (bench_torch.py) on the same four models in
# one invocation, with gdl / PyTorch ratios. PyTorch runs as a careful user would run it
# (issue 8): Debian's python3-torch, OpenBLAS's OpenMP build through LD_LIBRARY_PATH, and glibc
# told to keep freed memory. glibc ignores MALLOC_MMAP_THRESHOLD_ above 32 MB (HEAP_MAX / 2),
# so the large temporaries are kept off mmap with MALLOC_MMAP_MAX_=0 as well.
# Usage: torch.sh GDL [THREADS=2]
set -eu
GDL=${1:?usage: torch.sh GDL [THREADS]}
THREADS=${2:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
OMP_BLAS=/usr/lib/x86_64-linux-gnu/openblas-openmp
if ! $PY -c 'import torch' 2>/dev/null || [ ! -e "$OMP_BLAS/libblas.so.3" ]; then
    echo "bench-torch needs Debian's PyTorch and OpenMP OpenBLAS:"
    echo "  sudo apt-get install -y python3-torch libopenblas0-openmp"
    exit 1
fi
sh "$HERE/bench_train.sh" "$GDL" "$THREADS"
echo
# PyTorch's OpenBLAS gets the kernels gdl runs (gdl --version names them): on a CPU newer than
# OpenBLAS it would otherwise fall back to SSE3 ones, as gdl does not let its own do
: "${OPENBLAS_CORETYPE:=$("$GDL" --version | awk '/^OpenBLAS/ && /DYNAMIC_ARCH/ { print $(NF - 1) }')}"
[ -n "$OPENBLAS_CORETYPE" ] && export OPENBLAS_CORETYPE
LD_LIBRARY_PATH=$OMP_BLAS OMP_NUM_THREADS=$THREADS BENCH_THREADS=$THREADS \
    MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=17179869184 MALLOC_MMAP_MAX_=0 \
    $PY "$HERE/bench_torch.py" table "$HERE/data/train_results.tsv"
