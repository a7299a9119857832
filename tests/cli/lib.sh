# Helpers for the command-line tests (POSIX sh plus 'local', which dash and bash have), sourced by tests/cli/*.sh. Each check prints one
# "PASS name" or "FAIL name" line (tests/run.sh counts them); failures explain themselves on stderr.
set -u
: "${GDL:?GDL must name the gdl binary}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; shift; [ $# -gt 0 ] && echo "  $*" >&2; failed=1; }

# expect NAME CODE CMD...: runs CMD, stdout to $TMP/out, stderr to $TMP/err, checks the exit code
expect() {
    local name want got
    name=$1 want=$2; shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"; got=$?
    if [ "$got" -eq "$want" ]; then pass "$name"
    else fail "$name" "exit $got, expected $want: $*"; sed 's/^/    /' "$TMP/err" >&2; fi
}

# contains NAME FILE TEXT: FILE holds TEXT (fixed string)
contains() {
    if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "$2 lacks '$3'"; sed 's/^/    /' "$2" | head -5 >&2; fi
}

# lines NAME FILE N: FILE has exactly N lines
lines() {
    local n
    n=$(wc -l <"$2")
    if [ "$n" -eq "$3" ]; then pass "$1"; else fail "$1" "$2 has $n lines, expected $3"; sed 's/^/    /' "$2" | head -5 >&2; fi
}

# same NAME A B: files are byte-identical
same() {
    if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$2 and $3 differ"; fi
}

finish() { exit "$failed"; }
