#!/bin/sh
# make bench: runs every tests/bench/bench_*.sh with the gdl binary given as $1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for b in "$here"/bench_*.sh; do
    sh "$b" "$1"
done
