# gdl encode --shape C,L: numeric tracks (the expression study's histone marks) from TSV and .npy, and the
# malformed-input table (each exit 2 with file and line, no output).
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
export PYTHONPATH="$(dirname "$0")/../python"
T=$TMP

printf 'id\tH3K4me3_1\tH3K4me3_2\tH3K4me3_3\tH3K27ac_1\tH3K27ac_2\tH3K27ac_3\n' >"$T/m.tsv"
printf 'g1\t1\t2\t3\t4\t5\t6\ng2\t0.5\t-1\t1e3\t0\t0\t7.25\ng3\t9\t9\t9\t9\t9\t9\n' >>"$T/m.tsv"
printf 'gene\texpr\ng2\t3.5\ng1\t-1\n' >"$T/y.tsv"
expect "encode numeric TSV" 0 "$GDL" encode "$T/m.tsv" --shape 2,3 -l "$T/y.tsv" -n marks -o "$T/m.gdl"
"$PYTHON" - "$T/m.gdl" <<'PY' && pass "numeric TSV: (N, C, L) channel-major, labels by ID" || fail "numeric TSV values"
import sys, numpy as np
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
assert bytes(t["ids"]).decode().split('\0')[:-1] == ["g1", "g2"]
x = t["input:marks"]
assert x.dtype == np.float32 and x.shape == (2, 2, 3)
assert x[0].tolist() == [[1, 2, 3], [4, 5, 6]] and x[1].tolist() == [[0.5, -1, 1000], [0, 0, 7.25]]
assert m["input:marks.format"] == "f32" and m["input:marks.channels"] == "2" and m["input:marks.length"] == "3"
assert m["input:marks.channel_names"] == "H3K4me3,H3K27ac"  # NAME_1 .. NAME_L columns name a channel
assert t["labels"][:, 0].tolist() == [-1, 3.5] and m["gdl.target_kinds"] == "regression"
PY
contains "unlabelled row dropped with a count" "$T/err" "1 examples have no label row"
# columns that do not share a name per channel (m1 m2 | m3 m4) leave the channels unnamed
printf 'id\tm1\tm2\tm3\tm4\np1\t0.5\t1\t2\t0\n' >"$T/u.tsv"
expect "encode numeric TSV, unnamed channels" 0 "$GDL" encode "$T/u.tsv" --shape 2,2 -o "$T/u.gdl"
"$GDL" inspect "$T/u.gdl" >"$T/u.txt"
! grep -q channel_names "$T/u.txt" && pass "no channel names stored when the header gives none" ||
    fail "no channel names stored when the header gives none"

"$PYTHON" - "$T" <<'PY'
import sys, numpy as np
d = sys.argv[1]
a = np.arange(12, dtype=np.float64).reshape(2, 2, 3) / 4
np.save(d + "/m3.npy", a)
np.save(d + "/m2.npy", a.reshape(2, 6).astype(np.float32))
np.save(d + "/i.npy", np.zeros((2, 6), dtype=np.int32))
open(d + "/m.ids", "w").write("a\nb\n")
open(d + "/dup.ids", "w").write("a\na\n")
open(d + "/short.ids", "w").write("a\n")
raw = open(d + "/m2.npy", "rb").read()
open(d + "/trunc.npy", "wb").write(raw[:-5])
open(d + "/badhdr.npy", "wb").write(raw[:8] + b"\xff\x7f" + raw[10:])
open(d + "/nomagic.npy", "wb").write(b"NUMPY" + raw[5:])
# found by tests/fuzz (fuzz_npy): a shape whose product overflows 64 bits
hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 1, 777, 9223372036854775807), }"
hdr += " " * (-(10 + len(hdr) + 1) % 64) + "\n"
open(d + "/huge.npy", "wb").write(b"\x93NUMPY\x01\x00" + len(hdr).to_bytes(2, "little") + hdr.encode() + bytes(8))
PY
expect "encode .npy (N, C, L) float64" 0 "$GDL" encode "$T/m3.npy" --ids "$T/m.ids" --shape 2,3 -o "$T/n3.gdl"
expect "encode .npy (N, C*L) float32" 0 "$GDL" encode "$T/m2.npy" --ids "$T/m.ids" --shape 2,3 -o "$T/n2.gdl"
"$PYTHON" - "$T/n3.gdl" "$T/n2.gdl" <<'PY' && pass ".npy float64 and float32 give the same values" || fail ".npy values"
import sys, numpy as np
from read_gdl import read_gdl
a, m = read_gdl(sys.argv[1]); b, _ = read_gdl(sys.argv[2])
want = (np.arange(12).reshape(2, 2, 3) / 4).astype(np.float32)
assert np.array_equal(a["input:numeric"], want) and np.array_equal(b["input:numeric"], want)
assert bytes(a["ids"]).decode().split('\0')[:-1] == ["a", "b"] and m["gdl.inputs"] == "numeric"
PY

printf 'id\ta\tb\nr1\t1\t2\nr2\t1\n' >"$T/cols.tsv"
expect "TSV wrong column count: exit 2" 2 "$GDL" encode "$T/cols.tsv" --shape 1,2 -o "$T/x.gdl"
contains "TSV wrong column count: file and line" "$T/err" "cols.tsv:3: 2 columns; expected the ID and C x L = 2 values"
printf 'r1\t1\t2\t3\n' >"$T/more.tsv"
expect "TSV too many columns: exit 2" 2 "$GDL" encode "$T/more.tsv" --shape 1,2 -o "$T/x.gdl"
contains "TSV too many columns: file and line" "$T/err" "more.tsv:1: 4 columns"
printf 'r1\t1\t2\nr2\t1\tabc\n' >"$T/nonnum.tsv"
expect "TSV non-numeric value: exit 2" 2 "$GDL" encode "$T/nonnum.tsv" --shape 1,2 -o "$T/x.gdl"
contains "TSV non-numeric value: file, line, column" "$T/err" "nonnum.tsv:2: column 3: 'abc' is not a finite number"
printf 'r1\t1\t2\nr2\t1\tnan\n' >"$T/nan.tsv"
expect "TSV NaN value: exit 2" 2 "$GDL" encode "$T/nan.tsv" --shape 1,2 -o "$T/x.gdl"
printf 'r1\t1\t2\nr2\t1\t3\nr1\t0\t0\n' >"$T/dupid.tsv"
expect "TSV duplicate ID: exit 2" 2 "$GDL" encode "$T/dupid.tsv" --shape 1,2 -o "$T/x.gdl"
contains "TSV duplicate ID: file and line" "$T/err" "dupid.tsv:3: duplicate ID 'r1'"
expect "npy truncated: exit 2" 2 "$GDL" encode "$T/trunc.npy" --ids "$T/m.ids" --shape 2,3 -o "$T/x.gdl"
contains "npy truncated: message" "$T/err" "trunc.npy: 43 data bytes, the header's shape needs 48"
expect "npy header length beyond the file: exit 2" 2 "$GDL" encode "$T/badhdr.npy" --ids "$T/m.ids" --shape 2,3 -o "$T/x.gdl"
contains "npy bad header: message" "$T/err" "badhdr.npy: .npy header length 32767 runs past the end"
expect "npy shape overflowing 64 bits: exit 2" 2 "$GDL" encode "$T/huge.npy" --ids "$T/m.ids" --shape 2,3 -o "$T/x.gdl"
contains "npy shape overflowing 64 bits: message" "$T/err" "huge.npy: .npy shape (5, 1, 777, 9223372036854775807) holds more than 2^60 values"
lines "npy shape overflowing 64 bits: one line" "$T/err" 1
expect "npy without magic: exit 2" 2 "$GDL" encode "$T/nomagic.npy" --ids "$T/m.ids" --shape 2,3 -o "$T/x.gdl"
contains "npy without magic: message" "$T/err" "nomagic.npy: not a .npy file"
expect "npy integer dtype: exit 2" 2 "$GDL" encode "$T/i.npy" --ids "$T/m.ids" --shape 2,3 -o "$T/x.gdl"
contains "npy integer dtype: message" "$T/err" "dtype '<i4'"
expect "npy shape mismatch: exit 2" 2 "$GDL" encode "$T/m3.npy" --ids "$T/m.ids" --shape 3,2 -o "$T/x.gdl"
expect "npy duplicate ID: exit 2" 2 "$GDL" encode "$T/m3.npy" --ids "$T/dup.ids" --shape 2,3 -o "$T/x.gdl"
contains "npy duplicate ID: file and line" "$T/err" "dup.ids:2: duplicate ID 'a'"
expect "npy fewer IDs than rows: exit 2" 2 "$GDL" encode "$T/m3.npy" --ids "$T/short.ids" --shape 2,3 -o "$T/x.gdl"
[ ! -e "$T/x.gdl" ] && pass "malformed numeric input: no output" || fail "malformed numeric input left output"
expect ".npy without --ids: usage" 1 "$GDL" encode "$T/m3.npy" --shape 2,3 -o "$T/x.gdl"
expect "bad --shape: usage" 1 "$GDL" encode "$T/m.tsv" --shape 2x3 -o "$T/x.gdl"
finish
