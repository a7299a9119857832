# The .gdl container through gdl inspect: a good file read by gdl and by NumPy, and a table of
# damaged files that must each fail with exit 2 and one line naming the file.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
: "${TEST_BIN_DIR:?TEST_BIN_DIR must name the unit test binaries' directory}"
py="$(dirname "$0")/../python"

"$TEST_BIN_DIR/test_container" --write "$TMP/good.gdl" && pass "fixture written" || fail "fixture written"

expect "inspect good file" 0 "$GDL" inspect "$TMP/good.gdl"
contains "inspect lists weights" "$TMP/out" "$(printf 'tensor\tweights\tF32\t2x3x5\t120')"
contains "inspect lists scalar" "$TMP/out" "$(printf 'tensor\tscalar\tF32\tscalar\t4')"
contains "inspect shows metadata" "$TMP/out" "$(printf 'meta\tgdl.kind\tfixture')"
expect "inspect --json" 0 "$GDL" inspect --json "$TMP/good.gdl"
"$PYTHON" - "$TMP/out" <<'PY' && pass "inspect --json is valid JSON with shapes" || fail "inspect --json content"
import json, sys
d = json.load(open(sys.argv[1]))
names = {t["name"]: t for t in d["tensors"]}
assert names["weights"]["shape"] == [2, 3, 5] and names["weights"]["dtype"] == "F32"
assert d["metadata"]["gdl.kind"] == "fixture"
PY

# NumPy reads what gdl wrote, value for value (the reader documented in the README)
PYTHONPATH="$py" "$PYTHON" - "$TMP/good.gdl" <<'PY' && pass "NumPy reads gdl's file exactly" || fail "NumPy reader"
import sys
import numpy as np
from read_gdl import read_gdl
t, meta = read_gdl(sys.argv[1])
assert meta == {"gdl.kind": "fixture", "note": 'tab\there, "quoted", ünïcode'}, meta
assert np.array_equal(t["weights"], (np.arange(30, dtype=np.float32) * 0.5 - 3).reshape(2, 3, 5))
assert t["codes"].tolist() == [(i * 37) % 256 for i in range(7)]
assert t["positions"].tolist() == [[-1], [1 << 40], [123456789]]
assert t["af"].tolist() == [0.1, 1e-300, -2.5]
assert t["count"].tolist() == [-42] and t["small"].tolist() == [1, 65535, 300]
assert t["empty"].shape == (0, 4) and float(t["scalar"]) == 3.25
PY

mkdir -p "$TMP/bad"
"$PYTHON" "$py/damage_gdl.py" "$TMP/bad" >"$TMP/cases" || fail "damaged files generated"
n=0
while IFS="$(printf '\t')" read -r name phrase; do
    n=$((n + 1))
    f="$TMP/bad/$name.gdl"
    expect "damaged $name: exit 2" 2 "$GDL" inspect "$f"
    lines "damaged $name: one line" "$TMP/err" 1
    contains "damaged $name: names the file" "$TMP/err" "gdl inspect: $f: "
    contains "damaged $name: says why" "$TMP/err" "$phrase"
    lines "damaged $name: nothing on stdout" "$TMP/out" 0
done <"$TMP/cases"
[ "$n" -ge 25 ] && pass "damaged table has $n cases" || fail "damaged table too small ($n)"
finish
