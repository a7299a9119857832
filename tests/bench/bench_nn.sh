#!/bin/sh
# Builds and runs the nn benchmark (not a test) against the release library.
# Usage: tests/bench/bench_nn.sh [GDL] [THREADS] [REPEATS] [ONLY]   (GDL is accepted and unused)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
make -s build/release/libgdl.a
out=build/release/bench_nn
cc -std=c11 -D_DEFAULT_SOURCE -O2 -Iinclude $(pkg-config --cflags openblas) -o "$out" \
   tests/bench/bench_nn.c build/release/libgdl.a $(pkg-config --libs htslib openblas zlib libcjson) -lpthread -lm
"$out" "${2:-1}" "${3:-5}" ${4:-}
