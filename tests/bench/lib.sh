# Shared by tests/bench/bench_*.sh (sourced; needs DIR set to the data directory).
# bench_run LABEL CMD...: runs CMD under /usr/bin/time -v and prints the label, wall and CPU
# (user + sys) seconds and peak RSS; sets LAST_WALL. Returns non-zero (with time's log) on failure.
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
bench_run() {
    label=$1; shift
    /usr/bin/time -v "$@" >/dev/null 2>"$DIR/time.log" || { echo "$label failed:" >&2; cat "$DIR/time.log" >&2; return 1; }
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$DIR/time.log" |
           awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$DIR/time.log")
    cpu=$(sed -n -e 's/.*User time (seconds): //p' -e 's/.*System time (seconds): //p' "$DIR/time.log" | awk '{s += $1} END {print s}')
    printf '%-44s %9.2f s wall %9.2f s cpu %9.1f MB peak RSS\n' "$label" "$wall" "$cpu" "$(echo "$rss" | awk '{print $1 / 1024}')"
    LAST_WALL=$wall
}
