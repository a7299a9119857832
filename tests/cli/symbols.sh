# Every symbol libgdl.a exports carries the gdl_ prefix (a program linking the library meets no
# relu_forward or pheno_load of ours): module-internal functions are static or gdl_-prefixed.
. "$(dirname "$0")/lib.sh"
lib=${TEST_BIN_DIR:-build/release/tests}/../libgdl.a
if ! command -v nm >/dev/null 2>&1 || [ ! -f "$lib" ]; then
    fail "symbols: nm and $lib are needed"
    finish
fi
nm -g --defined-only "$lib" >"$TMP/nm" 2>/dev/null || fail "nm $lib"
awk 'NF == 3 && $2 ~ /^[TDBRCVW]$/ {print $3}' "$TMP/nm" | sort -u >"$TMP/syms"
[ "$(wc -l <"$TMP/syms")" -gt 300 ] && pass "nm lists the library's $(wc -l <"$TMP/syms" | tr -d ' ') symbols" ||
    fail "nm listed $(wc -l <"$TMP/syms") symbols"
# under SANITIZE=1 AddressSanitizer adds an __odr_asan.NAME marker for each global variable
grep -v '^gdl_' "$TMP/syms" | grep -v '^__odr_asan\.gdl_' >"$TMP/bare"
[ ! -s "$TMP/bare" ] && pass "every exported symbol starts with gdl_" ||
    fail "exported without gdl_: $(head -20 "$TMP/bare" | tr '\n' ' ')"
finish
