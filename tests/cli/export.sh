# gdl export --npy: every array loaded with numpy.load and compared with the dataset's values:
# genotypes (a dataset written by NumPy in the schema of dataset.h), one-hot sequences, numeric
# tracks, labels, rc groups, IDs and targets.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
export PYTHONPATH="$(dirname "$0")/../python"
T=$TMP

# a genotype dataset: 3 samples x 6 variants, codes below (3 = missing), written with NumPy
"$PYTHON" - "$T/g.gdl" <<'PY' && pass "fixture: genotype dataset written by NumPy" || fail "fixture: genotype dataset"
import sys, json, struct, numpy as np
codes = np.array([[0, 1, 2, 3, 0, 1], [2, 2, 0, 0, 3, 1], [1, 0, 0, 2, 2, 2]], dtype=np.uint8)
M, B = 6, 2
packed = np.zeros((3, B), dtype=np.uint8)
for i in range(3):
    for j in range(M):
        packed[i, j >> 2] |= codes[i, j] << (2 * (j & 3))
strs = lambda xs: np.frombuffer("".join(x + "\0" for x in xs).encode(), dtype=np.uint8)
t = {"input:genotypes.freq": np.full((M, 3), 1 / 3, dtype=np.float32),
     "catalog:pos": np.arange(100, 100 + M, dtype=np.int64),
     "catalog:af": np.full(M, 0.5, dtype=np.float32),
     "labels": np.array([[1], [0], [1]], dtype=np.float32),
     "input:genotypes": packed, "ids": strs(["s1", "s2", "s3"]), "target_names": strs(["case"]),
     "catalog:chrom": strs(["1"] * M), "catalog:id": strs(["."] * M), "catalog:ref": strs(["A"] * M),
     "catalog:alt": strs(["G"] * M), "catalog:gene": strs([""] * M)}
meta = {"gdl.kind": "dataset", "gdl.schema": "1", "gdl.examples": "3", "gdl.targets": "1",
        "gdl.target_kinds": "binary", "gdl.inputs": "genotypes", "input:genotypes.format": "gt2",
        "input:genotypes.variants": str(M), "input:genotypes.encoding": "dosage",
        "input:genotypes.missing": "mean"}
DT = {np.uint8: "U8", np.float32: "F32", np.int64: "I64"}
hdr, off, blobs = {"__metadata__": meta}, 0, []
for k, a in t.items():
    b = a.tobytes(); hdr[k] = {"dtype": DT[a.dtype.type], "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
    off += len(b); blobs.append(b)
h = json.dumps(hdr).encode(); h += b" " * (-len(h) % 8)
open(sys.argv[1], "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
np.save(sys.argv[1] + ".codes.npy", codes)
PY
printf '>s3\nACGTN\n>s1\nTTGCA\n>s2\nNNNNA\n' >"$T/s.fa"
printf 's1\t1\t2\ns2\t3\t4\ns3\t5\t6\n' >"$T/m.tsv"
"$GDL" encode "$T/s.fa" --rc -o "$T/s.gdl" && "$GDL" encode "$T/m.tsv" --shape 1,2 -n marks -o "$T/m.gdl" &&
    "$GDL" join "$T/g.gdl" "$T/s.gdl" "$T/m.gdl" -o "$T/all.gdl" 2>/dev/null && pass "fixture: joined dataset" || fail "fixture: joined dataset"
expect "export --npy" 0 "$GDL" export "$T/all.gdl" --npy "$T/npy1"
"$PYTHON" - "$T/npy1" "$T/g.gdl.codes.npy" <<'PY' && pass "exported arrays equal the dataset's values" || fail "exported values"
import sys, os, numpy as np
d = sys.argv[1]
assert sorted(os.listdir(d)) == ["ids.tsv", "input_dna.npy", "input_genotypes.npy", "input_marks.npy", "labels.npy", "rc_group.npy", "targets.tsv"], os.listdir(d)
g = np.load(d + "/input_genotypes.npy")
want = np.load(sys.argv[2]); want[want == 3] = 255
assert g.dtype == np.uint8 and np.array_equal(g, want)
x = np.load(d + "/input_dna.npy")
assert x.dtype == np.float32 and x.shape == (3, 4, 5)
def onehot(s):
    return np.array([[float(b == c) for b in s] for c in "ACGT"], dtype=np.float32)
assert np.array_equal(x[0], onehot("TTGCA")) and np.array_equal(x[1], onehot("NNNNA")) and np.array_equal(x[2], onehot("ACGTN"))
m = np.load(d + "/input_marks.npy")
assert m.dtype == np.float32 and m.tolist() == [[[1, 2]], [[3, 4]], [[5, 6]]]
l = np.load(d + "/labels.npy")
assert l.dtype == np.float32 and l.tolist() == [[1], [0], [1]]
assert np.load(d + "/rc_group.npy").tolist() == [0, 1, 2]
assert open(d + "/ids.tsv").read() == "id\ns1\ns2\ns3\n"
assert open(d + "/targets.tsv").read() == "target\tkind\tclasses\ncase\tbinary\t\n"
PY
expect "export a sequence dataset with rc groups" 0 "$GDL" export "$T/s.gdl" --npy "$T/npy2"
"$PYTHON" - "$T/npy2" <<'PY' && pass "export: reverse complements one-hot, rc groups, no labels file" || fail "export rc values"
import sys, os, numpy as np
d = sys.argv[1]
assert "labels.npy" not in os.listdir(d) and np.load(d + "/rc_group.npy").tolist() == [0, 0, 2, 2, 4, 4]
x = np.load(d + "/input_dna.npy")
assert np.array_equal(x[1], x[0][::-1, ::-1])   # complement = reversed channels, reversed positions
assert open(d + "/targets.tsv").read() == "target\tkind\tclasses\n"
PY
printf 'x' >"$T/file"
expect "export into a path that is a file: exit 2" 2 "$GDL" export "$T/s.gdl" --npy "$T/file"
contains "export: directory error names it" "$T/err" "file: cannot create the directory"
expect "export a damaged dataset: exit 2" 2 "$GDL" export "$T/file" --npy "$T/npy3"
expect "export without --npy: usage" 1 "$GDL" export "$T/s.gdl"
finish
