# gdl encode for sequences: FASTA with labels, --window, --rc, BED windows on a reference (plain
# and bgzip), BED label columns, --task center-base; every stored value checked with NumPy.
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=/usr/bin/python3}"
export PYTHONPATH="$(dirname "$0")/../python"
T=$TMP

printf '>s1 first record\nACGTN\nacgtr\n>s2\nAAAAACCCCC\n>s3\nGGGGGTTTTT\n' >"$T/a.fa"
printf 'id\ty\tcolour\tq\ns1\t1\tred\t0.5\ns2\t0\tblue\tNA\nzz\t1\tred\t2\n' >"$T/lab.tsv"
expect "encode FASTA with labels" 0 "$GDL" encode "$T/a.fa" -o "$T/a.gdl" -l "$T/lab.tsv"
contains "unknown label ID reported with its line" "$T/err" "lab.tsv: 1 label rows name IDs that are not examples (first at line 4: 'zz')"
contains "unlabelled example reported" "$T/err" "1 examples have no label row in"
"$PYTHON" - "$T/a.gdl" <<'PY' && pass "FASTA dataset: bases, ids, labels, kinds, classes" || fail "FASTA dataset values"
import sys, numpy as np
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
s = lambda a: bytes(a).decode().split('\0')[:-1]
assert bytes(t["input:dna"][0]).decode() == "ACGTNACGTN" and bytes(t["input:dna"][1]).decode() == "AAAAACCCCC"
assert s(t["ids"]) == ["s1", "s2"] and s(t["target_names"]) == ["y", "colour", "q"]
assert m["gdl.target_kinds"] == "binary,categorical,regression" and m["input:dna.format"] == "seq8"
assert s(t["target_classes:1"]) == ["blue", "red"]
L = t["labels"]
assert L[0, 0] == 1 and L[1, 0] == 0 and L[0, 1] == 1 and L[1, 1] == 0 and L[0, 2] == 0.5 and np.isnan(L[1, 2])
assert "rc_group" not in t
PY

expect "encode FASTA --keep-missing --rc" 0 "$GDL" encode "$T/a.fa" -o "$T/rc.gdl" -l "$T/lab.tsv" --keep-missing --rc -n seq
"$PYTHON" - "$T/rc.gdl" <<'PY' && pass "--rc: complements next to their forward, same group and labels" || fail "--rc values"
import sys, numpy as np
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
s = lambda a: bytes(a).decode().split('\0')[:-1]
assert s(t["ids"]) == ["s1", "s1:rc", "s2", "s2:rc", "s3", "s3:rc"]
seq = [bytes(r).decode() for r in t["input:seq"]]
assert seq[1] == "NACGTNACGT" and seq[3] == "GGGGGTTTTT" and seq[5] == "AAAAACCCCC", seq
assert list(t["rc_group"]) == [0, 0, 2, 2, 4, 4]
L = t["labels"]
assert L[1, 0] == 1 and L[3, 0] == 0 and np.isnan(L[4]).all() and np.isnan(L[5]).all()
assert m["gdl.inputs"] == "seq"
PY

printf '>long\nAACCGGTTAC\n>short\nACG\n' >"$T/uneq.fa"
expect "unequal lengths without --window: exit 2" 2 "$GDL" encode "$T/uneq.fa" -o "$T/u.gdl"
contains "unequal lengths: file, line, record" "$T/err" "uneq.fa:3: record 'short' has 3 bases, the first had 10; use --window"
[ ! -e "$T/u.gdl" ] && pass "unequal lengths: no output" || fail "unequal lengths left output"
expect "--window crops and pads" 0 "$GDL" encode "$T/uneq.fa" -o "$T/w.gdl" -w 6
"$PYTHON" - "$T/w.gdl" <<'PY' && pass "--window: centred crop, N padding" || fail "--window values"
import sys
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
assert [bytes(r).decode() for r in t["input:dna"]] == ["CCGGTT", "NACGNN"], t["input:dna"]
assert m["input:dna.length"] == "6" and m["gdl.targets"] == "0"
PY

# a reference: chr1 40 bases, chr2 12 bases; bgzip copy too (faidx index built by gdl)
printf '>chr1\nACGTACGTAACCGGTTAAAACCCCGGGG\nTTTTACGTNNNN\n>chr2\nacgtacgtacgt\n' >"$T/ref.fa"
cp "$T/ref.fa" "$T/refz.fa" && bgzip -f "$T/refz.fa"
printf '#chrom\tstart\tend\tname\tbound\tsignal\nchr1\t0\t4\tr1\t1\t0.25\nchr1\t10\t20\tr2\t0\t1.5\nchr2\t8\t12\t.\t1\t-2\n' >"$T/r.bed"
expect "encode BED on a reference with --window" 0 "$GDL" encode --bed "$T/r.bed" --ref "$T/ref.fa" -w 8 -o "$T/b.gdl"
"$PYTHON" - "$T/b.gdl" <<'PY' && pass "BED windows: centred, N beyond contig ends, labels from BED columns" || fail "BED values"
import sys
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
s = lambda a: bytes(a).decode().split('\0')[:-1]
assert s(t["ids"]) == ["r1", "r2", "chr2:9-12"], s(t["ids"])
# r1: centre 2 -> [-2, 6) ; r2: centre 15 -> [11, 19) ; chr2 8-12: centre 10 -> [6, 14)
assert [bytes(r).decode() for r in t["input:dna"]] == ["NNACGTAC", "CGGTTAAA", "GTACGTNN"], t["input:dna"]
assert s(t["target_names"]) == ["bound", "signal"] and m["gdl.target_kinds"] == "binary,regression"
assert t["labels"].tolist() == [[1, 0.25], [0, 1.5], [1, -2]]
PY
expect "encode BED on a bgzipped reference" 0 "$GDL" encode --bed "$T/r.bed" --ref "$T/refz.fa.gz" -w 8 -o "$T/bz.gdl"
"$PYTHON" - "$T/b.gdl" "$T/bz.gdl" <<'PY' && pass "bgzipped reference gives the same tensors" || fail "bgzip reference"
import sys, numpy as np
from read_gdl import read_gdl
a, _ = read_gdl(sys.argv[1]); b, _ = read_gdl(sys.argv[2])
assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
PY
expect "BED label columns with --rc" 0 "$GDL" encode --bed "$T/r.bed" --ref "$T/ref.fa" -w 8 --rc -o "$T/brc.gdl"
"$PYTHON" - "$T/brc.gdl" <<'PY' && pass "BED --rc: complements take their region's BED labels" || fail "BED --rc values"
import sys
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
assert bytes(t["ids"]).decode().split('\0')[:-1] == ["r1", "r1:rc", "r2", "r2:rc", "chr2:9-12", "chr2:9-12:rc"]
assert t["labels"].tolist() == [[1, 0.25], [1, 0.25], [0, 1.5], [0, 1.5], [1, -2], [1, -2]]
assert bytes(t["input:dna"][1]).decode() == "GTACGTNN" and t["rc_group"].tolist() == [0, 0, 2, 2, 4, 4]
PY
printf 'chr1\t0\t4\nchr1\t10\t14\n' >"$T/eq.bed"
printf 'id\tk\nchr1:11-14\tx\n' >"$T/eqlab.tsv"
expect "BED without --window, equal regions, --labels by chrom:start-end" 0 "$GDL" encode --bed "$T/eq.bed" --ref "$T/ref.fa" -l "$T/eqlab.tsv" --keep-missing -o "$T/e.gdl"
"$PYTHON" - "$T/e.gdl" <<'PY' && pass "BED IDs chrom:start+1-end and region bases" || fail "BED equal regions"
import sys, numpy as np
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
assert bytes(t["ids"]).decode().split('\0')[:-1] == ["chr1:1-4", "chr1:11-14"]
assert [bytes(r).decode() for r in t["input:dna"]] == ["ACGT", "CCGG"]
assert np.isnan(t["labels"][0, 0]) and t["labels"][1, 0] == 0 and m["gdl.target_kinds"] == "categorical"
PY
printf 'chr1\t0\t4\nchr1\t10\t16\n' >"$T/ne.bed"
expect "BED unequal regions without --window: exit 2" 2 "$GDL" encode --bed "$T/ne.bed" --ref "$T/ref.fa" -o "$T/ne.gdl"
contains "BED unequal regions: file and line" "$T/err" "ne.bed:2: region of 6 bases, the one at line 1 had 4"
printf 'chr1\t0\t4\nchr2\t8\t13\n' >"$T/beyond.bed"
expect "BED region beyond the contig: exit 2" 2 "$GDL" encode --bed "$T/beyond.bed" --ref "$T/ref.fa" -w 4 -o "$T/x.gdl"
contains "BED region beyond the contig: file and line" "$T/err" "beyond.bed:2: region chr2:8-13 ends beyond the contig (12 bases)"
printf 'chr1\t0\t4\nchr9\t0\t4\n' >"$T/nochr.bed"
expect "BED contig missing from the reference: exit 2" 2 "$GDL" encode --bed "$T/nochr.bed" --ref "$T/ref.fa" -o "$T/x.gdl"
contains "BED unknown contig: file and line" "$T/err" "nochr.bed:2: contig 'chr9' is not in the reference"
gzip -c "$T/ref.fa" >"$T/refg.fa.gz"
expect "reference compressed with gzip, not bgzip: exit 2" 2 "$GDL" encode --bed "$T/eq.bed" --ref "$T/refg.fa.gz" -o "$T/x.gdl"
contains "gzip reference: says bgzip" "$T/err" "refg.fa.gz: cannot load or build the faidx index"
lines "gzip reference: one line on stderr" "$T/err" 1
# found by tests/fuzz (fuzz_fasta): htslib indexes a record whose first sequence line holds no
# base with 0 bases per line, then divides by it (SIGFPE)
printf '>c1\n\0\nA' >"$T/zero.fa"
printf 'c1\t0\t1\tx\n' >"$T/zero.bed"
expect "reference line of no bases: exit 2" 2 "$GDL" encode --bed "$T/zero.bed" --ref "$T/zero.fa" -o "$T/x.gdl"
contains "reference line of no bases: named" "$T/err" "zero.fa: contig 'c1' has no usable line length in its index"
lines "reference line of no bases: one line" "$T/err" 1
expect "missing reference: exit 2" 2 "$GDL" encode --bed "$T/eq.bed" --ref "$T/none.fa" -o "$T/x.gdl"
contains "missing reference: named" "$T/err" "none.fa: cannot open: No such file"
[ ! -e "$T/x.gdl" ] && pass "bad BED: no output" || fail "bad BED left output"

# the centre-base study: a base from its flanks
printf 'chr1\t9\t12\n' >"$T/c.bed"
expect "center-base on BED regions" 0 "$GDL" encode --task center-base --flank 3 --ref "$T/ref.fa" --bed "$T/c.bed" -o "$T/c.gdl"
"$PYTHON" - "$T/c.gdl" <<'PY' && pass "center-base: flanks without the centre, 4-class label" || fail "center-base values"
import sys
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
s = lambda a: bytes(a).decode().split('\0')[:-1]
# chr1 = ACGTACGTA ACCGGTTAAAA...; centres 0-based 9,10,11 = A, C, C
assert s(t["ids"]) == ["chr1:10", "chr1:11", "chr1:12"]
assert [bytes(r).decode() for r in t["input:dna"]] == ["GTACCG", "TAACGG", "AACGGT"], t["input:dna"]
assert s(t["target_classes:0"]) == ["A", "C", "G", "T"] and t["labels"][:, 0].tolist() == [0, 1, 1]
assert s(t["target_names"]) == ["base"] and m["gdl.target_kinds"] == "categorical"
PY
expect "center-base on the whole reference, --stride" 0 "$GDL" encode --task center-base --flank 2 --stride 5 --ref "$T/ref.fa" -o "$T/cw.gdl"
"$PYTHON" - "$T/cw.gdl" <<'PY' && pass "center-base whole reference: centres stride apart, N centres skipped" || fail "center-base whole reference"
import sys
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
ids = bytes(t["ids"]).decode().split('\0')[:-1]
# chr1 (40 bases): centres 2,7,...,37 minus those on N (37); chr2 (12): 2, 7
assert ids == ["chr1:%d" % (p + 1) for p in range(2, 37, 5)] + ["chr2:3", "chr2:8"], ids
assert t["labels"][:, 0].tolist() == [2, 3, 2, 0, 1, 2, 0, 2, 3]
PY
expect "center-base with --rc: usage error" 1 "$GDL" encode --task center-base --ref "$T/ref.fa" --rc -o "$T/x.gdl"

# bad input: each exit 2, file and line or record, no output
printf '>a\nACGTXA\n' >"$T/bad1.fa"
expect "not a base: exit 2" 2 "$GDL" encode "$T/bad1.fa" -o "$T/x.gdl"
contains "not a base: file, line, record, character" "$T/err" "bad1.fa:2: record 'a': 'X' (byte 88) is not a base"
printf '>a\nACGT\n>b\nACGT\n>a\nACGT\n' >"$T/dup.fa"
expect "duplicate sequence ID: exit 2" 2 "$GDL" encode "$T/dup.fa" -o "$T/x.gdl"
contains "duplicate sequence ID: file and line" "$T/err" "dup.fa:5: duplicate sequence ID 'a'"
printf 'id\ty\ns1\t1\ns2\n' >"$T/badlab.tsv"
expect "label row with a missing column: exit 2" 2 "$GDL" encode "$T/a.fa" -w 5 -l "$T/badlab.tsv" -o "$T/x.gdl"
contains "label row: file and line" "$T/err" "badlab.tsv:3: 1 columns, the header has 2"
printf 'id\ty\ns1\t1\ns1\t0\n' >"$T/duplab.tsv"
expect "duplicate label ID: exit 2" 2 "$GDL" encode "$T/a.fa" -w 5 -l "$T/duplab.tsv" -o "$T/x.gdl"
contains "duplicate label ID: file and line" "$T/err" "duplab.tsv:3: duplicate ID 's1' (first at line 2)"
printf 'ACGT\n' >"$T/nohdr.fa"
expect "FASTA without a header: exit 2" 2 "$GDL" encode "$T/nohdr.fa" -o "$T/x.gdl"
contains "FASTA without a header: file and line" "$T/err" "nohdr.fa:1: expected a '>' header line"
"$GDL" simulate sequences -o "$T/sim" --n 100 --length 100 --motif ACGTAC
gzip -c "$T/sim.fa" >"$T/sim.fa.gz"; head -c 3000 "$T/sim.fa.gz" >"$T/t.fa.gz"
expect "truncated gzip FASTA: exit 2" 2 "$GDL" encode "$T/t.fa.gz" -o "$T/x.gdl"
contains "truncated gzip FASTA: file, line, reason" "$T/err" "read error (" 
contains "truncated gzip FASTA: zlib's reason" "$T/err" "unexpected end of file)"
[ ! -e "$T/x.gdl" ] && pass "bad FASTA input: no output" || fail "bad FASTA left output"
printf '>a\nACGT\n' | gzip >"$T/ok.fa.gz"
expect "FASTA from stdin" 0 sh -c '"$1" encode - -n dna -o "$2" <"$3"' sh "$GDL" "$T/stdin.gdl" "$T/a.fa"
"$PYTHON" - "$T/stdin.gdl" <<'PY' && pass "FASTA from stdin: all records" || fail "FASTA from stdin"
import sys
from read_gdl import read_gdl
t, m = read_gdl(sys.argv[1])
assert bytes(t["ids"]).decode().split('\0')[:-1] == ["s1", "s2", "s3"]
PY
expect "gzipped FASTA" 0 "$GDL" encode "$T/ok.fa.gz" -o "$T/gz.gdl"
expect "encode without -o: usage" 1 "$GDL" encode "$T/a.fa"
expect "unknown --task: usage" 1 "$GDL" encode --task nope --ref "$T/ref.fa" -o "$T/x.gdl"
finish
