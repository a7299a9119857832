# The command frame: help, version, usage errors and exit codes.
. "$(dirname "$0")/lib.sh"

expect "no args exits 1" 1 "$GDL"
contains "no args prints usage on stderr" "$TMP/err" "Usage: gdl <command>"

expect "--help exits 0" 0 "$GDL" --help
contains "--help on stdout" "$TMP/out" "Usage: gdl <command>"
contains "--help lists inspect" "$TMP/out" "inspect"
lines "--help prints nothing on stderr" "$TMP/err" 0

expect "--version exits 0" 0 "$GDL" --version
for lib in "gdl " "htslib " "OpenBLAS " "cJSON " "zlib "; do
    contains "--version names $lib" "$TMP/out" "$lib"
done
grep -q "^gdl [0-9]" "$TMP/out" && pass "--version first line is gdl X.Y.Z" || fail "--version first line"
# -@ 0's count follows the CPU affinity a scheduler sets (Slurm's --cpus-per-task binds so)
if command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null; then
    taskset -c 0 "$GDL" --version >"$TMP/v1" 2>&1
    grep -q "^cores 1 (what -@ 0 uses" "$TMP/v1" && pass "--version: one CPU allowed, cores 1" ||
        fail "--version under taskset -c 0" "$(grep cores "$TMP/v1")"
    n=$(awk '/^cores / {print $2}' "$TMP/out") # a cgroup quota may allow fewer than nproc
    [ "${n:-0}" -ge 1 ] && [ "$n" -le "$(nproc)" ] && pass "--version: cores $n, at most nproc's" ||
        fail "--version cores" "$(grep cores "$TMP/out")"
fi
# OpenBLAS's kernels: never its SSE3 fallback on a CPU with AVX2 and FMA (gdl restarts itself
# with OPENBLAS_CORETYPE), and a user's own OPENBLAS_CORETYPE is kept
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    env -u OPENBLAS_CORETYPE "$GDL" --version >"$TMP/v" 2>&1
    grep OpenBLAS "$TMP/v" | grep -Eq " (Haswell|Zen|SkylakeX|Cooperlake|SapphireRapids) " &&
        pass "--version: OpenBLAS runs AVX2 or AVX-512 kernels" || fail "OpenBLAS kernels" "$(grep OpenBLAS "$TMP/v")"
fi
OPENBLAS_CORETYPE=Prescott "$GDL" --version >"$TMP/v" 2>&1
grep OpenBLAS "$TMP/v" | grep -q " Prescott " && pass "OPENBLAS_CORETYPE set by the user is kept" ||
    fail "OPENBLAS_CORETYPE=Prescott" "$(grep OpenBLAS "$TMP/v")"
# ... and --version says when it is narrower than what the CPU runs
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
    contains "--version: narrower kernels than the CPU runs are pointed out" "$TMP/v" \
        "faster than those in use (OPENBLAS_CORETYPE=Prescott is set: unset it to get them)"
fi

expect "unknown command exits 1" 1 "$GDL" frobnicate
contains "unknown command is named" "$TMP/err" "unknown command 'frobnicate'"
lines "unknown command: one line" "$TMP/err" 1

expect "gdl help inspect exits 0" 0 "$GDL" help inspect
cp "$TMP/out" "$TMP/help1"
expect "gdl inspect --help exits 0" 0 "$GDL" inspect --help
same "help CMD equals CMD --help" "$TMP/help1" "$TMP/out"
contains "inspect usage names --json" "$TMP/out" "--json"
expect "gdl inspect -h exits 0" 0 "$GDL" inspect -h
same "-h equals --help" "$TMP/help1" "$TMP/out"
expect "help for unknown command exits 1" 1 "$GDL" help frobnicate

expect "bad option exits 1" 1 "$GDL" inspect --no-such-option x.gdl
contains "bad option: usage on stderr" "$TMP/err" "Usage: gdl inspect"
lines "bad option: nothing on stdout" "$TMP/out" 0
expect "missing file argument exits 1" 1 "$GDL" inspect
contains "missing argument explained" "$TMP/err" "expected one FILE.gdl"
expect "bad --threads exits 1" 1 "$GDL" inspect -@ lots x.gdl
contains "bad --threads explained" "$TMP/err" "--threads"

expect "missing file exits 2" 2 "$GDL" inspect "$TMP/absent.gdl"
lines "missing file: one line" "$TMP/err" 1
contains "missing file: names it" "$TMP/err" "gdl inspect: $TMP/absent.gdl: No such file"
finish
