#!/bin/sh
# Runs libFuzzer targets: sh tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...] (default: all built).
# Each target fuzzes for SECONDS with its dictionary, starting from the committed seeds
# (tests/fuzz/corpus/TARGET, read only) and the corpus it grew before (BUILD_DIR/corpus/TARGET);
# crashes, leaks and slow inputs go to BUILD_DIR/artifacts/TARGET/. One target at a time, one job.
# Prints one line per target: its name, the last "cov:" and "corp:" figures and the verdict.
# FUZZ_KEEP_GOING=1: fuzz in one forked child at a time and go on after a crash (every crash of
# the run is kept, for long campaigns); otherwise the first crash ends the target.
set -u
build=${1:?usage: run.sh BUILD_DIR SECONDS [TARGET...]} secs=${2:?SECONDS}
shift 2
here=$(cd "$(dirname "$0")" && pwd)
# the targets write each input to a file and gdl syncs what it writes: in memory (/dev/shm) that
# costs nothing, on a disk the syncs take most of the time
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then TMPDIR=/dev/shm; export TMPDIR; fi
targets=${*:-$(cd "$build" && ls fuzz_* 2>/dev/null | grep -v '\.' | sed 's/^fuzz_//')}
status=0

dict_of() {
    case $1 in
    dataset|model) echo gdl ;;
    vcf|sites) echo vcf ;;
    config|space) echo json ;;
    *) echo tsv ;;
    esac
}

for t in $targets; do
    bin=$build/fuzz_$t
    [ -x "$bin" ] || { echo "$t: not built ($bin)"; status=1; continue; }
    corpus=$build/corpus/$t art=$build/artifacts/$t
    mkdir -p "$corpus" "$art"
    log=$build/fuzz_$t.log
    keep=
    # htslib allocates the length a BCF record claims (up to 2 x 4 GB) before reading it, then
    # reports the short read: an allocation, not a leak or a crash, so it is not counted here
    case $t in vcf|sites) keep="-malloc_limit_mb=8192" ;; esac
    [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && keep="$keep -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
    # shellcheck disable=SC2086
    "$bin" $keep -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
        -dict="$here/dict/$(dict_of "$t").dict" -artifact_prefix="$art/" \
        "$corpus" "$here/corpus/$t" >"$log" 2>&1
    rc=$?
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1)
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | sed 's/.*: //')
    [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#') # -fork's progress lines
    found=$(find "$art" -type f | wc -l)
    if [ "$rc" -eq 0 ] && [ "$found" -eq 0 ]; then
        echo "$t: ok, ${secs}s, ${runs:-?} runs, $cov edges, $corp inputs"
    else
        echo "$t: FAILED (exit $rc, $found inputs in $art/), $cov edges, $corp inputs; see $log"
        grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" | sed 's/^/  /'
        status=1
    fi
done
exit "$status"
