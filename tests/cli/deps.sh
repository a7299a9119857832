# The folders' one-way dependencies: tests/check_deps.sh against docs/architecture.md's table.
. "$(dirname "$0")/lib.sh"
sh "$(dirname "$0")/../check_deps.sh" "$(cd "$(dirname "$0")/../.." && pwd)" >"$TMP/deps" 2>&1
grep -E '^(PASS|FAIL) ' "$TMP/deps"
grep -q '^FAIL ' "$TMP/deps" && failed=1
grep -q '^FAIL ' "$TMP/deps" || grep -q '^PASS ' "$TMP/deps" || fail "check_deps.sh printed no verdict" "$(cat "$TMP/deps")"
finish
