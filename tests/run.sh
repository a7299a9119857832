#!/bin/sh
# Runs the unit test binaries given as arguments, then every tests/cli/*.sh, and closes with
# one line "N passed, N failed". A binary or script that dies without reporting counts as failed.
# Environment: GDL (the binary under test), PYTHON (Debian's python3 for the NumPy checks).
set -u
: "${GDL:?GDL must name the gdl binary}"
export GDL PYTHON
TEST_BIN_DIR=$(dirname "${1:-.}"); export TEST_BIN_DIR
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=0 fail=0

count() { # name exit-code
    p=$(grep -c '^PASS ' "$log"); f=$(grep -c '^FAIL ' "$log")
    if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $1 (exit $2 without a failed case)"; f=1
    fi
    grep '^FAIL ' "$log" | sed "s|^|  $1: |"
    pass=$((pass + p)); fail=$((fail + f))
    echo "$1: $p passed, $f failed"
}

for bin in "$@"; do
    name=$(basename "$bin")
    "$bin" >"$log" 2>"$log.err"; rc=$?
    [ "$rc" -ne 0 ] && cat "$log.err"
    count "$name" "$rc"
done
for t in "$here"/cli/*.sh; do
    [ "$(basename "$t")" = lib.sh ] && continue
    name=$(basename "$t" .sh)
    sh "$t" >"$log" 2>"$log.err"; rc=$?
    [ "$rc" -ne 0 ] && cat "$log.err"
    count "cli/$name" "$rc"
done
rm -f "$log.err"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
