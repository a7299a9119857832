#!/bin/sh
# make bench: runs every tests/bench/bench_*.sh with the gdl binary as its argument. Inputs
# are generated under tests/bench/data/ (git-ignored); each script prints its own table.
set -eu
GDL=${1:?usage: run.sh GDL_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/data"
for b in "$here"/bench_*.sh; do
    [ -e "$b" ] || continue
    echo "== $(basename "$b" .sh)"
    sh "$b" "$GDL"
done
