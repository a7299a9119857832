# gdl join: a sequence dataset and a numeric one matched by ID (the expression study's two-branch input).
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
export PYTHONPATH="$(dirname "$0")/../python"
T=$TMP

printf '>g1\nACGT\n>g2\nCCCC\n>g3\nGGGG\n>g4\nTTTT\n' >"$T/s.fa"
printf 'id\texpr\ng1\t1.5\ng2\t2.5\ng3\t3.5\ng4\t4.5\n' >"$T/y.tsv"
printf 'g3\t3\t30\ng9\t9\t90\ng1\t1\t10\ng4\t4\t40\n' >"$T/m.tsv"
"$GDL" encode "$T/s.fa" -l "$T/y.tsv" --rc -o "$T/s.gdl" 2>/dev/null && pass "fixture: sequences" || fail "fixture: sequences"
"$GDL" encode "$T/m.tsv" --shape 2,1 -n marks -o "$T/m.gdl" && pass "fixture: marks" || fail "fixture: marks"
expect "join sequences and marks" 0 "$GDL" join "$T/m.gdl" "$T/s.gdl" -o "$T/j.gdl"
contains "join counts dropped examples" "$T/err" "m.gdl: 1 of its 4 examples are not in every input"
"$PYTHON" - "$T/j.gdl" <<'PY' && pass "join: IDs in the first's order, inputs matched by ID, labels from the labelled one" || fail "join values"
import sys
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
assert bytes(t["ids"]).decode().split('\0')[:-1] == ["g3", "g1", "g4"]
assert m["gdl.inputs"] == "marks,dna" and m["input:dna.format"] == "seq8" and m["input:marks.channels"] == "2"
assert [bytes(r).decode() for r in t["input:dna"]] == ["GGGG", "ACGT", "TTTT"]
assert t["input:marks"][:, :, 0].tolist() == [[3, 30], [1, 10], [4, 40]]
assert t["labels"][:, 0].tolist() == [3.5, 1.5, 4.5] and bytes(t["target_names"]) == b"expr\0"
assert t["rc_group"].tolist() == [0, 1, 2]   # the :rc examples are not in marks: own groups
PY
expect "join with itself: input name clash, exit 2" 2 "$GDL" join "$T/s.gdl" "$T/s.gdl" -o "$T/x.gdl"
contains "name clash message" "$T/err" "input 'dna' is in both"
[ ! -e "$T/x.gdl" ] && pass "name clash: no output" || fail "name clash left output"
expect "join with itself, --names" 0 "$GDL" join "$T/s.gdl" "$T/s.gdl" --names fwd,again -o "$T/x.gdl"
"$PYTHON" - "$T/x.gdl" <<'PY' && pass "--names renames inputs; rc groups kept" || fail "--names values"
import sys, numpy as np
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
assert m["gdl.inputs"] == "fwd,again" and np.array_equal(t["input:fwd"], t["input:again"])
assert t["rc_group"].tolist() == [0, 0, 2, 2, 4, 4, 6, 6]
PY
expect "--names count mismatch: exit 2" 2 "$GDL" join "$T/s.gdl" "$T/m.gdl" --names a -o "$T/y.gdl"
expect "join one dataset: usage" 1 "$GDL" join "$T/s.gdl" -o "$T/y.gdl"
printf 'not a gdl' >"$T/bad.gdl"
expect "join a damaged file: exit 2" 2 "$GDL" join "$T/s.gdl" "$T/bad.gdl" -o "$T/y.gdl"
contains "damaged file named" "$T/err" "bad.gdl"
finish
