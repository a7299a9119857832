# A few seconds of every libFuzzer target of tests/fuzz/ over its committed seeds (make fuzz runs
# them for longer): each must finish without a crash, a leak, a sanitizer report or a hang. A fixed
# seed: every run mutates the same way (a slower machine runs a prefix of it), so a bug new to the
# code fails here and a bug the mutations have not reached yet is left to make fuzz.
# Skipped (no cases) when clang cannot build a libFuzzer program. The targets are built by
# make fuzz-build into build/fuzz, apart from the release and sanitize builds, so the smoke
# is the same under make test and make test SANITIZE=1.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cc=${FUZZ_CC:-clang}
secs=${FUZZ_SMOKE_S:-2}
T=$TMP
# the targets' files in memory when /dev/shm is there (gdl syncs what it writes; see run.sh)
if [ -d /dev/shm ] && [ -w /dev/shm ]; then TMPDIR=/dev/shm; export TMPDIR; fi

printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return d && n > 9; }\n' >"$T/t.c"
if ! command -v "$cc" >/dev/null 2>&1 ||
    ! "$cc" -fsanitize=fuzzer,address,undefined -o "$T/t" "$T/t.c" >/dev/null 2>&1; then
    echo "fuzz smoke skipped: $cc cannot build a libFuzzer program" >&2
    finish
fi

# a make of its own (not the caller's jobserver or SANITIZE=1: the fuzz build has its own flags)
if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$root" -j2 FUZZ_CC="$cc" fuzz-build >"$T/build.log" 2>&1; then
    pass "fuzz targets built"
else
    fail "fuzz targets built" "make fuzz-build failed"
    tail -20 "$T/build.log" >&2
    finish
fi

for seeds in "$root"/tests/fuzz/corpus/*/; do
    t=$(basename "$seeds")
    bin=$root/build/fuzz/fuzz_$t
    limit=
    case $t in
    dataset|model) dict=gdl ;;
    vcf|sites) dict=vcf limit=-malloc_limit_mb=8192 ;; # htslib allocates a BCF record's claimed length
    config|space) dict=json ;;
    *) dict=tsv ;;
    esac
    mkdir -p "$T/corpus.$t" "$T/art.$t"
    "$bin" $limit -seed=1 -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -dict="$root/tests/fuzz/dict/$dict.dict" \
        -artifact_prefix="$T/art.$t/" "$T/corpus.$t" "$seeds" >"$T/log.$t" 2>&1
    rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*\|^#[0-9]*' "$T/log.$t" | tail -1 | sed 's/.* //; s/#//')
    if [ "$rc" -eq 0 ] && [ -z "$(ls "$T/art.$t")" ]; then
        pass "fuzz smoke: $t (${secs}s, $runs runs, no crash, leak or hang)"
    else
        fail "fuzz smoke: $t" "exit $rc; the input: $(ls "$T/art.$t")"
        grep -m3 -E 'ERROR|runtime error|SUMMARY|#[0-9]+ .* in ' "$T/log.$t" | sed 's/^/    /' >&2
    fi
done
finish
